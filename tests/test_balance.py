"""Multiple choice cannot be passed without computing (issue 10 §1), per kind, per level and in the mix.

Judged by `quizgen.audit`: each sorted rank of the answer 15–35 %, no blind strategy right more than
35 % of the time, near-miss fillers ≤ 10 %, options ≥30× off only as the asked layer's signature
mistake, no duplicates. The strategy prices in `quizgen.engine.prices` are fitted on other seeds
(`scripts/fit_prices.py`); when a change to the catalogue or the samplers makes one of these fail,
re-run that script.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from quizgen.audit import STRATEGY_GOAL, audit
from quizgen.engine.generate import Options, generate
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.engine.question import Question

# Every kind whose options are numbers or shapes (most-params names layers: no ranks to judge; summary-table and
# reverse-filters have no options).
JUDGED = ("conv-params", "layer-params", "total-params", "output-shape", "flatten-size", "dense-after-flatten",
          "reverse-kernel", "memory-footprint", "macs", "receptive-field", "spot-the-error",
          "trainable-split")
# Where the real mistakes cannot yet meet the rank and strategy goals, whatever options are chosen: (kind, level),
# level None for every level. Their other goals still hold (near-misses too, but where said); the strict xfail
# below fails the day one is met.
RANKS = ("option in", "blindly")  # the words of the audit's rank and strategy failures
SHORT = {
    # Most slips of solving for k give a larger kernel (k², k·√C_in, one filter's share); those below it (the
    # root before dividing by C_in, the filters as the input depth, a bias per output position) are at most two
    # for a Conv2D on an image. Conv1D models add √k and k − 1 (a bias per input channel), so over every level
    # each rank holds (issue 10's reproduction set: the largest 16%, with a reward for that rank), but a level
    # alone is close: at level 1 the single Conv2D is never the largest option and the smallest 36% of 100
    # questions; at level 2 the largest 12% and the upper end of the closest pair 38% (the Conv1D's k − 1
    # just below the answer, the larger slips far above it).
    ("reverse-kernel", 1): ("at most two slips below one Conv2D's kernel", RANKS),
    ("reverse-kernel", 2): ("few slips below a Conv2D's 1 or 3, k − 1 just below a Conv1D's", RANKS),
}


def waived(kind: str, level: int | None) -> tuple[str, ...]:
    """The words of the failures waived for a kind at a level (None: a set of every level)."""
    found = [SHORT[key][1] for key in ((kind, None), (kind, level)) if key in SHORT]
    return tuple(word for words in found for word in words)


@functools.cache  # the cue checks below read the same sets
def questions(seed: int, count: int, options: Options) -> tuple[Question, ...]:
    return tuple(generate(seed, count, options))


def judged(seed: int, count: int, options: Options) -> list[str]:
    report = audit({"questions": [q.to_json() for q in questions(seed, count, options)]})
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


@pytest.mark.parametrize("kind", JUDGED)
def test_no_cue_in_the_digits_finds_the_answer(kind: str) -> None:
    """The audit's cues in the digits (reported, not judged) stay within the strategies' goal on the issue's
    reproduction set. The old code: receptive-field's most factors of two 45% (a field after a 2×2 pool is
    often 4 or 8), now priced (DIGIT_PRICES); reverse-filters' 70% (it has no options now)."""
    (k,) = audit({"questions": [q.to_json() for q in questions(4711, 200, Options((kind,), (1, 2, 3)))]}).kinds
    assert {cue: share for cue, share in k.number_cues.items() if share > STRATEGY_GOAL} == {}


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
    """Strict xfail: the day an entry of SHORT meets the goals it waives, this passes and fails the suite."""
    options = Options((kind,), (1, 2, 3) if level is None else (level,))
    failures = judged(4711 if level is None else 2026, 200 if level is None else 100, options)
    assert not short_of(failures, kind, SHORT[kind, level][1]), f"{kind} meets the goals: take it out of SHORT"


# The "odd one out" cues a test-wise student reads in whole-number options: picking the only odd option, the
# only power of two, or the only option of its parity. Not strategies of `quizgen.audit` (the options are not
# chosen against them): a question's numbers must defeat them. The cue is right where it singles out one option
# and that option is the answer.
CUES: dict[str, Callable[[list[int]], list[int]]] = {
    "the only odd option": lambda values: [v for v in values if v % 2],
    "the only power of two": lambda values: [v for v in values if v & (v - 1) == 0],
    "the only option of its parity": lambda values: min(([v for v in values if v % 2], [v for v in values
                                                                                        if not v % 2]), key=len),
}


def cue_shares(qs: tuple[Question, ...]) -> dict[str, float]:
    parts = [p for q in qs for p in q.parts if p.option_order]
    shown = [[p.answer if i == 0 else p.distractors[i - 1].value for i in p.option_order] for p in parts]
    return {cue: sum(pick(values) == [p.answer] for p, values in zip(parts, shown)) / len(parts)
            for cue, pick in CUES.items()}


@pytest.mark.parametrize("kind", ("reverse-kernel",))
@pytest.mark.parametrize("level", (None, 1, 2, 3))
def test_no_odd_one_out_gives_a_reverse_answer_away(kind: str, level: int | None) -> None:
    """A kernel size is a whole number of a familiar sort: nearly always 3, 5 or 7. The reproduction set, and
    each level's. (Reverse-filters' answer was the only power of two among its options in 75% of the
    reproduction set on the old code, and the one with the most factors of two in 70% when counts besides
    the powers of two were asked: it now has no options, tests/test_audit.py.)"""
    options = Options((kind,), (1, 2, 3) if level is None else (level,))
    qs = questions(4711, 200, options) if level is None else questions(2026, 200 if level > 1 else 100, options)
    shares = cue_shares(qs)
    assert {cue: share for cue, share in shares.items() if share > 0.35} == {}, shares
