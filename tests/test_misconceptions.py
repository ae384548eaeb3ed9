"""Each catalogue entry reproduces the wrong number worked out by hand in misconceptions.md."""

from __future__ import annotations

import math
import re

import pytest
from helpers import conv, layer, stack

from quizgen.engine.misconceptions import CATALOGUE, Seen, replay
from quizgen.engine.quantities import read
from quizgen.engine.question import Target
from quizgen.engine.stack import Stack

BY_ID = {m.id: m for m in CATALOGUE}


CODE = Seen("keras")  # Keras code: shapes not printed, a default pooling stride left out


def wrong(mid: str, s: Stack, index: int, quantity: str = "params"):
    rows = replay(BY_ID[mid], s, seen=CODE)
    row = rows[index]
    return {"params": row.params.total, "trainable": row.params.trainable,
            "shape": row.output_shape, "size": math.prod(row.output_shape)}[quantity]


CASES = [
    # (misconception, stack, layer, quantity, wrong value, right value)
    ("forgot-bias", stack([28, 28, 1], conv(32, 3)), 0, "params", 288, 320),
    ("forgot-bias", stack([224 * 224 * 3], layer("Dense", units=10)), 0, "params", 1_505_280, 1_505_290),
    ("forgot-input-channels", stack([14, 14, 32], conv(64, 5)), 0, "params", 1_664, 51_264),
    ("forgot-input-channels", stack([13, 13, 32], conv(64, 3)), 0, "params", 640, 18_496),
    ("conv1d-kernel-squared", stack([1000, 100], conv(128, 5, rank=1)), 0, "params", 3_328, 64_128),
    ("input-depth-called-stride", stack([32, 32, 32], conv(64, 3, strides=[2, 2])), 0, "params", 1_216, 18_496),
    ("multiply-by-output-spatial-size", stack([227, 227, 3], conv(96, 11, strides=[4, 4])), 0, "params",
     105_705_600, 34_944),
    ("multiply-by-output-spatial-size", stack([128, 128, 3], conv(64, 5, padding="same")), 0, "params",
     79_691_776, 4_864),  # (75 + 1)·128·128·64
    ("pooling-has-params", stack([28, 28, 6], layer("MaxPooling2D", pool_size=[2, 2])), 0, "params", 12, 0),
    ("bias-per-input-channel", stack([32, 32, 3], conv(32, 5)), 0, "params", 2_496, 2_432),
    ("bias-per-output-position", stack([32, 32, 3], conv(32, 5)), 0, "params", 27_488, 2_432),
    ("batchnorm-two-per-channel", stack([8, 8, 64], layer("BatchNormalization")), 0, "params", 128, 256),
    ("batchnorm-two-per-channel", stack([512], layer("BatchNormalization")), 0, "params", 1_024, 2_048),
    ("batchnorm-stats-trainable", stack([8, 8, 64], layer("BatchNormalization")), 0, "trainable", 256, 128),
    ("dense-on-nd-input-fully-connected", stack([5, 10], layer("Dense", units=100)), 0, "params", 5_100, 1_100),
    ("dense-on-nd-input-fully-connected", stack([20, 5], layer("Dense", units=10)), 0, "params", 1_010, 60),
    ("depthwise-times-filters", stack([3, 3, 3], layer("SeparableConv2D", filters=1, kernel_size=[2, 2])), 0,
     "params", 19, 16),
    ("depthwise-times-filters", stack([112, 112, 32], layer("DepthwiseConv2D", kernel_size=[3, 3],
                                                             padding="same", use_bias=False)), 0,
     "params", 9_216, 288),
    ("groups-ignored", stack([8, 8, 32], conv(64, 3, groups=4)), 0, "params", 18_496, 4_672),
    ("dropout-or-activation-changes-params", stack([256], layer("Dropout", rate=0.5), layer("Dense", units=100)),
     1, "params", 12_850, 25_700),
    # output sizes
    ("no-floor-fractional-size", stack([224, 224, 3], layer("ZeroPadding2D", padding=[[3, 3], [3, 3]]),
                                       conv(64, 7, strides=[2, 2])), 1, "shape", (113, 113, 64), (112, 112, 64)),
    ("ceil-instead-of-floor", stack([224, 224, 3], conv(96, 11, strides=[4, 4])), 0, "shape",
     (55, 55, 96), (54, 54, 96)),
    ("plus-one-inside-or-missing", stack([28, 28, 4], layer("MaxPooling2D", pool_size=[2, 2])), 0, "shape",
     (13, 13, 4), (14, 14, 4)),
    ("same-means-same-size-with-stride", stack([64, 64, 1], conv(6, 4, strides=[2, 2], padding="same")), 0,
     "shape", (64, 64, 6), (32, 32, 6)),
    ("same-without-ceil", stack([7, 7, 8], conv(64, 3, strides=[2, 2], padding="same")), 0, "shape",
     (3, 3, 64), (4, 4, 64)),
    ("pool-stride-default", stack([6, 4], layer("MaxPooling1D", pool_size=[3])), 0, "shape", (4, 4), (2, 4)),
    ("pool-stride-default", stack([494, 8], layer("MaxPooling1D", pool_size=[5])), 0, "shape", (490, 8), (98, 8)),
    ("output-channels-multiply", stack([32, 32, 3], conv(32, 3)), 0, "shape", (30, 30, 96), (30, 30, 32)),
    # 28×28×1 through 32 3×3 filters is 26×26×32; keeping the grayscale input's 1 channel gives 26×26×1
    ("conv-keeps-input-channels", stack([28, 28, 1], conv(32, 3)), 0, "shape", (26, 26, 1), (26, 26, 32)),
    ("transpose-conv-shape-inverse", stack([2, 2, 4], layer("Conv2DTranspose", filters=1, kernel_size=[3, 3],
                                                           strides=[2, 2])), 0, "shape", (4, 4, 1), (5, 5, 1)),
    ("forgot-padding", stack([64, 64, 1], conv(6, 4, strides=[2, 2], padding="same")), 0, "shape",
     (31, 31, 6), (32, 32, 6)),
    ("forgot-padding", stack([28, 28, 1], layer("ZeroPadding2D", padding=[[2, 2], [2, 2]]), conv(8, 5)), 1, "shape",
     (24, 24, 8), (28, 28, 8)),
    ("dilation-ignored", stack([32, 32, 3], conv(8, 3, dilation_rate=[2, 2])), 0, "shape", (30, 30, 8), (28, 28, 8)),
    ("wrong-flatten-size", stack([7, 7, 32], layer("Flatten"), layer("Dense", units=10)), 1, "params",
     500, 15_690),
    # a 3-tap kernel with dilation 2 spans 5: (32 − 5)/1 + 1 = 28, but (32 − 2·3)/1 + 1 = 27
    ("dilated-span-d-times-k", stack([32, 32, 3], conv(8, 3, dilation_rate=[2, 2])), 0, "shape",
     (27, 27, 8), (28, 28, 8)),
    ("pooling-changes-channels", stack([26, 26, 32], layer("MaxPooling2D", pool_size=[2, 2])), 0, "shape",
     (13, 13, 16), (13, 13, 32)),
    ("global-pooling-keeps-axes", stack([7, 7, 512], layer("GlobalAveragePooling2D")), 0, "shape",
     (1, 1, 512), (512,)),
    # 64 channels × (gamma, beta, mean, variance) = 256; per position of an 8×8 map: 256·64 = 16,384
    ("batchnorm-per-position", stack([8, 8, 64], layer("BatchNormalization")), 0, "params", 16_384, 256),
    # the mirrors added so that a question can show mistakes on both sides of the answer (worked by hand)
    ("bias-per-input", stack([13, 13, 32], conv(64, 3)), 0, "params", 18_464, 18_496),  # 288·64 + 32
    ("bias-per-input", stack([1568], layer("Dense", units=10)), 0, "params", 17_248, 15_690),  # 15,680 + 1,568
    ("filters-as-input-depth", stack([13, 13, 32], conv(64, 3)), 0, "params", 36_928, 18_496),  # (9·64 + 1)·64
    ("filters-as-input-depth", stack([128], layer("Dense", units=10)), 0, "params", 110, 1_290),  # (10 + 1)·10
    ("kernel-not-squared", stack([13, 13, 32], conv(64, 3)), 0, "params", 6_208, 18_496),  # (3·32 + 1)·64
    ("pooling-window-weights", stack([28, 28, 6], layer("MaxPooling2D", pool_size=[2, 2])), 0, "params", 30, 0),
    ("counted-activations", stack([28, 28, 1], conv(32, 3)), 0, "params", 21_632, 320),  # 26·26·32
    ("pooling-ignored", stack([26, 26, 32], layer("MaxPooling2D", pool_size=[2, 2]), layer("Flatten")), 1, "size",
     21_632, 5_408),
    ("pool-area-per-axis", stack([28, 28, 4], layer("MaxPooling2D", pool_size=[2, 2])), 0, "shape",
     (7, 7, 4), (14, 14, 4)),
    ("stride-ignored", stack([28, 28, 1], conv(8, 3, strides=[2, 2])), 0, "shape", (26, 26, 8), (13, 13, 8)),
    ("valid-keeps-size", stack([28, 28, 1], conv(32, 3)), 0, "shape", (28, 28, 32), (26, 26, 32)),
    ("valid-trims-both-sides", stack([28, 28, 1], conv(32, 3)), 0, "shape", (24, 24, 32), (26, 26, 32)),
    ("full-convolution-size", stack([28, 28, 1], conv(32, 3)), 0, "shape", (30, 30, 32), (26, 26, 32)),
]


