"""A layer stack: input shape + layers, shapes propagated once, read and written as the JSON
contract of `stack-format.md` (Keras serialization, channels-last, batch left out)."""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from typing import Any, NamedTuple

from quizgen.engine.layers import MAX_SIZE, Layer, ParamCount, Shape, make_layer, shown
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
    """Validated on construction: a bad stack raises a `LayerError` naming the layer (a stack a
    `Builder` made comes with its shapes, already checked layer by layer as it was built).

    `names` are the layers' own names where the document gave them (Keras's `name`), else empty:
    shown by a summary, never part of the stack's identity or of its JSON.
    """

    input_shape: Shape
    layers: tuple[Layer, ...]
    names: tuple[str | None, ...] = field(default=(), compare=False)
    shapes: tuple[Shape, ...] = field(init=False, repr=False, compare=False)
    counts: tuple[ParamCount, ...] = field(init=False, repr=False, compare=False)
    flow: tuple[Flow, ...] = field(init=False, repr=False, compare=False)
    # The shapes a builder already propagated, choosing each layer to fit (quizgen.engine.sampling.Builder):
    # taken as they are, so a generated stack is not checked twice. dataclasses.replace never passes them on.
    propagated: InitVar[tuple[Shape, ...] | None] = None

    def __post_init__(self, propagated: tuple[Shape, ...] | None) -> None:
        if propagated is None:
            if not self.input_shape or any(not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= MAX_SIZE
                                           for n in self.input_shape):
                raise QuizgenError(f"input_shape must be a non-empty list of positive whole numbers up to "
                                   f"{MAX_SIZE:,}, got {shown(list(self.input_shape))}")
            shapes = [self.input_shape]
            for i, layer in enumerate(self.layers):
                shapes.append(layer.output_shape(i, shapes[-1]))
            propagated = tuple(shapes)
        shapes = propagated
        object.__setattr__(self, "shapes", shapes)
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
        """Read a stack document, the `stack` of a question or of a one-question set, a Keras
        Sequential model's `to_json()` (Keras 3 or 2), or a list of Keras layer serializations.

        The input shape comes from `input_shape`, else a leading InputLayer (`batch_shape`, Keras 2's
        `batch_input_shape`), else the first layer's Keras 2 `input_shape`/`batch_input_shape` or its
        Keras 3 `build_config`, else the model's `build_input_shape`.
        """
        if isinstance(doc, dict) and isinstance(doc.get("questions"), list):
            if len(doc["questions"]) != 1:
                raise QuizgenError(f"the document holds {len(doc['questions'])} questions; "
                                   "pass a stack or a single question")
            doc = doc["questions"][0]
        if isinstance(doc, dict) and "stack" in doc:
            doc = doc["stack"]
        shape, batch_shape, layers = _model_parts(doc)
        entries = []
        for i, entry in enumerate(layers):
            if not isinstance(entry, dict) or "class_name" not in entry:
                raise QuizgenError(f'layer {i + 1}: needs "class_name" and "config"')
            config = entry.get("config", {})
            if not isinstance(config, dict):
                raise QuizgenError(f"layer {i + 1}: config must be an object")
            entries.append((entry, config))
        if entries and entries[0][0]["class_name"] == "InputLayer":
            (_, config), entries = entries[0], entries[1:]
            given = config.get("batch_shape", config.get("batch_input_shape"))
            shape = _agree(shape, _drop_batch(given, "the InputLayer's batch_shape"), "the InputLayer")
        built, names = [], []
        for i, (entry, config) in enumerate(entries):
            config = dict(config)
            keras2 = {key: config.pop(key) for key in ("input_shape", "batch_input_shape", "batch_size")
                      if key in config}  # Keras 2 constructor keys; Keras reads them on the first layer only
            if i == 0 and shape is None:
                if "batch_input_shape" in keras2:
                    shape = _drop_batch(keras2["batch_input_shape"], "layer 1's batch_input_shape")
                elif "input_shape" in keras2:
                    shape = keras2["input_shape"]
                elif isinstance(entry.get("build_config"), dict) and "input_shape" in entry["build_config"]:
                    shape = _drop_batch(entry["build_config"]["input_shape"], "layer 1's build_config")
            name = config.get("name")
            if name is not None and not isinstance(name, str):
                raise QuizgenError(f"layer {i + 1}: name must be a string, got {shown(name)}")
            if entry["class_name"] == "InputLayer":
                raise QuizgenError(f"layer {i + 1} (InputLayer): an InputLayer may only come first")
            built.append(make_layer(entry["class_name"], config, i))
            names.append(name)
        if shape is None and batch_shape is not None:
            shape = _drop_batch(batch_shape, "the model's build_input_shape")
        if shape is None:
            raise QuizgenError('the input shape is missing: give "input_shape", or start with an InputLayer '
                               "(see stack-format.md)")
        if not isinstance(shape, list | tuple):
            raise QuizgenError(f'"input_shape" must be a list, got {shown(shape)}')
        return cls(tuple(shape), tuple(built), tuple(names))


def _model_parts(doc: Any) -> tuple[Any, Any, list[Any]]:
    """(input shape, the model's batch input shape, layer entries) of any form `from_json` reads."""
    if isinstance(doc, list):
        return None, None, doc
    if not isinstance(doc, dict):
        raise QuizgenError('a stack needs "input_shape" and "layers" (see stack-format.md)')
    kind = doc.get("class_name")
    if kind is not None:
        if kind != "Sequential":
            raise QuizgenError(f"a {shown(kind)} model cannot be read: only a Sequential model's layers "
                               "or a stack (see stack-format.md)")
        config = doc.get("config")
        if isinstance(config, list):  # early Keras 2: the layers are the config
            return None, None, config
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise QuizgenError('a Sequential model needs "config": {"layers": [...]}')
        return None, config.get("build_input_shape"), config["layers"]
    if "layers" not in doc:
        raise QuizgenError('a stack needs "input_shape" and "layers" (see stack-format.md)')
    if not isinstance(doc["layers"], list):
        raise QuizgenError('"layers" must be a list')
    return doc.get("input_shape"), None, doc["layers"]


def _drop_batch(shape: Any, what: str) -> list[Any]:
    """Keras's batch shapes start with the batch size, usually null."""
    if not isinstance(shape, list | tuple) or len(shape) < 2:
        raise QuizgenError(f"{what} must be a list starting with the batch size, got {shown(shape)}")
    if any(n is None for n in shape[1:]):
        raise QuizgenError(f"{what} {shown(list(shape))} leaves a size open (null); quizgen counts fixed shapes")
    return list(shape[1:])


def _agree(shape: Any, other: list[Any], what: str) -> Any:
    if shape is not None and list(shape) != other:
        raise QuizgenError(f'"input_shape" {shown(shape)} and {what}\'s shape {shown(other)} differ')
    return other
