"""Stacks shown as code. Every PyTorch snippet is executed: its parameter count (PyTorch's
convention: BatchNorm's running statistics are buffers) and its shapes, after every layer, must be
the stack's, and with the same weights it computes what Keras's layers compute (the oracle in
torch_reference.py implements Keras's padding rules). Keras snippets compile, rebuild exactly the
stack when real Keras (torch backend) runs them and serializes the model, and write no argument at
its default.

Golden files: QUIZGEN_UPDATE_GOLDEN=1 rewrites them; review the diff by eye.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import json
import os
import random
import re
from pathlib import Path
from typing import Any

import keras
import pytest
import torch
from helpers import conv, layer, stack

from quizgen.engine.frameworks import (
    LINE_WIDTH,
    listing,
    pytorch_problem,
    pytorch_supported,
)
from quizgen.engine.layers import (
    LAYER_KINDS,
    Activation,
    ConvTranspose,
    Flatten,
    Layer,
    ReLU,
)
from quizgen.engine.sampling import FAMILIES, sample
from quizgen.engine.stack import Stack
from quizgen.errors import QuizgenError
from quizgen.render.code import render_code

GOLDEN = Path(__file__).parent / "golden" / "code"
PER_CASE = 25  # sampled stacks per family, difficulty and head


def run_pytorch(text: str) -> dict[str, Any]:
    """Execute a snippet as a learner would (its prints go nowhere) and return its namespace."""
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(text, "<pytorch snippet>", "exec"), namespace)
    return namespace


def channels_last(t: torch.Tensor) -> tuple[int, ...]:
    shape = tuple(t.shape[1:])
    return shape[1:] + shape[:1] if len(shape) > 1 else shape


def pytorch_count(s: Stack) -> int:
    """quizgen's PyTorch convention: every weight, frozen or not; BatchNorm's gamma and beta only."""
    return sum(lay.count(s.input_of(i)).trainable for i, lay in enumerate(s.layers))


def check_pytorch(s: Stack) -> None:
    code = render_code(s, "pytorch")
    namespace = run_pytorch(code.text)
    model, x = namespace["model"], namespace["x"]
    assert sum(p.numel() for p in model.parameters()) == pytorch_count(s), code.text
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == s.totals().trainable, code.text
    calls = listing(s, "pytorch").calls
    assert len(model) == len(calls)
    per_layer = [0] * len(s.layers)
    y = x
    with torch.no_grad():
        for module, call in zip(model, calls):
            y = module(y)
            per_layer[call.layer] += sum(p.numel() for p in module.parameters())
            if call.completes:
                assert channels_last(y) == s.output_of(call.layer), (call, code.text)
    assert channels_last(y) == s.shapes[-1], code.text
    assert per_layer == [lay.count(s.input_of(i)).trainable for i, lay in enumerate(s.layers)], code.text


def sampled() -> list[tuple[str, Stack]]:
    rng = random.Random(2026)
    stacks = []
    for name, family in sorted(FAMILIES.items()):
        for difficulty in family.difficulties:
            for flatten in ((True, False) if family.can_flatten else (False,)):
                case = f"{name}/{difficulty}/{'flatten' if flatten else 'no-flatten'}"
                stacks += [(case, sample(rng, difficulty, (name,), flatten)[1]) for _ in range(PER_CASE)]
    return stacks


SAMPLED = sampled()


def test_every_supported_sampled_stack_runs_in_pytorch_with_the_stacks_counts_and_shapes() -> None:
    supported: dict[str, int] = {}
    for case, s in SAMPLED:
        if pytorch_supported(s):
            check_pytorch(s)
            supported[case] = supported.get(case, 0) + 1
    # PyTorch-style questions stay possible everywhere. Difficulty-3 2D classifiers lose the most:
    # their BatchNorm sometimes has beta without gamma, which PyTorch cannot write.
    cases = {case for case, _ in SAMPLED}
    assert all(supported.get(case, 0) >= PER_CASE * 0.2 for case in cases), supported
    assert sum(supported.values()) >= 0.8 * len(SAMPLED), supported


# --- hand-written stacks: every layer class and padding case -----------------------------------

def same(filters: int, k: int, s: int, rank: int = 2, **extra: Any) -> dict[str, Any]:
    return conv(filters, k, rank, strides=[s] * rank, padding="same", **extra)


def transpose(filters: int, k: int, s: int, padding: str, output_padding: list[int] | None = None,
              rank: int = 2, **extra: Any) -> dict[str, Any]:
    return layer(f"Conv{rank}DTranspose", filters=filters, kernel_size=[k] * rank, strides=[s] * rank,
                 padding=padding, output_padding=output_padding, **extra)


def pool(kind: str, p: int, s: int | None = None, padding: str = "valid", rank: int = 2) -> dict[str, Any]:
    return layer(f"{kind}Pooling{rank}D", pool_size=[p] * rank, strides=[s or p] * rank, padding=padding)


HEAD = (layer("Flatten"), layer("Dense", units=10))

SUPPORTED = {
    "seeds-classifier": stack([28, 28, 1], conv(32, 3), pool("Max", 2), conv(64, 3), pool("Max", 2),
                              layer("Flatten"), layer("Dense", units=64), layer("Dropout", rate=0.5),
                              layer("Dense", units=10)),
    "folded-zero-padding": stack([32, 32, 3], layer("ZeroPadding2D", padding=[[2, 2], [1, 1]]), conv(8, 5),
                                 layer("ZeroPadding2D", padding=[[1, 1], [1, 1]]),
                                 layer("DepthwiseConv2D", kernel_size=[3, 3]),
                                 layer("ZeroPadding2D", padding=[[1, 1], [1, 1]]),
                                 layer("SeparableConv2D", filters=16, kernel_size=[3, 3], depth_multiplier=2), *HEAD),
    "unfolded-zero-padding": stack([31, 31, 3], layer("ZeroPadding2D", padding=[[0, 1], [1, 0]]), conv(8, 3),
                                   layer("ZeroPadding2D", padding=[[1, 1], [1, 1]]), pool("Max", 2),
                                   layer("ZeroPadding2D", padding=[[1, 1], [1, 1]]), same(8, 3, 1), *HEAD),
    "conv-options": stack([33, 30, 4], same(8, 3, 2), same(8, 4, 1), same(8, 3, 1, dilation_rate=[2, 2]),
                          conv(8, 3, dilation_rate=[2, 1]), conv(16, [1, 3], groups=4, use_bias=False),
                          conv(16, [3, 1], strides=[2, 1]), same(16, 5, 3), *HEAD),
    "depthwise-separable": stack([64, 64, 3], same(16, 3, 2, use_bias=False),
                                 layer("DepthwiseConv2D", kernel_size=[3, 3], strides=[2, 2], padding="same",
                                       depth_multiplier=2),
                                 layer("SeparableConv2D", filters=32, kernel_size=[3, 3], strides=[2, 2],
                                       padding="same", use_bias=False),
                                 layer("SeparableConv2D", filters=32, kernel_size=[3, 3], dilation_rate=[2, 2]),
                                 layer("GlobalAveragePooling2D"), layer("Dense", units=5)),
    "transposed-same": stack([5, 5, 4], transpose(8, 3, 2, "same"), transpose(8, 4, 2, "same"),
                             transpose(4, 5, 3, "same")),
    "transposed-valid": stack([5, 5, 4], transpose(8, 2, 2, "valid"), transpose(8, 3, 2, "valid"),
                              transpose(4, 1, 2, "valid")),
    "transposed-output-padding": stack([5, 5, 4], transpose(8, 3, 2, "same", [1, 1]),
                                       transpose(8, 3, 2, "same", [0, 0]),
                                       transpose(4, 4, 2, "valid", [1, 1], use_bias=False)),
    "transposed-dilated": stack([5, 5, 4], transpose(8, 3, 1, "same", dilation_rate=[2, 2]),
                                transpose(4, 3, 1, "valid", dilation_rate=[2, 2])),
    "transposed-1d-3d": stack([9, 2], transpose(4, 3, 2, "same", rank=1), transpose(4, 5, 2, "valid", [1], rank=1),
                              layer("Flatten"), layer("Dense", units=3)),
    "transposed-3d": stack([3, 4, 4, 2], transpose(4, 3, 2, "same", rank=3), transpose(2, 2, 2, "valid", rank=3)),
    "pooling": stack([30, 30, 8], pool("Max", 3, 1, "same"), pool("Average", 3, 1, "same"), pool("Max", 2, 2, "same"),
                     pool("Max", 3, 2, "same"), pool("Average", 3, 2), pool("Max", 2, 2, "same"),
                     pool("Max", 2, 1), *HEAD),
    "global-pooling": stack([12, 12, 6], layer("GlobalMaxPooling2D", keepdims=True), layer("Flatten"),
                            layer("Dense", units=4)),
    "pooling-1d": stack([100, 16], conv(32, 7, rank=1), pool("Max", 3, 2, "same", rank=1),
                        pool("Average", 4, rank=1), layer("GlobalAveragePooling1D"), layer("Dense", units=2)),
    "text-1d-same": stack([128, 32], same(64, 5, 2, rank=1), layer("ZeroPadding1D", padding=[2, 1]),
                          conv(64, 3, rank=1), layer("SeparableConv1D", filters=32, kernel_size=[3], padding="same"),
                          layer("DepthwiseConv1D", kernel_size=[3], depth_multiplier=2),
                          layer("BatchNormalization"), layer("GlobalMaxPooling1D"), layer("Dense", units=2)),
    "video-3d": stack([8, 32, 32, 3], layer("ZeroPadding3D", padding=[[1, 1], [1, 1], [1, 1]]),
                      conv(8, [3, 3, 3]), same(8, 3, 2, rank=3), conv(16, [1, 3, 3], padding="same"),
                      layer("BatchNormalization"), pool("Max", 2, rank=3), pool("Max", 2, 1, "same", rank=3),
                      pool("Average", 2, rank=3), layer("GlobalAveragePooling3D", keepdims=True), layer("Flatten"),
                      layer("Dense", units=2)),
    "global-max-3d": stack([4, 6, 6, 2], layer("GlobalMaxPooling3D"), layer("Dense", units=3)),
    "batch-norm": stack([16, 16, 3], conv(8, 3), layer("BatchNormalization", center=False, scale=False),
                        layer("Flatten"), layer("Dense", units=32), layer("BatchNormalization"),
                        layer("Dense", units=10)),
    "activations": stack([8, 8, 4], *(layer("Activation", activation=a) for a in (
        "linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "elu", "selu", "gelu", "silu", "swish",
        "hard_silu", "hard_swish", "mish", "softplus", "softsign", "leaky_relu", "softmax", "log_softmax")),
        layer("ReLU"), layer("ReLU", max_value=6.0), layer("ReLU", max_value=3.0), layer("ReLU", negative_slope=0.1),
        *HEAD),
    "dense-only": stack([784], layer("Dense", units=128), layer("ReLU"), layer("Dropout", rate=0.2),
                        layer("Dense", units=10, use_bias=False), layer("Activation", activation="softmax")),
    "frozen": stack([32, 32, 3], conv(16, 3, trainable=False), layer("BatchNormalization", trainable=False),
                    layer("SeparableConv2D", filters=8, kernel_size=[3, 3], trainable=False),
                    transpose(4, 3, 2, "same", trainable=False), layer("Flatten"),
                    layer("Dense", units=10, trainable=False)),
}

UNSUPPORTED = {
    "dense on a sequence": (stack([50, 16], conv(8, 3, rank=1), layer("Dense", units=4)), "Dense"),
    "batch norm without gamma": (stack([8, 8, 3], conv(4, 3), layer("BatchNormalization", scale=False)),
                                 "center=True and scale=False"),
    "uneven same average pooling": (stack([9, 9, 3], pool("Average", 2, 2, "same")), "pads unevenly"),
    "odd crop at stride 1": (stack([8, 8, 3], transpose(4, 2, 1, "same")), "crop"),
    "exponential activation": (stack([10], layer("Activation", activation="exponential")), "exponential"),
    "relu with a threshold": (stack([10], layer("ReLU", threshold=0.5)), "threshold"),
}


@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_hand_written_stacks_run_in_pytorch(name: str) -> None:
    assert pytorch_problem(SUPPORTED[name]) is None
    check_pytorch(SUPPORTED[name])


def test_hand_written_stacks_cover_every_layer_class_with_a_pytorch_form() -> None:
    covered = {lay.class_name for s in SUPPORTED.values() for lay in s.layers}
    assert covered == set(LAYER_KINDS)


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_stacks_without_a_faithful_pytorch_form_are_refused_with_the_reason(name: str) -> None:
    s, reason = UNSUPPORTED[name]
    assert not pytorch_supported(s)
    problem = pytorch_problem(s)
    assert problem is not None and reason in problem and problem.startswith(f"layer {len(s.layers)} (")
    with pytest.raises(QuizgenError, match="cannot be shown as PyTorch code: layer"):
        render_code(s, "pytorch")
    assert render_code(s, "keras").text  # Keras can always show it


def test_pytorch_padding_is_explicit_and_folded_where_the_stack_pads_before_a_convolution() -> None:
    text = render_code(SUPPORTED["folded-zero-padding"], "pytorch").text
    assert "nn.Conv2d(in_channels=3, out_channels=8, kernel_size=5, padding=(2, 1))" in text
    assert "ZeroPad" not in text
    text = render_code(SUPPORTED["unfolded-zero-padding"], "pytorch").text
    assert "nn.ZeroPad2d(padding=(1, 0, 0, 1))" in text  # asymmetric: (left, right, top, bottom)
    assert "nn.ZeroPad2d(padding=1)" in text  # before a pooling layer
    # before a "same" convolution: its zeros and Keras's are even together, one padding= (issue 10)
    assert "nn.Conv2d(in_channels=8, out_channels=8, kernel_size=3, padding=2)" in text
    assert text.count("ZeroPad") == 2
    text = render_code(SUPPORTED["conv-options"], "pytorch").text
    assert "nn.ZeroPad2d(padding=(0, 1, 1, 1)),  # uneven" in text  # 33×30, 3×3, stride 2, same
    assert "nn.Linear(in_features=" in text


def test_pytorch_flatten_says_its_order_differs() -> None:
    text = render_code(SUPPORTED["seeds-classifier"], "pytorch").text
    assert re.search(r"nn\.Flatten\(\),  # channels-first order", text)
    assert "nn.Linear(in_features=1600, out_features=64)" in text
    assert "# channels-first" not in render_code(SUPPORTED["global-pooling"], "pytorch").text  # 1×1×6: same order


# --- PyTorch values, with the oracle's Keras semantics --------------------------------------------

def oracle_models_values(lay: Layer) -> bool:
    """torch_reference models the shape, not the values, of ReLU's options and leaky_relu's slope."""
    if isinstance(lay, ReLU):
        return lay.max_value is None and lay.negative_slope == 0 and lay.threshold == 0
    return not (isinstance(lay, Activation) and lay.activation == "leaky_relu")


def test_pytorch_snippets_compute_what_keras_layers_compute() -> None:
    """Same weights, same outputs, up to the first Flatten (its order differs by design) or
    transposed convolution (an odd crop falls at the other end in PyTorch's usual idiom, with the
    same size and count)."""
    torch_reference = pytest.importorskip("torch_reference")
    torch.manual_seed(0)
    stacks = [s for _, s in SAMPLED if pytorch_supported(s)][::4] + list(SUPPORTED.values())
    compared = 0
    for s in stacks:
        calls = listing(s, "pytorch").calls
        modules = list(zip(run_pytorch(render_code(s, "pytorch").text)["model"], calls))
        x = torch.randn(1, *s.input_shape)
        ours, theirs = (x.movedim(-1, 1) if x.dim() > 2 else x), x
        with torch.no_grad():
            for i, lay in enumerate(s.layers):
                if isinstance(lay, Flatten | ConvTranspose):
                    break
                oracle = torch_reference.build_layer(lay.to_json(), s.input_of(i))
                mine = [m for m, c in modules if c.layer == i]
                for p_oracle, p_mine in zip(oracle.parameters(), [p for m in mine for p in m.parameters()],
                                            strict=True):
                    p_oracle.copy_(p_mine)
                for m in mine:
                    ours = m(ours)
                theirs = oracle(theirs)
                if not mine:  # a ZeroPadding folded into the next convolution
                    continue
                as_keras = ours.movedim(1, -1) if ours.dim() > 2 else ours
                if oracle_models_values(lay):
                    torch.testing.assert_close(as_keras, theirs, atol=1e-4, rtol=1e-4,
                                               msg=f"layer {i + 1} of {s.to_json()}")
                    compared += 1
                theirs = as_keras
    assert compared > 300


# --- Keras ----------------------------------------------------------------------------------------

def run_keras(text: str) -> Any:
    """Execute a Keras snippet with real Keras (torch backend) and return the model it builds.
    The snippet's closing `model.summary()` is skipped: drawing the table is a third of the time."""
    namespace: dict[str, Any] = {}
    summary, keras.Model.summary = keras.Model.summary, lambda self, *args, **kwargs: None
    try:
        exec(compile(text, "<keras snippet>", "exec"), namespace)
    finally:
        keras.Model.summary = summary
    return namespace["model"]


