"""A Keras-style model summary of a stack, as data (the text form is a template)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizgen.engine.layers import Layer, Shape
from quizgen.engine.stack import Stack


def layer_names(layers: tuple[Layer, ...], given: Sequence[str | None] = ()) -> list[str]:
    """The names a layer was given (Keras's `name`), else Keras's automatic ones: conv2d, conv2d_1, ..."""
    seen: Counter[str] = Counter()
    names = []
    for i, layer in enumerate(layers):
        if i < len(given) and given[i]:
            names.append(given[i])
            continue
        base = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=\dD)(?=[A-Z])", "_", layer.class_name).lower()
        names.append(base if not seen[base] else f"{base}_{seen[base]}")
        seen[base] += 1
    return names


@dataclass(frozen=True)
class SummaryRow:
    """One row of a model summary, as Keras's model.summary() prints it."""

    name: str
    class_name: str
    output_shape: Shape
    params: int
    trainable: int
    non_trainable: int


@dataclass(frozen=True)
class Summary:
    """A Keras-style model summary: a row per layer, and the totals."""

    input_shape: Shape
    rows: list[SummaryRow]
    total: int
    trainable: int
    non_trainable: int

    def to_json(self) -> dict[str, Any]:
        return {"input_shape": list(self.input_shape),
                "layers": [{"name": r.name, "class_name": r.class_name, "output_shape": list(r.output_shape),
                            "params": r.params, "trainable": r.trainable, "non_trainable": r.non_trainable}
                           for r in self.rows],
                "total_params": self.total, "trainable_params": self.trainable,
                "non_trainable_params": self.non_trainable}


def summarize(stack: Stack) -> Summary:
    names = layer_names(stack.layers, stack.names)
    rows = [SummaryRow(names[r.index], r.layer.class_name, r.output_shape, r.params.total, r.params.trainable,
                       r.params.non_trainable) for r in stack.rows()]
    totals = stack.totals()
    return Summary(stack.input_shape, rows, totals.total, totals.trainable, totals.non_trainable)
