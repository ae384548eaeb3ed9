"""Question kinds: each picks a stack and a target, and assembles a `Question`.

A kind asks the layers for the answer, the misconception catalogue for distractors (by replaying
the stack with each entry applied) and the layers for the worked steps. No wording, no markup.
A new kind is one function and one line in `KINDS`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quizgen.layers import (BatchNormalization, Conv, ConvTranspose, Dense, DepthwiseConv, Flatten, Layer,
                            SeparableConv, Step)
from quizgen.misconceptions import CATALOGUE, Misconception, replay
from quizgen.question import MC_DISTRACTORS, NEAR_MISS, Distractor, Part, Question, Target, Value
from quizgen.sampling import Picker, sample
from quizgen.stack import Flow, Stack

CONV_LIKE = (Conv, ConvTranspose, DepthwiseConv, SeparableConv)
SHAPE_KEEPING = ("Dropout", "Activation", "ReLU", "BatchNormalization")
ALL_FAMILIES = ("classifier-2d", "text-1d", "video-3d", "mobilenet", "encoder-decoder")
# Repeats weight the draw: the seeds' 2D classifiers come up most often.
STACK_FAMILIES = {1: ("classifier-2d",), 2: ("classifier-2d", "classifier-2d", "text-1d", "video-3d"),
                  3: ("classifier-2d", *ALL_FAMILIES)}


# --- reading a quantity off a (possibly replayed) stack ----------------------------------------

def read(rows: list[Flow], target: Target, n_layers: int) -> Value | None:
    """The target quantity from `rows`; None when the replay stopped before it."""
    q = target.quantity
    if target.layer is None:
        if len(rows) < n_layers:
            return None
        if q == "params":
            return sum(r.params.total for r in rows)
        return sum(getattr(r.params, "trainable" if q == "trainable_params" else "non_trainable") for r in rows)
    if target.layer >= len(rows):
        return None
    row = rows[target.layer]
    if q == "output_shape":
        return list(row.output_shape)
    if q == "output_size":
        return math.prod(row.output_shape)
    if q == "trainable_params":
        return row.params.trainable
    if q == "non_trainable_params":
        return row.params.non_trainable
    return row.params.total


def _valid(value: Value | None, answer: Value) -> bool:
    """A usable distractor: positive, and of the answer's form (a shape of the same rank)."""
    if value is None or isinstance(value, list) != isinstance(answer, list):
        return False
    if isinstance(value, list):
        return len(value) == len(answer) and min(value) > 0
    return value > 0


@functools.cache
def touching(layer_class: type[Layer]) -> frozenset[str]:
    """Ids of the misconceptions that can bend a layer of this class."""
    return frozenset(m.id for m in CATALOGUE if issubclass(layer_class, m.layers))


class Analysis:
    """A stack, its correct rows, and each relevant misconception's replay, computed once."""

    def __init__(self, stack: Stack, targets: Sequence[Target]) -> None:
        self.stack = stack
        self.rows = stack.flow
        layers = [t.layer for t in targets]
        upto = None if None in layers else max(layers)  # later layers cannot change the answers
        touched = set().union(*(touching(type(layer)) for layer in stack.layers[:None if upto is None else upto + 1]))
        self.replays: list[tuple[Misconception, list[Flow]]] = [
            (m, replay(m, stack, upto)) for m in CATALOGUE if m.id in touched]

    def answer(self, target: Target) -> Value:
        value = read(self.rows, target, len(self.rows))
        assert value is not None
        return value

    def distractors(self, target: Target, answer: Value, rng: Picker, minimum: int) -> tuple[Distractor, ...]:
        """Misconception values first (shuffled), then marked near-misses up to `minimum`."""
        seen = {_hashable(answer)}
        found: list[Distractor] = []
        for m, rows in self.replays:
            value = read(rows, target, len(self.rows))
            if _valid(value, answer) and _hashable(value) not in seen:
                seen.add(_hashable(value))
                found.append(Distractor(value, m.id, m.title, m.feedback))
        rng.shuffle(found)
        if len(found) < minimum:
            for value in near_misses(answer, self.channels_at(target)):
                if len(found) >= minimum:
                    break
                if _valid(value, answer) and _hashable(value) not in seen:
                    seen.add(_hashable(value))
                    found.append(Distractor(value, NEAR_MISS, "Near miss", NEAR_MISS_FEEDBACK))
        return tuple(found)

    def channels_at(self, target: Target) -> int:
        shape = self.stack.input_of(target.layer) if target.layer is not None else self.stack.input_shape
        return shape[-1]

    def part(self, target: Target, rng: Picker, multiple_choice: bool = True) -> Part:
        answer = self.answer(target)
        distractors = self.distractors(target, answer, rng, MC_DISTRACTORS if multiple_choice else 0)
        order = list(range(min(len(distractors), MC_DISTRACTORS) + 1)) if multiple_choice else []
        rng.shuffle(order)
        return Part(target, answer, distractors, tuple(order))


