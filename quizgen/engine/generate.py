"""Problem sets: per-question seeds, no duplicates, and an honest answer when the space runs out.

Question i's seed is derived from the set's seed and i alone, so any question can be rebuilt on
its own (`--question-seed`) and question 537 does not depend on the 536 before it. Only when a
question would repeat an earlier one does it move on to the next attempt's seed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen import __version__
from quizgen.engine.kinds import KINDS, Built, Kind, assemble, choose, make_question, pick_kind, question_key
from quizgen.engine.question import Question
from quizgen.engine.sampling import NO_CONSTRAINTS, ConstrainedRandom, Constraints
from quizgen.engine.styles import FRAMEWORKS, STYLES
from quizgen.errors import QuizgenError

MASK = (1 << 64) - 1
QUICK_ATTEMPTS = 40  # tries before the generator suspects the space is exhausted
ENUMERATION_LIMIT = 200_000  # structural paths walked at most to count the space
BALANCE_STREAM = 1 << 40  # the attempt number whose seeds order the kinds (never a question's attempt)


def derive_seed(set_seed: int, index: int, attempt: int = 0) -> int:
    """splitmix64 of (seed, index, attempt): well spread, stable across Python versions."""
    x = (set_seed * 0x9E3779B97F4A7C15 + (index + 1) * 0xBF58476D1CE4E5B9 + attempt * 0x94D049BB133111EB) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return (x ^ (x >> 31)) >> 1  # 63 bits: a positive integer in any JSON reader


@dataclass(frozen=True)
class Options:
    """What a set asks (kinds, difficulties, constraints) and how its questions show their stacks
    (`style`, `diagram`, and the `templates` folder that writes code and drawings)."""

    kinds: tuple[str, ...]
    difficulties: tuple[int, ...]
    constraints: Constraints = NO_CONSTRAINTS
    style: str = "table"
    diagram: bool = False
    templates: Path | None = None

    @functools.cached_property  # read for every candidate seed's picker, several per question
    def limits(self) -> Constraints:
        """The constraints the picker carries: PyTorch code asks PyTorch's convention of the kinds
        and stacks PyTorch can write."""
        if self.style == "pytorch":
            return dataclasses.replace(self.constraints, convention="pytorch")
        return self.constraints

    def picker(self, seed: int) -> ConstrainedRandom:
        return ConstrainedRandom(seed, self.limits)

    def show(self, question: Question) -> Question:
        """The question as it is shown. The style is chosen here, at generation, because it decides
        the counting convention (PyTorch code counts as PyTorch does); writing the code and the
        drawing is the render stage's work, imported only when a question needs it, so the engine
        itself never loads templates."""
        if self.style not in FRAMEWORKS and not self.diagram:
            return question if question.style == self.style else dataclasses.replace(question, style=self.style)
        from quizgen.render.present import show

        return show(question, self.style, self.diagram, self.templates)

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise QuizgenError(f"unknown kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
        bad = [d for d in self.difficulties if d not in (1, 2, 3)]
        if bad:
            raise QuizgenError(f"difficulty must be 1, 2 or 3, got {bad[0]}")
        if not self.kinds or not self.difficulties:
            raise QuizgenError("choose at least one kind and one difficulty")
        if self.style not in STYLES:
            raise QuizgenError(f"unknown style {self.style!r}; choose from {', '.join(STYLES)}")


def balanced_kind(seed: int, index: int, kinds: Sequence[str]) -> str | None:
    """The kind question `index` asks when several are asked: each block of len(kinds) questions asks
    every kind once, in an order drawn from the set's seed and the block alone (so a question still
    depends on nothing before it). None for a single kind."""
    distinct = tuple(dict.fromkeys(kinds))
    if len(distinct) < 2:
        return None
    return _block_order(seed, index // len(distinct), distinct)[index % len(distinct)]


@functools.lru_cache(maxsize=64)  # a set asks its questions in order: each block's order serves len(kinds) of them
def _block_order(seed: int, block: int, kinds: tuple[str, ...]) -> tuple[str, ...]:
    order = list(kinds)
    random.Random(derive_seed(seed, block, BALANCE_STREAM)).shuffle(order)
    return tuple(order)


def draws(seed: int, index: int, options: Options) -> Iterator[tuple[int, bool]]:
    """Question `index`'s candidate seeds, in order, each with whether it asks the balanced kind.
    A seed stands for its whole question, kind included, so `--question-seed` rebuilds it alone."""
    wanted = balanced_kind(seed, index, options.kinds)
    attempt = 0
    while True:
        qseed = derive_seed(seed, index, attempt)
        yield qseed, wanted is None or pick_kind(options.picker(qseed), options.kinds).id == wanted
        attempt += 1


def first_seed(seed: int, options: Options) -> int:
    """The seed of a set's first question (the drill starts where `generate` starts)."""
    return next(qseed for qseed, fits in draws(seed, 0, options) if fits)


def one_question(seed: int, options: Options, qid: str = "q1") -> Question:
    """The question a seed stands for (what `--question-seed` prints)."""
    return options.show(make_question(options.picker(seed), seed, options.kinds, options.difficulties, qid,
                                      options.style, options.diagram)[0])


