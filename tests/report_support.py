"""A Moodle-shaped writer for the report's tests: what Moodle's Responses report would contain
for given answers, so a simulated class can go through `quizgen report` and back."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

COMMON = ["Last name", "First name", "Email address", "Status", "Started", "Completed", "Duration", "Grade/100.00"]


def option_text(value: Any, part: dict[str, Any], layers: list[str]) -> str:
    """An option as Moodle shows it: quizgen's option text, thousands separators and all."""
    quantity = part["target"]["quantity"]
    if quantity == "step":
        return f"layer {value} ({layers[value - 1]})"
    if isinstance(value, list):
        return "×".join(f"{n:,}" for n in value)
    if isinstance(value, str):
        return value
    text = f"{value:,}"
    return f"{text} {part['target']['unit']}" if quantity == "memory_bytes" else text


def typed_text(value: float) -> str:
    """A number as a student types it into a numerical box."""
    return str(value) if isinstance(value, int) else f"{value:f}".rstrip("0").rstrip(".")


def response_cell(q: dict[str, Any], values: list[Any | None], layers: list[str]) -> str:
    """Moodle's Response cell for the question's parts answered with `values` (None: left blank)."""
    boxes = q["moodle"]["blanks"]
    texts = []
    for box in boxes:
        value, part = values[box["part"] - 1], q["parts"][box["part"] - 1]
        if value is None:
            texts.append("")
        elif box["choice"]:
            texts.append(option_text(value, part, layers))
        else:
            texts.append(typed_text(value[box["axis"]] if box["axis"] is not None else value))
    if q["moodle"]["type"] != "cloze":
        return texts[0] or "-"
    return "; ".join(f"part {n}: {t}" if t else f"part {n}:" if n == len(texts) else f"part {n}: "
                     for n, t in enumerate(texts, 1))


def write_responses(path: Path, rows: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    """rows: (first, last, [(question text, response) per slot]), written as Moodle writes the
    Responses report with "Question text" ticked: UTF-8 with a BOM, quoted where needed."""
    slots = len(rows[0][2])
    header = COMMON + [c for n in range(1, slots + 1) for c in (f"Question {n}", f"Response {n}")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i, (first, last, cells) in enumerate(rows, 1):
        writer.writerow([last, first, f"s{i:02d}@example.com", "Finished", "1 December 2025  8:00 AM",
                         "1 December 2025  8:30 AM", "30 mins", "50.00", *[c for cell in cells for c in cell]])
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
