"""Tests of the PyTorch oracle itself, against hand-worked numbers.

The oracle (tests/torch_reference.py) is what the engine is cross-checked
against, so it needs its own evidence: published or hand-computed Keras
counts and shapes, one check per supported layer class, and the Keras
semantics that differ from PyTorch ("same" with stride, transposed-conv
lengths, BatchNorm buffers, Dense on N-D input).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from torch_reference import (
    SUPPORTED_LAYERS,
    LayerResult,
    StackError,
    keras_totals,
    reference,
    torch_param_count,
)

# --------------------------------------------------------------------------
# Tiny builders for serialized layers (full Keras 3 configs, as the contract says)
# --------------------------------------------------------------------------


def _t(value: int | list[int], rank: int) -> list[int]:
    return list(value) if isinstance(value, list) else [value] * rank


def conv(rank: int, filters: int, k: int | list[int], strides: int | list[int] = 1,
         padding: str = "valid", dilation: int = 1, groups: int = 1,
         use_bias: bool = True) -> dict[str, Any]:
    return {"class_name": f"Conv{rank}D", "config": {
        "filters": filters, "kernel_size": _t(k, rank), "strides": _t(strides, rank),
        "padding": padding, "dilation_rate": _t(dilation, rank), "groups": groups,
        "use_bias": use_bias}}


def conv_t(rank: int, filters: int, k: int, strides: int = 1, padding: str = "valid",
           output_padding: int | None = None, dilation: int = 1,
           use_bias: bool = True) -> dict[str, Any]:
    return {"class_name": f"Conv{rank}DTranspose", "config": {
        "filters": filters, "kernel_size": _t(k, rank), "strides": _t(strides, rank),
        "padding": padding,
        "output_padding": None if output_padding is None else _t(output_padding, rank),
        "dilation_rate": _t(dilation, rank), "use_bias": use_bias}}


def depthwise(rank: int, k: int, strides: int = 1, padding: str = "valid", dm: int = 1,
              use_bias: bool = True) -> dict[str, Any]:
    return {"class_name": f"DepthwiseConv{rank}D", "config": {
        "kernel_size": _t(k, rank), "strides": _t(strides, rank), "padding": padding,
        "depth_multiplier": dm, "dilation_rate": _t(1, rank), "use_bias": use_bias}}


def separable(rank: int, filters: int, k: int, strides: int = 1, padding: str = "valid",
              dm: int = 1, use_bias: bool = True) -> dict[str, Any]:
    return {"class_name": f"SeparableConv{rank}D", "config": {
        "filters": filters, "kernel_size": _t(k, rank), "strides": _t(strides, rank),
        "padding": padding, "depth_multiplier": dm, "dilation_rate": _t(1, rank),
        "use_bias": use_bias}}


def pool(kind: str, rank: int, size: int, strides: int | None = None,
         padding: str = "valid") -> dict[str, Any]:
    return {"class_name": f"{kind}Pooling{rank}D", "config": {
        "pool_size": _t(size, rank), "strides": _t(size if strides is None else strides, rank),
        "padding": padding}}


def gpool(kind: str, rank: int, keepdims: bool = False) -> dict[str, Any]:
    return {"class_name": f"Global{kind}Pooling{rank}D", "config": {"keepdims": keepdims}}


def dense(units: int, use_bias: bool = True) -> dict[str, Any]:
    return {"class_name": "Dense", "config": {"units": units, "use_bias": use_bias}}


def bn(center: bool = True, scale: bool = True) -> dict[str, Any]:
    return {"class_name": "BatchNormalization",
            "config": {"axis": -1, "center": center, "scale": scale}}


FLATTEN: dict[str, Any] = {"class_name": "Flatten", "config": {}}


def run(input_shape: list[int], *layers: dict[str, Any]) -> list[LayerResult]:
    return reference({"input_shape": input_shape, "layers": list(layers)})


def last(input_shape: list[int], *layers: dict[str, Any]) -> LayerResult:
    return run(input_shape, *layers)[-1]


# --------------------------------------------------------------------------
# Hand-worked numbers from the brief and misconceptions.md
# --------------------------------------------------------------------------


def test_keras_mnist_convnet() -> None:
    results = run([28, 28, 1], conv(2, 32, 3), pool("Max", 2, 2), conv(2, 64, 3),
                  pool("Max", 2, 2), conv(2, 64, 3))
    assert [r.output_shape for r in results] == [
        (26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 64)]
    assert [r.trainable for r in results] == [320, 0, 18_496, 0, 36_928]
    assert all(r.non_trainable == 0 and r.torch_params == r.trainable for r in results)
    assert [r.class_name for r in results][:2] == ["Conv2D", "MaxPooling2D"]


def test_conv_counts_on_rgb() -> None:
    assert last([32, 32, 3], conv(2, 32, 3)).trainable == 896
    assert last([24, 24, 3], conv(2, 10, 3)).trainable == 280


@pytest.mark.parametrize(("size", "k", "s", "expected"), [(64, 4, 2, 32), (7, 7, 2, 4),
                                                          (7, 3, 2, 4), (8, 3, 2, 4)])
def test_same_padding_with_stride_is_ceil(size: int, k: int, s: int, expected: int) -> None:
    out = last([size, size, 3], conv(2, 6, k, strides=s, padding="same")).output_shape
    assert out == (expected, expected, 6)


def test_transposed_conv_valid_lengths() -> None:
    assert last([2, 2, 1], conv_t(2, 1, 3, strides=2)).output_shape == (5, 5, 1)
    # k < s: Keras pads to n*s (PyTorch's raw length would be 14).
    assert last([5, 5, 1], conv_t(2, 1, 2, strides=3)).output_shape == (15, 15, 1)


def test_separable_one_filter_on_3x3x3() -> None:
    r = last([3, 3, 3], separable(2, 1, 2))
    assert (r.trainable, r.torch_params, r.output_shape) == (16, 16, (2, 2, 1))


def test_depthwise_mobilenet_dw1_no_bias() -> None:
    r = last([112, 112, 32], depthwise(2, 3, padding="same", use_bias=False))
    assert (r.trainable, r.output_shape) == (288, (112, 112, 32))


def test_batchnorm_64_channels_keras_vs_torch() -> None:
    r = last([8, 8, 64], bn())
    assert (r.trainable, r.non_trainable, r.torch_params) == (128, 128, 128)
    assert r.keras_params == 256


def test_dense_on_2d_input_acts_on_last_axis() -> None:
    r = last([5, 10], dense(100))
    assert (r.trainable, r.output_shape) == (1_100, (5, 100))
    assert last([20, 5], dense(10)).trainable == 60


def test_maxpool1d_stride_defaults_to_pool_size() -> None:
    assert last([6, 1], pool("Max", 1, 3)).output_shape == (2, 1)
    assert last([494, 7], pool("Max", 1, 5)).output_shape == (98, 7)


def test_conv1d_on_embeddings() -> None:
    r = last([1000, 100], conv(1, 128, 5))
    assert (r.trainable, r.output_shape) == (64_128, (996, 128))


def test_alexnet_like_conv1_floors() -> None:
    assert last([224, 224, 3], conv(2, 96, 11, strides=4)).output_shape == (54, 54, 96)
    assert last([227, 227, 3], conv(2, 96, 11, strides=4)).trainable == 34_944


def test_lenet5_tutorial_variant_total() -> None:
    stack = {"input_shape": [32, 32, 1], "layers": [
        conv(2, 6, 5), pool("Average", 2, 2), conv(2, 16, 5), pool("Average", 2, 2),
        conv(2, 120, 5), FLATTEN, dense(84), dense(10)]}
    assert [r.trainable for r in reference(stack)] == [156, 0, 2_416, 0, 48_120, 0, 10_164, 850]
    assert keras_totals(stack) == (61_706, 61_706, 0)


def test_totals_split_keras_and_torch_conventions() -> None:
    stack = {"input_shape": [28, 28, 1], "layers": [
        conv(2, 32, 3, use_bias=False), bn(), {"class_name": "ReLU", "config": {}},
        gpool("Average", 2), dense(10)]}
    # conv 288, BN 64 + 64, dense 330
    assert keras_totals(stack) == (288 + 128 + 330, 288 + 64 + 330, 64)
    assert torch_param_count(stack) == 288 + 64 + 330


# --------------------------------------------------------------------------
# One test per supported class name
# --------------------------------------------------------------------------


def test_conv1d() -> None:
    r = last([10, 4], conv(1, 8, 3, strides=2, padding="same"))
    assert (r.output_shape, r.trainable) == ((5, 8), 3 * 4 * 8 + 8)


def test_conv2d_groups_and_dilation() -> None:
    r = last([16, 16, 8], conv(2, 12, 3, dilation=2, groups=4))
    assert (r.output_shape, r.trainable) == ((12, 12, 12), 9 * 2 * 12 + 12)


def test_conv3d() -> None:
    r = last([8, 9, 10, 2], conv(3, 4, [3, 3, 3], strides=[2, 2, 2]))
    assert (r.output_shape, r.trainable) == ((3, 4, 4, 4), 27 * 2 * 4 + 4)


def test_conv1d_transpose() -> None:
    r = last([7, 3], conv_t(1, 5, 4, strides=2, padding="same"))
    assert (r.output_shape, r.trainable) == ((14, 5), 4 * 3 * 5 + 5)


@pytest.mark.parametrize(("n", "k", "s", "padding", "op", "d", "expected"), [
    (4, 3, 2, "same", None, 1, 8),    # n*s, odd excess cropped at the end
    (4, 2, 1, "same", None, 1, 4),    # even k, stride 1: PyTorch padding can't do it alone
    (4, 4, 1, "same", None, 1, 4),
    (4, 1, 3, "same", None, 1, 12),   # k < s: extension via output_padding
    (4, 3, 2, "same", 1, 1, 8),       # (n-1)*s + 3 - 2 + 1
    (4, 3, 2, "same", 0, 1, 7),
    (4, 4, 2, "same", 1, 1, 7),       # (n-1)*s + 4 - 4 + 1
    (4, 3, 2, "valid", 1, 1, 10),     # (n-1)*s + 3 + 1
    (4, 3, 1, "valid", None, 2, 8),   # dilated k' = 5: n + 4
    (4, 3, 1, "same", None, 2, 4),
])
def test_conv2d_transpose_keras_lengths(n: int, k: int, s: int, padding: str,
                                        op: int | None, d: int, expected: int) -> None:
    r = last([n, n, 2], conv_t(2, 3, k, strides=s, padding=padding, output_padding=op,
                               dilation=d))
    assert r.output_shape == (expected, expected, 3)
    assert r.trainable == k * k * 2 * 3 + 3


def test_conv3d_transpose() -> None:
    r = last([2, 3, 4, 1], conv_t(3, 2, 2, strides=2, use_bias=False))
    assert (r.output_shape, r.trainable) == ((4, 6, 8, 2), 8 * 1 * 2)


def test_depthwise_conv1d() -> None:
    r = last([10, 3], depthwise(1, 3, strides=2, dm=2))
    assert (r.output_shape, r.trainable) == ((4, 6), 3 * 3 * 2 + 6)


def test_depthwise_conv2d_multiplier() -> None:
    r = last([9, 9, 4], depthwise(2, 3, strides=2, padding="same", dm=3))
    assert (r.output_shape, r.trainable) == ((5, 5, 12), 9 * 4 * 3 + 12)


def test_separable_conv1d() -> None:
    r = last([20, 4], separable(1, 8, 5, dm=2))
    assert (r.output_shape, r.trainable) == ((16, 8), 5 * 4 * 2 + 8 * 8 + 8)


def test_separable_conv2d_same_no_bias() -> None:
    r = last([15, 15, 16], separable(2, 32, 3, strides=2, padding="same", use_bias=False))
    assert (r.output_shape, r.trainable) == ((8, 8, 32), 9 * 16 + 16 * 32)


def test_dense_after_flatten() -> None:
    r = last([7, 7, 32], FLATTEN, dense(10))
    assert (r.output_shape, r.trainable) == ((10,), 1_568 * 10 + 10)
    assert last([4], dense(3, use_bias=False)).trainable == 12


@pytest.mark.parametrize(("rank", "shape", "expected"), [
    (1, [9, 2], (4, 2)), (2, [9, 7, 2], (4, 3, 2)), (3, [5, 6, 7, 2], (2, 3, 3, 2))])
@pytest.mark.parametrize("kind", ["Max", "Average"])
def test_pooling_valid(kind: str, rank: int, shape: list[int], expected: tuple[int, ...]) -> None:
    r = last(shape, pool(kind, rank, 2))
    assert (r.output_shape, r.trainable) == (expected, 0)


@pytest.mark.parametrize("kind", ["Max", "Average"])
def test_pooling_same_and_custom_stride(kind: str) -> None:
    assert last([7, 7, 3], pool(kind, 2, 2, padding="same")).output_shape == (4, 4, 3)
    assert last([13, 13, 3], pool(kind, 2, 3, strides=2)).output_shape == (6, 6, 3)
    assert last([10, 3], pool(kind, 1, 3, strides=1, padding="same")).output_shape == (10, 3)
    assert last([5, 5, 5, 1], pool(kind, 3, 2, padding="same")).output_shape == (3, 3, 3, 1)


def test_same_pooling_excludes_padding() -> None:
    """Keras's "same" windows see real inputs only: -inf for max, exclusive mean."""
    import torch
    from torch_reference import build_layer

    x = -torch.ones(1, 3, 3, 1)  # all -1: zero padding would leak into max and mean
    for kind in ("Max", "Average"):
        y = build_layer(pool(kind, 2, 2, padding="same"), (3, 3, 1))(x)
        assert y.shape == (1, 2, 2, 1)
        assert torch.allclose(y, -torch.ones_like(y)), kind


