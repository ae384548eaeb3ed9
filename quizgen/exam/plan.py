"""Exams from a blueprint: one equivalent variant per student, reproducibly.

Each slot's questions come from a seed derived from the blueprint's seed and the slot's number,
so a variant's questions depend only on the blueprint (never on the roster's names), and any
variant can be rebuilt alone. Variants within a slot do not repeat until the slot's space of
distinct questions is used up; the measured duplicate rate goes into the manifest.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen import __version__
from quizgen.engine.generate import Options, count_space, derive_seed, iter_questions
from quizgen.engine.kinds import choose
from quizgen.engine.question import Question
from quizgen.errors import QuizgenError
from quizgen.exam.blueprint import Blueprint, Slot
from quizgen.render.files import read_text

# Word-problem settings by the kind of input; Faker names the people and places around them.
DATASETS = {1: ("product reviews", "sensor recordings", "speech clips", "news headlines"),
            2: ("handwritten digits", "micrographs", "street photos", "leaf images", "X-ray scans"),
            3: ("video clips", "MRI volumes", "weather radar sequences")}


@dataclass(frozen=True)
class Variant:
    code: str
    student: str
    questions: tuple[Question, ...]  # one per slot, in slot order


@dataclass(frozen=True)
class SlotReport:
    slot: Slot
    space: int
    space_complete: bool
    distinct: int
    variants: int

    @property
    def duplicate_rate(self) -> float:
        return round(1 - self.distinct / self.variants, 4)


@dataclass(frozen=True)
class ExamPlan:
    blueprint: Blueprint
    variants: tuple[Variant, ...]
    reports: tuple[SlotReport, ...]

    @property
    def warnings(self) -> list[str]:
        return [f"slot {r.slot.number} ({r.slot.name}): only {r.space:,} distinct questions for {r.variants} "
                f"variants; {r.variants - r.distinct} repeat (add kinds or difficulties, or relax its constraints)"
                for r in self.reports if r.distinct < r.variants]


def variant_codes(n: int) -> list[str]:
    return [f"V{i + 1:0{max(2, len(str(n)))}d}" for i in range(n)]


def check_feasible(bp: Blueprint) -> None:
    """Every kind and difficulty of every slot must be able to meet the slot's constraints."""
    for slot in bp.slots:
        for kind in slot.kinds:
            for difficulty in slot.difficulties:
                try:
                    choose(Options(slot.kinds, slot.difficulties, slot.constraints, style=slot.style).picker(0),
                           (kind,), (difficulty,))
                except QuizgenError as error:
                    raise QuizgenError(f"{bp.path}: slot {slot.number}: impossible constraint for kind {kind} "
                                       f"at difficulty {difficulty}: {error}") from None


def slot_seed(bp: Blueprint, slot: Slot) -> int:
    return derive_seed(bp.seed, slot.number)


def plan_exam(bp: Blueprint, students: Sequence[str], progress: Callable[[int], None] | None = None,
              faker_factory: Callable[[str], Any] | None = None) -> ExamPlan:
    """Every variant's questions, a context for each, and each slot's duplicate report."""
    check_feasible(bp)
    codes = variant_codes(len(students))
    per_slot: list[list[Question]] = []
    reports = []
    done = 0
    for slot in bp.slots:
        options = Options(slot.kinds, slot.difficulties, slot.constraints, style=slot.style)
        questions = []
        for question in iter_questions(slot_seed(bp, slot), len(students), options, repeats=True):
            questions.append(question.with_options(slot.options))
            done += 1
            if progress:
                progress(done)
        per_slot.append(questions)
        distinct = len({json.dumps(q.to_json()["stack"]) + json.dumps([p.target.to_json() for p in q.parts])
                        for q in questions})
        space, complete = count_space(options, limit=20_000) if distinct < len(students) else (distinct, False)
        reports.append(SlotReport(slot, space, complete, distinct, len(students)))
    fake = (faker_factory or _faker)(bp.locale)
    variants = []
    for n, (code, student) in enumerate(zip(codes, students)):
        qs = tuple(q.with_id(f"{code}-q{slot.number}").with_extra(context=context(fake, q))
                   for slot, q in zip(bp.slots, (questions[n] for questions in per_slot)))
        variants.append(Variant(code, student, qs))
    return ExamPlan(bp, tuple(variants), tuple(reports))


def _faker(locale: str) -> Any:
    from faker import Faker
    try:
        return Faker(locale)
    except AttributeError:
        raise QuizgenError(f"unknown locale {locale!r} (e.g. en_US, de_DE, fr_FR)") from None


