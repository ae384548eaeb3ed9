"""What a question can ask for, and how to read it off a stack's flow (correct or replayed).

Each quantity is one reader: (flow rows, stack, target) → value, or None when a replayed stack
stopped before the target. The meanings are documented in schema/problem-set.schema.json.
Answers are ints, shapes (lists of ints), floats (memory in KiB/MiB, 2 decimals) or layer names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from quizgen.engine.layers import Conv, DepthwiseConv, Layer, Pooling, SeparableConv
from quizgen.engine.question import Target, Value
from quizgen.engine.stack import Flow, Stack
from quizgen.engine.summary import layer_names

Reader = Callable[[Sequence[Flow], Stack, Target], Value | None]

BYTES_PER_PARAM = {"float32": 4, "float16": 2, "int8": 1}
UNIT_BYTES = {"bytes": 1, "KiB": 1024, "MiB": 1024 * 1024}
MEMORY_DECIMALS = 2  # memory in KiB or MiB is asked to 2 decimals
WINDOWED = (Conv, DepthwiseConv, SeparableConv, Pooling)


def layer_params(row: Flow, layer: Layer, target: Target) -> int:
    """A layer's count under the target's convention.

    Keras: trainable + non-trainable (BatchNorm's moving statistics, frozen layers' weights).
    PyTorch: what model.parameters() holds, split by requires_grad: every weight, frozen or not,
    but not BatchNorm's running statistics, which are buffers (the non-trainable part of the
    layer's own count).
    """
    p, q = row.params, target.quantity
    if target.convention == "keras":
        return p.trainable if q == "trainable_params" else p.non_trainable if q == "non_trainable_params" else p.total
    buffers = layer.count(row.input_shape).non_trainable  # a count that keeps them anywhere is Keras's
    total, frozen = p.total - buffers, max(p.non_trainable - buffers, 0)
    return total - frozen if q == "trainable_params" else frozen if q == "non_trainable_params" else total


def _params(rows: Sequence[Flow], stack: Stack, target: Target) -> int | None:
    if target.layer is None:
        return (sum(layer_params(r, layer, target) for r, layer in zip(rows, stack.layers))
                if len(rows) == len(stack.layers) else None)
    return layer_params(rows[target.layer], stack.layers[target.layer], target) if target.layer < len(rows) else None


def _row(rows: Sequence[Flow], target: Target) -> Flow | None:
    return rows[target.layer] if target.layer is not None and target.layer < len(rows) else None


def channels_first(shape: Sequence[int]) -> list[int]:
    """(H, W, C) as PyTorch writes it, (C, H, W); a flat vector stays as it is."""
    return [shape[-1], *shape[:-1]]


def _output_shape(rows, stack, target):
    """Channels last, as Keras prints it; channels first under the PyTorch convention."""
    row = _row(rows, target)
    if row is None:
        return None
    return channels_first(row.output_shape) if target.convention == "pytorch" else list(row.output_shape)


def _output_size(rows, stack, target):
    row = _row(rows, target)
    return math.prod(row.output_shape) if row else None


def _macs(rows, stack, target):
    row = _row(rows, target)
    return stack.layers[target.layer].macs(row.input_shape, row.output_shape) if row else None


def _memory(rows, stack, target):
    total = _params(rows, stack, Target(None, "params", target.convention))
    if total is None:
        return None
    size = total * BYTES_PER_PARAM[target.dtype or "float32"]
    unit = target.unit or "bytes"
    return size if unit == "bytes" else round(size / UNIT_BYTES[unit], MEMORY_DECIMALS)


def receptive_field(layers: Sequence, upto: int, dilation: bool = True, strides: bool = True) -> int:
    """Receptive field along the first spatial axis of one unit after layer `upto`:
    r += (k_eff − 1)·j, then j ·= s, over the sliding-window layers."""
    r, jump = 1, 1
    for layer in layers[:upto + 1]:
        if isinstance(layer, WINDOWED):
            ks, ss, ds, _ = layer.window()
            k_eff = (ds[0] * (ks[0] - 1) + 1) if dilation else ks[0]
            r += (k_eff - 1) * jump
            jump *= ss[0] if strides else 1
    return r


def _receptive_field(rows, stack, target):
    return receptive_field(stack.layers, target.layer)


def _layer_name(rows, stack, target):
    """The layer with the most parameters (ties go to the first, as a reader scanning down would)."""
    if len(rows) < len(stack.layers):
        return None
    whole = Target(None, "params", target.convention)
    counts = [layer_params(r, layer, whole) for r, layer in zip(rows, stack.layers)]
    return layer_names(stack.layers)[counts.index(max(counts))]


def _config(field: str) -> Reader:
    def read(rows, stack, target):
        value = getattr(stack.layers[target.layer], field)
        return value[0] if isinstance(value, tuple) else value
    return read


READERS: dict[str, Reader] = {
    "params": _params,
    "trainable_params": _params,
    "non_trainable_params": _params,
    "output_shape": _output_shape,
    "output_size": _output_size,
    "macs": _macs,
    "memory_bytes": _memory,
    "receptive_field": _receptive_field,
    "layer_name": _layer_name,
    "filters": _config("filters"),
    "kernel_size": _config("kernel_size"),
}


def read(rows: Sequence[Flow], stack: Stack, target: Target) -> Value | None:
    return READERS[target.quantity](rows, stack, target)
