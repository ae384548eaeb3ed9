"""The catalogue of named mistakes (see shared/misconceptions.md), one declarative entry each.

An entry says which layer kinds it touches and how it bends the correct computation:
`params(layer, in_shape, out_shape, prev)` gives the wrong ParamCount a student would write for
that layer, `shape(layer, in_shape)` the wrong output shape. Either returns None where the
mistake does not apply. Question kinds replay a whole stack with one entry applied
(`replay`), so one entry serves every question kind, the drill's diagnosis and Moodle's
wrong-answer feedback. A new misconception is one `Misconception(...)` below.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quizgen.engine.frameworks import Unfaithful, has_module, torch_calls
from quizgen.engine.layers import (
    LAYER_KINDS,
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Dropout,
    Flatten,
    GlobalPooling,
    Layer,
    ParamCount,
    Pooling,
    SeparableConv,
    Shape,
    Windowed,
    ZeroPadding,
)
from quizgen.engine.quantities import BYTES_PER_PARAM, UNIT_BYTES, WINDOWED, channels_first, read, receptive_field
from quizgen.engine.question import Target, Value
from quizgen.engine.stack import Flow, Stack
from quizgen.errors import LayerError

ParamsRule = Callable[[Layer, Shape, Shape, Layer | None], ParamCount | None]
ShapeRule = Callable[[Layer, Shape, Shape], Shape | None]  # (layer, input, its right output) → the wrong output
ValueRule = Callable[[Stack, Target, Value], Value | None]
FirstRule = Callable[[Stack, Target], bool]


@dataclass(frozen=True, slots=True)
class Seen:
    """What a question shows the student, which decides the mistakes they could make: a stride
    that is printed cannot be forgotten, a shape that is printed cannot be miscomputed."""

    style: str = "table"  # table, keras, pytorch or prose (quizgen.engine.styles)
    shapes: bool = False  # every layer's output shape is printed (the table, prose or drawing shows them)

    @property
    def code(self) -> bool:
        return self.style in ("keras", "pytorch")


TABLE = Seen()

# What an explanation's {placeholders} say for a layer with 1, 2 or 3 spatial axes: a Conv1D's filter holds
# k·C_in weights, a Conv3D's k·k·k·C_in, and a 1D map has a length, not a height and a width.
_BY_RANK: dict[str, tuple[str, str, str]] = {
    "k×k": ("k", "k×k", "k×k×k"),
    "k·k": ("k", "k·k", "k·k·k"),
    "k×k window": ("window of k steps", "k×k window", "k×k×k window"),
    "3×3": ("3", "3×3", "3×3×3"),
    "1×1": ("kernel-size-1", "1×1", "1×1×1"),
    "nD": ("1D", "2D", "3D"),
    "root": ("k itself", "square root", "cube root"),
    "H_out·W_out": ("L_out", "H_out·W_out", "D_out·H_out·W_out"),
    "H×W×C": ("L×C", "H×W×C", "D×H×W×C"),
    "C×H×W": ("C×L", "C×H×W", "C×D×H×W"),
    "height and width": ("length", "height and width", "depth, height and width"),
    "height × width": ("length", "height × width", "depth × height × width"),
}
RANK_WORDS: dict[int, dict[str, str]] = {rank: {key: words[rank - 1] for key, words in _BY_RANK.items()}
                                         for rank in (1, 2, 3)}


def rank_of(stack: Stack, layer: int | None) -> int:
    """The spatial axes an explanation speaks of: those of the asked layer's input, else (a Dense after a
    Flatten, a whole-model quantity) of the model's input; 2, the catalogue's own wording, for a flat model."""
    for shape in (() if layer is None else stack.shapes[layer], stack.input_shape):
        if 2 <= len(shape) <= 4:
            return len(shape) - 1
    return 2


# Compared and hashed by identity: each entry is one constant of the catalogue, and caches and dicts key by
# them thousands of times a set (hashing its twenty fields each time was a per-question cost).
@dataclass(frozen=True, slots=True, eq=False)
class Misconception:
    """One named mistake. Layer-level entries (`params`, `shape`) are replayed over a stack and
    so reach every quantity computed from it; quantity-level entries (`value`) bend the final
    number of the quantities listed in `bends` (MACs, memory, receptive field, ...)."""

    id: str
    title: str
    explanation: str
    layers: tuple[type[Layer], ...] = ()
    params: ParamsRule | None = None
    shape: ShapeRule | None = None
    value: ValueRule | None = None
    bends: tuple[str, ...] = ()
    counts_frozen: bool = False  # the params rule itself decides how a frozen layer counts
    when: Callable[[Layer], bool] | None = None  # a cheap test of the layer's config; the rule is None otherwise
    # Whether a student who sees the question could make it at this layer (a printed stride cannot be
    # forgotten); None: wherever it applies.
    shown: Callable[[Layer, Seen], bool] | None = None
    # Whether it is about the asked layer's (or quantity's) own configuration: such mistakes are shown first.
    first: FirstRule | None = None
    signature: bool = False  # the mistake this layer kind is known for: may be shown even when far off
    source: str = ""
    pytorch: str = ""  # the explanation beside PyTorch code, where Keras's words would not fit it
    keras_only: bool = False  # the mistake needs what only Keras shows (padding='same', Keras's BatchNorm count)
    # A value rule that only rearranges the value it is given (a shape written channels last): applied to another
    # mistake's value, it gives what a student holding both writes.
    rearranges: bool = False

    def applies(self, layer: Layer, seen: Seen = TABLE) -> bool:
        return (isinstance(layer, self.layers) and (self.when is None or self.when(layer))
                and (self.shown is None or self.shown(layer, seen)))

    def visible(self, seen: Seen) -> bool:
        """Whether the mistake can show at all: one that only bends shapes cannot where every shape is printed."""
        return not (seen.shapes and self.shape is not None and self.params is None)

    def is_first(self, stack: Stack, target: Target) -> bool:
        return self.first is not None and self.first(stack, target)

    def explain(self, convention: str = "keras", rank: int = 2) -> str:
        """The explanation in the words of the question's framework, its formulas written for a layer with
        `rank` spatial axes (see `RANK_WORDS`; the catalogue lists them for 2D)."""
        text = self.pytorch if convention == "pytorch" and self.pytorch else self.explanation
        return text.format_map(RANK_WORDS[rank]) if "{" in text else text

    # Asked for every wrong value of every question; a few hundred distinct. The entries are the catalogue's
    # module-level constants, so the cache keeps nothing alive that would otherwise go.
    @functools.lru_cache(maxsize=1024)  # noqa: B019
    def feedback_for(self, convention: str = "keras", rank: int = 2) -> str:
        return f"{self.title}. {self.explain(convention, rank)}"

    @property
    def feedback(self) -> str:
        return self.feedback_for()


def both_title(first: str, second: str) -> str:
    """The title of a value two mistakes make together, from theirs: "Two mistakes: dropped the +1 and kept the
    input's channels"."""
    return f"Two mistakes: {_lower(first)} and {_lower(second)}"


def both_explained(first: Misconception, second: Misconception, convention: str = "keras", rank: int = 2) -> str:
    return f"{first.explain(convention, rank)} {second.explain(convention, rank)}"


def both_feedback(first: Misconception, second: Misconception, convention: str = "keras", rank: int = 2) -> str:
    return f"{both_title(first.title, second.title)}. {both_explained(first, second, convention, rank)}"


