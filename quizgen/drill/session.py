"""`quizgen drill`: one question at a time in a terminal, and a diagnosis of every wrong answer.

A typed value is matched against the part's own distractors, so the drill explains a wrong
number with the same misconception catalogue that builds multiple-choice options. Every choice
is deterministic from the seed and the answers: the first question is exactly the first one
`quizgen generate` makes with the same options (a teacher can hand out a drill by its seed),
and later ones lean towards the kinds and misconceptions the student keeps getting wrong.
Without --kind the mix is graded by level: the core kinds at level 1, every kind from level 2.
Wording and colour roles live in templates/drill/ (the questions' own wording is the worksheets',
templates/common/words.j2); this module only decides what to show.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TextIO

import jinja2

from quizgen.drill.answers import Command, Unreadable, parse_answer
from quizgen.drill.progress import KindTally, Progress, ProgressStore
from quizgen.engine.generate import Options, derive_seed, first_seed
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.engine.kinds import KINDS, make_question, param_steps
from quizgen.engine.layers import Layer, Shape, Step
from quizgen.engine.misconceptions import CATALOGUE, Misconception
from quizgen.engine.question import Distractor, Option, Part, Question, Value
from quizgen.errors import QuizgenError
from quizgen.render.environment import environment, get_template
from quizgen.render.view import LayerRow, QuestionView
from quizgen.render.view import PartView as SheetPart
from quizgen.render.view import view as sheet_view

LEVELS = (1, 2, 3)
UP_AFTER = 3  # right answers in a row that move the level up
DOWN_AFTER = 2  # misses in a row that move it down
CANDIDATES = 8  # questions drawn per turn, to find one that tests a mistake already made
MISS_WEIGHT = 2  # how much each net miss of a kind raises that kind's chance
ALWAYS_SHOWN = ("padding", "rate")  # config entries shown even at their Keras default
MISCONCEPTIONS = {m.id: m for m in CATALOGUE}
# Without --kind: the core kinds while the basics are new, then every kind (one level up included).
DEFAULT_KINDS = {1: CORE_KINDS, 2: tuple(KINDS), 3: tuple(KINDS)}
# The sum a whole-model part of a multi-part question ends with (kinds.total_step's topics).
TOTAL_TOPICS = {"params": "total", "trainable_params": "trainable-total", "non_trainable_params": "non-trainable-total"}
# Quantities whose worked steps would point at the answer: their hint has no formulas.
UNHINTED = ("step",)
STYLES = {"good": "32", "bad": "31", "warn": "33", "accent": "36", "bold": "1", "dim": "2"}


@dataclass(frozen=True)
class Settings:
    """What the command line chose for a session."""

    seed: int
    kinds: tuple[str, ...] = ()  # () is the default mix, graded by level (DEFAULT_KINDS)
    difficulty: int = 1
    count: int = 10
    multiple_choice: bool = False
    show_time: bool = False

    def __post_init__(self) -> None:
        Options(self.kinds or CORE_KINDS, (self.difficulty,))  # the same checks and messages as `generate`
        if self.count <= 0:
            raise QuizgenError(f"--count must be at least 1, got {self.count}")

    def kinds_at(self, level: int) -> tuple[str, ...]:
        """The kinds questions are drawn from at `level`."""
        return self.kinds or DEFAULT_KINDS[level]


# --- judging one answer ---------------------------------------------------------------------------

class Verdict(NamedTuple):
    """How one typed answer was judged."""

    given: Value
    correct: bool
    distractor: Distractor | None = None  # the distractor whose value was typed, if any

    @property
    def misconceptions(self) -> tuple[Misconception, ...]:
        """The catalogue's mistakes behind the typed value: one, two held at once, or none (a near miss)."""
        return tuple(MISCONCEPTIONS[m] for m in self.distractor.misconceptions) if self.distractor else ()

    @property
    def explanation(self) -> str:
        """The misconception's explanation as this question's feedback words it: in its framework's terms, its
        formulas for the asked layer's rank (the feedback is the title, then the explanation)."""
        d = self.distractor
        return d.feedback.removeprefix(f"{d.title}. ") if d else ""


