"""The tables of a class report: per misconception, per slot and kind (difficulty, discrimination,
distractors), per student.

Definitions (the README's "Class report" says them to teachers):
- a student's item score on a slot is the share of its parts answered right; their score is the
  sum of the slot points times item scores, over the slots tied to a question;
- difficulty is the share of parts answered right;
- discrimination is the point-biserial correlation of the item score with the rest of the score
  (the score without this slot), and D, the difficulty among the top 27% of the class by score
  minus that among the bottom 27%;
- an option (a shown distractor) is flagged rare when under 5% of those shown it chose it, and
  strong when the top 27% chose it more often than the answer.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from quizgen.engine.question import NEAR_MISS
from quizgen.report.bank import ids_of
from quizgen.report.classify import BLANK, CORRECT, UNEXPLAINED, Classified, Response, misconception_of

RARE = 0.05
GROUP = 0.27


@dataclass(frozen=True, slots=True)
class MisconceptionRow:
    id: str
    title: str
    students: tuple[str, ...]  # who made it at least once
    made: int  # responses that show it
    possible: int  # responses where it could be shown (an option shown, or any typed answer)
    pct_students: float  # of the class

    @property
    def share(self) -> float:
        return self.made / self.possible if self.possible else 0.0


@dataclass(frozen=True, slots=True)
class OptionRow:
    cls: str  # a misconception id or near-miss
    title: str
    chosen: int
    shown: int
    pct: float | None  # chosen of shown, in percent
    rare: bool
    strong: bool


@dataclass(frozen=True, slots=True)
class ItemRow:
    slot: int
    kind: str
    choice: bool  # asked with options (else typed)
    students: int
    responses: int
    counts: dict[str, int]  # correct, blank, unexplained, near-miss, and each misconception
    difficulty: float  # share of parts right
    point_biserial: float | None
    discrimination: float | None  # D, top 27% minus bottom 27%
    options: tuple[OptionRow, ...]

    @property
    def pct(self) -> float:
        return round(100 * self.difficulty, 1)


@dataclass(frozen=True, slots=True)
class StudentRow:
    student: str  # as the LMS names them (the email), or a number with --anonymous
    name: str
    grade: float | None
    score: float
    score_max: float
    misconceptions: tuple[tuple[str, int], ...]  # id and how many responses showed it
    drill: str | None  # the drill command that practises the kinds where they showed them
    untied: int


@dataclass(frozen=True, slots=True)
class Report:
    title: str | None
    lms: str
    files: tuple[str, ...]
    bank: str
    grade_max: float | None
    totals: dict[str, int]  # correct, misconception, near-miss, unexplained, blank
    misconceptions: tuple[MisconceptionRow, ...]
    items: tuple[ItemRow, ...]
    students: tuple[StudentRow, ...]
    classified: Classified
    names: dict[str, tuple[str, str]]  # LMS student → (student, name) as shown (anonymous or not)
    anonymous: bool


def titles() -> dict[str, str]:
    from quizgen.engine.misconceptions import CATALOGUE
    return {m.id: m.title for m in CATALOGUE} | {NEAR_MISS: "Near miss (no named mistake)"}


def title_of(cls: str, names: dict[str, str]) -> str:
    """A wrong class's title; a value two mistakes make together is named by both."""
    from quizgen.engine.misconceptions import both_title
    ids = ids_of(cls)
    return both_title(*(names.get(i, i) for i in ids)) if len(ids) == 2 else names.get(cls, cls)


def shown_by(cls: str) -> tuple[str, ...]:
    """The misconceptions a response's class shows: one, two for a value two mistakes make together, or none."""
    return ids_of(cls) if misconception_of(cls) else ()


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if not sxx or not syy:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def drill_seed(student: str) -> int:
    """A student's own drill seed: stable across runs, different between students."""
    return zlib.crc32(student.encode("utf-8")) % 1_000_000


def _by_slot(responses: Sequence[Response]) -> dict[tuple[str, int], list[Response]]:
    out: dict[tuple[str, int], list[Response]] = {}
    for r in responses:
        out.setdefault((r.attempt.student, r.slot), []).append(r)
    return out