@pytest.mark.parametrize("mid, s, index, quantity, wrong_value, right_value", CASES,
                         ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_hand_worked_examples(mid, s, index, quantity, wrong_value, right_value) -> None:
    right = {"params": s.counts[index].total, "trainable": s.counts[index].trainable,
             "shape": s.shapes[index + 1], "size": math.prod(s.shapes[index + 1])}[quantity]
    assert right == right_value
    assert wrong(mid, s, index, quantity) == wrong_value


def test_catalogue_is_well_formed() -> None:
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids)) >= 15
    for m in CATALOGUE:
        assert m.id == m.id.lower() and " " not in m.id
        assert m.title and len(m.explanation) > 40
        assert m.params or m.shape or (m.value and m.bends)
    covered = {m.id for m in CATALOGUE} & ({c[0] for c in CASES} | {c[0] for c in VALUE_CASES})
    assert covered == set(ids), set(ids) - covered


def test_no_feedback_speaks_of_the_design_sources() -> None:
    """The seed articles quizgen was designed from are not the users' material: "the seeds' second conv"
    told a student nothing (issue 10 §3)."""
    for m in CATALOGUE:
        for convention in ("keras", "pytorch"):
            for rank in (1, 2, 3):
                said = f"{m.title} {m.explain(convention, rank)}"
                assert not re.search(r"\bseeds?\b", said, re.IGNORECASE), (m.id, convention, rank, said)