@pytest.mark.parametrize("kind", ["Max", "Average"])
@pytest.mark.parametrize(("rank", "shape"), [(1, [9, 5]), (2, [9, 7, 5]), (3, [3, 4, 5, 5])])
def test_global_pooling(kind: str, rank: int, shape: list[int]) -> None:
    assert last(shape, gpool(kind, rank)).output_shape == (5,)
    assert last(shape, gpool(kind, rank, keepdims=True)).output_shape == (1,) * rank + (5,)


def test_flatten_dropout_activation_relu_have_no_params() -> None:
    results = run([5, 5, 4], FLATTEN, {"class_name": "Dropout", "config": {"rate": 0.5}},
                  {"class_name": "Activation", "config": {"activation": "softmax"}},
                  {"class_name": "ReLU",
                   "config": {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}})
    assert [r.output_shape for r in results] == [(100,)] * 4
    assert all(r.keras_params == 0 and r.torch_params == 0 for r in results)
    assert last([3], {"class_name": "Activation", "config": {"activation": "relu"}}
                ).output_shape == (3,)


@pytest.mark.parametrize(("center", "scale", "trainable"), [
    (True, True, 32), (True, False, 16), (False, True, 16), (False, False, 0)])
def test_batchnorm_center_scale(center: bool, scale: bool, trainable: int) -> None:
    r = last([4, 4, 16], bn(center, scale))
    assert (r.trainable, r.non_trainable, r.torch_params) == (trainable, 32, trainable)
    assert r.output_shape == (4, 4, 16)


