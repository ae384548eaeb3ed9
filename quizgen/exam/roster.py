"""Who sits the exam: names read from a roster CSV, or made up by Faker for a trial run."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from quizgen.errors import QuizgenError, check_text
from quizgen.exam.plan import faker
from quizgen.render.files import read_text

DELIMITERS = ",;\t"  # a spreadsheet saves CSV with commas, or semicolons where the comma is the decimal mark


def read_roster(path: Path) -> list[str]:
    """Names from a UTF-8 CSV whose first row is a header with a "name" column (any case).

    The separator is the first of comma, semicolon or tab that the header uses. A quote left open
    (which would swallow the rows after it) and a header without "name" (which would make it a
    student) are errors, each naming the row.
    """
    text = read_text(path, encoding="utf-8-sig")  # a spreadsheet's byte-order mark is not part of a name
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = next((d for d in DELIMITERS if d in first), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as error:
        start = rows[-1][0] + 1 if rows else 1  # the line where the record that failed begins
        hint = " (a quote left open?)" if "end of data" in str(error) else ""
        raise QuizgenError(f"{path}: row {start}: {error}{hint}") from None
    if not rows:
        raise QuizgenError(f"{path}: the roster is empty")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "name" not in header:
        raise QuizgenError(f"{path}: the first row must be a header with a 'name' column, got "
                           f"{delimiter.join(rows[0][1])[:60]!r}")
    column = header.index("name")
    names = []
    for line, row in rows[1:]:
        if any("\n" in cell or "\r" in cell for cell in row):
            raise QuizgenError(f"{path}: row {line}: a cell spans several lines (a quote left open?)")
        name = row[column].strip() if column < len(row) else ""
        if not name:
            raise QuizgenError(f"{path}: row {line} has no name")
        names.append(check_text(name, f"{path}: row {line}: name"))
    if not names:
        raise QuizgenError(f"{path}: the roster has a header but no names")
    return names


def repeated_names(names: list[str]) -> list[str]:
    """Names that appear more than once: two students would be told apart only by variant code."""
    return [name for name, n in Counter(names).items() if n > 1]


def fake_roster(n: int, locale: str, seed: int) -> list[str]:
    fake = faker(locale)
    fake.seed_instance(seed)
    return [fake.name() for _ in range(n)]
