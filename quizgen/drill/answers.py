"""Reading what a student types: a number, a shape, an amount, a layer, an option letter, or a command.

Formatting is not part of the answer: `18,496`, `18 496` and `18496` are one number, and
`26x26x32`, `26 × 26 × 32`, `(26, 26, 32)` and Keras's `(None, 26, 26, 32)` are one shape.
What the part asks for decides how a line is read, so `26 26 32` is a shape where a shape is
asked and an unreadable number elsewhere; a memory amount may carry its unit (`1.25 KiB`), a
layer may be named as Keras prints it (`conv2d_1 (Conv2D)`) or by its number (`3`, `step 3`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from quizgen.engine.question import Part, Value

COMMANDS = ("hint", "skip", "quit")
GROUPING = re.compile(r"[\s,_'\u00a0\u2009\u202f]")  # thousands separators people type
TIMES = re.compile(r"[x×*]", re.IGNORECASE)
MAX_DIGITS = 100  # no answer is longer; Python refuses to read integers past 4,300 digits
DECIMALS = "0.01"  # memory in KiB or MiB is asked to 2 decimals (quantities.py)
DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}")  # 1,25: a comma that cannot be a thousands separator
AMOUNT = re.compile(r"(?P<number>.*?)\s*(?P<unit>[a-z]+)?", re.IGNORECASE)
UNIT_SPELLINGS = {"bytes": ("bytes", "byte", "b")}  # other units are typed as asked: KiB, MiB
LAYER_NUMBER = re.compile(r"(?:(?:step|layer|row)\s*|#\s*)?([0-9]+)\.?", re.IGNORECASE)
CLASS_SUFFIX = re.compile(r"\s*\([^()]*\)")  # conv2d_1 (Conv2D): the class as model.summary() shows it


@dataclass(frozen=True, slots=True)
class Command:
    """A line that is a drill command (hint, skip, quit), not an answer."""

    name: str  # one of COMMANDS


class Unreadable(ValueError):
    """A line that is not an answer; `reason` is a code the templates word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_answer(text: str, part: Part, multiple_choice: bool, layers: Sequence[str]) -> Command | Value:
    """The command or value a line stands for; raises `Unreadable` with a reason code.

    `layers` are the stack's layer names in order, for the parts that ask for a layer.
    """
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
    quantity = part.target.quantity
    if isinstance(part.answer, list):
        return parse_shape(line, len(part.answer))
    if quantity == "layer_name":
        return parse_layer(line, layers)
    if quantity == "step":
        return parse_step(line, layers)
    if quantity == "memory_bytes":
        line = strip_unit(line, part.target.unit or "bytes")
        if isinstance(part.answer, float):
            return parse_decimal(line)
    if TIMES.search(line):
        raise Unreadable("shape-for-number")
    return parse_number(line)


def parse_number(text: str) -> int:
    digits = GROUPING.sub("", text)
    if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_DIGITS:
        raise Unreadable("not-a-number")
    return int(digits)


def parse_decimal(text: str) -> int | float:
    """`1.25`, `1,234.56`, `1 234.5`, `.5`, and `1,25` with a decimal comma; read to 2 decimals,
    the precision asked, so a value compares exactly with the answer and the distractors."""
    if DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    digits = GROUPING.sub("", text)
    if not re.fullmatch(r"[0-9]*\.?[0-9]+|[0-9]+\.", digits) or len(digits) > MAX_DIGITS:
        raise Unreadable("not-a-decimal")
    from decimal import ROUND_HALF_EVEN, Decimal  # here, not at the top: the drill's first question comes sooner

    number = Decimal(digits).quantize(Decimal(DECIMALS), ROUND_HALF_EVEN)
    return int(number) if number == number.to_integral_value() else float(number)  # 1.0 reads as 1


def strip_unit(text: str, unit: str) -> str:
    """The number of `1.25 KiB` where KiB is asked; another unit (kB, MiB for KiB) is unreadable."""
    match = AMOUNT.fullmatch(text)
    assert match is not None  # every line matches: the unit is optional
    typed = match["unit"]
    if typed is None or not match["number"]:
        return text  # a bare word is no amount: left for the number reader to refuse
    if typed.lower() not in UNIT_SPELLINGS.get(unit, (unit.lower(),)):
        raise Unreadable("wrong-unit")
    return match["number"]


def find_layer(text: str, layers: Sequence[str]) -> int | None:
    """The 0-based index of the layer a line names (in any case, with or without its class, as in
    `Conv2D_1 (Conv2D)`) or numbers from 1 (`3`, `step 3`, `layer 3`, `#3`); None if no layer fits."""
    numbered = LAYER_NUMBER.fullmatch(text)
    if numbered:
        number = int(numbered[1])
        return number - 1 if 1 <= number <= len(layers) else None
    name = CLASS_SUFFIX.sub("", text).strip().lower()
    return layers.index(name) if name in layers else None


def parse_layer(text: str, layers: Sequence[str]) -> str:
    index = find_layer(text, layers)
    if index is None:
        raise Unreadable("no-such-layer")
    return layers[index]


def parse_step(text: str, layers: Sequence[str]) -> int:
    """A row of a worked table, numbered from 1 as the table numbers its layers."""
    index = find_layer(text, layers)
    if index is None:
        raise Unreadable("no-such-step")
    return index + 1


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
