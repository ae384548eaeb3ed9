"""Questions laid out for the templates: derived data, no wording, no markup.

Templates only present. Whatever they would otherwise have to work out (Keras's layer names,
which config values are worth showing, which wrong value comes from which mistake, how Moodle
should ask a question) is derived here once per question, the same for every format.

The records are NamedTuples, not frozen dataclasses: every writer makes dozens per question, and
every command that writes or drills defines them at start-up. A frozen dataclass costs about five
times as much to define (each of its methods is compiled from source) and three times as much to
make; both are as immutable.
"""

from __future__ import annotations

import base64
import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from quizgen.engine.frameworks import has_module
from quizgen.engine.layers import AXES, Layer, Shape, ZeroPadding, shape_text
from quizgen.engine.misconceptions import CATALOGUE, both_explained, rank_of
from quizgen.engine.quantities import MEMORY_DECIMALS
from quizgen.engine.question import Distractor, Question, Target, Value, misconception_ids
from quizgen.engine.summary import layer_names
from quizgen.render.formats import MOODLE_TYPES
from quizgen.render.present import shapes_shown

EXPLANATIONS = {(m.id, convention, rank): m.explain(convention, rank) for m in CATALOGUE
                for convention in ("keras", "pytorch") for rank in (1, 2, 3)}
MISCONCEPTIONS = {m.id: m for m in CATALOGUE}

# Keras defaults a reader takes for granted: a config value equal to one is left out of the
# layer's description (strides and padding are always shown: they are what shape questions test).
QUIET_DEFAULTS: dict[str, Any] = {
    "trainable": True, "dilation_rate": 1, "groups": 1, "use_bias": True, "depth_multiplier": 1,
    "output_padding": None, "keepdims": False, "axis": -1, "center": True, "scale": True, "max_value": None,
    "negative_slope": 0.0, "threshold": 0.0}