@pytest.mark.parametrize(("shape", "channels"), [([512], 512), ([10, 6], 6),
                                                 ([2, 3, 4, 5], 5)])
def test_batchnorm_any_rank(shape: list[int], channels: int) -> None:
    r = last(shape, bn())
    assert (r.trainable, r.non_trainable, r.output_shape) == (
        2 * channels, 2 * channels, tuple(shape))


def test_zero_padding_1d_2d_3d() -> None:
    assert last([10, 3], {"class_name": "ZeroPadding1D", "config": {"padding": [2, 1]}}
                ).output_shape == (13, 3)
    r = last([28, 28, 1], {"class_name": "ZeroPadding2D",
                           "config": {"padding": [[2, 2], [1, 0]]}})
    assert (r.output_shape, r.keras_params) == ((32, 29, 1), 0)
    assert last([4, 4, 4, 2], {"class_name": "ZeroPadding3D",
                               "config": {"padding": [[1, 1], [0, 2], [3, 0]]}}
                ).output_shape == (6, 6, 7, 2)


def test_zero_padding_then_valid_conv_is_pytorch_padding() -> None:
    """PyTorch's Conv2d(padding=2) is ZeroPadding2D + valid conv in the contract."""
    results = run([28, 28, 1], {"class_name": "ZeroPadding2D",
                                "config": {"padding": [[2, 2], [2, 2]]}},
                  conv(2, 16, 5), pool("Max", 2, 2), FLATTEN, dense(10))
    assert results[1].output_shape == (28, 28, 16)
    assert results[-1].trainable == 16 * 14 * 14 * 10 + 10


