"""Item statistics of a problem set: could a student who never computes beat chance?

Reads only the JSON contract (schema/problem-set.schema.json), so it judges any set, whoever made
it. Per kind: where the answer sits among the sorted options, how well each blind strategy
(pick the smallest, the upper end of the closest pair, the one nearest the geometric mean, ...)
scores, which misconceptions the options show, how many are near-miss fillers or far off, and
duplicates. `Audit.failures` lists every goal a kind falls short of; the CLI exits 1 on any.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizgen.errors import QuizgenError

RANK_GOAL = (0.15, 0.35)  # each sorted rank holds the answer this often (chance: 1/4)
STRATEGY_GOAL = 0.35  # no blind strategy right more often
NEAR_MISS_GOAL = 0.10  # near-miss fillers among the shown options, at most
FAR = 30  # an option this many times off the answer (either way) is an easy elimination
# Far options among the shown ones that are not the asked layer's signature mistake (a distractor marked
# "signature", such as a conv counted once per output position: the one kind that may lie far off), at most.
FAR_GOAL = 0.05
MIN_PARTS = 50  # fewer numeric multiple-choice parts of a kind than this: reported, not judged
NAMED_QUANTITIES = ("layer_name", "step")  # options that name a layer or row: no misconception values

STRATEGIES = (  # what a student who never computes might pick; the first four are the sorted ranks
    "smallest", "second smallest", "second largest", "largest",
    "lower end of the closest pair", "upper end of the closest pair",
    "lower end of the closest pair by ratio", "upper end of the closest pair by ratio",
    "nearest the mean", "nearest the geometric mean", "nearest the middle of the range",
    "nearest the median (least total distance)", "nearest the median by ratio", "the most isolated",
    "the shape sharing the most axes with the others",  # shapes only: the "convergence" cue of test-wiseness
)
# Cues in the digits, not in the sizes: a filter count is a round number, while a slip's rounded quotient is
# any whole number; a receptive field after a 2×2 pool is often 4 or 8. Reported, not judged: whether a
# student would take the roundest option for the answer depends on the quantity. Where one told, the kind is
# asked without options (reverse-filters) or its options are chosen against it (`prices.DIGIT_PRICES`).
NUMBER_CUES = ("most factors of two", "most trailing zeros")


def _share(scores: Sequence[float], answer: int, best: Callable[..., float] = min) -> float:
    """1 / (number of ties) if the answer scores best, else 0: a tie is settled by a fair coin."""
    target = best(scores)
    tolerance = 1e-12 * max(1.0, abs(target))
    if abs(scores[answer] - target) > tolerance:
        return 0.0
    return 1 / len([x for x in scores if abs(x - target) <= tolerance])


def _closest_pair(scale: Sequence[float], order: list[int], position: int) -> tuple[float, float]:
    """How often the lower and the upper end of the closest pair of sorted options is the answer (the
    option at sorted `position`); ties between pairs are settled by a fair coin."""
    gaps = [scale[j] - scale[i] for i, j in itertools.pairwise(order)]
    least = min(gaps)
    tolerance = 1e-12 * max(1.0, abs(least))
    pairs = [j for j, g in enumerate(gaps) if g - least <= tolerance]
    return (position in pairs) / len(pairs), (position - 1 in pairs) / len(pairs)


def magnitude(value: Any) -> float:
    """What a blind student compares options by: the number, or a shape's count of values."""
    return float(math.prod(value)) if isinstance(value, list) else float(value)


def hits(values: Sequence[float], answer: int, shapes: Sequence[Sequence[int]] | None = None) -> dict[str, float]:
    """How often each strategy picks the answer (values[answer]) among the options `values`
    (for shapes: their magnitudes, with the shapes themselves in `shapes`)."""
    return dict(zip(STRATEGIES, shares(values, answer, shapes)))


def shares(values: Sequence[float], answer: int, shapes: Sequence[Sequence[int]] | None = None) -> Iterator[float]:
    """`hits`' shares in the order of STRATEGIES, each computed when it is asked for.

    Called for every candidate set of options while a question is made (tens of times per question),
    so written for speed: the cheap shares come first (the ranks, the closest pairs), those that compare
    every pair of options last, and `choose_shown` stops asking once a set cannot win. Each sum adds the
    same numbers in the same order as the plain definition, so the shares are the same to the bit."""
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    position = order.index(answer)
    yield from (float(position == 0), float(position == 1), float(position == n - 2), float(position == n - 1))
    yield from _closest_pair(values, order, position)
    logs = [math.log(v) if v > 0 else -20.0 for v in values]
    yield from _closest_pair(logs, order, position)
    mean, log_mean, middle = sum(values) / n, sum(logs) / n, (values[order[0]] + values[order[-1]]) / 2
    yield _share([abs(v - mean) for v in values], answer)
    yield _share([abs(x - log_mean) for x in logs], answer)
    yield _share([abs(v - middle) for v in values], answer)
    yield _share([sum([abs(v - w) for w in values]) for v in values], answer)  # the least total distance: the median
    log_apart = [[abs(x - y) for y in logs] for x in logs]
    yield _share([sum(row) for row in log_apart], answer)
    # the distance by ratio to the nearest other option
    yield _share([min(row[:i] + row[i + 1:]) for i, row in enumerate(log_apart)], answer, max)
    yield _convergence(shapes, answer) if shapes is not None else 0.0