def _lower(title: str) -> str:
    """A title inside a sentence: its first letter small, unless it starts a name (PyTorch)."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def replay(m: Misconception, stack: Stack, upto: int | None = None, seen: Seen = TABLE,
           at: int | None = None, where: Sequence[int] | None = None) -> list[Flow]:
    """Recompute the stack as a student holding `m` would, applying it wherever it fits and the
    question lets them (`seen`: no shape is bent where the shapes are printed), or only at layer
    `at` when given (one slip, every later layer then computed right from its wrong input).
    `where`: the layers it applies at, when the caller has found them already (`applies_at`).

    Stops early where the wrong shapes no longer make a valid stack (a student would notice),
    so the result may be shorter than the stack. Layers before the first change are reused;
    layers after `upto` are not computed.
    """
    if where is None:
        where = [i for i in applies_at(m, stack, upto, seen) if at is None or i == at]
    return _replay((m,), stack, upto, seen, (where,))


def replay_pair(first: Misconception, second: Misconception, stack: Stack, upto: int | None = None,
                seen: Seen = TABLE, where: tuple[Sequence[int], Sequence[int]] | None = None) -> list[Flow]:
    """Recompute the stack as a student holding both mistakes at once would, each applied wherever it
    fits, the wrong shapes flowing on. Where both bend the same layer they must change different things:
    one the spatial axes, the other the channels (they flow independently through a convolution or a
    pooling), and the layer's output takes each from its own mistake. Two mistakes that change the same
    axes of one layer, or that both change its parameters, are two formulas for one number: no student
    holds both, and the replay stops there (the result is then shorter than the stack).
    `where`: the layers each applies at, as `replay` takes them."""
    if where is None:
        where = applies_at(first, stack, upto, seen), applies_at(second, stack, upto, seen)
    return _replay((first, second), stack, upto, seen, where)


def applies_at(m: Misconception, stack: Stack, upto: int | None = None, seen: Seen = TABLE) -> list[int]:
    """The layers (up to `upto`) a student who sees `seen` could bend with `m`."""
    return [i for i, layer in enumerate(stack.layers[:None if upto is None else upto + 1]) if m.applies(layer, seen)]


def _replay(ms: tuple[Misconception, ...], stack: Stack, upto: int | None, seen: Seen,
            where: Sequence[Sequence[int]]) -> list[Flow]:
    layers = stack.layers[:None if upto is None else upto + 1]
    applying_at: dict[int, list[Misconception]] = {}  # layer → the mistakes bending it, in the order of `ms`
    for m, positions in zip(ms, where):
        for i in positions:
            if i < len(layers):
                applying_at.setdefault(i, []).append(m)
    first = min(applying_at, default=len(layers))
    rows: list[Flow] = list(stack.flow[:first])  # up to the first bent layer: the stack's own
    cur, prev, diverged = stack.shapes[first], layers[first - 1] if first else None, False
    for i in range(first, len(layers)):
        layer = layers[i]
        applying = applying_at.get(i, ())
        if not (diverged or applying):
            rows.append(stack.flow[i])
            cur, prev = stack.shapes[i + 1], layer
            continue
        if not applying:  # past the first wrong shape, no mistake here: the layer computed right from it
            try:
                out = layer.output_shape(i, cur)
            except LayerError:
                break
            rows.append(Flow(cur, out, layer.params(cur)))
            cur, prev = out, layer
            continue
        try:
            out = layer.output_shape(i, cur) if diverged else stack.shapes[i + 1]
            wrongs = [w for m in applying if m.shape and not seen.shapes
                      and (w := m.shape(layer, cur, out)) is not None and min(w) > 0]
        except LayerError:
            break
        if wrongs:
            merged = _merge_axes(out, wrongs)
            if merged is None:
                break
            out = merged
        counts = [(m, p) for m in applying if m.params and (p := m.params(layer, cur, out, prev)) is not None
                  and p.trainable >= 0]
        if len(counts) > 1:
            break
        if not counts:
            p = layer.params(cur) if diverged else stack.counts[i]
        else:
            (m, p), = counts
            if not (layer.trainable or m.counts_frozen):  # rules count as if trainable; frozen: all aside
                p = ParamCount(0, p.total)
        diverged = diverged or out != stack.shapes[i + 1]
        rows.append(Flow(cur, out, p))
        cur, prev = out, layer
    return rows


def _merge_axes(right: Shape, wrongs: list[Shape]) -> Shape | None:
    """One layer's output bent by each of `wrongs` (each computed from the same input): one alone is itself;
    two must split as a change of the spatial axes and a change of the channel axis, else None."""
    if len(wrongs) == 1:
        return wrongs[0]
    if any(len(w) != len(right) for w in wrongs):
        return None
    changed = [{j for j, (a, b) in enumerate(zip(w, right)) if a != b} for w in wrongs]
    channel = {len(right) - 1}
    if sum(bool(c & channel) for c in changed) > 1 or sum(bool(c - channel) for c in changed) > 1:
        return None
    return tuple(next((w[j] for w, c in zip(wrongs, changed) if j in c), n) for j, n in enumerate(right))


# --- helpers for the rules --------------------------------------------------------------------

def _bias(layer: Layer, shape: Shape) -> int:
    return layer.bias_count(shape)


def _per_axis(rule: Callable[[int, int, int, int, str], int | None]) -> ShapeRule:
    """Lift a rule on one axis (n, k, s, d, padding → length or None) to a windowed layer's shape."""
    def shape(layer: Layer, in_shape: Shape, out: Shape) -> Shape | None:
        ks, ss, ds, padding = layer.window()
        lengths = [rule(n, k, s, d, padding) for n, k, s, d in zip(in_shape, ks, ss, ds)]
        if all(v is None for v in lengths):
            return None
        return (*(r if v is None else v for r, v in zip(out, lengths)), out[-1])
    return shape


def _valid_only(fn: Callable[[int, int], int]) -> Callable[[int, int, int, int, str], int | None]:
    """A valid-padding rule on (n − span, s)."""
    def rule(n: int, k: int, s: int, d: int, padding: str) -> int | None:
        return fn(n - d * (k - 1) - 1, s) if padding == "valid" else None
    return rule


CONVS = (Conv, ConvTranspose)
WEIGHTED = (Conv, ConvTranspose, DepthwiseConv, SeparableConv, Dense)


def _forgot_bias(layer, in_shape, out, prev):
    b = _bias(layer, in_shape)
    return ParamCount(layer.count(in_shape).trainable - b) if b else None


def _forgot_channels(layer, in_shape, out, prev):
    c = in_shape[-1] // getattr(layer, "groups", 1)
    if c <= 1:
        return None
    return ParamCount((math.prod(layer.kernel_size) + layer.use_bias) * layer.filters)


def _kernel_squared(layer, in_shape, out, prev):
    k = layer.kernel_size[0]
    return ParamCount((k * k + layer.use_bias) * layer.filters)


def _stride_for_depth(layer, in_shape, out, prev):
    return ParamCount((math.prod(layer.kernel_size) * layer.strides[0] + layer.use_bias) * layer.filters)


def _times_positions(layer, in_shape, out, prev):
    positions = math.prod(out[:-1])
    if positions <= 1:
        return None
    per_filter = math.prod(layer.kernel_size) * in_shape[-1] // layer.groups + layer.use_bias
    return ParamCount(per_filter * positions * layer.filters)


def _pool_params(layer, in_shape, out, prev):
    return ParamCount(2 * in_shape[-1])


def _dropout_scales(layer, in_shape, out, prev):
    if not isinstance(prev, Dropout) or prev.rate == 0:
        return None
    return ParamCount(int(layer.count(in_shape).total * (1 - prev.rate) + 0.5))


def _flatten_without_channels(layer, in_shape, out):
    return (math.prod(in_shape[:-1]),) if in_shape[-1] > 1 and len(in_shape) > 1 else None


def _bias_per_input_channel(layer, in_shape, out, prev):
    c = in_shape[-1]
    if not layer.use_bias or c <= 1 or layer.groups != 1:
        return None
    return ParamCount((math.prod(layer.kernel_size) + 1) * c * layer.filters)


def _bias_per_position(layer, in_shape, out, prev):
    if not layer.use_bias:
        return None
    weights = layer.count(in_shape).trainable - layer.filters
    return ParamCount(weights + math.prod(out[:-1]) * layer.filters)


def _bn_two(layer, in_shape, out, prev):
    p = layer.count(in_shape)
    return ParamCount(p.trainable, 0)


def _bn_all_trainable(layer, in_shape, out, prev):
    return ParamCount(layer.count(in_shape).total, 0)


def _dense_nd_params(layer, in_shape, out, prev):
    if len(in_shape) < 2:
        return None
    return ParamCount(math.prod(in_shape) * layer.units + (layer.units if layer.use_bias else 0))


def _dense_nd_shape(layer, in_shape, out):
    return (layer.units,) if len(in_shape) > 1 else None


def _channels_multiply(layer, in_shape, out):
    c = in_shape[-1]
    if c <= 1 or layer.groups != 1:
        return None
    return (*out[:-1], c * layer.filters)


def _input_channels_kept(layer, in_shape, out):
    c = in_shape[-1]
    if c == layer.filters:
        return None
    return (*out[:-1], c)


def _transpose_inverse(layer, in_shape, out):
    if layer.output_padding is not None:
        return None
    lengths = []
    for n, k, s, d in zip(in_shape[:-1], layer.kernel_size, layer.strides, layer.dilation_rate):
        k_eff = k + (k - 1) * (d - 1)
        lengths.append((n - 1) * s + k_eff if layer.padding == "same" else n * s)
    return (*lengths, layer.filters)


