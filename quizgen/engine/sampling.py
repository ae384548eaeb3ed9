"""Random layer stacks that are valid by construction.

Every family builds its stack layer by layer, tracking the current shape and choosing only
among sizes that fit it, so no stack is ever rejected and no loop retries. All randomness comes
from the `Picker` the caller passes in (a `random.Random`, or the enumerator in `space.py`).
A new family is one function plus one line in `FAMILIES`. `redraw` swaps one layer of a finished
stack for a variant a kind asks about, choosing only among the variants that keep it valid.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from quizgen.engine.frameworks import pytorch_supported
from quizgen.engine.layers import LAYER_KINDS, Conv, Layer, Shape
from quizgen.engine.stack import Stack
from quizgen.errors import LayerError, QuizgenError

T = TypeVar("T")


class Picker(Protocol):
    def choice(self, seq: Sequence[T]) -> T: ...
    def shuffle(self, seq: list[Any]) -> None: ...


# Inputs of real course material: the seeds' 28×28×1, 32×32×3, 24×24×3, 64×64×1 and 150×150×3, and a
# few standard ones (48×48×1 faces, 96×96×3 STL-10, 128×128×3, ImageNet's 224 and AlexNet's 227).
INPUTS_SMALL = ((28, 28, 1), (32, 32, 3), (64, 64, 1), (24, 24, 3), (48, 48, 1))  # difficulty 1
INPUTS_2D = INPUTS_SMALL + ((96, 96, 3), (128, 128, 3), (150, 150, 3))
INPUTS_2D_LARGE = INPUTS_2D + ((224, 224, 3), (227, 227, 3))
INPUTS_1D = ((100, 64), (200, 50), (128, 32), (500, 100), (1000, 100), (256, 1), (1024, 1), (80, 40))
INPUTS_3D = ((16, 112, 112, 3), (8, 64, 64, 3), (16, 32, 32, 1), (10, 64, 64, 1), (12, 48, 48, 3))
FILTERS = (8, 16, 32, 64, 128)
CLASSES = (2, 5, 10, 100)
FEW_CLASSES = CLASSES[:3]  # difficulty 1
SMALL_MAP = 12  # a classifier adds conv/pool blocks until its feature map is this small, as real ones do
HIDDEN = (32, 64, 128, 256, 512)


# Layers are values, and the families draw the same few configurations again and again (a few hundred in all):
# each is made (its config checked) once. Keyed by the config's repr, which tells True from 1 and 1.0 from 1.
_MADE: dict[str, Layer] = {}


class Builder:
    """Appends layers while tracking the shape, so each choice can be made to fit."""

    def __init__(self, input_shape: Shape) -> None:
        self.input_shape = input_shape
        self.shape = input_shape
        self.layers: list[Layer] = []
        self.shapes = [input_shape]  # each layer's output shape, as `add` checked it

    @property
    def rank(self) -> int:
        return len(self.shape) - 1

    def smallest(self) -> int:
        return min(self.shape[:-1])

    def add(self, class_name: str, **config: Any) -> None:
        key = f"{class_name}{config!r}"
        layer = _MADE.get(key)
        if layer is None:
            layer = _MADE[key] = LAYER_KINDS[class_name](**config)
        self.shape = layer.output_shape(len(self.layers), self.shape)
        self.layers.append(layer)
        self.shapes.append(self.shape)

    def stack(self) -> Stack:
        return Stack(self.input_shape, tuple(self.layers), propagated=tuple(self.shapes))

    # -- layers that always fit, or are skipped when nothing fits ------------------------------

    def conv(self, rng: Picker, filters: int, kernels: Sequence[int], strides: Sequence[int] = (1,),
             paddings: Sequence[str] = ("valid",), dilations: Sequence[int] = (1,), groups: Sequence[int] = (1,),
             bias: Sequence[bool] = (True,), depth_kernels: Sequence[int] | None = None) -> None:
        """A convolution of the builder's rank; the kernel is drawn among those that fit: its span
        d·(k − 1) + 1 covers at most half the feature map (no 7×7 dilated kernel on an 8×8 map)."""
        padding = rng.choice(paddings)
        stride = rng.choice(strides)
        dilation = rng.choice(dilations) if stride == 1 else 1
        spatial = self.shape[1:-1] if depth_kernels is not None and self.rank == 3 else self.shape[:-1]  # frames apart
        room = max(min(spatial) // 2, 1)
        fits = [k for k in kernels if dilation * (k - 1) + 1 <= room]
        if not fits or (dilation > 1 and fits == [1]):  # nothing dilated fits: an undilated kernel then
            dilation = 1
            fits = [k for k in kernels if k <= room] or [1]
        k = rng.choice(fits)
        dilation = dilation if k > 1 else 1  # a 1×1 kernel has nothing to dilate
        kernel = (k,) * self.rank
        if depth_kernels is not None and self.rank == 3:  # rectangular video kernels, e.g. 1×3×3
            depth = rng.choice([d for d in depth_kernels if padding == "same" or d <= self.shape[0]] or [1])
            kernel = (depth, k, k)
        c = self.shape[-1]
        g = rng.choice([g for g in groups if c % g == 0 and filters % g == 0] or [1])
        self.add(f"Conv{self.rank}D", filters=filters, kernel_size=kernel, strides=(stride,) * self.rank,
                 padding=padding, dilation_rate=(dilation,) * self.rank, groups=g, use_bias=rng.choice(bias))

    def pool(self, rng: Picker, sizes: Sequence[int] = (2,), kinds: Sequence[str] = ("Max",),
             paddings: Sequence[str] = ("valid",), overlapping: bool = False) -> None:
        fits = [p for p in sizes if p <= self.smallest()]
        if not fits:
            return
        p = rng.choice(fits)
        s = rng.choice((p, p - 1)) if overlapping and p > 2 else p  # AlexNet's 3×3 windows, stride 2
        kind = rng.choice(kinds)
        if kind == "Average" and for_pytorch(rng):  # PyTorch's average pooling cannot leave out uneven padding
            paddings = ("valid",)
        self.add(f"{kind}Pooling{self.rank}D", pool_size=(p,) * self.rank,
                 strides=(s,) * self.rank, padding=rng.choice(paddings))

    def dense_head(self, rng: Picker, hidden: Sequence[int], dropout: bool, flatten: bool,
                   classes: Sequence[int] = CLASSES) -> None:
        if flatten:
            self.add("Flatten")
        else:
            self.add(f"Global{rng.choice(('Average', 'Max'))}Pooling{self.rank}D", keepdims=False)
        for units in hidden:
            self.add("Dense", units=units, use_bias=True)
            if dropout:
                self.add("Dropout", rate=rng.choice((0.25, 0.5)))
        self.add("Dense", units=rng.choice(classes), use_bias=True)


def _hidden(rng: Picker, difficulty: int) -> list[int]:
    return [] if difficulty == 1 else [rng.choice(HIDDEN)] if rng.choice((True, False)) else []


# --- families -------------------------------------------------------------------------------

def classifier_2d(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """The seeds' Keras convnets: conv/pool blocks → flatten → dense. Level 1 is one conv and a pool
    before a Dense output layer; from level 2 on, at least two blocks (the seeds' second conv is their
    central lesson), more while the feature map is larger than SMALL_MAP, as real classifiers do."""
    b = Builder(input_shape)
    filters = rng.choice(FILTERS[:3] if difficulty == 1 or min(input_shape[:-1]) > 64 else FILTERS[:4])
    most = {1: 1, 2: 4, 3: 6}[difficulty]
    block = 0
    while block < most and (block < min(difficulty, 2) or b.smallest() > SMALL_MAP):
        if difficulty == 3 and block == 0 and rng.choice((True, False, False)):
            pad = rng.choice((1, 2))
            b.add("ZeroPadding2D", padding=((pad, pad), (pad, pad)))
        if difficulty == 3:
            b.conv(rng, filters, (3, 5, 7), strides=(1, 1, 2), paddings=("valid", "same"),
                   dilations=(1, 1, 2), groups=(1, 1, 2, 4))
            if rng.choice((True, False)):
                scales = (True,) if for_pytorch(rng) else (True, True, False)  # PyTorch: gamma and beta go together
                b.add("BatchNormalization", axis=-1, center=True, scale=rng.choice(scales))
                if rng.choice((True, False)):
                    b.add("ReLU")
                else:
                    b.add("Activation", activation="relu")
        else:
            b.conv(rng, filters, (3, 5) if difficulty == 2 else (3,))
        b.pool(rng, (2, 3) if difficulty == 3 else (2,), ("Max", "Average") if difficulty == 3 else ("Max",),
               paddings=("valid", "same") if difficulty == 3 else ("valid",), overlapping=difficulty == 3)
        filters = min(filters * 2, 512)
        block += 1
    b.dense_head(rng, _hidden(rng, difficulty), dropout=difficulty == 3, flatten=flatten,
                 classes=FEW_CLASSES if difficulty == 1 else CLASSES)
    return b.stack()


def text_1d(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """A 1D CNN over token embeddings or audio samples."""
    b = Builder(input_shape)
    if difficulty == 3 and rng.choice((True, False, False)):
        b.add("ZeroPadding1D", padding=(rng.choice((1, 2)), rng.choice((0, 1, 2))))
    for block in range(1 if difficulty == 1 else 2):
        if difficulty == 3 and block == 1 and rng.choice((True, False, False)):
            b.add("SeparableConv1D", filters=rng.choice((32, 64, 128)), kernel_size=(3,), strides=(1,),
                  padding="same", depth_multiplier=rng.choice((1, 2)), dilation_rate=(1,), use_bias=True)
        else:
            b.conv(rng, rng.choice((16, 32, 64) if difficulty == 1 else (32, 64, 128, 256)), (3, 5, 7),
                   strides=(1, 1, 2) if difficulty == 3 else (1,),
                   paddings=("valid", "same") if difficulty == 3 else ("valid",),
                   dilations=(1, 2) if difficulty == 3 else (1,))
        b.pool(rng, (2, 3, 4, 5), ("Max", "Average") if difficulty == 3 else ("Max",), overlapping=difficulty == 3)
    if difficulty == 3 and not flatten and not for_pytorch(rng) and rng.choice((True, False)):
        b.add("Dense", units=rng.choice((16, 32, 64)), use_bias=True)  # per time step: Keras's last-axis Dense
    b.dense_head(rng, _hidden(rng, difficulty), dropout=difficulty == 3, flatten=flatten,
                 classes=FEW_CLASSES if difficulty == 1 else CLASSES)
    return b.stack()


def video_3d(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """A 3D convolution block over video clips or volumes."""
    b = Builder(input_shape)
    filters = rng.choice((8, 16, 32))
    if difficulty == 3 and rng.choice((True, False, False)):
        b.add("ZeroPadding3D", padding=((1, 1), (1, 1), (1, 1)))
    block = 0
    while block < 4 and (block < min(difficulty, 2) or min(b.shape[1:-1]) > SMALL_MAP):  # as classifier_2d
        b.conv(rng, filters, (3, 5), paddings=("valid", "same") if difficulty == 3 else ("valid",),
               depth_kernels=(1, 3) if difficulty == 3 else (3,))
        fits = [p for p in ((1, 2, 2), (2, 2, 2)) if all(n >= q for n, q in zip(b.shape, p))]
        if fits:
            p = rng.choice(fits)
            kind = rng.choice(("Max", "Average")) if difficulty == 3 else "Max"
            b.add(f"{kind}Pooling3D", pool_size=p, strides=p, padding="valid")
        filters *= 2
        block += 1
    b.dense_head(rng, _hidden(rng, difficulty), dropout=False, flatten=flatten)
    return b.stack()


def mobilenet(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """A MobileNet-style block: strided stem, depthwise + pointwise (or separable), BatchNorm."""
    b = Builder(input_shape)
    stem = rng.choice((16, 32))
    b.add("Conv2D", filters=stem, kernel_size=(3, 3), strides=(2, 2), padding="same", dilation_rate=(1, 1),
          groups=1, use_bias=False)
    b.add("BatchNormalization", axis=-1, center=True, scale=True)
    b.add("ReLU")
    dm = rng.choice((1, 1, 2))
    if rng.choice((True, False)):
        b.add("DepthwiseConv2D", kernel_size=(3, 3), strides=(rng.choice((1, 2)),) * 2, padding="same",
              depth_multiplier=dm, dilation_rate=(1, 1), use_bias=False)
        b.add("BatchNormalization", axis=-1, center=True, scale=True)
        b.add("ReLU")
        b.add("Conv2D", filters=stem * 2, kernel_size=(1, 1), strides=(1, 1), padding="valid",
              dilation_rate=(1, 1), groups=1, use_bias=False)
    else:
        b.add("SeparableConv2D", filters=stem * 2, kernel_size=(3, 3), strides=(rng.choice((1, 2)),) * 2,
              padding="same", depth_multiplier=dm, dilation_rate=(1, 1), use_bias=rng.choice((True, False)))
    b.add("BatchNormalization", axis=-1, center=True, scale=True)
    b.add("ReLU")
    b.dense_head(rng, [], dropout=False, flatten=flatten)
    return b.stack()


def encoder_decoder(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """A small convolutional autoencoder (2D images or 1D signals): strided convs down,
    transposed convs back up."""
    b = Builder(input_shape)
    rank = b.rank
    f = rng.choice((16, 32, 64))
    channels = b.shape[-1]
    ones, twos = (1,) * rank, (2,) * rank
    for filters in (f, 2 * f):
        b.add(f"Conv{rank}D", filters=filters, kernel_size=(3,) * rank, strides=twos, padding="same",
              dilation_rate=ones, groups=1, use_bias=True)
    for filters in (2 * f, f):
        k = rng.choice((2, 3, 4))
        padding = rng.choice(("same", "same", "valid"))
        output_padding = rng.choice((None, None, ones)) if padding == "same" and k % 2 else None
        b.add(f"Conv{rank}DTranspose", filters=filters, kernel_size=(k,) * rank, strides=twos, padding=padding,
              output_padding=output_padding, dilation_rate=ones, use_bias=True)
    b.add(f"Conv{rank}D", filters=channels, kernel_size=(3,) * rank, strides=ones, padding="same",
          dilation_rate=ones, groups=1, use_bias=True)
    return b.stack()


def single_layer(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """One layer on an input, with the seeds' friendly numbers: Dense on a flat input, else a conv or a pool."""
    b = Builder(input_shape)
    if b.rank == 0:
        b.add("Dense", units=rng.choice(HIDDEN + CLASSES), use_bias=True)
    elif rng.choice(("conv", "conv", "conv", "pool")) == "pool":
        b.pool(rng, (2, 3))
    else:
        b.conv(rng, rng.choice(FILTERS), (1, 3, 5, 7))
    return b.stack()


