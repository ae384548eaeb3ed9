"""Multiple choice that gives nothing away, for the MACs and the reverse kinds (issue 10 §1): 200 questions per
kind and difficulty at seed 4711, judged by the audit's own goals.

On the old code, MACs at level 2 put the answer 2nd smallest in 60% of the questions, 'the lower end of the
closest pair by ratio' was right 82% of the time and 21% of the options were ≥30× off; reverse-kernel filled
43% of its options with near-misses. Each option is a real mistake (the catalogue's), never a value made up.
"""

from __future__ import annotations

import functools

import pytest

from quizgen.audit import FAR_GOAL, NEAR_MISS_GOAL, RANK_GOAL, STRATEGY_GOAL, KindAudit, audit
from quizgen.engine.generate import Options, generate

CASES = [(kind, level) for kind in ("macs", "reverse-filters", "reverse-kernel") for level in (2, 3)]
# Where the catalogue's real mistakes do not yet allow every rank (each 15–35%) and keep every blind strategy at
# ≤ 35%. reverse-kernel: answers are 3, 5 or 7, so a 3 can have at most two smaller options (1 and 2), and
# the mistakes mostly give larger kernels; the answer is the largest option in about 4% of the questions.
# reverse-filters, level 2: 92 of 200 questions have three real smaller values, but the answer is the largest
# in 14% ('upper end of the closest pair' 38%). The choice of shown options (kinds.choose_shown) decides these.
SHORT = {("reverse-kernel", 2), ("reverse-kernel", 3), ("reverse-filters", 2)}


@functools.cache
def audited(kind: str, level: int) -> KindAudit:
    doc = {"questions": [q.to_json() for q in generate(4711, 200, Options((kind,), (level,)))]}
    (k,) = audit(doc).kinds
    assert k.judged and k.parts == 200
    return k


@pytest.mark.parametrize("kind, level", CASES, ids=[f"{k}-d{d}" for k, d in CASES])
def test_options_are_real_mistakes_and_none_is_an_easy_elimination(kind: str, level: int) -> None:
    k = audited(kind, level)
    assert k.near_miss_share <= NEAR_MISS_GOAL, k.near_miss_share
    assert k.far_share <= FAR_GOAL, k.far_share
    assert not k.duplicate_options


@pytest.mark.parametrize("kind, level", [pytest.param(k, d, marks=pytest.mark.xfail(
    (k, d) in SHORT, reason="not enough real mistakes on the smaller side yet (see SHORT)", strict=True))
    for k, d in CASES], ids=[f"{k}-d{d}" for k, d in CASES])
def test_no_rank_and_no_blind_strategy_gives_the_answer_away(kind: str, level: int) -> None:
    k = audited(kind, level)
    assert all(RANK_GOAL[0] <= share <= RANK_GOAL[1] for share in k.ranks), k.ranks
    name, share = k.best
    assert share <= STRATEGY_GOAL, (name, share)
