"""`quizgen drill` end to end: piped sessions (a subprocess fed its answers) and in-process ones.

The numbers are checked against hand-worked counts: the seeds' classic Conv2D(32, 3×3) on a
28×28×1 image has (3·3·1 + 1)·32 = 320 parameters, and 288 is the count without the biases.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizgen.drill.progress import ProgressStore
from quizgen.drill.session import (
    Drill,
    Record,
    Settings,
    Terminal,
    diagnose,
    pick_question,
)
from quizgen.engine.generate import Options, generate, one_question
from quizgen.engine.kind_names import CORE_KINDS
from quizgen.engine.kinds import KINDS
from quizgen.engine.misconceptions import CATALOGUE
from quizgen.engine.question import Question, Value
from quizgen.engine.summary import layer_names

ALL_KINDS = tuple(KINDS)
EXPLAIN_BIAS = "Every filter (or Dense unit) has one bias"


def first_question(seed: int, kinds: tuple[str, ...] = ("conv-params",), level: int = 1) -> Question:
    return generate(seed, 1, Options(kinds, (level,)))[0]


def classic_seed() -> int:
    """A seed whose first conv-params question is 32 3×3 filters on 28×28×1 (found, not assumed)."""
    for seed in range(2000):
        q = first_question(seed)
        layer = q.stack.layers[0]
        if q.stack.input_shape == (28, 28, 1) and layer.filters == 32 and layer.kernel_size == (3, 3):
            return seed
    raise AssertionError("no seed below 2000 gives the classic Conv2D(32, 3×3) on 28×28×1")


def conv_answer(q: Question) -> tuple[int, int]:
    """(right count, count without biases), worked out here from the layer's config."""
    layer, c_in = q.stack.layers[0], q.stack.input_shape[-1]
    weights = math.prod(layer.kernel_size) * c_in * layer.filters
    return weights + layer.filters, weights


def drill(*args: str, answers: str = "", data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "XDG_DATA_HOME")}
    environ.update({"XDG_DATA_HOME": str(data), **(env or {})})
    return subprocess.run([sys.executable, "-m", "quizgen", "drill", *args], input=answers, capture_output=True,
                          text=True, env=environ, timeout=60)


def saved(data: Path) -> dict:
    return json.loads((data / "quizgen" / "progress.json").read_text())


# --- through a pipe ---------------------------------------------------------------------------

def test_classic_question_diagnoses_forgotten_bias(tmp_path: Path) -> None:
    seed = classic_seed()
    assert conv_answer(first_question(seed)) == (320, 288)
    run = drill("--seed", str(seed), "--kind", "conv-params", "--count", "1", answers="288\n", data=tmp_path)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "You answered 288." in out
    assert "[forgot-bias]" in out and "Forgot the bias" in out
    assert EXPLAIN_BIAS in out
    assert "(k_h·k_w·C_in + 1)·F = (3·3·1 + 1)·32 = 320" in out  # the worked solution
    assert "The answer is 320." in out
    assert "0 of 1 right" in out
    assert saved(tmp_path)["misconceptions"] == {"forgot-bias": 1}


