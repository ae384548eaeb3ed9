"""Reading what a student types: a number, a shape, an option letter, or a command.

Formatting is not part of the answer: `18,496`, `18 496` and `18496` are one number, and
`26x26x32`, `26 × 26 × 32`, `(26, 26, 32)` and Keras's `(None, 26, 26, 32)` are one shape.
What the part asks for decides how a line is read, so `26 26 32` is a shape where a shape is
asked and an unreadable number elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizgen.question import Part, Value

COMMANDS = ("hint", "skip", "quit")
GROUPING = re.compile(r"[\s,_'\u00a0\u2009\u202f]")  # thousands separators people type
TIMES = re.compile(r"[x×*]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # one of COMMANDS


class Unreadable(ValueError):
    """A line that is not an answer; `reason` is a code the templates word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_answer(text: str, part: Part, multiple_choice: bool) -> Command | Value:
    """The command or value a line stands for; raises `Unreadable` with a reason code."""
    line = text.strip()
    if line.lower() in COMMANDS:
        return Command(line.lower())
    if not line:
        raise Unreadable("empty")
    options = part.options if multiple_choice else []
    if options and len(line) == 1 and line.isalpha():
        letter = line.upper()
        chosen = next((o for o in options if o.letter == letter), None)
        if chosen is None:
            raise Unreadable("no-such-option")
        return chosen.value
    if isinstance(part.answer, list):
        return parse_shape(line, len(part.answer))
    if TIMES.search(line):
        raise Unreadable("shape-for-number")
    return parse_number(line)


def parse_number(text: str) -> int:
    digits = GROUPING.sub("", text)
    if not digits.isascii() or not digits.isdigit():
        raise Unreadable("not-a-number")
    return int(digits)


def parse_shape(text: str, axes: int) -> list[int]:
    """`26x26x32`, `26 x 26 x 32`, `(26, 26, 32)`, `[26, 26, 32]`, `26,26,32`, `26 26 32`.

    Where the answer has one axis, `1,024` and `(None, 1,024)` are that one axis, not two.
    """
    inner = text.strip().strip("()[]").strip()
    batch = re.match(r"(none|\?|batch)\s*[,x×*]\s*", inner, re.IGNORECASE)
    if batch:
        inner = inner[batch.end():]
    if TIMES.search(inner):
        pieces = TIMES.split(inner)  # an axis may then carry its own thousands separator
    elif axes == 1:
        pieces = [inner]
    else:
        pieces = re.split(r"[\s,]+", inner)
    try:
        return [parse_number(p) for p in pieces]
    except Unreadable:
        raise Unreadable("not-a-shape") from None
