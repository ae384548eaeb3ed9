"""`--jobs N`: a set's questions made by N worker processes, merged in order, byte-identical to one.

Question i's candidate seeds depend on the set's seed and i alone (`generate.draws`), so workers
can make blocks of questions independently. The one link between questions is the duplicate
check: question i takes the first candidate whose question is not already in the set. So a
block goes through the workers twice. First they build each question's stacks (a tenth of the
work) from its fitting candidates in turn, until one is new to the set as far as the worker
knows (the parent sends each worker the keys it has added since that worker's last block), and
return their keys; the parent walks the blocks in set order with the whole set's keys and keeps
the first candidate whose key is new, exactly as `iter_questions` does, drawing further itself
only where the worker's knowledge was stale. Then the workers make the block's questions from
the chosen seeds, and the parent hands them out in order. Only a few blocks are in flight at a
time, so memory stays flat however large the set.

Two things keep the parent's share and the extra work small (on two CPUs, 5% more work in all
turns 2× into 1.9×). Both of a block's tasks go to the same worker (each worker is a pool of one
process), which keeps the stacks its first task built for the second: a question is built once,
as in one process. And where writing a question needs nothing but the question (JSON's line, a
Moodle bank's question), `Workers.encoded` has the workers write it too: the parent then only
joins strings instead of unpickling and rendering every question.

Workers ignore Ctrl-C (the terminal sends it to all of them): the parent is interrupted, stops
them, and its `FileGroup` leaves no file behind.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from quizgen.engine.generate import QUICK_ATTEMPTS, Options, Unseen, draws, iter_questions, question_digest, question_id
from quizgen.engine.kinds import assemble, choose

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from quizgen.engine.kinds import Built, Kind
    from quizgen.engine.question import Question
    from quizgen.engine.sampling import ConstrainedRandom

BLOCK = 100  # questions per task at most: large enough that a task's overhead is small
IN_FLIGHT = 3  # blocks per worker queued or finished but not yet merged: keeps memory flat
SPARE = QUICK_ATTEMPTS // 2  # candidates keyed per question at most: those `Unseen.choose` tries of its kind

# In a worker: what its `_keys` built for question i of a run (a `Workers._made` call): by candidate
# seed, the picker past the structural choices, kind, difficulty and stack; taken by `_make` of the
# same block, so a kept candidate is not built twice. It holds the blocks between a worker's two tasks: a
# few hundred questions at most.
_built: dict[tuple[int, int], dict[int, tuple[ConstrainedRandom, Kind, int, Built]]] = {}
_known: dict[int, set[bytes]] = {}  # in a worker: the keys of its run's set it was sent (~8 MB per 100,000)
_runs = itertools.count()  # in the parent


def parse_jobs(text: str) -> int:
    """`--jobs`'s value: a whole number ≥ 1, or auto (the CPUs this process may run on)."""
    if text == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"expected a whole number of processes ≥ 1, or auto; got {text!r}")
    return int(text)


def _keys(run: int, seed: int, options: Options, start: int, stop: int,
          merged: list[bytes]) -> list[list[tuple[int, bytes]]]:
    """A worker's first task for a block: each question's fitting candidate seeds, in draw order,
    with the keys of the questions they stand for (only the stack is built: a tenth of a
    question's cost), up to the first that repeats no question the worker knows of: `merged`
    (the keys the parent has added to the set since this worker's last block) and the block's
    earlier questions' last candidates. The parent checks them against the whole set, so what the
    worker does not know yet only costs time, never changes a question."""
    if _built and next(iter(_built))[0] != run:  # an earlier run ended early (an error): not wanted
        _built.clear()
    if run not in _known:  # a new run: the keys of an earlier one are not wanted
        _known.clear()
    known = _known.setdefault(run, set())
    known.update(merged)
    guessed: set[bytes] = set()  # this block's choices as far as the worker can tell
    out = []
    for i in range(start, stop):
        built_here: dict[int, tuple[ConstrainedRandom, Kind, int, Built]] = {}
        candidates = []
        for qseed in itertools.islice((s for s, fits in draws(seed, i, options) if fits), SPARE):
            picker = options.picker(qseed)
            kind, difficulty, built = choose(picker, options.kinds, options.difficulties)
            key = question_digest(kind, built)
            built_here[qseed] = (picker, kind, difficulty, built)
            candidates.append((qseed, key))
            if key not in known and key not in guessed:
                break
        guessed.add(candidates[-1][1])
        _built[run, i] = built_here
        out.append(candidates)
    return out


