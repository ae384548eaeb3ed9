"""Where making a question spends its time: the engine's stages, in µs a question and as shares.

Run: python benchmarks/stages.py [--count 4000], where quizgen is installed (the .venv of scripts/test.sh)

bench.py and instructions.py time whole runs; this splits `iter_questions` (the default mix, seed 7,
no diagrams: bench.py's "generate only" row) into its stages by wrapping each stage's entry point
with a CPU-time counter:
- choosing the stack: a question's kind, difficulty and stack, drawn until the set has no such question yet
  (`Unseen.choose`: sampling, building and checking the stack, the duplicate check);
- replays: each misconception that applies, replayed over the stack (`Analysis.__init__`);
- candidates: every wrong value the replays give, pairs of mistakes replayed together, and each
  value's title and feedback (`Analysis.candidates`);
- choosing the options: which wrong values to show, scored against the blind strategies
  (`choose_shown`);
- the rest: answers, solution steps, near-miss fillers, the option order, the question records.
The counters cost about 2 µs a call, five calls a question: under 1% of it. Shares move less than the
microseconds from run to run on a busy machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from quizgen.engine import generate, kinds
from quizgen.engine.kind_names import CORE_KINDS

STAGES = (  # label, the object holding the stage's function, its name there
    ("choosing the stack (Unseen.choose)", generate.Unseen, "choose"),
    ("replays (Analysis.__init__)", kinds.Analysis, "__init__"),
    ("candidates (Analysis.candidates)", kinds.Analysis, "candidates"),
    ("choosing the options (choose_shown)", kinds, "choose_shown"),
)


def counted(spent: Counter[str], label: str, function: Callable[..., Any], running: list[str]) -> Callable[..., Any]:
    """`function`, its CPU time added to `spent[label]`; a stage that another one calls (spot-the-error builds
    its stack's replays while the stack is chosen) counts as the calling stage's time, so no time counts twice."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if running:
            return function(*args, **kwargs)
        running.append(label)
        start = time.process_time_ns()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time_ns() - start
            running.pop()
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000, help="questions (default 4,000)")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    spent: Counter[str] = Counter()
    running: list[str] = []
    for label, owner, name in STAGES:
        setattr(owner, name, counted(spent, label, getattr(owner, name), running))
    options = generate.Options(CORE_KINDS, (1, 2, 3), diagram=False)
    start = time.process_time_ns()
    for _ in generate.iter_questions(7, args.count, options):
        pass
    total = time.process_time_ns() - start
    rows = [(label, spent[label]) for label, _, _ in STAGES]  # in STAGES' order, whichever finished first
    rows += [("the rest", total - sum(spent.values())), ("all", total)]
    print(f"making {args.count:,} questions, seed 7, default mix; Python {sys.version.split()[0]}\n")
    print("| stage | µs a question | share |\n| --- | ---: | ---: |")
    for label, ns in rows:
        print(f"| {label} | {ns / args.count / 1000:,.0f} | {ns / total:.0%} |")


if __name__ == "__main__":
    main()
