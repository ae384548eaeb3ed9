"""Throughput and memory of question generation, and CLI start-up time.

Run: python benchmarks/generate_bench.py [--count 10000]
Reports CPU seconds and questions per second for N mixed questions written as JSON, the peak
resident memory of that run, and `quizgen --version` / `--help` start-up next to `python -c pass`.
No assertions: figures for the closing notes and for spotting regressions.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

RUN = """
import resource, time
from quizgen.engine.generate import Options, dump_json, iter_questions, set_header
from quizgen.engine.kinds import {kinds}
options = Options(tuple({kinds}), (1, 2, 3))
start = time.process_time()
size = 0
for chunk in dump_json(set_header(7, options), iter_questions(7, {count}, options)):
    size += len(chunk)
cpu = time.process_time() - start
print(cpu, size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def startup(args: list[str], repeat: int = 15) -> float:
    """Best wall time of `repeat` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    runs = {}
    for kinds in ("CORE_KINDS", "KINDS"):  # the default mix, and every kind
        out = subprocess.run([sys.executable, "-c", RUN.format(count=count, kinds=kinds)], capture_output=True,
                             text=True, check=True).stdout.split()
        cpu, size, rss_kib = float(out[0]), int(out[1]), int(out[2])
        runs["default mix" if kinds == "CORE_KINDS" else "all kinds"] = {
            "cpu_seconds": round(cpu, 3), "questions_per_second": round(count / cpu),
            "microseconds_per_question": round(cpu / count * 1e6, 1), "json_megabytes": round(size / 1e6, 1),
            "peak_rss_megabytes": round(rss_kib / 1024, 1)}
    bare = startup([sys.executable, "-c", "pass"])
    version = startup([sys.executable, "-m", "quizgen", "--version"])
    help_ms = startup([sys.executable, "-m", "quizgen", "generate", "--help"])
    report = {
        "questions": count,
        **runs,
        "startup_ms": {"python -c pass": round(bare, 1), "quizgen --version": round(version, 1),
                       "quizgen generate --help": round(help_ms, 1)},
        "startup_ratio_version": round(version / bare, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
