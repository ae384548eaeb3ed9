"""Fit the strategy prices of quizgen/engine/prices.py and rewrite its FITTED table.

Run: python scripts/fit_prices.py [--rounds 8] [--count 300] [--kind K] [--difficulty D]
For every kind with numeric (or shape) multiple-choice answers, each of its difficulties, and each way
of showing a model (a table or prose; Keras or PyTorch code, which shows no shapes; Keras and PyTorch
code apart for the kinds of quizgen.engine.prices.BY_FRAMEWORK), generates sets on
seeds no test uses, measures how often each blind strategy of
quizgen.audit.STRATEGIES finds the answer, and raises the price of the strategies right more often
than chance (lowers the others; a sorted rank's may fall below zero, a reward), round after round. Re-run it when the catalogue of
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
                "memory-footprint", "macs", "receptive-field", "trainable-split",
                "spot-the-error", "output-shape")
STYLES = {False: ("table",), True: ("keras", "pytorch")}  # shown as code or not: the styles fitted on
SEED = 90210  # tests/test_balance.py checks on other seeds
CHANCE = 0.25
RATE = 2.5  # how far one round moves a price: × e^(RATE × (share − chance)); halved, on twice the count, at the end
FINE = 3  # the last rounds
LIMITS = (0.05, 40.0)
# A reward moves by REWARD_STEP × rate × excess a round: it weighs against the prices of the strategies that
# find the answer too often (up to about 10), so a step of the mean price's size would take many rounds.
REWARD_STEP = 4
RANKS = STRATEGIES[:4]  # the sorted ranks: each must hold the answer at least 15% of the time
TABLE = Path(prices.__file__)


def shares(kind: str, difficulty: int, styles: tuple[str, ...], count: int, round_: int) -> dict[str, float]:
    questions = []
    for style in styles:
        options = Options((kind,), (difficulty,), style=style)
        questions += [q.to_json() for q in iter_questions(SEED + round_, count // len(styles), options,
                                                          repeats=True)]
    (k,) = audit({"questions": questions}).kinds
    return k.strategies


def write(table: dict[tuple, tuple[float, ...]]) -> None:
    rows = "".join(f"    {key!r}: ({', '.join(f'{p:g}' for p in values)}),\n" for key, values in sorted(table.items()))
    text = TABLE.read_text()
    text = re.sub(r"(FITTED: dict\[.*?\] = \{\n).*?(^\}\n)", lambda m: m.group(1) + rows + m.group(2), text,
                  flags=re.DOTALL | re.MULTILINE)
    TABLE.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--count", type=int, default=240)
    ap.add_argument("--kind", action="append", help="fit only these kinds (the others keep their prices)")
    ap.add_argument("--difficulty", type=int, action="append", help="fit only these levels (the others keep theirs)")
    args = ap.parse_args()
    for kind in args.kind or FITTED_KINDS:
        for difficulty in args.difficulty or KINDS[kind].difficulties:
            for code in (False, True) if kind != "spot-the-error" else (False,):  # a table of rows in every style
                # Per framework, or one row for Keras and PyTorch code together (see prices.BY_FRAMEWORK).
                per_framework = code and kind in prices.BY_FRAMEWORK
                for styles in [(s,) for s in STYLES[code]] if per_framework else [STYLES[code]]:
                    fit(kind, difficulty, code, styles, args.rounds, args.count)
                if per_framework:
                    prices.FITTED.pop((kind, difficulty, code), None)  # each framework has its row now
                write(prices.FITTED)


def step(price: float, excess: float, rate: float, rank: bool) -> float:
    """A price after a round whose strategy was right `excess` more often than chance: moved by a factor, so
    that it stays positive, except a sorted rank's near and below zero, moved by a step that can take it
    below zero: a reward, so that the options put the answer at that rank more often (a rank the slips
    seldom leave room for, such as the largest where nearly every slip undercounts)."""
    moved = price * math.exp(rate * excess)
    if rank and (price <= 0 or moved < LIMITS[0]):
        return max(price + REWARD_STEP * rate * excess, -LIMITS[1])
    return min(max(moved, LIMITS[0]), LIMITS[1])


def fit(kind: str, difficulty: int, code: bool, styles: tuple[str, ...], rounds: int, count: int) -> None:
    shared = (kind, difficulty, code)
    key = shared + styles if styles != STYLES[code] else shared
    start = prices.FITTED.get(key) or prices.FITTED.get(shared) or prices.FITTED.get(key[:2] + (False,),
                                                                                     prices.EVEN_PRICES)
    current = [*start, *prices.EVEN_PRICES[len(start):]]  # a strategy added since the last fit starts at 1
    for round_ in range(rounds + FINE):
        fine = round_ >= rounds
        prices.FITTED[key] = tuple(current)
        got = shares(kind, difficulty, styles, count * (1 + fine), round_)
        worst = max(got.items(), key=lambda kv: kv[1])
        print(f"{kind} d{difficulty} {'+'.join(styles)} round {round_}: ranks "
              + " ".join(f"{got[s]:.0%}" for s in STRATEGIES[:4]) + f", worst {worst[1]:.0%} {worst[0]}",
              file=sys.stderr)
        rate = RATE / (1 + fine)
        current = [step(p, got[s] - CHANCE, rate, s in RANKS) for p, s in zip(current, STRATEGIES)]
        scale = sum(map(abs, current)) / len(current)  # only the ratios matter: keep the mean size at 1
        current = [round(p / scale, 2) for p in current]
    prices.FITTED[key] = tuple(current)


if __name__ == "__main__":
    main()
