"""Question kinds: each picks a stack and a target, and assembles a `Question`.

A kind asks the layers for the answer, the misconception catalogue for distractors (by replaying
the stack with each entry applied) and the layers for the worked steps. No wording, no markup.
A new kind is one function and one line in `KINDS`.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quizgen.audit import FAR, magnitude, number_cues, shares, times_off  # the statistics a set is judged by
from quizgen.engine.frameworks import has_module, torch_shape_steps
from quizgen.engine.kind_names import SUMMARIES
from quizgen.engine.layers import (
    BatchNormalization,
    Conv,
    ConvTranspose,
    Dense,
    DepthwiseConv,
    Flatten,
    GlobalPooling,
    Layer,
    SeparableConv,
    Step,
    shape_text,
    times,
)
from quizgen.engine.misconceptions import (
    CATALOGUE,
    TABLE,
    Misconception,
    Seen,
    both_feedback,
    both_title,
    rank_of,
    replay,
    replay_pair,
)
from quizgen.engine.prices import DIGIT_PRICES, EVEN_PRICES, prices_for
from quizgen.engine.quantities import (
    BYTES_PER_PARAM,
    UNIT_BYTES,
    WINDOWED,
    channels_first,
    read,
)
from quizgen.engine.quantities import layer_params as layer_count
from quizgen.engine.question import (
    MC_DISTRACTORS,
    NEAR_MISS,
    Distractor,
    Part,
    Question,
    Target,
    Value,
)
from quizgen.engine.sampling import INPUTS_1D, INPUTS_2D, NO_CONSTRAINTS, Picker, redraw, sample
from quizgen.engine.stack import Flow, Stack
from quizgen.engine.summary import layer_names
from quizgen.errors import LayerError

CONV_LIKE = (Conv, ConvTranspose, DepthwiseConv, SeparableConv)
SHAPE_KEEPING = ("Dropout", "Activation", "ReLU", "BatchNormalization")
ALL_FAMILIES = ("classifier-2d", "text-1d", "video-3d", "mobilenet", "encoder-decoder")
# Repeats weight the draw: the seeds' 2D classifiers come up most often.
STACK_FAMILIES = {1: ("classifier-2d",), 2: ("classifier-2d", "classifier-2d", "text-1d", "video-3d"),
                  3: ("classifier-2d", *ALL_FAMILIES)}


# --- answers and distractors ------------------------------------------------------------------

def _valid(value: Value | None, answer: Value) -> bool:
    """A usable distractor: positive, and of the answer's form (a shape, possibly of another rank:
    1×1×512 for a global pooling's 512 is a shape a student writes)."""
    if value is None or type(value) is not type(answer):
        return False
    if isinstance(value, list):
        return bool(value) and min(value) > 0
    return isinstance(value, str) or value > 0


@functools.cache
def touching(layer_class: type[Layer]) -> tuple[Misconception, ...]:
    """The misconceptions that can bend a layer of this class."""
    return tuple(m for m in CATALOGUE if issubclass(layer_class, m.layers))


VALUE_RULES = tuple(m for m in CATALOGUE if m.value)
# The quantities whose candidates include two mistakes held at once: an output shape's spatial axes and channels
# flow independently, and one-mistake shapes each change one thing, so they sit around the answer.
PAIRED = ("output_shape",)
# The values a student solving for F or k may come to: wider than any asked layer's (a 5×5 kernel whose
# square root is forgotten gives 25).
REVERSE_RANGE = {"filters": range(1, 65_537), "kernel_size": range(1, 64)}


