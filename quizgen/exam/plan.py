"""Exams from a blueprint: one equivalent variant per student, reproducibly.

Each slot's questions come from a seed derived from the blueprint's seed and the slot's number,
so a variant's questions depend only on the blueprint (never on the roster's names), and any
variant can be rebuilt alone. Variants within a slot do not repeat until the slot's space of
distinct questions is used up; the measured duplicate rate goes into the manifest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quizgen.engine.generate import Options, count_space, derive_seed
from quizgen.engine.kinds import choose
from quizgen.engine.question import Question
from quizgen.errors import QuizgenError
from quizgen.exam.blueprint import Blueprint, Slot
from quizgen.parallel import Workers

# Word-problem settings by the input's shape: its rank (0 flat, 1 sequence, 2 image, 3 volume or
# clip) and whether it has one channel, a few (colour, sensors) or many (token embeddings), so a
# context never contradicts the input (no "handwritten digits" in colour). Faker names the people
# and places around them.
DATASETS: dict[tuple[int, str], tuple[str, ...]] = {
    (0, "one"): ("precomputed feature vectors", "tabular customer records", "sensor summaries"),
    (1, "one"): ("speech clips", "ECG recordings", "vibration signals"),
    (1, "few"): ("multichannel sensor recordings", "EEG recordings", "accelerometer traces"),
    (1, "many"): ("product reviews", "news headlines", "movie reviews"),
    (2, "one"): ("handwritten digits", "X-ray scans", "grayscale micrographs"),
    (2, "few"): ("street photos", "leaf images", "pet photos"),
    (2, "many"): ("multispectral satellite tiles",),
    (3, "one"): ("MRI volumes", "CT scans", "weather radar sequences"),
    (3, "few"): ("video clips", "dashcam clips", "sign-language videos"),
    (3, "many"): ("hyperspectral image cubes",),
}


def datasets_for(input_shape: tuple[int, ...]) -> tuple[str, ...]:
    """The settings that fit an input: by rank, and by its channels (a flat input by its rank alone)."""
    rank = min(len(input_shape) - 1, 3)
    channels = 1 if rank == 0 else input_shape[-1]
    return DATASETS[rank, "one" if channels == 1 else "few" if channels <= 16 else "many"]


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
              faker_factory: Callable[[str], Any] | None = None, workers: Workers | None = None) -> ExamPlan:
    """Every variant's questions, a context for each, and each slot's duplicate report; drawn by
    `workers` (`--jobs`), or in this process."""
    check_feasible(bp)
    codes = variant_codes(len(students))
    per_slot: list[list[Question]] = []
    reports = []
    done = 0
    for slot in bp.slots:
        options = Options(slot.kinds, slot.difficulties, slot.constraints, style=slot.style)
        questions = []
        for question in (workers or Workers()).questions(slot_seed(bp, slot), len(students), options, repeats=True):
            questions.append(question.with_options(slot.options))
            done += 1
            if progress:
                progress(done)
        per_slot.append(questions)
        distinct = len({json.dumps(q.to_json()["stack"]) + json.dumps([p.target.to_json() for p in q.parts])
                        for q in questions})
        space, complete = count_space(options, limit=20_000) if distinct < len(students) else (distinct, False)
        reports.append(SlotReport(slot, space, complete, distinct, len(students)))
    fake = (faker_factory or faker)(bp.locale)
    variants = []
    for n, (code, student) in enumerate(zip(codes, students)):
        qs = tuple(q.with_id(f"{code}-q{slot.number}").with_extra(context=context(fake, q))
                   for slot, q in zip(bp.slots, (questions[n] for questions in per_slot)))
        variants.append(Variant(code, student, qs))
    return ExamPlan(bp, tuple(variants), tuple(reports))


def faker(locale: str) -> Any:
    from faker import Faker
    try:
        return Faker(locale)
    except AttributeError:
        raise QuizgenError(f"unknown locale {locale!r} (e.g. en_US, de_DE, fr_FR)") from None


def context(fake: Any, q: Question) -> dict[str, str]:
    """A word-problem setting, seeded by the question: names and places only, never numbers."""
    fake.seed_instance(q.seed)
    return {"researcher": fake.name(), "lab": f"{fake.last_name()} Lab", "city": fake.city(),
            "dataset": fake.random_element(datasets_for(q.stack.input_shape))}
