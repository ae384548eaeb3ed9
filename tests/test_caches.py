"""The engine's caches and precomputations (each kept for generation speed) give what computing afresh gives.

A cache is asked about inputs that differ in one key only, after it has seen the others, and checked
against hand-worked numbers: a cache keyed on too little would repeat an earlier answer.
"""

from __future__ import annotations

import random

from helpers import conv, layer, stack

from quizgen.engine.sampling import FAMILIES
from quizgen.engine.stack import Stack


def test_window_lengths_follow_every_window_setting():
    # 32×32 input, 3×3 kernel: valid (32 − 3)/1 + 1 = 30, same ceil(32/1) = 32, stride 2 floor(29/2) + 1 = 15,
    # dilation 2 (span 5) 28; then the same settings on 31×31: 29, 31, 15, 27; a 2×2 pool: 16 and 15.
    cases = [
        ((32, 32, 3), conv(8, 3), (30, 30, 8)),
        ((32, 32, 3), conv(8, 3, padding="same"), (32, 32, 8)),
        ((32, 32, 3), conv(8, 3, strides=[2, 2]), (15, 15, 8)),
        ((32, 32, 3), conv(8, 3, dilation_rate=[2, 2]), (28, 28, 8)),
        ((31, 31, 3), conv(8, 3), (29, 29, 8)),
        ((31, 31, 3), conv(8, 3, padding="same"), (31, 31, 8)),
        ((31, 31, 3), conv(8, 3, strides=[2, 2]), (15, 15, 8)),
        ((31, 31, 3), conv(8, 3, dilation_rate=[2, 2]), (27, 27, 8)),
        ((32, 32, 3), layer("MaxPooling2D", pool_size=[2, 2]), (16, 16, 3)),
        ((31, 31, 3), layer("MaxPooling2D", pool_size=[2, 2]), (15, 15, 3)),
        ((31, 31, 3), layer("MaxPooling2D", pool_size=[2, 2], padding="same"), (16, 16, 3)),
    ]
    for _ in range(2):  # the second round reads every value back from the cache
        for shape, spec, out in cases:
            assert stack(list(shape), spec).shapes[-1] == out, (shape, spec)


def test_a_built_stack_holds_the_shapes_a_fresh_check_finds():
    """A sampler's Builder hands its propagated shapes to the Stack, which then skips its own check."""
    for name, family in FAMILIES.items():
        for seed in range(40):
            rng = random.Random(seed)
            difficulty = rng.choice(family.difficulties)
            inputs = family.inputs(difficulty)
            built = family.build(rng, difficulty, family.can_flatten and seed % 2 == 0, inputs[seed % len(inputs)])
            fresh = Stack(built.input_shape, built.layers)
            assert (built.shapes, built.counts, built.flow) == (fresh.shapes, fresh.counts, fresh.flow), (name, seed)


def test_window_lengths_take_a_list_shape():
    """The cache needs hashable keys; a caller may still pass a shape as a list."""
    pool = stack([8, 8, 4], layer("MaxPooling2D", pool_size=[2, 2])).layers[0]
    assert pool.output_shape(0, [8, 8, 4]) == (4, 4, 4)