def single_conv(rng: Picker, difficulty: int, flatten: bool, input_shape: Shape) -> Stack:
    """The seeds' exercise: one Conv2D layer on an image."""
    b = Builder(input_shape)
    b.conv(rng, rng.choice(FILTERS), (1, 3, 5, 7))
    return b.stack()


def redraw(rng: Picker, stack: Stack, index: int, variants: Sequence[Layer]) -> Stack:
    """The stack with layer `index` replaced by one of `variants` (repeats weight the draw), drawn among
    those that keep it as the sampler makes stacks: valid, every convolution from there on spanning at
    most half its feature map (see `Builder.conv`), and PyTorch-faithful where the question shows
    PyTorch. Later layers keep their configuration; their shapes follow. The stack as it is when no
    variant fits."""
    fitting = [s for s in (_replaced(stack, index, layer) for layer in variants) if s is not None
               and (not for_pytorch(rng) or pytorch_supported(s))]
    return rng.choice(fitting) if fitting else stack


def _replaced(stack: Stack, index: int, layer: Layer) -> Stack | None:
    try:
        changed = Stack(stack.input_shape, (*stack.layers[:index], layer, *stack.layers[index + 1:]))
    except LayerError:
        return None
    for i in range(index, len(changed.layers)):
        conv = changed.layers[i]
        if isinstance(conv, Conv) and conv.kernel_volume() > 1:
            room = max(min(changed.input_of(i)[:-1]) // 2, 1)
            if any(d * (k - 1) + 1 > room for k, d in zip(conv.kernel_size, conv.dilation_rate)):
                return None
    return changed


@dataclass(frozen=True)
class Family:
    """A family of stacks: how to build one, from which inputs, at which levels."""

    name: str
    build: Callable[[Picker, int, bool, Shape], Stack]
    inputs: Callable[[int], tuple[Shape, ...]]  # the input shapes it starts from, by difficulty
    difficulties: tuple[int, ...]
    can_flatten: bool = True
    can_pool_globally: bool = True


FLAT_INPUTS = ((784,), (100,), (512,), (3072,), (1024,))
FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("single-conv", single_conv, lambda d: INPUTS_SMALL, (1,), can_flatten=False, can_pool_globally=False),
    Family("single-layer", single_layer, lambda d: INPUTS_SMALL * 3 + FLAT_INPUTS, (1,),  # mostly images
           can_flatten=False, can_pool_globally=False),
    Family("classifier-2d", classifier_2d, lambda d: {1: INPUTS_SMALL, 2: INPUTS_2D, 3: INPUTS_2D_LARGE}[d], (1, 2, 3)),
    Family("text-1d", text_1d, lambda d: INPUTS_1D, (1, 2, 3)),
    Family("video-3d", video_3d, lambda d: INPUTS_3D, (2, 3)),
    Family("mobilenet", mobilenet, lambda d: ((224, 224, 3), (96, 96, 3), (128, 128, 3), (32, 32, 3), (64, 64, 3)),
           (3,), can_flatten=False),  # MobileNets end in global pooling: a Flatten there would be 800k wide
    Family("encoder-decoder", encoder_decoder,  # images, or a 1D signal
           lambda d: ((28, 28, 1), (32, 32, 3), (64, 64, 1), (64, 64, 3), (128, 128, 1), (256, 1), (1024, 1), (128, 8)),
           (3,), can_flatten=False, can_pool_globally=False),
)}