def _depthwise_times_filters(layer, in_shape, out, prev):
    c, dm = in_shape[-1], layer.depth_multiplier
    kv = math.prod(layer.kernel_size)
    if isinstance(layer, SeparableConv):
        return ParamCount(layer.count(in_shape).trainable + c * dm) if layer.use_bias else None
    if c <= 1:
        return None
    return ParamCount(kv * c * c * dm + (c * dm if layer.use_bias else 0))


def _groups_ignored(layer, in_shape, out, prev):
    if layer.groups == 1:
        return None
    return ParamCount(math.prod(layer.kernel_size) * in_shape[-1] * layer.filters + _bias(layer, in_shape))


def _same_as_valid(n: int, k: int, s: int, d: int, padding: str) -> int | None:
    return (n - d * (k - 1) - 1) // s + 1 if padding == "same" else None


def _forgot_padding(layer, in_shape, out):
    if isinstance(layer, ZeroPadding):
        return in_shape
    return _per_axis(_same_as_valid)(layer, in_shape, out)


def _pool_stride_one(layer, in_shape, out):
    if layer.strides != layer.pool_size or layer.padding != "valid" or max(layer.pool_size) == 1:
        return None
    return (*(n - p + 1 for n, p in zip(in_shape[:-1], layer.pool_size)), in_shape[-1])


def _other_convention(stack, target, answer):
    if not any(isinstance(layer, BatchNormalization) for layer in stack.layers):
        return None
    other = "keras" if target.convention == "pytorch" else "pytorch"
    return read(stack.flow, stack, Target(target.layer, target.quantity, other, target.dtype, target.unit))


def _layer_of(stack, target):
    i = target.layer
    return stack.layers[i], stack.shapes[i], stack.shapes[i + 1]


def _macs_twice(stack, target, answer):
    return 2 * answer


def _macs_input_positions(stack, target, answer):
    layer, in_shape, out = _layer_of(stack, target)
    return layer.macs(in_shape, (*in_shape[:-1], out[-1])) if len(in_shape) > 1 else None


def _macs_equals_params(stack, target, answer):
    layer, in_shape, _ = _layer_of(stack, target)
    return layer.count(in_shape).total - layer.bias_count(in_shape)


def _memory(stack, target, bytes_per_param, divisor):
    total = read(stack.flow, stack, Target(None, "params", target.convention))
    size = total * bytes_per_param
    return size if target.unit == "bytes" else round(size / divisor, 2)


def _kilo_is_1000(stack, target, answer):
    if target.unit == "bytes":
        return None
    return _memory(stack, target, BYTES_PER_PARAM[target.dtype], 1000 if target.unit == "KiB" else 1_000_000)


def _bits(stack, target, answer):
    return _memory(stack, target, BYTES_PER_PARAM[target.dtype] * 8, UNIT_BYTES[target.unit])


def _float32_assumed(stack, target, answer):
    return None if target.dtype == "float32" else _memory(stack, target, 4, UNIT_BYTES[target.unit])


def _rf(**options):
    def rule(stack, target, answer):
        return receptive_field(stack.layers, target.layer, **options)
    return rule


def _rf_last_kernel(stack, target, answer):
    return receptive_field(stack.layers[target.layer:], 0)


def _frozen_still_trainable(layer, in_shape, out, prev):
    return None if layer.trainable else ParamCount(layer.count(in_shape).total, 0)


def _frozen_vanish(layer, in_shape, out, prev):
    return None if layer.trainable else ParamCount(0, 0)


def _image_channels(stack, target, answer):
    """Every convolution's C_in taken from the image, not from the layer before it."""
    c, rows = stack.input_shape[-1], list(stack.flow)
    if len(stack.input_shape) < 2:
        return None
    if target.quantity in ("macs", "filters", "kernel_size"):  # the asked convolution's own C_in
        layer, in_shape, out = _layer_of(stack, target)
        if not isinstance(layer, Conv) or in_shape[-1] == c or c % layer.groups:
            return None
        return layer.macs((*in_shape[:-1], c), out) if target.quantity == "macs" else _solved(stack, target, c_in=c)
    for i, (row, layer) in enumerate(zip(stack.flow, stack.layers)):
        if isinstance(layer, Conv) and row.input_shape[-1] != c and c % layer.groups == 0:
            rows[i] = Flow(row.input_shape, row.output_shape, layer.params((*row.input_shape[:-1], c)))
    return read(rows, stack, target) if rows != list(stack.flow) else None


def _torch_paddings(stack: Stack) -> dict[int, tuple[int, ...]]:
    """The `padding=` each layer's PyTorch module is written with (symmetric padding, per axis)."""
    pads: dict[int, tuple[int, ...]] = {}
    for call in torch_calls(stack):
        arg = next((a for a in call.args if a.startswith("padding=")), None)
        if arg and call.completes and not call.name.startswith("nn.ZeroPad") and "Transpose" not in call.name:
            amounts = tuple(int(n) for n in re.findall(r"\d+", arg))
            pads[call.layer] = amounts * stack.layers[call.layer].rank if len(amounts) == 1 else amounts
    return pads


