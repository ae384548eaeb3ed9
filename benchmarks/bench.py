"""quizgen's speed in one table: every output format, the `--jobs` scaling, and start-up.

Run: python benchmarks/bench.py [--count 10000] [--large] [--formats json moodle ...] [--jobs-formats ...]
     [--no-startup]

Every figure is measured on a separate child process (the way a user runs quizgen), start-up
included:
- formats: `quizgen generate --seed 7 -n COUNT -f FORMAT` into a temporary folder. "cpu s" is the
  child's user + system CPU time (its worker processes included), the one-core cost; "q/s" is
  COUNT / cpu s; "× floor" is cpu s over the floor's; "peak MB" is the largest resident set of the
  process (or of a worker) during the run.
- the floor: a hand-written f-string generator of one question kind (conv-params: random layer,
  parameter count, three distractors) writing COUNT Moodle XML multiple-choice questions, run
  the same way in the same run. It is the yardstick the ratios are taken against, so that a
  noisy machine (the one this was written on is shared) still gives comparable numbers.
- "generate only": the questions made and dropped, no output: the difference to a format's row is
  the writing (templates, spool) share.
- `--jobs`: wall seconds of the same command with --jobs 1 and 2; the speed-up is their ratio.
  Their CPU seconds show what splitting the work costs (passing questions between processes):
  on a machine whose other core is busy, the wall times cannot show the second core's gain.
  `--large` runs these on 100,000 questions (the issue's figure), else on COUNT; their peak
  memory next to the format rows' shows that it stays flat as the set grows (streaming). The
  load average before and after them says how busy the machine was (other processes' work).
- start-up: the best wall time of several runs of each command (after one run that compiles the
  bytecode and the templates, as any earlier run has); drill's figure is the time until the first
  question's answer prompt is on its standard output.
No assertions: figures for the README and for spotting regressions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

QUIZGEN = [sys.executable, "-m", "quizgen"]
ROOT = Path(__file__).resolve().parent.parent
# This checkout's quizgen, with compiled bytecode as an installed one has (pip compiles it at install):
# a PYTHONDONTWRITEBYTECODE in the environment would time Python compiling quizgen's source instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
    "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
# GIFT has no Cloze: summary-table (always a typed table) is left out, shapes asked as choices.
GIFT_KINDS = "conv-params,layer-params,total-params,output-shape,flatten-size,dense-after-flatten"
# A format row: label, extra arguments to `quizgen generate`.
FORMATS: dict[str, tuple[str, list[str]]] = {
    "json": ("json", ["-f", "json"]),
    "md": ("md (key beside)", ["-f", "md"]),
    "html": ("html (diagrams)", ["-f", "html"]),
    "html-interactive": ("html --interactive", ["-f", "html", "--interactive"]),
    "moodle": ("moodle (diagrams)", ["-f", "moodle"]),
    "moodle-plain": ("moodle --no-diagram", ["-f", "moodle", "--no-diagram"]),
    "canvas": ("canvas zip (diagrams)", ["-f", "canvas"]),
    "gift": ("gift (no summary-table)", ["-f", "gift", "--moodle-type", "multichoice", "-k", GIFT_KINDS]),
    "anki": ("anki deck", ["-f", "anki"]),
    "pdf": ("pdf (Typst)", ["-f", "pdf"]),
}
DEFAULT_FORMATS = [f for f in FORMATS if f != "pdf"]  # typesetting 10,000 questions takes minutes
# Start-up rows that only import: what the drill cannot start without, whatever quizgen's own code does.
IMPORT_FLOORS = (("import jinja2", "templates alone"),
                 ("import jinja2, quizgen.engine.kinds", "templates and the engine: part of the drill's start"))

GENERATE_ONLY = """
import sys
from quizgen.engine.generate import Options, iter_questions
from quizgen.engine.kind_names import CORE_KINDS
for _ in iter_questions(7, {count}, Options(CORE_KINDS, (1, 2, 3), diagram={diagram})):
    pass
