"""`--jobs N`: the same bytes as one process, in every format and for exams; clean errors and Ctrl-C."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizgen.engine.generate import Options, iter_questions, question_json
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.parallel import Workers, parse_jobs

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "templates" / "exam" / "example.toml"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, cwd=cwd, env=env)


def files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("options, count, repeats", [
    (Options(CORE_KINDS, (1, 2, 3)), 90, False),
    # conv-params at level 1 has exactly 100 distinct questions: most first candidates repeat an
    # earlier question, so the parent remakes them; past 100 an exam's slot repeats questions
    (Options(("conv-params",), (1,)), 100, False),
    (Options(("conv-params",), (1,)), 130, True),
    (Options(("conv-params", "output-shape"), (1, 3), style="pytorch", diagram=True), 40, False),
])
def test_workers_make_the_questions_one_process_makes(options: Options, count: int, repeats: bool) -> None:
    alone = [q.to_json() for q in iter_questions(11, count, options, repeats=repeats)]
    done: list[int] = []
    with Workers(2) as workers:
        together = [q.to_json() for q in workers.questions(11, count, options, done.append, repeats=repeats)]
    assert together == alone
    assert done == list(range(1, count + 1))  # the progress bar sees every question, in order


def test_workers_encode_the_questions_as_one_process_does() -> None:
    """JSON's lines are written by the workers (`Workers.encoded`): the same lines as one process's."""
    options = Options(CORE_KINDS, (1, 2, 3))
    alone = [question_json(q) for q in iter_questions(11, 90, options)]
    with Workers(2) as workers:
        assert list(workers.encoded(11, 90, options, question_json)) == alone


def test_a_space_too_small_is_the_same_error_with_workers() -> None:
    with Workers(2) as workers, pytest.raises(Exception, match="only 100 distinct questions"):
        list(workers.questions(3, 101, Options(("conv-params",), (1,))))


@pytest.mark.parametrize("extra", [
    ["-f", "json"],
    ["-f", "moodle"],
    ["-f", "moodle", "--no-diagram", "--style", "keras"],
    ["-f", "md", "--diagram"],
    ["-f", "html", "--interactive"],
])
def test_generate_writes_the_same_bytes_with_two_jobs(tmp_path: Path, extra: list[str]) -> None:
    for jobs in ("1", "2"):
        result = run("generate", "--seed", "5", "-n", "150", "--jobs", jobs, "-o", f"j{jobs}/", "-q", *extra,
                     cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert files(tmp_path / "j1") == files(tmp_path / "j2")
    assert len(files(tmp_path / "j1")) >= 1


def test_an_exam_is_the_same_with_two_jobs(tmp_path: Path) -> None:
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for jobs in ("1", "auto"):
        result = run("exam", "exam.toml", "--fake-roster", "12", "-f", "md", "-f", "canvas", "--jobs", jobs,
                     "-o", f"j{jobs}", "-q", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert files(tmp_path / "j1") == files(tmp_path / "jauto")


@pytest.mark.parametrize("command", [["generate", "-o", "-"], ["exam", "exam.toml"]])
@pytest.mark.parametrize("value", ["0", "x", "-1", "1.5", ""])
def test_a_bad_jobs_value_is_one_line_and_exit_2(tmp_path: Path, command: list[str], value: str) -> None:
    result = run(*command, "--jobs", value, cwd=tmp_path)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "--jobs" in err and "auto" in err and "Traceback" not in err
    assert result.stdout == b"" and list(tmp_path.iterdir()) == []


def test_auto_is_the_cpus_this_process_may_use() -> None:
    assert parse_jobs("auto") == len(os.sched_getaffinity(0))
    assert parse_jobs("3") == 3


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupting_two_jobs_leaves_no_file_and_no_worker(tmp_path: Path, sig: int, code: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "quizgen", "generate", "--seed", "1", "-n", "200000", "--jobs", "2",
                             "-f", "md", "-o", "big.md", "-q"], cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:  # writing has begun
        time.sleep(0.05)
    proc.send_signal(sig)
    # the workers hold the same stderr: communicate returns only once every one of them has ended
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_explains_jobs(tmp_path: Path) -> None:
    for command in ("generate", "exam"):
        out = run(command, "--help", cwd=tmp_path).stdout.decode()
        assert "--jobs N" in out and "auto" in out and "byte for byte" in " ".join(out.split())