def _padding_once(stack, target, answer):
    """PyTorch's floor((n + 2p − d(k − 1) − 1)/s) + 1 with p where 2p belongs, on every padded layer."""
    if target.convention != "pytorch":
        return None
    try:
        pads = _torch_paddings(stack)
    except Unfaithful:
        return None
    cur = stack.input_shape
    for i, layer in enumerate(stack.layers[:target.layer + 1]):
        if isinstance(layer, ZeroPadding) and not has_module(stack, i):
            continue  # folded into the next convolution's padding=
        try:
            right = layer.output_shape(i, cur)
        except LayerError:
            return None
        if i in pads and isinstance(layer, WINDOWED):
            ks, ss, ds, _ = layer.window()
            cur = (*((n + p - d * (k - 1) - 1) // s + 1 for n, p, k, s, d in zip(cur, pads[i], ks, ss, ds)), right[-1])
        else:
            cur = right
        if min(cur) <= 0:
            return None
    return channels_first(cur) if target.quantity == "output_shape" else math.prod(cur)


def _span_d_times_k(n: int, k: int, s: int, d: int, padding: str) -> int | None:
    return (n - d * k) // s + 1 if padding == "valid" and d > 1 else None


def _rf_span_d_times_k(stack, target, answer):
    layers = stack.layers[:target.layer + 1]
    if not any(isinstance(layer, WINDOWED) and max(layer.window()[2]) > 1 for layer in layers):
        return None
    r, jump = 1, 1
    for layer in layers:
        if isinstance(layer, WINDOWED):
            ks, ss, ds, _ = layer.window()
            span = ds[0] * ks[0] if ds[0] > 1 else ks[0]  # d·k for a dilated kernel, else k as it is
            r += (span - 1) * jump
            jump *= ss[0]
    return r


def _asked(*classes: type[Layer], when: Callable[[Layer], bool] = lambda layer: True, model: bool = False) -> FirstRule:
    """About the asked layer's own configuration: a question about such a layer, or with `model`
    (a setting that decides how a whole model counts: frozen layers), a whole-model question about a
    stack that has one."""
    def rule(stack: Stack, target: Target) -> bool:
        layers = (stack.layers if model else ()) if target.layer is None else (stack.layers[target.layer],)
        return any(isinstance(layer, classes) and when(layer) for layer in layers)
    return rule


def _always(stack: Stack, target: Target) -> bool:
    return True


def _in_pytorch(stack: Stack, target: Target) -> bool:
    return target.convention == "pytorch"


def _stride_not_printed(layer: Layer, seen: Seen) -> bool:
    """Keras and PyTorch code leave out a pooling stride equal to the pool size; a table and prose print it."""
    return seen.code and layer.strides == layer.pool_size


def _same_is_shown(layer: Layer, seen: Seen) -> bool:
    """PyTorch code writes padding as numbers (or a ZeroPad module): there is no 'same' or 'valid' to misread."""
    return seen.style != "pytorch"


def _keras_counts(layer: Layer, seen: Seen) -> bool:
    """Mistakes about Keras's count of BatchNorm's statistics: PyTorch code keeps them as buffers."""
    return seen.style != "pytorch"


def _bias_per_input(layer, in_shape, out, prev):
    n_in = in_shape[-1]
    if not layer.use_bias or getattr(layer, "groups", 1) != 1:
        return None
    units = layer.units if isinstance(layer, Dense) else layer.filters
    return ParamCount(layer.count(in_shape).trainable - units + n_in) if n_in != units else None


def _filters_as_depth(layer, in_shape, out, prev):
    if isinstance(layer, Dense):
        return ParamCount((layer.units + layer.use_bias) * layer.units) if layer.units != in_shape[-1] else None
    if layer.groups != 1 or layer.filters == in_shape[-1]:
        return None
    return ParamCount((math.prod(layer.kernel_size) * layer.filters + layer.use_bias) * layer.filters)


def _kernel_not_squared(layer, in_shape, out, prev):
    if layer.rank < 2 or len(set(layer.kernel_size)) > 1 or layer.kernel_size[0] == 1:
        return None
    per_filter = layer.kernel_size[0] * in_shape[-1] // layer.groups
    return ParamCount((per_filter + layer.use_bias) * layer.filters)


def _pool_ignored(layer, in_shape, out):
    return in_shape


def _stride_ignored(n: int, k: int, s: int, d: int, padding: str) -> int | None:
    return n - d * (k - 1) if s > 1 and padding == "valid" else None  # 'same' with a stride: entry #12


def _valid_as_same(n: int, k: int, s: int, d: int, padding: str) -> int | None:
    return -(-n // s) if padding == "valid" and k > 1 else None


def _pool_area_per_axis(layer, in_shape, out):
    if layer.padding != "valid" or layer.strides != layer.pool_size or math.prod(layer.pool_size) == max(layer.pool_size):
        return None
    area = math.prod(layer.pool_size)
    return (*(n // area for n in in_shape[:-1]), in_shape[-1])


def _trims_both_sides(n: int, k: int, s: int, d: int, padding: str) -> int | None:
    return (n - 2 * d * (k - 1) - 1) // s + 1 if padding == "valid" and k > 1 else None


def _full_size(n: int, k: int, s: int, d: int, padding: str) -> int | None:
    return (n + d * (k - 1) - 1) // s + 1 if padding == "valid" and k > 1 else None


def _pool_window_weights(layer, in_shape, out, prev):
    return ParamCount((math.prod(layer.pool_size) + 1) * in_shape[-1])


def _activations(layer, in_shape, out, prev):
    return ParamCount(math.prod(out))


def _params_as_bytes(stack, target, answer):
    return None if target.dtype == "int8" else _memory(stack, target, 1, UNIT_BYTES[target.unit])


def _rf_from_zero(stack, target, answer):
    return answer - 1


def _macs_kernel_not_squared(stack, target, answer):
    layer, in_shape, out = _layer_of(stack, target)
    if not isinstance(layer, Conv) or layer.rank < 2 or len(set(layer.kernel_size)) > 1 or layer.kernel_size[0] == 1:
        return None
    k = layer.kernel_size[0]
    return answer // k ** (layer.rank - 1)


def _rf_no_minus_one(stack, target, answer):
    r, jump = 1, 1
    for layer in stack.layers[:target.layer + 1]:
        if isinstance(layer, Windowed):
            ks, ss, ds, _ = layer.window()
            r += (ds[0] * (ks[0] - 1) + 1) * jump
            jump *= ss[0]
    return r


def _rf_sum_of_kernels(stack, target, answer):
    return sum(layer.window()[0][0] for layer in stack.layers[:target.layer + 1] if isinstance(layer, WINDOWED))


def _pool_channels(layer, in_shape, out):
    c, p = in_shape[-1], layer.pool_size[0]
    if c <= 1 or p <= 1 or c % p:
        return None
    return (*out[:-1], c // p)


def _global_keeps_axes(layer, in_shape, out):
    return None if layer.keepdims else (*(1,) * (len(in_shape) - 1), in_shape[-1])


def _bn_per_position(layer, in_shape, out, prev):
    positions = math.prod(in_shape[:-1])
    if positions <= 1:
        return None
    p = layer.count(in_shape)
    return ParamCount(p.trainable * positions, p.non_trainable * positions)


def _macs_with_bias_adds(stack, target, answer):
    layer, in_shape, out = _layer_of(stack, target)
    adds = layer.bias_count(in_shape) * math.prod(out[:-1])
    return answer + adds if adds else None


def _training_memory(stack, target, answer):
    """Weights, plus a gradient and Adam's two moment estimates for every trainable one."""
    trainable = read(stack.flow, stack, Target(None, "trainable_params", target.convention))
    if not trainable:
        return None
    total = read(stack.flow, stack, Target(None, "params", target.convention))
    size = (total + 3 * trainable) * BYTES_PER_PARAM[target.dtype]
    return size if target.unit == "bytes" else round(size / UNIT_BYTES[target.unit], 2)


def _channels_last_in_pytorch(stack, target, answer):
    if target.convention != "pytorch" or len(answer) < 2:
        return None
    return [*answer[1:], answer[0]]
def _rf_jump_too_early(stack, target, answer):
    r, jump = 1, 1
    for layer in stack.layers[:target.layer + 1]:
        if isinstance(layer, Windowed):
            ks, ss, ds, _ = layer.window()
            jump *= ss[0]
            r += ds[0] * (ks[0] - 1) * jump
    return r


def _rf_total_jump(stack, target, answer):
    layers = [layer for layer in stack.layers[:target.layer + 1] if isinstance(layer, Windowed)]
    total = math.prod(layer.window()[1][0] for layer in layers)
    if total == 1:
        return None
    return 1 + sum((layer.window()[2][0] * (layer.window()[0][0] - 1)) * total for layer in layers)


def _rf_without_pooling(stack, target, answer):
    if not any(isinstance(layer, Pooling) for layer in stack.layers[:target.layer + 1]):
        return None
    return receptive_field([layer for layer in stack.layers[:target.layer + 1] if not isinstance(layer, Pooling)],
                           target.layer)


def _macs_without_channels(stack, target, answer):
    layer, in_shape, out = _layer_of(stack, target)
    c = in_shape[-1] // getattr(layer, "groups", 1)
    if c <= 1 or not isinstance(layer, (Conv, Dense)):
        return None
    return answer // c


def _round(x: float) -> int:
    """A student's quotient rounded to the nearest whole number (halves up)."""
    return math.floor(x + 0.5)


def _solved(stack: Stack, target: Target, c_in: int | None = None, rank: int | None = None,
            per_filter: bool = True) -> int | None:
    """The filters or kernel size a student gets by solving P = (k^r·C_in + 1)·F for it with a wrong C_in,
    a wrong exponent r, or (not `per_filter`) P taken for one filter; every other number as the question
    shows it, the result rounded."""
    i = target.layer
    layer, p = stack.layers[i], stack.counts[i].total
    c = stack.input_of(i)[-1] if c_in is None else c_in
    r, bias = layer.rank if rank is None else rank, int(layer.use_bias)
    if target.quantity == "filters":
        return _round(p / (layer.kernel_size[0] ** r * c + bias))
    if target.quantity == "kernel_size":
        area = ((p / layer.filters if per_filter else p) - bias) / c
        return _round(area ** (1 / r)) if area > 0 else None
    return None


def _root_before_channels(stack, target, answer):
    """k = √(P/F − 1) / C_in: the root taken before the division by C_in, not of the whole."""
    layer, in_shape, _ = _layer_of(stack, target)
    c = in_shape[-1]
    if layer.rank == 1 or c == 1:
        return None
    area = stack.counts[target.layer].total / layer.filters - layer.use_bias
    return _round(area ** (1 / layer.rank) / c)


def _conv1d_as_2d(stack, target, answer):
    layer, _, _ = _layer_of(stack, target)
    if not isinstance(layer, Conv) or layer.rank != 1 or layer.kernel_size[0] == 1:
        return None
    return answer * layer.kernel_size[0] if target.quantity == "macs" else _solved(stack, target, rank=2)


def _single_filter(stack, target, answer):
    layer, _, _ = _layer_of(stack, target)
    if target.quantity == "kernel_size":
        return _solved(stack, target, per_filter=False)
    if not (isinstance(layer, Dense) or isinstance(layer, Conv) and layer.groups == 1):
        return None
    filters = layer.units if isinstance(layer, Dense) else layer.filters
    return answer // filters if filters > 1 else None


def _macs_additions(stack, target, answer):
    """n − 1 additions per output value that sums n products."""
    layer, _, out = _layer_of(stack, target)
    if not isinstance(layer, (Conv, DepthwiseConv, Dense)) or answer <= math.prod(out):
        return None
    return answer - math.prod(out)


def _macs_training_step(stack, target, answer):
    """The forward pass and training's backward pass: gradients for the inputs and for the weights."""
    return 3 * answer


def _macs_filters_as_depth(stack, target, answer):
    layer, in_shape, _ = _layer_of(stack, target)
    if isinstance(layer, Dense):
        n_out = layer.units
    elif isinstance(layer, Conv) and layer.groups == 1:
        n_out = layer.filters
    else:
        return None
    return None if n_out == in_shape[-1] else answer // in_shape[-1] * n_out


def _kernel_area_left_out(stack, target, answer):
    layer, in_shape, _ = _layer_of(stack, target)
    if not isinstance(layer, Conv) or layer.groups != 1 or math.prod(layer.kernel_size) == 1:
        return None
    if target.quantity == "filters":
        return _round(stack.counts[target.layer].total / (in_shape[-1] + layer.use_bias))
    return answer // math.prod(layer.kernel_size)


def _valid_padding(layer: Layer) -> bool:
    return layer.padding == "valid"


def _same_strided(layer: Layer) -> bool:
    return layer.padding == "same" and max(layer.strides) > 1


def _valid_strided(layer: Layer) -> bool:
    return layer.padding == "valid" and max(layer.strides) > 1


def _biased(layer: Layer) -> bool:
    return layer.use_bias


def _frozen(layer: Layer) -> bool:
    return not layer.trainable


CATALOGUE: tuple[Misconception, ...] = (
    Misconception(
        "forgot-bias", "Forgot the bias",
        "Every filter (or Dense unit) has one bias besides its weights, so add one parameter per "
        "filter or unit: (weights per filter + 1) × filters.",
        WEIGHTED, params=_forgot_bias, when=_biased, source="misconceptions.md #1"),
    Misconception(
        "forgot-input-channels", "Forgot the input channels",
        "A filter is not a flat {k×k window}: it spans every input channel, so it holds {k×k}×C_in weights. "
        "Multiply the kernel area by the number of channels coming in.",
        CONVS, params=_forgot_channels, signature=True, source="misconceptions.md #2",
        pytorch="A filter is not a flat {k×k window}: it spans every input channel, so it holds {k×k}×in_channels "
                "weights. Multiply the kernel area by in_channels."),
    Misconception(
        "conv1d-kernel-squared", "Squared a 1D kernel",
        "A Conv1D kernel of size k covers k steps and all C_in channels: k×C_in weights per filter, not k×k. "
        "The feature (embedding) dimension is the channel count.",
        (LAYER_KINDS["Conv1D"],), params=_kernel_squared, signature=True, source="misconceptions.md #3",
        pytorch="An nn.Conv1d kernel of size k covers k steps and all in_channels: k×in_channels weights per "
                "filter, not k×k. The feature (embedding) dimension is the channel count."),
    Misconception(
        "input-depth-called-stride", "Used the stride where the input depth belongs",
        "The formula is ({k×k}×C_in + 1)×F: the factor after the kernel is the depth (channels) of the input, not "
        "the stride. "
        "The stride only changes the output size, never the parameter count.",
        CONVS, params=_stride_for_depth, source="misconceptions.md #4 (seed blog)"),
    Misconception(
        "multiply-by-output-spatial-size", "Multiplied by the output size",
        "Weights are shared: the same filter slides over every position, so the count does not depend on "
        "the {height and width} of the input or output.",
        (Conv,), params=_times_positions, signature=True, source="misconceptions.md #5"),
    Misconception(
        "pooling-has-params", "Gave the pooling layer weights",
        "Max and average pooling just take the maximum or mean of each window; they learn nothing, so they "
        "have 0 parameters.",
        (Pooling, GlobalPooling), params=_pool_params, first=_asked(Pooling, GlobalPooling), signature=True,
        source="misconceptions.md #6"),
    Misconception(
        "dropout-or-activation-changes-params", "Let Dropout change the count",
        "Dropout switches units off at random during training only; the next layer still has all its weights. "
        "Dropout, Flatten and activations have no parameters and change no other layer's count.",
        WEIGHTED, params=_dropout_scales, source="misconceptions.md #7"),
    Misconception(
        "wrong-flatten-size", "Wrong Flatten size",
        "Flatten keeps every value: its size is {height × width} × channels of the last feature map "
        "(after the last pooling). Leaving the channels out makes the first Dense layer wrong too.",
        (Flatten,), shape=_flatten_without_channels, signature=True, source="misconceptions.md #8",
        pytorch="nn.Flatten keeps every value: its size is channels × {height × width} of the last feature map "
                "(after the last pooling). Leaving the channels out makes the nn.Linear after it wrong too."),
    Misconception(
        "no-floor-fractional-size", "Rounded instead of flooring",
        "When (W − k)/s is not whole, the last partial window is dropped: take the floor, then add 1. "
        "Rounding to the nearest number gives one too many.",
        (Windowed,), shape=_per_axis(_valid_only(lambda span, s: (2 * span + s) // (2 * s) + 1)), when=_valid_padding,
        source="misconceptions.md #9",
        pytorch="When (W + 2p − k)/s is not whole, the last partial window is dropped: take the floor, then add 1 "
                "(PyTorch's ceil_mode=False). Rounding to the nearest number gives one too many."),
    Misconception(
        "ceil-instead-of-floor", "Rounded up",
        "Keras and PyTorch floor the division in floor((W − k)/s) + 1; a window that would run past the "
        "edge is not computed. Rounding up only 'works' for AlexNet's famous 227 input.",
        (Windowed,), shape=_per_axis(_valid_only(lambda span, s: -(-span // s) + 1)), when=_valid_padding,
        source="misconceptions.md #10",
        pytorch="PyTorch floors the division in floor((W + 2p − k)/s) + 1: with ceil_mode=False, the default, a "
                "window that would run past the edge is not computed."),
    Misconception(
        "plus-one-inside-or-missing", "Dropped the +1",
        "The number of window positions is floor((W − k)/s) + 1: the +1 counts the first position "
        "and sits outside the division.",
        (Windowed,), shape=_per_axis(_valid_only(lambda span, s: span // s)), when=_valid_padding,
        source="misconceptions.md #11",
        pytorch="The number of window positions is floor((W + 2p − k)/s) + 1: the +1 counts the first position "
                "and sits outside the division."),
    Misconception(
        "same-means-same-size-with-stride", "Took 'same' to keep the size",
        "padding='same' keeps the size only with stride 1. With stride s the output is ceil(W/s).",
        (Windowed,), shape=_per_axis(lambda n, k, s, d, p: n if p == "same" and s > 1 else None),
        when=_same_strided, shown=_same_is_shown, first=_asked(Windowed, when=_same_strided),
        source="misconceptions.md #12",
        keras_only=True),
    Misconception(
        "same-without-ceil", "Divided without rounding up",
        "With padding='same' the output length is ceil(W/s): an odd size such as 7 with stride 2 gives 4, not 3.",
        (Windowed,), shape=_per_axis(lambda n, k, s, d, p: n // s if p == "same" and s > 1 else None),
        when=_same_strided, shown=_same_is_shown, first=_asked(Windowed, when=_same_strided),
        source="misconceptions.md #13",
        keras_only=True),
    Misconception(
        "pool-stride-default", "Pooled with stride 1",
        "When no stride is given, Keras and PyTorch pooling use stride = pool size, so the windows do not "
        "overlap: floor((W − p)/p) + 1.",
        (Pooling,), shape=_pool_stride_one, shown=_stride_not_printed, source="misconceptions.md #14",
        pytorch="When no stride is given, PyTorch's pooling uses stride = kernel_size, so the windows do not "
                "overlap: floor((W + 2p − k)/k) + 1."),
    Misconception(
        "output-channels-multiply", "Multiplied the channels",
        "Each filter spans all input channels and produces ONE feature map, so a convolution outputs "
        "F channels (its number of filters), not C_in × F.",
        (Conv,), shape=_channels_multiply, when=lambda layer: layer.groups == 1, source="misconceptions.md #15"),
    Misconception(
        "conv-keeps-input-channels", "Kept the input's channels",
        "A convolution's output has one channel per filter: F channels, whatever the input had. The input "
        "decides only the {height and width} (with the kernel, stride and padding).",
        (Conv, ConvTranspose), shape=_input_channels_kept, source="reasoned from misconceptions.md #15",
        pytorch="A convolution's output has out_channels channels, one per filter, whatever in_channels was. "
                "Only the spatial sizes come from the input (and the kernel, stride and padding)."),
    Misconception(
        "bias-per-input-channel", "One bias per input channel",
        "A filter has a single bias, added once after summing over all input channels: ({k×k}×C_in + 1)×F.",
        (Conv,), params=_bias_per_input_channel, source="misconceptions.md #16"),
    Misconception(
        "bias-per-output-position", "One bias per output position",
        "Keras and PyTorch share one bias per filter across all positions, just like the weights.",
        (Conv,), params=_bias_per_position, signature=True, source="misconceptions.md #17"),
    Misconception(
        "batchnorm-two-per-channel", "Counted only gamma and beta",
        "Keras counts 4 values per channel for BatchNormalization: gamma and beta are trained, and the "
        "moving mean and moving variance are non-trainable parameters.",
        (BatchNormalization,), params=_bn_two, shown=_keras_counts, first=_asked(BatchNormalization, model=True), source="misconceptions.md #18",
        keras_only=True),
    Misconception(
        "batchnorm-stats-trainable", "Took the moving statistics for trainable",
        "The moving mean and variance are updated by averaging, not by gradient descent: Keras lists "
        "them as non-trainable (2 per channel); only gamma and beta are trainable.",
        (BatchNormalization,), params=_bn_all_trainable, shown=_keras_counts, first=_asked(BatchNormalization, model=True),
        source="misconceptions.md #18-19",
        keras_only=True),
    Misconception(
        "dense-on-nd-input-fully-connected", "Connected Dense to every value",
        "A Keras Dense layer on a non-flat input acts on the last axis only, sharing its weights over the "
        "other axes: n_in is the last axis, and the leading axes stay in the output shape.",
        (Dense,), params=_dense_nd_params, shape=_dense_nd_shape, signature=True, source="misconceptions.md #20"),
    Misconception(
        "transpose-conv-shape-inverse", "Inverted the conv formula for a transposed conv",
        "Keras sizes a transposed convolution by its padding mode: 'same' gives W·s, 'valid' gives "
        "W·s + max(k − s, 0). Running the conv formula backwards is not the rule.",
        (ConvTranspose,), shape=_transpose_inverse, when=lambda layer: layer.output_padding is None,
        first=_asked(ConvTranspose), source="misconceptions.md #21",
        keras_only=True),
    Misconception(
        "depthwise-times-filters", "Treated a depthwise conv like a normal one",
        "A depthwise kernel filters each input channel on its own: {k×k}×C_in×depth_multiplier weights. "
        "SeparableConv{nD} has one bias vector, on the pointwise part only.",
        (DepthwiseConv, SeparableConv), params=_depthwise_times_filters, first=_asked(DepthwiseConv, SeparableConv),
        signature=True, source="misconceptions.md #22"),
    Misconception(
        "forgot-padding", "Left out the padding",
        "Padding widens the input before the window slides: 'same' gives ceil(W/s), and a ZeroPadding "
        "layer adds its zeros to the size of each axis.",
        (Windowed, ZeroPadding), shape=_forgot_padding,
        when=lambda layer: isinstance(layer, ZeroPadding) or layer.padding == "same", source="misconceptions.md #25",
        pytorch="Padding widens the input before the window slides: padding=p adds p zeros at both ends of each "
                "axis, (W + 2p − k)/s, and an nn.ZeroPad module adds its before and after amounts to the size."),
    Misconception(
        "dilation-ignored", "Ignored the dilation",
        "A dilated kernel of size k with dilation d spans d·(k − 1) + 1 input positions, so the output "
        "is floor((W − d·(k − 1) − 1)/s) + 1. Dilation adds no weights.",
        (Conv, DepthwiseConv, SeparableConv),
        shape=_per_axis(lambda n, k, s, d, p: (n - k) // s + 1 if p == "valid" and d > 1 else None),
        when=lambda layer: max(layer.dilation_rate) > 1,
        first=_asked(Conv, DepthwiseConv, SeparableConv, when=lambda layer: max(layer.dilation_rate) > 1),
        pytorch="A dilated kernel of size k with dilation d spans d·(k − 1) + 1 input positions, so the output "
                "is floor((W + 2p − d·(k − 1) − 1)/s) + 1. Dilation adds no weights."),
    Misconception(
        "groups-ignored", "Ignored the groups",
        "A grouped convolution splits the channels into g groups; each filter sees only C_in/g of them, "
        "so the weights are {k×k}×(C_in/g)×F.",
        (Conv,), params=_groups_ignored, when=lambda layer: layer.groups > 1,
        first=_asked(Conv, when=lambda layer: layer.groups > 1)),
    Misconception(
        "batchnorm-framework-convention", "Mixed up the Keras and PyTorch counts",
        "Keras counts BatchNorm's moving mean and variance as (non-trainable) parameters; PyTorch keeps "
        "them as buffers, so model.parameters() leaves them out. The two totals differ by 2·C per "
        "BatchNorm layer; check which convention the question uses.",
        value=_other_convention, bends=("params",), first=_in_pytorch, source="misconceptions.md #19"),
    Misconception(
        "frozen-still-trainable", "Counted frozen weights as trainable",
        "A layer with trainable=False keeps its weights, but they are not updated: Keras lists them as "
        "non-trainable parameters.",
        WEIGHTED + (BatchNormalization,), params=_frozen_still_trainable, counts_frozen=True, when=_frozen,
        first=_asked(Layer, when=_frozen, model=True),
        pytorch="requires_grad_(False) keeps a module's weights in model.parameters(), but they are not "
                "updated: they are not trainable (p.requires_grad is False)."),
    Misconception(
        "frozen-params-vanish", "Dropped the frozen weights",
        "Freezing a layer does not remove its weights: they still count, as non-trainable parameters.",
        WEIGHTED + (BatchNormalization,), params=_frozen_vanish, counts_frozen=True, when=_frozen,
        first=_asked(Layer, when=_frozen, model=True),
        pytorch="requires_grad_(False) does not remove the weights: they stay in model.parameters(), with "
                "requires_grad False, and still count."),
    Misconception(
        "flops-vs-macs", "Counted FLOPs instead of MACs",
        "One multiply–accumulate (MAC) is one multiplication plus one addition. FLOP counts are about twice "
        "the MAC count; the question asks for MACs.",
        value=_macs_twice, bends=("macs",), signature=True),
    Misconception(
        "macs-input-positions", "Counted input positions instead of output positions",
        "A convolution does its {k×k}×C_in multiply–accumulates once per OUTPUT position and filter: "
        "MACs = {H_out·W_out}·{k·k}·C_in/g·F. With strides or 'valid' padding there are fewer outputs than inputs.",
        value=_macs_input_positions, bends=("macs",)),
    Misconception(
        "macs-equals-params", "Took the weight count for the work",
        "Weights are shared across positions, so each weight is used once per output position: "
        "MACs = weights × output positions, far more than the weight count.",
        value=_macs_equals_params, bends=("macs",), signature=True),  # the lesson of MACs: weights are reused
    Misconception(
        "kilo-is-1000", "Divided by 1,000 instead of 1,024",
        "KiB and MiB are binary units: 1 KiB = 1,024 bytes and 1 MiB = 1,048,576 bytes (kB and MB are "
        "the decimal ones).",
        value=_kilo_is_1000, bends=("memory_bytes",), first=_always),
    Misconception(
        "bits-not-bytes", "Counted bits instead of bytes",
        "float32 takes 32 bits = 4 bytes per parameter, float16 2 bytes, int8 1 byte. Multiplying by the "
        "bit width gives bits, 8 times too many.",
        value=_bits, bends=("memory_bytes",), first=_always),
    Misconception(
        "float32-assumed", "Assumed 4 bytes per parameter",
        "The memory depends on the data type: float16 stores 2 bytes per parameter and int8 1 byte; only "
        "float32 takes 4.",
        value=_float32_assumed, bends=("memory_bytes",), first=_always),
    Misconception(
        "rf-ignores-stride", "Ignored the strides",
        "Each stride multiplies the spacing (jump) between neighbouring units of the next layers: "
        "r grows by (k − 1)·jump, where jump is the product of all earlier strides.",
        value=_rf(strides=False), bends=("receptive_field",)),
    Misconception(
        "rf-ignores-dilation", "Ignored the dilation in the receptive field",
        "A dilated kernel spans d·(k − 1) + 1 input positions, so it widens the receptive field by "
        "d·(k − 1) times the jump, not k − 1.",
        value=_rf(dilation=False), bends=("receptive_field",),
        first=_asked(Windowed, when=lambda layer: max(layer.window()[2]) > 1)),
    Misconception(
        "rf-last-kernel", "Took only the last kernel",
        "The receptive field accumulates over every earlier convolution and pooling layer, not just the "
        "last one: r = 1 + Σ (k_eff − 1)·jump.",
        value=_rf_last_kernel, bends=("receptive_field",)),
    Misconception(
        "image-channels-everywhere", "Used the image's channels for every convolution",
        "Only the first convolution sees the image's channels. Every later one takes as C_in the channels "
        "of the layer before it, the previous convolution's number of filters: a 3×3 convolution with 64 "
        "outputs after one with 32 has (3·3·32 + 1)·64 = 18,496 parameters, whatever the image's channels.",
        value=_image_channels, bends=("params", "trainable_params", "non_trainable_params", "macs", "filters",
                                      "kernel_size"),
        source="seed 000 (\"Filters from previous layer becomes part of calculation\"), reasoned from #2"),
    Misconception(
        "pytorch-padding-counted-once", "Added the padding once",
        "PyTorch's padding=p pads both sides of each axis, so it adds 2p to the length: "
        "n_out = floor((n + 2p − d·(k − 1) − 1)/s) + 1 on each axis of size n.",
        value=_padding_once, bends=("output_shape", "output_size"),
        source="reasoned from #25 and PyTorch's nn.Conv2d shape formula"),
    Misconception(
        "dilated-span-d-times-k", "Took d·k for a dilated kernel's span",
        "A kernel of size k with dilation d has d − 1 gaps between each pair of its k taps, so it spans "
        "d·(k − 1) + 1 positions, not d·k: a 3-tap kernel with dilation 2 spans 5.",
        (Conv, DepthwiseConv, SeparableConv), shape=_per_axis(_span_d_times_k), value=_rf_span_d_times_k,
        bends=("receptive_field",), when=lambda layer: max(layer.dilation_rate) > 1,
        source="reasoned from the dilated-convolution formula (Yu & Koltun 2016)"),
    Misconception(
        "rf-sum-of-kernels", "Added up the kernel sizes",
        "Stacked windows overlap: each layer widens the receptive field by k − 1 (not k) times the jump, "
        "the product of the earlier strides: r = 1 + Σ (k_eff − 1)·jump.",
        value=_rf_sum_of_kernels, bends=("receptive_field",),
        source="reasoned from the receptive-field recurrence (Araujo et al., Distill 2019)"),
    Misconception(
        "pooling-changes-channels", "Let pooling shrink the channels",
        "Pooling works on each channel on its own: pool_size is a window over the {height and width}, so the "
        "output keeps the input's channel count.",
        (Pooling,), shape=_pool_channels, source="reasoned from #6 (pooling acts per channel)"),
    Misconception(
        "global-pooling-keeps-axes", "Kept 1×1 axes after global pooling",
        "Keras's GlobalAveragePooling and GlobalMaxPooling remove the pooled axes: the output is a vector "
        "of C values, not 1×1×C (only keepdims=True keeps them).",
        (GlobalPooling,), shape=_global_keeps_axes, when=lambda layer: not layer.keepdims,
        source="reasoned from the Keras GlobalAveragePooling2D docs (keepdims=False)"),
    Misconception(
        "batchnorm-per-position", "Counted BatchNorm once per position",
        "BatchNormalization on a feature map normalizes each channel over the batch and every position, "
        "so it has its gamma, beta, mean and variance once per channel, not per pixel.",
        (BatchNormalization,), params=_bn_per_position, signature=True, source="reasoned from #18"),
    Misconception(
        "bias-adds-as-macs", "Counted the bias additions as MACs",
        "A multiply–accumulate is a multiplication added to a running sum; adding the bias at each output "
        "is an addition without a multiplication, so the question leaves it out.",
        value=_macs_with_bias_adds, bends=("macs",), source="reasoned from the MAC definition"),
    Misconception(
        "training-memory-for-params", "Counted the training memory",
        "Training also stores a gradient and, with Adam, two moment estimates for each trainable "
        "parameter (about 4× the weights). The question asks for the parameters alone.",
        value=_training_memory, bends=("memory_bytes",), source="reasoned from Adam's state (Kingma & Ba 2015)"),
    Misconception(
        "pytorch-channels-last", "Wrote the shape channels last",
        "PyTorch tensors are channels first: a feature map is {C×H×W} (as model(x).shape prints it, "
        "without the batch axis), not Keras's {H×W×C}.",
        value=_channels_last_in_pytorch, bends=("output_shape",), rearranges=True,
        source="reasoned from PyTorch's NCHW layout"),
    # Overcounts and undercounts that mirror the ones above, so a question can show mistakes on both
    # sides of the answer (reasoned from the formulas, as each explanation says).
    Misconception(
        "bias-per-input", "Gave the biases to the inputs",
        "Diagrams draw the bias as an extra '+1' input, so it is tempting to count one bias per input "
        "(channel or unit). There is one bias per OUTPUT: per filter, or per Dense unit.",
        (Conv, Dense), params=_bias_per_input, when=_biased,
        source="reasoned: the bias node of network diagrams sits on the input side"),
    Misconception(
        "filters-as-input-depth", "Used the filters where the input depth belongs",
        "The formula ({k×k}×C_in + 1)×F holds two channel counts: C_in is the depth of the layer's INPUT "
        "(the previous layer's filters), F its own filters. Using F for both counts the wrong depth. "
        "Likewise a Dense layer has n_in × units weights, n_in being the size of its input.",
        (Conv, Dense), params=_filters_as_depth,
        source="reasoned: in- and out-channels swapped, as in the mirror of #4"),
    Misconception(
        "kernel-not-squared", "Did not square the kernel",
        "A {nD} kernel of size k is a {k×k} window (a 3 is {3×3}): {k×k}×C_in weights per filter, not k×C_in.",
        (Conv,), params=_kernel_not_squared,
        source="reasoned: the mirror of #3, a 2D kernel read as a 1D one"),
    Misconception(
        "pooling-ignored", "Left out the pooling",
        "A pooling layer shrinks the map: a pool of size 2 with stride 2 halves each axis it pools, so "
        "every later size (and the Flatten after it) is smaller.",
        (Pooling,), shape=_pool_ignored, when=lambda layer: max(layer.strides) > 1,
        source="reasoned: a layer without weights is easy to skip when tracing shapes"),
    Misconception(
        "stride-ignored", "Ignored the stride",
        "A stride s moves the window s positions at a time: the output is floor((W − k)/s) + 1, not the "
        "stride-1 size W − k + 1.",
        (Conv, DepthwiseConv, SeparableConv), shape=_per_axis(_stride_ignored), when=_valid_strided,
        first=_asked(Conv, DepthwiseConv, SeparableConv, when=_valid_strided),
        source="reasoned: the size formula used without its /s"),
    Misconception(
        "valid-keeps-size", "Took 'valid' to keep the size",
        "padding='valid' means no padding at all, so a k-wide window fits W − k + 1 times (with stride 1): "
        "the map shrinks. Only 'same' keeps the size.",
        (Conv, DepthwiseConv, SeparableConv), shape=_per_axis(_valid_as_same), when=_valid_padding, shown=_same_is_shown,
        source="reasoned: the word 'valid' read as 'the size stays valid'; the mirror of #25"),
    Misconception(
        "pooling-window-weights", "Gave the pooling window weights",
        "A pooling window has no kernel to learn: max and average pooling have 0 parameters. "
        "(Only LeNet-5's old subsampling layers had a coefficient and a bias per map.)",
        (Pooling,), params=_pool_window_weights, signature=True,
        source="misconceptions.md #6, its (p·p + 1)·C variant"),
    Misconception(
        "counted-activations", "Counted the output values as parameters",
        "A layer's output values (activations) are computed anew for every input; its parameters are the "
        "weights it learns. An output of {H×W×C} values says nothing about the parameter count.",
        (Layer,), params=_activations,
        source="reasoned: activations and parameters confused, as in questions about memory use"),
    Misconception(
        "pool-area-per-axis", "Divided each side by the pool's area",
        "A pool divides the number of values by the product of its sizes (4 for 2×2), but each axis only by "
        "its own size: the output is floor((W − p)/s) + 1 per axis.",
        (Pooling,), shape=_pool_area_per_axis,
        source="reasoned: the 4× fewer values of a 2×2 pool applied to each side"),
    Misconception(
        "valid-trims-both-sides", "Took k − 1 off each side",
        "Without padding a k-wide window fits W − k + 1 times (stride 1): the map loses k − 1 positions in "
        "all, not k − 1 on each side.",
        (Conv, DepthwiseConv, SeparableConv), shape=_per_axis(_trims_both_sides), when=_valid_padding,
        source="reasoned: the per-side padding of 'same' carried over to the shrinking of 'valid'"),
    Misconception(
        "params-as-bytes", "Counted one byte per parameter",
        "A parameter is a number, and a number takes as many bytes as its data type: 4 for float32, "
        "2 for float16, 1 only for int8. Multiply the parameter count by that before converting the unit.",
        value=_params_as_bytes, bends=("memory_bytes",), first=_always,
        source="reasoned: parameters and bytes taken as the same unit; the mirror of bits-not-bytes"),
    Misconception(
        "rf-from-zero", "Started the receptive field from 0",
        "Before any layer, one unit sees exactly one input position: start from r = 1, then add "
        "(k_eff − 1)·jump per layer.",
        value=_rf_from_zero, bends=("receptive_field",),
        source="reasoned: the start value of r = 1 + Σ (k_eff − 1)·jump dropped"),
    Misconception(
        "macs-kernel-not-squared", "Did not square the kernel in the MACs",
        "A {k×k} kernel does {k·k} multiply–accumulates per input channel at each output position, not k.",
        value=_macs_kernel_not_squared, bends=("macs",),
        source="reasoned: the mirror of kernel-not-squared for the work"),
    Misconception(
        "full-convolution-size", "Added k − 1 instead of subtracting it",
        "Without padding a window must fit inside the input, so the map shrinks to W − k + 1 (stride 1). "
        "W + k − 1 is the 'full' convolution of signal processing (numpy.convolve's default), which pads "
        "k − 1 zeros on each side; Keras and PyTorch never do that by themselves.",
        (Conv, DepthwiseConv, SeparableConv), shape=_per_axis(_full_size), when=_valid_padding,
        source="reasoned: numpy/scipy 'full' mode, the convolution size students meet first"),
    Misconception(
        "rf-no-minus-one", "Added k instead of k − 1",
        "A window of k positions adds only k − 1 NEW positions to the field (one is the unit already "
        "counted): r grows by (k_eff − 1)·jump, starting from r = 1.",
        value=_rf_no_minus_one, bends=("receptive_field",),
        source="reasoned: the off-by-one of r = 1 + Σ (k − 1)·jump"),
    Misconception(
        "rf-jump-too-early", "Applied a layer's stride to its own window",
        "A layer's stride spaces the units of the NEXT layers; its own window still steps over its input's "
        "spacing. Update the jump after adding (k_eff − 1)·jump.",
        value=_rf_jump_too_early, bends=("receptive_field",),
        source="reasoned: the jump update done one step early"),
    Misconception(
        "rf-total-jump", "Scaled every window by the total stride",
        "The jump grows layer by layer: a window is scaled by the product of the strides BEFORE it, "
        "not by the whole stack's stride. Early layers add (k_eff − 1) at a small jump.",
        value=_rf_total_jump, bends=("receptive_field",),
        source="reasoned: the overall downsampling factor used for every layer"),
    Misconception(
        "rf-ignores-pooling", "Left the pooling out of the receptive field",
        "A pooling window widens the receptive field just like a convolution: each pooled unit sees p "
        "neighbours, and its stride multiplies the jump.",
        value=_rf_without_pooling, bends=("receptive_field",),
        source="reasoned: pooling has no weights, so it is easy to forget that it has a window"),
    Misconception(
        "macs-forgot-input-channels", "Forgot the input channels in the MACs",
        "Each output value of a convolution sums over {k×k}×C_in inputs (C_in/g with groups): "
        "MACs = output positions × {k×k}×C_in × F.",
        value=_macs_without_channels, bends=("macs",),
        source="reasoned: the mirror of #2 for the work instead of the weights"),
    # Slips in the MACs and in solving P = (k·k·C_in + 1)·F for F or k, on both sides of the answer (the
    # reverse questions show every number but the asked one; their table prints no shapes).
    Misconception(
        "conv1d-2d-formula", "Used the 2D formula for a 1D kernel",
        "A Conv1D kernel of size k covers k steps of all C_in channels: k·C_in weights per filter, so "
        "P = (k·C_in + 1)·F and each output position costs k·C_in·F MACs. The 2D recipe's k·k·C_in (and its "
        "square root when solving for k) does not apply.",
        value=_conv1d_as_2d, bends=("macs", "filters", "kernel_size"),
        source="misconceptions.md #3 (the 2D recipe applied to Conv1D), with the channels kept",
        pytorch="An nn.Conv1d kernel of size k covers k steps of all in_channels: k·in_channels weights per "
                "filter, so P = (k·in_channels + 1)·out_channels and each output position costs "
                "k·in_channels·out_channels MACs. The 2D recipe's k·k (and its square root when solving for k) "
                "does not apply."),
    Misconception(
        "root-before-channels", "Took the root before dividing by C_in",
        "Solving P = ({k·k}·C_in + 1)·F for k gives {k·k} = (P/F − 1)/C_in: divide by C_in first, then take the "
        "{root} of the whole quotient.",
        value=_root_before_channels, bends=("kernel_size",),
        source="reasoned: the root applied to only part of the expression when solving for k",
        pytorch="Solving P = ({k·k}·in_channels + 1)·out_channels for k gives "
                "{k·k} = (P/out_channels − 1)/in_channels: divide by in_channels first, then take the {root} "
                "of the whole quotient."),
    Misconception(
        "single-filter", "Counted a single filter or unit",
        "Each of the F filters has its own weights ({k·k}·C_in) and bias, and makes its own "
        "output channel: the layer has (weights per filter + 1)·F parameters and does output positions × "
        "weights per filter × F MACs (a Dense layer: n_in × units). Leaving F out gives one filter's share.",
        value=_single_filter, bends=("macs", "kernel_size"),
        source="reasoned: worked examples compute one filter first, and the last step (× F) is dropped",
        pytorch="Each of the out_channels filters has its own weights ({k·k}·in_channels) and bias, and makes "
                "its own output channel: the layer has (weights per filter + 1)·"
                "out_channels parameters and does output positions × weights per filter × out_channels MACs "
                "(nn.Linear: in_features × out_features). Leaving out_channels out gives one filter's share."),
    Misconception(
        "macs-additions", "Counted the additions",
        "An output value that sums n products takes n multiplications and n − 1 additions. A multiply–"
        "accumulate is one multiplication together with its addition into the sum, so each output value "
        "costs n MACs (kernel area × C_in for a convolution, n_in for a Dense unit), not n − 1.",
        value=_macs_additions, bends=("macs",),
        source="reasoned from the FLOP count 2n − 1 per output value (n multiplications, n − 1 additions)"),
    Misconception(
        "macs-training-step", "Counted the backward pass too",
        "The MACs a layer performs for one input are those of its forward pass, which computes its output. "
        "Training adds a backward pass of about twice as many (the gradients for the inputs and for the "
        "weights), about 3× in all, but that is not the layer's work for one input.",
        value=_macs_training_step, bends=("macs",),
        source="reasoned: training and inference cost confused (backward ≈ 2× forward, Kaplan et al. 2020)"),
    Misconception(
        "macs-filters-as-input-depth", "Used the filters as the input depth in the MACs",
        "MACs = output positions × kernel area × C_in × F holds two channel counts: C_in is the depth of the "
        "layer's INPUT (the previous layer's channels), F its own filters. A Dense layer does n_in × units, "
        "n_in being the size of its input.",
        value=_macs_filters_as_depth, bends=("macs",),
        source="reasoned: the mirror of filters-as-input-depth for the work"),
    Misconception(
        "kernel-area-left-out", "Left out the kernel area",
        "A filter holds its whole window ({k·k}) on every input channel: kernel area × C_in "
        "weights, and as many MACs per output position and filter. Counting C_in alone treats the layer as a "
        "{1×1} convolution.",
        value=_kernel_area_left_out, bends=("macs", "filters"),
        source="reasoned: the mirror of #2, the window left out instead of the channels"),
)