"""

# What one would write by hand for one kind: no templates, no misconception catalogue, no checks.
FLOOR = r'''
import random, sys
from html import escape
rng = random.Random(7)
out = open(sys.argv[2], "w", encoding="utf-8")
w = out.write
w('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="category"><category><text>$course$/quizgen/'
  'conv-params</text></category></question>\n')
for i in range(int(sys.argv[1])):
    filters, k = rng.choice((8, 16, 32, 64)), rng.choice((1, 3, 5))
    c, size = rng.choice((1, 3, 16, 32)), rng.choice((28, 32, 64))
    answer = (k * k * c + 1) * filters
    wrong = [("Forgot the bias", k * k * c * filters), ("Forgot the input channels", (k * k + 1) * filters),
             ("Counted the output size", answer * (size - k + 1) ** 2)]
    text = escape(f"A Conv2D layer with {filters} filters of size {k}×{k} reads a {size}×{size}×{c} input. "
                  "How many parameters does it have?")
    w(f'<question type="multichoice">\n<name><text>q{i + 1:05d} conv-params</text></name>\n'
      f'<questiontext format="html"><text><![CDATA[<p>{text}</p>]]></text></questiontext>\n'
      f'<generalfeedback format="html"><text><![CDATA[<p>({k}·{k}·{c} + 1)·{filters} = {answer:,}</p>]]></text>'
      '</generalfeedback>\n<single>true</single>\n<shuffleanswers>true</shuffleanswers>\n'
      f'<answer fraction="100" format="html"><text>{answer:,}</text><feedback format="html"><text>Correct.</text>'
      '</feedback></answer>\n')
    for why, value in wrong:
        w(f'<answer fraction="0" format="html"><text>{value:,}</text><feedback format="html"><text>'
          f'<![CDATA[<p>{escape(why)}.</p>]]></text></feedback></answer>\n')
    w("</question>\n")
w("</quiz>\n")
out.close()
'''


@dataclass(frozen=True)
class Run:
    cpu: float  # user + system seconds of the child and the processes it waited for
    wall: float
    peak_mb: float


def measure(args: list[str]) -> Run:
    """One child process; fails loudly if it fails (a benchmark of an error is no benchmark)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(args)}\n{error}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)  # ru_maxrss: KiB on Linux


def generate_command(count: int, out: str, extra: list[str], jobs: int = 1) -> list[str]:
    """A format row's command: `count` questions of the default mix, seed 7, into `out`."""
    return [*QUIZGEN, "generate", "--seed", "7", "-n", str(count), "-q", "--force", "--jobs", str(jobs),
            "-o", out, *extra]


def generate(folder: str, count: int, extra: list[str], jobs: int = 1) -> Run:
    return measure(generate_command(count, str(Path(folder) / "set"), extra, jobs))


def best_wall(args: list[str], repeat: int) -> float:
    return min(measure(args).wall for _ in range(repeat))


