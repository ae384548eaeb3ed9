"""A layer stack: input shape + layers, shapes propagated once, read and written as the JSON
contract of `stack-format.md` (Keras serialization, channels-last, batch left out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from quizgen.engine.layers import Layer, ParamCount, Shape, make_layer
from quizgen.errors import QuizgenError


class Flow(NamedTuple):
    """What goes into and comes out of one layer, and its parameters."""

    input_shape: Shape
    output_shape: Shape
    params: ParamCount


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a model summary."""

    index: int
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    params: ParamCount


@dataclass(frozen=True, slots=True)
class Stack:
    """Validated on construction: a bad stack raises a `LayerError` naming the layer."""

    input_shape: Shape
    layers: tuple[Layer, ...]
    shapes: tuple[Shape, ...] = field(init=False, repr=False, compare=False)
    counts: tuple[ParamCount, ...] = field(init=False, repr=False, compare=False)
    flow: tuple[Flow, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.input_shape or any(not isinstance(n, int) or isinstance(n, bool) or n <= 0
                                       for n in self.input_shape):
            raise QuizgenError(f"input_shape must be a non-empty list of positive whole numbers, "
                               f"got {list(self.input_shape)}")
        shapes = [self.input_shape]
        for i, layer in enumerate(self.layers):
            shapes.append(layer.output_shape(i, shapes[-1]))
        object.__setattr__(self, "shapes", tuple(shapes))
        counts = tuple(layer.params(shapes[i]) for i, layer in enumerate(self.layers))
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "flow", tuple(Flow(shapes[i], shapes[i + 1], p) for i, p in enumerate(counts)))

    def input_of(self, index: int) -> Shape:
        return self.shapes[index]

    def output_of(self, index: int) -> Shape:
        return self.shapes[index + 1]

    def rows(self) -> list[Row]:
        return [Row(i, layer, self.shapes[i], self.shapes[i + 1], self.counts[i])
                for i, layer in enumerate(self.layers)]

    def totals(self) -> ParamCount:
        return ParamCount(sum(p.trainable for p in self.counts), sum(p.non_trainable for p in self.counts))

    def key(self) -> tuple:
        return (self.input_shape, *(layer.key() for layer in self.layers))

    def to_json(self) -> dict[str, Any]:
        return {"input_shape": list(self.input_shape), "layers": [layer.to_json() for layer in self.layers]}

    @classmethod
    def from_json(cls, doc: Any) -> Stack:
        """Read a stack document, or the `stack` of a question, or a one-question set."""
        if isinstance(doc, dict) and "questions" in doc and isinstance(doc["questions"], list):
            if len(doc["questions"]) != 1:
                raise QuizgenError(f"the document holds {len(doc['questions'])} questions; "
                                   "pass a stack or a single question")
            doc = doc["questions"][0]
        if isinstance(doc, dict) and "stack" in doc:
            doc = doc["stack"]
        if not isinstance(doc, dict) or "input_shape" not in doc or "layers" not in doc:
            raise QuizgenError('a stack needs "input_shape" and "layers" (see stack-format.md)')
        shape, layers = doc["input_shape"], doc["layers"]
        if not isinstance(shape, list) or not isinstance(layers, list):
            raise QuizgenError('"input_shape" and "layers" must be lists')
        built = []
        for i, entry in enumerate(layers):
            if not isinstance(entry, dict) or "class_name" not in entry:
                raise QuizgenError(f'layer {i + 1}: needs "class_name" and "config"')
            built.append(make_layer(entry["class_name"], entry.get("config", {}), i))
        return cls(tuple(shape), tuple(built))
