"""`quizgen summary` against real Keras 3 (torch backend): random models are built in Keras,
serialized by Keras (`model.to_json()`, each layer's `get_config()`, Keras 2's forms), read by
quizgen, and every number compared with what Keras itself says: `count_params()`, the trainable
split, each layer's output shape, the names, and `model.summary()`'s table. Where Keras refuses a
model, quizgen must refuse it too, naming the layer.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import keras  # on the torch backend: tests/conftest.py sets KERAS_BACKEND before any test module loads
import pytest

from quizgen.engine.stack import Stack
from quizgen.engine.summary import summarize
from quizgen.errors import QuizgenError

L = keras.layers
MODELS = 160  # random models per test; ~3 layers each (the whole module runs in about 30 s on one core)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, input=stdin,
                          env=env)


def test_the_backend_is_torch_without_tensorflow() -> None:
    assert keras.backend.backend() == "torch"
    assert "tensorflow" not in sys.modules


# --- random models, built by Keras ------------------------------------------------------------

Spec = tuple[str, dict[str, Any]]  # a layer class name and its constructor's keyword arguments


def spatial_layer(rng: random.Random, rank: int) -> Spec:
    """A random layer for a channels-last input of `rank` spatial axes. Some draws are models Keras
    refuses (a window larger than the input, groups that do not divide, strides with dilation on a
    plain convolution): quizgen must refuse the same ones."""
    k = rng.choice([1, 2, 3, 5])
    s = rng.choice([1, 1, 2, 3])
    d = rng.choice([1, 1, 1, 2])
    pad = rng.choice(["valid", "same", "SAME"] + ["causal"] * (rank == 1))
    bias = rng.random() < 0.7
    choice = rng.choice(["conv", "conv", "transpose", "depthwise", "separable", "pool", "zeropad", "bn", "global",
                         "act", "dropout", "relu"])
    if choice in ("depthwise", "separable") and rank == 3:
        choice = "conv"
    if choice == "conv":
        groups = rng.choice([1, 1, 2])
        return f"Conv{rank}D", {"filters": rng.randint(1, 4) * groups, "kernel_size": k, "strides": s,
                                "padding": pad, "dilation_rate": d, "groups": groups, "use_bias": bias,
                                "activation": rng.choice([None, "relu", "gelu"])}
    if choice == "transpose":
        op = rng.choice([None, 0]) if s == 1 else rng.choice([None, s - 1])
        return f"Conv{rank}DTranspose", {"filters": rng.randint(1, 4), "kernel_size": k, "strides": s,
                                         "padding": rng.choice(["valid", "same"]), "output_padding": op,
                                         "use_bias": bias}
    if choice in ("depthwise", "separable"):
        extra = {"filters": rng.randint(1, 4)} if choice == "separable" else {}
        return f"{choice.title()}Conv{rank}D", {**extra, "kernel_size": k, "strides": s,
                                                "padding": rng.choice(["valid", "same"]),
                                                "depth_multiplier": rng.randint(1, 2), "dilation_rate": d,
                                                "use_bias": bias}
    if choice == "pool":
        return f"{rng.choice(['Max', 'Average'])}Pooling{rank}D", {
            "pool_size": rng.choice([2, 3]), "strides": rng.choice([None, 1, 2]),
            "padding": rng.choice(["valid", "same"])}
    if choice == "zeropad":
        form = rng.choice(["int", "per-axis", "pairs"])
        if form == "int":
            padding: Any = rng.randint(0, 2)
        elif form == "per-axis":
            padding = [rng.randint(0, 2) for _ in range(rank if rank > 1 else 2)]
        else:
            padding = [[rng.randint(0, 2), rng.randint(0, 2)] for _ in range(rank)]
            padding = padding[0] if rank == 1 else padding
        return f"ZeroPadding{rank}D", {"padding": padding}
    if choice == "bn":
        return "BatchNormalization", {"center": rng.random() < 0.8, "scale": rng.random() < 0.8}
    if choice == "global":
        return f"Global{rng.choice(['Max', 'Average'])}Pooling{rank}D", {"keepdims": rng.random() < 0.3}
    if choice == "act":
        return "Activation", {"activation": rng.choice(["relu", "tanh", "softmax", "linear"])}
    if choice == "dropout":
        return "Dropout", {"rate": rng.choice([0.0, 0.25, 0.5, 1.0])}
    return "ReLU", {"max_value": rng.choice([None, 6.0]), "negative_slope": rng.choice([0.0, 0.1])}


def random_layers(rng: random.Random) -> tuple[tuple[int, ...], list[Spec]]:
    rank = rng.choice([0, 1, 2, 2, 3])
    shape = tuple(rng.randint(3, 12) for _ in range(rank)) + (rng.choice([1, 2, 3, 4]),)
    layers: list[Spec] = []
    spatial = rank > 0
    for _ in range(rng.randint(1, 4)):
        if spatial and rng.random() < 0.8:
            layers.append(spatial_layer(rng, rank))
            continue
        if spatial:
            layers.append(("Flatten", {}))
            spatial = False
        layers.append(rng.choice([("Dense", {"units": rng.randint(1, 6), "use_bias": rng.random() < 0.7}),
                                  ("Flatten", {}), ("Dropout", {"rate": 0.5}), ("BatchNormalization", {})]))
    if rng.random() < 0.2:
        name, kwargs = layers.pop(n := rng.randrange(len(layers)))
        layers.insert(n, (name, {**kwargs, "trainable": False}))
    return shape, layers


def keras_model(shape: tuple[int, ...], layers: list[Spec]) -> keras.Sequential | Exception:
    """The model Keras builds, or the error it refuses the model with."""
    try:
        model = keras.Sequential([keras.Input(shape), *(getattr(L, name)(**kwargs) for name, kwargs in layers)])
        for layer in model.layers:
            if any(n is not None and n <= 0 for n in layer.output.shape):
                raise ValueError(f"{layer.name}: empty output {layer.output.shape}")
        return model
    except Exception as error:  # Keras's refusals are ValueError, TypeError, RuntimeError...
        return error


def cases(seed: int, count: int = MODELS) -> list[tuple[int, tuple[int, ...], list[Spec], Any]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        shape, layers = random_layers(rng)
        out.append((n, shape, layers, keras_model(shape, layers)))
    return out


def keras_numbers(model: keras.Sequential) -> dict[str, Any]:
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return {"total": model.count_params(), "trainable": trainable, "non_trainable": model.count_params() - trainable,
            "shapes": [list(layer.output.shape[1:]) for layer in model.layers],
            "params": [layer.count_params() for layer in model.layers],
            "names": [layer.name for layer in model.layers]}


def quizgen_numbers(stack: Stack) -> dict[str, Any]:
    summary = summarize(stack)
    return {"total": summary.total, "trainable": summary.trainable, "non_trainable": summary.non_trainable,
            "shapes": [list(r.output_shape) for r in summary.rows], "params": [r.params for r in summary.rows],
            "names": [r.name for r in summary.rows]}


def test_random_keras_models_read_from_to_json_match_keras() -> None:
    """Over random models: Keras builds it ⇔ quizgen reads it, and then every number is Keras's."""
    built = refused = 0
    for n, shape, layers, model in cases(seed=12):
        if isinstance(model, Exception):
            refused += 1
            doc = {"input_shape": list(shape), "layers": [{"class_name": c, "config": kw} for c, kw in layers]}
            with pytest.raises(QuizgenError, match=r"layer \d+ \("):
                Stack.from_json(doc)
            continue
        built += 1
        stack = Stack.from_json(json.loads(model.to_json()))
        assert quizgen_numbers(stack) == keras_numbers(model), (n, model.to_json())
    assert built > MODELS // 2 and refused > 10, (built, refused)