def diagnose(part: Part, given: Value) -> Verdict:
    """Right; or the named misconception (or marked near miss) whose value was typed; or unknown."""
    if given == part.answer:
        return Verdict(given, True)
    return Verdict(given, False, next((d for d in part.distractors if d.value == given), None))


# --- what the templates are given ----------------------------------------------------------------
# NamedTuples, as the worksheets' views are (quizgen.render.view says why): defined before the first question.

class LayerView(NamedTuple):
    """A layer as the drill shows it: its row, the config a student needs, its shape if shown."""

    row: LayerRow  # the worksheets' view of the layer: number (from 1), Keras's name, class name
    config: list[tuple[str, Any]]
    asked: frozenset[str]  # config entries the question asks for (a reverse kind's filters): shown as unknown
    output_shape: Shape | None  # None where the prompt must not give it away
    frozen: bool  # trainable=False
    worked: tuple[Shape, int] | None  # a student's output shape and Param # to check (spot the error)


class StepView(NamedTuple):
    """A worked step as the drill shows it, tied to its layer's view."""

    topic: str
    layer: LayerView | None  # None: the whole model
    formula: str
    substitution: str
    result: Value


class PartView(NamedTuple):
    """One part as the drill asks it, with its options (--mc) and worked steps."""

    number: int
    of: int
    sheet: QuestionView  # the worksheets' view of the question: common/words.j2 words it
    options: list[Option]
    steps: list[StepView]

    @property
    def shown(self) -> SheetPart:
        """This part as the worksheets see it."""
        return self.sheet.parts[self.number - 1]

    @property
    def quantity(self) -> str:
        return self.shown.target.quantity

    @property
    def answer(self) -> Value:
        return self.shown.answer

    @property
    def hints(self) -> list[StepView]:
        """The formulas of the worked steps, each once, without the numbers."""
        if self.quantity in UNHINTED:
            return []
        return list({(s.topic, s.formula): s for s in self.steps}.values())


def shown_config(layer: Layer, asked: frozenset[str]) -> list[tuple[str, Any]]:
    """Config entries a student needs; Keras defaults are left out, as Keras code leaves them out,
    and `trainable` comes last, as it does in the worksheets' code."""
    shown = []
    for name, spec in sorted(layer.__dataclass_fields__.items(), key=lambda item: item[0] == "trainable"):
        value = getattr(layer, name)
        default = value == spec.default or (name == "dilation_rate" and set(value) == {1})
        if name in ALWAYS_SHOWN or name in asked or not default:
            shown.append((name, value))
    return shown


def layer_views(question: Question, sheet: QuestionView) -> list[LayerView]:
    stack = question.stack
    asked: dict[int, frozenset[str]] = {}
    for part in question.parts:
        i = part.target.layer
        if i is not None and part.target.quantity in stack.layers[i].__dataclass_fields__:
            asked[i] = asked.get(i, frozenset()) | {part.target.quantity}
    return [LayerView(row, shown_config(layer, asked.get(i, frozenset())), asked.get(i, frozenset()),
                      stack.output_of(i) if sheet.show_shapes else None, not layer.trainable,
                      sheet.worked[i] if sheet.worked else None)
            for i, (layer, row) in enumerate(zip(stack.layers, sheet.rows))]


def part_steps(question: Question, part: Part) -> list[Step]:
    """The worked steps behind one part: all of them for a one-part question; else the part's
    layer's, or for a whole-model part its own sum after the layers no other part asks about."""
    if len(question.parts) == 1:
        return list(question.solution)
    layer = part.target.layer
    if layer is None and sum(p.target.layer is None for p in question.parts) > 1:
        return _run_ending(question.solution, TOTAL_TOPICS[part.target.quantity])
    if layer is None:
        asked = {p.target.layer for p in question.parts}
        total = TOTAL_TOPICS.get(part.target.quantity)
        return [s for s in question.solution if s.layer not in asked
                or (s.layer is None and total in (None, s.topic))]
    steps = [s for s in question.solution if s.layer == layer]
    if part.target.quantity == "params" and not any(s.topic == "params" for s in steps):
        steps += param_steps(question.stack, layer)  # a weightless row of a summary table: "no weights"
    return steps


