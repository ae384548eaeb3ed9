"""A stack drawn as a plain SVG: one block per tensor, top to bottom, sized on log scales so a
student sees it shrink spatially (narrower) and deepen in channels (taller).

Python computes the geometry (every x, y, width and height) and the labels; the template
`templates/svg/stack.svg.j2` only places them. The drawing needs no fonts, scripts or styles
from outside: it can sit inline in HTML, beside a Markdown worksheet or inside Moodle XML.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quizgen.engine.layers import (
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
    ZeroPadding,
    shape_text,
)
from quizgen.engine.stack import Stack
from quizgen.engine.summary import layer_names
from quizgen.errors import QuizgenError

if TYPE_CHECKING:
    import jinja2

WIDTH = 720  # A4 text width at 96 dpi, less margins
MARGIN = 12
GLYPH_COLUMN = 248  # blocks are centred in this column; the labels go to its right
TEXT_X = MARGIN + GLYPH_COLUMN + 16
NAME_X = WIDTH - MARGIN  # layer names end here
MIN_W, MAX_W = 10, GLYPH_COLUMN - 8
MIN_H, MAX_H = 4, 64
# The log2 ranges the scales span at least, so a small stack is not blown up to full size.
POSITIONS_SPAN, CHANNELS_SPAN = 12, 9
TEXT_BLOCK = 34  # two lines of text: the label, then the output shape
ROW_GAP = 10
BAND_PAD = 5  # the highlight band reaches this far around its row


@dataclass(frozen=True, slots=True)
class Block:
    """One tensor: the input, or a layer's output. Coordinates are in SVG user units.

    `shape` is None when hidden (the question asks for it); a hidden block keeps its input's size.
    """

    index: int | None  # the layer's index in the stack; None for the input
    name: str  # Keras's layer name, "" for the input
    label: str  # kind and configuration: "Conv2D 32 3×3, s2 same"
    category: str  # input, conv, pool, dense, reshape or other: the template colours by it
    shape: Shape | None
    highlight: bool
    x: float
    y: float
    width: float
    height: float
    label_y: float  # baselines of the label line and of the shape line
    shape_y: float


@dataclass(frozen=True, slots=True)
class Band:
    """The light band behind the highlighted row."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Diagram:
    ident: str  # prefix of the ids of <title> and <desc>, unique per page when several are inline
    width: int
    height: float
    blocks: tuple[Block, ...]
    spine_x: float  # the line joining the blocks' centres
    spine_top: float
    spine_bottom: float
    text_x: float
    name_x: float
    band: Band | None


# --- labels --------------------------------------------------------------------------------------

def _axes(values: Sequence[int]) -> str:
    """One number when every axis agrees ("s2"), else one per axis ("s2×1")."""
    return str(values[0]) if len(set(values)) == 1 else shape_text(tuple(values))


def _window(layer: Conv | ConvTranspose | DepthwiseConv | SeparableConv) -> list[str]:
    """The options a convolution's label shows when they differ from the plain case."""
    tokens = []
    if set(layer.strides) != {1}:
        tokens.append(f"s{_axes(layer.strides)}")
    if layer.padding == "same":
        tokens.append("same")
    if set(layer.dilation_rate) != {1}:
        tokens.append(f"d{_axes(layer.dilation_rate)}")
    return tokens


def _kernel(layer: Conv | ConvTranspose | DepthwiseConv | SeparableConv, unknown: str | None = None) -> str:
    """3×3 for 2D and 3D; k5 for 1D, where a lone number would read as a count; ?×? when asked."""
    sizes = ("?",) * layer.rank if unknown == "kernel_size" else layer.kernel_size
    return f"k{sizes[0]}" if layer.rank == 1 else shape_text(sizes)


def describe(layer: Layer, unknown: str | None = None) -> str:
    """A layer's kind and configuration in a few characters: "Conv2D 32 3×3, s2 same".
    `unknown`: the config key a question asks for (filters or kernel_size), drawn as "?"."""
    head, tokens, notes = [layer.class_name], [], []
    if isinstance(layer, Conv | ConvTranspose | SeparableConv):
        head += ["?" if unknown == "filters" else str(layer.filters), _kernel(layer, unknown)]
        tokens = _window(layer)
    elif isinstance(layer, DepthwiseConv):
        head.append(_kernel(layer, unknown))
        tokens = _window(layer)
    if isinstance(layer, Conv) and layer.groups != 1:
        tokens.append(f"g{layer.groups}")
    if isinstance(layer, DepthwiseConv | SeparableConv) and layer.depth_multiplier != 1:
        tokens.append(f"dm{layer.depth_multiplier}")
    if isinstance(layer, ConvTranspose) and layer.output_padding is not None:
        tokens.append(f"op{_axes(layer.output_padding)}")
    if isinstance(layer, Pooling):
        head.append(_axes(layer.pool_size) if layer.rank == 1 else shape_text(layer.pool_size))
        if layer.strides != layer.pool_size:
            tokens.append(f"s{_axes(layer.strides)}")
        if layer.padding == "same":
            tokens.append("same")
    elif isinstance(layer, Dense):
        head.append(str(layer.units))
    elif isinstance(layer, Dropout):
        head.append(f"{layer.rate:g}")
    elif isinstance(layer, Activation):
        head.append(str(layer.activation))
    elif isinstance(layer, ReLU):
        tokens = [f"{word} {value:g}" for word, value, default in (
            ("max", layer.max_value, None), ("slope", layer.negative_slope, 0), ("threshold", layer.threshold, 0))
            if value != default]
    elif isinstance(layer, GlobalPooling) and layer.keepdims:
        tokens.append("keepdims")
    elif isinstance(layer, BatchNormalization):
        notes += [f"no {name}" for name, kept in (("gamma", layer.scale), ("beta", layer.center)) if not kept]
    elif isinstance(layer, ZeroPadding):
        head.append(f"pad {_padding(layer.pairs())}")
    if getattr(layer, "use_bias", True) is False:
        notes.append("no bias")
    if not layer.trainable:
        notes.append("frozen")
    return ", ".join([" ".join(head), *([" ".join(tokens)] if tokens else []), *notes])


