"""What a teacher keeps beside the papers: the manifest (which question each variant drew) and
the grading key, one row per asked part."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from quizgen import __version__
from quizgen.exam.plan import ExamPlan, slot_seed


def manifest(plan: ExamPlan, files: Sequence[str] = ()) -> dict[str, Any]:
    """`files`: every file the run writes, so that the next run into the folder knows which of
    them it may remove."""
    bp = plan.blueprint
    return {
        "quizgen_version": __version__, "blueprint": bp.path.name, "title": bp.title, "seed": bp.seed,
        "slots": [{"number": r.slot.number, "name": r.slot.name, "kinds": list(r.slot.kinds),
                   "difficulties": list(r.slot.difficulties), "points": r.slot.points,
                   "seed": slot_seed(bp, r.slot), "distinct_questions": r.distinct,
                   "space": r.space if r.space_complete else None, "duplicate_rate": r.duplicate_rate}
                  for r in plan.reports],
        "variants": [{"code": v.code, "student": v.student,
                      "questions": [{"slot": slot.number, "id": q.id, "kind": q.kind, "seed": q.seed}
                                    for slot, q in zip(bp.slots, v.questions)]}
                     for v in plan.variants],
        "files": list(files),
    }


def questions_doc(plan: ExamPlan) -> dict[str, Any]:
    """Every question of the exam as data (the set JSON's contract: answers, distractor values,
    misconception ids), one entry per slot and variant, with how the Moodle bank asks it. What
    `quizgen report` reads to classify responses, so it never depends on re-planning the exam."""
    from quizgen.render.view import moodle_blanks, moodle_idnumber, moodle_type, view

    bp = plan.blueprint
    entries = []
    for slot in bp.slots:
        for v in plan.variants:
            q = v.questions[slot.number - 1]
            qv = view(q, slot.number)
            qtype = moodle_type(qv, slot.moodle_type)
            entries.append({"variant": v.code, "slot": slot.number, "points": slot.points,
                            "moodle": {"type": qtype, "idnumber": moodle_idnumber(qv, qtype),
                                       "blanks": [{"part": part + 1, "axis": axis, "choice": choice}
                                                  for part, axis, choice in moodle_blanks(qv, slot.moodle_type)]},
                            **q.to_json()})
    return {"quizgen_version": __version__, "blueprint": bp.path.name, "title": bp.title, "seed": bp.seed,
            "questions": entries}


def questions_json(plan: ExamPlan) -> list[str]:
    """`questions_doc` as text, one question per line (as a set's JSON): diff-friendly."""
    doc = questions_doc(plan)
    entries = doc.pop("questions")
    head = json.dumps(doc, ensure_ascii=False)[:-1] + ', "questions": [\n'
    return [head, ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries), "\n]}\n"]


def grading_rows(plan: ExamPlan) -> list[list[str]]:
    """One row per asked part: what a teacher marking paper needs."""
    rows = [["variant", "student", "question", "part", "points", "letter", "answer"]]
    for v in plan.variants:
        for slot, q in zip(plan.blueprint.slots, v.questions):
            for n, part in enumerate(q.parts, 1):
                letter = part.answer_letter if q.multiple_choice and part.option_order else ""
                answer = "x".join(map(str, part.answer)) if isinstance(part.answer, list) else str(part.answer)
                points = slot.points / len(q.parts)
                rows.append([v.code, v.student, str(slot.number), str(n),
                             f"{points:g}" if math.isclose(points, round(points, 4)) else f"{points:.4f}",
                             letter, answer])
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)


def inert(cell: str) -> str:
    """A cell no spreadsheet runs: one that starts like a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def grading_csv(plan: ExamPlan) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([inert(cell) for cell in row] for row in grading_rows(plan))
    return out.getvalue()