def test_scripted_session(tmp_path: Path) -> None:
    """hint, a misconception, a formatting variant of the right answer, an unknown value, skip, quit."""
    seed = 5
    right, no_bias = conv_answer(first_question(seed))
    answers = f"hint\n{no_bias}\n"
    # The drill is deterministic in the seed and the answers: read question 2 off a first run.
    probe = drill("--seed", str(seed), "--kind", "conv-params", "--no-save", answers=answers, data=tmp_path)
    q2 = one_question(int(re.findall(r"\(seed (\d+)\)", probe.stdout)[1]), Options(("conv-params",), (1,)))
    right2 = conv_answer(q2)[0]
    answers += f"{right2:,}".replace(",", " ") + "\n1\nskip\nquit\n"  # 1 184: a space between thousands
    run = drill("--seed", str(seed), "--kind", "conv-params", "--count", "5", answers=answers, data=tmp_path)
    out = run.stdout
    assert run.returncode == 0 and run.stderr == ""
    assert "Hint:\n    parameters: (k_h·k_w·C_in + 1)·F\n" in out
    assert f"You answered {no_bias:,}." in out and "[forgot-bias]" in out and EXPLAIN_BIAS in out
    assert f"The answer is {right:,}." in out
    assert f"✓ Right: {right2:,}." in out
    assert "You answered 1.\nThat matches none of the usual mistakes" in out
    assert "Skipped.\n" in out
    assert "Question 5 of 5" in out and "Question 6" not in out
    assert "Session over: 1 of 4 right (1 skipped), streak 0 (best 1), level 1." in out
    assert re.search(r"Mistakes met:\n  forgot-bias +Forgot the bias\n", out)
    assert "\x1b[" not in out  # no colour through a pipe
    assert saved(tmp_path) == {"version": 1, "kinds": {"conv-params": {"asked": 4, "correct": 1, "skipped": 1}},
                               "misconceptions": {"forgot-bias": 1}}


def test_end_of_input_ends_with_summary(tmp_path: Path) -> None:
    run = drill("--seed", "3", "--count", "5", answers="", data=tmp_path)
    assert run.returncode == 0
    assert "Question 1 of 5" in run.stdout and "Question 2" not in run.stdout
    assert run.stdout.rstrip().endswith("Session over: no questions answered.")
    assert not (tmp_path / "quizgen" / "progress.json").exists()  # nothing finished, nothing to save


def test_unreadable_lines_ask_again(tmp_path: Path) -> None:
    seed = classic_seed()
    run = drill("--seed", str(seed), "--kind", "conv-params", "--count", "1", "--no-save",
                answers="26x26x32\nabc\n\n3,20\n", data=tmp_path)
    assert "This asks for one number, not a shape." in run.stdout
    assert "That is not a whole number" in run.stdout
    assert "Type an answer, or hint, skip or quit." in run.stdout
    assert "✓ Right: 320." in run.stdout  # "3,20": separators are formatting only
    assert not (tmp_path / "quizgen").exists()  # --no-save


@pytest.mark.parametrize("template", ["{}x{}x{}", "{} x {} x {}", "({}, {}, {})", "{}×{}×{}", "[{},{},{}]",
                                      "(None, {}, {}, {})", "{} {} {}"])
def test_shape_answers_in_any_format(tmp_path: Path, template: str) -> None:
    seed = next(s for s in range(100) if len(first_question(s, ("output-shape",), 2).parts[0].answer) == 3)
    answer = first_question(seed, ("output-shape",), 2).parts[0].answer
    run = drill("--seed", str(seed), "--kind", "output-shape", "--difficulty", "2", "--count", "1", "--no-save",
                answers=template.format(*answer) + "\n", data=tmp_path)
    assert f"✓ Right: {answer[0]}×{answer[1]}×{answer[2]}." in run.stdout, run.stdout


def test_multiple_choice_letter_is_diagnosed(tmp_path: Path) -> None:
    seed = classic_seed()
    part = first_question(seed).parts[0]
    wrong = next(o for o in part.options if not o.correct and not o.distractor.near_miss)
    run = drill("--seed", str(seed), "--kind", "conv-params", "--count", "1", "--mc", "--no-save",
                answers=wrong.letter.lower() + "\n", data=tmp_path)
    for option in part.options:
        assert f"  {option.letter}) {option.value:,}\n" in run.stdout
    assert f"You answered {wrong.value:,}." in run.stdout
    assert f"[{wrong.distractor.misconception}]" in run.stdout


def test_near_miss_is_marked(tmp_path: Path) -> None:
    seed, value = next((s, d.value) for s in range(200) for d in first_question(s, ("layer-params",)).parts[0].distractors
                       if d.near_miss)
    run = drill("--seed", str(seed), "--kind", "layer-params", "--count", "1", "--no-save",
                answers=f"{value}\n", data=tmp_path)
    assert "That is a near miss [near-miss]." in run.stdout and "Worked solution:" in run.stdout
    assert "No known mistakes met." in run.stdout


