"""A stack as Keras 3 or PyTorch constructor calls: which call each layer becomes, as data.

Python decides what each layer becomes: a constructor and its arguments, already written as
Python source (`kernel_size=3`). The templates in `templates/code/` lay the program out
(`quizgen.render.code`); kinds ask here which layers have a line of their own.

Keras code is exact: only arguments that differ from Keras's defaults are written, and the model
Keras builds from it is the stack. PyTorch code is written channels-first and counts in PyTorch's
convention (BatchNorm's running statistics are buffers, not parameters). Where the stack has a
symmetric ZeroPadding right before a convolution, the padding is folded into that convolution's
`padding=` (the integer padding a PyTorch author writes), together with Keras's "same" zeros when
the sum stays even; any other ZeroPadding, and the uneven padding of Keras's "same" with a
stride, is an explicit `nn.ZeroPad1d/2d/3d`. `torch_shape_steps` works each layer's shape the
way that code computes it, with PyTorch's formula.
Some stacks have no faithful PyTorch form (Dense on a non-flat input, BatchNorm with only one
of gamma and beta, uneven "same" pooling, ...): `pytorch_problem` says why, and `render_code`
refuses them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

from quizgen.engine.layers import (
    AXES,
    Activation,
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Dropout,
    Flatten,
    GlobalPooling,
    Layer,
    Pooling,
    ReLU,
    SeparableConv,
    Shape,
    Step,
    ZeroPadding,
    shape_text,
    times,
)
from quizgen.engine.stack import Stack
from quizgen.errors import QuizgenError

FRAMEWORKS = ("keras", "pytorch")
LINE_WIDTH = 88  # a call longer than this (indented by 4) is written one argument per line
INDENT = 4

# Keras arguments given by position, in Keras's own order (the rest are keywords).
KERAS_POSITIONAL: dict[type[Layer], tuple[str, ...]] = {
    Conv: ("filters", "kernel_size"), ConvTranspose: ("filters", "kernel_size"),
    SeparableConv: ("filters", "kernel_size"), DepthwiseConv: ("kernel_size",), Dense: ("units",),
    Pooling: ("pool_size",), Dropout: ("rate",), Activation: ("activation",),
}
# Keras's defaults for config keys that are not per-axis; an argument equal to its default is left out.
KERAS_DEFAULTS: dict[str, Any] = {
    "padding": "valid", "groups": 1, "use_bias": True, "depth_multiplier": 1, "output_padding": None,
    "keepdims": False, "axis": -1, "center": True, "scale": True, "max_value": None, "negative_slope": 0.0,
    "threshold": 0.0,
}

# Keras activation names with a PyTorch module that computes the same function on channels-first data.
TORCH_ACTIVATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "linear": ("nn.Identity", ()), "relu": ("nn.ReLU", ()), "relu6": ("nn.ReLU6", ()),
    "sigmoid": ("nn.Sigmoid", ()), "hard_sigmoid": ("nn.Hardsigmoid", ()), "tanh": ("nn.Tanh", ()),
    "elu": ("nn.ELU", ()), "selu": ("nn.SELU", ()), "gelu": ("nn.GELU", ()), "silu": ("nn.SiLU", ()),
    "swish": ("nn.SiLU", ()), "hard_silu": ("nn.Hardswish", ()), "hard_swish": ("nn.Hardswish", ()),
    "mish": ("nn.Mish", ()), "softplus": ("nn.Softplus", ()), "softsign": ("nn.Softsign", ()),
    "leaky_relu": ("nn.LeakyReLU", ("negative_slope=0.2",)),  # Keras's default slope
    "softmax": ("nn.Softmax", ("dim=1",)), "log_softmax": ("nn.LogSoftmax", ("dim=1",)),  # the channel axis
}


@dataclass(frozen=True, slots=True)
class Code:
    """Code shown in a prompt. `layer_lines[i]` are the 1-based lines where the call(s) for stack
    layer i begin (a ZeroPadding folded into a convolution shares that convolution's line), so a
    renderer can highlight the asked-about layer and a prompt can point at it."""

    framework: str
    text: str
    layer_lines: tuple[tuple[int, ...], ...]
    language: str = "python"

    def to_json(self) -> dict[str, str]:
        return {"language": self.language, "framework": self.framework, "text": self.text}


@dataclass(frozen=True, slots=True)
class Call:
    """One constructor in the program, as the template writes it: `name(args...)`.

    `completes`: its output is stack layer `layer`'s output (False for the explicit padding in
    front of a convolution and for the depthwise half of a separable one). `note` names a short
    comment the template words; `wrap` asks for one argument per line.
    """

    name: str
    args: tuple[str, ...]
    layer: int
    completes: bool = True
    frozen: bool = False
    note: str | None = None
    wrap: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """What a code template lays out: the input's size as the framework writes it, and the calls."""

    framework: str
    input_args: str
    calls: tuple[Call, ...]


