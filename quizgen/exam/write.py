"""Writing an exam folder: every variant's worksheet and key, the Moodle bank with a category per
slot (and on request the same bank for Canvas and as GIFT), the manifest, the questions as data
and the grading key, all or nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import QuizgenError
from quizgen.exam.blueprint import Slot
from quizgen.exam.key import grading_csv, manifest, questions_json
from quizgen.exam.plan import ExamPlan

if TYPE_CHECKING:
    from quizgen.render.files import FileGroup


@dataclass(frozen=True)
class ExamOutput:
    folder: Path
    formats: tuple[str, ...]  # worksheet formats (a worksheet and a key per variant), and banks (BANKS)
    templates: Path | None = None
    only: str | None = None  # a variant code: rebuild just its worksheets and keys
    force: bool = False
    paper: str | None = None  # PDF page size


BANKS = {"canvas": "canvas.zip", "gift": "gift.txt"}  # banks besides moodle.xml, a group or category per slot


def planned_files(plan: ExamPlan, out: ExamOutput) -> list[str]:
    from quizgen.render.formats import FORMATS

    codes = [out.only] if out.only else [v.code for v in plan.variants]
    names = [f"{code}{suffix}.{FORMATS[f].extension}" for code in codes for f in out.formats if f not in BANKS
             for suffix in ("", "-key")]
    banks = [BANKS[f] for f in out.formats if f in BANKS]
    prints = ["print.pdf"] if "pdf" in out.formats else []  # all variants, to print duplex
    return names if out.only else names + prints + ["moodle.xml", *banks, "manifest.json", "questions.json",
                                                    "grading-key.csv"]


def check_output(plan: ExamPlan, out: ExamOutput) -> list[str]:
    """Every file the run will write, checked before any work: none may exist without --force."""
    if out.folder.exists() and not out.folder.is_dir():
        raise QuizgenError(f"{out.folder} is not a folder")
    if out.only and out.only not in {v.code for v in plan.variants}:
        raise QuizgenError(f"no variant {out.only!r}; this exam has {plan.variants[0].code} to {plan.variants[-1].code}")
    if "pdf" in out.formats:
        from quizgen.render.pdf import require

        require(qr=True)
    names = planned_files(plan, out)
    existing = [n for n in names if (out.folder / n).exists()]
    if existing and not out.force:
        raise QuizgenError(f"{out.folder / existing[0]} already exists"
                           f"{f' (and {len(existing) - 1} more)' if len(existing) > 1 else ''}; "
                           "pass --force to overwrite")
    return names


def previous_files(folder: Path) -> list[str]:
    """The files the previous run in `folder` wrote, as its manifest lists them (a manifest from
    before the list was kept: its variants' worksheets and keys); only plain names, never a path."""
    try:
        doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    if not isinstance(doc, dict):
        return []
    names = doc.get("files")
    if not isinstance(names, list):
        codes = [v.get("code") for v in doc.get("variants", []) if isinstance(v, dict)] \
            if isinstance(doc.get("variants"), list) else []
        names = [f"{c}{s}.{e}" for c in codes if isinstance(c, str) for s in ("", "-key") for e in ("md", "html")]
    return [n for n in names if isinstance(n, str) and n and Path(n).name == n and n not in (".", "..")]


def write_exam(plan: ExamPlan, out: ExamOutput, progress: Callable[[int], None] | None = None) -> list[str]:
    """Stage every file beside its place in the folder, then move them all in; a full run also
    removes the files the previous one wrote and this one does not (its manifest lists them). On
    any error, interrupt or signal, nothing in the folder changes. The folder is locked meanwhile:
    a second run into it fails at once."""
    from quizgen.render.files import FileGroup

    names = check_output(plan, out)
    with FileGroup(out.force, lock=out.folder) as group:
        group.make_folder(out.folder)
        for name in names:
            group.claim(out.folder / name)
        if not out.only:
            for name in sorted(set(previous_files(out.folder)) - set(names)):
                group.remove(out.folder / name)
        _render(plan, out, names, group, progress)
    return names


def slot_path(slot: Slot) -> str:
    """A slot's Moodle category below the exam's: "01 One convolution", a "/" in its name kept."""
    from quizgen.render.view import category_name

    return f"{slot.number:02d} {category_name(slot.name)}"


def point_warnings(plan: ExamPlan) -> list[str]:
    """Slots whose Cloze variants cannot carry the slot's points in Moodle (whole-number weights)."""
    from quizgen.render import view

    out = {}
    for n, slot in enumerate(plan.blueprint.slots):
        for v in view.QuestionViews([variant.questions[n] for variant in plan.variants]):
            if view.moodle_type(v, slot.moodle_type) == "cloze":
                note = view.weight_note(len(view.cloze_blanks(v, view.typed(v, slot.moodle_type))), slot.points)
                if note:
                    out.setdefault(slot.number, f"slot {slot.number} ({slot.name}): {note}")
    return list(out.values())


def _render(plan: ExamPlan, out: ExamOutput, names: list[str], group: FileGroup,
            progress: Callable[[int], None] | None) -> None:
    from quizgen.render.formats import FORMATS
    from quizgen.render.publish import Look, load, write, write_print_file
    from quizgen.render.publish import plan as plan_file
    from quizgen.render.view import Sheet

    bp = plan.blueprint
    kinds = tuple(dict.fromkeys(k for slot in bp.slots for k in slot.kinds))
    difficulties = tuple(sorted({d for slot in bp.slots for d in slot.difficulties}))
    look = Look(title=bp.title, templates=out.templates, answers="separate")
    paper = dataclasses.replace(look, paper=out.paper)  # for the PDFs
    sheets = {v.code: Sheet(bp.seed, None, kinds, difficulties, v.code, v.student, bp.instructions or None)
              for v in plan.variants}
    done = 0
    for fmt in (f for f in out.formats if f not in BANKS):
        renderer, fmt_look = None, paper if FORMATS[fmt].typeset else look
        for v in plan.variants:
            if out.only and v.code != out.only:
                continue
            p = plan_file(FORMATS[fmt], fmt_look, str(out.folder / f"{v.code}.{FORMATS[fmt].extension}"), group)
            renderer = renderer or load(p)
            write(p, renderer, v.questions, sheets[v.code], group)
            done += 1
            if progress:
                progress(done)
    if out.only:
        return
    if "pdf" in out.formats:
        write_print_file(out.folder / "print.pdf", paper, Sheet(bp.seed, None, kinds, difficulties),
                         [(sheets[v.code], v.questions) for v in plan.variants], group)
    by_slot = [(slot, v.questions[n]) for n, slot in enumerate(bp.slots) for v in plan.variants]
    for fmt, name in (("moodle", "moodle.xml"), *((f, BANKS[f]) for f in out.formats if f in BANKS)):
        category = bp.category if fmt != "canvas" else None
        p = plan_file(FORMATS[fmt], Look(title=bp.title, templates=out.templates, category=category),
                      str(out.folder / name), group)
        write(p, load(p), [q for _, q in by_slot], Sheet(bp.seed, None, kinds, difficulties), group,
              category_paths=[slot_path(slot) if fmt != "canvas" else f"{slot.number:02d} {slot.name}"
                              for slot, _ in by_slot],
              moodle_modes={q.id: slot.moodle_type for slot, q in by_slot},
              points={q.id: slot.points for slot, q in by_slot})
    group.write(out.folder / "manifest.json", [json.dumps(manifest(plan, names), indent=2, ensure_ascii=False), "\n"])
    group.write(out.folder / "questions.json", questions_json(plan))
    group.write(out.folder / "grading-key.csv", [grading_csv(plan)])