KERAS_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}  # Keras serializes these by the function's name


def canonical(doc: dict[str, Any]) -> dict[str, Any]:
    """A stack document with each activation under the name Keras writes it."""
    for entry in doc["layers"]:
        if entry["class_name"] == "Activation":
            name = entry["config"]["activation"]
            entry["config"]["activation"] = KERAS_ALIASES.get(name, name)
    return doc


def read_keras(model: Any) -> dict[str, Any]:
    """The stack a Keras model is, read from Keras's own serialization (`model.to_json()`)."""
    return canonical(Stack.from_json(json.loads(model.to_json())).to_json())


def keras_cases() -> list[Stack]:
    return list(SUPPORTED.values()) + [s for s, _ in UNSUPPORTED.values()] + [s for _, s in SAMPLED[::6]]


def test_keras_snippets_run_in_keras_and_rebuild_exactly_the_stack() -> None:
    for s in keras_cases():
        text = render_code(s, "keras").text
        model = run_keras(text)
        assert isinstance(model, keras.Sequential)
        assert model.count_params() == s.totals().total
        assert [tuple(lay.output.shape[1:]) for lay in model.layers] == list(s.shapes[1:])
        assert read_keras(model) == canonical(s.to_json()), text


def test_keras_snippets_write_no_argument_at_its_default() -> None:
    """Dropping any keyword argument of a layer changes the model Keras builds: each one written
    is needed. ZeroPadding's padding is the exception, always written: it is what the layer is about."""
    dropped = 0
    for s in SUPPORTED.values():
        tree = ast.parse(render_code(s, "keras").text)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and ast.unparse(node.func).startswith("keras.layers.")]
        for n, call in enumerate(calls):
            if "ZeroPadding" in ast.unparse(call.func):
                continue
            for k in range(len(call.keywords)):
                shorter = copy.deepcopy(tree)
                target = [node for node in ast.walk(shorter) if isinstance(node, ast.Call)
                          and ast.unparse(node.func).startswith("keras.layers.")][n]
                del target.keywords[k]
                try:
                    rebuilt = read_keras(run_keras(ast.unparse(shorter)))
                except (QuizgenError, ValueError, TypeError):  # not even a valid model without it
                    rebuilt = None
                assert rebuilt != canonical(s.to_json()), ast.unparse(call)
                dropped += 1
    assert dropped > 40