class Analysis:
    """A stack, its correct flow, and each relevant misconception's replay, computed once.

    `seen` is what the question shows: only mistakes a student could make given it are replayed.
    """

    def __init__(self, stack: Stack, targets: Sequence[Target], seen: Seen = TABLE,
                 prices: Sequence[float] = EVEN_PRICES, digits: float = 0.0) -> None:
        self.stack, self.seen, self.prices, self.digits = stack, seen, prices, digits
        layers = [t.layer for t in targets]
        upto = None if None in layers else max(layers)  # later layers cannot change the answers
        # Where each mistake applies (by id), found once, by layer class: its replay and its pairs' start from it.
        self.where: dict[str, list[int]] = {}
        for i, layer in enumerate(stack.layers[:None if upto is None else upto + 1]):
            for m in touching(type(layer)):
                if m.applies(layer, seen):
                    self.where.setdefault(m.id, []).append(i)
        self.convention = targets[0].convention if targets else "keras"
        self.replays: list[tuple[Misconception, list[Flow]]] = [
            (m, replay(m, stack, upto, seen, where=self.where[m.id])) for m in CATALOGUE
            if m.id in self.where and m.visible(seen) and not (m.keras_only and self.convention == "pytorch")]

    def answer(self, target: Target) -> Value:
        value = read(self.stack.flow, self.stack, target)
        assert value is not None
        return value

    def wrong_values(self, target: Target, answer: Value) -> list[tuple[Misconception, Value | None]]:
        """What each applicable misconception makes of the target."""
        # The quantity-level mistakes: for a reverse question, a slip in solving P = (k·k·C_in + 1)·F itself.
        values = [(m, m.value(self.stack, target, answer)) for m in VALUE_RULES
                  if target.quantity in m.bends and not (m.keras_only and target.convention == "pytorch")]
        if target.quantity in REVERSE_RANGE:
            asked = self.stack.layers[target.layer]
            return [(m, invert(m, self.stack, target)) for m, _ in self.replays
                    if m.params and m.applies(asked, self.seen)] + values
        return [(m, read(rows, self.stack, target)) for m, rows in self.replays] + values

    def candidates(self, target: Target, answer: Value) -> list[Candidate]:
        """Every distinct wrong value a misconception gives, with what the choice of options needs to know."""
        seen = {_hashable(answer)}
        # The asked layer and the one feeding it (a Dense after Flatten: the Flatten's size is the lesson).
        asked = () if target.layer is None else self.stack.layers[max(target.layer - 1, 0):target.layer + 1]
        found: list[Candidate] = []
        rank = rank_of(self.stack, target.layer)  # the feedback's formulas fit the asked layer (k·C_in in 1D)
        for m, value in self.wrong_values(target, answer):
            if _valid(value, answer) and _hashable(value) not in seen:
                seen.add(_hashable(value))
                own = (any(m.applies(layer, self.seen) for layer in asked) if m.value is None
                       else target.quantity in m.bends)
                signature = m.signature and own
                found.append(Candidate(Distractor(value, m.id, m.title, m.feedback_for(target.convention, rank),
                                                  signature),
                                       m.is_first(self.stack, target), signature or not far_off(value, answer)))
        # Two mistakes together: never about the own configuration alone, and near only within FAR× the answer's
        # count of values (two overcounts multiply: 92×92×1,536 for 22×22×32 is an easy elimination).
        for first, second, value in self.pair_values(target, answer) if target.quantity in PAIRED else ():
            if _valid(value, answer) and _hashable(value) not in seen:
                seen.add(_hashable(value))
                found.append(Candidate(Distractor(value, first.id, both_title(first.title, second.title),
                                                  both_feedback(first, second, target.convention, rank),
                                                  second=second.id),
                                       False, not far_off(magnitude(value), magnitude(answer)), combined=True))
        return found

    def pair_values(self, target: Target, answer: Value) -> list[tuple[Misconception, Misconception, Value | None]]:
        """What a student holding two shape mistakes at once makes of the target: each pair of the replayed ones
        that bend it on their own, replayed together (`replay_pair`), and each of them written as a rule that
        rearranges a value would (PyTorch's shape written channels last)."""
        alone = {m: read(rows, self.stack, target) for m, rows in self.replays
                 if m.shape is not None and m.params is None}
        bending = [m for m, value in alone.items() if _valid(value, answer) and value != answer]
        values = [(a, b, read(replay_pair(a, b, self.stack, target.layer, self.seen,
                                          (self.where[a.id], self.where[b.id])), self.stack, target))
                  for a, b in itertools.combinations(bending, 2)]
        values += [(m, r, r.value(self.stack, target, alone[m])) for r in VALUE_RULES if r.rearranges
                   and target.quantity in r.bends and not (r.keras_only and target.convention == "pytorch")
                   for m in bending]
        return values

    def distractors(self, target: Target, answer: Value, rng: Picker, minimum: int) -> tuple[Distractor, ...]:
        """The options to show first (see `choose_shown`), then every other misconception's value;
        marked near-misses only when the misconceptions give fewer than `minimum`."""
        found = self.candidates(target, answer)
        rng.shuffle(found)
        if minimum == 0:
            return tuple(c.distractor for c in found)
        taken = {_hashable(c.distractor.value) for c in found} | {_hashable(answer)}
        fillers: list[Candidate] = []
        for value, feedback in near_misses(answer, self.stack, target):
            if _valid(value, answer) and _hashable(value) not in taken:
                taken.add(_hashable(value))
                fillers.append(Candidate(Distractor(value, NEAR_MISS, "Near miss", feedback), False, True, filler=True))
        shown = choose_shown(answer, found, fillers, minimum, rng, self.prices, self.digits)
        return tuple([c.distractor for c in shown] + [c.distractor for c in found if c not in shown])

    def part(self, target: Target, rng: Picker, multiple_choice: bool = True) -> Part:
        answer = self.answer(target)
        distractors = self.distractors(target, answer, rng, MC_DISTRACTORS if multiple_choice else 0)
        return Part(target, answer, distractors, option_order(len(distractors), rng, multiple_choice))


def far_off(value: Value, answer: Value) -> bool:
    """An easy elimination: FAR times the answer or more, or as small."""
    return times_off(value, answer) >= FAR


@dataclass(slots=True, eq=False)  # not frozen: about 20 are made per question, and frozen ones cost 8× to make
class Candidate:
    distractor: Distractor
    first: bool  # about the asked layer's own configuration: shown first
    near: bool  # within FAR of the answer, or the asked layer's signature mistake
    filler: bool = False  # a near-miss, matching no misconception: only to reach the option count
    combined: bool = False  # two mistakes held at once: shown where it balances the options better than one


def choose_shown(answer: Value, found: list[Candidate], fillers: list[Candidate], n: int,
                 rng: Picker, prices: Sequence[float] = EVEN_PRICES, digits: float = 0.0) -> list[Candidate]:
    """Which `n` wrong values to show, so that nothing but working the answer out finds it.

    The rule: show at least one mistake about the asked layer's own configuration when there is one;
    leave out values ≥ FAR× off (unless the asked layer's signature mistake); near-miss fillers only
    make up the count. Among the sets of real mistakes that keep to it, the one shown is the one
    the blind strategies (the smallest, the closest pair, nearest the mean, ... `quizgen.audit.STRATEGIES`)
    would most seldom get right, each strategy weighed by its price (`prices`, fitted per kind and
    difficulty, see `quizgen.engine.prices`) times a random factor, so that over a set no strategy, the
    answer's rank included, is right more often than chance. `digits` prices a set whose answer has the most
    factors of two (`quizgen.engine.prices.DIGIT_PRICES`). Values are chosen, never made up.
    """
    # A long catalogue must not crowd out the own-configuration mistakes.
    pool = sorted((c for c in found if c.near), key=lambda c: (not c.first, c.combined))[:MAX_POOL]
    if len(pool) < n:  # too few real mistakes near the answer: near-miss fillers, else far ones (the costs decide)
        short = n - len(pool) + 2
        pool += fillers[:short] + [c for c in found if not c.near][:short]
    if len(pool) <= n or isinstance(answer, str):
        return _first_first(pool, n)
    shapes = isinstance(answer, list)
    # What each candidate adds to a set's cost, and the first-rule's cost of a set without an own-configuration one.
    own = [COST["filler"] * c.filler + COST["far"] * (not c.near) + COST["combined"] * c.combined
           + COST["signature-far"] * far_off(c.distractor.value, answer) - c.first for c in pool]
    firsts = [c.first for c in pool]
    missing = COST["no-first"] if any(firsts) else 0
    # Every set's cost: the sets of costs, of first-flags and of indices come in the same order.
    scored = [(cost + missing * (not first), chosen) for cost, first, chosen in zip(
        map(sum, itertools.combinations(own, n)), map(any, itertools.combinations(firsts, n)),
        itertools.combinations(range(len(pool)), n))]
    least = min(cost for cost, _ in scored)
    fit = [(cost, chosen) for cost, chosen in scored if cost < least + COST["slack"]]
    rng.shuffle(fit)
    # The random factor keeps a question from always making the same choice: over a set, how often a
    # strategy is right then moves smoothly with its price, which is what lets the prices be fitted.
    weights = [price * rng.choice(SPREAD) for price in prices]
    sizes = [magnitude(c.distractor.value) for c in pool]
    # A rank's reward (a price below zero) lowers a sum: the rewards still to come, from each strategy on.
    rewards = [*itertools.accumulate([min(w, 0) for w in reversed(weights)])][::-1] + [0]
    best, best_cost, per_cue = (), math.inf, COST["cue"]
    for cost, chosen in fit[:WEIGHED]:
        if cost + per_cue * rewards[0] >= best_cost:
            continue  # even with every reward this set cannot win
        options = [answer] + [pool[i].distractor.value for i in chosen] if shapes else None
        values = [magnitude(answer)] + [sizes[i] for i in chosen]
        if digits:  # whole, positive numbers: the kinds DIGIT_PRICES names ask no others
            cost += per_cue * digits * number_cues([int(v) for v in values], 0)["most factors of two"]
        hit = shares(values, 0, options)
        if values[0] in values[1:]:  # a shape of the answer's size: the shuffled options sort either first
            last = shares(values[1:] + values[:1], n, options and options[1:] + options[:1])
            hit = ((h + g) / 2 for h, g in zip(hit, last))
        # The weighted hits, added in the strategies' order. Past the rewards each term is ≥ 0, so a partial sum
        # that with the rewards to come still reaches the best cost proves the set loses: its remaining
        # (costlier) shares are never computed.
        cue = 0
        for weight, share, later in zip(weights, hit, rewards[1:]):
            cue += weight * share
            if cost + per_cue * (cue + later) >= best_cost:
                break
        else:
            best, best_cost = chosen, cost + per_cue * cue
    return [pool[i] for i in best]