def _run_ending(solution: Sequence[Step], total: str) -> list[Step]:
    """Several whole-model sums (trainable, then non-trainable): each one's own steps, those after
    the sum before it, so a part's solution never shows a later part's numbers."""
    run: list[Step] = []
    for step in solution:
        run.append(step)
        if step.layer is None and step.topic == total:
            return run
        if step.layer is None and step.topic in TOTAL_TOPICS.values():
            run = []
    return run


def part_views(question: Question, sheet: QuestionView, layers: list[LayerView],
               multiple_choice: bool) -> list[PartView]:
    def step_view(step: Step) -> StepView:
        layer = None if step.layer is None else layers[step.layer]
        return StepView(step.topic, layer, step.formula, step.substitution, step.result)

    return [PartView(n, len(question.parts), sheet, part.options if multiple_choice else [],
                     [step_view(s) for s in part_steps(question, part)])
            for n, part in enumerate(question.parts, 1)]


@dataclass(frozen=True)
class Met:
    """A misconception diagnosed in a session, and how often."""

    id: str
    title: str
    count: int


def met_views(counts: Counter[str]) -> list[Met]:
    return [Met(mid, MISCONCEPTIONS[mid].title if mid in MISCONCEPTIONS else "", n)
            for mid, n in counts.most_common()]


# --- the session ------------------------------------------------------------------------------

@dataclass
class Record:
    """What the session has seen: it drives the level, the next question and the summary."""

    level: int
    asked: int = 0
    right: int = 0
    skipped: int = 0
    streak: int = 0
    best_streak: int = 0
    run_right: int = 0  # since the last level change
    run_missed: int = 0
    net_misses: Counter[str] = field(default_factory=Counter)  # per kind: misses minus later right answers
    met: Counter[str] = field(default_factory=Counter)  # misconceptions diagnosed
    weak: Counter[str] = field(default_factory=Counter)  # the same, minus right answers to parts that tested them
    seen: set[tuple] = field(default_factory=set)
    seconds: float = 0.0

    def finish(self, kind: str, correct: bool, skipped: bool, met: list[str], resisted: set[str]) -> int:
        """Count one question: `met` misconceptions were diagnosed, `resisted` ones were tested by a
        part answered right. Returns the level change (+1, -1 or 0)."""
        self.asked += 1
        self.skipped += skipped
        self.met.update(met)
        self.weak.update(met)
        for m in resisted:
            self.weak[m] = max(self.weak[m] - 1, 0)
        if correct:
            self.right += 1
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
            self.run_right, self.run_missed = self.run_right + 1, 0
            self.net_misses[kind] = max(self.net_misses[kind] - 1, 0)
        else:
            self.streak = self.run_right = 0
            self.run_missed += 1
            self.net_misses[kind] += 1
        change = 0
        if self.run_right >= UP_AFTER and self.level < LEVELS[-1]:
            change = 1
        elif self.run_missed >= DOWN_AFTER and self.level > LEVELS[0]:
            change = -1
        if change:
            self.level += change
            self.run_right = self.run_missed = 0
        return change