@pytest.mark.parametrize(("kinds", "level"), [(("conv-params",), 1), (ALL_KINDS, 1), (ALL_KINDS, 3),
                                              (("summary-table", "output-shape"), 2)])
@pytest.mark.parametrize("seed", [0, 7, 4242])
def test_first_question_is_generates_first(seed: int, kinds: tuple[str, ...], level: int) -> None:
    mine = pick_question(Settings(seed, kinds, level), Record(level), 0)[0]
    assert mine.to_json() == first_question(seed, kinds, level).to_json()


@pytest.mark.parametrize(("args", "level"), [
    ([], 1),  # at level 1 the drill's default mix is generate's: the core kinds
    (["--kind", ",".join(ALL_KINDS)], 2),
    (["--kind", "spot-the-error,most-params"], 3),
])
def test_first_question_matches_generate_through_the_cli(tmp_path: Path, args: list[str], level: int) -> None:
    run = drill("--seed", "99", "--difficulty", str(level), "--count", "1", "--no-save", *args, data=tmp_path)
    gen = subprocess.run([sys.executable, "-m", "quizgen", "generate", "--seed", "99", "--difficulty", str(level),
                          "--count", "3", "-o", "-", *args], capture_output=True, text=True, check=True)
    first = json.loads(gen.stdout)["questions"][0]
    assert f"level {level} · {first['kind']} (seed {first['seed']})" in run.stdout


def test_default_mix_is_graded_by_level() -> None:
    settings = Settings(5)
    assert settings.kinds_at(1) == CORE_KINDS
    assert settings.kinds_at(2) == settings.kinds_at(3) == ALL_KINDS
    assert Settings(5, ("macs",)).kinds_at(1) == ("macs",)  # --kind is kept at every level
    for level, kinds in ((1, set(CORE_KINDS)), (3, set(ALL_KINDS) - set(CORE_KINDS))):
        drawn = {pick_question(settings, Record(level), i)[0].kind for i in range(60)}
        assert drawn <= set(ALL_KINDS) and (drawn <= kinds if level == 1 else drawn & kinds), drawn


def test_level_up_brings_the_harder_kinds_into_the_default_mix() -> None:
    out, record = session(["right", "right", "right"], kinds=(), count=4)
    assert "Level up: level 2 (3 right in a row).\nNew kinds join the mix: reverse-filters, reverse-kernel," in out
    assert record.level == 2
    out, _ = session(["right", "right", "right"], kinds=("conv-params",), count=4)
    assert "Level up" in out and "New kinds" not in out