# What each departure from the ideal set costs. A value ≥ FAR× off (not a signature: an easy elimination) is
# worse than a near-miss filler (which says what to recompute); neither, nor a missing own-configuration mistake,
# is ever traded for balance: only sets within `slack` of the cheapest are weighed (one own-configuration
# mistake more, or one far signature mistake less, is worth little beside balance).
COST = {"far": 100, "filler": 50, "no-first": 15, "signature-far": 4, "combined": 1, "cue": 1, "slack": 6}
SPREAD = (0.25, 0.5, 1, 2, 4)  # the random factor of a price: wide, so the fitted prices act smoothly
MAX_POOL = 10  # candidates for the shown options (C(10, 3) = 120 sets)
# Sets whose blind-strategy hits are weighed, drawn among those that fit the rules: scoring them is most of the
# time a question takes, and a random few choose about as well as all of them once the prices are fitted.
WEIGHED = 20


def _first_first(pool: list[Candidate], n: int) -> list[Candidate]:
    """Without numbers to balance (shapes, names): own-configuration mistakes first, then the others."""
    return sorted(pool, key=lambda c: (c.filler, not c.near, not c.first))[:n]


def option_order(n_distractors: int, rng: Picker, multiple_choice: bool = True) -> tuple[int, ...]:
    order = list(range(min(n_distractors, MC_DISTRACTORS) + 1)) if multiple_choice else []
    rng.shuffle(order)
    return tuple(order)


def invert(m: Misconception, stack: Stack, target: Target) -> int | None:
    """The filters (or kernel size) a student holding `m` would solve for, given the layer's
    true parameter count: the value whose wrong count comes closest to it."""
    i, field = target.layer, target.quantity
    layer, in_shape, prev = stack.layers[i], stack.input_of(i), stack.layers[i - 1] if i else None
    wanted = stack.counts[i].total

    @functools.cache  # the final pick asks again for the counts the bisection's last steps made
    def wrong(v: int) -> float | None:
        changed = dataclasses.replace(layer, **{field: v if field == "filters" else (v,) * layer.rank})
        try:
            p = m.params(changed, in_shape, changed.output_shape(i, in_shape), prev)
        except LayerError:
            return math.inf  # a kernel wider than the input: too large
        return None if p is None else p.total

    candidates = REVERSE_RANGE[field]
    lo, hi = 0, len(candidates) - 1  # the wrong count grows with the value: bisect for `wanted`
    while lo < hi:
        mid = (lo + hi) // 2
        w = wrong(candidates[mid])
        if w is None:
            return None
        lo, hi = (mid + 1, hi) if w < wanted else (lo, mid)
    best = min((c for c in (candidates[lo - 1] if lo else None, candidates[lo]) if c is not None),
               key=lambda c: abs((wrong(c) or 0) - wanted))
    w = wrong(best)
    return best if w is not None and abs(w - wanted) <= wanted // 4 else None


# What a near-miss filler's feedback tells the student to recompute, by quantity.
RECOMPUTE = {
    "params": "each weight term (kernel area × input channels per filter, or inputs per unit) times the "
              "filters or units, then add one bias per filter or unit",
    "output_shape": "each axis with the output-size formula of the worked solution, layer by layer, and "
                    "check the channel count",
    "output_size": "the last feature map's shape axis by axis, then multiply height, width and channels",
    "macs": "output positions × (kernel area × input channels per group) × filters",
    "memory_bytes": "parameters × bytes per parameter of the data type, then divide by the unit's bytes",
    "receptive_field": "r layer by layer: r + (k_eff − 1)·jump, and multiply the jump by the stride after each layer",
    "filters": "P ÷ (weights and bias per filter), and check by putting the result back into the formula",
    "kernel_size": "k from P = (k·…·k·C_in + 1)·F, and check by putting it back into the formula",
}
NEAR_MISS_FEEDBACK = "{value} matches no common misconception. Recompute {how}."


def _near(value: Value, target: Target) -> tuple[Value, str]:
    how = RECOMPUTE.get(target.quantity, RECOMPUTE["params"])
    shown = "×".join(map(str, value)) if isinstance(value, list) else f"{value:,}"
    return value, NEAR_MISS_FEEDBACK.format(value=shown, how=how)


def _hashable(value: Value) -> Value | tuple[int, ...]:
    return tuple(value) if isinstance(value, list) else value


OTHER_LAYER_FEEDBACK = ("This layer has {count:,} parameters; another layer has more. Work out every layer's "
                        "count (weights and biases; 0 for layers without weights) and compare.")