class Unfaithful(QuizgenError):
    """The stack has no PyTorch form with the same parameters and shapes."""


# --- Python source for values ------------------------------------------------------------------

def py(value: Any) -> str:
    """A value as Python source: (3, 3), (784,), "same", False, 0.25."""
    if isinstance(value, tuple | list):
        items = [py(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def per_axis(values: tuple[int, ...]) -> str:
    """PyTorch's way: one int when every axis agrees (kernel_size=3), else a tuple."""
    return str(values[0]) if len(set(values)) == 1 else py(values)


def keras_axes(values: tuple[int, ...]) -> str:
    """Keras's way: a tuple per axis for 2D/3D, as in the Keras docs, and a plain int for 1D."""
    return str(values[0]) if len(values) == 1 else py(values)


def wrapped(call: Call) -> Call:
    """Marked for one argument per line when `    name(args),` would pass LINE_WIDTH."""
    width = INDENT + len(call.name) + len("(") + len(", ".join(call.args)) + len("),")
    if call.frozen:
        width += len(".requires_grad_(False)")
    return replace(call, wrap=width > LINE_WIDTH and len(call.args) > 1)


# --- Keras -------------------------------------------------------------------------------------

def keras_args(layer: Layer) -> tuple[str, ...]:
    """Positional arguments, then the keywords whose values differ from Keras's defaults."""
    config = layer.config()
    positional = next((names for cls, names in KERAS_POSITIONAL.items() if isinstance(layer, cls)), ())
    args = [_keras_value(name, config[name]) for name in positional]
    for name, value in config.items():
        if name in positional or _keras_default(layer, name, value):
            continue
        args.append(f"{name}={_keras_value(name, value)}")
    return tuple(args)


def _keras_default(layer: Layer, name: str, value: Any) -> bool:
    if name == "strides" and isinstance(layer, Pooling):
        return value == list(layer.pool_size)  # Keras's strides=None: the pool size
    if name in ("strides", "dilation_rate"):
        return set(value) == {1}
    return name in KERAS_DEFAULTS and value == KERAS_DEFAULTS[name]


def _keras_value(name: str, value: Any) -> str:
    if name == "padding" and isinstance(value, list):  # ZeroPadding
        return _keras_zero_padding(value)
    if isinstance(value, list):
        return keras_axes(tuple(value))
    return py(value)


def _keras_zero_padding(value: list) -> str:
    """ZeroPadding's shortest exact form: 1; (1, 2) per axis when symmetric; else the pairs."""
    pairs = [tuple(value)] if isinstance(value[0], int) else [tuple(p) for p in value]
    if all(a == b for a, b in pairs):
        amounts = tuple(a for a, _ in pairs)
        return str(amounts[0]) if len(set(amounts)) == 1 else py(amounts)
    return py(pairs[0]) if len(pairs) == 1 else py(tuple(pairs))


def keras_listing(stack: Stack) -> Listing:
    calls = tuple(wrapped(Call(f"keras.layers.{layer.class_name}", keras_args(layer), i))
                  for i, layer in enumerate(stack.layers))
    return Listing("keras", py(stack.input_shape), calls)


# --- PyTorch -----------------------------------------------------------------------------------

def _same_pads(shape: Shape, kernel: tuple[int, ...], strides: tuple[int, ...],
               dilation: tuple[int, ...]) -> list[tuple[int, int]]:
    """Keras/TensorFlow "same": output ceil(n/s); an odd total puts the extra element at the end."""
    pads = []
    for n, k, s, d in zip(shape[:-1], kernel, strides, dilation):
        total = max((math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_call(rank: int, pairs: list[tuple[int, int]], index: int, completes: bool, note: str | None = None,
              minus_infinity: bool = False) -> Call:
    """nn.ZeroPadNd (or a −inf nn.ConstantPadNd before max pooling); both take
    (left, right, top, bottom, front, back): the last axis first."""
    flat = tuple(p for pair in reversed(pairs) for p in pair)
    args = (f"padding={flat[0] if len(set(flat)) == 1 else py(flat)}",)
    if minus_infinity:
        return Call(f"nn.ConstantPad{rank}d", (*args, 'value=float("-inf")'), index, completes, note=note)
    return Call(f"nn.ZeroPad{rank}d", args, index, completes, note=note)


def _symmetric(pairs: list[tuple[int, int]]) -> bool:
    return all(a == b for a, b in pairs)


def _zeros(layer: Conv | DepthwiseConv | SeparableConv, shape: Shape,
           folded: list[tuple[int, int]] | None) -> tuple[list[tuple[int, int]], str | None]:
    """Every zero a convolution's input gets, (before, after) per axis: a folded ZeroPadding's, then
    Keras's "same" (worked out on `shape`, the convolution's own input). The note marks "same"."""
    pairs = folded or [(0, 0)] * layer.rank
    if layer.padding != "same":
        return pairs, None
    same = _same_pads(shape, layer.kernel_size, layer.strides, layer.dilation_rate)
    return [(a + c, b + d) for (a, b), (c, d) in zip(pairs, same)], "uneven-padding"


def _conv_padding(layer: Conv | DepthwiseConv | SeparableConv, shape: Shape, index: int,
                  folded: list[tuple[int, int]] | None) -> tuple[list[Call], list[str]]:
    """The padding of a convolution: `padding=` when even on both sides, else an nn.ZeroPadNd first."""
    pairs, note = _zeros(layer, shape, folded)
    if not _symmetric(pairs):
        return [_pad_call(layer.rank, pairs, index, completes=False, note=note)], []
    amounts = tuple(a for a, _ in pairs)
    return [], [f"padding={per_axis(amounts)}"] if any(amounts) else []


def _window_args(kernel: tuple[int, ...], strides: tuple[int, ...], dilation: tuple[int, ...],
                 padding: list[str]) -> list[str]:
    args = [f"kernel_size={per_axis(kernel)}"]
    if set(strides) != {1}:
        args.append(f"stride={per_axis(strides)}")
    args += padding
    if set(dilation) != {1}:
        args.append(f"dilation={per_axis(dilation)}")
    return args


def _torch_conv(layer: Conv, shape: Shape, index: int, folded: list[tuple[int, int]] | None) -> list[Call]:
    pre, padding = _conv_padding(layer, shape, index, folded)
    args = [f"in_channels={shape[-1]}", f"out_channels={layer.filters}",
            *_window_args(layer.kernel_size, layer.strides, layer.dilation_rate, padding)]
    if layer.groups != 1:
        args.append(f"groups={layer.groups}")
    if not layer.use_bias:
        args.append("bias=False")
    return [*pre, Call(f"nn.Conv{layer.rank}d", tuple(args), index, frozen=not layer.trainable)]


def _torch_depthwise(layer: DepthwiseConv, shape: Shape, index: int,
                     folded: list[tuple[int, int]] | None) -> list[Call]:
    pre, padding = _conv_padding(layer, shape, index, folded)
    c = shape[-1]
    args = [f"in_channels={c}", f"out_channels={c * layer.depth_multiplier}",
            *_window_args(layer.kernel_size, layer.strides, layer.dilation_rate, padding), f"groups={c}"]
    if not layer.use_bias:
        args.append("bias=False")
    return [*pre, Call(f"nn.Conv{layer.rank}d", tuple(args), index, frozen=not layer.trainable)]


def _torch_separable(layer: SeparableConv, shape: Shape, index: int,
                     folded: list[tuple[int, int]] | None) -> list[Call]:
    """Keras's SeparableConv: a bias-free depthwise convolution, then a 1×1 one with the bias."""
    pre, padding = _conv_padding(layer, shape, index, folded)
    c, mid = shape[-1], shape[-1] * layer.depth_multiplier
    frozen = not layer.trainable
    depthwise = (f"in_channels={c}", f"out_channels={mid}",
                 *_window_args(layer.kernel_size, layer.strides, layer.dilation_rate, padding),
                 f"groups={c}", "bias=False")
    pointwise = (f"in_channels={mid}", f"out_channels={layer.filters}", "kernel_size=1",
                 *(() if layer.use_bias else ("bias=False",)))
    name = f"nn.Conv{layer.rank}d"
    return [*pre, Call(name, depthwise, index, completes=False, frozen=frozen),
            Call(name, pointwise, index, frozen=frozen)]


def _transpose_padding(n: int, k: int, s: int, d: int, layer: ConvTranspose,
                       output_padding: int | None) -> tuple[int, int]:
    """PyTorch (padding, output_padding) giving Keras's output length.

    PyTorch's length is (n − 1)·s + k_eff − 2·padding + output_padding. Keras's is shorter by
    `excess`; an odd excess is cropped with one more padding and an output_padding of 1, which
    PyTorch allows only when stride or dilation exceeds 1.
    """
    k_eff = d * (k - 1) + 1
    if output_padding is None:
        target = n * s + (max(k_eff - s, 0) if layer.padding == "valid" else 0)
    else:
        target = (n - 1) * s + k_eff - 2 * (k_eff // 2 if layer.padding == "same" else 0) + output_padding
    excess = (n - 1) * s + k_eff - target
    padding, extra = (0, -excess) if excess <= 0 else (-(-excess // 2), excess % 2)
    if extra >= max(s, d):
        raise Unfaithful(f"{layer.class_name} with kernel {k}, stride {s} and padding {layer.padding!r} "
                         "needs a one-element crop that PyTorch's ConvTranspose cannot express")
    return padding, extra


def _torch_transpose(layer: ConvTranspose, shape: Shape, index: int) -> list[Call]:
    pads = layer.output_padding or (None,) * layer.rank
    plans = [_transpose_padding(n, k, s, d, layer, op) for n, k, s, d, op in
             zip(shape[:-1], layer.kernel_size, layer.strides, layer.dilation_rate, pads)]
    padding, output_padding = tuple(p for p, _ in plans), tuple(o for _, o in plans)
    args = [f"in_channels={shape[-1]}", f"out_channels={layer.filters}", f"kernel_size={per_axis(layer.kernel_size)}"]
    if set(layer.strides) != {1}:
        args.append(f"stride={per_axis(layer.strides)}")
    if any(padding):
        args.append(f"padding={per_axis(padding)}")
    if any(output_padding):
        args.append(f"output_padding={per_axis(output_padding)}")
    if set(layer.dilation_rate) != {1}:
        args.append(f"dilation={per_axis(layer.dilation_rate)}")
    if not layer.use_bias:
        args.append("bias=False")
    return [Call(f"nn.ConvTranspose{layer.rank}d", tuple(args), index, frozen=not layer.trainable)]


def _torch_pool(layer: Pooling, shape: Shape, index: int) -> list[Call]:
    """Keras's "same" pooling leaves the padding out of every window. PyTorch's max pooling pads
    with −inf, which never wins a max, so uneven padding is an explicit −inf pad in front; its
    average pooling leaves even padding out with count_include_pad=False, but has no form for
    uneven padding."""
    average = layer.class_name.startswith("Average")
    pairs = (_same_pads(shape, layer.pool_size, layer.strides, (1,) * layer.rank) if layer.padding == "same"
             else [(0, 0)] * layer.rank)
    pre = []
    if not _symmetric(pairs):
        if average:
            uneven = ", ".join(f"{a} before, {b} after" for a, b in pairs)
            raise Unfaithful(f'padding "same" pads unevenly here ({uneven}), and PyTorch\'s average pooling '
                             "can leave out only even padding")
        pre = [_pad_call(layer.rank, pairs, index, completes=False, note="uneven-padding", minus_infinity=True)]
        pairs = [(0, 0)] * layer.rank
    args = [f"kernel_size={per_axis(layer.pool_size)}"]
    if layer.strides != layer.pool_size:
        args.append(f"stride={per_axis(layer.strides)}")
    amounts = tuple(a for a, _ in pairs)
    if any(amounts):
        args.append(f"padding={per_axis(amounts)}")
        if average:
            args.append("count_include_pad=False")
    return [*pre, Call(f"nn.{'Avg' if average else 'Max'}Pool{layer.rank}d", tuple(args), index)]


def _torch_global_pool(layer: GlobalPooling, shape: Shape, index: int) -> list[Call]:
    kind = "Avg" if layer.class_name.startswith("GlobalAverage") else "Max"
    pool = Call(f"nn.Adaptive{kind}Pool{layer.rank}d", ("output_size=1",), index, completes=layer.keepdims)
    return [pool] if layer.keepdims else [pool, Call("nn.Flatten", (), index)]


def _torch_batch_norm(layer: BatchNormalization, shape: Shape, index: int) -> list[Call]:
    if layer.center != layer.scale:
        raise Unfaithful(f"BatchNormalization with center={layer.center} and scale={layer.scale}: PyTorch's "
                         "affine= switches gamma and beta together")
    args = (f"num_features={shape[-1]}", *(() if layer.center else ("affine=False",)))
    rank = max(len(shape) - 1, 1)  # (C,) and (L, C) are BatchNorm1d's (N, C) and (N, C, L)
    return [Call(f"nn.BatchNorm{rank}d", args, index, frozen=not layer.trainable)]


def _torch_dense(layer: Dense, shape: Shape, index: int) -> list[Call]:
    if len(shape) != 1:
        raise Unfaithful(f"Dense on the non-flat input {list(shape)} acts on the channel axis, which is not "
                         "last in PyTorch's channels-first layout")
    args = (f"in_features={shape[0]}", f"out_features={layer.units}", *(() if layer.use_bias else ("bias=False",)))
    return [Call("nn.Linear", args, index, frozen=not layer.trainable)]


def _torch_activation(layer: Activation, index: int) -> list[Call]:
    if layer.activation not in TORCH_ACTIVATIONS:
        raise Unfaithful(f"activation {layer.activation!r} has no PyTorch module here")
    name, args = TORCH_ACTIVATIONS[layer.activation]
    return [Call(name, args, index)]


def _torch_relu(layer: ReLU, index: int) -> list[Call]:
    if layer.threshold == 0 and layer.negative_slope == 0:
        if layer.max_value is None:
            return [Call("nn.ReLU", (), index)]
        if layer.max_value == 6:
            return [Call("nn.ReLU6", (), index)]
        return [Call("nn.Hardtanh", ("min_val=0.0", f"max_val={float(layer.max_value)!r}"), index)]
    if layer.threshold == 0 and layer.max_value is None:
        return [Call("nn.LeakyReLU", (f"negative_slope={float(layer.negative_slope)!r}",), index)]
    raise Unfaithful("ReLU with a threshold, or with both a slope and a maximum, has no PyTorch module")


def _foldable(stack: Stack, index: int) -> bool:
    """A symmetric ZeroPadding right before a convolution goes into that convolution's padding=
    (with Keras's "same" zeros, when the sum is still even), or else into the one explicit pad
    module in front of it: one module for all the zeros a convolution's input gets."""
    layer, following = stack.layers[index], stack.layers[index + 1] if index + 1 < len(stack.layers) else None
    return (isinstance(layer, ZeroPadding) and _symmetric(list(layer.pairs()))
            and isinstance(following, Conv | DepthwiseConv | SeparableConv))


def torch_calls(stack: Stack) -> list[Call]:
    """The PyTorch modules for the stack, in order; raises `Unfaithful` naming the layer."""
    calls: list[Call] = []
    folded: list[tuple[int, int]] | None = None
    for i, layer in enumerate(stack.layers):
        shape = stack.input_of(i)
        try:
            if _foldable(stack, i):
                folded = list(layer.pairs())
                continue
            calls += _torch_layer(layer, shape, i, folded)
        except Unfaithful as error:
            raise Unfaithful(f"layer {i + 1} ({layer.class_name}): {error}") from None
        folded = None
    return calls


def _torch_layer(layer: Layer, shape: Shape, i: int, folded: list[tuple[int, int]] | None) -> list[Call]:
    if isinstance(layer, Conv):
        return _torch_conv(layer, shape, i, folded)
    if isinstance(layer, DepthwiseConv):
        return _torch_depthwise(layer, shape, i, folded)
    if isinstance(layer, SeparableConv):
        return _torch_separable(layer, shape, i, folded)
    if isinstance(layer, ConvTranspose):
        return _torch_transpose(layer, shape, i)
    if isinstance(layer, Pooling):
        return _torch_pool(layer, shape, i)
    if isinstance(layer, GlobalPooling):
        return _torch_global_pool(layer, shape, i)
    if isinstance(layer, ZeroPadding):
        return [_pad_call(layer.rank, list(layer.pairs()), i, completes=True)]
    if isinstance(layer, Flatten):
        # Channels-first flattens C·H·W where Keras flattens H·W·C: the same count, another order.
        reordered = math.prod(shape[:-1]) > 1 and shape[-1] > 1
        return [Call("nn.Flatten", (), i, note="flatten-order" if reordered else None)]
    if isinstance(layer, Dense):
        return _torch_dense(layer, shape, i)
    if isinstance(layer, BatchNormalization):
        return _torch_batch_norm(layer, shape, i)
    if isinstance(layer, Dropout):
        return [Call("nn.Dropout", (f"p={layer.rate!r}",), i)]
    if isinstance(layer, Activation):
        return _torch_activation(layer, i)
    if isinstance(layer, ReLU):
        return _torch_relu(layer, i)
    raise Unfaithful("no PyTorch form is known for this layer")


def pytorch_problem(stack: Stack) -> str | None:
    """Why the stack has no faithful PyTorch form, or None when it has one."""
    try:
        torch_calls(stack)
    except Unfaithful as error:
        return str(error)
    return None


def pytorch_supported(stack: Stack) -> bool:
    """Whether a question on this stack may be shown as PyTorch code."""
    return pytorch_problem(stack) is None


def has_module(stack: Stack, index: int) -> bool:
    """Whether stack layer `index` has a PyTorch module of its own, a line a question can point at
    (a ZeroPadding folded into the next convolution's padding= has none)."""
    return not _foldable(stack, index)


def torch_listing(stack: Stack) -> Listing:
    """Channels-first: the input is (batch of 1, C, spatial...), or (1, features) when flat."""
    shape = stack.input_shape
    batch = (1, shape[-1], *shape[:-1])
    try:
        calls = torch_calls(stack)
    except Unfaithful as error:
        raise QuizgenError(f"this stack cannot be shown as PyTorch code: {error}") from None
    return Listing("pytorch", ", ".join(map(str, batch)), tuple(wrapped(c) for c in calls))


# --- shapes worked as the PyTorch code computes them --------------------------------------------

def _padded(shape: Shape, pairs: list[tuple[int, int]]) -> Shape:
    return (*(n + a + b for n, (a, b) in zip(shape[:-1], pairs)), shape[-1])


def _pad_step(index: int, shape: Shape, pairs: list[tuple[int, int]]) -> Step:
    subst = "; ".join(f"{n} + {a} + {b}" for n, (a, b) in zip(shape[:-1], pairs))
    return Step("output-shape", index, "size + before + after, per axis", subst, list(_padded(shape, pairs)))


def torch_shape_steps(stack: Stack, index: int) -> list[Step]:
    """How layer `index` changes the shape, worked as the PyTorch listing computes it: each window
    with floor((H + 2p − d(k − 1) − 1)/s) + 1 and the module's own padding=, an explicit pad module
    as a step of its own line (`Step.call`), a ZeroPadding folded into a convolution inside that
    convolution's step, and Flatten in channels-first order. Shapes stay channels last here."""
    layer, shape = stack.layers[index], stack.input_of(index)
    if _foldable(stack, index):
        return []  # no module: the convolution it went into counts its zeros
    if isinstance(layer, Conv | DepthwiseConv | SeparableConv | Pooling):
        folded = list(stack.layers[index - 1].pairs()) if index and _foldable(stack, index - 1) else None
        source = stack.input_of(index - 1) if folded else shape
        if isinstance(layer, Pooling):
            pairs = (_same_pads(shape, layer.pool_size, layer.strides, (1,) * layer.rank)
                     if layer.padding == "same" else [(0, 0)] * layer.rank)
        else:
            pairs = _zeros(layer, shape, folded)[0]
        steps = []
        if not _symmetric(pairs):  # an explicit pad module first, then the window pads nothing
            steps.append(_pad_step(index, source, pairs))
            source, amounts = _padded(source, pairs), (0,) * layer.rank
        else:
            amounts = tuple(a for a, _ in pairs)
        out, window = stack.output_of(index), len(steps)
        steps += layer.window_steps(index, source, amounts, call=window)
        last = window + isinstance(layer, SeparableConv)  # the pointwise convolution sets the channels
        return [*steps, Step("output-shape", index, layer.channel_formula("pytorch"), shape_text(out), list(out),
                             last)]
    if isinstance(layer, ConvTranspose):
        return _torch_transpose_steps(layer, shape, index, stack.output_of(index))
    if isinstance(layer, Flatten):
        return [Step("output-size", index, "product of all axes, channels first", times(shape[-1], *shape[:-1]),
                     math.prod(shape))]
    return layer.shape_steps(index, shape)


def _torch_transpose_steps(layer: ConvTranspose, shape: Shape, index: int, out: Shape) -> list[Step]:
    """PyTorch's transposed length, (H − 1)·s − 2p + d(k − 1) + output_padding + 1, with the
    padding and output_padding the listing writes."""
    pads = layer.output_padding or (None,) * layer.rank
    steps = []
    for axis, n, k, s, d, op in zip(AXES[layer.rank], shape[:-1], layer.kernel_size, layer.strides,
                                     layer.dilation_rate, pads):
        p, extra = _transpose_padding(n, k, s, d, layer, op)
        length = (n - 1) * s - 2 * p + d * (k - 1) + extra + 1
        steps.append(Step("output-length", index,
                          f"{axis}_out = ({axis} − 1)·s − 2·p + d·(k − 1) + output_padding + 1",
                          f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {extra} + 1", length))
    return [*steps, Step("output-shape", index, "channels = out_channels", shape_text(out), list(out))]


# --- a stack in either framework ----------------------------------------------------------------

def listing(stack: Stack, framework: str) -> Listing:
    if framework == "keras":
        return keras_listing(stack)
    if framework == "pytorch":
        return torch_listing(stack)
    raise QuizgenError(f"unknown framework {framework!r}; choose from {', '.join(FRAMEWORKS)}")