def pick_question(settings: Settings, record: Record, index: int) -> tuple[Question, tuple]:
    """Question `index` and its identity key.

    The first is built exactly as `generate` builds its first, from `first_seed`. Later
    ones draw a few candidates, each from its own derived seed, with the kind weighted by the
    session's misses, and keep the first unseen one that tests the most mistakes the student has
    made and not yet answered past.
    Each question stays rebuildable alone: `generate --question-seed S --kind K --difficulty D`, where K
    is the question's kind, or for the first question the session's kinds (they made its choices).
    """
    qid = f"q{index + 1:03d}"
    kinds = settings.kinds_at(record.level)
    if index == 0:
        qseed = first_seed(settings.seed, Options(kinds, (record.level,)))
        return make_question(random.Random(qseed), qseed, kinds, (record.level,), qid)
    weights = [1 + MISS_WEIGHT * record.net_misses[k] for k in kinds]
    first: tuple[Question, tuple] | None = None
    best: tuple[Question, tuple] | None = None
    best_score = -1
    for attempt in range(CANDIDATES):
        qseed = derive_seed(settings.seed, index, attempt)
        kind = random.Random(qseed).choices(kinds, weights)[0]
        question, key = make_question(random.Random(qseed), qseed, (kind,), (record.level,), qid)
        first = first or (question, key)
        if key in record.seen:
            continue
        tested = {m for part in question.parts for d in part.distractors for m in d.misconceptions}
        score = sum(record.weak[m] for m in tested)
        if score > best_score:
            best, best_score = (question, key), score
    return best or first  # every candidate already asked: a repeat beats no question


@dataclass
class Terminal:
    """Where answers come from and text goes; piped answers are echoed so transcripts read well."""

    stdin: TextIO
    stdout: TextIO
    colour: bool

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def ask(self, prompt: str) -> str | None:
        """One line, or None at end of input."""
        self.write(prompt)
        line = self.stdin.readline()
        if not line:
            self.write("\n")
            return None
        if not self.stdin.isatty():
            self.write(line if line.endswith("\n") else line + "\n")
        return line


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM is dumb."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def styler(enabled: bool) -> Callable[[Any, str], str]:
    """The templates' `style` filter: a colour role, or plain text."""
    def style(text: Any, role: str) -> str:
        return f"\033[{STYLES[role]}m{text}\033[0m" if enabled else str(text)
    return style


def drill_environment(colour: bool) -> jinja2.Environment:
    env = environment()
    env.filters["style"] = styler(colour)
    return env


