"""The question model: the one intermediate representation every renderer reads.

Data only (numbers, ids, formulas); wording and markup live in the templates. The small records a
question holds many of (targets, distractors, options) are NamedTuples: as immutable as a frozen
dataclass, and a third of its cost to make, at twenty distractors a question.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from quizgen.engine.frameworks import Code
from quizgen.engine.layers import Step
from quizgen.engine.stack import Stack

Value = int | float | str | list[int]

# How many options a multiple-choice rendering shows: the answer and this many distractors.
MC_DISTRACTORS = 3
NEAR_MISS = "near-miss"


class Target(NamedTuple):
    """What a part asks: a quantity of one layer (or of the whole stack), in a framework's convention."""

    layer: int | None
    quantity: str
    convention: str = "keras"
    dtype: str | None = None  # memory_bytes: float32, float16 or int8
    unit: str | None = None  # memory_bytes: bytes, KiB or MiB

    def to_json(self) -> dict[str, Any]:
        doc = {"layer": self.layer, "quantity": self.quantity, "convention": self.convention}
        if self.dtype:
            doc.update(dtype=self.dtype, unit=self.unit)
        return doc


def misconception_ids(misconception: str, second: str | None = None) -> tuple[str, ...]:
    """The catalogue ids behind a wrong value: one, two for a value two mistakes make together, none for a
    near-miss."""
    return () if misconception == NEAR_MISS else (misconception,) if second is None else (misconception, second)


class Distractor(NamedTuple):
    """A wrong value and the mistake that gives it, with the feedback a student reads."""

    value: Value
    misconception: str  # a catalogue id, or "near-miss" for a plausible slip that matches no entry
    title: str
    feedback: str
    signature: bool = False  # the asked layer's signature mistake: the one kind of option that may lie far off
    # A second catalogue id: the value of a student holding both mistakes at once (an output shape with the +1
    # dropped and the input's channels kept). `misconception` names the first.
    second: str | None = None

    @property
    def near_miss(self) -> bool:
        return self.misconception == NEAR_MISS

    @property
    def misconceptions(self) -> tuple[str, ...]:
        return misconception_ids(self.misconception, self.second)

    def to_json(self) -> dict[str, Any]:
        doc = {"value": self.value, "misconception": self.misconception, "title": self.title,
               "feedback": self.feedback}
        if self.near_miss:
            doc["near_miss"] = True
        if self.signature:
            doc["signature"] = True
        if self.second is not None:
            doc["second_misconception"] = self.second
        return doc


class Option(NamedTuple):
    """One multiple-choice option as a renderer shows it."""

    letter: str
    value: Value
    correct: bool
    distractor: Distractor | None


@dataclass(frozen=True, slots=True)
class Part:
    """One thing to answer: the answer, its distractors and the order the options are shown in."""

    target: Target
    answer: Value
    distractors: tuple[Distractor, ...]
    option_order: tuple[int, ...]  # 0 is the answer, i ≥ 1 is distractors[i - 1]

    @property
    def options(self) -> list[Option]:
        out = []
        for n, i in enumerate(self.option_order):
            d = self.distractors[i - 1] if i else None
            out.append(Option("ABCDEFGH"[n], d.value if d else self.answer, i == 0, d))
        return out

    @property
    def answer_letter(self) -> str:
        return "ABCDEFGH"[self.option_order.index(0)]

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target.to_json(), "answer": self.answer,
                "distractors": [d.to_json() for d in self.distractors],
                "option_order": list(self.option_order)}


@dataclass(frozen=True, slots=True)
class Question:
    """A whole question: its stack, its parts and the worked solution; what every renderer reads."""

    id: str
    kind: str
    difficulty: int
    seed: int
    family: str
    stack: Stack
    parts: tuple[Part, ...]
    solution: tuple[Step, ...]
    show_shapes: bool  # whether the prompt may show each layer's output shape
    multiple_choice: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    # How the prompt shows the stack (quizgen.render.present): table, keras, pytorch or prose; the code
    # shown, for keras and pytorch; the SVG drawing of the stack, when diagrams are asked for.
    style: str = "table"
    code: Code | None = None
    diagram: str | None = None

    def with_id(self, qid: str) -> Question:
        return dataclasses.replace(self, id=qid)

    def with_extra(self, **extra: Any) -> Question:
        return dataclasses.replace(self, extra={**self.extra, **extra})

    def with_options(self, n: int) -> Question:
        """The same question showing `n` options (answer and n − 1 distractors), reshuffled by its seed."""
        if not self.multiple_choice or n == MC_DISTRACTORS + 1:
            return self
        rng = random.Random(self.seed)
        parts = []
        for part in self.parts:
            order = list(range(min(n - 1, len(part.distractors)) + 1))
            rng.shuffle(order)
            parts.append(dataclasses.replace(part, option_order=tuple(order)))
        return dataclasses.replace(self, parts=tuple(parts))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "difficulty": self.difficulty, "seed": self.seed,
            "family": self.family, "multiple_choice": self.multiple_choice,
            "prompt": {"show_shapes": self.show_shapes, "style": self.style,
                       **({"code": self.code.to_json()} if self.code else {}),
                       **({"diagram": self.diagram} if self.diagram else {}), **self.extra},
            "stack": self.stack.to_json(),
            "shapes": [list(s) for s in self.stack.shapes],
            "parts": [p.to_json() for p in self.parts],
            "solution": [s.to_json() for s in self.solution],
        }