def test_random_keras_layer_configs_match_keras() -> None:
    """The same, read from a list of each layer's `get_config()`, as a student copies them."""
    for n, shape, _layers, model in cases(seed=13, count=MODELS // 2):
        if isinstance(model, Exception):
            continue
        doc = {"input_shape": list(shape),
               "layers": [{"class_name": type(la).__name__, "config": la.get_config()} for la in model.layers]}
        assert quizgen_numbers(Stack.from_json(doc)) == keras_numbers(model), n


def keras2_form(model: keras.Sequential) -> dict[str, Any]:
    """The model as Keras 2 wrote it: no InputLayer, the first layer carrying batch_input_shape,
    dtype a plain string, no module/registered_name/build_config, BatchNormalization's axis a list."""
    layers = []
    for i, la in enumerate(model.layers):
        config = la.get_config()
        config["dtype"] = "float32"
        config.pop("quantization_config", None)
        if i == 0:
            config["batch_input_shape"] = [None, *model.input_shape[1:]]
        if "axis" in config and isinstance(config["axis"], int):
            config["axis"] = [len(model.layers[i].input.shape) - 1]
        layers.append({"class_name": type(la).__name__, "config": config})
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers},
            "keras_version": "2.15.0", "backend": "tensorflow"}


def test_keras_2_serializations_are_read() -> None:
    checked = 0
    for n, _shape, _layers, model in cases(seed=14, count=MODELS // 2):
        if isinstance(model, Exception):
            continue
        assert quizgen_numbers(Stack.from_json(keras2_form(model))) == keras_numbers(model), n
        checked += 1
    assert checked > 20


# --- what the issue found refused, one by one ---------------------------------------------------

def model_of(shape: tuple[int, ...], *layers: keras.layers.Layer) -> keras.Sequential:
    return keras.Sequential([keras.Input(shape), *layers])


WRITTEN_BY_KERAS = {
    "dense-get-config (quantization_config)": ((8,), [L.Dense(3)]),
    "batchnorm-get-config (renorm keys)": ((4, 4, 3), [L.BatchNormalization()]),
    "flatten-on-flat-input": ((10,), [L.Flatten(), L.Dense(2)]),
    "dropout-rate-1": ((10,), [L.Dropout(1.0), L.Dense(2)]),
    "conv1d-causal": ((10, 3), [L.Conv1D(2, 3, strides=2, padding="causal"),
                                L.Conv1D(2, 3, dilation_rate=2, padding="causal")]),
    "depthwise-stride-and-dilation": ((11, 11, 3), [L.DepthwiseConv2D(3, strides=2, dilation_rate=2)]),
    "separable-stride-and-dilation": ((11, 3), [L.SeparableConv1D(4, 3, strides=2, dilation_rate=2)]),
    "zeropadding-int (AlexNet)": ((224, 224, 3), [L.ZeroPadding2D(padding=2), L.Conv2D(8, 11, strides=4)]),
    "zeropadding-per-axis": ((10, 10, 3), [L.ZeroPadding2D([1, 2])]),
    "zeropadding-mixed": ((10, 10, 3), [L.ZeroPadding2D([[1, 2], 3])]),
    "pooling-without-strides": ((10, 10, 3), [L.MaxPooling2D(3), L.AveragePooling2D(2, strides=None)]),
    "padding-SAME": ((10, 10, 3), [L.Conv2D(2, 3, strides=2, padding="SAME")]),
    "layer-names": ((8, 8, 1), [L.Conv2D(2, 3, name="my_conv"), L.Flatten(name="flat"), L.Dense(2, name="head")]),
    "frozen-layer": ((6,), [L.Dense(4, trainable=False), L.Dense(2)]),
}


@pytest.mark.parametrize("case", WRITTEN_BY_KERAS)
def test_what_keras_writes_is_read(case: str) -> None:
    shape, layers = WRITTEN_BY_KERAS[case]
    model = model_of(shape, *layers)
    want = keras_numbers(model)
    assert quizgen_numbers(Stack.from_json(json.loads(model.to_json()))) == want  # a whole model.to_json()
    doc = {"input_shape": list(shape),
           "layers": [{"class_name": type(la).__name__, "config": la.get_config()} for la in model.layers]}
    assert quizgen_numbers(Stack.from_json(doc)) == want  # get_config() of each layer
    listed = json.loads(model.to_json())["config"]["layers"]
    assert listed[0]["class_name"] == "InputLayer"
    assert quizgen_numbers(Stack.from_json(listed)) == want


def test_keras_2_input_shape_on_the_first_layer() -> None:
    model = model_of((28, 28, 1), L.Conv2D(4, 3), L.Flatten(), L.Dense(10))
    configs = [{"class_name": type(la).__name__, "config": la.get_config()} for la in model.layers]
    configs[0]["config"]["input_shape"] = [28, 28, 1]
    assert quizgen_numbers(Stack.from_json({"layers": configs})) == keras_numbers(model)
    del configs[0]["config"]["input_shape"]
    configs[0]["config"]["batch_input_shape"] = [None, 28, 28, 1]
    assert quizgen_numbers(Stack.from_json({"layers": configs})) == keras_numbers(model)


REFUSED_BY_KERAS = {
    "unknown activation": (lambda: L.Activation("bogus"), "Activation", {"activation": "bogus"}, "activation"),
    "unknown activation on a conv": (lambda: L.Conv2D(2, 3, activation="bogus"), "Conv2D",
                                     {"filters": 2, "kernel_size": 3, "activation": "bogus"}, "activation"),
    "negative relu max_value": (lambda: L.ReLU(max_value=-1.0), "ReLU", {"max_value": -1.0}, "max_value"),
    "negative relu slope": (lambda: L.ReLU(negative_slope=-0.5), "ReLU", {"negative_slope": -0.5}, "negative_slope"),
    "negative relu threshold": (lambda: L.ReLU(threshold=-1.0), "ReLU", {"threshold": -1.0}, "threshold"),
    "dropout without rate": (lambda: L.Dropout(), "Dropout", {}, "rate"),
    "dropout rate over 1": (lambda: L.Dropout(1.5), "Dropout", {"rate": 1.5}, "rate"),
    "conv strides with dilation": (lambda: model_of((9, 9, 1), L.Conv2D(2, 3, strides=2, dilation_rate=2)),
                                   "Conv2D", {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
                                   "strides"),
    "causal padding on a 2D conv": (lambda: L.Conv2D(2, 3, padding="causal"), "Conv2D",
                                    {"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    "trainable not a boolean": (lambda: L.Dense(2, trainable=0), "Dense", {"units": 2, "trainable": 0}, "trainable"),
    "units not whole": (lambda: model_of((4,), L.Dense(2.0)), "Dense", {"units": 2.0}, "units"),
}


@pytest.mark.parametrize("case", REFUSED_BY_KERAS)
def test_what_keras_refuses_is_refused_naming_the_layer(case: str) -> None:
    make, class_name, config, key = REFUSED_BY_KERAS[case]
    with pytest.raises((ValueError, TypeError)):
        make()
    with pytest.raises(QuizgenError) as caught:
        Stack.from_json({"input_shape": [9, 9, 1] if "Conv" in class_name else [4],
                         "layers": [{"class_name": class_name, "config": config}]})
    assert f"layer 1 ({class_name})" in str(caught.value) and key in str(caught.value)


def test_keys_that_would_change_counts_are_refused_by_name_away_from_their_default() -> None:
    """Keras counts renorm's 3 extra statistics per channel and int8 kernels' scales; quizgen does
    not, so it says so rather than giving Keras's plain numbers."""
    renorm = model_of((4, 4, 3), L.BatchNormalization(renorm=True))
    assert renorm.count_params() == 7 * 3  # what a silent reader would get wrong (it would say 12)
    with pytest.raises(QuizgenError, match=r"layer 1 \(BatchNormalization\): renorm true is not supported"):
        Stack.from_json(json.loads(renorm.to_json()))
    quantized = model_of((4,), L.Dense(2, dtype="int8_from_float32"))
    assert quantized.count_params() == 4 * 2 + 2 + 2
    with pytest.raises(QuizgenError, match=r"layer 1 \(Dense\): dtype .* not supported"):
        Stack.from_json(json.loads(quantized.to_json()))
    first = model_of((2, 8, 8), L.Conv2D(2, 3, data_format="channels_first"))
    with pytest.raises(QuizgenError, match=r"layer 1 \(Conv2D\): data_format \"channels_first\" is not supported"):
        Stack.from_json(json.loads(first.to_json()))


# --- the command, against model.summary() -----------------------------------------------------

SUMMARY_ROW = re.compile(r"│ (\S+) \((\w+)\)\s*│ \(None, ([\d, ]+)\)\s*│\s*([\d,]+) │")
SUMMARY_TOTAL = re.compile(r"(Total|Trainable|Non-trainable) params: ([\d,]+)")


def keras_summary(model: keras.Sequential) -> dict[str, Any]:
    """The rows and totals of `model.summary()`, read from its text (rich draws it COLUMNS wide)."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, line_break=True: lines.append(line), line_length=120)
    text = "\n".join(lines)
    rows = [{"name": m[1], "class_name": m[2], "output_shape": [int(n) for n in m[3].split(",") if n.strip()],
             "params": int(m[4].replace(",", ""))} for m in SUMMARY_ROW.finditer(text)]
    totals = {m[1]: int(m[2].replace(",", "")) for m in SUMMARY_TOTAL.finditer(text)}
    return {"rows": rows, "total": totals["Total"], "trainable": totals["Trainable"],
            "non_trainable": totals["Non-trainable"]}


def test_summary_command_prints_what_model_summary_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    rng = random.Random(5)
    compared = 0
    for n in range(40):
        shape, layers = random_layers(rng)
        model = keras_model(shape, layers)
        if isinstance(model, Exception):
            continue
        want = keras_summary(model)
        assert len(want["rows"]) == len(model.layers), n
        path = tmp_path / f"model-{n}.json"
        path.write_text(model.to_json())
        result = run("summary", "--json", str(path))
        assert result.returncode == 0, result.stderr
        got = json.loads(result.stdout)
        assert [{k: r[k] for k in ("name", "class_name", "output_shape", "params")} for r in got["layers"]] \
            == want["rows"], n
        assert (got["total_params"], got["trainable_params"], got["non_trainable_params"]) \
            == (want["total"], want["trainable"], want["non_trainable"])
        compared += 1
    assert compared > 15
