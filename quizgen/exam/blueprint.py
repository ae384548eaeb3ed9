"""Exam blueprints: a TOML file describing an exam once, read and checked up front.

Every mistake in a blueprint is reported as one line naming the file and the key (or the TOML
line), before any question is generated.
"""

from __future__ import annotations

import math
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizgen.engine.kinds import KINDS
from quizgen.engine.layers import MAX_SIZE
from quizgen.engine.sampling import FAMILIES, Constraints
from quizgen.engine.styles import STYLES
from quizgen.errors import QuizgenError, check_text
from quizgen.render.files import read_text

MOODLE_TYPES = ("multichoice", "numerical", "auto")
TOP_KEYS = {"title", "instructions", "seed", "locale", "category", "slot"}
SLOT_KEYS = {"kinds", "difficulty", "points", "options", "moodle_type", "families", "inputs", "bias", "name", "style"}


@dataclass(frozen=True)
class Slot:
    """One question position of the exam; every variant gets an equivalent question here."""

    number: int
    name: str
    kinds: tuple[str, ...]
    difficulties: tuple[int, ...]
    points: float = 1
    options: int = 4  # options shown in multiple choice: the answer and options − 1 distractors
    moodle_type: str = "auto"
    constraints: Constraints = field(default_factory=Constraints)
    style: str = "table"  # how the stack is shown: a table, Keras or PyTorch code, or prose


@dataclass(frozen=True)
class Blueprint:
    path: Path
    title: str
    instructions: str
    seed: int
    locale: str
    category: str
    slots: tuple[Slot, ...]


def load_blueprint(path: Path) -> Blueprint:
    text = read_text(path, encoding="utf-8-sig")  # an editor's byte-order mark is not part of the TOML
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QuizgenError(f"{path}: not valid TOML: {error}") from None
    except ValueError:  # Python's limit on reading an integer
        raise QuizgenError(f"{path}: a number has more than {sys.get_int_max_str_digits():,} digits") from None
    return parse_blueprint(doc, path)


def parse_blueprint(doc: dict[str, Any], path: Path) -> Blueprint:
    where = str(path)
    _known(doc, TOP_KEYS, where)
    slots_doc = doc.get("slot")
    if not isinstance(slots_doc, list) or not slots_doc:
        raise QuizgenError(f"{where}: needs at least one [[slot]] table")
    slots = tuple(_slot(entry, n + 1, where) for n, entry in enumerate(slots_doc))
    seed = doc.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**64:
        raise QuizgenError(f"{where}: seed must be a whole number from 0 to 2**64 − 1, got {_shown(seed)}")
    return Blueprint(path, _text(doc, "title", "Exam", where), _text(doc, "instructions", "", where, lines=True),
                     seed, _text(doc, "locale", "en_US", where), _text(doc, "category", "$course$/quizgen", where),
                     slots)


def _known(doc: dict[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(doc) - keys)
    if unknown:
        raise QuizgenError(f"{where}: unknown key {unknown[0]!r} (expected one of {', '.join(sorted(keys))})")


def _text(doc: dict[str, Any], key: str, default: str, where: str, lines: bool = False) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise QuizgenError(f"{where}: {key} must be a string, got {_shown(value)}")
    return check_text(value, f"{where}: {key}", lines)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _names(entry: dict[str, Any], key: str, default: Any, where: str) -> tuple[Any, ...]:
    """A name or a list of names (kinds, families): each must be a string, not a list or a number."""
    value = entry.get(key, default)
    values = value if isinstance(value, list) else [value]
    bad = next((v for v in values if not isinstance(v, str)), None)
    if bad is not None:
        raise QuizgenError(f"{where}: {key} must be a name or a list of names, got {_shown(bad)} in it")
    return tuple(values)


def _slot(entry: Any, number: int, file: str) -> Slot:
    where = f"{file}: slot {number}"
    if not isinstance(entry, dict):
        raise QuizgenError(f"{where}: must be a table")
    _known(entry, SLOT_KEYS, where)
    kinds = _names(entry, "kinds", [], where)
    if not kinds:
        raise QuizgenError(f"{where}: kinds is required, e.g. kinds = [\"conv-params\"]")
    for kind in kinds:
        if kind not in KINDS:
            raise QuizgenError(f"{where}: unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    difficulty = entry.get("difficulty", [1, 2, 3])
    difficulties = tuple(difficulty if isinstance(difficulty, list) else [difficulty])
    if not difficulties or any(type(d) is not int or d not in (1, 2, 3) for d in difficulties):  # 1.0 is no level
        raise QuizgenError(f"{where}: difficulty must be 1, 2 or 3 (or a list of them), got {_shown(difficulty)}")
    points = entry.get("points", 1)
    if not isinstance(points, int | float) or isinstance(points, bool) or not 0 < points < math.inf:
        raise QuizgenError(f"{where}: points must be a positive number, got {_shown(points)}")
    options = entry.get("options", 4)
    if not isinstance(options, int) or isinstance(options, bool) or not 2 <= options <= 4:
        raise QuizgenError(f"{where}: options must be 2, 3 or 4, got {options!r}")
    moodle_type = entry.get("moodle_type", "auto")
    if moodle_type not in MOODLE_TYPES:
        raise QuizgenError(f"{where}: moodle_type must be one of {', '.join(MOODLE_TYPES)}, got {moodle_type!r}")
    families = entry.get("families")
    if families is not None:
        families = _names(entry, "families", None, where)
        for name in families:
            if name not in FAMILIES:
                raise QuizgenError(f"{where}: unknown family {name!r}; choose from {', '.join(FAMILIES)}")
    inputs = entry.get("inputs")
    if inputs is not None:
        if not isinstance(inputs, list) or not all(isinstance(s, list) and s and all(
                type(n) is int and 0 < n <= MAX_SIZE for n in s) for s in inputs):
            raise QuizgenError(f"{where}: inputs must be a list of shapes, e.g. [[28, 28, 1], [32, 32, 3]]")
        inputs = tuple(tuple(s) for s in inputs)
    bias = entry.get("bias")
    if bias is not None and not isinstance(bias, bool):
        raise QuizgenError(f"{where}: bias must be true or false, got {bias!r}")
    style = entry.get("style", "table")
    if style not in STYLES:
        raise QuizgenError(f"{where}: style must be one of {', '.join(STYLES)}, got {style!r}")
    name = entry.get("name", f"Question {number}")
    if not isinstance(name, str) or not name.strip():
        raise QuizgenError(f"{where}: name must be a non-empty string")
    check_text(name, f"{where}: name")
    return Slot(number, name, kinds, difficulties, points, options, moodle_type,
                Constraints(families, inputs, bias), style)
