"""Fit the strategy prices of quizgen/engine/prices.py and rewrite its FITTED table.

Run: python scripts/fit_prices.py [--rounds 8] [--count 300]
For every kind with numeric multiple-choice answers and each of its difficulties, generates sets
(table style and PyTorch code, on seeds no test uses), measures how often each blind strategy of
quizgen.audit.STRATEGIES finds the answer, and raises the price of the strategies right more often
than chance (lowers the others), round after round. Re-run it when the catalogue of
misconceptions or the samplers change; tests/test_balance.py says when it is due.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

from quizgen.audit import STRATEGIES, audit
from quizgen.engine import prices
from quizgen.engine.generate import Options, iter_questions
from quizgen.engine.kinds import KINDS

FITTED_KINDS = ("conv-params", "layer-params", "total-params", "flatten-size", "dense-after-flatten",
                "reverse-filters", "reverse-kernel", "memory-footprint", "macs", "receptive-field", "trainable-split",
                "spot-the-error", "output-shape")
STYLES = (("table", 2), ("pytorch", 1))  # style, share of the count
SEED = 90210  # tests/test_balance.py checks on other seeds
CHANCE = 0.25
RATE = 2.5  # how far one round moves a price: × e^(RATE × (share − chance))
LIMITS = (0.05, 40.0)
TABLE = Path(prices.__file__)


def shares(kind: str, difficulty: int, count: int, round_: int) -> dict[str, float]:
    total = sum(w for _, w in STYLES)
    questions = []
    for style, weight in STYLES:
        options = Options((kind,), (difficulty,), style=style)
        n = count * weight // total
        questions += [q.to_json() for q in iter_questions(SEED + round_, n, options, repeats=True)]
    (k,) = audit({"questions": questions}).kinds
    return k.strategies


def write(table: dict[tuple[str, int], tuple[float, ...]]) -> None:
    rows = "".join(f"    {key!r}: ({', '.join(f'{p:g}' for p in values)}),\n" for key, values in sorted(table.items()))
    text = TABLE.read_text()
    text = re.sub(r"(FITTED: dict\[.*?\] = \{\n).*?(^\}\n)", lambda m: m.group(1) + rows + m.group(2), text,
                  flags=re.DOTALL | re.MULTILINE)
    TABLE.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--kind", action="append", help="fit only these kinds (the others keep their prices)")
    args = ap.parse_args()
    for kind in args.kind or FITTED_KINDS:
        for difficulty in KINDS[kind].difficulties:
            key = (kind, difficulty)
            current = list(prices.FITTED.get(key, prices.EVEN_PRICES))
            for round_ in range(args.rounds):
                prices.FITTED[key] = tuple(current)
                got = shares(kind, difficulty, args.count, round_)
                worst = max(got.items(), key=lambda kv: kv[1])
                print(f"{kind} d{difficulty} round {round_}: ranks "
                      + " ".join(f"{got[s]:.0%}" for s in STRATEGIES[:4]) + f", worst {worst[1]:.0%} {worst[0]}",
                      file=sys.stderr)
                current = [min(max(p * math.exp(RATE * (got[s] - CHANCE)), LIMITS[0]), LIMITS[1])
                           for p, s in zip(current, STRATEGIES)]
                scale = sum(current) / len(current)  # only the ratios matter: keep the mean at 1
                current = [round(p / scale, 2) for p in current]
            prices.FITTED[key] = tuple(current)
            write(prices.FITTED)


if __name__ == "__main__":
    main()