def _make(run: int, count: int, options: Options, start: int, seeds: list[int],
          encode: Callable[..., Any] | None, numbered: bool) -> list[Any]:
    """A worker's second task: the block's questions from the seeds the parent chose, pickled (or
    each as `encode` makes it, given its number in the set too if `numbered`)."""
    if encode is None:
        from quizgen.render.spool import dumps as encode  # pickles layers, whose classes `register` makes

    out = []
    for i, qseed in enumerate(seeds, start):
        kept = _built.pop((run, i), {}).get(qseed)
        if kept is not None:  # a candidate `_keys` built
            picker, kind, difficulty, built = kept
        else:  # the parent drew further (the keyed candidates all repeat earlier questions)
            picker = options.picker(qseed)
            kind, difficulty, built = choose(picker, options.kinds, options.difficulties)
        question = options.show(assemble(picker, qseed, kind, difficulty, built, question_id(i, count),
                                         options.style, options.diagram))
        out.append(encode(question, i + 1) if numbered else encode(question))
    return out


def _quiet_worker() -> None:
    """Ctrl-C is the parent's to handle; SIGTERM (the parent stopping the pool) simply ends a worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


class Workers:
    """The processes a command makes its questions with; `with Workers(n) as w: w.questions(...)`.
    With one job there is no pool: `questions` is `iter_questions` itself."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs
        self._pools: list[Pool] = []  # a pool of one process per worker: a block's two tasks go to one

    def __enter__(self) -> Self:
        if self.jobs > 1:
            # fork where there is one: the workers start at once with the parent's modules and caches
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pools = [context.Pool(1, initializer=_quiet_worker) for _ in range(self.jobs)]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for pool in self._pools:
            if kind is None:
                pool.close()
            else:
                pool.terminate()  # an error or Ctrl-C: the rest of the work is not wanted
        for pool in self._pools:
            pool.join()
        self._pools = []

    def questions(self, seed: int, count: int, options: Options, progress: Callable[[int], None] | None = None,
                  repeats: bool = False) -> Iterator[Question]:
        """The same questions, in the same order, as `iter_questions(seed, count, options, ...)`."""
        if not self._pools:
            return iter_questions(seed, count, options, progress, repeats)
        return map(pickle.loads, self._made(seed, count, options, progress, repeats, None, False))

    def encoded(self, seed: int, count: int, options: Options, encode: Callable[..., Any],
                progress: Callable[[int], None] | None = None, numbered: bool = False) -> Iterator[Any]:
        """`encode` of each of the questions `questions` gives (and of its number in the set, from 1,
        if `numbered`), in order, run where they are made. `encode` must be a module's function, or
        a partial of one (the workers are given its name)."""
        if not self._pools:
            questions = iter_questions(seed, count, options, progress)
            return map(encode, questions, itertools.count(1)) if numbered else map(encode, questions)
        return self._made(seed, count, options, progress, False, encode, numbered)

    def _made(self, seed: int, count: int, options: Options, progress: Callable[[int], None] | None,
              repeats: bool, encode: Callable[..., Any] | None, numbered: bool) -> Iterator[Any]:
        """What `_make` returns for each question, in set order."""
        unseen = Unseen(seed, count, options, repeats)
        run = next(_runs)
        block = max(1, min(BLOCK, -(-count // (self.jobs * IN_FLIGHT))))  # small sets still use every worker
        starts = iter(range(0, count, block))
        keyed: deque[tuple[int, AsyncResult]] = deque()  # blocks whose candidates' keys are being found
        making: deque[tuple[int, AsyncResult]] = deque()  # blocks whose questions are being made, in order

        def worker(start: int) -> Pool:
            """The pool a block's two tasks go to: block k to worker k mod jobs."""
            return self._pools[start // block % len(self._pools)]

        unsent: list[list[bytes]] = [[] for _ in self._pools]  # keys each worker has not been sent yet

        def find_keys() -> None:
            start = next(starts, None)
            if start is not None:
                merged = unsent[start // block % len(self._pools)]
                keyed.append((start, worker(start).apply_async(_keys, (run, seed, options, start,
                                                                         min(start + block, count), merged[:]))))
                merged.clear()

        for _ in range(2):
            find_keys()
        while keyed or making:
            if keyed and len(making) < self.jobs * IN_FLIGHT:  # choose the next block's seeds, in set order
                start, result = keyed.popleft()
                find_keys()
                seeds = []
                for i, candidates in enumerate(result.get(), start):
                    # As one process would: the first fitting candidate whose question is new (the
                    # keyed ones are the first in draw order, as `Unseen.choose` tries them; with
                    # repeats allowed, a used-up space takes the first: that one alone is trusted).
                    keyed_ones = candidates[:1] if repeats else candidates
                    qseed, key = next(((s, k) for s, k in keyed_ones if k not in unseen.seen), (None, None))
                    if qseed is None:  # every keyed one repeats an earlier question: draw further
                        qseed = unseen.choose(i)[0]
                    else:
                        unseen.seen.add(key)
                        for waiting in unsent if not repeats else ():  # repeats: workers key the first alone
                            waiting.append(key)
                    seeds.append(qseed)
                making.append((start, worker(start).apply_async(_make, (run, count, options, start, seeds,
                                                                               encode, numbered))))
                continue
            start, result = making.popleft()
            for i, made in enumerate(result.get(), start):
                yield made
                if progress:
                    progress(i + 1)