class Drill:
    def __init__(self, settings: Settings, terminal: Terminal, store: ProgressStore | None, errors: TextIO,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.terminal = terminal
        self.store = store
        self.errors = errors
        self.clock = clock
        self.env = drill_environment(terminal.colour)
        self.record = Record(settings.difficulty)

    def render(self, name: str, **context: Any) -> str:
        return get_template(self.env, f"drill/{name}.txt.j2").render(settings=self.settings, **context)

    def say(self, name: str, **context: Any) -> None:
        self.terminal.write(self.render(name, **context))

    def warn(self, message: str) -> None:
        self.errors.write(f"quizgen: {message}\n")
        self.errors.flush()

    def run(self) -> Record:
        """The whole session; quit, end of input and Ctrl-C all end it with the summary."""
        saved = None
        if self.store is not None:
            saved, warning = self.store.load()  # an unreadable file stops here, before any question
            if warning:
                self.warn(warning)
        self.say("welcome", saved=saved.total() if saved is not None else None)
        interrupted: KeyboardInterrupt | None = None
        try:
            for index in range(self.settings.count):
                if not self.play(index):
                    break
        except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM/SIGHUP (see quizgen.cli): summary, then exit 128+N
            self.terminal.write("\n")
            interrupted = error
        self.say("summary", record=self.record, met=met_views(self.record.met),
                 seconds=self.record.seconds if self.settings.show_time else None,
                 per_question=self.record.seconds / self.record.asked if self.record.asked else None,
                 saved_to=self.store.path if self.store is not None and self.record.asked else None)
        if interrupted is not None:
            raise interrupted
        return self.record

    def play(self, index: int) -> bool:
        """Ask question `index`, every part in turn; False when the student ends the session."""
        question, key = pick_question(self.settings, self.record, index)
        self.record.seen.add(key)
        sheet = sheet_view(question, index + 1)
        layers = layer_views(question, sheet)
        self.say("question", question=question, sheet=sheet, number=index + 1, layers=layers)
        views = part_views(question, sheet, layers, self.settings.multiple_choice)
        names = [row.name for row in sheet.rows]
        verdicts: list[Verdict] = []
        resisted: set[str] = set()  # misconceptions tested by the parts answered right
        for part_view, part in zip(views, question.parts):
            outcome = self.answer(part_view, part, names)
            if outcome is None:
                return False
            if isinstance(outcome, Command):  # skip
                self.say("skipped", parts=views)
                self.finish(question, verdicts, resisted, skipped=True)
                return True
            verdicts.append(outcome)
            if outcome.correct:
                resisted.update(m for d in part.distractors for m in d.misconceptions)
        self.finish(question, verdicts, resisted, skipped=False)
        return True

    def answer(self, view: PartView, part: Part, names: list[str]) -> Verdict | Command | None:
        """Read lines until one is an answer or `skip`; None for quit or end of input."""
        self.say("part", part=view)
        shown = self.clock()
        while True:
            line = self.terminal.ask(self.render("prompt"))
            if line is None:
                return None
            try:
                parsed = parse_answer(line, part, self.settings.multiple_choice, names)
            except Unreadable as error:
                self.say("unreadable", reason=error.reason, part=view)
                continue
            if isinstance(parsed, Command):
                if parsed.name == "hint":
                    self.say("hint", part=view)
                    continue
                return None if parsed.name == "quit" else parsed
            elapsed = self.clock() - shown
            self.record.seconds += elapsed
            verdict = diagnose(part, parsed)
            self.say("feedback", verdict=verdict, part=view, seconds=elapsed if self.settings.show_time else None)
            return verdict

    def finish(self, question: Question, verdicts: list[Verdict], resisted: set[str], skipped: bool) -> None:
        correct = not skipped and all(v.correct for v in verdicts)
        met = [m.id for v in verdicts for m in v.misconceptions]
        change = self.record.finish(question.kind, correct, skipped, met, resisted)
        if change:
            before = self.settings.kinds_at(self.record.level - change)
            joined = [k for k in self.settings.kinds_at(self.record.level) if k not in before]
            self.say("level", change=change, level=self.record.level, up_after=UP_AFTER, down_after=DOWN_AFTER,
                     joined=joined)
        delta = Progress()
        delta.record(question.kind, correct, skipped, met)
        self.save(delta)

    def save(self, delta: Progress) -> None:
        """After every question, so Ctrl-C or a closed terminal loses nothing."""
        if self.store is None:
            return
        try:
            warning = self.store.add(delta)
        except QuizgenError as error:
            self.warn(f"{error}; progress is not saved for the rest of this session")
            self.store = None
            return
        if warning:
            self.warn(warning)


def run(settings: Settings, store: ProgressStore | None) -> Record:
    """A session on the process's own terminal or pipes."""
    return Drill(settings, Terminal(sys.stdin, sys.stdout, colour_wanted(sys.stdout)), store, sys.stderr).run()


# --- quizgen drill --stats ------------------------------------------------------------------------

class KindRow(NamedTuple):
    """One row of `drill --stats`."""

    kind: str
    asked: int
    correct: int
    skipped: int
    accuracy: int  # percent, rounded


def kind_row(kind: str, tally: KindTally) -> KindRow:
    return KindRow(kind, tally.asked, tally.correct, tally.skipped, round(100 * tally.correct / tally.asked))


def show_stats(store: ProgressStore) -> None:
    """Per-kind accuracy (known kinds in their usual order, any from a newer quizgen last) and
    per-misconception counts, most frequent first."""
    progress, warning = store.load()
    if warning:
        sys.stderr.write(f"quizgen: {warning}\n")
    order = {k: i for i, k in enumerate(KINDS)}
    kinds = sorted((k for k, t in progress.kinds.items() if t.asked), key=lambda k: (order.get(k, len(order)), k))
    total = progress.total()
    env = drill_environment(colour_wanted(sys.stdout))
    sys.stdout.write(get_template(env, "drill/stats.txt.j2").render(
        path=store.path, kinds=[kind_row(k, progress.kinds[k]) for k in kinds],
        total=kind_row("all", total) if total.asked else None, met=met_views(progress.misconceptions)))
