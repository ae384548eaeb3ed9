"""Questions that look like real course material (issue 10 §5): difficulty 1 is what the help says,
sizes and kernels fit, the seeds' second conv is asked, exam contexts fit the input, kinds balance."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from quizgen.engine.generate import Options, generate
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.engine.kinds import CONV_LIKE, KINDS
from quizgen.engine.layers import Conv, DepthwiseConv, SeparableConv
from quizgen.exam.blueprint import load_blueprint
from quizgen.exam.plan import plan_exam

SEEDS_INPUTS = {(28, 28, 1), (32, 32, 3), (64, 64, 1), (24, 24, 3), (48, 48, 1)}


def test_difficulty_1_is_one_layer_to_count_on_a_small_input() -> None:
    """The help: one convolution (or pool, or Dense) on a small input; where a kind needs a whole model
    or a Flatten, one conv and a pool before a Flatten and a Dense output layer. Friendly numbers."""
    for q in generate(3, 350, Options(CORE_KINDS, (1,))):
        s = q.stack
        weighted = [layer for layer in s.layers if layer.has_weights]
        assert len(weighted) <= 2 and len(s.layers) <= 4, (q.kind, s.to_json())
        assert len(s.input_shape) == 1 or s.input_shape in SEEDS_INPUTS, s.input_shape
        assert s.totals().total <= 2_000_000, (q.kind, s.to_json())
        for layer in weighted:
            assert getattr(layer, "filters", 8) in (8, 16, 32, 64, 128)


@pytest.mark.parametrize("difficulty", [2, 3])
def test_stacks_end_in_feature_maps_of_real_size(difficulty: int) -> None:
    """Deeper for larger inputs, as real classifiers are: no 25M-parameter Dense after a 63×63 map."""
    totals = sorted(q.stack.totals().total for q in generate(8, 300, Options(CORE_KINDS, (difficulty,))))
    assert totals[len(totals) // 2] < 500_000 and totals[int(0.9 * len(totals))] < 5_000_000, totals[-30:]


def test_kernels_fit_the_feature_map() -> None:
    """A kernel's span d·(k − 1) + 1 covers at most half the map it slides over (no 7×7 dilated on 8×8)."""
    checked = 0
    for q in generate(4, 600, Options(tuple(KINDS), (3,))):
        for i, layer in enumerate(q.stack.layers):
            if isinstance(layer, Conv | DepthwiseConv | SeparableConv) and max(layer.kernel_size) > 1:
                spatial = slice(-3, -1) if layer.rank == 3 else slice(None, -1)  # a clip's frames may be few
                for n, k, d in zip(q.stack.shapes[i][spatial], layer.kernel_size[spatial],
                                   layer.dilation_rate[spatial]):
                    assert d * (k - 1) + 1 <= max(n // 2, 1), (layer, q.stack.shapes[i])
                checked += 1
    assert checked > 500


def test_difficulty_2_conv_params_asks_a_later_conv_at_least_half_the_time() -> None:
    qs = generate(5, 300, Options(("conv-params",), (2,)))
    later = [q.parts[0].target.layer != next(i for i, layer in enumerate(q.stack.layers)
                                              if isinstance(layer, CONV_LIKE)) for q in qs]
    assert sum(later) >= 0.5 * len(qs)
    # the seeds' lesson, (3·3·32 + 1)·64 = 18,496, comes up
    assert any(q.parts[0].answer == 18_496 for q in generate(6, 300, Options(("conv-params",), (2,))))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_several_kinds_appear_equally_often(seed: int) -> None:
    kinds = ("conv-params", "layer-params", "total-params", "output-shape", "macs", "memory-footprint",
             "most-params", "trainable-split")
    counts = collections.Counter(q.kind for q in generate(seed, 240, Options(kinds, (1, 2, 3))))
    assert counts == {k: 30 for k in kinds}
    short = collections.Counter(q.kind for q in generate(seed, 30, Options(kinds, (1, 2, 3))))
    assert set(short) == set(kinds) and max(short.values()) - min(short.values()) <= 1


def test_a_balanced_question_is_still_rebuilt_from_its_own_seed() -> None:
    from quizgen.engine.generate import one_question

    options = Options(CORE_KINDS, (1, 2))
    for q in generate(11, 21, options):
        assert one_question(q.seed, options, q.id).to_json() == q.to_json()


def test_exam_contexts_fit_the_input(tmp_path: Path) -> None:
    path = tmp_path / "exam.toml"
    path.write_text("seed = 5\n" + "".join(f"[[slot]]\nkinds = ['{k}']\ndifficulty = [1, 2, 3]\n"
                                           for k in ("conv-params", "output-shape", "layer-params")))
    grey = {"handwritten digits", "X-ray scans", "grayscale micrographs"}
    colour = {"street photos", "leaf images", "pet photos"}
    seen = 0
    for v in plan_exam(load_blueprint(path), [f"s{n}" for n in range(60)]).variants:
        for q in v.questions:
            shape, dataset = q.stack.input_shape, q.extra["context"]["dataset"]
            if len(shape) == 3:
                assert dataset in (grey if shape[-1] == 1 else colour), (shape, dataset)
                seen += 1
            if len(shape) == 2:
                assert dataset not in grey | colour
    assert seen > 60
