"""A normal (non-editable) install: build the wheel, install it in a fresh virtual environment, away
from the repository, and run every command once. This is what a user's `pip install quizgen` gets;
an editable install hides a file left out of the package (as `example.toml` once was)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
STACK = {"input_shape": [28, 28, 1], "layers": [
    {"class_name": "Conv2D", "config": {"filters": 32, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid"}},
    {"class_name": "MaxPooling2D", "config": {"pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}},
    {"class_name": "Flatten", "config": {}},
    {"class_name": "Dense", "config": {"units": 10}}]}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtual environment with quizgen's wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "output", "build", "*.egg-info",
                                                                "__pycache__", ".hypothesis", ".pytest_cache"))
    env = clean_env()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp / "dist"),
                    str(source)], check=True, env=env, capture_output=True)
    wheel = next((tmp / "dist").glob("quizgen-*.whl"))
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True, env=env,
                   capture_output=True)
    return bin_dir


def clean_env() -> dict[str, str]:
    """The environment without anything pointing Python at the repository."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def run(bin_dir: Path, *args: str, cwd: Path, stdin: str | None = None) -> str:
    result = subprocess.run([str(bin_dir / "quizgen"), *args], cwd=cwd, env=clean_env(), capture_output=True,
                            text=True, input=stdin, timeout=300)
    assert result.returncode == 0, (args, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


def test_the_wheel_holds_the_package_and_its_templates(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run([str(installed / "python"), "-c", "import quizgen; print(quizgen.__file__)"],
                           cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(installed.parent)), where  # the installed copy, not the repository


def test_every_command_runs_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    assert run(installed, "--version", cwd=tmp_path).startswith("quizgen ")
    assert "conv-params" in run(installed, "kinds", cwd=tmp_path)
    assert "forgot-bias" in run(installed, "misconceptions", cwd=tmp_path)
    for fmt, extra in (("json", []), ("md", ["--style", "keras", "--diagram"]), ("html", ["--style", "pytorch"]),
                       ("moodle", ["--style", "prose"])):
        run(installed, "generate", "--seed", "7", "-n", "3", "-f", fmt, "-o", f"out/set.{fmt}", *extra, cwd=tmp_path)
    assert json.loads((tmp_path / "out" / "set.json").read_text())["seed"] == 7
    assert (tmp_path / "out" / "set-key.md").is_file() and list((tmp_path / "out").glob("set-q*.svg"))
    assert "<question" in (tmp_path / "out" / "set.moodle").read_text()

    (tmp_path / "model.json").write_text(json.dumps(STACK))
    summary = run(installed, "summary", "model.json", cwd=tmp_path)
    assert "320" in summary and "54,090" in summary  # (3·3·1 + 1)·32 and 13·13·32·10 + 10, by hand

    run(installed, "exam", "--init", cwd=tmp_path)
    run(installed, "exam", "exam.toml", "--fake-roster", "2", "-o", "exam/", "-q", cwd=tmp_path)
    assert json.loads((tmp_path / "exam" / "manifest.json").read_text())["variants"][1]["code"] == "V02"

    out = run(installed, "drill", "--seed", "1", "--count", "1", "--no-save", cwd=tmp_path, stdin="skip\n")
    assert "Session over" in out