def near_misses(answer: Value, stack: Stack, target: Target) -> list[tuple[Value, str]]:
    """Plausible values that match no catalogue entry, used only to reach the option count, each
    with feedback that says what to recompute (for a layer's name: that layer's own count)."""
    if isinstance(answer, str):  # a layer name: the other layers, most parameters first
        names = layer_names(stack.layers)
        whole = Target(None, "params", target.convention)
        counts = [layer_count(row, layer, whole) for row, layer in zip(stack.flow, stack.layers)]
        order = sorted(range(len(names)), key=lambda i: -counts[i])
        return [(names[i], OTHER_LAYER_FEEDBACK.format(count=counts[i])) for i in order]
    return [_near(v, target) for v in _near_values(answer, stack, target)]


def _near_values(answer: Value, stack: Stack, target: Target) -> list[Value]:
    if isinstance(answer, float):
        return [round(answer * f, 2) for f in (1.1, 0.9, 2, 0.5, 4)]
    if isinstance(answer, list) and len(answer) > 1:
        first = target.convention == "pytorch"  # channels first
        c, spatial = (answer[0], answer[1:]) if first else (answer[-1], answer[:-1])
        return [[c, *sizes] if first else [*sizes, c] for sizes, c in (
            ([n + 1 for n in spatial], c), ([n - 1 for n in spatial], c), (spatial, 2 * c),
            ([2 * n for n in spatial], c), ([n + 2 for n in spatial], c))]
    if isinstance(answer, list):
        return [[v] for v in _near_values(answer[0], stack, target)]
    if answer == 0:
        channels = (stack.input_of(target.layer) if target.layer is not None else stack.input_shape)[-1]
        return [channels, channels * channels, channels + 1, 1, 2, 3]
    if target.quantity in REVERSE_RANGE or target.quantity in ("receptive_field", "step"):
        return [answer + 1, answer - 1, answer + 2, answer - 2, answer * 2, answer + 3]
    step = 10 ** max(len(str(answer)) - 2, 0)
    return [answer + step, answer - step, answer * 2, answer // 2, answer + 1, answer * 3]


# --- solution steps ----------------------------------------------------------------------------

def layer_shape_steps(stack: Stack, index: int, convention: str = "keras") -> list[Step]:
    """How layer `index` changes the shape, in the framework the question is shown in."""
    if convention == "pytorch":
        return torch_shape_steps(stack, index)
    return stack.layers[index].shape_steps(index, stack.input_of(index))


def shape_steps(stack: Stack, upto: int, convention: str = "keras") -> list[Step]:
    """How the shape travels from the input through layer `upto` (layers that keep it are skipped)."""
    return [s for i in range(upto + 1) if stack.layers[i].class_name not in SHAPE_KEEPING
            for s in layer_shape_steps(stack, i, convention)]


def param_steps(stack: Stack, index: int, convention: str = "keras") -> list[Step]:
    layer = stack.layers[index]
    steps = layer.param_steps(index, stack.input_of(index))
    if convention == "pytorch" and isinstance(layer, BatchNormalization):
        # PyTorch keeps the running statistics as buffers: gamma and beta are the parameters.
        weights, statistics, _ = steps
        return [statistics._replace(topic="buffers"), weights._replace(topic="params")]
    if convention == "pytorch" and isinstance(layer, Dense):  # nn.Linear's own words
        return [s._replace(formula=s.formula.replace("n_in", "in_features").replace("units", "out_features"))
                for s in steps]
    return steps


def total_step(stack: Stack, quantity: str, convention: str = "keras") -> Step:
    target = Target(None, quantity, convention)
    values = [layer_count(row, layer, target) for row, layer in zip(stack.flow, stack.layers)]
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
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # prompt data a kind adds
    parts: tuple[Part, ...] = ()  # set by kinds whose options are not values (spot-the-error)


def _indices(stack: Stack, cls: type[Layer] | tuple[type[Layer], ...]) -> list[int]:
    return [i for i, layer in enumerate(stack.layers) if isinstance(layer, cls)]


def _askable(stack: Stack, indices: list[int], convention: str) -> list[int]:
    """The layers a question may point at: in PyTorch code, a ZeroPadding folded into the next
    convolution's padding= has no module, so no line to point at."""
    return indices if convention == "keras" else [i for i in indices if has_module(stack, i)]


def conv_params(rng: Picker, difficulty: int, convention: str) -> Built:
    families = {1: ("single-conv",), 2: ("classifier-2d",), 3: ALL_FAMILIES}[difficulty]
    family, stack = sample(rng, difficulty, families)
    convs = _indices(stack, CONV_LIKE)
    i = rng.choice(convs[1:] * 2 + convs[:1])  # a later conv 2 times in 3: its C_in is the previous conv's filters
    return Built(family, stack, [Target(i, "params", convention)], param_steps(stack, i, convention), show_shapes=True)


def layer_params(rng: Picker, difficulty: int, convention: str) -> Built:
    families = ("single-layer",) if difficulty == 1 else STACK_FAMILIES[difficulty]
    family, stack = sample(rng, difficulty, families)
    weighted = [i for i, layer in enumerate(stack.layers) if layer.has_weights]
    others = _askable(stack, [i for i in range(len(stack.layers))
                              if i not in weighted and stack.layers[i].class_name != "ReLU"], convention)
    use_others = others and (not weighted or rng.choice(range(6)) == 0)  # zero-parameter layers: 1 in 6
    i = rng.choice(others if use_others else weighted)
    show = difficulty < 3
    steps = ([] if show else shape_steps(stack, i - 1, convention) if i else []) + param_steps(stack, i, convention)
    return Built(family, stack, [Target(i, "params", convention)], steps, show_shapes=show)


def _freeze_first(stack: Stack, n: int) -> tuple[Stack, list[int]]:
    """The stack with its first `n` weighted layers frozen, as when fine-tuning a pretrained base."""
    frozen = [i for i, layer in enumerate(stack.layers) if layer.has_weights][:n]
    layers = tuple(dataclasses.replace(layer, trainable=False) if i in frozen else layer
                   for i, layer in enumerate(stack.layers))
    return Stack(stack.input_shape, layers), frozen


def total_params(rng: Picker, difficulty: int, convention: str) -> Built:
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty])
    frozen: list[int] = []
    if difficulty > 1 and rng.choice(range(4)) == 0:  # 1 in 4: a pretrained base, its first layer frozen
        stack, frozen = _freeze_first(stack, 1)
    quantity = "params"
    # Something must be non-trainable to ask the split: frozen weights, or BatchNorm's statistics in Keras
    # (in PyTorch's convention they are buffers).
    if frozen or (convention == "keras" and any(isinstance(layer, BatchNormalization) for layer in stack.layers)):
        quantity = rng.choice(("params", "trainable_params", "non_trainable_params"))
    show = difficulty < 3
    steps = [] if show else shape_steps(stack, len(stack.layers) - 1, convention)
    for i, layer in enumerate(stack.layers):
        if layer.has_weights:
            steps.extend(param_steps(stack, i, convention))
    steps.append(total_step(stack, quantity, convention))
    return Built(family, stack, [Target(None, quantity, convention)], steps, show_shapes=show,
                 extra={"frozen": frozen} if frozen else {})


