"""Every answer quizgen prints must equal what PyTorch measures (tests/torch_reference.py).

Sampled stacks from every family and difficulty, every question kind's answers, and random
single layers of every registered kind (including which configurations are invalid).
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.engine.generate import Options, generate
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.engine.layers import LAYER_KINDS
from quizgen.engine.sampling import FAMILIES, sample
from quizgen.engine.stack import Stack
from quizgen.errors import LayerError

torch_reference = pytest.importorskip("torch_reference")


def check_against_torch(stack: Stack) -> list:
    ref = torch_reference.reference(stack.to_json())
    assert [r.output_shape for r in ref] == list(stack.shapes[1:]), stack.to_json()
    assert [(r.trainable, r.non_trainable) for r in ref] == \
        [(p.trainable, p.non_trainable) for p in stack.counts], stack.to_json()
    return ref


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_and_difficulty_matches_torch(family: str) -> None:
    rng = random.Random(family)
    checked = 0
    for difficulty in FAMILIES[family].difficulties:
        for flatten in ((True, False, None) if FAMILIES[family].can_flatten else (False, None)):
            for _ in range(60):
                _, stack = sample(rng, difficulty, (family,), flatten)
                check_against_torch(stack)
                checked += 1
    assert checked >= 120


def test_question_answers_match_torch_for_thousands_of_questions() -> None:
    questions = generate(2026, 1500, Options(CORE_KINDS, (1, 2, 3)))  # the others: test_harder_kinds.py
    for q in questions:
        ref = check_against_torch(q.stack)
        for part in q.parts:
            t = part.target
            rows = ref if t.layer is None else [ref[t.layer]]
            measured = {
                "params": sum(r.trainable + r.non_trainable for r in rows),
                "trainable_params": sum(r.trainable for r in rows),
                "non_trainable_params": sum(r.non_trainable for r in rows),
                "output_shape": list(rows[-1].output_shape),
                "output_size": math.prod(rows[-1].output_shape),
            }[t.quantity]
            assert part.answer == measured, (q.kind, q.seed, t)


def test_pytorch_convention_differs_only_by_batchnorm_buffers() -> None:
    """Keras total = PyTorch parameter count + 2·C per BatchNorm layer (misconceptions.md #19)."""
    for q in generate(5, 300, Options(("total-params",), (3,))):
        bn_buffers = sum(layer.count(q.stack.input_of(i)).non_trainable for i, layer in enumerate(q.stack.layers)
                         if layer.class_name == "BatchNormalization")  # frozen weights are parameters in both
        assert torch_reference.torch_param_count(q.stack.to_json()) == q.stack.totals().total - bn_buffers


# --- random single layers of every kind, valid or not -------------------------------------------

def _config(draw, class_name: str, rank: int) -> dict:
    ints = lambda lo, hi: draw(st.lists(st.integers(lo, hi), min_size=rank, max_size=rank))  # noqa: E731
    padding = draw(st.sampled_from(["valid", "same"]))
    stride = ints(1, 3)
    dilation = [1] * rank if max(stride, default=1) > 1 else ints(1, 2)
    both = ints(1, 2)  # depthwise and separable convolutions take strides and dilation together
    if class_name.startswith("Conv") and class_name.endswith("Transpose"):
        return {"filters": draw(st.integers(1, 12)), "kernel_size": ints(1, 5), "strides": stride,
                "padding": padding, "output_padding": draw(st.one_of(st.none(), st.just([s - 1 for s in stride]))),
                "dilation_rate": dilation, "use_bias": draw(st.booleans())}
    if class_name.startswith("Conv"):
        return {"filters": draw(st.sampled_from([1, 2, 4, 6, 8])), "kernel_size": ints(1, 5), "strides": stride,
                "padding": padding, "dilation_rate": dilation, "groups": draw(st.sampled_from([1, 2, 3])),
                "use_bias": draw(st.booleans())}
    if class_name.startswith("Depthwise"):
        return {"kernel_size": ints(1, 5), "strides": stride, "padding": padding,
                "depth_multiplier": draw(st.integers(1, 3)), "dilation_rate": both, "use_bias": draw(st.booleans())}
    if class_name.startswith("Separable"):
        return {"filters": draw(st.integers(1, 8)), "kernel_size": ints(1, 5), "strides": stride, "padding": padding,
                "depth_multiplier": draw(st.integers(1, 3)), "dilation_rate": both, "use_bias": draw(st.booleans())}
    if "Global" in class_name:
        return {"keepdims": draw(st.booleans())}
    if "Pooling" in class_name:
        return {"pool_size": ints(1, 4), "strides": ints(1, 3), "padding": padding}
    if class_name.startswith("ZeroPadding"):
        pairs = [ints(0, 3)[:1] * 2 for _ in range(rank)]
        return {"padding": pairs[0] if rank == 1 else pairs}
    return {
        "Dense": {"units": draw(st.integers(1, 20)), "use_bias": draw(st.booleans())},
        "BatchNormalization": {"axis": -1, "center": draw(st.booleans()), "scale": draw(st.booleans())},
        "Dropout": {"rate": 0.5}, "Activation": {"activation": "relu"}, "ReLU": {}, "Flatten": {},
    }[class_name]


@st.composite
def single_layer_stacks(draw) -> dict:
    class_name = draw(st.sampled_from(sorted(LAYER_KINDS)))
    rank = LAYER_KINDS[class_name].rank or draw(st.integers(0, 3))
    shape = draw(st.lists(st.integers(1, 9), min_size=rank, max_size=rank)) + [draw(st.sampled_from([1, 2, 3, 6]))]
    return {"input_shape": shape, "layers": [{"class_name": class_name, "config": _config(draw, class_name, rank)}]}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(single_layer_stacks())
def test_random_single_layers_agree_with_torch_on_validity_shape_and_params(doc: dict) -> None:
    try:
        stack = Stack.from_json(doc)
    except LayerError:
        stack = None
    if stack is None:  # quizgen refuses it: PyTorch must not be able to run it either
        with pytest.raises((torch_reference.StackError, RuntimeError, ValueError)):
            ref = torch_reference.reference(doc)
            # Keras refuses what PyTorch runs only where the output would be empty
            assert all(min(r.output_shape) > 0 for r in ref)
        return
    check_against_torch(stack)
