"""Each response tied to the question the student was shown, and classified: correct, a named
misconception (the value that mistake gives), a near miss, blank, or unexplained.

A response is read the way the LMS writes it (Moodle: thousands separators in option text,
`part 1: 13; part 2: 13; part 3: 64` for a Cloze question, `-` for no answer) and compared as a
value with the question's answer and every distractor's value. A cell that cannot be tied to its
question for certain is not classified: it is kept apart with the reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from quizgen.drill.answers import (
    CLASS_SUFFIX,
    LAYER_NUMBER,
    Unreadable,
    parse_decimal,
    parse_number,
    parse_shape,
    strip_unit,
)
from quizgen.engine.question import NEAR_MISS, Value
from quizgen.errors import QuizgenError
from quizgen.report.bank import Bank, Identifier, Item, PartKey
from quizgen.report.results import Attempt, Cell, Results

CORRECT, BLANK, UNEXPLAINED = "correct", "blank", "unexplained"
NO_ANSWER = ("", "-")  # Moodle writes "-" for a question left unanswered
CLOZE_PART = re.compile(r"part (\d+):[ ]?(.*?)(?=; part \d+:|$)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Response:
    """One quizgen part of one student's question."""

    attempt: Attempt
    slot: int
    item: Item
    part: PartKey
    response: str  # as the LMS wrote it; for a Cloze question the part's boxes, joined by "; "
    cls: str  # correct, a misconception id, near-miss, blank or unexplained
    reason: str | None = None  # why an answer is unexplained when it could not be read as a value


@dataclass(frozen=True, slots=True)
class Untied:
    """A cell that could not be tied to a question for certain."""

    attempt: Attempt
    slot: int
    response: str
    reason: str


@dataclass(frozen=True, slots=True)
class Classified:
    results: Results
    bank: Bank
    responses: tuple[Response, ...]
    untied: tuple[Untied, ...]


def boxes_text(cell: str, count: int) -> list[str] | None:
    """The text of each answer box; None when the cell does not have `count` boxes."""
    text = cell.strip()
    if text in NO_ANSWER:
        return [""] * count
    pieces = CLOZE_PART.findall(text) if text.startswith("part 1:") else None
    if pieces is None:
        return [text] if count == 1 else None
    if [int(n) for n, _ in pieces] != list(range(1, count + 1)):
        return None
    return [p.strip() for _, p in pieces]


def read_value(texts: Sequence[str], part: PartKey, whole: bool, layers: Sequence[str]) -> Value:
    """The value a part's box texts stand for (raises Unreadable). `whole`: one box holds the
    whole answer (an option's text), rather than one box per axis of a shape."""
    if isinstance(part.answer, list):
        if whole:
            return parse_shape(texts[0], len(part.answer))
        return [parse_number(t) for t in texts]
    text = texts[0]
    if part.quantity in ("layer_name", "step"):
        bare = CLASS_SUFFIX.sub("", text).strip()
        numbered = LAYER_NUMBER.fullmatch(bare)
        if part.quantity == "step" and numbered:
            return int(numbered[1])
        if bare.lower() in layers:
            return bare.lower() if part.quantity == "layer_name" else layers.index(bare.lower()) + 1
        raise Unreadable("no-such-layer")
    if part.quantity == "memory_bytes":
        text = strip_unit(text, part.unit or "bytes")
        if isinstance(part.answer, float):
            return parse_decimal(text)
    return parse_number(text)


def same(a: Value, b: Value) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b, abs_tol=1e-9)
    return a == b


def class_of(value: Value, part: PartKey) -> str:
    if same(value, part.answer):
        return CORRECT
    return next((m for v, m in part.distractors if same(value, v)), UNEXPLAINED)


def _part_texts(item: Item, texts: list[str]) -> list[tuple[PartKey, list[str], bool]]:
    out = []
    for part in item.parts:
        boxes = [(b, t) for b, t in zip(item.boxes, texts) if b.part == part.number]
        out.append((part, [t for _, t in boxes], len(boxes) == 1 and boxes[0][0].axis is None))
    return out


def is_answer(item: Item, text: str) -> bool:
    """Whether the LMS's "right answer" is the question's answer: a check that the bank is the quiz's."""
    texts = boxes_text(text, len(item.boxes))
    try:
        return texts is not None and all(same(read_value(t, p, whole, item.layers), p.answer)
                                         for p, t, whole in _part_texts(item, texts))
    except Unreadable:
        return False


def classify_cell(attempt: Attempt, cell: Cell, item: Item) -> list[Response] | str:
    """The cell's responses, one per part; or why the cell does not fit the question."""
    texts = boxes_text(cell.response, len(item.boxes))
    if texts is None:
        return f"the response {cell.response!r} does not have the question's {len(item.boxes)} answer box(es)"
    parts = _part_texts(item, texts)
    if cell.right_answer is not None and not is_answer(item, cell.right_answer):
        return (f"the LMS's right answer {cell.right_answer!r} is not question {item.id}'s answer "
                "(a bank that does not match the quiz?)")
    out = []
    for part, box_texts, whole in parts:
        shown = cell.response.strip() if len(item.boxes) == 1 else "; ".join(box_texts)
        if not any(box_texts):
            out.append(Response(attempt, cell.slot, item, part, shown, BLANK))
            continue
        try:
            cls, reason = class_of(read_value(box_texts, part, whole, item.layers), part), None
        except Unreadable as error:
            cls, reason = UNEXPLAINED, f"not readable as an answer ({error.reason})"
        out.append(Response(attempt, cell.slot, item, part, shown, cls, reason))
    return out


def classify(results: Results, bank: Bank) -> Classified:
    """Every response classified, or kept apart with its reason. Results that tie to nothing, or
    a quiz with another number of slots than the exam, are not this exam's: a one-line error."""
    first = results.attempts[0]
    if bank.slots and results.slots != bank.slots:
        raise QuizgenError(f"{first.file} row 1: {results.slots} questions per attempt, but {bank.source} has "
                           f"{bank.slots} slots: results of a different quiz")
    identify = Identifier(bank)
    if not results.has_question_text and any(len({i.idnumber for i in identify.candidates(s)}) > 1
                                             for s in range(1, results.slots + 1)):
        raise QuizgenError(f"{first.file} row 1: no 'Question N' columns, so nothing says which question each "
                           "student drew; download the Responses report with 'Question text' ticked")
    responses: list[Response] = []
    untied: list[Untied] = []
    for attempt in results.attempts:
        for cell in attempt.cells:
            found = identify.identify(cell.slot, cell.question_text)
            got = classify_cell(attempt, cell, found) if isinstance(found, Item) else found
            if isinstance(got, str):
                untied.append(Untied(attempt, cell.slot, cell.response, got))
            else:
                responses.extend(got)
    if not responses:
        u = untied[0]
        raise QuizgenError(f"{u.attempt.file} row {u.attempt.row}: slot {u.slot}: {u.reason}; no response could "
                           f"be tied to {bank.source} (results of a different quiz?)")
    return Classified(results, bank, tuple(responses), tuple(untied))


def misconception_of(cls: str) -> bool:
    return cls not in (CORRECT, BLANK, UNEXPLAINED, NEAR_MISS)