def code_value(value: Any) -> str:
    """A config value as one would type it in Keras: (3, 3), "valid", False; 1-tuples as plain ints."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        if len(value) == 1 and not isinstance(value[0], tuple):
            return code_value(value[0])
        return "(" + ", ".join(code_value(v) for v in value) + ")"
    return repr(value)


def _is_quiet(key: str, value: Any) -> bool:
    if key not in QUIET_DEFAULTS:
        return False
    default = QUIET_DEFAULTS[key]
    if isinstance(value, tuple):
        return all(v == default for v in value)
    return value is default if isinstance(default, bool) or default is None else value == default


@functools.lru_cache(maxsize=8192)  # the same layers and stacks recur across a set
def _names(layers: tuple[Layer, ...]) -> tuple[str, ...]:
    return tuple(layer_names(layers))


@functools.lru_cache(maxsize=8192)
def layer_code(layer: Layer, asked: frozenset[str] = frozenset()) -> str:
    """The layer as Keras source, `Conv2D(filters=32, kernel_size=(3, 3), ...)`: defaults left out,
    `trainable` last, and a key the question asks for (a reverse question's filters) shown as "?"."""
    keys = sorted(layer.__dataclass_fields__, key=lambda k: k == "trainable")
    items = (f"{key}={'?' if key in asked else code_value(getattr(layer, key))}" for key in keys
             if key in asked or not _is_quiet(key, getattr(layer, key)))
    return f"{layer.class_name}({', '.join(items)})"


def axis_names(shape: Value, channels_first: bool = False) -> tuple[str, ...]:
    """Symbols for the axes of an output shape: H, W, C for 2D; D, H, W, C; L, C; n for a vector;
    C first (C, H, W) as PyTorch writes shapes."""
    rank = len(shape) - 1 if isinstance(shape, list) else 0
    if not rank:
        return ("n",)
    return ("C", *AXES[rank]) if channels_first else (*AXES[rank], "C")


def setting_text(key: str, value: Any) -> str:
    """A config value for prose: 3×3 for a kernel, 2 for (2, 2) strides, same."""
    if isinstance(value, tuple):  # a window is written whole (3×3); a stride or dilation once when even
        whole = key in ("kernel_size", "pool_size") or len(set(value)) > 1
        return "×".join(map(str, value)) if whole else str(value[0])
    return str(value)


def settings(layer: Layer, asked: frozenset[str]) -> tuple[tuple[str, Any], ...]:
    """The config values worth saying, as prose shows them (`layer_code`'s choice), "?" when asked.
    A ZeroPadding's padding stays (before, after) pairs, one per axis, for the words to say where
    the zeros go."""
    def text(key: str) -> Any:
        if key in asked:
            return "?"
        return layer.pairs() if isinstance(layer, ZeroPadding) else setting_text(key, getattr(layer, key))
    keys = sorted(layer.__dataclass_fields__, key=lambda k: k == "trainable")
    return tuple((key, text(key)) for key in keys if key in asked or not _is_quiet(key, getattr(layer, key)))


class LayerRow(NamedTuple):
    """One layer as the stack table shows it; `number` counts from 1, as people do."""

    number: int
    name: str  # Keras's automatic name: conv2d, conv2d_1, ...
    class_name: str
    code: str  # the layer as Keras source, for the configuration column
    output_shape: Shape  # channels first in a PyTorch-style question
    settings: tuple[tuple[str, Any], ...] = ()  # config key and value text (ZeroPadding: pairs), for prose
    lines: tuple[int, ...] = ()  # where the shown code writes the layer (Keras or PyTorch style)
    modules: tuple[str, ...] = ()  # PyTorch style: the module on each of those lines, e.g. nn.Conv2d
    folded: bool = False  # PyTorch style: a ZeroPadding written as the next module's padding=, no line of its own


class Wrong(NamedTuple):
    """A wrong value and the mistake that gives it: the title names it, `why` explains it."""

    value: Value
    misconception: str
    title: str
    why: str
    near_miss: bool
    second: str | None = None  # the second catalogue id of a value two mistakes make together

    @property
    def misconceptions(self) -> tuple[str, ...]:
        return misconception_ids(self.misconception, self.second)


class Choice(NamedTuple):
    """One lettered option of a multiple-choice part."""

    letter: str
    value: Value
    correct: bool
    wrong: Wrong | None


class Blank(NamedTuple):
    """One number a student types: a whole answer, or one axis of a shape.

    `wrong` lists each wrong number once, with every mistake that leads to it, so a numeric
    answer can be met with the feedback of the misconception(s) it reveals.
    """

    axis: str | None
    answer: int | float
    wrong: tuple[tuple[int | float, tuple[Wrong, ...]], ...]
    tolerance: float  # 0 for counts; half a unit of the last decimal for rounded values (KiB, MiB)

    @property
    def spellings(self) -> tuple[str, ...]:
        """How a student may type the answer where it is matched as text (Canvas's blanks): with or
        without thousands separators."""
        a = self.answer
        text = str(a) if isinstance(a, int) else f"{a:f}".rstrip("0").rstrip(".")
        return tuple(dict.fromkeys((text, f"{a:,}")))


class PartView(NamedTuple):
    """A part as the templates show it: the layer asked about, the choices and blanks."""

    number: int  # position among the question's parts, from 1
    target: Target
    row: LayerRow | None  # the layer asked about; None for the whole stack
    answer: Value
    answer_letter: str | None  # None when the part is not multiple choice
    choices: tuple[Choice, ...]
    wrong: tuple[Wrong, ...]  # every distractor, shown as an option or not
    blanks: tuple[Blank, ...]


class SolutionLine(NamedTuple):
    """A worked step as the templates show it, tied to its layer's row (and code line)."""

    topic: str
    row: LayerRow | None
    formula: str
    substitution: str
    result: Value
    restates: bool  # the substitution already reads as the result (a shape written out): show it once
    call: int = 0  # PyTorch code: which of the row's modules (and lines) the step is about

    @property
    def line(self) -> int | None:
        """The code line the step is about, when the question shows code."""
        return self.row.lines[min(self.call, len(self.row.lines) - 1)] if self.row and self.row.lines else None

    @property
    def module(self) -> str | None:
        """The PyTorch module the step is about (nn.ZeroPad2d, then nn.Conv2d, ...)."""
        return self.row.modules[min(self.call, len(self.row.modules) - 1)] if self.row and self.row.modules else None


class CodeLine(NamedTuple):
    """One line of a shown program."""

    number: int  # from 1
    text: str
    marked: bool  # a line of the asked-about layer


class CodeView(NamedTuple):
    """The program a Keras- or PyTorch-style question shows, line by line."""

    framework: str
    language: str
    text: str
    lines: tuple[CodeLine, ...]


class Figure(NamedTuple):
    """The drawing of the stack: `name` is its file name (beside a Markdown worksheet, or inside a
    Moodle question), `svg` its text. Not `informative` when every output shape is hidden (the
    blocks are then all alike): print leaves it out."""

    name: str
    svg: str
    informative: bool = True

    @property
    def base64(self) -> str:
        return base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


class QuestionView(NamedTuple):
    """A question as the templates show it: its rows, parts, solution, code and drawing."""

    q: Question
    number: int  # position in the set, from 1
    input_shape: Shape  # channels first in a PyTorch-style question
    rows: tuple[LayerRow, ...]
    parts: tuple[PartView, ...]
    solution: tuple[SolutionLine, ...]
    show_shapes: bool  # False when a shape would give the answer away
    worked: tuple[tuple[Shape, int], ...]  # a student's worked summary to check (shape, Param #), if any
    code: CodeView | None = None  # Keras or PyTorch style
    figure: Figure | None = None  # when drawings are asked for

    def row_named(self, name: str) -> LayerRow:
        """The layer an answer names (most-params options are layer names)."""
        return next(row for row in self.rows if row.name == name)

    @property
    def table(self) -> tuple[tuple[LayerRow, PartView | None], ...]:
        """Each layer with the part that asks about it, if any: the rows of a table to fill in."""
        by_layer = {p.target.layer: p for p in self.parts}
        return tuple((row, by_layer.get(row.number - 1)) for row in self.rows)

    @property
    def fill_in(self) -> bool:
        """A table to fill in (summary-table): its Param # cells and total are the blanks. A question
        with no options and one part (reverse-filters) is instead one number to write."""
        return not self.q.multiple_choice and len(self.parts) > 1

    @property
    def whole(self) -> PartView | None:
        """The part that asks about the whole stack (a table's total row), if any."""
        return next((p for p in self.parts if p.target.layer is None), None)

    @property
    def misconceptions(self) -> tuple[str, ...]:
        """Catalogue ids among all the wrong values, in first-seen order."""
        return tuple(dict.fromkeys(m for p in self.parts for w in p.wrong for m in w.misconceptions))

    @property
    def option_misconceptions(self) -> tuple[str, ...]:
        """Catalogue ids among the wrong options actually shown."""
        return tuple(dict.fromkeys(m for p in self.parts for c in p.choices if c.wrong for m in c.wrong.misconceptions))


def wrong(d: Distractor, convention: str = "keras", rank: int = 2) -> Wrong:
    """The mistake behind a wrong value, explained in the words of the question's framework, for a layer
    with `rank` spatial axes."""
    if d.second is not None:
        why = both_explained(MISCONCEPTIONS[d.misconception], MISCONCEPTIONS[d.second], convention, rank)
    else:
        why = EXPLANATIONS.get((d.misconception, convention, rank), d.feedback)
    return Wrong(d.value, d.misconception, d.title, why, d.near_miss, d.second)


def tolerance(answer: int | float) -> float:
    """Rounded answers (memory in KiB or MiB, to MEMORY_DECIMALS) accept what rounds to them: half
    the last shown digit, whatever the answer's trailing zeros (1.2 is 1.20). Counts are exact."""
    return 0 if isinstance(answer, int) else 5 / 10 ** (MEMORY_DECIMALS + 1)


def _blanks(answer: Value, wrongs: tuple[Wrong, ...], convention: str) -> tuple[Blank, ...]:
    """The numbers to type; none when the answer is not a number (a layer's name)."""
    if isinstance(answer, str):
        return ()
    if not isinstance(answer, list):
        return (Blank(None, answer, tuple((w.value, (w,)) for w in wrongs), tolerance(answer)),)
    blanks = []
    for i, (axis, right) in enumerate(zip(axis_names(answer, convention == "pytorch"), answer)):
        by_value: dict[int, list[Wrong]] = {}
        # One mistake first: where one explains a wrong axis, a pair holding it explains nothing more there.
        for w in sorted(wrongs, key=lambda w: w.second is not None):
            # A shape of another rank has no axis here.
            if len(w.value) == len(answer) and w.value[i] != right and (w.second is None or w.value[i] not in by_value):
                by_value.setdefault(w.value[i], []).append(w)
        blanks.append(Blank(axis, right, tuple((v, tuple(ws)) for v, ws in by_value.items()), 0))
    return tuple(blanks)


def _first(shape: Shape) -> Shape:
    return (shape[-1], *shape[:-1])


def view(q: Question, number: int, figure_prefix: str = "") -> QuestionView:
    stack = q.stack
    names = _names(stack.layers)
    asked = {t.layer: frozenset({t.quantity}) for t in (p.target for p in q.parts)
             if t.layer is not None and t.quantity in stack.layers[t.layer].__dataclass_fields__}
    pytorch = q.style == "pytorch"
    code = q.code.text.splitlines() if q.code else []
    layer_lines = q.code.layer_lines if q.code else ((),) * len(stack.layers)
    rows = tuple(LayerRow(i + 1, names[i], layer.class_name, layer_code(layer, asked.get(i, frozenset())),
                          _first(stack.output_of(i)) if pytorch else stack.output_of(i),
                          settings(layer, asked.get(i, frozenset())) if q.style == "prose" else (), layer_lines[i],
                          tuple(code[n - 1].strip().partition("(")[0] for n in layer_lines[i]) if pytorch else (),
                          pytorch and not has_module(stack, i))
                 for i, layer in enumerate(stack.layers))
    parts = []
    for n, p in enumerate(q.parts, 1):
        wrongs = tuple(wrong(d, p.target.convention, rank_of(stack, p.target.layer)) for d in p.distractors)
        choices = tuple(Choice(o.letter, o.value, o.correct, wrongs[i - 1] if i else None)
                        for o, i in zip(p.options, p.option_order))
        parts.append(PartView(n, p.target, None if p.target.layer is None else rows[p.target.layer], p.answer,
                              p.answer_letter if choices else None, choices, wrongs,
                              _blanks(p.answer, wrongs, p.target.convention)))
    solution = tuple(SolutionLine(s.topic, None if s.layer is None else rows[s.layer], s.formula, s.substitution,
                                  s.result, s.substitution == (shape_text(s.result) if isinstance(s.result, list)
                                                               else str(s.result)), s.call)
                     for s in q.solution)
    worked = tuple((tuple(w["output_shape"]), w["params"]) for w in q.extra.get("worked", ()))
    marked = {n for p in parts if p.row and len(parts) == 1 for n in p.row.lines}
    listing = (CodeView(q.code.framework, q.code.language, q.code.text,
                        tuple(CodeLine(n, text, n in marked) for n, text in enumerate(code, 1))) if q.code else None)
    figure = Figure(f"{figure_prefix}{q.id}.svg", q.diagram, shapes_shown(q)) if q.diagram else None
    # An asked config value (filters, kernel size) can be read off the output shapes: hide them.
    return QuestionView(q, number, _first(stack.input_shape) if pytorch else stack.input_shape, rows, tuple(parts),
                        solution, shapes_shown(q), worked, listing, figure)


class QuestionViews:
    """The views of a set, built afresh on each pass: a template may walk the set twice (the
    questions, then an inline answer key) without the views of every question held at once.
    `numbers` are the questions' positions in the set, when these are only some of them."""

    def __init__(self, questions: Sequence[Question], numbers: Sequence[int] | None = None,
                 figure_prefix: str = "") -> None:
        self.questions = questions  # a list, or a Spool still being generated: its length is asked last
        self.numbers = numbers
        self.figure_prefix = figure_prefix  # a drawing's file name starts with it (set-7- for set-7.md)

    def __iter__(self) -> Iterator[QuestionView]:
        numbers = self.numbers if self.numbers is not None else itertools.count(1)
        return (view(q, n, self.figure_prefix) for q, n in zip(self.questions, numbers))

    def __len__(self) -> int:
        return len(self.questions)


SHAPES = ("output_shape", "output_size")
SUMS = ("params", "trainable_params", "non_trainable_params", "memory_bytes")


def typed_when_auto(quantity: str, layer: int | None) -> bool:
    """Whether `--moodle-type auto` types an answer of this quantity (of a layer, or of the whole stack: None)."""
    return quantity in SHAPES or (layer is None and quantity in SUMS)


def typed(v: QuestionView, mode: str) -> bool:
    """Whether Moodle asks for typed numbers (NUMERICAL) rather than a choice among options.

    A layer's name can only be chosen, a table with nothing to choose from only typed; otherwise
    `auto` types shapes and sums (whole-stack totals), and chooses for the rest.
    """
    if mode not in MOODLE_TYPES:
        raise ValueError(f"unknown Moodle question type {mode!r}")
    if not all(p.blanks for p in v.parts):
        return False
    if not all(p.choices for p in v.parts):
        return True
    if mode == "auto":
        return all(typed_when_auto(p.target.quantity, p.target.layer) for p in v.parts)
    return mode == "numerical"


def moodle_type(v: QuestionView, mode: str) -> str:
    """The Moodle question type: multichoice, numerical, or cloze for several answers in one
    question (a table's blanks, or an output shape with one NUMERICAL blank per axis: each axis
    then gets its own misconception feedback, which one typed shape string could not)."""
    if len(v.parts) > 1:
        return "cloze"
    if not typed(v, mode):
        return "multichoice"
    return "numerical" if len(v.parts[0].blanks) == 1 else "cloze"


# Canvas's question types (gems/plugins/qti_exporter), by the Moodle type of the same question.
CANVAS_TYPES = {"multichoice": "multiple_choice_question", "numerical": "numerical_question"}


def canvas_type(v: QuestionView, mode: str) -> str:
    """The Canvas question type: as Moodle's, and where Moodle writes a Cloze, typed blanks
    (fill_in_multiple_blanks: a table or a shape is typed, as in Moodle, not picked from options
    that would show the answer) or, for parts asked as choices, one dropdown per part."""
    qtype = moodle_type(v, mode)
    if qtype != "cloze":
        return CANVAS_TYPES[qtype]
    return "fill_in_multiple_blanks_question" if typed(v, mode) else "multiple_dropdowns_question"


def mismatch(v: QuestionView, mode: str) -> str | None:
    """Why a question is not asked the way --moodle-type asked for, or None when it is."""
    if mode == "numerical" and not typed(v, mode):
        return "its answer is a layer, not a number: multiple choice"
    if mode == "multichoice" and typed(v, mode):
        return f"nothing to choose from: {'a Cloze of typed numbers' if v.fill_in else 'a typed number'}"
    if mode == "multichoice" and len(v.parts) > 1:
        return f"{len(v.parts)} answers: a Cloze with one multiple-choice blank per answer"
    return None


def cloze_blanks(v: QuestionView, is_typed: bool) -> tuple[tuple[int, int], ...]:
    """(part number, blank index) of every blank a Cloze question holds: every number when typed,
    else one choice per part."""
    return tuple((p.number, i) for p in v.parts for i in range(len(p.blanks) if is_typed else 1))


def cloze_weights(blanks: Sequence[tuple[int, int]], points: float) -> dict[tuple[int, int], int]:
    """Whole-number weights (Moodle's Cloze takes no others) adding up to the question's points:
    equal shares, the remainder on the last blanks. Where that cannot be (fewer points than blanks,
    or a fraction of a point), each blank weighs 1 (see `weight_note`)."""
    n = len(blanks)
    if not n or points != int(points) or points < n:
        return {b: 1 for b in blanks}
    base, extra = divmod(int(points), n)
    return {b: base + (i >= n - extra) for i, b in enumerate(blanks)}


def weight_note(blanks: int, points: float) -> str | None:
    """The warning for a Cloze whose whole-number blank weights cannot add up to its points."""
    if points == int(points) and points >= blanks:
        return None
    return (f"a Cloze of {blanks} blanks cannot total {points:g} points with whole-number weights; "
            f"it is worth {blanks} in the bank (the quiz slot's maximum mark rescales it)")
def moodle_idnumber(v: QuestionView, qtype: str) -> str:
    """The <idnumber> the bank gives a question: kind, difficulty, Moodle type and seed."""
    return f"{v.q.kind}-d{v.q.difficulty}-{qtype}-{v.q.seed}"


def moodle_blanks(v: QuestionView, mode: str) -> tuple[tuple[int, int | None, bool], ...]:
    """The answer boxes Moodle shows, in the order of the question text (the order of a Cloze
    response's "part k"): each box's part (0-based), the axis of a shape it holds (None: the
    whole value) and whether it is a choice among options. The Moodle template lays them out
    so; `quizgen report` reads responses back with it."""
    qtype, is_typed = moodle_type(v, mode), typed(v, mode)
    if qtype != "cloze":
        return ((0, None, qtype == "multichoice"),)
    if v.fill_in:  # a table to fill in: its rows' blanks, then the total row
        order = [part for _, part in v.table if part] + ([v.whole] if v.whole else [])
        return tuple((p.number - 1, None, False) for p in order)
    if not is_typed:
        return tuple((p.number - 1, None, True) for p in v.parts)
    return tuple((p.number - 1, i if isinstance(p.answer, list) else None, False)
                 for p in v.parts for i in range(len(p.blanks)))


class Category(NamedTuple):
    """Questions that are equivalent for a quiz's "random question from category": one Moodle
    category, at `path` below the set's base category."""

    path: str
    questions: QuestionViews


def category_name(name: str) -> str:
    """Moodle reads "/" as a level separator; a slash inside a name is written twice."""
    return name.replace("/", "//")


def categories(questions: Sequence[Question], paths: Sequence[str] | None = None) -> list[Category]:
    """Group by path (default: kind/difficulty-n) in order of first appearance; questions keep
    their set order and number."""
    groups: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        path = paths[i] if paths is not None else f"{q.kind}/difficulty-{q.difficulty}"
        groups.setdefault(path, []).append(i)
    return [Category(path, QuestionViews(Picked(questions, indices), [i + 1 for i in indices]))
            for path, indices in groups.items()]


@dataclass(frozen=True, slots=True)
class Picked(Sequence[Question]):
    """Some questions of a set, by position, fetched only when walked (the set may be on disk)."""

    questions: Sequence[Question]
    indices: Sequence[int]

    def __getitem__(self, i: int) -> Question:  # type: ignore[override]
        return self.questions[self.indices[i]]

    def __len__(self) -> int:
        return len(self.indices)


class Sheet(NamedTuple):
    """What a set says about itself, so a reader can make it again."""

    seed: int | None
    question_seed: int | None
    kinds: tuple[str, ...]
    difficulties: tuple[int, ...]
    variant: str | None = None  # an exam variant's code, shown in its header
    student: str | None = None  # the student the variant is for
    instructions: str | None = None  # an exam's own instructions (Markdown), instead of the default
    style: str = "table"  # how the set's questions show their models (quizgen.engine.styles.STYLES)
