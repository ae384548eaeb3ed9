"""`--jobs N`: a set's questions made by N worker processes, merged in order, byte-identical to one.

Question i's candidate seeds depend on the set's seed and i alone (`generate.draws`), so workers
can make blocks of questions independently. The one link between questions is the duplicate
check: question i takes the first candidate whose question is not already in the set. So a
block goes through the workers twice. First they build each question's stack from its first
fitting candidate and return its key (a tenth of the work); the parent walks the blocks in set
order with the set's keys, keeps a candidate whose key is new, and for one that repeats an
earlier question (often, where a kind has few distinct questions) picks the next candidate
exactly as `iter_questions` does. Then the workers make the block's questions from the chosen
seeds, and the parent hands them out in order. Only a few blocks are in flight at a time, so
memory stays flat however large the set. Where the writing of a question needs nothing but the
question (JSON's line), `Workers.encoded` has the workers write it too: the parent then only joins
strings, instead of unpickling each question and encoding it itself, a fifth of the work on one core.

Workers ignore Ctrl-C (the terminal sends it to all of them): the parent is interrupted, stops
them, and its `FileGroup` leaves no file behind.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from quizgen.engine.generate import Options, Unseen, draws, iter_questions, question_digest, question_id
from quizgen.engine.kinds import assemble, choose

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

    from quizgen.engine.question import Question

BLOCK = 100  # questions per task at most: large enough that a task's overhead is small
IN_FLIGHT = 3  # blocks per worker queued or finished but not yet merged: keeps memory flat


def parse_jobs(text: str) -> int:
    """`--jobs`'s value: a whole number ≥ 1, or auto (the CPUs this process may run on)."""
    if text == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"expected a whole number of processes ≥ 1, or auto; got {text!r}")
    return int(text)


def _keys(seed: int, options: Options, start: int, stop: int) -> list[tuple[int, bytes]]:
    """A worker's first task for a block: each question's first fitting candidate seed and the key
    of the question it stands for (only the stack is built: a tenth of a question's cost)."""
    out = []
    for i in range(start, stop):
        qseed = next(s for s, fits in draws(seed, i, options) if fits)
        kind, _difficulty, built = choose(options.picker(qseed), options.kinds, options.difficulties)
        out.append((qseed, question_digest(kind, built)))
    return out


def _make(count: int, options: Options, start: int, seeds: list[int],
          encode: Callable[[Question], Any] | None) -> list[Any]:
    """A worker's second task: the block's questions from the seeds the parent chose, pickled (or
    each as `encode` makes it)."""
    if encode is None:
        from quizgen.render.spool import dumps as encode  # pickles layers, whose classes `register` makes

    out = []
    for i, qseed in enumerate(seeds, start):
        picker = options.picker(qseed)
        kind, difficulty, built = choose(picker, options.kinds, options.difficulties)
        out.append(encode(options.show(assemble(picker, qseed, kind, difficulty, built, question_id(i, count),
                                                options.style, options.diagram))))
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
        self._pool: Pool | None = None

    def __enter__(self) -> Self:
        if self.jobs > 1:
            # fork where there is one: the workers start at once with the parent's modules and caches
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = context.Pool(self.jobs, initializer=_quiet_worker)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            if kind is None:
                self._pool.close()
            else:
                self._pool.terminate()  # an error or Ctrl-C: the rest of the work is not wanted
            self._pool.join()
            self._pool = None

    def questions(self, seed: int, count: int, options: Options, progress: Callable[[int], None] | None = None,
                  repeats: bool = False) -> Iterator[Question]:
        """The same questions, in the same order, as `iter_questions(seed, count, options, ...)`."""
        if self._pool is None:
            return iter_questions(seed, count, options, progress, repeats)
        return map(pickle.loads, self._made(seed, count, options, progress, repeats, None))

    def encoded(self, seed: int, count: int, options: Options, encode: Callable[[Question], Any],
                progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        """`encode` of each of the questions `questions` gives, in order, run where they are made.
        `encode` must be a module's function (the workers are given its name)."""
        if self._pool is None:
            return map(encode, iter_questions(seed, count, options, progress))
        return self._made(seed, count, options, progress, False, encode)

    def _made(self, seed: int, count: int, options: Options, progress: Callable[[int], None] | None,
              repeats: bool, encode: Callable[[Question], Any] | None) -> Iterator[Any]:
        """What `_make` returns for each question, in set order."""
        assert self._pool is not None
        unseen = Unseen(seed, count, options, repeats)
        block = max(1, min(BLOCK, -(-count // (self.jobs * IN_FLIGHT))))  # small sets still use every worker
        starts = iter(range(0, count, block))
        keyed: deque[tuple[int, AsyncResult]] = deque()  # blocks whose candidates' keys are being found
        making: deque[tuple[int, AsyncResult]] = deque()  # blocks whose questions are being made, in order

        def find_keys() -> None:
            start = next(starts, None)
            if start is not None:
                keyed.append((start, self._pool.apply_async(_keys, (seed, options, start, min(start + block, count)))))

        for _ in range(2):
            find_keys()
        while keyed or making:
            if keyed and len(making) < self.jobs * IN_FLIGHT:  # choose the next block's seeds, in set order
                start, result = keyed.popleft()
                find_keys()
                seeds = []
                for i, (qseed, key) in enumerate(result.get(), start):
                    if key in unseen.seen:  # its first candidate repeats an earlier question: as one process would
                        qseed = unseen.choose(i)[0]
                    else:
                        unseen.seen.add(key)
                    seeds.append(qseed)
                making.append((start, self._pool.apply_async(_make, (count, options, start, seeds, encode))))
                continue
            start, result = making.popleft()
            for i, made in enumerate(result.get(), start):
                yield made
                if progress:
                    progress(i + 1)
