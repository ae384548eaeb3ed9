"""--style and --diagram: questions shown as Keras or PyTorch code, in prose, and drawn.

Every PyTorch-style question's snippet is executed: with its `?` filled back in, the program PyTorch
runs must give the question's answers, counted in PyTorch's convention (model.parameters(), BatchNorm
statistics as buffers, shapes channels first), for every kind a framework can answer.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import torch
from render_support import run
from torch import nn

from quizgen.engine.frameworks import listing
from quizgen.engine.generate import Options, generate, one_question
from quizgen.engine.kinds import KINDS
from quizgen.engine.quantities import BYTES_PER_PARAM, UNIT_BYTES
from quizgen.engine.question import Question
from quizgen.engine.styles import STYLES
from quizgen.engine.summary import layer_names
from quizgen.render.code import render_code
from quizgen.render.view import tolerance

ALL = tuple(KINDS)


def pytorch_questions(count: int = 260, seed: int = 11) -> list[Question]:
    return generate(seed, count, Options(ALL, (1, 2, 3), style="pytorch"))


QUESTIONS = pytorch_questions()


def filled(shown: str, full: str) -> None:
    """The shown code is the runnable program with some argument values written as `?`."""
    shown_lines, full_lines = shown.splitlines(), full.splitlines()
    assert len(shown_lines) == len(full_lines)
    for a, b in zip(shown_lines, full_lines):
        pattern = re.escape(a).replace(re.escape("?"), r"(?:\([^()]*\)|[^,()])+")
        assert re.fullmatch(pattern, b), (a, b)


def measure(q: Question) -> dict[str, Any]:
    """Run the question's PyTorch program; per stack layer: parameters, frozen parameters, output, MACs."""
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(render_code(q.stack, "pytorch").text, "<snippet>", "exec"), namespace)
    model, y = namespace["model"], namespace["x"]
    n = len(q.stack.layers)
    params, frozen, macs = [0] * n, [0] * n, [0] * n
    outputs: list[torch.Tensor | None] = [None] * n
    modules: list[list[nn.Module]] = [[] for _ in range(n)]
    with torch.no_grad():
        for module, call in zip(model, listing(q.stack, "pytorch").calls):
            x, y = y, module(y)
            i = call.layer
            modules[i].append(module)
            params[i] += sum(p.numel() for p in module.parameters())
            frozen[i] += sum(p.numel() for p in module.parameters() if not p.requires_grad)
            if isinstance(module, nn.Linear):
                macs[i] += y.numel() * module.in_features
            elif isinstance(module, nn.modules.conv._ConvTransposeNd):
                macs[i] += x.numel() * module.out_channels // module.groups * math.prod(module.kernel_size)
            elif isinstance(module, nn.modules.conv._ConvNd):
                macs[i] += y.numel() * module.in_channels // module.groups * math.prod(module.kernel_size)
            if call.completes:
                outputs[i] = y
    for i in range(n):  # a folded ZeroPadding has no module: its output is the padded input of the next
        outputs[i] = outputs[i] if outputs[i] is not None else torch.zeros(1, *channels_first_shape(q, i))
    return {"params": params, "frozen": frozen, "outputs": outputs, "macs": macs, "modules": modules,
            "total": sum(p.numel() for p in model.parameters())}


def channels_first_shape(q: Question, i: int) -> list[int]:
    shape = q.stack.output_of(i)
    return [shape[-1], *shape[:-1]]


def check(q: Question, m: dict[str, Any]) -> None:
    for part in q.parts:
        t, answer = part.target, part.answer
        assert t.convention == "pytorch"
        i = t.layer
        if t.quantity == "params":
            assert answer == (m["total"] if i is None else m["params"][i]), q.seed
        elif t.quantity == "trainable_params":
            assert answer == m["total"] - sum(m["frozen"]), q.seed
        elif t.quantity == "non_trainable_params":
            assert answer == sum(m["frozen"]), q.seed
        elif t.quantity == "output_shape":
            assert answer == list(m["outputs"][i].shape[1:]), q.seed
        elif t.quantity == "output_size":
            assert answer == m["outputs"][i].numel(), q.seed
        elif t.quantity == "macs":
            assert answer == m["macs"][i], q.seed
        elif t.quantity == "memory_bytes":
            size = m["total"] * BYTES_PER_PARAM[t.dtype]
            assert answer == (size if t.unit == "bytes" else round(size / UNIT_BYTES[t.unit], 2)), q.seed
        elif t.quantity == "layer_name":
            assert answer == layer_names(q.stack.layers)[m["params"].index(max(m["params"]))], q.seed
        elif t.quantity == "filters":
            assert answer == m["modules"][i][-1].out_channels, q.seed
        elif t.quantity == "kernel_size":
            assert answer == m["modules"][i][-1].kernel_size[0], q.seed
        elif t.quantity == "step":  # the first row of the student's summary that PyTorch contradicts
            measured = [[list(m["outputs"][j].shape[1:]), m["params"][j]] for j in range(len(q.stack.layers))]
            worked = [[w["output_shape"], w["params"]] for w in q.extra["worked"]]
            assert answer == next(j for j, (a, b) in enumerate(zip(worked, measured)) if a != b) + 1, q.seed
        else:
            assert t.quantity == "receptive_field"  # checked by back-propagation in test_harder_kinds.py


def test_pytorch_style_questions_run_and_give_their_answers_in_pytorchs_convention() -> None:
    kinds = set()
    for q in QUESTIONS:
        assert q.style == "pytorch" and q.code is not None and q.code.framework == "pytorch"
        filled(q.code.text, render_code(q.stack, "pytorch").text)
        check(q, measure(q))
        kinds.add(q.kind)
    assert kinds == set(KINDS)