def value_of(mid: str, s: Stack, target: Target):
    m = BY_ID[mid]
    if m.value:
        return m.value(s, target, read(s.flow, s, target))
    return read(replay(m, s), s, target)


CONV_32 = stack([28, 28, 1], conv(32, 3))  # 320 parameters, 26·26·9·32 = 194,688 MACs
BN_NET = stack([8, 8, 3], conv(16, 3, use_bias=False), layer("BatchNormalization"))  # 432 + 64 (32 buffers)
FROZEN = stack([8, 8, 3], conv(16, 3, trainable=False), layer("Flatten"), layer("Dense", units=2))  # 448 + 1,154
RGB_NET = stack([32, 32, 3], conv(32, 3), layer("MaxPooling2D", pool_size=[2, 2]), conv(64, 3))
PADDED = stack([32, 32, 3], conv(16, 3, padding="same"))  # PyTorch: nn.Conv2d(3, 16, 3, padding=1)
DENSE_256 = stack([256], layer("Dense", units=10))
SECOND_CONV = stack([13, 13, 32], conv(64, 3))  # the seeds' second conv: (3·3·32 + 1)·64 = 18,496
EMBEDDED = stack([1000, 100], conv(128, 5, rank=1))  # 1000 steps of 100-dimensional embeddings
RGB_5X5 = stack([32, 32, 3], conv(16, 5))
RF_NET = stack([32, 32, 3], conv(8, 3), layer("MaxPooling2D", pool_size=[2, 2]), conv(8, 3, dilation_rate=[2, 2]))
VALUE_CASES = [
    # (misconception, stack, target, wrong value, right value)
    ("batchnorm-framework-convention", BN_NET, Target(None, "params"), 464, 496),
    ("batchnorm-framework-convention", BN_NET, Target(None, "params", "pytorch"), 496, 464),
    ("frozen-still-trainable", FROZEN, Target(None, "trainable_params"), 448 + 1_154, 1_154),
    ("frozen-params-vanish", FROZEN, Target(None, "non_trainable_params"), None, 448),
    ("frozen-params-vanish", FROZEN, Target(None, "params"), 1_154, 1_602),
    ("flops-vs-macs", CONV_32, Target(0, "macs"), 389_376, 194_688),
    ("macs-input-positions", CONV_32, Target(0, "macs"), 28 * 28 * 9 * 32, 194_688),
    ("macs-equals-params", CONV_32, Target(0, "macs"), 288, 194_688),
    ("kilo-is-1000", CONV_32, Target(None, "memory_bytes", dtype="float32", unit="KiB"), 1.28, 1.25),
    ("bits-not-bytes", CONV_32, Target(None, "memory_bytes", dtype="float32", unit="bytes"), 10_240, 1_280),
    ("float32-assumed", CONV_32, Target(None, "memory_bytes", dtype="int8", unit="bytes"), 1_280, 320),
    ("rf-ignores-stride", RF_NET, Target(2, "receptive_field"), 1 + 2 + 1 + 4, 1 + 2 + 1 + 4 * 2),
    ("rf-ignores-dilation", RF_NET, Target(2, "receptive_field"), 1 + 2 + 1 + 2 * 2, 12),
    ("rf-last-kernel", RF_NET, Target(2, "receptive_field"), 5, 12),
    # the seeds' second conv on an RGB image: (3·3·32 + 1)·64 = 18,496, not (3·3·3 + 1)·64 = 1,792
    ("image-channels-everywhere", RGB_NET, Target(2, "params"), 1_792, 18_496),
    ("image-channels-everywhere", RGB_NET, Target(None, "params"), 896 + 1_792, 896 + 18_496),
    # nn.Conv2d(3, 16, kernel_size=3, padding=1) on 3×32×32: (32 + 2 − 3) + 1 = 32, not (32 + 1 − 3) + 1 = 31
    ("pytorch-padding-counted-once", PADDED, Target(0, "output_shape", "pytorch"), [16, 31, 31], [16, 32, 32]),
    ("pytorch-padding-counted-once", PADDED, Target(0, "output_shape"), None, [32, 32, 16]),
    # 3, pool 2, 3 dilated 2: 1 + 2 + 1 + (6 − 1)·2 = 14 with a span of d·k = 6 instead of 5
    ("dilated-span-d-times-k", RF_NET, Target(2, "receptive_field"), 14, 12),
    ("rf-sum-of-kernels", RF_NET, Target(2, "receptive_field"), 3 + 2 + 3, 12),
    ("bias-adds-as-macs", CONV_32, Target(0, "macs"), 194_688 + 26 * 26 * 32, 194_688),
    # 320 weights + 320 gradients + 640 Adam moments, 4 bytes each
    ("training-memory-for-params", CONV_32, Target(None, "memory_bytes", dtype="float32", unit="bytes"),
     5_120, 1_280),
    ("pytorch-channels-last", CONV_32, Target(0, "output_shape", "pytorch"), [26, 26, 32], [32, 26, 26]),
    ("rf-no-minus-one", RF_NET, Target(2, "receptive_field"), 1 + 3 + 2 + 5 * 2, 12),
    ("rf-jump-too-early", RF_NET, Target(2, "receptive_field"), 1 + 2 + 1 * 2 + 4 * 2, 12),
    ("rf-total-jump", RF_NET, Target(2, "receptive_field"), 1 + (2 + 1 + 4) * 2, 12),
    ("rf-ignores-pooling", RF_NET, Target(2, "receptive_field"), 1 + 2 + 4, 12),
    ("rf-from-zero", RF_NET, Target(2, "receptive_field"), 11, 12),
    ("macs-forgot-input-channels", stack([13, 13, 32], conv(64, 3)), Target(0, "macs"), 11 * 11 * 9 * 64,
     11 * 11 * 9 * 32 * 64),
    ("macs-kernel-not-squared", CONV_32, Target(0, "macs"), 26 * 26 * 3 * 32, 194_688),
    ("params-as-bytes", CONV_32, Target(None, "memory_bytes", dtype="float32", unit="bytes"), 320, 1_280),
    # --- MACs: CONV_32 does 26·26 positions × 3·3·1 × 32 filters = 194,688 ---
    # one filter's share: 26·26·9 = 6,084
    ("single-filter", CONV_32, Target(0, "macs"), 6_084, 194_688),
    # Dense(10) on 256 inputs: 256·10 = 2,560 MACs; one unit's 256
    ("single-filter", DENSE_256, Target(0, "macs"), 256, 2_560),
    # 26·26·32 = 21,632 output values, each 9 products but 8 additions: 21,632·8 = 173,056
    ("macs-additions", CONV_32, Target(0, "macs"), 173_056, 194_688),
    # 10 output values of 256 products, 255 additions each: 2,550
    ("macs-additions", DENSE_256, Target(0, "macs"), 2_550, 2_560),
    # forward 194,688 + backward 2·194,688 = 584,064
    ("macs-training-step", CONV_32, Target(0, "macs"), 584_064, 194_688),
    # 11·11 positions × 3·3·32 × 64 = 2,230,272; with 64 for C_in: 11·11·9·64·64 = 4,460,544
    ("macs-filters-as-input-depth", SECOND_CONV, Target(0, "macs"), 4_460_544, 2_230_272),
    # without the 3·3 window: 11·11·32·64 = 247,808
    ("kernel-area-left-out", SECOND_CONV, Target(0, "macs"), 247_808, 2_230_272),
    # Conv1D(128, 5) on 1000×100: 996 positions × 5·100 × 128 = 63,744,000; with 5·5: 318,720,000
    ("conv1d-2d-formula", EMBEDDED, Target(0, "macs"), 318_720_000, 63_744_000),
    # RGB_NET's second conv: 13·13 × 3·3·32 × 64 = 3,115,008;
    # with the image's 3 channels: 13·13·9·3·64 = 292,032
    ("image-channels-everywhere", RGB_NET, Target(2, "macs"), 292_032, 3_115_008),
    # --- solving P = (k·k·C_in + 1)·F for F or k ---
    # RGB_NET's second conv has 18,496 = (3·3·32 + 1)·64: with C_in = 3, 18,496 / 28 = 660.6 → 661 filters,
    # and k = √((18,496/64 − 1)/3) = √96 = 9.8 → 10
    ("image-channels-everywhere", RGB_NET, Target(2, "filters"), 661, 64),
    ("image-channels-everywhere", RGB_NET, Target(2, "kernel_size"), 10, 3),
    # EMBEDDED has (5·100 + 1)·128 = 64,128: with 5·5·100 + 1, 64,128 / 2,501 = 25.6 → 26 filters, and
    # k = √((64,128/128 − 1)/100) = √5 = 2.24 → 2
    ("conv1d-2d-formula", EMBEDDED, Target(0, "filters"), 26, 128),
    ("conv1d-2d-formula", EMBEDDED, Target(0, "kernel_size"), 2, 5),
    # SECOND_CONV has 18,496: without the kernel area 18,496 / (32 + 1) = 560.5 → 560 filters
    ("kernel-area-left-out", SECOND_CONV, Target(0, "filters"), 560, 64),
    # P taken for one filter: k = √((18,496 − 1)/32) = √578 = 24.04 → 24
    ("single-filter", SECOND_CONV, Target(0, "kernel_size"), 24, 3),
    # Conv2D(16, 5) on RGB has (5·5·3 + 1)·16 = 1,216: √(1,216/16 − 1) / 3 = √75 / 3 = 2.89 → 3
    ("root-before-channels", RGB_5X5, Target(0, "kernel_size"), 3, 5),
]


@pytest.mark.parametrize("mid, s, target, wrong_value, right_value", VALUE_CASES,
                         ids=[f"{c[0]}-{n}" for n, c in enumerate(VALUE_CASES)])
def test_hand_worked_quantity_examples(mid, s, target, wrong_value, right_value) -> None:
    assert read(s.flow, s, target) == right_value
    wrong_read = value_of(mid, s, target)
    assert wrong_read == wrong_value or (wrong_value is None and wrong_read == 0)


def test_a_misconception_leaves_layers_it_does_not_touch_alone() -> None:
    s = stack([28, 28, 1], conv(32, 3), layer("MaxPooling2D", pool_size=[2, 2]), layer("Flatten"),
              layer("Dense", units=10))
    rows = replay(BY_ID["forgot-bias"], s)
    assert [r.params.total for r in rows] == [288, 0, 0, 54_080]
    assert [r.output_shape for r in rows] == list(s.shapes[1:])
