"""A class report written out: a terminal table and a one-file HTML page through the templates
(templates/report/), CSV for spreadsheets and JSON for scripts. Names stay on this machine: the
HTML page's Content-Security-Policy forbids every network request."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizgen import __version__

if TYPE_CHECKING:  # the CLI reads FORMATS for --help, which must stay fast
    from quizgen.report.stats import Report

FORMATS = {"text": "a table for the terminal", "html": "one self-contained page with bar charts",
           "csv": "the tables for a spreadsheet", "json": "everything, with every response, for scripts"}
TEMPLATES = {"text": "report/report.txt.j2", "html": "report/report.html.j2"}


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def json_doc(report: Report) -> dict[str, Any]:
    names = report.names
    c = report.classified
    return {
        "quizgen_version": __version__, "lms": report.lms, "results": list(report.files), "bank": report.bank,
        "title": report.title, "anonymous": report.anonymous, "students": len(report.students),
        "totals": report.totals,
        "misconceptions": [{"id": m.id, "title": m.title, "students": len(m.students), "made": m.made,
                            "possible": m.possible, "names": list(m.students)} for m in report.misconceptions],
        "items": [{"slot": i.slot, "kind": i.kind, "choice": i.choice, "students": i.students,
                   "responses": i.responses, "difficulty": _round(i.difficulty),
                   "point_biserial": _round(i.point_biserial), "discrimination": _round(i.discrimination),
                   "counts": i.counts,
                   "options": [{"class": o.cls, "chosen": o.chosen, "shown": o.shown, "rare": o.rare,
                                "strong": o.strong} for o in i.options]} for i in report.items],
        "per_student": [{"student": s.student, "name": s.name, "grade": s.grade, "score": s.score,
                         "score_max": s.score_max, "misconceptions": dict(s.misconceptions), "drill": s.drill,
                         "untied": s.untied} for s in report.students],
        "responses": [{"student": names[r.attempt.student][0], "slot": r.slot, "question": r.item.idnumber,
                       "part": r.part.number, "response": r.response, "class": r.cls} for r in c.responses],
        "untied": [{"student": names[u.attempt.student][0], "file": u.attempt.file, "row": u.attempt.row,
                    "slot": u.slot, "response": u.response, "reason": u.reason} for u in c.untied],
    }


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Text from the LMS (a name, a response) made inert in a spreadsheet: one that would start a
    formula gets a leading apostrophe, except Moodle's "-" (no answer) and negative numbers."""
    if text.startswith(FORMULA_START) and text != "-" and not text[1:].replace(",", "").isdigit():
        return "'" + text
    return text


def csv_text(report: Report) -> str:
    """The tables one after another, each with its own header row, a blank row between."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["misconception", "title", "students", "made", "possible", "names"])
    for m in report.misconceptions:
        w.writerow([m.id, m.title, len(m.students), m.made, m.possible, cell("; ".join(m.students))])
    w.writerow([])
    w.writerow(["slot", "kind", "students", "difficulty", "point_biserial", "discrimination", "option", "chosen",
                "shown", "flag"])
    for i in report.items:
        w.writerow([i.slot, i.kind, i.students, _round(i.difficulty), _round(i.point_biserial),
                    _round(i.discrimination), "", "", "", ""])
        for o in i.options:
            flag = " ".join(f for f, on in (("rare", o.rare), ("strong", o.strong)) if on)
            w.writerow([i.slot, i.kind, "", "", "", "", o.cls, o.chosen, o.shown, flag])
    w.writerow([])
    w.writerow(["student", "name", "grade", "score", "score_max", "misconceptions", "drill"])
    for s in report.students:
        w.writerow([cell(s.student), cell(s.name), "" if s.grade is None else s.grade, s.score, s.score_max,
                    "; ".join(m for m, _ in s.misconceptions), s.drill or ""])
    w.writerow([])
    w.writerow(["student", "slot", "question", "part", "response", "class"])
    names = report.names
    for r in report.classified.responses:
        w.writerow([cell(names[r.attempt.student][0]), r.slot, r.item.idnumber, r.part.number, cell(r.response), r.cls])
    for u in report.classified.untied:
        w.writerow([cell(names[u.attempt.student][0]), u.slot, "", "", cell(u.response), cell(f"untied: {u.reason}")])
    return out.getvalue()


def render(report: Report, fmt: str, templates: Path | None = None) -> Iterator[str]:
    if fmt == "json":
        return iter([json.dumps(json_doc(report), indent=2, ensure_ascii=False), "\n"])
    if fmt == "csv":
        return iter([csv_text(report)])
    from quizgen.render.environment import environment, load, stream
    template = load(environment(templates), TEMPLATES[fmt])
    return stream(template, report=report, version=__version__)