def test_pytorch_style_blanks_what_the_question_asks() -> None:
    for q in QUESTIONS:
        if q.kind in ("flatten-size", "dense-after-flatten"):
            assert "nn.Linear(in_features=?" in q.code.text, q.code.text
        if q.kind == "reverse-filters":  # on the asked layer's line and after it (an earlier conv may share the count)
            lines = q.code.text.splitlines()
            asked = q.code.layer_lines[q.parts[0].target.layer][-1]
            assert "out_channels=?" in lines[asked - 1]
            after = "\n".join(lines[asked:])
            assert f"out_channels={q.parts[0].answer}," not in lines[asked - 1]
            assert f"in_channels={q.parts[0].answer}," not in after  # the next layer would tell
        if q.kind == "reverse-kernel":
            assert "kernel_size=?" in q.code.text


def test_batchnorm_distractor_is_the_keras_count_and_says_so() -> None:
    found = 0
    for q in generate(4, 60, Options(("total-params", "layer-params"), (3,), style="pytorch")):
        part = q.parts[0]
        for d in part.distractors:
            if d.misconception == "batchnorm-framework-convention":
                found += 1
                assert d.value == q.stack.totals().total if part.target.layer is None else \
                    d.value == q.stack.counts[part.target.layer].total
                assert "PyTorch" in d.feedback and "buffers" in d.feedback
    assert found >= 5


@pytest.mark.parametrize("style", STYLES)
def test_same_options_same_questions_and_each_rebuilt_from_its_seed(style: str) -> None:
    options = Options(ALL, (1, 2, 3), style=style, diagram=True)
    first, again = generate(5, 30, options), generate(5, 30, options)
    assert [json.dumps(q.to_json()) for q in first] == [json.dumps(q.to_json()) for q in again]
    for q in first[:10]:
        assert one_question(q.seed, options, q.id).to_json() == q.to_json()
        assert q.to_json()["prompt"]["style"] == style
        assert ("code" in q.to_json()["prompt"]) == (style in ("keras", "pytorch"))
        ET.fromstring(q.diagram)


def test_keras_style_shows_the_asked_value_as_a_question_mark() -> None:
    for q in generate(8, 20, Options(("reverse-filters", "reverse-kernel"), (1, 2, 3), style="keras")):
        line = q.code.text.splitlines()[q.code.layer_lines[q.parts[0].target.layer][0] - 1]
        assert "?" in line and line.count("?") == 1, line


def test_markdown_diagrams_are_written_beside_and_never_clobbered(tmp_path: Path, capsys) -> None:
    target = tmp_path / "set-7.md"
    args = ["generate", "--seed", "7", "-n", "3", "--format", "md", "--diagram", "-q", "-o", str(target)]
    assert run(capsys, *args)[0] == 0
    svgs = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert svgs == ["set-7-q001.svg", "set-7-q002.svg", "set-7-q003.svg"]
    text = target.read_text(encoding="utf-8")
    assert all(f"]({name})" in text for name in svgs)
    ET.parse(tmp_path / svgs[0])
    for p in tmp_path.iterdir():
        if p.name != "set-7-q002.svg":
            p.unlink()
    status, _, err = run(capsys, *args)
    assert status == 2 and "set-7-q002.svg already exists" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set-7-q002.svg"]  # nothing else written
    status, _, err = run(capsys, "generate", "--format", "md", "--diagram", "-o", "-")
    assert status == 2 and "--diagram" in err


def test_moodle_embeds_each_diagram_as_a_file_of_its_question(tmp_path: Path, capsys) -> None:
    target = tmp_path / "bank.xml"
    assert run(capsys, "generate", "--seed", "7", "-n", "4", "--format", "moodle", "--style", "pytorch", "-q",
               "-o", str(target))[0] == 0
    questions = [q for q in ET.parse(target).getroot() if q.get("type") != "category"]
    assert len(questions) == 4
    for q in questions:
        text = q.find("questiontext")
        file = text.find("file")
        assert file.get("path") == "/" and file.get("encoding") == "base64"
        assert f'src="@@PLUGINFILE@@/{file.get("name")}"' in text.find("text").text
        svg = ET.fromstring(base64.b64decode(file.text))
        assert svg.tag.endswith("svg")
        assert "<pre" in text.find("text").text and "nn.Sequential" in text.find("text").text


def test_html_diagrams_are_inline_with_unique_ids_and_can_be_turned_off(tmp_path: Path, capsys) -> None:
    page = tmp_path / "set.html"
    assert run(capsys, "generate", "--seed", "7", "-n", "5", "--format", "html", "-q", "-o", str(page))[0] == 0
    text = page.read_text(encoding="utf-8")
    ids = re.findall(r'<title id="([^"]+)"', text)
    assert len(ids) == 5 and len(set(ids)) == 5
    assert run(capsys, "generate", "--seed", "7", "-n", "5", "--format", "html", "--no-diagram", "-q", "--force",
               "-o", str(page))[0] == 0
    assert "<svg" not in page.read_text(encoding="utf-8")


def test_rounded_memory_answers_accept_half_the_last_digit() -> None:
    assert tolerance(1.2) == tolerance(1.25) == 0.005 and tolerance(1234) == 0


def test_markdown_code_is_numbered_where_a_question_points_at_a_line(capsys) -> None:
    status, out, _ = run(capsys, "generate", "--seed", "5", "-n", "6", "--style", "pytorch", "--format", "md",
                         "--answers", "none", "-q", "-o", "-")
    referred = re.findall(r"the (nn\.\w+) on line (\d+)", out)
    assert status == 0 and referred
    for module, line in referred:
        assert re.search(rf"(?m)^ ?{line} +{re.escape(module)}\(", out), (module, line)
