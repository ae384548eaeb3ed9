"""Independent PyTorch oracle for quizgen layer stacks.

The engine in ``quizgen`` computes output shapes and parameter counts with
formulas. This module is the truth it is cross-checked against, so it must not
share code with it: it imports nothing from ``quizgen`` and derives every
number by *measuring* real ``torch.nn`` modules.

For each layer of a stack (the Keras-3-serialization JSON contract in
``stack-format.md``: channels-last, batch left out) it builds PyTorch modules,
runs a forward pass on a ``torch.zeros`` batch of one and reads

* the output shape from the resulting tensor, and
* the parameter counts from ``module.parameters()`` / ``module.buffers()``.

The running tensor is kept channels-last, as in Keras; each spatial layer is
wrapped in :class:`ChannelsFirst`, which moves the channel axis to where
PyTorch expects it and back. Keras semantics that PyTorch lacks are built from
real modules too: TF-style "same" padding is an explicit (possibly
asymmetric) ``ConstantPad`` before a padding-free conv/pool, Keras's
transposed-conv output length is realised with ``padding``/``output_padding``
plus a one-pixel crop where PyTorch cannot express it, and a SeparableConv is
a bias-free depthwise conv followed by a pointwise conv.

Validation mirrors Keras 3: stacks Keras would refuse (e.g. ``strides > 1``
together with ``dilation_rate > 1`` on a plain or transposed conv, ``output_padding >= strides``, channels
not divisible by ``groups``, kernels larger than a "valid" input) raise
:class:`StackError` instead of producing numbers.

Public API: :class:`LayerResult`, :func:`reference`, :func:`build_layer`,
:func:`torch_param_count`, :func:`keras_totals`, :class:`StackError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

__all__ = [
    "LayerResult",
    "StackError",
    "build_layer",
    "keras_totals",
    "reference",
    "torch_param_count",
]

Shape = tuple[int, ...]
Pads = list[tuple[int, int]]  # per spatial dim: (before, after)

_CONV: dict[int, type[nn.Module]] = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
_CONV_T: dict[int, type[nn.Module]] = {
    1: nn.ConvTranspose1d,
    2: nn.ConvTranspose2d,
    3: nn.ConvTranspose3d,
}
_MAXPOOL: dict[int, type[nn.Module]] = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
_AVGPOOL: dict[int, type[nn.Module]] = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}
_GAP: dict[int, type[nn.Module]] = {
    1: nn.AdaptiveAvgPool1d,
    2: nn.AdaptiveAvgPool2d,
    3: nn.AdaptiveAvgPool3d,
}
_GMP: dict[int, type[nn.Module]] = {
    1: nn.AdaptiveMaxPool1d,
    2: nn.AdaptiveMaxPool2d,
    3: nn.AdaptiveMaxPool3d,
}
_PAD: dict[int, type[nn.Module]] = {
    1: nn.ConstantPad1d,
    2: nn.ConstantPad2d,
    3: nn.ConstantPad3d,
}
_ZEROPAD: dict[int, type[nn.Module]] = {1: nn.ZeroPad1d, 2: nn.ZeroPad2d, 3: nn.ZeroPad3d}
# BatchNorm class by number of non-batch dims once the channel axis is at dim 1:
# (C,) and (C, L) -> 1d, (C, H, W) -> 2d, (C, D, H, W) -> 3d.
_BATCHNORM: dict[int, type[nn.Module]] = {
    1: nn.BatchNorm1d,
    2: nn.BatchNorm1d,
    3: nn.BatchNorm2d,
    4: nn.BatchNorm3d,
}

# Keras activation names -> PyTorch modules. Only the shape matters to the
# oracle, but an unknown name is an error rather than a silent identity.
_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "linear": nn.Identity,
    "relu": nn.ReLU,
    "relu6": nn.ReLU6,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "mish": nn.Mish,
    "sigmoid": nn.Sigmoid,
    "hard_sigmoid": nn.Hardsigmoid,
    "hard_silu": nn.Hardswish,
    "hard_swish": nn.Hardswish,
    "tanh": nn.Tanh,
    "softplus": nn.Softplus,
    "softsign": nn.Softsign,
    "softmax": lambda: nn.Softmax(dim=-1),  # Keras: softmax over the last axis
    "log_softmax": lambda: nn.LogSoftmax(dim=-1),
}

# Buffers Keras counts as non-trainable weights (num_batches_tracked is not one).
_KERAS_NON_TRAINABLE_BUFFERS = frozenset({"running_mean", "running_var"})


class StackError(ValueError):
    """A stack Keras would reject, or one the oracle cannot build."""


@dataclass(frozen=True)
class LayerResult:
    """What the oracle measured for one layer of a stack.

    ``output_shape`` is channels-last with the batch left out (as Keras's
    ``model.summary()`` shows it). ``trainable``/``non_trainable`` follow
    Keras's convention (BatchNorm moving statistics are non-trainable
    weights); ``torch_params`` is ``sum(p.numel() for p in module.parameters())``
    for the PyTorch module(s) that realise the layer.
    """

    output_shape: Shape
    trainable: int
    non_trainable: int
    torch_params: int
    class_name: str = ""

    @property
    def keras_params(self) -> int:
        """Keras's "Param #" column: trainable plus non-trainable."""
        return self.trainable + self.non_trainable


