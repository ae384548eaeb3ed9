"""Quiz results as any LMS export gives them: one attempt per student, one cell per question slot.

An LMS reader (`moodle`, later `canvas`) turns its own files into these; everything after works on
them alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The LMS exports `quizgen report` reads: name → the module whose `read(paths) -> Results` reads them.
# A new LMS (Canvas's Student Analysis CSV) is one module and one line here.
READERS = {"moodle": "quizgen.report.moodle"}


@dataclass(frozen=True, slots=True)
class Cell:
    """What the export says about one slot of one attempt."""

    slot: int  # from 1, as the quiz numbers its questions
    question_text: str | None  # the question as the LMS rendered it; None when the export lacks it
    response: str  # as the export writes it
    right_answer: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    file: str
    row: int  # the record's row in the file, the header being row 1 (as a spreadsheet counts)
    student: str  # as the LMS names the student: the email when the export has one
    name: str  # the name a teacher reads
    grade: float | None  # the LMS's grade for the attempt, out of `Results.grade_max`
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Results:
    lms: str
    files: tuple[str, ...]
    slots: int
    grade_max: float | None
    attempts: tuple[Attempt, ...]
    has_question_text: bool


def read(lms: str, paths: Sequence[Path]) -> Results:
    return importlib.import_module(READERS[lms]).read(paths)
