"""How Moodle asks a problem set's question, worked out from its JSON (a set records no Moodle
type). The same rule as `quizgen.render.view.typed`, `moodle_type` and `moodle_blanks`, which
write the bank; the tests hold the two to agreement on every kind."""

from __future__ import annotations

from typing import Any

from quizgen.render.view import typed_when_auto
from quizgen.report.bank import Box


def _typed(q: dict[str, Any], mode: str) -> bool:
    parts = q["parts"]
    if any(isinstance(p["answer"], str) for p in parts):
        return False
    if not all(p["option_order"] for p in parts):
        return True
    if mode == "auto":
        return all(typed_when_auto(p["target"]["quantity"], p["target"]["layer"]) for p in parts)
    return mode == "numerical"


def layout(q: dict[str, Any], mode: str) -> tuple[str, tuple[Box, ...]]:
    """The Moodle question type and the answer boxes in the order of the question text."""
    parts, typed = q["parts"], _typed(q, mode)
    if len(parts) == 1 and not typed:
        return "multichoice", (Box(1, None, True),)
    first = parts[0]["answer"]
    if len(parts) == 1 and (not isinstance(first, list) or len(first) == 1):
        return "numerical", (Box(1, None, False),)
    numbered = list(enumerate(parts, 1))
    if not q["multiple_choice"]:
        order = sorted((n for n, p in numbered if p["target"]["layer"] is not None),
                       key=lambda n: parts[n - 1]["target"]["layer"])
        order += [n for n, p in numbered if p["target"]["layer"] is None][:1]
        return "cloze", tuple(Box(n, None, False) for n in order)
    if not typed:
        return "cloze", tuple(Box(n, None, True) for n, _ in numbered)
    return "cloze", tuple(Box(n, i if isinstance(p["answer"], list) else None, False) for n, p in numbered
                          for i in range(len(p["answer"]) if isinstance(p["answer"], list) else 1))