def test_embedding_and_layer_normalization() -> None:
    r = last([500], {"class_name": "Embedding", "config": {"input_dim": 10_000,
                                                          "output_dim": 128}})
    assert (r.output_shape, r.trainable) == ((500, 128), 1_280_000)
    r = last([7, 7, 32], {"class_name": "LayerNormalization",
                          "config": {"axis": -1, "center": True, "scale": True}})
    assert (r.output_shape, r.trainable, r.non_trainable) == ((7, 7, 32), 64, 0)


def test_every_contract_class_is_supported() -> None:
    names = {f"Conv{r}D" for r in (1, 2, 3)} | {f"Conv{r}DTranspose" for r in (1, 2, 3)}
    names |= {f"DepthwiseConv{r}D" for r in (1, 2)} | {f"SeparableConv{r}D" for r in (1, 2)}
    names |= {f"{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)}
    names |= {f"Global{k}Pooling{r}D" for k in ("Max", "Average") for r in (1, 2, 3)}
    names |= {f"ZeroPadding{r}D" for r in (1, 2, 3)}
    names |= {"Dense", "Flatten", "Dropout", "Activation", "ReLU", "BatchNormalization"}
    assert names <= SUPPORTED_LAYERS


# --------------------------------------------------------------------------
# Stacks Keras rejects are errors, not numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("layer", [
    conv(2, 8, 3, strides=2, dilation=2),                 # Keras: strides>1 with dilation>1
    conv(2, 8, 3, groups=3),                              # 4 channels not divisible by 3
    conv_t(2, 8, 3, strides=2, output_padding=2),         # output_padding must be < strides
    conv(2, 8, 7),                                        # kernel larger than valid input
    conv(1, 8, 3),                                        # wrong input rank
    {"class_name": "Conv2D", "config": {**conv(2, 8, 3)["config"], "padding": "causal"}},
    {"class_name": "Activation", "config": {"activation": "no-such-thing"}},
    {"class_name": "LSTM", "config": {"units": 4}},
])
def test_invalid_layers_raise(layer: dict[str, Any]) -> None:
    with pytest.raises(StackError, match="layer 0"):
        run([5, 5, 4], layer)


def test_invalid_input_shape_raises() -> None:
    with pytest.raises(StackError):
        reference({"input_shape": [0, 3], "layers": []})


def test_oracle_is_independent_of_quizgen() -> None:
    tree = ast.parse((Path(__file__).parent / "torch_reference.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "quizgen" for name in imported)