def build(classified: Classified, anonymous: bool = False) -> Report:
    names_of = titles()
    attempts = classified.results.attempts
    width = len(str(len(attempts)))
    names = {a.student: ((f"Student {n:0{width}d}",) * 2 if anonymous else (a.student, a.name))
             for n, a in enumerate(attempts, 1)}
    responses = classified.responses
    cells = _by_slot(responses)
    item_score = {key: sum(r.cls == CORRECT for r in rs) / len(rs) for key, rs in cells.items()}
    points = {key: rs[0].item.points for key, rs in cells.items()}
    score = {a.student: sum(points[k] * item_score[k] for k in cells if k[0] == a.student) for a in attempts}
    score_max = {a.student: sum(points[k] for k in cells if k[0] == a.student) for a in attempts}
    ranked = sorted(attempts, key=lambda a: -score[a.student])  # stable: ties keep the file's order
    k = max(1, round(GROUP * len(attempts)))
    upper, lower = {a.student for a in ranked[:k]}, {a.student for a in ranked[-k:]}

    totals = Counter("misconception" if misconception_of(r.cls) else r.cls for r in responses)
    mis_rows = []
    shown_or_made = [*(m for r in responses for m in r.part.possible()), *(m for r in responses
                                                                           for m in shown_by(r.cls))]
    for mid in dict.fromkeys(shown_or_made):
        made = [r for r in responses if mid in shown_by(r.cls)]
        students = tuple(dict.fromkeys(names[r.attempt.student][1] for r in made))
        mis_rows.append(MisconceptionRow(mid, names_of.get(mid, mid), students, len(made),
                                         sum(mid in r.part.possible() for r in responses),
                                         round(100 * len(students) / len(attempts), 1)))
    mis_rows.sort(key=lambda m: (-len(m.students), -m.made, m.id))

    items = []
    groups: dict[tuple[int, str], list[Response]] = {}
    for r in responses:
        groups.setdefault((r.slot, r.item.kind), []).append(r)
    for (slot, kind), rs in sorted(groups.items()):
        keys = list(dict.fromkeys((r.attempt.student, slot) for r in rs))
        xs = [item_score[key] for key in keys]
        rest = [score[s] - points[(s, n)] * item_score[(s, n)] for s, n in keys]
        up = [item_score[key] for key in keys if key[0] in upper]
        low = [item_score[key] for key in keys if key[0] in lower]
        top = Counter(r.cls for r in rs if r.attempt.student in upper)
        counts = Counter(r.cls for r in rs)
        shown = Counter(m for r in rs for m in r.part.options())
        choice = all(r.part.choice for r in rs)
        options = tuple(OptionRow(m, title_of(m, names_of), counts[m], shown[m],
                                  round(100 * counts[m] / shown[m], 1) if shown[m] else None,
                                  choice and shown[m] > 0 and counts[m] / shown[m] < RARE,
                                  top[m] > top[CORRECT])
                        for m in sorted(set(shown) | {c for c in counts if c not in (CORRECT, BLANK, UNEXPLAINED)},
                                        key=lambda m: (-counts[m], m)))
        items.append(ItemRow(slot, kind, choice, len(keys), len(rs), dict(counts), counts[CORRECT] / len(rs),
                             pearson(xs, rest),
                             sum(up) / len(up) - sum(low) / len(low) if up and low else None, options))

    students = []
    untied = Counter(u.attempt.student for u in classified.untied)
    for a in attempts:
        made_by = Counter(m for r in responses if r.attempt.student == a.student for m in shown_by(r.cls))
        kinds = tuple(dict.fromkeys(r.item.kind for r in responses
                                    if r.attempt.student == a.student and misconception_of(r.cls)))
        drill = f"quizgen drill --kind {','.join(kinds)} --seed {drill_seed(a.student)}" if kinds else None
        students.append(StudentRow(*names[a.student], a.grade, round(score[a.student], 4),
                                   score_max[a.student], tuple(made_by.most_common()), drill, untied[a.student]))
    return Report(classified.bank.title, classified.results.lms, classified.results.files, classified.bank.source,
                  classified.results.grade_max,
                  {c: totals[c] for c in (CORRECT, "misconception", NEAR_MISS, UNEXPLAINED, BLANK)},
                  tuple(mis_rows), tuple(items), tuple(students), classified, names, anonymous)