@pytest.mark.parametrize(("args", "message"), [
    (["--difficulty", "4"], "difficulty must be 1, 2 or 3"),
    (["--kind", "nope"], "unknown kind 'nope'"),
    (["--count", "0"], "--count must be at least 1"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    run = drill(*args, data=tmp_path)
    assert run.returncode == 2
    assert message in run.stderr and run.stderr.count("\n") == 1
    assert run.stdout == ""


# --- saved progress ---------------------------------------------------------------------------

def test_corrupt_progress_is_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / "quizgen"
    folder.mkdir()
    (folder / "progress.json").write_text('{"version": 1, "kinds": ')
    seed = classic_seed()
    run = drill("--seed", str(seed), "--kind", "conv-params", "--count", "1", answers="320\n", data=tmp_path)
    assert run.returncode == 0
    assert run.stderr.count("\n") == 1 and "corrupt" in run.stderr and "progress.json.corrupt" in run.stderr
    assert (folder / "progress.json.corrupt").read_text() == '{"version": 1, "kinds": '
    assert saved(tmp_path)["kinds"] == {"conv-params": {"asked": 1, "correct": 1, "skipped": 0}}


def test_stats_table(tmp_path: Path) -> None:
    seed = classic_seed()
    for typed in ("288", "320", "288", "5"):
        drill("--seed", str(seed), "--kind", "conv-params", "--count", "1", answers=typed + "\n", data=tmp_path)
    run = drill("--stats", data=tmp_path)
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    assert re.fullmatch(r"conv-params +4 +1 +0 +25%", next(l for l in lines if l.startswith("conv-params")))
    assert re.fullmatch(r"forgot-bias +2  Forgot the bias", next(l for l in lines if l.startswith("forgot-bias")))
    assert str(tmp_path / "quizgen" / "progress.json") in run.stdout


def test_stats_with_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text('{"version": 1, "kinds": {"conv-params": {"asked": -1, "correct": 0, "skipped": 0}}, '
                    '"misconceptions": {}}')
    run = drill("--stats", "--progress", str(path), data=tmp_path)
    assert run.returncode == 0
    assert "No questions answered yet" in run.stdout
    assert run.stderr.count("\n") == 1 and "mine.json.corrupt" in run.stderr
    assert not path.exists()


def test_unreadable_progress_path_is_an_error(tmp_path: Path) -> None:
    run = drill("--progress", str(tmp_path), answers="1\n", data=tmp_path)  # a folder
    assert run.returncode == 2 and run.stderr.startswith("quizgen: error: cannot read progress file")


# --- in process -------------------------------------------------------------------------------

def typed(value: Value) -> str:
    """A value as a student types it: 26x26x32, 1234.56, dense, 3."""
    return "x".join(map(str, value)) if isinstance(value, list) else str(value)


class Student(io.StringIO):
    """Stdin that reads the screen: rebuilds the question and part shown last and answers as told."""

    def __init__(self, screen: io.StringIO, plan: list[str], settings: Settings) -> None:
        super().__init__()
        self.screen, self.plan, self.settings = screen, plan, settings

    def readline(self, size: int = -1) -> str:
        if not self.plan:
            return ""
        shown = self.screen.getvalue()
        header = list(re.finditer(r"Question (\d+) of \d+ · level (\d) · ([\w-]+) \(seed (\d+)\)", shown))[-1]
        level = int(header[2])
        # The first question is drawn from the session's kinds, as `generate` draws its first; the others
        # from their own kind alone.
        kinds = self.settings.kinds_at(level) if header[1] == "1" else (header[3],)
        q = one_question(int(header[4]), Options(kinds, (level,)))
        numbers = re.findall(r"^Part (\d+) of", shown[header.end():], re.MULTILINE)
        part = q.parts[int(numbers[-1]) - 1 if numbers else 0]
        move = self.plan.pop(0)
        if move == "right":
            return typed(part.answer) + "\n"
        if move == "wrong":  # a named misconception where the part has one
            wrong = [d.value for d in part.distractors if not d.near_miss] or [d.value for d in part.distractors]
            return typed(wrong[0] if wrong else 1) + "\n"  # a wrong row number where no misconception fits
        return move + "\n"


def session(plan: list[str], kinds: tuple[str, ...] = ("conv-params",), level: int = 1, count: int = 10,
            store: ProgressStore | None = None, **settings) -> tuple[str, Record]:
    screen = io.StringIO()
    chosen = Settings(11, kinds, level, count, **settings)
    record = Drill(chosen, Terminal(Student(screen, plan, chosen), screen, False),
                   store, errors=io.StringIO(), clock=iter(range(0, 1000, 4)).__next__).run()
    return screen.getvalue(), record


def test_level_goes_up_after_three_right_and_down_after_two_misses() -> None:
    out, record = session(["right", "right", "right", "wrong", "wrong", "right"],
                          kinds=("conv-params", "layer-params"))
    assert "Level up: level 2 (3 right in a row)." in out
    assert "Back to level 1 (2 misses in a row)." in out
    headers = re.findall(r"Question (\d) of 10 · level (\d)", out)
    assert [level for _, level in headers][:6] == ["1", "1", "1", "2", "2", "1"]
    assert record.best_streak == 3 and record.right == 4 and record.level == 1


def test_level_stays_within_bounds() -> None:
    _, record = session(["wrong", "wrong", "wrong"], level=1)
    assert record.level == 1
    _, record = session(["right"] * 4, level=3)
    assert record.level == 3


def test_time_display_uses_the_clock() -> None:
    out, _ = session(["right", "right"], show_time=True)
    assert re.search(r"✓ Right: [\d,]+\. \(4\.0 s\)", out)
    assert "Time: 8 s answering, 4.0 s a question." in out


def test_missed_misconception_comes_back() -> None:
    """After a diagnosis, later questions test that misconception far more often than by chance."""
    settings = Settings(11, ALL_KINDS, 2, 30)
    def tested(record: Record, mid: str) -> int:
        return sum(any(d.misconception == mid for p in pick_question(settings, record, i)[0].parts
                       for d in p.distractors) for i in range(1, 31))
    weak = Record(2)
    weak.finish("total-params", False, False, ["pooling-has-params"], set())
    assert tested(weak, "pooling-has-params") >= 2 * tested(Record(2), "pooling-has-params")
    weak.finish("total-params", True, False, [], {"pooling-has-params"})  # answered past it: no longer favoured
    assert tested(weak, "pooling-has-params") == tested(Record(2), "pooling-has-params")


def test_missed_kind_comes_up_more_often() -> None:
    settings = Settings(11, ALL_KINDS, 2, 30)
    def share(record: Record) -> int:
        return sum(pick_question(settings, record, i)[0].kind == "flatten-size" for i in range(1, 31))
    missed = Record(2)
    for _ in range(2):
        missed.finish("flatten-size", False, False, [], set())
    assert share(missed) > share(Record(2))


def test_same_answers_same_session() -> None:
    plan = ["right", "wrong", "right", "right", "wrong", "skip"]
    assert session(list(plan), kinds=ALL_KINDS)[0] == session(list(plan), kinds=ALL_KINDS)[0]


def test_progress_accumulates_across_sessions(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.json")
    session(["right", "wrong"], store=store)
    session(["wrong", "skip"], store=store)
    doc = json.loads((tmp_path / "p.json").read_text())
    assert doc["kinds"]["conv-params"] == {"asked": 4, "correct": 1, "skipped": 1}
    assert sum(doc["misconceptions"].values()) == 2


def test_diagnose_reads_every_distractor() -> None:
    q = first_question(classic_seed())
    part = q.parts[0]
    assert diagnose(part, 320).correct
    for d in part.distractors:
        verdict = diagnose(part, d.value)
        assert not verdict.correct and verdict.distractor == d
        assert (not verdict.misconceptions) == d.near_miss
    assert diagnose(part, 321).distractor is None


def test_cli_main_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                             tmp_path: Path) -> None:
    from quizgen.cli import main

    progress = tmp_path / "p.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO("288\n"))
    assert main(["drill", "--seed", str(classic_seed()), "-k", "conv-params", "-n", "1",
                 "--progress", str(progress)]) == 0
    assert "[forgot-bias]" in capsys.readouterr().out
    assert main(["drill", "--stats", "--progress", str(progress)]) == 0
    assert re.search(r"^conv-params +1 +0 +0 +0%$", capsys.readouterr().out, re.MULTILINE)


# --- the one-level-up kinds -------------------------------------------------------------------

ENTITY = re.compile(r"&(#\d+|[a-z]+);")  # what common/words.j2's |e would leave in plain text
MISCONCEPTIONS = {m.id: m for m in CATALOGUE}


def first_where(kind: str, level: int, test) -> tuple[int, Question]:
    """The first seed below 300 whose first `kind` question at `level` passes `test` (found, not assumed)."""
    for seed in range(300):
        q = first_question(seed, (kind,), level)
        if test(q):
            return seed, q
    raise AssertionError(f"no seed below 300 gives a {kind} question like that")


def flat(text: str) -> str:
    """Text with its lines joined: the drill wraps long questions, in words the worksheets choose."""
    return " ".join(text.split())


def ask(seed: int, kind: str, level: int, answers: str, data: Path, *extra: str) -> str:
    run = drill("--seed", str(seed), "--kind", kind, "--difficulty", str(level), "--count", "1", "--no-save",
                *extra, answers=answers, data=data)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    return run.stdout


@pytest.mark.parametrize("level", [1, 2, 3])
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_kind_is_asked_hinted_answered_and_explained(kind: str, level: int) -> None:
    out, record = session(["hint", "right", "hint", "wrong", "skip"], kinds=(kind,), level=level, count=3)
    assert "✓ Right:" in out and "Worked solution:" in out and "Skipped." in out  # parts of one question or three
    assert out.count("Hint:") == 2 and "The answer is" in out
    assert not ENTITY.search(out), ENTITY.search(out)
    assert record.asked >= 1


def test_macs_typed_as_flops_is_diagnosed(tmp_path: Path) -> None:
    seed, q = first_where("macs", 1, lambda q: True)
    layer, out_shape = q.stack.layers[0], q.stack.output_of(0)
    macs = math.prod(out_shape[:-1]) * math.prod(layer.kernel_size) * q.stack.input_shape[-1] * layer.filters
    assert q.parts[0].answer == macs
    out = ask(seed, "macs", 1, f"{2 * macs:,}\n", tmp_path)
    assert re.search(r"How many multiply–accumulate operations \(MACs\) does layer 1 \(conv2d\b", flat(out))
    assert f"You answered {2 * macs:,}." in out
    assert "known mistake: Counted FLOPs instead of MACs [flops-vs-macs]." in out
    assert f"The answer is {macs:,}." in out
    hint = ask(seed, "macs", 1, "hint\n", tmp_path)
    assert "biases add no MACs" in hint


@pytest.mark.parametrize("unit", ["KiB", "MiB"])
def test_memory_divided_by_1000_is_diagnosed(tmp_path: Path, unit: str) -> None:
    seed, q = first_where("memory-footprint", 2, lambda q: q.parts[0].target.unit == unit)
    dtype = q.parts[0].target.dtype
    size = q.stack.totals().total * {"float32": 4, "float16": 2, "int8": 1}[dtype]
    binary, decimal = (size / 1024, size / 1000) if unit == "KiB" else (size / 1024 ** 2, size / 1000 ** 2)
    assert q.parts[0].answer == round(binary, 2)
    out = ask(seed, "memory-footprint", 2, f"{decimal:,.2f} {unit}\n{binary:,.2f}\n", tmp_path)
    assert re.search(rf"How much memory [^?]*\b{dtype}\b[^?]*\b{unit}\b[^?]*2 decimals", flat(out))
    assert f"Type the number of {unit} to 2 decimals, e.g. 1,234.56 or 1,234.56 {unit}." in out
    assert f"You answered {round(decimal, 2):,} {unit}." in out
    assert "Divided by 1,000 instead of 1,024 [kilo-is-1000]" in out
    assert f"The answer is {round(binary, 2):,} {unit}." in out


def test_memory_in_bytes_and_unit_mistakes(tmp_path: Path) -> None:
    seed, q = first_where("memory-footprint", 1, lambda q: q.parts[0].target.unit == "bytes")
    right = q.parts[0].answer
    assert right == q.stack.totals().total * {"float32": 4, "float16": 2, "int8": 1}[q.parts[0].target.dtype]
    out = ask(seed, "memory-footprint", 1, f"{right / 1024:.2f} KiB\n{right * 8:,} bytes\n", tmp_path)
    assert "This asks for bytes; type the number alone, or followed by bytes." in out
    assert "Counted bits instead of bytes [bits-not-bytes]" in out
    out = ask(seed, "memory-footprint", 1, f"{right:,} B\n", tmp_path)
    assert f"✓ Right: {right:,} bytes." in out


@pytest.mark.parametrize(("kind", "field"), [("reverse-filters", "filters"), ("reverse-kernel", "kernel_size")])
def test_reverse_kinds_give_the_count_and_hide_the_answer(tmp_path: Path, kind: str, field: str) -> None:
    seed, q = first_where(kind, 2, lambda q: True)
    i = q.parts[0].target.layer
    layer, c_in = q.stack.layers[i], q.stack.input_of(i)[-1]
    given = q.extra["given_params"]
    if field == "filters":
        right = given // (math.prod(layer.kernel_size) * c_in + 1)
    else:
        right = round(((given // layer.filters - 1) / c_in) ** (1 / layer.rank))
    assert right == q.parts[0].answer == (layer.filters if field == "filters" else layer.kernel_size[0])
    out = ask(seed, kind, 2, f"{right}\n", tmp_path)
    assert f"has {given:,} parameters." in out
    assert f"{field}=?" in out and "→" not in out  # no output shape gives the filters or the kernel away
    assert f"✓ Right: {right}." in out


def test_receptive_field_that_ignores_strides_is_diagnosed(tmp_path: Path) -> None:
    seed, q = first_where("receptive-field", 2, lambda q: any(d.misconception == "rf-ignores-stride"
                                                             for d in q.parts[0].distractors))
    i = q.parts[0].target.layer
    r, jump, no_stride = 1, 1, 1
    for layer in q.stack.layers[:i + 1]:
        k = getattr(layer, "kernel_size", getattr(layer, "pool_size", None))
        if k is not None:
            r, no_stride = r + (k[0] - 1) * jump, no_stride + k[0] - 1
            jump *= layer.strides[0]
    assert q.parts[0].answer == r
    out = ask(seed, "receptive-field", 2, f"{no_stride}\n", tmp_path)
    assert re.search(rf"What is the receptive field [^?]*\blayer {i + 1} \({layer_names(q.stack.layers)[i]}\b", flat(out))
    assert "known mistake: Ignored the strides [rf-ignores-stride]." in out and f"The answer is {r}." in out


def test_spot_the_error_shows_the_table_and_reads_step_numbers(tmp_path: Path) -> None:
    seed, q = first_where("spot-the-error", 2, lambda q: q.parts[0].answer > 1)
    part, worked = q.parts[0], q.extra["worked"]
    out = ask(seed, "spot-the-error", 2, f"step {part.answer}\n", tmp_path)
    assert "A student filled in this model's summary and made one mistake" in out
    assert re.search(r"Output shape \(student\) +Param # \(student\)\n", out)
    for n, row in enumerate(worked, 1):
        assert re.search(rf"^ +{n} \w+ +\w+ +{'×'.join(map(str, row['output_shape']))} +{row['params']:,}$", out,
                         re.MULTILINE), row
    name = layer_names(q.stack.layers)[part.answer - 1]
    assert f"✓ Right: layer {part.answer} ({name})." in out
    wrong = part.distractors[0]
    out = ask(seed, "spot-the-error", 2, f"hint\n{wrong.value}\n", tmp_path)
    hint = out[out.index("Hint:"):out.index("You answered")]
    title = MISCONCEPTIONS[q.extra["misconception"]].title
    assert "Check the rows from the top" in hint
    assert title not in hint and "parameters:" not in hint  # no formula of the wrong row to point at it
    assert f"Not the first error.\n  {wrong.feedback[:40]}" in out
    assert f"the first wrong number: layer {part.answer} ({name}), {title}." in out
    out = ask(seed, "spot-the-error", 2, f"{len(worked) + 1}\n", tmp_path)
    assert f"Type the number of a layer shown, from 1 to {len(worked)}." in out


def test_most_params_reads_layer_names_in_any_form(tmp_path: Path) -> None:
    seed, q = first_where("most-params", 2, lambda q: True)
    names = layer_names(q.stack.layers)
    counts = [c.total for c in q.stack.counts]
    right = names[counts.index(max(counts))]
    assert q.parts[0].answer == right
    cls = q.stack.layers[names.index(right)].class_name
    out = ask(seed, "most-params", 2, f"nonsense\n{right.upper()} ({cls})\n", tmp_path)
    assert "Type the name of a layer shown, e.g. conv2d_1, or its number." in out
    assert f"✓ Right: {right}." in out
    wrong = next(d for d in q.parts[0].distractors if not d.near_miss)
    out = ask(seed, "most-params", 2, f"{names.index(wrong.value) + 1}\n", tmp_path)  # by its number
    assert f"You answered {wrong.value}." in out and f"[{wrong.misconception}]" in out
    assert f"The answer is {right}." in out


def test_trainable_split_names_the_frozen_layers_and_diagnoses_them(tmp_path: Path) -> None:
    seed, q = first_where("trainable-split", 1, lambda q: q.extra["frozen"])
    frozen = q.extra["frozen"]
    names = layer_names(q.stack.layers)
    everything = q.stack.totals().total
    frozen_count = sum(q.stack.counts[i].total for i in frozen)
    trainable, non_trainable = (p.answer for p in q.parts)
    assert (trainable, non_trainable) == (everything - frozen_count, frozen_count)  # no BatchNorm at level 1
    out = ask(seed, "trainable-split", 1, f"{everything}\n{non_trainable}\n", tmp_path)
    listed = ", ".join(rf"layer {i + 1} \({names[i]}\b[^)]*\)" for i in frozen)
    assert re.search(rf"^Frozen \(trainable=False\): {listed}\.$", out, re.MULTILINE)
    assert "Part 1 of 2: How many trainable parameters does the whole model have?" in out
    assert "known mistake: Counted frozen weights as trainable [frozen-still-trainable]." in out
    assert f"parameters of {names[frozen[0]]} (frozen): " in out
    assert "total trainable parameters: sum over all layers = " in out
    assert "total non-trainable parameters" not in out[:out.index("Part 2 of 2")]  # each part its own sum
    assert f"✓ Right: {non_trainable:,}." in out
    assert "Session over: 0 of 1 right" in out


def test_options_of_the_new_kinds_read_as_the_worksheets_write_them(tmp_path: Path) -> None:
    seed, q = first_where("memory-footprint", 2, lambda q: q.parts[0].target.unit == "KiB")
    out = ask(seed, "memory-footprint", 2, "a\n", tmp_path, "--mc")
    for o in q.parts[0].options:
        assert f"  {o.letter}) {o.value:,} KiB\n" in out
    seed, q = first_where("spot-the-error", 2, lambda q: True)
    names = layer_names(q.stack.layers)
    out = ask(seed, "spot-the-error", 2, "a\n", tmp_path, "--mc")
    for o in q.parts[0].options:
        assert f"  {o.letter}) layer {o.value} ({names[o.value - 1]})\n" in out
    assert "Type the layer's number" not in out  # options to pick: no typing hint


def test_a_shape_two_mistakes_make_is_named_as_both(tmp_path: Path) -> None:
    """A typed output shape that drops the +1 AND keeps the input's channels names both mistakes, and the saved
    progress counts each (issue 10 §1: shape options that combine two mistakes)."""
    seed, q = first_where("output-shape", 1, lambda q: any(d.second for d in q.parts[0].distractors))
    both = next(d for d in q.parts[0].distractors if d.second)
    first, second = (next(m for m in CATALOGUE if m.id == mid) for mid in (both.misconception, both.second))
    run = drill("--seed", str(seed), "--kind", "output-shape", "--difficulty", "1", "--count", "1",
                answers="x".join(map(str, both.value)) + "\n", data=tmp_path)
    out = flat(run.stdout)
    assert "two known mistakes made together" in out
    assert f"[{first.id}]" in out and f"[{second.id}]" in out
    convention = q.parts[0].target.convention  # level 1: one 2D convolution
    assert flat(first.explain(convention, 2)) in out and flat(second.explain(convention, 2)) in out
    assert saved(tmp_path)["misconceptions"] == {first.id: 1, second.id: 1}
