"""Who sits the exam: names read from a roster CSV, or made up by Faker for a trial run."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from quizgen.errors import QuizgenError
from quizgen.exam.plan import faker
from quizgen.render.files import read_text


def read_roster(path: Path) -> list[str]:
    """Names from a UTF-8 CSV: the column headed "name" (any case), else the first column."""
    text = read_text(path, encoding="utf-8-sig")  # a spreadsheet's byte-order mark is not part of a name
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise QuizgenError(f"{path}: the roster is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("name") if "name" in header else 0
    body = rows[1:] if "name" in header else rows
    names = [row[column].strip() if column < len(row) else "" for row in body]
    blank = [i for i, name in enumerate(names) if not name]
    if blank:
        raise QuizgenError(f"{path}: row {blank[0] + 1 + ('name' in header)} has no name")
    if not names:
        raise QuizgenError(f"{path}: the roster has a header but no names")
    return names


def fake_roster(n: int, locale: str, seed: int) -> list[str]:
    fake = faker(locale)
    fake.seed_instance(seed)
    return [fake.name() for _ in range(n)]
