"""Layer kinds with Keras 3 semantics (channels-last, batch axis left out).

Each kind is one small class: its config (exactly Keras's config keys), its output shape, its
parameter count split trainable / non-trainable, and its worked formula as data (`Step`s).
Pure arithmetic: no randomness, no wording beyond the formula symbols.
A new layer kind is one class here plus a `register` line at the bottom.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field
from typing import Any, NamedTuple

from quizgen.errors import LayerError

Shape = tuple[int, ...]


class ParamCount(NamedTuple):
    """A NamedTuple, not a dataclass: millions are made while replaying misconceptions."""

    trainable: int
    non_trainable: int = 0

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


NO_PARAMS = ParamCount(0)


class Step(NamedTuple):  # a NamedTuple like ParamCount: about ten are made per question
    """One line of a worked solution: a formula in symbols, the numbers put in, the result.

    `topic` names what is computed (templates turn it into words); `layer` indexes the stack
    (None for whole-stack steps); `call`, in PyTorch code where a layer is written as several
    modules (a pad, then the convolution), which of them the step is about, from 0.
    """

    topic: str
    layer: int | None
    formula: str
    substitution: str
    result: int | list[int]
    call: int = 0

    def to_json(self) -> dict[str, Any]:
        doc = {"topic": self.topic, "layer": self.layer, "formula": self.formula,
               "substitution": self.substitution, "result": self.result}
        if self.call:
            doc["call"] = self.call
        return doc


def times(*factors: int) -> str:
    """`3·3·32`: the multiplication dot used in every formula."""
    return "·".join(str(f) for f in factors)


def shape_text(shape: Shape) -> str:
    return "×".join(str(n) for n in shape)


# --- output-size arithmetic shared by convolutions and pooling ------------------------------

def window_length(n: int, k: int, s: int, d: int, padding: str) -> int:
    """Keras output length of a sliding window (conv or pool); <= 0 means it does not fit.
    "causal" (Conv1D) pads d·(k − 1) on the left only, so its length is "same"'s."""
    if padding in ("same", "causal"):
        return -(-n // s)
    return (n - d * (k - 1) - 1) // s + 1


# Cached: the builder, the stack's own check and every misconception's replay ask for the same few windows
# over the same few inputs, tens of times per question. Keyed by plain tuples of ints (cheap to hash);
# bounded, since replays also ask about wrong shapes.
@functools.lru_cache(maxsize=4096)
def window_lengths(spatial: Shape, ks: Shape, ss: Shape, ds: Shape, padding: str) -> Shape:
    """`window_length` along each spatial axis."""
    return tuple(window_length(n, k, s, d, padding) for n, k, s, d in zip(spatial, ks, ss, ds))


def window_step(index: int, axis: str, n: int, k: int, s: int, d: int, padding: str,
                torch_padding: int | None = None, pooling: bool = False, call: int = 0) -> Step:
    """One axis's output length, worked as Keras states it, or (given `torch_padding`, the `padding=`
    of a PyTorch module) with PyTorch's formula, floor((H + 2p − d(k − 1) − 1)/s) + 1."""
    if torch_padding is not None:
        p = torch_padding
        out = (n + 2 * p - d * (k - 1) - 1) // s + 1
        rounding = " (ceil_mode=False)" if pooling else ""
        if d == 1:
            return Step("output-length", index, f"{axis}_out = floor(({axis} + 2·p − k)/s) + 1{rounding}",
                        f"floor(({n} + 2·{p} − {k})/{s}) + 1", out, call)
        return Step("output-length", index,
                    f"{axis}_out = floor(({axis} + 2·p − d·(k − 1) − 1)/s) + 1{rounding}", f"floor(({n} + 2·{p} − {d}·({k} − 1) − 1)/{s}) + 1", out, call)
    out = window_length(n, k, s, d, padding)
    if padding in ("same", "causal"):
        return Step("output-length", index, f"{axis}_out = ceil({axis}/s)", f"ceil({n}/{s})", out)
    if d == 1:
        return Step("output-length", index, f"{axis}_out = floor(({axis} − k)/s) + 1",
                    f"floor(({n} − {k})/{s}) + 1", out)
    return Step("output-length", index, f"{axis}_out = floor(({axis} − d·(k − 1) − 1)/s) + 1",
                f"floor(({n} − {d}·({k} − 1) − 1)/{s}) + 1", out)


def transpose_length(n: int, k: int, s: int, d: int, padding: str, output_padding: int | None) -> int:
    """Keras `deconv_output_length`: the inverse of a strided conv is not unique, so Keras
    picks one by the padding mode unless output_padding is given."""
    k_eff = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s + max(k_eff - s, 0) if padding == "valid" else n * s
    pad = k_eff // 2 if padding == "same" else 0
    return (n - 1) * s + k_eff - 2 * pad + output_padding


AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def kernel_symbols(rank: int) -> str:
    """k for a 1D kernel, k_h·k_w in 2D, k_d·k_h·k_w in 3D."""
    return "·".join(f"k_{a.lower()}" for a in AXES[rank]) if rank > 1 else "k"


# --- the layer classes ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Layer:
    """Base of every layer kind. Subclasses are dataclasses whose fields are Keras's config keys.

    `trainable=False` is Keras's frozen layer: its weights still count, as non-trainable.
    """

    trainable: bool = field(default=True, kw_only=True)
    # Class attributes, left unannotated so the dataclass machinery does not take them for fields:
    class_name = ""  # set by `register`
    rank = None  # number of spatial axes the layer expects, if fixed
    has_weights = False

    def __post_init__(self) -> None:
        self.check_config()

    def check_config(self) -> None:
        """Checks that need no input shape; run once, when the layer is made."""

    def config(self) -> dict[str, Any]:
        """Keras's config keys; `trainable` only when the layer is frozen, to keep stacks short."""
        return {name: _jsonable(getattr(self, name)) for name in self.__dataclass_fields__
                if name != "trainable" or not self.trainable}

    def to_json(self) -> dict[str, Any]:
        return {"class_name": self.class_name, "config": self.config()}

    def key(self) -> tuple:
        """A hashable identity, used to tell questions apart."""
        return (self.class_name, *(getattr(self, n) for n in self.__dataclass_fields__))

    def fail(self, index: int, message: str) -> LayerError:
        return LayerError(f"layer {index + 1} ({self.class_name}): {message}")

    def check_input(self, index: int, shape: Shape) -> None:
        if self.rank is not None and len(shape) != self.rank + 1:
            raise self.fail(index, f"expects a {self.rank}D input with channels "
                                   f"({self.rank + 1} axes), got shape {list(shape)}")

    def output_shape(self, index: int, shape: Shape) -> Shape:
        self.check_input(index, shape)
        return shape

    def count(self, shape: Shape) -> ParamCount:
        """The layer's own weights, as if it were trainable."""
        return NO_PARAMS

    def params(self, shape: Shape) -> ParamCount:
        p = self.count(shape)
        return p if self.trainable else ParamCount(0, p.total)

    def macs(self, shape: Shape, out: Shape) -> int:
        """Multiply–accumulates for one input; 0 for layers that only compare, add or reshape."""
        return 0

    def bias_count(self, shape: Shape) -> int:
        return 0

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        return [Step("params", index, "no weights", "0", 0)]

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        out = self.output_shape(index, shape)
        return [Step("output-shape", index, "unchanged", shape_text(shape), list(out))]


def _is_number(value: Any) -> bool:
    """A JSON number that is finite: true and false are not numbers here, nor NaN."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _positive(name: str, values: tuple[int, ...] | int) -> None:
    for v in (values if isinstance(values, tuple) else (values,)):
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise LayerError(f"{name} must be positive whole numbers, got {_jsonable(values)}")


def _padding_mode(padding: Any, causal: bool = False) -> None:
    modes = ("valid", "same", "causal") if causal else ("valid", "same")
    if padding not in modes:
        raise LayerError(f"padding must be {' or '.join(map(repr, modes))}, got {padding!r}")


class Windowed(Layer):
    """Shared by every sliding-window layer: kernel/pool, strides, padding, dilation per axis."""

    __slots__ = ()
    def window(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]:
        raise NotImplementedError

    def check_config(self) -> None:
        ks, ss, ds, padding = self.window()
        for name, values in (("kernel/pool sizes", ks), ("strides", ss), ("dilation_rate", ds)):
            if not isinstance(values, tuple) or len(values) != self.rank:
                raise LayerError(f"{name} needs {self.rank} values, got {_jsonable(values)}")
            _positive(name, values)
        _padding_mode(padding, causal=isinstance(self, Conv) and self.rank == 1)

    def spatial_out(self, index: int, shape: Shape) -> Shape:
        self.check_input(index, shape)
        ks, ss, ds, padding = self.window()
        out = window_lengths(tuple(shape[:-1]), ks, ss, ds, padding)  # a list shape too
        if min(out) <= 0:
            n, k, d = next((n, k, d) for n, k, d, o in zip(shape[:-1], ks, ds, out) if o <= 0)
            raise self.fail(index, f"window of {d * (k - 1) + 1} is larger than the input length {n} "
                                   f"(input shape {list(shape)}, padding 'valid')")
        return out

    def window_steps(self, index: int, shape: Shape, torch_padding: tuple[int, ...] | None = None,
                     call: int = 0) -> list[Step]:
        """One step per spatial axis, or one for all when every axis computes the same numbers.
        `torch_padding`: the PyTorch module's padding per axis, to work it in PyTorch's formula
        (`shape` is then what that module receives)."""
        ks, ss, ds, padding = self.window()
        pads = torch_padding or (None,) * self.rank
        axes = list(zip(AXES[self.rank], shape[:-1], ks, ss, ds, pads))
        pooling = isinstance(self, Pooling)
        if len(axes) > 1 and len({a[1:] for a in axes}) == 1:
            axis, *numbers = axes[0]
            first = window_step(index, axis, *numbers[:4], padding, numbers[4], pooling, call)
            names = " = ".join(f"{a[0]}_out" for a in axes)
            return [Step(first.topic, index, first.formula.replace(f"{axis}_out", names, 1),
                         first.substitution, first.result, call)]
        return [window_step(index, axis, n, k, s, d, padding, p, pooling, call) for axis, n, k, s, d, p in axes]

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        out = self.output_shape(index, shape)
        return [*self.window_steps(index, shape),
                Step("output-shape", index, self.channel_formula(), shape_text(out), list(out))]

    def channel_formula(self, framework: str = "keras") -> str:
        return "channels unchanged"


@dataclass(frozen=True, slots=True)
class Conv(Windowed):
    """Conv1D/2D/3D: `filters` kernels, each over all input channels (or a group of them)."""

    filters: int
    kernel_size: tuple[int, ...]
    strides: tuple[int, ...]
    padding: str = "valid"
    dilation_rate: tuple[int, ...] = ()
    groups: int = 1
    use_bias: bool = True
    has_weights = True

    def window(self):
        return self.kernel_size, self.strides, self.dilation_rate, self.padding

    def check_config(self) -> None:
        Windowed.check_config(self)
        _positive("filters and groups", (self.filters, self.groups))
        if any(s > 1 for s in self.strides) and any(d > 1 for d in self.dilation_rate):
            raise LayerError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)")

    def output_shape(self, index: int, shape: Shape) -> Shape:
        spatial = self.spatial_out(index, shape)
        c = shape[-1]
        if c % self.groups or self.filters % self.groups:
            raise self.fail(index, f"groups={self.groups} must divide both the input channels ({c}) "
                                   f"and the filters ({self.filters})")
        return (*spatial, self.filters)

    def kernel_volume(self) -> int:
        return math.prod(self.kernel_size)

    def count(self, shape: Shape) -> ParamCount:
        weights = self.kernel_volume() * (shape[-1] // self.groups) * self.filters
        return ParamCount(weights + self.bias_count(shape))

    def bias_count(self, shape: Shape) -> int:
        return self.filters if self.use_bias else 0

    def macs(self, shape: Shape, out: Shape) -> int:
        return math.prod(out[:-1]) * self.kernel_volume() * (shape[-1] // self.groups) * self.filters

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        ks, c, f, g = self.kernel_size, shape[-1], self.filters, self.groups
        k_sym = kernel_symbols(self.rank)
        c_sym, c_val = ("C_in/g", f"{c}/{g}") if g > 1 else ("C_in", str(c))
        if self.use_bias:
            formula = f"({k_sym}·{c_sym} + 1)·F"
            subst = f"({times(*ks)}·{c_val} + 1)·{f}"
        else:
            formula, subst = f"{k_sym}·{c_sym}·F (no bias)", f"{times(*ks)}·{c_val}·{f}"
        return [Step("params", index, formula, subst, self.params(shape).total)]

    def channel_formula(self, framework: str = "keras") -> str:
        return "channels = out_channels" if framework == "pytorch" else "channels = F (filters)"


@dataclass(frozen=True, slots=True)
class ConvTranspose(Layer):
    """Conv1D/2D/3DTranspose: a convolution run backwards, growing the spatial axes by the strides."""

    filters: int
    kernel_size: tuple[int, ...]
    strides: tuple[int, ...]
    padding: str = "valid"
    output_padding: tuple[int, ...] | None = None
    dilation_rate: tuple[int, ...] = ()
    use_bias: bool = True
    has_weights = True

    def check_config(self) -> None:
        _positive("filters", self.filters)
        for name in ("kernel_size", "strides", "dilation_rate"):
            values = getattr(self, name)
            if not isinstance(values, tuple) or len(values) != self.rank:
                raise LayerError(f"{name} needs {self.rank} values, got {_jsonable(values)}")
            _positive(name, values)
        _padding_mode(self.padding)
        if any(s > 1 for s in self.strides) and any(d > 1 for d in self.dilation_rate):
            raise LayerError("strides > 1 cannot be combined with dilation_rate > 1 (Keras refuses it)")
        if self.output_padding is not None:
            if len(self.output_padding) != self.rank:
                raise LayerError(f"output_padding needs {self.rank} values or null")
            for op, s in zip(self.output_padding, self.strides):
                if not 0 <= op < s:
                    raise LayerError(f"output_padding {op} must be smaller than the stride {s}")

    def output_shape(self, index: int, shape: Shape) -> Shape:
        self.check_input(index, shape)
        pads = self.output_padding or (None,) * self.rank
        out = []
        for n, k, s, d, op in zip(shape[:-1], self.kernel_size, self.strides, self.dilation_rate, pads):
            length = transpose_length(n, k, s, d, self.padding, op)
            if length <= 0:
                raise self.fail(index, f"output length would be {length}")
            out.append(length)
        return (*out, self.filters)

    def count(self, shape: Shape) -> ParamCount:
        return ParamCount(math.prod(self.kernel_size) * shape[-1] * self.filters + self.bias_count(shape))

    def bias_count(self, shape: Shape) -> int:
        return self.filters if self.use_bias else 0

    def macs(self, shape: Shape, out: Shape) -> int:
        """Each input position scatters a k·k·F patch from every input channel."""
        return math.prod(shape[:-1]) * math.prod(self.kernel_size) * shape[-1] * self.filters

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        ks, c, f = self.kernel_size, shape[-1], self.filters
        k_sym = kernel_symbols(self.rank)
        if self.use_bias:
            return [Step("params", index, f"({k_sym}·C_in + 1)·F", f"({times(*ks)}·{c} + 1)·{f}", self.params(shape).total)]
        return [Step("params", index, f"{k_sym}·C_in·F (no bias)", f"{times(*ks)}·{c}·{f}", self.params(shape).total)]

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        steps = []
        pads = self.output_padding or (None,) * self.rank
        for axis, n, k, s, d, op in zip(AXES[self.rank], shape[:-1], self.kernel_size, self.strides,
                                         self.dilation_rate, pads):
            out = transpose_length(n, k, s, d, self.padding, op)
            k_eff = k + (k - 1) * (d - 1)
            if op is not None:
                pad = k_eff // 2 if self.padding == "same" else 0
                steps.append(Step("output-length", index, f"{axis}_out = ({axis} − 1)·s + k − 2·pad + output_padding",
                                  f"({n} − 1)·{s} + {k_eff} − 2·{pad} + {op}", out))
            elif self.padding == "same":
                steps.append(Step("output-length", index, f"{axis}_out = {axis}·s", f"{n}·{s}", out))
            else:
                steps.append(Step("output-length", index, f"{axis}_out = {axis}·s + max(k − s, 0)",
                                  f"{n}·{s} + max({k_eff} − {s}, 0)", out))
        out_shape = self.output_shape(index, shape)
        steps.append(Step("output-shape", index, "channels = F (filters)", shape_text(out_shape), list(out_shape)))
        return steps


@dataclass(frozen=True, slots=True)
class DepthwiseConv(Windowed):
    """DepthwiseConv1D/2D: `depth_multiplier` kernels per input channel, no mixing across channels."""

    kernel_size: tuple[int, ...]
    strides: tuple[int, ...]
    padding: str = "valid"
    depth_multiplier: int = 1
    dilation_rate: tuple[int, ...] = ()
    use_bias: bool = True
    has_weights = True

    def window(self):
        return self.kernel_size, self.strides, self.dilation_rate, self.padding

    def check_config(self) -> None:
        Windowed.check_config(self)
        _positive("depth_multiplier", self.depth_multiplier)

    def output_shape(self, index: int, shape: Shape) -> Shape:
        spatial = self.spatial_out(index, shape)
        return (*spatial, shape[-1] * self.depth_multiplier)

    def count(self, shape: Shape) -> ParamCount:
        return ParamCount(math.prod(self.kernel_size) * shape[-1] * self.depth_multiplier + self.bias_count(shape))

    def bias_count(self, shape: Shape) -> int:
        return shape[-1] * self.depth_multiplier if self.use_bias else 0

    def macs(self, shape: Shape, out: Shape) -> int:
        return math.prod(out[:-1]) * math.prod(self.kernel_size) * shape[-1] * self.depth_multiplier

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        ks, c, dm, k_sym = self.kernel_size, shape[-1], self.depth_multiplier, kernel_symbols(self.rank)
        if self.use_bias:
            return [Step("params", index, f"{k_sym}·C_in·dm + C_in·dm", f"{times(*ks, c, dm)} + {c}·{dm}",
                         self.params(shape).total)]
        return [Step("params", index, f"{k_sym}·C_in·dm (no bias)", times(*ks, c, dm), self.params(shape).total)]

    def channel_formula(self, framework: str = "keras") -> str:
        return "channels = out_channels" if framework == "pytorch" else "channels = C_in·depth_multiplier"


@dataclass(frozen=True, slots=True)
class SeparableConv(Windowed):
    """SeparableConv1D/2D: a depthwise convolution, then a 1×1 convolution to `filters` channels."""

    filters: int
    kernel_size: tuple[int, ...]
    strides: tuple[int, ...]
    padding: str = "valid"
    depth_multiplier: int = 1
    dilation_rate: tuple[int, ...] = ()
    use_bias: bool = True
    has_weights = True

    def window(self):
        return self.kernel_size, self.strides, self.dilation_rate, self.padding

    def check_config(self) -> None:
        Windowed.check_config(self)
        _positive("filters and depth_multiplier", (self.filters, self.depth_multiplier))

    def output_shape(self, index: int, shape: Shape) -> Shape:
        spatial = self.spatial_out(index, shape)
        return (*spatial, self.filters)

    def count(self, shape: Shape) -> ParamCount:
        c, dm = shape[-1], self.depth_multiplier
        return ParamCount(math.prod(self.kernel_size) * c * dm + c * dm * self.filters + self.bias_count(shape))

    def bias_count(self, shape: Shape) -> int:
        return self.filters if self.use_bias else 0

    def macs(self, shape: Shape, out: Shape) -> int:
        c, dm = shape[-1], self.depth_multiplier
        return math.prod(out[:-1]) * (math.prod(self.kernel_size) * c * dm + c * dm * self.filters)

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        ks, c, dm, f = self.kernel_size, shape[-1], self.depth_multiplier, self.filters
        total, k_sym = self.params(shape).total, kernel_symbols(self.rank)
        if self.use_bias:
            return [Step("params", index, f"{k_sym}·C_in·dm + C_in·dm·F + F",
                         f"{times(*ks, c, dm)} + {times(c, dm, f)} + {f}", total)]
        return [Step("params", index, f"{k_sym}·C_in·dm + C_in·dm·F (no bias)",
                     f"{times(*ks, c, dm)} + {times(c, dm, f)}", total)]

    def channel_formula(self, framework: str = "keras") -> str:
        if framework == "pytorch":
            return "channels = out_channels of the pointwise (1×1) convolution"
        return "channels = F (filters of the pointwise part)"


@dataclass(frozen=True, slots=True)
class Dense(Layer):
    """A fully connected layer on the last axis: `units` outputs, each weighing every input."""

    units: int
    use_bias: bool = True
    has_weights = True

    def check_config(self) -> None:
        _positive("units", self.units)

    def output_shape(self, index: int, shape: Shape) -> Shape:
        return (*shape[:-1], self.units)

    def count(self, shape: Shape) -> ParamCount:
        return ParamCount(shape[-1] * self.units + self.bias_count(shape))

    def bias_count(self, shape: Shape) -> int:
        return self.units if self.use_bias else 0

    def macs(self, shape: Shape, out: Shape) -> int:
        return math.prod(shape) * self.units

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        n, u = shape[-1], self.units
        if self.use_bias:
            return [Step("params", index, "(n_in + 1)·units", f"({n} + 1)·{u}", self.params(shape).total)]
        return [Step("params", index, "n_in·units (no bias)", times(n, u), self.params(shape).total)]

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        out = self.output_shape(index, shape)
        formula = "units" if len(shape) == 1 else "last axis replaced by units"
        return [Step("output-shape", index, formula, shape_text(out), list(out))]


@dataclass(frozen=True, slots=True)
class Pooling(Windowed):
    """MaxPooling and AveragePooling in 1D/2D/3D: a window per channel, no weights."""

    pool_size: tuple[int, ...]
    strides: tuple[int, ...]
    padding: str = "valid"

    def window(self):
        return self.pool_size, self.strides, (1,) * self.rank, self.padding

    def output_shape(self, index: int, shape: Shape) -> Shape:
        return (*self.spatial_out(index, shape), shape[-1])


@dataclass(frozen=True, slots=True)
class GlobalPooling(Layer):
    """GlobalMax/AveragePooling in 1D/2D/3D: one value per channel, no weights."""

    keepdims: bool = False

    def output_shape(self, index: int, shape: Shape) -> Shape:
        self.check_input(index, shape)
        return (*(1,) * self.rank, shape[-1]) if self.keepdims else (shape[-1],)

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        out = self.output_shape(index, shape)
        return [Step("output-shape", index, "one value per channel", shape_text(out), list(out))]


@dataclass(frozen=True, slots=True)
class Flatten(Layer):
    """Every axis into one vector, no weights."""

    def output_shape(self, index: int, shape: Shape) -> Shape:
        return (math.prod(shape),)  # a flat input passes through unchanged, as in Keras

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        size = math.prod(shape)
        return [Step("output-size", index, "product of all axes", times(*shape), size)]


@dataclass(frozen=True, slots=True)
class Dropout(Layer):
    """Zeroes a share of its inputs in training; shape and parameters unchanged."""

    rate: float  # Keras has no default: Dropout() is refused

    def check_config(self) -> None:
        if not _is_number(self.rate) or not 0 <= self.rate <= 1:
            raise LayerError(f"rate must be a number from 0 to 1, got {self.rate!r}")


# keras.activations' names (Keras 3), which the `activation` of any layer may name.
ACTIVATIONS = frozenset((
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid",
    "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax",
    "squareplus", "swish", "tanh", "tanh_shrink", "threshold"))


def _activation_name(value: Any) -> None:
    if value is not None and (not isinstance(value, str) or value not in ACTIVATIONS):
        raise LayerError(f"activation {value!r} is not one of Keras's activations "
                         f"({', '.join(sorted(ACTIVATIONS))})")


@dataclass(frozen=True, slots=True)
class Activation(Layer):
    """An activation function as a layer of its own; shape and parameters unchanged."""

    activation: str = "relu"

    def check_config(self) -> None:
        _activation_name(self.activation)


@dataclass(frozen=True, slots=True)
class ReLU(Layer):
    """Keras's ReLU layer with its clipping, leak and threshold; shape and parameters unchanged."""

    max_value: float | None = None
    negative_slope: float = 0.0
    threshold: float = 0.0

    def check_config(self) -> None:
        for name in ("max_value", "negative_slope", "threshold"):
            value = getattr(self, name)
            if (value is not None or name != "max_value") and (not _is_number(value) or value < 0):
                raise LayerError(f"{name} must be a number ≥ 0 (Keras refuses a negative one), got {value!r}")


@dataclass(frozen=True, slots=True)
class BatchNormalization(Layer):
    """Per channel: gamma and beta (trained unless frozen), moving mean and variance (never trained)."""

    axis: int = -1
    center: bool = True
    scale: bool = True
    has_weights = True

    def check_config(self) -> None:
        if not isinstance(self.axis, int) or isinstance(self.axis, bool):
            raise LayerError(f"axis must be a whole number, got {self.axis!r}")
        if not isinstance(self.center, bool) or not isinstance(self.scale, bool):
            raise LayerError("center and scale must be true or false")

    def output_shape(self, index: int, shape: Shape) -> Shape:
        """Keras numbers axes with the batch first, so a built layer writes the channels axis as
        len(shape) (3 for an image), a fresh one as -1; both are the channels."""
        if self.axis not in (-1, len(shape)):
            raise self.fail(index, f"axis {self.axis}: only the channels axis (-1, or {len(shape)} for input "
                                   f"{list(shape)}) is supported")
        return shape

    def count(self, shape: Shape) -> ParamCount:
        c = shape[-1]
        return ParamCount((self.center + self.scale) * c, 2 * c)

    def weight_step(self, index: int, shape: Shape) -> Step:
        """gamma and beta: trained, unless the layer is frozen."""
        c, kept = shape[-1], self.center + self.scale
        names = " + ".join(n for n, on in (("gamma", self.scale), ("beta", self.center)) if on) or "none"
        if self.trainable:
            return Step("trainable-params", index, f"{names}: {kept}·C", f"{kept}·{c}", kept * c)
        return Step("non-trainable-params", index, f"{names}, frozen: {kept}·C", f"{kept}·{c}",
                    kept * c)

    def statistics_step(self, index: int, shape: Shape) -> Step:
        c = shape[-1]
        return Step("non-trainable-params", index, "moving mean + moving variance: 2·C", f"2·{c}", 2 * c)

    def param_steps(self, index: int, shape: Shape) -> list[Step]:
        c, kept = shape[-1], self.center + self.scale
        return [self.weight_step(index, shape), self.statistics_step(index, shape),
                Step("params", index, f"{kept + 2}·C", f"{kept + 2}·{c}", (kept + 2) * c)]


@dataclass(frozen=True, slots=True)
class ZeroPadding(Layer):
    """ZeroPadding1D/2D/3D: zeros around the spatial axes, no weights."""

    padding: tuple  # 1D: (left, right); 2D/3D: ((before, after), ...) per axis, as Keras writes it

    def pairs(self) -> tuple[tuple[int, int], ...]:
        return (self.padding,) if self.rank == 1 else self.padding

    def config(self) -> dict[str, Any]:
        return {"padding": list(self.padding) if self.rank == 1 else [list(p) for p in self.padding]}

    def check_config(self) -> None:
        pairs = self.pairs()
        if len(pairs) != self.rank or any(len(p) != 2 or min(p) < 0 for p in pairs):
            raise LayerError(f"padding needs {self.rank} non-negative (before, after) pairs")

    def output_shape(self, index: int, shape: Shape) -> Shape:
        self.check_input(index, shape)
        return (*(n + a + b for n, (a, b) in zip(shape[:-1], self.pairs())), shape[-1])

    def shape_steps(self, index: int, shape: Shape) -> list[Step]:
        out = self.output_shape(index, shape)
        subst = "; ".join(f"{n} + {a} + {b}" for n, (a, b) in zip(shape[:-1], self.pairs()))
        return [Step("output-shape", index, "size + before + after, per axis", subst, list(out))]


# --- registry ---------------------------------------------------------------------------------

LAYER_KINDS: dict[str, type[Layer]] = {}

# How config values are read: strictly, as Keras's own serialization writes them (a quoted "false"
# is not false, 1.5 is not a size), every refusal naming the layer and the key.
TUPLE_KEYS = ("kernel_size", "strides", "dilation_rate", "pool_size", "output_padding")  # a list per axis
BOOL_KEYS = ("use_bias", "center", "scale", "keepdims", "trainable")
WHOLE_KEYS = ("filters", "units", "groups", "depth_multiplier", "axis")
NUMBER_KEYS = ("rate", "max_value", "negative_slope", "threshold")
MAX_SIZE = 2**31 - 1  # a size, count or padding beyond this is no model anyone runs

# Keys a Keras 3 or Keras 2 export carries that change no shape and no count, whatever their value.
IGNORED_KEYS = frozenset(("name", "seed", "noise_shape", "momentum", "epsilon", "synchronized", "fused",
                          "lora_alpha", "renorm_clipping", "renorm_momentum", "activity_regularizer"))
IGNORED_ENDINGS = ("_initializer", "_regularizer", "_constraint")
# Keys that would change a count or a shape: read, and accepted only at Keras's default.
AT_DEFAULT: dict[str, tuple[Any, ...]] = {
    "data_format": (None, "channels_last"), "quantization_config": (None,), "lora_rank": (None, 0),
    "renorm": (False,), "virtual_batch_size": (None,), "adjustment": (None,),
    "groups": (1,),  # Keras 2 writes groups: 1 on transposed, depthwise and separable convolutions too
}


def register(base: type[Layer], name: str, ranks: tuple[int | None, ...] = (None,)) -> None:
    """Register `base` under `name`, once per rank: "Conv{}D" with ranks (1, 2) → Conv1D, Conv2D."""
    for rank in ranks:
        class_name = name.format(rank)
        cls = base if rank is None else type(class_name, (base,), {"__slots__": (), "rank": rank})
        cls.class_name = class_name
        LAYER_KINDS[class_name] = cls


register(Conv, "Conv{}D", (1, 2, 3))
register(ConvTranspose, "Conv{}DTranspose", (1, 2, 3))
register(DepthwiseConv, "DepthwiseConv{}D", (1, 2))
register(SeparableConv, "SeparableConv{}D", (1, 2))
register(Pooling, "MaxPooling{}D", (1, 2, 3))
register(Pooling, "AveragePooling{}D", (1, 2, 3))
register(GlobalPooling, "GlobalMaxPooling{}D", (1, 2, 3))
register(GlobalPooling, "GlobalAveragePooling{}D", (1, 2, 3))
register(ZeroPadding, "ZeroPadding{}D", (1, 2, 3))
for _cls in (Dense, Flatten, Dropout, Activation, ReLU, BatchNormalization):
    register(_cls, _cls.__name__)


def make_layer(class_name: Any, config: Any, index: int = 0) -> Layer:
    """Build a layer from its Keras serialization (Keras 3's or Keras 2's `get_config()`); an unknown
    name, an unknown key, a key away from the default quizgen can count, or a value of the wrong type
    is a one-line error naming the layer and the key."""
    if not isinstance(class_name, str):
        raise LayerError(f"layer {index + 1}: class_name must be a string, got {shown(class_name)}")
    cls = LAYER_KINDS.get(class_name)
    where = f"layer {index + 1} ({class_name})"
    if cls is None:
        raise LayerError(f"layer {index + 1}: unknown class_name {class_name!r}; "
                         f"known: {', '.join(sorted(LAYER_KINDS))}")
    if not isinstance(config, dict):
        raise LayerError(f"{where}: config must be an object")
    fields = cls.__dataclass_fields__
    values: dict[str, Any] = {}
    unknown = []
    for name, value in config.items():
        if name in fields:
            values[name] = _read(cls, name, value, where)
        elif name == "activation":
            _checked(where, _activation_name, value)
        elif name == "dtype":
            _dtype(value, where)
        elif name in AT_DEFAULT:
            if not any(value is d or (value == d and type(value) is type(d)) for d in AT_DEFAULT[name]):
                raise LayerError(f"{where}: {name} {shown(value)} is not supported; quizgen counts only "
                                 f"{' or '.join(shown(d) for d in AT_DEFAULT[name])}")
        elif name not in IGNORED_KEYS and not name.endswith(IGNORED_ENDINGS):
            unknown.append(name)
    if unknown:
        raise LayerError(f"{where}: unknown config key(s) {', '.join(sorted(unknown))}; expected {', '.join(fields)}")
    if cls.rank:  # Keras's own defaults: pooling strides = pool_size, MaxPooling's pool 2, else 1; dilation 1
        if "pool_size" in fields and class_name.startswith("Max"):
            values.setdefault("pool_size", (2,) * cls.rank)
        if "strides" in fields and values.get("strides") is None:
            values["strides"] = values.get("pool_size", (1,) * cls.rank)
        if "dilation_rate" in fields:
            values.setdefault("dilation_rate", (1,) * cls.rank)
    missing = [n for n, f in fields.items() if n not in values and f.default is MISSING]
    if missing:
        raise LayerError(f"{where}: missing config key(s) {', '.join(missing)}")
    return _checked(where, cls, **values)


def _checked(where: str, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a check or a constructor; its LayerError gets the layer's name in front."""
    try:
        return make(*args, **kwargs)
    except LayerError as error:
        raise LayerError(f"{where}: {error}") from None


def shown(value: Any) -> str:
    """A value as the user wrote it in JSON, cut short."""
    text = json.dumps(value) if isinstance(value, str | int | float | bool | list | dict | None) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(value: Any, name: str, where: str, minimum: int | None = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LayerError(f"{where}: {name} must be a whole number, got {shown(value)}")
    if minimum is not None and value < minimum or abs(value) > MAX_SIZE:
        low = {1: "positive ", 0: "non-negative "}.get(minimum, "")
        raise LayerError(f"{where}: {name} must be a {low}whole number up to {MAX_SIZE:,}, got {shown(value)}")
    return value


def _read(cls: type[Layer], name: str, value: Any, where: str) -> Any:
    """One config value, its type checked and its Keras shorthand (3 for (3, 3)) written out."""
    if name in BOOL_KEYS:
        if not isinstance(value, bool):
            raise LayerError(f"{where}: {name} must be true or false, got {shown(value)}")
        return value
    if name == "axis":  # Keras 2 writes a built BatchNormalization's axis as a list: [3]
        value = value[0] if isinstance(value, list) and len(value) == 1 else value
        return _whole(value, name, where, minimum=None)
    if name in WHOLE_KEYS:
        return _whole(value, name, where)
    if name in TUPLE_KEYS:
        if value is None and name in ("output_padding", "strides"):
            return None
        return _tuple_per_axis(value, cls.rank, where, name, minimum=0 if name == "output_padding" else 1)
    if name == "padding" and issubclass(cls, ZeroPadding):
        return _padding_pairs(value, cls.rank, where)
    if name == "padding":
        if not isinstance(value, str):
            raise LayerError(f"{where}: padding must be a string such as \"valid\" or \"same\", got {shown(value)}")
        # Keras's convolutions read "SAME" as "same"; its pooling layers do not
        return value if issubclass(cls, Pooling) else value.lower()
    if name in NUMBER_KEYS:
        if value is not None and not _is_number(value):
            raise LayerError(f"{where}: {name} must be a number, got {shown(value)}")
        return value
    if name == "activation":
        return "linear" if value is None else value
    return value


def _tuple_per_axis(value: Any, rank: int | None, where: str, name: str, minimum: int = 1) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool) and rank:
        value = [value] * rank
    if not isinstance(value, list | tuple) or not value:
        raise LayerError(f"{where}: {name} must be a whole number or a list of them, got {shown(value)}")
    if rank and len(value) != rank:
        raise LayerError(f"{where}: {name} needs {rank} values, got {shown(value)}")
    return tuple(_whole(v, name, where, minimum) for v in value)


def _padding_pairs(value: Any, rank: int | None, where: str) -> tuple:
    """Keras's ZeroPadding forms: 2 (every side), (1, 2) (1D: left, right; else one per axis, both
    sides), ((1, 2), (3, 4)) (before, after per axis), or a mix of the last two."""
    def pair(v: Any) -> tuple[int, int]:
        if isinstance(v, list | tuple) and len(v) == 2:
            return (_whole(v[0], "padding", where, 0), _whole(v[1], "padding", where, 0))
        p = _whole(v, "padding", where, 0)
        return (p, p)

    if rank == 1:
        if isinstance(value, list | tuple) and len(value) == 1 and isinstance(value[0], list | tuple):
            value = value[0]  # [[1, 2]]: one axis, as the 2D form writes it
        return pair(value)
    if not isinstance(value, list | tuple):
        return (pair(value),) * rank
    if len(value) != rank:
        raise LayerError(f"{where}: padding needs {rank} values or (before, after) pairs, got {shown(value)}")
    return tuple(pair(v) for v in value)


def _dtype(value: Any, where: str) -> None:
    """A dtype changes no count, unless it quantizes (int8_from_float32 adds a scale per unit)."""
    name = value.get("config", {}).get("name") if isinstance(value, dict) else value
    kind = value.get("class_name", "") if isinstance(value, dict) else ""
    if value is not None and (not isinstance(name, str) or "_from_" in name or "Quantized" in str(kind)):
        raise LayerError(f"{where}: dtype {shown(value)} is not supported; quantized layers have other weights")
