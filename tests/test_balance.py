"""Multiple choice cannot be passed without computing (issue 10 §1), per kind, per level and in the mix.

Judged by `quizgen.audit`: each sorted rank of the answer 15–35 %, no blind strategy right more than
35 % of the time, near-miss fillers ≤ 10 %, options ≥30× off only as the asked layer's signature
mistake, no duplicates. The strategy prices in `quizgen.engine.prices` are fitted on other seeds
(`scripts/fit_prices.py`); when a change to the catalogue or the samplers makes one of these fail,
re-run that script.
"""

from __future__ import annotations

import pytest

from quizgen.audit import audit
from quizgen.engine.generate import Options, generate
from quizgen.engine.kinds import CORE_KINDS

# Every kind whose options are numbers or shapes (most-params names layers: no ranks to judge).
JUDGED = ("conv-params", "layer-params", "total-params", "output-shape", "flatten-size", "dense-after-flatten",
          "reverse-filters", "reverse-kernel", "memory-footprint", "macs", "receptive-field", "spot-the-error",
          "trainable-split")
# Where the real mistakes cannot yet meet the rank and strategy goals, whatever options are chosen: (kind, level),
# level None for every level. Their other goals still hold (near-misses too, but where said); the strict xfail
# below fails the day one is met.
RANKS = ("option in", "blindly")  # the words of the audit's rank and strategy failures
SHORT = {
    # Answers are 3, 5 or 7: a 3 has at most two smaller options (1 and 2) and the real slips mostly give larger
    # kernels, so the answer is the largest option in about 5% of the questions; at level 1 (one convolution)
    # so few slips give distinct kernels that near-misses fill 30% of the options.
    ("reverse-kernel", None): ("kernel sizes 3, 5, 7 leave no room below the answer", RANKS + ("near-miss",)),
    # A one-layer model's memory has few slips below the answer: it is the largest option in about 12%.
    ("memory-footprint", 1): ("few memory slips below a one-layer model's answer", RANKS),
}


def waived(kind: str, level: int | None) -> tuple[str, ...]:
    """The words of the failures waived for a kind at a level (None: a set of every level)."""
    found = [SHORT[key][1] for key in ((kind, None), (kind, level)) if key in SHORT]
    return tuple(word for words in found for word in words)


def judged(seed: int, count: int, options: Options) -> list[str]:
    report = audit({"questions": [q.to_json() for q in generate(seed, count, options)]})
    assert all(k.judged for k in report.kinds if k.kind in JUDGED), [(k.kind, k.parts) for k in report.kinds]
    return report.failures


def short_of(failures: list[str], kind: str, words: tuple[str, ...]) -> list[str]:
    return [f for f in failures if f.startswith(f"{kind}: ") and any(w in f for w in words)]


def check(failures: list[str], kinds: tuple[str, ...], level: int | None = None) -> None:
    """Every goal holds, except those SHORT waives for these kinds at this level."""
    excused = [f for kind in kinds for f in short_of(failures, kind, waived(kind, level))]
    assert [f for f in failures if f not in excused] == []


@pytest.mark.parametrize("kind", JUDGED)
def test_the_issue_reproduction_is_balanced(kind: str) -> None:
    """`--seed 4711 -n 200 --kind K -d 1,2,3`. On the old code: conv-params' upper end of the closest pair
    was right 74%, dense-after-flatten 88%, flatten-size 76%, receptive-field's second largest 90%; after
    the first rework still macs 61%, reverse-filters 48%, reverse-kernel 46% (49% near-misses), layer-params'
    second largest 36%, spot-the-error's largest row 38%; output-shape's upper end of the closest pair 44% while
    every shape option held one mistake."""
    check(judged(4711, 200, Options((kind,), (1, 2, 3))), (kind,))


LEVELS = [(kind, d) for kind in JUDGED for d in (1, 2, 3)
          if not (d == 1 and kind in ("flatten-size", "dense-after-flatten"))]  # 45 distinct questions at level 1


@pytest.mark.parametrize(("kind", "difficulty"), LEVELS)
def test_each_level_is_balanced_on_its_own(kind: str, difficulty: int) -> None:
    """A teacher who prints level 2 only gets balanced items too (the old code: layer-params' second
    largest 44% at level 2; macs' lower end of the closest pair 82%). Level 1's spaces are small
    (exactly 100 distinct conv-params questions): 100 questions there. (Output-shape at level 1, one mistake per
    option: the shape sharing the most axes with the others right 58%.)"""
    count = 200 if difficulty > 1 else 100
    check(judged(2026, count, Options((kind,), (difficulty,))), (kind,), difficulty)


@pytest.mark.parametrize("style", ("table", "pytorch", "keras"))  # prose shows what the table shows
def test_the_default_mix_is_balanced_in_every_style(style: str) -> None:
    """2,800 default-mix questions: 400 of each core kind, all levels mixed (the old code: layer-params'
    second largest 47%, flatten-size 44% at seed 1)."""
    check(judged(1, 400 * len(CORE_KINDS), Options(CORE_KINDS, (1, 2, 3), style=style)), CORE_KINDS)


@pytest.mark.parametrize(("kind", "level"), [pytest.param(*key, marks=pytest.mark.xfail(strict=True, reason=why))
                                             for key, (why, _) in SHORT.items()])
def test_what_is_short_of_the_goals_still_is(kind: str, level: int | None) -> None:
    """Strict xfail: the day an entry of SHORT meets the rank and strategy goals, this passes and fails the suite."""
    options = Options((kind,), (1, 2, 3) if level is None else (level,))
    failures = judged(4711 if level is None else 2026, 200 if level is None else 100, options)
    assert not short_of(failures, kind, RANKS), f"{kind} meets the goals: take it out of SHORT"