NEAR_MISS_FEEDBACK = ("This value matches no common misconception; it is a plausible slip. "
                      "Recompute step by step with the formula in the worked solution.")


def _hashable(value: Value) -> int | tuple[int, ...]:
    return tuple(value) if isinstance(value, list) else value


def near_misses(answer: Value, channels: int) -> list[Value]:
    """Plausible values that match no catalogue entry, used only to reach the option count."""
    if isinstance(answer, list) and len(answer) > 1:
        *spatial, c = answer
        return [[n + 1 for n in spatial] + [c], [n - 1 for n in spatial] + [c], spatial + [2 * c],
                [2 * n for n in spatial] + [c], [n + 2 for n in spatial] + [c]]
    if isinstance(answer, list):
        return [[v] for v in near_misses(answer[0], channels)]
    if answer == 0:
        return [channels, channels * channels, channels + 1, 1, 2, 3]
    step = 10 ** max(len(str(answer)) - 2, 0)
    return [answer * 2, answer // 2, answer + step, answer - step, answer + 1, answer * 3]


# --- solution steps ----------------------------------------------------------------------------

def shape_steps(stack: Stack, upto: int) -> list[Step]:
    """How the shape travels from the input through layer `upto` (layers that keep it are skipped)."""
    steps: list[Step] = []
    for i in range(upto + 1):
        layer = stack.layers[i]
        if layer.class_name not in SHAPE_KEEPING:
            steps.extend(layer.shape_steps(i, stack.input_of(i)))
    return steps


def param_steps(stack: Stack, index: int) -> list[Step]:
    return stack.layers[index].param_steps(index, stack.input_of(index))


def total_step(stack: Stack, quantity: str) -> Step:
    attr = {"params": "total", "trainable_params": "trainable", "non_trainable_params": "non_trainable"}[quantity]
    values = [getattr(p, attr) for p in stack.counts]
    terms = [f"{v:,}" for v in values if v] or ["0"]
    return Step(quantity.replace("_", "-").replace("params", "total"), None, "sum over all layers",
                " + ".join(terms), sum(values))


# --- the kinds ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    family: str
    stack: Stack
    targets: list[Target]
    solution: list[Step]
    show_shapes: bool
    multiple_choice: bool = True


def _indices(stack: Stack, cls: type[Layer] | tuple[type[Layer], ...]) -> list[int]:
    return [i for i, layer in enumerate(stack.layers) if isinstance(layer, cls)]


def conv_params(rng: Picker, difficulty: int) -> Built:
    families = {1: ("single-conv",), 2: ("classifier-2d",), 3: ALL_FAMILIES}[difficulty]
    family, stack = sample(rng, difficulty, families)
    i = rng.choice(_indices(stack, CONV_LIKE))
    return Built(family, stack, [Target(i, "params")], param_steps(stack, i), show_shapes=True)


def layer_params(rng: Picker, difficulty: int) -> Built:
    families = ("single-layer",) if difficulty == 1 else STACK_FAMILIES[difficulty]
    family, stack = sample(rng, difficulty, families)
    weighted = [i for i, layer in enumerate(stack.layers) if layer.has_weights]
    others = [i for i in range(len(stack.layers)) if i not in weighted and stack.layers[i].class_name != "ReLU"]
    use_others = others and (not weighted or rng.choice(range(6)) == 0)  # zero-parameter layers: 1 in 6
    i = rng.choice(others if use_others else weighted)
    show = difficulty < 3
    steps = ([] if show else shape_steps(stack, i - 1) if i else []) + param_steps(stack, i)
    return Built(family, stack, [Target(i, "params")], steps, show_shapes=show)


def total_params(rng: Picker, difficulty: int) -> Built:
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty])
    quantity = "params"
    if any(isinstance(layer, BatchNormalization) for layer in stack.layers):
        quantity = rng.choice(("params", "trainable_params", "non_trainable_params"))
    show = difficulty < 3
    steps = [] if show else shape_steps(stack, len(stack.layers) - 1)
    for i, layer in enumerate(stack.layers):
        if layer.has_weights:
            steps.extend(param_steps(stack, i))
    steps.append(total_step(stack, quantity))
    return Built(family, stack, [Target(None, quantity)], steps, show_shapes=show)


