"""Output-shape options of a student holding two mistakes at once (issue 10 §1): each value worked out by hand.

One-mistake shapes each change one thing, so they surround the answer; a student who drops the +1 AND keeps the
input's channels writes a shape that changes both. The numbers below are computed by hand in the comments, never
by the code under test.
"""

from __future__ import annotations

from helpers import conv, layer, stack

from quizgen.engine.kinds import Analysis
from quizgen.engine.misconceptions import CATALOGUE, TABLE, Seen, replay_pair
from quizgen.engine.quantities import read
from quizgen.engine.question import Target

BY_ID = {m.id: m for m in CATALOGUE}
KERAS = Seen("keras")  # code: no shapes printed, a pooling stride equal to the pool size left out
MNIST_CONV = stack([28, 28, 1], conv(32, 3))  # (28 − 3)/1 + 1 = 26: 26×26×32
CONV_POOL = stack([28, 28, 1], conv(32, 3), layer("MaxPooling2D", pool_size=[2, 2]))  # 26×26×32, then 13×13×32


def pair(first: str, second: str, s, index: int, seen: Seen = TABLE, convention: str = "keras"):
    target = Target(index, "output_shape", convention)
    return read(replay_pair(BY_ID[first], BY_ID[second], s, index, seen), s, target)


def test_the_dropped_plus_one_with_the_input_channels_kept() -> None:
    # 28 − 3 = 25 without the +1, and the input's 1 channel instead of the 32 filters.
    assert pair("plus-one-inside-or-missing", "conv-keeps-input-channels", MNIST_CONV, 0) == [25, 25, 1]
    assert pair("conv-keeps-input-channels", "plus-one-inside-or-missing", MNIST_CONV, 0) == [25, 25, 1]


def test_a_pooling_mistake_after_a_channel_mistake() -> None:
    # The conv keeps 1 channel (26×26×1); the 2×2 pool, taken with stride 1, gives 26 − 2 + 1 = 25.
    assert pair("pool-stride-default", "conv-keeps-input-channels", CONV_POOL, 1, KERAS) == [25, 25, 1]


def test_a_pooling_mistake_and_a_channel_mistake_on_the_same_pool() -> None:
    # 26×26×32 pooled 2×2 with stride 1: 25×25; 32 channels divided by the pool size 2: 16.
    assert pair("pool-stride-default", "pooling-changes-channels", CONV_POOL, 1, KERAS) == [25, 25, 16]


def test_a_mistake_at_each_of_two_layers() -> None:
    # 'valid' taken to keep the size: the conv gives 28×28×32; then the pool without its +1: (28 − 2)/2 = 13.
    # (The +1 is also dropped at the conv: 25; two formulas for one axis of one layer, so no such student.)
    assert pair("valid-keeps-size", "plus-one-inside-or-missing", CONV_POOL, 1) is None
    # 'valid' taken to keep the size at the conv (28×28×32), the pooling left out: 28×28×32.
    assert pair("valid-keeps-size", "pooling-ignored", CONV_POOL, 1) == [28, 28, 32]
    # The channels multiplied at the conv (1 × 32 = 32: no change on a 1-channel input) are no second mistake.
    rgb = stack([32, 32, 3], conv(16, 5), layer("MaxPooling2D", pool_size=[2, 2]))  # 28×28×16, then 14×14×16
    # 3 × 16 = 48 channels at the conv; the pool left out: 28×28×48.
    assert pair("output-channels-multiply", "pooling-ignored", rgb, 1) == [28, 28, 48]


def test_two_formulas_for_the_same_axes_are_no_student() -> None:
    # Dropping the +1 (25) and taking k − 1 off each side (24) are two answers to the same size.
    assert pair("plus-one-inside-or-missing", "valid-trims-both-sides", MNIST_CONV, 0) is None


def test_pytorch_channels_last_with_a_dropped_plus_one() -> None:
    # nn.Conv2d(1, 32, 3) on 1×28×28 gives 32×26×26; written channels last with 28 − 3 = 25: 25×25×32.
    target = Target(0, "output_shape", "pytorch")
    analysis = Analysis(MNIST_CONV, [target], Seen("pytorch"))
    found = {(c.distractor.misconception, c.distractor.second): c.distractor.value
             for c in analysis.candidates(target, analysis.answer(target))}
    assert analysis.answer(target) == [32, 26, 26]
    assert found[("plus-one-inside-or-missing", "pytorch-channels-last")] == [25, 25, 32]
    assert found[("plus-one-inside-or-missing", "conv-keeps-input-channels")] == [1, 25, 25]


def test_combined_options_name_both_mistakes_and_are_distinct() -> None:
    target = Target(0, "output_shape")
    analysis = Analysis(MNIST_CONV, [target])
    answer = analysis.answer(target)
    candidates = analysis.candidates(target, answer)
    values = [c.distractor.value for c in candidates]
    assert answer not in values and len(values) == len({tuple(v) for v in values})
    (both,) = [c.distractor for c in candidates if c.distractor.value == [25, 25, 1]]
    assert (both.misconception, both.second) == ("plus-one-inside-or-missing", "conv-keeps-input-channels")
    assert both.misconceptions == ("plus-one-inside-or-missing", "conv-keeps-input-channels")
    assert both.feedback.startswith("Two mistakes: dropped the +1 and kept the input's channels. ")
    assert BY_ID["conv-keeps-input-channels"].explain("keras", 2) in both.feedback  # a 2D conv's words
    assert both.to_json()["second_misconception"] == "conv-keeps-input-channels"
    # Each one-mistake value stays a one-mistake option: 25×25×32 and 26×26×1.
    singles = {c.distractor.misconception: c.distractor.value for c in candidates if c.distractor.second is None}
    assert singles["plus-one-inside-or-missing"] == [25, 25, 32]
    assert singles["conv-keeps-input-channels"] == [26, 26, 1]


def test_only_shape_answers_get_combined_options() -> None:
    for quantity in ("params", "output_size"):
        s = stack([28, 28, 1], conv(32, 3), layer("Flatten"))
        target = Target(0 if quantity == "params" else 1, quantity)
        analysis = Analysis(s, [target])
        assert all(c.distractor.second is None for c in analysis.candidates(target, analysis.answer(target)))


def test_two_overcounts_far_off_the_answer_are_easy_eliminations() -> None:
    # 32×32×16 → 3×3 conv, 32 filters: 30×30×32 → 2×2 pool: 15×15×32 (7,200 values). The channels multiplied
    # (16·32 = 512) with the pooling left out: 30×30×512 = 460,800 values, 64× the answer: not offered for balance.
    s = stack([32, 32, 16], conv(32, 3), layer("MaxPooling2D", pool_size=[2, 2]))
    target = Target(1, "output_shape")
    analysis = Analysis(s, [target])
    (far,) = [c for c in analysis.candidates(target, [15, 15, 32]) if c.distractor.value == [30, 30, 512]]
    assert (far.distractor.misconception, far.distractor.second) == ("output-channels-multiply", "pooling-ignored")
    assert not far.near
    # The channels multiplied alone (15×15×512, 16×) and the pooling left out alone (30×30×32, 4×) stay near.
    singles = {c.distractor.misconception: c for c in analysis.candidates(target, [15, 15, 32])
               if c.distractor.second is None}
    assert singles["output-channels-multiply"].distractor.value == [15, 15, 512]
    assert singles["pooling-ignored"].distractor.value == [30, 30, 32]
    assert singles["output-channels-multiply"].near and singles["pooling-ignored"].near