def output_shape(rng: Picker, difficulty: int, convention: str) -> Built:
    families = ("single-conv",) if difficulty == 1 else STACK_FAMILIES[difficulty]
    family, stack = sample(rng, difficulty, families)
    # Shapes with axes, and global pooling's vector of C values (is it C, or 1×1×C?).
    changing = _askable(stack, [i for i, layer in enumerate(stack.layers) if layer.class_name not in SHAPE_KEEPING
                                and (len(stack.output_of(i)) > 1 or isinstance(layer, GlobalPooling))], convention)
    i = rng.choice(changing or [len(stack.layers) - 1])
    return Built(family, stack, [Target(i, "output_shape", convention)], shape_steps(stack, i, convention),
                 show_shapes=False)


def _flatten_stack(rng: Picker, difficulty: int) -> tuple[str, Stack, int]:
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty], flatten=True)
    return family, stack, _indices(stack, Flatten)[0]


def flatten_size(rng: Picker, difficulty: int, convention: str) -> Built:
    family, stack, f = _flatten_stack(rng, difficulty)
    return Built(family, stack, [Target(f, "output_size", convention)], shape_steps(stack, f, convention),
                 show_shapes=False)


def dense_after_flatten(rng: Picker, difficulty: int, convention: str) -> Built:
    family, stack, f = _flatten_stack(rng, difficulty)
    d = next(i for i in _indices(stack, Dense) if i > f)
    steps = shape_steps(stack, f, convention) + param_steps(stack, d, convention)
    return Built(family, stack, [Target(d, "params", convention)], steps, show_shapes=False)


def summary_table(rng: Picker, difficulty: int, convention: str) -> Built:
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty])
    targets = [Target(i, "params", convention) for i in range(len(stack.layers))] + [Target(None, "params", convention)]
    steps: list[Step] = []
    shown: list[Step] = []  # below level 3, each row repeats the last shape step so far: `shape_steps(stack, i)[-1:]`
    for i in range(len(stack.layers)):
        if difficulty == 3:
            steps.extend(layer_shape_steps(stack, i, convention))
        else:
            if stack.layers[i].class_name not in SHAPE_KEEPING:
                shown = layer_shape_steps(stack, i, convention)[-1:] or shown
            steps.extend(shown)
        if stack.layers[i].has_weights:
            steps.extend(param_steps(stack, i, convention))
    steps.append(total_step(stack, "params", convention))
    return Built(family, stack, targets, steps, show_shapes=difficulty < 3, multiple_choice=False)


WEIGHTED_CONV = (Conv, DepthwiseConv, SeparableConv, ConvTranspose, Dense)


def _prefix_steps(stack: Stack, index: int, show: bool, convention: str) -> list[Step]:
    """How the input of layer `index` is reached, when the prompt does not show the shapes."""
    return [] if show or index == 0 else shape_steps(stack, index - 1, convention)


def macs(rng: Picker, difficulty: int, convention: str) -> Built:
    families = ("single-conv",) if difficulty == 1 else STACK_FAMILIES[difficulty]
    family, stack = sample(rng, difficulty, families)
    i = rng.choice(_indices(stack, WEIGHTED_CONV))
    layer, shape, out = stack.layers[i], stack.input_of(i), stack.output_of(i)
    positions = math.prod((shape if isinstance(layer, ConvTranspose) else out)[:-1])
    value = layer.macs(shape, out)
    where = "input" if isinstance(layer, ConvTranspose) else "output"
    step = Step("macs", i, f"{where} positions × MACs per position", f"{positions:,} × {value // positions:,}", value)
    show = difficulty < 3
    return Built(family, stack, [Target(i, "macs", convention)], _prefix_steps(stack, i, show, convention) + [step],
                 show_shapes=show)


def memory_footprint(rng: Picker, difficulty: int, convention: str) -> Built:
    # Level 1: one convolution, whose slips land on both sides of its memory. Behind a Dense head nearly all of
    # a small model's parameters sit in one Dense layer, whose real undercounts (the biases) lie within 1%.
    families = ("single-conv",) if difficulty == 1 else STACK_FAMILIES[difficulty]
    family, stack = sample(rng, difficulty, families)
    dtype = rng.choice(("float32", "float32", "float16", "int8"))
    total = read(stack.flow, stack, Target(None, "params", convention))
    size = total * BYTES_PER_PARAM[dtype]
    unit = "bytes" if size < 10 * 1024 else "KiB" if size < 10 * 1024 * 1024 else "MiB"
    target = Target(None, "memory_bytes", convention, dtype=dtype, unit=unit)
    weighted = [i for i, layer in enumerate(stack.layers) if layer.has_weights]
    steps = [s for i in weighted for s in param_steps(stack, i, convention)]
    if len(weighted) > 1:  # one layer's count is the model's: no sum to show
        steps.append(total_step(stack, "params", convention))
    value = read(stack.flow, stack, target)
    per = BYTES_PER_PARAM[dtype]
    steps.append(Step("memory", None, f"params × {per} byte{'s' if per > 1 else ''} ({dtype})"
                      + ("" if unit == "bytes" else f" ÷ {UNIT_BYTES[unit]:,} bytes per {unit}"),
                      f"{total:,} × {BYTES_PER_PARAM[dtype]}" + ("" if unit == "bytes" else f" ÷ {UNIT_BYTES[unit]:,}"),
                      value))
    return Built(family, stack, [target], steps, show_shapes=True)


