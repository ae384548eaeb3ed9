"""Invariants of every question: distractors, solutions, determinism, seeds, the JSON schema."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.audit import FAR, magnitude, times_off
from quizgen.engine.generate import (
    Options,
    count_space,
    dump_json,
    generate,
    one_question,
    set_header,
)
from quizgen.engine.kinds import KINDS, make_question
from quizgen.engine.misconceptions import CATALOGUE
from quizgen.engine.question import MC_DISTRACTORS, NEAR_MISS

ALL = Options(tuple(KINDS), (1, 2, 3))
IDS = {m.id for m in CATALOGUE}
SCHEMA = json.loads((Path(__file__).parent.parent / "schema" / "problem-set.schema.json").read_text())


def same_form(a, b) -> bool:
    """Both shapes or both not: a shape may have another rank (1×1×512 for a global pooling's 512)."""
    return isinstance(a, list) == isinstance(b, list) and (not isinstance(a, list) or len(a) > 0)


def check_question(q) -> None:
    assert q.solution, q.kind
    for part in q.parts:
        values = [d.value for d in part.distractors]
        assert part.answer not in values
        assert len({json.dumps(v) for v in values}) == len(values), "distractors must be distinct"
        for d in part.distractors:
            assert same_form(d.value, part.answer) and type(d.value) is type(part.answer)
            if not isinstance(d.value, str):
                assert (min(d.value) if isinstance(d.value, list) else d.value) > 0
            assert d.feedback
            assert d.misconception in IDS or d.misconception == NEAR_MISS
            assert d.second is None or (d.second in IDS and d.second != d.misconception
                                        and part.target.quantity == "output_shape")
        if q.multiple_choice:
            assert len(part.distractors) >= MC_DISTRACTORS
            assert sorted(part.option_order) == list(range(MC_DISTRACTORS + 1))
            shown, rest = part.distractors[:MC_DISTRACTORS], part.distractors[MC_DISTRACTORS:]
            if part.target.quantity != "step":  # (spot-the-error's options are the other rows, all kept)
                assert not any(d.near_miss for d in rest), "a near-miss is never kept in reserve"
            if any(d.near_miss for d in shown):  # near-misses fill the options only when too few real mistakes
                # lie near the answer: every misconception left out is an easy elimination (≥ FAR× off; a shape two
                # mistakes make, by its count of values)
                assert all((times_off(magnitude(d.value), magnitude(part.answer)) if d.second
                            else times_off(d.value, part.answer)) >= FAR and not d.signature
                           for d in rest if not d.near_miss), [d.misconception for d in rest]
            options = part.options
            assert [o.correct for o in options].count(True) == 1
            assert options[[o.letter for o in options].index(part.answer_letter)].value == part.answer


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**63 - 1), st.sampled_from(sorted(KINDS)), st.sampled_from([1, 2, 3]))
def test_distractor_invariants_hold_for_any_seed(seed: int, kind: str, difficulty: int) -> None:
    q, _ = make_question(random.Random(seed), seed, (kind,), (difficulty,))
    check_question(q)


def test_invariants_over_a_large_mixed_set() -> None:
    for q in generate(11, 3000, ALL):
        check_question(q)


def test_mixed_sets_cover_every_kind_difficulty_and_most_misconceptions() -> None:
    qs = generate(3, 2000, ALL)
    assert {q.kind for q in qs} == set(KINDS)
    assert {q.difficulty for q in qs} == {1, 2, 3}
    used = {d.misconception for q in qs for p in q.parts for d in p.distractors}
    assert len(used & IDS) >= 34, IDS - used


def test_same_seed_same_bytes_and_other_seed_other_bytes() -> None:
    text = lambda seed: "".join(dump_json(set_header(seed, ALL), generate(seed, 200, ALL)))  # noqa: E731
    assert text(5) == text(5)
    assert text(5) != text(6)


def test_question_seed_rebuilds_the_question_alone() -> None:
    for q in generate(9, 50, ALL):
        again = one_question(q.seed, ALL, q.id)
        assert json.dumps(again.to_json()) == json.dumps(q.to_json())


def test_question_n_does_not_depend_on_the_count() -> None:
    long, short = generate(4, 300, ALL), generate(4, 40, ALL)
    assert [q.to_json() for q in long[:40]] == [q.to_json() for q in short]


def test_no_duplicates_in_a_set() -> None:
    qs = generate(1, 95, Options(("conv-params",), (1,)))  # a space of 100
    keys = {(json.dumps(q.stack.to_json()), q.parts[0].target) for q in qs}
    assert len(keys) == 95


def test_exhausted_space_is_reported_with_its_exact_size() -> None:
    assert count_space(Options(("conv-params",), (1,))) == (5 * 5 * 4, True)  # inputs × filters × kernels
    with pytest.raises(Exception, match="only 100 distinct questions"):
        generate(1, 101, Options(("conv-params",), (1,)))


def test_the_whole_space_can_be_drawn() -> None:
    assert len(generate(2, 100, Options(("conv-params",), (1,)))) == 100


def test_output_follows_the_json_schema() -> None:
    doc = json.loads("".join(dump_json(set_header(8, ALL), generate(8, 300, ALL))))
    jsonschema.validate(doc, SCHEMA)
    assert doc["seed"] == 8 and len(doc["questions"]) == 300
    assert len({q["id"] for q in doc["questions"]}) == 300
