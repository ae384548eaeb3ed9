"""The command line as users meet it: exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import conv, layer


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin, env=env)


def test_generate_writes_the_readme_example(tmp_path: Path) -> None:
    out = tmp_path / "output" / "set.json"
    result = run("generate", "--seed", "7", "--count", "20", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text())
    assert doc["seed"] == 7 and len(doc["questions"]) == 20
    assert len({q["kind"] for q in doc["questions"]}) >= 4
    again = run("generate", "--seed", "7", "--count", "20", "-o", "-")
    assert again.stdout == out.read_text()


def test_default_output_goes_to_the_output_folder(tmp_path: Path) -> None:
    result = run("generate", "--seed", "3", "--count", "2", cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "output" / "set-3.json").is_file()
    assert "seed 3" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["generate", "--kind", "bogus"], "unknown kind 'bogus'"),
    (["generate", "--count", "0"], "--count must be at least 1"),
    (["generate", "--count", "-3"], "--count must be at least 1"),
    (["generate", "--difficulty", "4"], "difficulty must be 1, 2 or 3"),
    (["generate", "--count", "many"], "invalid int value"),
    (["generate", "--nope"], "unrecognized arguments"),
    (["generate", "-o", "/proc/forbidden/set.json"], "cannot write"),
    (["generate", "--kind", "conv-params", "--difficulty", "1", "--count", "500"], "only 100 distinct questions"),
    (["summary", "missing.json"], "cannot read missing.json"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists() or not any((tmp_path / "output").iterdir())


def test_existing_file_is_not_clobbered_without_force(tmp_path: Path) -> None:
    target = tmp_path / "set.json"
    target.write_text("precious")
    result = run("generate", "--seed", "1", "-o", str(target))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert target.read_text() == "precious"
    assert run("generate", "--seed", "1", "-o", str(target), "--force").returncode == 0
    assert json.loads(target.read_text())["seed"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["set.json"]  # no temporary files left


@pytest.mark.parametrize("doc, message", [
    ({"input_shape": [28, 28, 1], "layers": [conv(32, 30)]}, "layer 1 (Conv2D): window of 30 is larger"),
    ({"input_shape": [28, 28, 3], "layers": [conv(32, 3, groups=2)]}, "groups=2 must divide"),
    ({"input_shape": [10], "layers": [layer("Dropout")]}, "model.json: layer 1 (Dropout): missing config key(s) rate"),
    ({"input_shape": [28, 28, 1], "layers": [conv(0, 3)]}, "layer 1 (Conv2D): filters must be a positive whole number"),
    ({"input_shape": [28, 28, 1], "layers": [layer("Conv9D")]}, "unknown class_name 'Conv9D'"),
    ({"input_shape": [28, 28, 1], "layers": [conv(8, 3, colour="red")]}, "unknown config key(s) colour"),
    ({"input_shape": [28, 28, 1], "layers": [layer("Dense")]}, "missing config key(s) units"),
    ({"input_shape": [28, -1, 1], "layers": [conv(8, 3)]}, "input_shape must be"),
    ({"input_shape": [28, 28, 1], "layers": [conv(8, 3, strides=[2, 2], dilation_rate=[2, 2])], }, "strides > 1"),
    ({"input_shape": [8, 8, 1], "layers": [layer("Conv2DTranspose", filters=2, kernel_size=[3, 3], strides=[2, 2],
                                                  output_padding=[2, 2])]}, "output_padding 2 must be smaller"),
    ({"layers": []}, "the input shape is missing"),
    ({"input_shape": [4]}, 'needs "input_shape" and "layers"'),
])
def test_invalid_stacks_name_the_layer(tmp_path: Path, doc: dict, message: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    result = run("summary", str(path))
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_summary_reads_a_question_and_prints_json(tmp_path: Path) -> None:
    one = run("generate", "--question-seed", "77", "--kind", "total-params", "-o", "-").stdout
    question = json.loads(one)["questions"][0]
    result = run("summary", "--json", "-", stdin=json.dumps(question))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["total_params"] == question["parts"][0]["answer"] or \
        question["parts"][0]["target"]["quantity"] != "params"
    assert [row["output_shape"] for row in summary["layers"]] == question["shapes"][1:]


def test_malformed_json_is_reported_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"input_shape": [1,]')
    result = run("summary", "bad.json", cwd=tmp_path)
    assert result.returncode == 2 and "not valid JSON (line 1" in result.stderr


def test_numbers_shown_to_people_are_never_scientific(tmp_path: Path) -> None:
    path = tmp_path / "vgg.json"
    path.write_text(json.dumps({"input_shape": [224, 224, 3], "layers": [
        conv(64, 3, padding="same"), layer("Flatten"), layer("Dense", units=4096)]}))
    out = run("summary", str(path)).stdout
    assert "13,153,341,440" in out  # 224·224·64·4096 + 4096
    assert "Total params: 13,153,343,232" in out  # + (3·3·3 + 1)·64
    assert "e+" not in out


@pytest.mark.parametrize("command", [[], ["generate"], ["summary"], ["kinds"], ["misconceptions"]])
def test_help_on_every_command(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0 and "usage: quizgen" in result.stdout


def test_version() -> None:
    from quizgen import __version__
    assert run("--version").stdout.strip() == f"quizgen {__version__}"


def test_help_does_not_import_the_heavy_libraries() -> None:
    code = ("import sys; from quizgen.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('jinja2', 'faker', 'markdown', 'torch') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_kinds_lists_every_kind_without_loading_the_engine() -> None:
    """`quizgen kinds` and the help read kind_names alone: importing the engine's layers, misconceptions and
    kinds took about half the command's start-up."""
    from quizgen.engine.kinds import KINDS
    code = ("import sys, runpy; sys.argv = ['quizgen', 'kinds']\n"
            "try:\n    runpy.run_module('quizgen', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('quizgen.engine.')))")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True).stdout.splitlines()
    assert out[-1] == "['quizgen.engine.kind_names']"
    assert [line.split()[0] for line in out[:-1]] == list(KINDS)
    assert [line.split(None, 1)[1] for line in out[:-1]] == [kind.summary for kind in KINDS.values()]