def context(fake: Any, q: Question) -> dict[str, str]:
    """A word-problem setting, seeded by the question: names and places only, never numbers."""
    fake.seed_instance(q.seed)
    rank = min(max(len(q.stack.input_shape) - 1, 1), 3)
    return {"researcher": fake.name(), "lab": f"{fake.last_name()} Lab", "city": fake.city(),
            "dataset": fake.random_element(DATASETS[rank])}


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
    fake = _faker(locale)
    fake.seed_instance(seed)
    return [fake.name() for _ in range(n)]


def manifest(plan: ExamPlan) -> dict[str, Any]:
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
    }


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


def grading_csv(plan: ExamPlan) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(grading_rows(plan))
    return out.getvalue()


# --- writing the exam folder ------------------------------------------------------------------

@dataclass(frozen=True)
class ExamOutput:
    folder: Path
    formats: tuple[str, ...]  # worksheet formats (each variant gets a worksheet and a key in each)
    templates: Path | None = None
    only: str | None = None  # a variant code: rebuild just its worksheets and keys
    force: bool = False


def planned_files(plan: ExamPlan, out: ExamOutput) -> list[str]:
    from quizgen.render.formats import FORMATS

    codes = [out.only] if out.only else [v.code for v in plan.variants]
    names = [f"{code}{suffix}.{FORMATS[f].extension}" for code in codes for f in out.formats
             for suffix in ("", "-key")]
    return names if out.only else names + ["moodle.xml", "manifest.json", "grading-key.csv"]


def check_output(plan: ExamPlan, out: ExamOutput) -> list[str]:
    """Every file the run will write, checked before any work: none may exist without --force."""
    if out.folder.exists() and not out.folder.is_dir():
        raise QuizgenError(f"{out.folder} is not a folder")
    if out.only and out.only not in {v.code for v in plan.variants}:
        raise QuizgenError(f"no variant {out.only!r}; this exam has {plan.variants[0].code} to {plan.variants[-1].code}")
    names = planned_files(plan, out)
    existing = [n for n in names if (out.folder / n).exists()]
    if existing and not out.force:
        raise QuizgenError(f"{out.folder / existing[0]} already exists"
                           f"{f' (and {len(existing) - 1} more)' if len(existing) > 1 else ''}; "
                           "pass --force to overwrite")
    return names


def write_exam(plan: ExamPlan, out: ExamOutput, progress: Callable[[int], None] | None = None) -> list[str]:
    """Render everything into a temporary folder beside the target, then move the files in:
    on any error nothing is left behind, and each file appears whole."""
    import shutil
    import tempfile

    names = check_output(plan, out)
    parent = out.folder if out.folder.is_dir() else next(p for p in out.folder.parents if p.exists())
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".quizgen-exam-", dir=parent))
    except OSError as error:
        raise QuizgenError(f"cannot write in {parent}: {error.strerror or error}") from None
    try:
        _render(plan, out, scratch, progress)
        out.folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            (scratch / name).replace(out.folder / name)
    except OSError as error:
        raise QuizgenError(f"cannot write {out.folder}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return names


def _render(plan: ExamPlan, out: ExamOutput, scratch: Path, progress: Callable[[int], None] | None) -> None:
    from quizgen.render.files import write_atomic
    from quizgen.render.formats import FORMATS
    from quizgen.render.publish import Look, load, write
    from quizgen.render.publish import plan as plan_file
    from quizgen.render.view import Sheet, category_name

    bp = plan.blueprint
    kinds = tuple(dict.fromkeys(k for slot in bp.slots for k in slot.kinds))
    difficulties = tuple(sorted({d for slot in bp.slots for d in slot.difficulties}))
    look = Look(title=bp.title, templates=out.templates, answers="separate")
    done = 0
    for fmt in out.formats:
        renderer = None
        for v in plan.variants:
            if out.only and v.code != out.only:
                continue
            p = plan_file(FORMATS[fmt], look, str(scratch / f"{v.code}.{FORMATS[fmt].extension}"), force=True)
            renderer = renderer or load(p)
            sheet = Sheet(bp.seed, None, kinds, difficulties, v.code, v.student, bp.instructions or None)
            write(p, renderer, v.questions, sheet, force=True)
            done += 1
            if progress:
                progress(done)
    if out.only:
        return
    by_slot = [(slot, v.questions[n]) for n, slot in enumerate(bp.slots) for v in plan.variants]
    p = plan_file(FORMATS["moodle"], Look(title=bp.title, templates=out.templates, category=bp.category),
                  str(scratch / "moodle.xml"), force=True)
    write(p, load(p), [q for _, q in by_slot], Sheet(bp.seed, None, kinds, difficulties), force=True,
          category_paths=[f"{slot.number:02d} {category_name(slot.name)}" for slot, _ in by_slot],
          moodle_modes={q.id: slot.moodle_type for slot, q in by_slot})
    write_atomic(scratch / "manifest.json", [json.dumps(manifest(plan), indent=2, ensure_ascii=False), "\n"])
    write_atomic(scratch / "grading-key.csv", [grading_csv(plan)])