# --------------------------------------------------------------------------
# Helper modules
# --------------------------------------------------------------------------


class ChannelsFirst(nn.Module):
    """Run ``inner`` with the channel axis moved to dim 1, then move it back.

    The oracle keeps tensors channels-last like Keras; PyTorch's conv, pool and
    norm modules want channels first.
    """

    def __init__(self, inner: nn.Module, axis: int = -1) -> None:
        super().__init__()
        self.inner = inner
        self.axis = axis

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.inner(x.movedim(self.axis, 1))
        # Global pooling without keepdims returns (N, C): nothing to move back.
        return y.movedim(1, self.axis) if y.dim() == x.dim() else y


class CropEnd(nn.Module):
    """Drop ``crop[i]`` trailing elements of spatial dim ``i`` (channels-first).

    Needed where Keras crops a transposed conv asymmetrically (one more at the
    end), which PyTorch's symmetric ``padding`` cannot express.
    """

    def __init__(self, crop: Sequence[int]) -> None:
        super().__init__()
        self.crop = tuple(crop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        index: list[slice] = [slice(None), slice(None)]
        index += [slice(0, x.shape[2 + i] - c) for i, c in enumerate(self.crop)]
        return x[tuple(index)]


class SameAvgPool(nn.Module):
    """Average pooling with TF "same" padding, padding excluded from the mean.

    Keras divides each window by the number of *real* inputs in it; with
    asymmetric padding PyTorch's ``count_include_pad=False`` cannot be used, so
    the window sum is divided by the pooled count of a ones mask.
    """

    def __init__(self, pad: nn.Module, pool: nn.Module) -> None:
        super().__init__()
        self.pad = pad
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ones = torch.ones_like(x[:, :1])
        return self.pool(self.pad(x)) / self.pool(self.pad(ones))


class LongInput(nn.Module):
    """Cast the (all-zero float) probe input to indices for an Embedding."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.long())


# --------------------------------------------------------------------------
# Config helpers
# --------------------------------------------------------------------------


def _ints(value: Any, rank: int, key: str) -> tuple[int, ...]:
    """A Keras int-or-tuple argument as a ``rank``-tuple of ints."""
    if isinstance(value, bool):
        raise StackError(f"{key} must be int or list of ints, got {value!r}")
    if isinstance(value, int):
        return (value,) * rank
    if isinstance(value, (list, tuple)) and len(value) == rank and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return tuple(value)
    raise StackError(f"{key} must be an int or {rank} ints, got {value!r}")


def _spatial(shape: Shape, rank: int, name: str) -> tuple[Shape, int]:
    """Split a channels-last shape into (spatial dims, channels), checking rank."""
    if len(shape) != rank + 1:
        raise StackError(
            f"{name} expects a rank-{rank + 1} input (spatial..., channels), got {shape}"
        )
    return shape[:-1], shape[-1]


def _padding_mode(cfg: Mapping[str, Any]) -> str:
    mode = str(cfg.get("padding", "valid")).lower()
    if mode not in ("valid", "same"):
        raise StackError(f"padding must be 'valid' or 'same', got {mode!r}")
    return mode


def _check_stride_dilation(strides: Shape, dilation: Shape) -> None:
    """Keras 3 conv layers refuse strides > 1 combined with dilation > 1."""
    if max(strides) > 1 and max(dilation) > 1:
        raise StackError(
            f"Keras does not support strides > 1 with dilation_rate > 1 "
            f"(strides={strides}, dilation_rate={dilation})"
        )


def _same_pads(sizes: Shape, kernel: Shape, strides: Shape, dilation: Shape) -> Pads:
    """TF/Keras "same" padding: output ceil(n/s), the odd pixel goes at the end."""
    pads: Pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        out = -(-n // s)
        total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_module(pads: Pads, value: float) -> nn.Module:
    """A ``ConstantPadNd`` for per-dim (before, after) pads (F.pad order: last dim first)."""
    flat: list[int] = []
    for before, after in reversed(pads):
        flat += [before, after]
    return _PAD[len(pads)](tuple(flat), value)


def _maybe_same(
    op: nn.Module,
    mode: str,
    sizes: Shape,
    kernel: Shape,
    strides: Shape,
    dilation: Shape,
    value: float = 0.0,
) -> nn.Module:
    """Prefix ``op`` (built with padding=0) with Keras "same" padding if asked."""
    if mode == "valid":
        return op
    pads = _same_pads(sizes, kernel, strides, dilation)
    if not any(before or after for before, after in pads):
        return op
    return nn.Sequential(_pad_module(pads, value), op)


def _conv_args(cfg: Mapping[str, Any], rank: int, plain: bool = True) -> tuple[Shape, Shape, Shape, str]:
    """Kernel, strides, dilation and padding mode; only plain and transposed convolutions refuse
    strides with dilation (Keras's depthwise and separable layers take both)."""
    kernel = _ints(cfg["kernel_size"], rank, "kernel_size")
    strides = _ints(cfg.get("strides", 1), rank, "strides")
    dilation = _ints(cfg.get("dilation_rate", 1), rank, "dilation_rate")
    if min(kernel) < 1 or min(strides) < 1 or min(dilation) < 1:
        raise StackError("kernel_size, strides and dilation_rate must be >= 1")
    if plain:
        _check_stride_dilation(strides, dilation)
    return kernel, strides, dilation, _padding_mode(cfg)


# --------------------------------------------------------------------------
# Layer builders: (config, channels-last input shape) -> module on channels-last
# --------------------------------------------------------------------------


def _conv(cfg: Mapping[str, Any], shape: Shape, rank: int) -> nn.Module:
    sizes, c_in = _spatial(shape, rank, f"Conv{rank}D")
    kernel, strides, dilation, mode = _conv_args(cfg, rank)
    filters, groups = int(cfg["filters"]), int(cfg.get("groups", 1))
    if groups < 1 or filters % groups or c_in % groups:
        raise StackError(
            f"filters ({filters}) and input channels ({c_in}) must be divisible "
            f"by groups ({groups})"
        )
    conv = _CONV[rank](
        c_in,
        filters,
        kernel,
        stride=strides,
        dilation=dilation,
        groups=groups,
        bias=bool(cfg.get("use_bias", True)),
    )
    return ChannelsFirst(_maybe_same(conv, mode, sizes, kernel, strides, dilation))


def _transpose_plan(
    n: int, k: int, s: int, d: int, mode: str, output_padding: int | None
) -> tuple[int, int, int]:
    """PyTorch (padding, output_padding, end crop) giving Keras's length.

    Keras (conv_utils.deconv_output_length) with dilated kernel k' wants
    ``n*s + max(k'-s, 0)`` (valid) or ``n*s`` (same) when output_padding is
    null, else ``(n-1)*s + k' - 2*pad + output_padding`` with pad = k'//2 for
    same and 0 for valid. PyTorch's un-padded length is ``(n-1)*s + k'``. A
    longer target is reached with ``output_padding`` (always < stride, since
    Keras requires output_padding < strides); a shorter one is cropped like
    TF's "same", floor(excess/2) at the start and the rest at the end, i.e.
    ``padding`` crops both sides and a one-element ``CropEnd`` fixes odd excess.
    """
    kd = d * (k - 1) + 1
    if output_padding is None:
        target = n * s + (max(kd - s, 0) if mode == "valid" else 0)
    else:
        pad = kd // 2 if mode == "same" else 0
        target = (n - 1) * s + kd - 2 * pad + output_padding
    excess = (n - 1) * s + kd - target
    if excess <= 0:
        return 0, -excess, 0
    start = excess // 2
    return start, 0, excess - 2 * start


def _conv_transpose(cfg: Mapping[str, Any], shape: Shape, rank: int) -> nn.Module:
    sizes, c_in = _spatial(shape, rank, f"Conv{rank}DTranspose")
    kernel, strides, dilation, mode = _conv_args(cfg, rank)
    if int(cfg.get("groups", 1)) != 1:
        raise StackError("Keras's ConvTranspose layers have no groups argument")
    raw_op = cfg.get("output_padding")
    out_pad = None if raw_op is None else _ints(raw_op, rank, "output_padding")
    if out_pad is not None and any(o >= s or o < 0 for o, s in zip(out_pad, strides)):
        raise StackError(f"Keras requires 0 <= output_padding < strides, got {out_pad}")
    plans = [
        _transpose_plan(n, k, s, d, mode, None if out_pad is None else out_pad[i])
        for i, (n, k, s, d) in enumerate(zip(sizes, kernel, strides, dilation))
    ]
    conv = _CONV_T[rank](
        c_in,
        int(cfg["filters"]),
        kernel,
        stride=strides,
        padding=tuple(p for p, _, _ in plans),
        output_padding=tuple(o for _, o, _ in plans),
        dilation=dilation,
        bias=bool(cfg.get("use_bias", True)),
    )
    crop = [c for _, _, c in plans]
    inner: nn.Module = nn.Sequential(conv, CropEnd(crop)) if any(crop) else conv
    return ChannelsFirst(inner)


def _depthwise(cfg: Mapping[str, Any], shape: Shape, rank: int) -> nn.Module:
    sizes, c_in = _spatial(shape, rank, f"DepthwiseConv{rank}D")
    kernel, strides, dilation, mode = _conv_args(cfg, rank, plain=False)
    dm = int(cfg.get("depth_multiplier", 1))
    conv = _CONV[rank](
        c_in,
        c_in * dm,
        kernel,
        stride=strides,
        dilation=dilation,
        groups=c_in,
        bias=bool(cfg.get("use_bias", True)),
    )
    return ChannelsFirst(_maybe_same(conv, mode, sizes, kernel, strides, dilation))


def _separable(cfg: Mapping[str, Any], shape: Shape, rank: int) -> nn.Module:
    """Keras SeparableConv: bias-free depthwise, then pointwise with the one bias."""
    sizes, c_in = _spatial(shape, rank, f"SeparableConv{rank}D")
    kernel, strides, dilation, mode = _conv_args(cfg, rank, plain=False)
    dm = int(cfg.get("depth_multiplier", 1))
    depthwise = _CONV[rank](
        c_in, c_in * dm, kernel, stride=strides, dilation=dilation, groups=c_in, bias=False
    )
    pointwise = _CONV[rank](
        c_in * dm, int(cfg["filters"]), 1, bias=bool(cfg.get("use_bias", True))
    )
    first = _maybe_same(depthwise, mode, sizes, kernel, strides, dilation)
    return ChannelsFirst(nn.Sequential(first, pointwise))


def _pool(cfg: Mapping[str, Any], shape: Shape, rank: int, kind: str) -> nn.Module:
    sizes, _ = _spatial(shape, rank, f"{kind}Pooling{rank}D")
    pool_size = _ints(cfg["pool_size"], rank, "pool_size")
    raw_strides = cfg.get("strides")
    strides = pool_size if raw_strides is None else _ints(raw_strides, rank, "strides")
    mode = _padding_mode(cfg)
    ones = (1,) * rank
    if kind == "Max":
        op = _MAXPOOL[rank](pool_size, stride=strides)
        # -inf padding never wins a max, so windows see only real inputs.
        return ChannelsFirst(
            _maybe_same(op, mode, sizes, pool_size, strides, ones, value=float("-inf"))
        )
    op = _AVGPOOL[rank](pool_size, stride=strides)
    if mode == "same":
        pads = _same_pads(sizes, pool_size, strides, ones)
        if any(before or after for before, after in pads):
            return ChannelsFirst(SameAvgPool(_pad_module(pads, 0.0), op))
    return ChannelsFirst(op)


def _global_pool(cfg: Mapping[str, Any], shape: Shape, rank: int, kind: str) -> nn.Module:
    _spatial(shape, rank, f"Global{kind}Pooling{rank}D")
    op = (_GMP if kind == "Max" else _GAP)[rank](1)
    if cfg.get("keepdims", False):
        return ChannelsFirst(op)  # (1, ..., 1, C)
    return ChannelsFirst(nn.Sequential(op, nn.Flatten(1)))  # (C,)


def _zero_pad_spec(value: Any, rank: int) -> Pads:
    """Keras ZeroPaddingND forms: int, one int per dim, or (before, after) per dim."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [(value, value)] * rank
    if isinstance(value, (list, tuple)):
        items = list(value)
        if rank == 1 and len(items) == 2 and all(isinstance(v, int) for v in items):
            return [(items[0], items[1])]
        if len(items) == rank:
            if all(isinstance(v, int) for v in items):
                return [(v, v) for v in items]
            if all(isinstance(v, (list, tuple)) and len(v) == 2 for v in items):
                return [(int(a), int(b)) for a, b in items]
    raise StackError(f"cannot read ZeroPadding{rank}D padding {value!r}")


def _zero_padding(cfg: Mapping[str, Any], shape: Shape, rank: int) -> nn.Module:
    _spatial(shape, rank, f"ZeroPadding{rank}D")
    pads = _zero_pad_spec(cfg.get("padding", 1), rank)
    flat: list[int] = []
    for before, after in reversed(pads):
        flat += [before, after]
    return ChannelsFirst(_ZEROPAD[rank](tuple(flat)))


def _dense(cfg: Mapping[str, Any], shape: Shape) -> nn.Module:
    """Keras Dense acts on the last axis only; nn.Linear does exactly that."""
    if not shape:
        raise StackError("Dense needs an input with at least one axis")
    return nn.Linear(shape[-1], int(cfg["units"]), bias=bool(cfg.get("use_bias", True)))


def _batch_norm(cfg: Mapping[str, Any], shape: Shape) -> nn.Module:
    """BatchNorm with Keras's weights.

    ``affine`` covers center == scale; for a mismatch the absent affine
    parameter is removed (set to None, which ``F.batch_norm`` accepts), so
    ``parameters()`` holds exactly Keras's trainable gamma/beta and the
    running mean/var buffers are Keras's non-trainable weights.
    """
    axis = cfg.get("axis", -1)
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise StackError(f"BatchNormalization over several axes {axis} is unsupported")
        axis = axis[0]
    batched_rank = len(shape) + 1
    axis = int(axis) + (batched_rank if int(axis) < 0 else 0)
    if not 1 <= axis < batched_rank:
        raise StackError(f"BatchNormalization axis out of range for input {shape}")
    center, scale = bool(cfg.get("center", True)), bool(cfg.get("scale", True))
    bn = _BATCHNORM[len(shape)](shape[axis - 1], affine=center or scale)
    if center and not scale:
        bn.weight = None
    if scale and not center:
        bn.bias = None
    return ChannelsFirst(bn, axis=axis)


def _layer_norm(cfg: Mapping[str, Any], shape: Shape) -> nn.Module:
    """LayerNormalization over trailing axes (Keras's gamma/beta per normalised element)."""
    raw = cfg.get("axis", -1)
    axes = sorted(
        (a + len(shape) + 1 if a < 0 else a)
        for a in (raw if isinstance(raw, (list, tuple)) else [raw])
    )
    if axes != list(range(len(shape) + 1 - len(axes), len(shape) + 1)) or axes[0] < 1:
        raise StackError(f"LayerNormalization axis {raw} must be trailing axes of {shape}")
    center, scale = bool(cfg.get("center", True)), bool(cfg.get("scale", True))
    ln = nn.LayerNorm(
        tuple(shape[a - 1] for a in axes),
        eps=float(cfg.get("epsilon", 1e-3)),
        elementwise_affine=center or scale,
        bias=center,
    )
    if center and not scale:
        ln.weight = None
    return ln


def _activation(cfg: Mapping[str, Any], shape: Shape) -> nn.Module:
    name = cfg.get("activation", "linear") or "linear"
    try:
        return _ACTIVATIONS[str(name)]()
    except KeyError:
        raise StackError(f"unknown activation {name!r}") from None


_Builder = Callable[[Mapping[str, Any], Shape], nn.Module]


def _registry() -> dict[str, _Builder]:
    table: dict[str, _Builder] = {
        "Dense": _dense,
        "Flatten": lambda cfg, shape: nn.Flatten(1),
        "Dropout": lambda cfg, shape: nn.Dropout(float(cfg.get("rate", 0.5))),
        "Activation": _activation,
        # max_value / negative_slope / threshold change values, never the shape.
        "ReLU": lambda cfg, shape: nn.ReLU(),
        "BatchNormalization": _batch_norm,
        "LayerNormalization": _layer_norm,
        "Embedding": lambda cfg, shape: LongInput(
            nn.Embedding(int(cfg["input_dim"]), int(cfg["output_dim"]))
        ),
    }
    for r in (1, 2, 3):
        table[f"Conv{r}D"] = lambda cfg, shape, r=r: _conv(cfg, shape, r)
        table[f"Conv{r}DTranspose"] = lambda cfg, shape, r=r: _conv_transpose(cfg, shape, r)
        table[f"MaxPooling{r}D"] = lambda cfg, shape, r=r: _pool(cfg, shape, r, "Max")
        table[f"AveragePooling{r}D"] = lambda cfg, shape, r=r: _pool(cfg, shape, r, "Average")
        table[f"GlobalMaxPooling{r}D"] = lambda cfg, shape, r=r: _global_pool(
            cfg, shape, r, "Max"
        )
        table[f"GlobalAveragePooling{r}D"] = lambda cfg, shape, r=r: _global_pool(
            cfg, shape, r, "Average"
        )
        table[f"ZeroPadding{r}D"] = lambda cfg, shape, r=r: _zero_padding(cfg, shape, r)
    for r in (1, 2):  # Keras has no 3D depthwise/separable layers
        table[f"DepthwiseConv{r}D"] = lambda cfg, shape, r=r: _depthwise(cfg, shape, r)
        table[f"SeparableConv{r}D"] = lambda cfg, shape, r=r: _separable(cfg, shape, r)
    return table


_BUILDERS: dict[str, _Builder] = _registry()
SUPPORTED_LAYERS: frozenset[str] = frozenset(_BUILDERS)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def build_layer(layer: Mapping[str, Any], input_shape: Sequence[int]) -> nn.Module:
    """The module (in eval mode) for one serialized layer on a channels-last input.

    The module maps a batched channels-last tensor to a batched channels-last
    tensor. Building needs the input shape because PyTorch modules take their
    input channel count (and "same" padding its pad widths) up front.
    """
    name = layer.get("class_name")
    builder = _BUILDERS.get(str(name))
    if builder is None:
        raise StackError(f"unsupported layer class {name!r}")
    config = layer.get("config") or {}
    module = builder(config, tuple(int(n) for n in input_shape))
    if config.get("trainable") is False:  # Keras's frozen layer: its weights stop training
        module.requires_grad_(False)
    return module.eval()


def _measure(module: nn.Module) -> tuple[int, int, int]:
    """(Keras trainable, Keras non-trainable, PyTorch parameter count)."""
    torch_params = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = torch_params - trainable
    buffers = sum(
        b.numel()
        for name, b in module.named_buffers()
        if name.rsplit(".", 1)[-1] in _KERAS_NON_TRAINABLE_BUFFERS
    )
    return trainable, frozen + buffers, torch_params


def reference(stack: Mapping[str, Any]) -> list[LayerResult]:
    """Measure every layer of ``stack`` with PyTorch; one result per layer.

    Raises :class:`StackError` (naming the layer) when Keras would reject the
    stack or PyTorch cannot run it.
    """
    raw_shape = stack.get("input_shape")
    if not isinstance(raw_shape, (list, tuple)) or not raw_shape or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in raw_shape
    ):
        raise StackError(f"input_shape must be a non-empty list of positive ints, got {raw_shape!r}")
    results: list[LayerResult] = []
    x = torch.zeros((1, *raw_shape), dtype=torch.float32)
    with torch.no_grad():
        for index, layer in enumerate(stack.get("layers", [])):
            name = str(layer.get("class_name"))
            shape: Shape = tuple(x.shape[1:])
            try:
                module = build_layer(layer, shape)
                x = module(x)
            except StackError as exc:
                raise StackError(f"layer {index} ({name}) on input {shape}: {exc}") from exc
            except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as exc:
                raise StackError(
                    f"layer {index} ({name}) on input {shape}: {type(exc).__name__}: {exc}"
                ) from exc
            if x.dim() < 2 or min(x.shape) < 1:
                raise StackError(f"layer {index} ({name}) produced empty output {tuple(x.shape)}")
            trainable, non_trainable, torch_params = _measure(module)
            results.append(
                LayerResult(
                    output_shape=tuple(int(n) for n in x.shape[1:]),
                    trainable=trainable,
                    non_trainable=non_trainable,
                    torch_params=torch_params,
                    class_name=name,
                )
            )
    return results


def torch_param_count(stack: Mapping[str, Any]) -> int:
    """Whole-stack ``sum(p.numel() for p in model.parameters())`` (BN buffers excluded)."""
    return sum(r.torch_params for r in reference(stack))


def keras_totals(stack: Mapping[str, Any]) -> tuple[int, int, int]:
    """Keras ``model.summary()`` totals: (total, trainable, non_trainable)."""
    results = reference(stack)
    trainable = sum(r.trainable for r in results)
    non_trainable = sum(r.non_trainable for r in results)
    return trainable + non_trainable, trainable, non_trainable