# --- both --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_code_lines_stay_short_and_layer_lines_point_at_each_layers_call(framework: str) -> None:
    for s in [SUPPORTED["folded-zero-padding"], SUPPORTED["conv-options"]] + [s for _, s in SAMPLED[::5]]:
        if framework == "pytorch" and not pytorch_supported(s):
            continue
        code = render_code(s, framework)
        lines = code.text.splitlines()
        assert all(len(line.split("  #")[0]) <= LINE_WIDTH for line in lines), code.text
        assert len(code.layer_lines) == len(s.layers)
        prefix = "keras.layers." if framework == "keras" else "nn."
        for numbers in code.layer_lines:
            assert numbers and all(lines[n - 1].lstrip().startswith(prefix) for n in numbers), code.text
        starts = [n for numbers in code.layer_lines for n in numbers]
        assert starts == sorted(starts)


def test_code_records_language_framework_and_text() -> None:
    code = render_code(SUPPORTED["seeds-classifier"], "keras")
    assert code.to_json() == {"language": "python", "framework": "keras", "text": code.text}
    with pytest.raises(QuizgenError, match="unknown framework 'jax'"):
        render_code(SUPPORTED["seeds-classifier"], "jax")


GOLDEN_STACK = stack([32, 32, 3], layer("ZeroPadding2D", padding=[[1, 1], [1, 1]]), conv(32, 3),
                     layer("BatchNormalization"), layer("ReLU"), same(64, 3, 2), pool("Max", 2),
                     layer("Flatten"), layer("Dropout", rate=0.5), layer("Dense", units=10))


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_golden_code(framework: str) -> None:
    path = GOLDEN / f"small-convnet.{framework}.py"
    text = render_code(GOLDEN_STACK, framework).text
    if os.environ.get("QUIZGEN_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