def receptive_field_kind(rng: Picker, difficulty: int, convention: str) -> Built:
    # Level 1 is a conv and a pool: the smallest stack where the receptive field is not just k.
    family, stack = sample(rng, max(difficulty, 2), ("classifier-2d",) if difficulty < 3 else ("classifier-2d", "text-1d"))
    windowed = _indices(stack, WINDOWED)
    i = rng.choice(windowed[1:] or windowed)
    steps, r, jump = [], 1, 1
    for j in windowed:
        if j > i:
            break
        ks, ss, ds, _ = stack.layers[j].window()
        k, s, d = ks[0], ss[0], ds[0]
        new_r = r + d * (k - 1) * jump
        if d > 1:
            steps.append(Step("receptive-field", j, "r + d·(k − 1)·jump", f"{r} + {d}·({k} − 1)·{jump}", new_r))
        else:
            steps.append(Step("receptive-field", j, "r + (k − 1)·jump", f"{r} + ({k} − 1)·{jump}", new_r))
        if s > 1 and j < i:  # the units after a stride sit s times further apart
            steps.append(Step("jump", j, "jump·s", f"{jump}·{s}", jump * s))
        r, jump = new_r, jump * s
    return Built(family, stack, [Target(i, "receptive_field", convention)], steps, show_shapes=True)


def most_params(rng: Picker, difficulty: int, convention: str) -> Built:
    family, stack = sample(rng, max(difficulty, 2), STACK_FAMILIES[max(difficulty, 2)])  # ≥ 4 layers to choose from
    show = difficulty < 3
    steps = [] if show else shape_steps(stack, len(stack.layers) - 1, convention)
    steps += [s for i, layer in enumerate(stack.layers) if layer.has_weights
              for s in param_steps(stack, i, convention)]
    return Built(family, stack, [Target(None, "layer_name", convention)], steps, show_shapes=show)


def trainable_split(rng: Picker, difficulty: int, convention: str) -> Built:
    """Trainable vs non-trainable: BatchNorm statistics, and layers frozen for transfer learning."""
    family, stack = sample(rng, difficulty, STACK_FAMILIES[difficulty])
    weighted = [i for i, layer in enumerate(stack.layers) if layer.has_weights]
    has_bn = any(isinstance(layer, BatchNormalization) for layer in stack.layers)
    # Something must be non-trainable: BatchNorm's statistics are, in Keras; in PyTorch only frozen weights are.
    stack, frozen = _freeze_first(stack, rng.choice(range(0 if has_bn and convention == "keras" else 1,
                                                          min(len(weighted), 3))))
    trainable, non_trainable = [], []
    for i in weighted:
        mine, others = _split_steps(stack, i, convention)
        trainable += mine
        non_trainable += others
    # One sum after the other, each after its own steps: the first never shows the second's numbers.
    steps = [*trainable, total_step(stack, "trainable_params", convention),
             *non_trainable, total_step(stack, "non_trainable_params", convention)]
    targets = [Target(None, "trainable_params", convention), Target(None, "non_trainable_params", convention)]
    return Built(family, stack, targets, steps, show_shapes=difficulty < 3, extra={"frozen": frozen})


def _split_steps(stack: Stack, index: int, convention: str) -> tuple[list[Step], list[Step]]:
    """A layer's steps toward the trainable sum, and toward the non-trainable one (with PyTorch's
    buffers, which count in neither: shown where a student would wonder about them)."""
    layer, shape = stack.layers[index], stack.input_of(index)
    if isinstance(layer, BatchNormalization):
        weights = [layer.weight_step(index, shape)]
        statistics = [layer.statistics_step(index, shape)._replace(
            topic="buffers" if convention == "pytorch" else "non-trainable-params")]
    else:
        weights, statistics = param_steps(stack, index, convention), []
    if layer.trainable:
        return [s._replace(topic="trainable-params") for s in weights], statistics
    switch = "requires_grad_(False)" if convention == "pytorch" else "trainable=False"
    frozen = Step("trainable-params", index, f"none ({switch})", "0", 0)
    return [frozen], [s._replace(topic="non-trainable-params") for s in weights] + statistics


# What a reverse question asks, drawn as real models have it. Kernels: 1×1 (bottlenecks, MobileNet's pointwise
# convs), 3, 5, 7 (ResNet's stem), 9 and 11 (AlexNet's first conv) in 2D where they fit; Conv1D text models
# use widths 2 to 9, even ones too (Kim 2014: 3, 4 and 5). The sampler's 3, 5, 7 alone would make the answer
# one of three known sizes. A 1×1 kernel only on more channels than an image's: on one channel it merely
# scales the pixels.
REVERSE_KERNELS = {1: (2, 3, 4, 5, 6, 7, 8, 9), 2: (1, 3, 3, 5, 5, 5, 7, 7, 7, 9, 9, 11, 11)}
# Kernels are asked of image and of text models alike: a Conv2D's slips of solving for k mostly give a larger
# kernel (k², k·√C_in, one filter's share), a Conv1D's as often a smaller one (√k, k − 1 from a bias per input
# channel).
KERNEL_FAMILIES = {1: ("single-conv", "text-1d"), 2: ("classifier-2d", "text-1d"), 3: ("classifier-2d", "text-1d")}
# Level 1's one convolution sees more than one channel (a colour image, or embeddings): on one channel C_in
# drops out, and with it most of the slips.
LEVEL_1_KERNEL_INPUTS = tuple(shape for shape in INPUTS_2D + INPUTS_1D if shape[-1] > 1)
# Filter counts besides the powers of two, near the drawn count: LeNet's 6, DenseNet's growth rate 12,
# MobileNetV2's and EfficientNet's 24, 40, 80, 96, 112, 160, 192, 320, GoogLeNet's 48 and 192, AlexNet's 96
# and 384; in text CNNs Kim's 100 feature maps and the Keras IMDB example's 250. Asked in part of the
# questions, so that a student cannot take a power of two for granted.
OTHER_FILTERS = {8: (6, 12), 16: (12, 24), 32: (24, 40, 48), 64: (48, 80, 96), 128: (96, 112, 160, 192),
                 256: (192, 320, 384), 512: (384,)}
OTHER_FILTERS_1D = {16: (12, 24), 32: (24, 48), 64: (48, 96, 100), 128: (96, 100, 160), 256: (192, 250, 320)}
POWER_OF_TWO_FILTERS = 1  # in 4 questions: the filters the sampler drew
# Level 1's one convolution, asked for its filters: 5×5 and 7×7 kernels beside the sampler's mostly 3×3, whose
# slips of solving for F lie nearly all above the answer where a 5×5's or 7×7's lie mostly below.
LEVEL_1_KERNELS = (3, 3, 5, 7)