def output_shape(rng: Picker, difficulty: int) -> Built:
    families = ("single-conv",) if difficulty == 1 else STACK_FAMILIES[difficulty]
    family, stack = sample(rng, difficulty, families)
    changing = [i for i, layer in enumerate(stack.layers)
                if layer.class_name not in SHAPE_KEEPING and len(stack.output_of(i)) > 1]
    i = rng.choice(changing or [len(stack.layers) - 1])
    return Built(family, stack, [Target(i, "output_shape")], shape_steps(stack, i), show_shapes=False)


def _flatten_stack(rng: Picker, difficulty: int) -> tuple[str, Stack, int]:
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty], flatten=True)
    return family, stack, _indices(stack, Flatten)[0]


def flatten_size(rng: Picker, difficulty: int) -> Built:
    family, stack, f = _flatten_stack(rng, difficulty)
    return Built(family, stack, [Target(f, "output_size")], shape_steps(stack, f), show_shapes=False)


def dense_after_flatten(rng: Picker, difficulty: int) -> Built:
    family, stack, f = _flatten_stack(rng, difficulty)
    d = next(i for i in _indices(stack, Dense) if i > f)
    steps = shape_steps(stack, f) + param_steps(stack, d)
    return Built(family, stack, [Target(d, "params")], steps, show_shapes=False)


def summary_table(rng: Picker, difficulty: int) -> Built:
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty])
    targets = [Target(i, "params") for i in range(len(stack.layers))] + [Target(None, "params")]
    steps: list[Step] = []
    for i in range(len(stack.layers)):
        steps.extend(shape_steps(stack, i)[-1:] if difficulty < 3 else stack.layers[i].shape_steps(i, stack.input_of(i)))
        if stack.layers[i].has_weights:
            steps.extend(param_steps(stack, i))
    steps.append(total_step(stack, "params"))
    return Built(family, stack, targets, steps, show_shapes=difficulty < 3, multiple_choice=False)


@dataclass(frozen=True)
class Kind:
    id: str
    summary: str
    build: Callable[[Picker, int], Built]
    difficulties: tuple[int, ...] = (1, 2, 3)


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("conv-params", "parameters of one convolution layer (the seeds' exercise)", conv_params),
    Kind("layer-params", "parameters of any one layer of a stack", layer_params),
    Kind("total-params", "parameters of a whole stack (total, trainable or non-trainable)", total_params),
    Kind("output-shape", "output shape of one layer", output_shape),
    Kind("flatten-size", "length of the vector a Flatten layer produces", flatten_size),
    Kind("dense-after-flatten", "parameters of the first Dense layer after Flatten", dense_after_flatten),
    Kind("summary-table", "every Param # of a model summary, and the total", summary_table),
)}


def choose(picker: Picker, kinds: Sequence[str], difficulties: Sequence[int]) -> tuple[Kind, int, Built]:
    """Kind, difficulty and stack: every structural choice a question makes, from `picker` alone."""
    kind = KINDS[picker.choice(kinds)]
    difficulty = picker.choice([d for d in difficulties if d in kind.difficulties])
    return kind, difficulty, kind.build(picker, difficulty)


def question_key(kind: Kind, built: Built) -> tuple:
    """Two questions with the same key ask the same thing about the same stack."""
    return (kind.id, built.stack.key(), tuple((t.layer, t.quantity) for t in built.targets))


def make_question(picker: Picker, seed: int, kinds: Sequence[str], difficulties: Sequence[int],
                  qid: str = "") -> tuple[Question, tuple]:
    """One question (and its identity key), wholly determined by the picker and the options."""
    kind, difficulty, built = choose(picker, kinds, difficulties)
    return assemble(picker, seed, kind, difficulty, built, qid), question_key(kind, built)


def assemble(picker: Picker, seed: int, kind: Kind, difficulty: int, built: Built, qid: str = "") -> Question:
    """Answers, distractors and option order for a chosen stack and targets."""
    analysis = Analysis(built.stack, built.targets)
    parts = tuple(analysis.part(t, picker, built.multiple_choice) for t in built.targets)
    return Question(qid, kind.id, difficulty, seed, built.family, built.stack, parts, tuple(built.solution),
                    built.show_shapes, built.multiple_choice)
