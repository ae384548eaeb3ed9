"""Peak memory of `quizgen generate` as the set grows: it should stay flat (the set is streamed).

Run: python benchmarks/memory_bench.py [--counts 4000 40000] [--formats json md html moodle]
Each run is a separate `quizgen generate` process writing to a temporary folder; the figure is
its peak resident set size (ru_maxrss). No assertions: numbers for reports and regressions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def peak_rss(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one child process (ru_maxrss is in KiB on Linux)."""
    start = time.perf_counter()
    pid = subprocess.Popen(args, stdout=subprocess.DEVNULL).pid
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[4000, 40000])
    parser.add_argument("--formats", nargs="+", default=["json", "md", "html", "moodle"])
    args = parser.parse_args()
    print(f"{'format':<8}" + "".join(f"{n:>12,} q" for n in args.counts))
    with tempfile.TemporaryDirectory() as folder:
        for fmt in args.formats:
            cells = []
            for count in args.counts:
                out = os.path.join(folder, f"set-{fmt}-{count}")
                mb, _ = peak_rss([sys.executable, "-m", "quizgen", "generate", "--seed", "7", "-n", str(count),
                                  "-f", fmt, "-o", out, "-q", "--force"])
                cells.append(f"{mb:>11.0f} MB")
            print(f"{fmt:<8}" + " ".join(cells), flush=True)


if __name__ == "__main__":
    main()