def _reverse(rng: Picker, difficulty: int, convention: str, field: str) -> Built:
    if field == "kernel_size":
        families, inputs = KERNEL_FAMILIES[difficulty], LEVEL_1_KERNEL_INPUTS if difficulty == 1 else ()
    else:
        families = ("single-conv",) if difficulty == 1 else ("classifier-2d", "classifier-2d", "text-1d")
        inputs = ()
    family, stack = sample(rng, difficulty, families, inputs=inputs)
    convs = [i for i in _indices(stack, Conv) if stack.layers[i].groups == 1
             and len(set(stack.layers[i].kernel_size)) == 1]
    if field == "kernel_size":  # as at level 1: on one input channel, C_in and most slips of solving for k drop out
        convs = [i for i in convs if stack.input_of(i)[-1] > 1] or convs
    i = rng.choice(convs[1:] * 2 + convs[:1])  # each later conv twice as often as the first: C_in's slips show there
    variants = _asked_variants(rng, stack.layers[i], stack.input_of(i)[-1], field)
    if field == "filters" and difficulty == 1:
        variants = [dataclasses.replace(v, kernel_size=(k,) * v.rank) for v in variants for k in LEVEL_1_KERNELS]
    stack = redraw(rng, stack, i, variants)
    layer, c, p = stack.layers[i], stack.input_of(i)[-1], stack.counts[i].total
    f, bias = layer.filters, int(layer.use_bias)
    k_sym = "·".join(["k"] * layer.rank)
    if field == "filters":
        step = Step("filters", i, f"F = P / ({k_sym}·C_in{' + 1' if bias else ''})",
                    f"{p:,} / ({times(*layer.kernel_size)}·{c}{' + 1' if bias else ''})", f)
    else:
        root = "√" if layer.rank == 2 else "∛" if layer.rank == 3 else ""
        step = Step("kernel-size", i, f"k = {root}((P/F{' − 1' if bias else ''}) / C_in)",
                    f"{root}(({p:,}/{f}{' − 1' if bias else ''}) / {c})", layer.kernel_size[0])
    # A configuration value is written, not chosen: its slips are not values such a layer has. A filter count
    # is a round number (64, 96, 250) and the slips of solving for it are quotients rounded to whole numbers
    # (191, 661), so among options the roundest was the answer 70% of the time; a kernel is small, and the
    # slips of a Conv2D mostly give 29 or 72, wider than the map it is shown on (the option with the fewest
    # digits: 41%). Every slip stays, for the feedback on a typed value.
    return Built(family, stack, [Target(i, field, convention)], [step], show_shapes=True,
                 multiple_choice=False, extra={"given_params": p})


def _asked_variants(rng: Picker, layer: Conv, channels: int, field: str) -> list[Conv]:
    """The asked convolution (on `channels` input channels) as the question may ask it: its kernel redrawn
    among REVERSE_KERNELS, or (3 times in 4) its filters among OTHER_FILTERS; `sampling.redraw` keeps those
    the stack has room for."""
    if field == "kernel_size":
        return [dataclasses.replace(layer, kernel_size=(k,) * layer.rank,
                                    dilation_rate=layer.dilation_rate if k > 1 else (1,) * layer.rank)
                for k in REVERSE_KERNELS[layer.rank] if k > 1 or channels > 3]  # a 1×1 has nothing to dilate
    others = (OTHER_FILTERS_1D if layer.rank == 1 else OTHER_FILTERS).get(layer.filters, ())
    if not others or rng.choice(range(4)) < POWER_OF_TWO_FILTERS:
        return [layer]
    return [dataclasses.replace(layer, filters=f) for f in others]


def reverse_filters(rng: Picker, difficulty: int, convention: str) -> Built:
    return _reverse(rng, difficulty, convention, "filters")


def reverse_kernel(rng: Picker, difficulty: int, convention: str) -> Built:
    return _reverse(rng, difficulty, convention, "kernel_size")


def _summary(rows: Sequence[Flow], stack: Stack, convention: str) -> list[tuple[list[int], int]]:
    """Each row as a summary table shows it: output shape and parameter count, in the convention."""
    whole = Target(None, "params", convention)
    return [(channels_first(r.output_shape) if convention == "pytorch" else list(r.output_shape),
             layer_count(r, layer, whole)) for r, layer in zip(rows, stack.layers)]


RIGHT_ROW = ("Layer {n}'s numbers are right: {shape} and {params} parameters follow from {source} with the "
             "correct formulas. Look for the first row whose own numbers do not follow from the row above it.")
CARRIED_ROW = ("Layer {n}'s numbers are computed correctly from layer {before}'s output shape as the student wrote "
               "it ({source}): they differ from the true model only because they carry an earlier mistake forward. "
               "Look further up for the row whose own numbers do not follow from the row above it.")


def _row_feedback(i: int, student: list[tuple[list[int], int]], shown: list[tuple[list[int], int]],
                  input_shape: list[int]) -> str:
    """What is true of row `i` of the student's table: right, or right from a wrong input."""
    shape, params = student[i]
    source = _shape_words(student[i - 1][0] if i else input_shape)
    if student[i] != shown[i]:
        return CARRIED_ROW.format(n=i + 1, before=i, source=source)
    where = f"layer {i}'s output shape ({source})" if i else f"the input ({source})"
    return RIGHT_ROW.format(n=i + 1, shape=_shape_words(shape), params=f"{params:,}", source=where)


def _shape_words(shape: Sequence[int]) -> str:
    """A shape as the table shows it: 30×30×64, or 57,600 for a vector."""
    return f"{shape[0]:,}" if len(shape) == 1 else shape_text(tuple(shape))


def row_choices(first: int, distractors: list[Distractor], rng: Picker, prices: Sequence[float]) -> list[Distractor]:
    """The other rows as options, the shown ones first: chosen like any numeric options (`choose_shown`),
    so that neither the row's rank (early rows are wrong most often) nor a blind strategy finds it."""
    rng.shuffle(distractors)
    found = [Candidate(d, False, True) for d in distractors]
    shown = choose_shown(first + 1, found, [], min(MC_DISTRACTORS, len(found)), rng, prices)
    rest = [c for c in found if c not in shown]
    rng.shuffle(shown)
    return [c.distractor for c in shown + rest]


