"""quizgen's cost in instructions executed: the same figure on every run, however busy the machine.

Run: python benchmarks/instructions.py [--count 100] [--formats json moodle-plain ...] [--no-startup]

Seconds on a shared machine are noisy: one build of quizgen, timed ten times in a row on the
project's 2-CPU machine, took 1.35 to 2.20 ms a question, so a change that saves 2% cannot be seen
in them. The number of machine instructions a run executes hardly moves (runs agree to a few in
ten thousand), so this script counts them with valgrind's callgrind. A row's figure is
(instructions of COUNT questions − instructions of one question) / (COUNT − 1): start-up cancels
out, and what is left is the cost of one more question. The rows are those of bench.py (the same
commands, seed and default mix, the floor's hand-written f-string generator among them); the
start-up rows count whole runs of a command, against a bare `python -c pass`. valgrind runs a
program about 50 times slower, so each row takes 10–30 s at the default count.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import ENV, FLOOR, FORMATS, GENERATE_ONLY, IMPORT_FLOORS, QUIZGEN, generate_command, row

# PYTHONHASHSEED fixed: set iteration order, and so the instructions, the same on every run.
COUNTED_ENV = ENV | {"PYTHONHASHSEED": "0", "NO_COLOR": "1"}
DEFAULT_ROWS = ["json", "md", "moodle", "moodle-plain"]


def instructions(args: list[str], stdin: bytes = b"") -> int:
    """The instructions a child process executes (its whole run), as callgrind counts them."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args]
    done = subprocess.run(command, input=stdin, capture_output=True, env=COUNTED_ENV, check=False)
    found = re.search(rb"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr.decode()[-2000:]}")
    return int(found.group(1))


def per_question(count: int, make: Callable[[int], list[str]]) -> float:
    """Millions of instructions one more question costs; `make(n)` is the command for n questions."""
    many, one = (instructions(make(n)) for n in (count, 1))
    return (many - one) / (count - 1) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="questions per row (default 100)")
    parser.add_argument("--formats", nargs="*", choices=list(FORMATS), default=DEFAULT_ROWS,
                        help=f"format rows (default: {' '.join(DEFAULT_ROWS)}; the option alone: none)")
    parser.add_argument("--no-startup", action="store_true", help="leave out the start-up rows")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("instructions.py: valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        raise SystemExit(2)
    if args.count < 2:
        print("instructions.py: --count must be at least 2", file=sys.stderr)
        raise SystemExit(2)
    print(f"quizgen in instructions: {args.count} questions a row against 1, seed 7, default mix; "
          f"Python {sys.version.split()[0]}\n")
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "set")
        # Compiled bytecode and every row's templates first, as any earlier run leaves them: compiling is no
        # question's cost (uncompiled, a format counted a quarter to a half more a question: HTML 20.7 M, then 13.4 M).
        for name in args.formats:
            subprocess.run(generate_command(20, out, FORMATS[name][1]), env=ENV, check=True, capture_output=True)
        subprocess.run([*QUIZGEN, "drill", "--seed", "7", "--no-save"], input=b"quit\n", env=ENV, check=True,
                       capture_output=True)
        floor = per_question(args.count, lambda n: [sys.executable, "-c", FLOOR, str(n), out])
        print(row("what", "M instructions a question", "× floor"))
        print(row("---", "---:", "---:"))
        print(row("f-string floor (one kind, Moodle XML)", f"{floor:.3f}", "1.0"), flush=True)
        rows = [("generate only", lambda n: [sys.executable, "-c", GENERATE_ONLY.format(count=n, diagram=False)])]
        rows += [(FORMATS[name][0], lambda n, extra=FORMATS[name][1]: generate_command(n, out, extra))
                 for name in args.formats]
        for label, make in rows:
            cost = per_question(args.count, make)
            print(row(label, f"{cost:.3f}", f"{cost / floor:.0f}"), flush=True)

    if args.no_startup:
        return
    print("\nstart-up (a whole run)\n")
    print(row("command", "M instructions", "× python -c pass"))
    print(row("---", "---:", "---:"))
    bare = instructions([sys.executable, "-c", "pass"])
    print(row("python -c pass", f"{bare / 1e6:.0f}", "1.0"))
    for code, what in IMPORT_FLOORS:
        count = instructions([sys.executable, "-c", code])
        print(row(f"python -c '{code}' ({what})", f"{count / 1e6:.0f}", f"{count / bare:.1f}"), flush=True)
    for label, extra, stdin in (("quizgen --help", ["--help"], b""), ("quizgen kinds", ["kinds"], b""),
                                ("quizgen generate --help", ["generate", "--help"], b""),
                                ("quizgen drill: first question, then quit", ["drill", "--seed", "7", "--no-save"],
                                 b"quit\n")):
        count = instructions([*QUIZGEN, *extra], stdin)
        print(row(label, f"{count / 1e6:.0f}", f"{count / bare:.1f}"), flush=True)


if __name__ == "__main__":
    main()