@dataclass(frozen=True)
class Constraints:
    """What a teacher may pin down for a slot of an exam (None: no constraint)."""

    families: tuple[str, ...] | None = None
    inputs: tuple[Shape, ...] | None = None
    bias: bool | None = None
    # "pytorch": the question is shown as PyTorch code, so it counts in PyTorch's convention and its
    # stack is drawn among those PyTorch writes faithfully (quizgen.engine.frameworks), by construction.
    convention: str = "keras"

    def inputs_of(self, family: Family, difficulty: int) -> tuple[Shape, ...]:
        candidates = family.inputs(difficulty)
        return candidates if self.inputs is None else tuple(s for s in candidates if s in self.inputs)


NO_CONSTRAINTS = Constraints()


def for_pytorch(rng: Picker) -> bool:
    """Whether the stack being drawn must have a faithful PyTorch form (see `Constraints.convention`)."""
    return getattr(rng, "constraints", NO_CONSTRAINTS).convention == "pytorch"


class ConstrainedRandom(random.Random):
    """A seeded picker that carries a slot's constraints down to `sample`."""

    def __init__(self, seed: int, constraints: Constraints = NO_CONSTRAINTS) -> None:
        super().__init__(seed)
        self.constraints = constraints


def sample(rng: Picker, difficulty: int, families: Sequence[str], flatten: bool | None = None,
           inputs: Sequence[Shape] = ()) -> tuple[str, Stack]:
    """A random stack from one of `families` that fits `difficulty` and the picker's constraints.

    `flatten=True` asks for a Flatten → Dense head, False for no Flatten, None for either. `inputs`: the
    input shapes a kind asks for instead of the family's (those of as many axes as the family's first
    input: images for an image family, sequences for a 1D one), where the constraints allow any of them.
    Raises QuizgenError when the constraints leave no family to draw from.
    """
    limits: Constraints = getattr(rng, "constraints", NO_CONSTRAINTS)
    fits = [FAMILIES[n] for n in families if difficulty in FAMILIES[n].difficulties
            and (flatten is not True or FAMILIES[n].can_flatten)
            and (limits.families is None or n in limits.families) and limits.inputs_of(FAMILIES[n], difficulty)]
    if not fits:
        raise QuizgenError(f"no stack fits the constraints at difficulty {difficulty} "
                           f"(this kind draws from families {', '.join(dict.fromkeys(families))})")
    family = rng.choice(fits)
    use_flatten = family.can_flatten and (flatten if flatten is not None else
                                          (not family.can_pool_globally or rng.choice((True, True, False))))
    axes = len(family.inputs(difficulty)[0])
    wanted = [shape for shape in inputs if len(shape) == axes and (limits.inputs is None or shape in limits.inputs)]
    stack = family.build(rng, difficulty, use_flatten, rng.choice(wanted or limits.inputs_of(family, difficulty)))
    if limits.bias is not None:  # a bias changes no shape, so it can be set after the fact
        stack = Stack(stack.input_shape, tuple(dataclasses.replace(layer, use_bias=limits.bias)
                                               if hasattr(layer, "use_bias") else layer for layer in stack.layers))
    return family.name, stack