def _factors(n: int, base: int) -> int:
    """How many times `base` divides n (none for 0, which every power divides)."""
    count = 0
    while n and n % base == 0:
        n //= base
        count += 1
    return count


def number_cues(values: Sequence[int], answer: int) -> dict[str, float]:
    """How often each of NUMBER_CUES picks the answer (values[answer]) among whole, positive options."""
    return {name: _share([_factors(v, base) for v in values], answer, max)
            for name, base in zip(NUMBER_CUES, (2, 10))}


def _convergence(shapes: Sequence[Sequence[int]], answer: int) -> float:
    """The "convergence" cue: the option whose axes most often equal the same axis of another option
    (of its rank). Counted axis by axis among the options of each rank; an option's own axes are taken off."""
    ranks: dict[int, list[Sequence[int]]] = {}
    for shape in shapes:
        ranks.setdefault(len(shape), []).append(shape)
    axes = {rank: list(zip(*group)) for rank, group in ranks.items()}
    return _share([sum([axis.count(n) for axis, n in zip(axes[len(a)], a)]) - len(a) for a in shapes], answer, max)


@dataclass
class KindAudit:
    """The statistics of one kind; shares are fractions of `parts` (or of `shown` options)."""

    kind: str
    questions: int = 0
    parts: int = 0  # numeric multiple-choice parts: ranks and strategies are taken over these
    ranks: list[float] = field(default_factory=list)  # rank counts (0 = smallest), then shares
    strategies: dict[str, float] = field(default_factory=dict)
    number_parts: int = 0  # of `parts`, those whose options are all whole and positive: NUMBER_CUES' base
    number_cues: dict[str, float] = field(default_factory=dict)
    shown: int = 0  # shown wrong options, over every multiple-choice part
    misconceptions: Counter[str] = field(default_factory=Counter)
    near_misses: int = 0
    named: bool = False  # options name layers or rows: near-miss fillers by nature
    far: int = 0  # shown options ≥ FAR× off the answer
    far_signature: int = 0  # of which marked as the asked layer's signature mistake
    duplicate_questions: int = 0
    duplicate_options: int = 0

    @property
    def judged(self) -> bool:
        return self.parts >= MIN_PARTS

    @property
    def best(self) -> tuple[str, float] | None:
        return max(self.strategies.items(), key=lambda kv: kv[1]) if self.strategies else None

    @property
    def near_miss_share(self) -> float:
        return self.near_misses / self.shown if self.shown else 0.0

    @property
    def far_share(self) -> float:
        return self.far / self.shown if self.shown else 0.0

    @property
    def far_unmarked_share(self) -> float:
        """Far options that are not the asked layer's signature mistake: easy eliminations."""
        return (self.far - self.far_signature) / self.shown if self.shown else 0.0

    @property
    def top_misconceptions(self) -> list[tuple[str, int]]:
        return sorted(self.misconceptions.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def failures(self) -> list[str]:
        """Each goal this kind falls short of, as one sentence."""
        out = []
        if self.duplicate_options:
            out.append(f"{self.duplicate_options} question(s) show the same value twice")
        if self.duplicate_questions:
            out.append(f"{self.duplicate_questions} question(s) repeat an earlier one")
        if not self.judged:
            return out
        names = ("smallest", "second smallest", "second largest", "largest")
        for name, share in zip(names, self.ranks):
            if not RANK_GOAL[0] <= share <= RANK_GOAL[1]:
                out.append(f"the answer is the {name} option in {share:.0%} of {self.parts} questions "
                           f"(goal {RANK_GOAL[0]:.0%}–{RANK_GOAL[1]:.0%})")
        best = self.best
        if best and best[1] > STRATEGY_GOAL:
            out.append(f"picking '{best[0]}' blindly is right {best[1]:.0%} of the time (goal ≤ {STRATEGY_GOAL:.0%})")
        if not self.named and self.near_miss_share > NEAR_MISS_GOAL:
            out.append(f"{self.near_miss_share:.0%} of the shown options are near-miss fillers "
                       f"(goal ≤ {NEAR_MISS_GOAL:.0%})")
        if self.far_unmarked_share > FAR_GOAL:
            out.append(f"{self.far_unmarked_share:.0%} of the shown options are ≥{FAR}× off the answer and not the "
                       f"asked layer's signature mistake (goal ≤ {FAR_GOAL:.0%})")
        return out


@dataclass
class Audit:
    """A set's audit: one `KindAudit` per kind."""

    questions: int
    kinds: list[KindAudit]

    @property
    def failures(self) -> list[str]:
        return [f"{k.kind}: {f}" for k in self.kinds for f in k.failures]


def _number(value: Any) -> bool:
    # The type test first: times_off runs for every option of every set choose_shown weighs.
    return type(value) in (int, float) or isinstance(value, int | float) and not isinstance(value, bool)


def _shape(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_number(v) and v > 0 for v in value)


def shown_values(part: dict[str, Any]) -> list[tuple[Any, dict[str, Any] | None]]:
    """The options a multiple-choice part shows, in order: (value, distractor or None for the answer)."""
    return [(part["answer"], None) if i == 0 else (part["distractors"][i - 1]["value"], part["distractors"][i - 1])
            for i in part["option_order"]]


def times_off(value: Any, answer: Any) -> float:
    """How many times off the answer an option is (1 when either is not a positive number)."""
    if not (_number(value) and _number(answer)) or value <= 0 or answer <= 0:
        return 1.0
    return max(value / answer, answer / value)


def _check(doc: Any) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        raise QuizgenError("not a quizgen problem set: expected a JSON object with a 'questions' list")
    for n, q in enumerate(doc["questions"], 1):
        try:
            assert isinstance(q["kind"], str) and isinstance(q["parts"], list)
            for p in q["parts"]:
                order, distractors = p["option_order"], p["distractors"]
                assert all(isinstance(i, int) and 0 <= i <= len(distractors) for i in order)
                assert all("value" in d and "misconception" in d for d in distractors)
                assert "answer" in p
        except (AssertionError, KeyError, TypeError):
            raise QuizgenError(f"question {n} does not follow the problem-set format "
                               "(kind, parts with answer, distractors and option_order)") from None
    return doc["questions"]


def audit(doc: Any) -> Audit:
    """The statistics of a problem set (a parsed JSON document)."""
    questions = _check(doc)
    by_kind: dict[str, KindAudit] = {}
    seen: set[str] = set()
    for q in questions:
        k = by_kind.setdefault(q["kind"], KindAudit(q["kind"]))
        k.questions += 1
        key = json.dumps([q["kind"], q.get("stack"), [p.get("target") for p in q["parts"]]], sort_keys=True)
        k.duplicate_questions += key in seen
        seen.add(key)
        if not q.get("multiple_choice", True):
            continue
        for p in q["parts"]:
            options = shown_values(p)
            if not options:
                continue
            values = [v for v, _ in options]
            k.duplicate_options += len({json.dumps(v) for v in values}) < len(values)
            k.named = k.named or (p.get("target") or {}).get("quantity") in NAMED_QUANTITIES
            for v, d in options:
                if d is None:
                    continue
                k.shown += 1
                if d.get("near_miss") or d["misconception"] == "near-miss":
                    k.near_misses += 1
                else:  # a value two mistakes make together shows both
                    k.misconceptions.update(filter(None, (d["misconception"], d.get("second_misconception"))))
                far = times_off(v, p["answer"]) >= FAR
                k.far += far
                k.far_signature += far and bool(d.get("signature"))
            shapes = all(_shape(v) for v in values)
            if (shapes or all(_number(v) for v in values)) and len(values) > 1:
                k.parts += 1
                if not k.ranks:
                    k.ranks = [0.0] * len(values)
                answer_index = [d is None for _, d in options].index(True)
                sizes = [magnitude(v) for v in values]
                rank = sorted(range(len(values)), key=lambda i: sizes[i]).index(answer_index)
                if rank < len(k.ranks):
                    k.ranks[rank] += 1
                for name, share in hits(sizes, answer_index, values if shapes else None).items():
                    k.strategies[name] = k.strategies.get(name, 0.0) + share
                if all(type(v) is int and v > 0 for v in values):
                    k.number_parts += 1
                    for name, share in number_cues(values, answer_index).items():
                        k.number_cues[name] = k.number_cues.get(name, 0.0) + share
    for k in by_kind.values():
        if k.parts:
            k.ranks = [r / k.parts for r in k.ranks]
            k.strategies = {name: s / k.parts for name, s in k.strategies.items()}
        if k.number_parts:
            k.number_cues = {name: s / k.number_parts for name, s in k.number_cues.items()}
    return Audit(len(questions), sorted(by_kind.values(), key=lambda k: k.kind))
