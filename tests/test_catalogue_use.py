"""The catalogue in use (issue 10 §6): how many misconceptions a default set shows, and that every
entry is shown by some kind and style (an entry no question can show is dead weight)."""

from __future__ import annotations

import collections

from quizgen.engine.generate import Options, generate
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.engine.kinds import KINDS
from quizgen.engine.misconceptions import CATALOGUE
from quizgen.engine.question import NEAR_MISS, Question


def shown(q: Question) -> set[str]:
    """The misconceptions a student meets: the options shown, every wrong value a typed answer is
    diagnosed by, and the mistake in a spot-the-error table."""
    ids = {q.extra["misconception"]} if "misconception" in q.extra else set()
    for p in q.parts:
        ids |= ({o.distractor.misconception for o in p.options if o.distractor} if q.multiple_choice
                else {d.misconception for d in p.distractors})
    return ids - {NEAR_MISS}


def test_a_default_set_of_3000_shows_at_least_32_misconceptions() -> None:
    used = collections.Counter(m for q in generate(1, 3000, Options(CORE_KINDS, (1, 2, 3))) for m in shown(q))
    assert len(used) >= 32, sorted(used)
    for mid in ("dense-on-nd-input-fully-connected", "frozen-params-vanish", "image-channels-everywhere",
                "pooling-changes-channels", "global-pooling-keeps-axes", "batchnorm-per-position"):
        assert used[mid] > 0, mid


def test_every_catalogue_entry_is_reachable_by_some_kind_and_style() -> None:
    where: dict[str, tuple[str, str]] = {}
    for style in ("table", "pytorch"):
        for kind in KINDS:
            for q in generate(2, 120, Options((kind,), (1, 2, 3), style=style)):
                for mid in shown(q):
                    where.setdefault(mid, (kind, style))
    assert {m.id for m in CATALOGUE} - set(where) == set()
    assert where["pytorch-channels-last"][1] == where["pytorch-padding-counted-once"][1] == "pytorch"