def drill_first_question(repeat: int) -> float:
    """Wall seconds from starting `quizgen drill` to its first answer prompt ("> ") on stdout."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        child = subprocess.Popen([*QUIZGEN, "drill", "--seed", "7", "--no-save"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**ENV, "NO_COLOR": "1"})
        seen = b""
        while not seen.endswith(b"> "):
            piece = child.stdout.read1(4096)
            if not piece:
                raise SystemExit("quizgen drill ended before its first question")
            seen += piece
        times.append(time.perf_counter() - start)
        child.communicate(b"quit\n")
    return min(times)


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="questions per format row (default 10,000)")
    parser.add_argument("--large", action="store_true", help="the --jobs rows on 100,000 questions")
    parser.add_argument("--formats", nargs="*", choices=list(FORMATS), default=DEFAULT_FORMATS,
                        help="format rows to run (default: all but pdf; the option alone, naming none: just "
                             "the floor and the --jobs rows)")
    parser.add_argument("--jobs-formats", nargs="*", choices=list(FORMATS), default=["json", "moodle"],
                        help="formats of the --jobs rows (default: json moodle; the option alone: no --jobs rows)")
    parser.add_argument("--no-startup", action="store_true", help="leave out the start-up rows")
    parser.add_argument("--repeat", type=int, default=7, help="runs per start-up figure, the best kept")
    args = parser.parse_args()
    count = args.count
    formats = [f for f in args.formats if f != "anki" or _has("genanki")]
    print(f"quizgen benchmark: {count:,} questions, seed 7, default mix; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory() as folder:
        floor = measure([sys.executable, "-c", FLOOR, str(count), str(Path(folder) / "floor.xml")])
        print(row("what", "cpu s", "q/s", "× floor", "peak MB"))
        print(row("---", "---:", "---:", "---:", "---:"))

        def line(label: str, run: Run) -> None:
            print(row(label, f"{run.cpu:.2f}", f"{count / run.cpu:,.0f}", f"{run.cpu / floor.cpu:.1f}",
                      f"{run.peak_mb:.0f}"), flush=True)

        line("f-string floor (one kind, Moodle XML)", floor)
        for diagram in (False, True):
            code = GENERATE_ONLY.format(count=count, diagram=diagram)
            line(f"generate only{' (diagrams drawn)' if diagram else ''}", measure([sys.executable, "-c", code]))
        for name in formats:
            label, extra = FORMATS[name]
            line(label, generate(folder, count, extra))

        if args.jobs_formats:
            jobs(folder, 100_000 if args.large else count, args.jobs_formats)

    if args.no_startup:
        return
    print(f"\nstart-up (best wall time of {args.repeat} runs)\n")
    print(row("command", "ms", "× python -c pass"))
    print(row("---", "---:", "---:"))
    bare = best_wall([sys.executable, "-c", "pass"], args.repeat)
    print(row("python -c pass", f"{bare * 1000:.0f}", "1.0"))
    for code, what in IMPORT_FLOORS:
        seconds = best_wall([sys.executable, "-c", code], args.repeat)
        print(row(f"python -c '{code}' ({what})", f"{seconds * 1000:.0f}", f"{seconds / bare:.1f}"))
    for label, extra in (("quizgen --version", ["--version"]), ("quizgen --help", ["--help"]),
                         ("quizgen generate --help", ["generate", "--help"]),
                         ("quizgen exam --help", ["exam", "--help"]), ("quizgen kinds", ["kinds"])):
        seconds = best_wall([*QUIZGEN, *extra], args.repeat)
        print(row(label, f"{seconds * 1000:.0f}", f"{seconds / bare:.1f}"))
    seconds = drill_first_question(args.repeat)
    print(row("quizgen drill: first question shown", f"{seconds * 1000:.0f}", f"{seconds / bare:.1f}"))


def jobs(folder: str, count: int, formats: list[str]) -> None:
    """The `--jobs` rows: each format with --jobs 1 and 2, wall and CPU seconds, peak memory."""
    print(f"\n`--jobs` ({count:,} questions; wall seconds, the machine's {os.cpu_count()} CPUs; "
          f"load average {_load()} before)\n")
    print(row("format", "--jobs 1", "--jobs 2", "speed-up", "cpu s (1)", "cpu s (2)", "peak MB (1)", "peak MB (2)"))
    print(row("---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"))
    for name in formats:
        one, two = (generate(folder, count, FORMATS[name][1], jobs) for jobs in (1, 2))
        print(row(FORMATS[name][0], f"{one.wall:.2f}", f"{two.wall:.2f}", f"{one.wall / two.wall:.2f}×",
                  f"{one.cpu:.2f}", f"{two.cpu:.2f}", f"{one.peak_mb:.0f}", f"{two.peak_mb:.0f}"), flush=True)
    print(f"\nload average {_load()} after")


def _load() -> str:
    """The 1-minute load average: about 1 per busy CPU, ours included."""
    return f"{os.getloadavg()[0]:.1f}"


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


if __name__ == "__main__":
    main()