def generate(seed: int, count: int, options: Options,
             progress: Callable[[int], None] | None = None) -> list[Question]:
    return list(iter_questions(seed, count, options, progress))


def iter_questions(seed: int, count: int, options: Options, progress: Callable[[int], None] | None = None,
                   repeats: bool = False) -> Iterator[Question]:
    """The set's questions one by one, so a writer can stream them without holding them all.

    When the options allow fewer distinct questions than `count`, this is an error, unless
    `repeats` (exam variants): then, once every distinct question has been used, they repeat.
    """
    unseen = Unseen(seed, count, options, repeats)
    for i in range(count):
        qseed, picker, kind, difficulty, built = unseen.choose(i)
        # only now the costly part: distractors for every target
        yield options.show(assemble(picker, qseed, kind, difficulty, built, question_id(i, count),
                                    options.style, options.diagram))
        if progress:
            progress(i + 1)


def question_id(i: int, count: int) -> str:
    return f"q{i + 1:0{max(len(str(count)), 3)}d}"


def question_digest(kind: Kind, built: Built) -> bytes:
    """A question's identity as a set keeps it: 16 bytes, so memory stays small however large the set."""
    return hashlib.blake2b(repr(question_key(kind, built)).encode(), digest_size=16).digest()


class Unseen:
    """A set's duplicate check: question i takes the first of its candidate seeds (`draws`) whose
    question is not already in the set. `--jobs` keeps one in the parent (quizgen.parallel)."""

    def __init__(self, seed: int, count: int, options: Options, repeats: bool = False) -> None:
        if count <= 0:
            raise QuizgenError(f"--count must be at least 1, got {count}")
        self.seed, self.count, self.options, self.repeats = seed, count, options, repeats
        self.seen: set[bytes] = set()
        self.space: int | None = None

    def choose(self, i: int) -> tuple[int, ConstrainedRandom, Kind, int, Built]:
        """Question i's seed, its picker (past the structural choices) and those choices; now in the set."""
        options, seen = self.options, self.seen
        attempts, attempt, balanced = QUICK_ATTEMPTS, 0, True
        for qseed, fits in draws(self.seed, i, options):
            if balanced and not fits:
                continue
            picker = options.picker(qseed)
            kind, difficulty, built = choose(picker, options.kinds, options.difficulties)
            key = question_digest(kind, built)
            exhausted = self.space is not None and len(seen) >= self.space
            if key not in seen or (self.repeats and exhausted):
                break
            attempt += 1
            balanced = attempt < QUICK_ATTEMPTS // 2  # this kind may be used up: let any kind fill the slot
            if attempt == attempts:
                if self.space is None:
                    space, complete = count_space(options)
                    self.space = space if complete else max(space, self.count)
                    if self.space < self.count and not self.repeats:
                        raise QuizgenError(
                            f"only {self.space:,} distinct questions exist for kind(s) {', '.join(options.kinds)} "
                            f"at difficulty {', '.join(map(str, options.difficulties))}; asked for {self.count:,}. "
                            "Ask for fewer, or add kinds or difficulties")
                attempts = attempt + 20 * self.space  # rare: keep drawing until an unseen one comes up
        seen.add(key)
        return qseed, picker, kind, difficulty, built


class Enumerator:
    """A picker that walks every path of choices in turn (an odometer), to count a space."""

    def __init__(self, path: list[int], constraints: Constraints) -> None:
        self.path = path
        self.radices: list[int] = []
        self.constraints = constraints

    def choice(self, seq: Sequence[Any]) -> Any:
        pos = len(self.radices)
        if pos == len(self.path):
            self.path.append(0)
        self.radices.append(len(seq))
        return seq[self.path[pos]]

    def shuffle(self, seq: list[Any]) -> None:
        """Order never changes what a question asks."""


def count_space(options: Options, limit: int = ENUMERATION_LIMIT) -> tuple[int, bool]:
    """How many distinct questions the options allow; (count, True) if the walk finished."""
    keys: set[tuple] = set()
    path: list[int] = []
    for _ in range(limit):
        walker = Enumerator(path, options.limits)
        kind, _difficulty, built = choose(walker, options.kinds, options.difficulties)
        keys.add(question_key(kind, built))
        path = walker.path[:len(walker.radices)]
        while path and path[-1] + 1 >= walker.radices[len(path) - 1]:
            path.pop()
        if not path:
            return len(keys), True
        path[-1] += 1
    return len(keys), False


def set_header(seed: int, options: Options) -> dict[str, Any]:
    return {"quizgen_version": __version__, "seed": seed, "kinds": list(options.kinds),
            "difficulties": list(options.difficulties)}


def question_json(question: Question) -> str:
    """A question's line of the set's JSON."""
    return json.dumps(question.to_json(), ensure_ascii=False)


def dump_json(header: dict[str, Any], questions: Iterable[Question]) -> Iterator[str]:
    """The set as JSON, one question per line: fast (C encoder), streamable and diff-friendly."""
    return join_json(header, map(question_json, questions))


def join_json(header: dict[str, Any], lines: Iterable[str]) -> Iterator[str]:
    """The set as JSON from its questions' lines (`question_json`), which `--jobs`' workers write."""
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "questions": ['
    separator = "\n"
    for line in lines:
        yield separator + line
        separator = ",\n"
    yield "\n]}\n"
