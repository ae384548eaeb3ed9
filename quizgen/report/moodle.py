"""Moodle's quiz reports, as "Download table data as CSV" writes them (Moodle 4.x).

- The Responses report (quiz_responses): `Response N` per slot, and `Question N` (the drawn
  question's text) and `Right answer N` when those options are ticked. Only "Question text" tells
  which question a random slot drew: Moodle's exports name neither the question nor its idnumber.
- The Grades report (quiz_overview): `Q. N /max` per slot; it supplies the grade when given alone
  beside a Responses report and is checked to be the same quiz.

Both begin with the student's name and email columns and `Grade/MAX`; they are UTF-8 with a
byte-order mark, comma-separated, one row per attempt.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from quizgen.errors import QuizgenError
from quizgen.report.results import Attempt, Cell, Results

RESPONSE = re.compile(r"Response (\d+)")
QUESTION = re.compile(r"Question (\d+)")
RIGHT = re.compile(r"Right answer (\d+)")
MARK = re.compile(r"Q\. (\d+) /[0-9.,]+")
GRADE = re.compile(r"Grade/([0-9.,]+)")
NAME_COLUMNS = ("First name", "Last name")
NOT_ATTEMPTS = ("Overall average",)  # the Grades report's closing row; it names no student


def read_rows(path: Path) -> list[list[str]]:
    """The file's records; wrong encoding or a spreadsheet's semicolon CSV is a one-line error."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise QuizgenError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data[:error.start].count(b"\n") + 1
        raise QuizgenError(f"{path} row {row}: not UTF-8 text (download the report from Moodle again as CSV; "
                           "do not re-save it from a spreadsheet)") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise QuizgenError(f"{path}: not a CSV file ({error})") from None
    if not rows or not any(rows[0]):
        raise QuizgenError(f"{path} row 1: empty file, not a Moodle quiz report")
    if len(rows[0]) == 1 and ";" in rows[0][0]:
        raise QuizgenError(f"{path} row 1: fields separated by semicolons (a spreadsheet's CSV?); "
                           "give the file exactly as Moodle downloads it (comma-separated)")
    return rows


def _columns(header: Sequence[str], pattern: re.Pattern[str]) -> dict[int, int]:
    """Slot number → column index, for the columns the pattern matches."""
    return {int(m[1]): i for i, name in enumerate(header) if (m := pattern.fullmatch(name.strip()))}


def _grade(path: Path, row: int, text: str) -> float | None:
    text = text.strip()
    if text in ("", "-"):
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise QuizgenError(f"{path} row {row}: grade {text!r} is not a number") from None


class _Table:
    """The columns every Moodle quiz report shares: who, and the attempt's grade."""

    def __init__(self, path: Path, rows: list[list[str]]) -> None:
        self.path, self.header, self.rows = path, [h.strip() for h in rows[0]], rows[1:]
        self.col = {name: i for i, name in enumerate(self.header)}
        grade = next(((i, m) for i, h in enumerate(self.header) if (m := GRADE.fullmatch(h))), None)
        self.grade_col = grade[0] if grade else None
        self.grade_max = float(grade[1][1].replace(",", "")) if grade else None
        if not any(n in self.col for n in (*NAME_COLUMNS, "Email address")):
            raise QuizgenError(f"{path} row 1: no 'First name', 'Last name' or 'Email address' column: "
                               "not a Moodle quiz report")

    def attempts(self) -> list[tuple[int, list[str], str, str, float | None]]:
        """(row, cells, student, name, grade) of each attempt; the closing average row is skipped."""
        out = []
        for n, cells in enumerate(self.rows, 2):
            if not any(c.strip() for c in cells) or cells[0].strip() in NOT_ATTEMPTS:
                continue
            if len(cells) != len(self.header):
                raise QuizgenError(f"{self.path} row {n}: {len(cells)} fields, but the header has "
                                   f"{len(self.header)} (a damaged or edited file?)")
            get = {name: cells[i].strip() for name, i in self.col.items()}
            name = " ".join(get[c] for c in NAME_COLUMNS if get.get(c)) or get.get("Email address", "")
            student = get.get("Email address") or name
            if not student:
                raise QuizgenError(f"{self.path} row {n}: no name and no email address")
            grade = _grade(self.path, n, cells[self.grade_col]) if self.grade_col is not None else None
            out.append((n, cells, student, name, grade))
        return out


def read(paths: Sequence[Path]) -> Results:
    """A Responses report, optionally with a Grades report of the same quiz (any order)."""
    responses, grades = None, None
    for path in paths:
        table = _Table(path, read_rows(path))
        if _columns(table.header, RESPONSE):
            if responses:
                raise QuizgenError(f"{path}: a second Responses report (give one, with a Grades report if you like)")
            responses = table
        elif _columns(table.header, MARK):
            if grades:
                raise QuizgenError(f"{path}: a second Grades report")
            grades = table
        else:
            raise QuizgenError(f"{path} row 1: no 'Response 1' or 'Q. 1' column: not a Moodle quiz Responses or "
                               "Grades report")
    if responses is None:
        raise QuizgenError(f"{paths[0]}: a Grades report says how many marks, not what was answered; give the "
                           "Responses report (Results → Responses, with 'Question text' ticked) too")
    slots = _columns(responses.header, RESPONSE)
    if sorted(slots) != list(range(1, len(slots) + 1)):
        raise QuizgenError(f"{responses.path} row 1: response columns {sorted(slots)} are not numbered 1 to {len(slots)}")
    questions, rights = _columns(responses.header, QUESTION), _columns(responses.header, RIGHT)
    by_student = {}
    if grades:
        marks = _columns(grades.header, MARK)
        if len(marks) != len(slots):
            raise QuizgenError(f"{grades.path} row 1: {len(marks)} questions, but {responses.path} has {len(slots)}: "
                               "reports of different quizzes")
        by_student = {student: grade for _, _, student, _, grade in grades.attempts()}
    attempts = []
    for row, cells, student, name, grade in responses.attempts():
        if grades and student not in by_student:
            raise QuizgenError(f"{responses.path} row {row}: {student} is not in {grades.path}: reports of "
                               "different quizzes")
        if grade is None and grades:
            grade = by_student[student]
        attempts.append(Attempt(str(responses.path), row, student, name, grade, tuple(
            Cell(n, cells[questions[n]] if n in questions else None, cells[i],
                 cells[rights[n]] if n in rights else None) for n, i in sorted(slots.items()))))
    if not attempts:
        raise QuizgenError(f"{responses.path}: no attempts in the report")
    grade_max = responses.grade_max or (grades.grade_max if grades else None)
    return Results("moodle", tuple(str(p) for p in paths), len(slots), grade_max, tuple(attempts),
                   bool(questions))