def spot_the_error(rng: Picker, difficulty: int, convention: str) -> Built:
    """A worked summary table with one slip in it (as in the seed blog): find the wrong row.

    The misconception is applied at one layer only; every later row is computed correctly from
    the student's own previous row, so exactly one row is wrong on its own inputs.
    """
    family, stack = sample(rng, max(difficulty, 2), STACK_FAMILIES[max(difficulty, 2)])  # ≥ 4 steps
    by_row: dict[int, list[tuple[Misconception, list[Flow]]]] = {}
    shown = _summary(stack.flow, stack, convention)
    for m, _ in Analysis(stack, [Target(None, "params", convention)]).replays:
        for j, layer in enumerate(stack.layers):
            if not m.applies(layer):
                continue
            rows = replay(m, stack, at=j)
            if len(rows) == len(stack.layers) and _summary(rows, stack, convention)[j] != shown[j]:
                by_row.setdefault(j, []).append((m, rows))
    # Where the error sits (a row with a line of its own in PyTorch code), then which mistake it is.
    first = rng.choice(_askable(stack, sorted(by_row), convention) or sorted(by_row))
    m, rows = rng.choice(by_row[first])
    student = _summary(rows, stack, convention)
    worked = [{"layer": i, "output_shape": shape, "params": params} for i, (shape, params) in enumerate(student)]
    input_shape = channels_first(stack.input_shape) if convention == "pytorch" else list(stack.input_shape)
    rows = [Distractor(i + 1, NEAR_MISS, "Not the first error",  # every other row, each with feedback
                       _row_feedback(i, student, shown, input_shape)) for i in range(len(stack.layers)) if i != first]
    distractors = tuple(row_choices(first, rows, rng, prices_for("spot-the-error", difficulty)))
    part = Part(Target(None, "step", convention), first + 1, distractors, option_order(len(distractors), rng))
    steps = layer_shape_steps(stack, first, convention) + param_steps(stack, first, convention)
    steps.append(Step("spot-the-error", first, m.title, m.explain(convention, rank_of(stack, first)), first + 1))
    return Built(family, stack, [part.target], steps, show_shapes=False,
                 extra={"worked": worked, "misconception": m.id}, parts=(part,))


@dataclass(frozen=True)
class Kind:
    id: str
    summary: str
    build: Callable[[Picker, int, str], Built]  # (picker, difficulty, convention)
    difficulties: tuple[int, ...] = (1, 2, 3)


BUILDERS: dict[str, Callable[[Picker, int, str], Built]] = {
    "conv-params": conv_params, "layer-params": layer_params, "total-params": total_params,
    "output-shape": output_shape, "flatten-size": flatten_size, "dense-after-flatten": dense_after_flatten,
    "summary-table": summary_table, "reverse-filters": reverse_filters, "reverse-kernel": reverse_kernel,
    "memory-footprint": memory_footprint, "macs": macs, "receptive-field": receptive_field_kind,
    "spot-the-error": spot_the_error, "most-params": most_params, "trainable-split": trainable_split,
}
KINDS: dict[str, Kind] = {name: Kind(name, summary, BUILDERS[name]) for name, summary in SUMMARIES.items()}


def pick_kind(picker: Picker, kinds: Sequence[str]) -> Kind:
    """The first choice a question makes (a set balances its kinds by it, see `generate.draws`)."""
    return KINDS[picker.choice(kinds)]


def choose(picker: Picker, kinds: Sequence[str], difficulties: Sequence[int]) -> tuple[Kind, int, Built]:
    """Kind, difficulty and stack: every structural choice a question makes, from `picker` alone.

    The picker's constraints carry the counting convention: a question shown as PyTorch code is
    answered in PyTorch's (see `sampling.Constraints.convention`), shapes channels first.
    """
    kind = pick_kind(picker, kinds)
    difficulty = picker.choice([d for d in difficulties if d in kind.difficulties])
    convention = getattr(picker, "constraints", NO_CONSTRAINTS).convention
    built = kind.build(picker, difficulty, convention)
    if convention == "pytorch":
        built = dataclasses.replace(built, solution=[_channels_first(s) for s in built.solution])
    return kind, difficulty, built


def _channels_first(step: Step) -> Step:
    """A shape step as PyTorch writes the shape, (C, H, W)."""
    if not isinstance(step.result, list) or len(step.result) < 2:
        return step
    shape = channels_first(step.result)
    text = shape_text(tuple(shape)) if step.substitution == shape_text(tuple(step.result)) else step.substitution
    return step._replace(substitution=text, result=shape)


def question_key(kind: Kind, built: Built) -> tuple:
    """Two questions with the same key ask the same thing about the same stack."""
    return (kind.id, built.stack.key(), tuple((t.layer, t.quantity) for t in built.targets))


def make_question(picker: Picker, seed: int, kinds: Sequence[str], difficulties: Sequence[int],
                  qid: str = "", style: str = "table", diagram: bool = False) -> tuple[Question, tuple]:
    """One question (and its identity key), wholly determined by the picker and the options."""
    kind, difficulty, built = choose(picker, kinds, difficulties)
    return assemble(picker, seed, kind, difficulty, built, qid, style, diagram), question_key(kind, built)


def seen_in(built: Built, style: str = "table", diagram: bool = False) -> Seen:
    """What the question will show: its style, and whether every output shape is printed (a table's
    column, prose, or the drawing; never code, nor where an asked filter count could be read back)."""
    asks_config = any(t.quantity in REVERSE_RANGE for t in built.targets)
    return Seen(style, built.show_shapes and not asks_config and (style in ("table", "prose") or diagram))


def assemble(picker: Picker, seed: int, kind: Kind, difficulty: int, built: Built, qid: str = "",
             style: str = "table", diagram: bool = False) -> Question:
    """Answers, distractors and option order for a chosen stack and targets, shown in `style`."""
    parts = built.parts
    if not parts:
        seen = seen_in(built, style, diagram)
        analysis = Analysis(built.stack, built.targets, seen, prices_for(kind.id, difficulty, seen.code, seen.style),
                            DIGIT_PRICES.get(kind.id, 0.0))
        parts = tuple(analysis.part(t, picker, built.multiple_choice) for t in built.targets)
    return Question(qid, kind.id, difficulty, seed, built.family, built.stack, parts, tuple(built.solution),
                    built.show_shapes, built.multiple_choice, built.extra)