def _padding(pairs: tuple[tuple[int, int], ...]) -> str:
    """1 when even everywhere; 1×2 when even per axis; else (before, after) per axis: (0,1)×(0,1)."""
    if all(a == b for a, b in pairs):
        return _axes([a for a, _ in pairs])
    return "×".join(f"({a},{b})" for a, b in pairs)


def category(layer: Layer) -> str:
    if isinstance(layer, Conv | ConvTranspose | DepthwiseConv | SeparableConv):
        return "conv"
    if isinstance(layer, Pooling | GlobalPooling):
        return "pool"
    if isinstance(layer, Dense):
        return "dense"
    if isinstance(layer, Flatten | ZeroPadding):
        return "reshape"
    return "other"


# --- geometry ------------------------------------------------------------------------------------

def positions(shape: Shape) -> int:
    """Spatial positions of a tensor (1 for a flat vector): what the block's width shows."""
    return math.prod(shape[:-1])


def _scale(most: int, span: float, lo: float, hi: float) -> float:
    return (hi - lo) / max(math.log2(most), span)


def layout(stack: Stack, highlight: int | None = None, hide_from: int | None = None,
           ident: str = "quizgen-stack", unknown: tuple[int, str] | None = None,
           channels_first: bool = False) -> Diagram:
    """Every block's place and size.

    Width grows with log2(spatial positions), height with log2(channels) up to a cap; both scales
    are shared by the whole stack, so a layer with fewer positions is never drawn wider than one
    with more, nor one with fewer channels taller.
    `hide_from`: the output shapes of this layer and every later one are drawn as unknown.
    `unknown`: a (layer, config key) the question asks for, labelled "?".
    `channels_first`: shapes written as PyTorch prints them, C×H×W (the geometry is the same).
    """
    for option, value in (("highlight", highlight), ("hide_from", hide_from)):
        if value is not None and not 0 <= value < len(stack.layers):
            raise QuizgenError(f"{option} {value} is not a layer of this {len(stack.layers)}-layer stack")
    shapes = stack.shapes
    k_w = _scale(max(positions(s) for s in shapes), POSITIONS_SPAN, MIN_W, MAX_W)
    # Channels set the height scale where they are channels; a long flat vector (a Flatten's 1,936
    # values) is drawn at most full height instead of squashing every feature map to a sliver.
    maps = [s for s in shapes if len(s) > 1] or shapes
    k_h = _scale(max(s[-1] for s in maps), CHANNELS_SPAN, MIN_H, MAX_H)
    names = layer_names(stack.layers)
    centre = MARGIN + GLYPH_COLUMN / 2
    blocks: list[Block] = []
    band = None
    top = MARGIN
    size = (0.0, 0.0)
    for i, shape in enumerate(shapes):
        index = i - 1 if i else None
        hidden = index is not None and hide_from is not None and index >= hide_from
        if not hidden:
            size = (MIN_W + k_w * math.log2(positions(shape)), min(MIN_H + k_h * math.log2(shape[-1]), MAX_H))
        width, height = size
        row = max(height, TEXT_BLOCK)
        lit = index is not None and index == highlight
        if lit:
            band = Band(MARGIN / 2, _r(top - BAND_PAD), WIDTH - MARGIN, _r(row + 2 * BAND_PAD))
        layer = stack.layers[index] if index is not None else None
        blocks.append(Block(
            index=index, name=names[index] if index is not None else "",
            label=describe(layer, unknown[1] if unknown and unknown[0] == index else None) if layer else "Input",
            category=category(layer) if layer else "input",
            shape=None if hidden else (_first(shape) if channels_first else shape), highlight=lit,
            x=_r(centre - width / 2), y=_r(top + (row - height) / 2), width=_r(width), height=_r(height),
            label_y=_r(top + row / 2 - 3), shape_y=_r(top + row / 2 + 13)))
        top += row + ROW_GAP
    first, last = blocks[0], blocks[-1]
    return Diagram(ident, WIDTH, _r(top - ROW_GAP + MARGIN), tuple(blocks), _r(centre),
                   _r(first.y + first.height / 2), _r(last.y + last.height / 2), TEXT_X, NAME_X, band)


def _first(shape: Shape) -> Shape:
    return (shape[-1], *shape[:-1])


def _r(value: float) -> float:
    """Coordinates to a tenth of a unit: short, stable SVG text."""
    return round(value, 1)


# --- rendering -----------------------------------------------------------------------------------

@functools.cache
def _default_environment() -> jinja2.Environment:
    from quizgen.render.environment import environment

    return environment()


def render_svg(stack: Stack, highlight: int | None = None, *, hide_from: int | None = None,
               ident: str = "quizgen-stack", unknown: tuple[int, str] | None = None, channels_first: bool = False,
               env: jinja2.Environment | None = None) -> str:
    """The stack as an SVG document (UTF-8 text), written through `svg/stack.svg.j2` of `env`.

    `highlight`: the asked-about layer's index. `hide_from`: hide the output shapes from this
    layer on, when they are what the question asks. `ident`: a prefix for the element ids, to
    keep them unique when several diagrams sit in one HTML page. `unknown`, `channels_first`: see `layout`.
    """
    from quizgen.render.environment import get_template

    template = get_template(env or _default_environment(), "svg/stack.svg.j2")
    return template.render(diagram=layout(stack, highlight, hide_from, ident, unknown, channels_first))
