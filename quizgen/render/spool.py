"""A set kept on disk while it is written, so memory stays flat however many questions it has.

Templates walk a set more than once (the worksheet, an inline key, the answer key, drawings,
Moodle's categories). A `Spool` hands the first walk each question as it is generated, and
pickles it to an anonymous temporary file (gone when the process ends, even on a signal); later
walks read the questions back one at a time. Only their offsets stay in memory.
"""

from __future__ import annotations

import io
import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from quizgen.engine.layers import LAYER_KINDS, Layer
from quizgen.engine.question import Question


def _layer(class_name: str, state: dict[str, Any]) -> Layer:
    """A layer as it was pickled (its class is made by `register`, so pickle cannot name it)."""
    layer = object.__new__(LAYER_KINDS[class_name])
    for name, value in state.items():
        object.__setattr__(layer, name, value)
    return layer


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Layer):
            slots = (s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ()))
            return _layer, (obj.class_name, {s: getattr(obj, s) for s in slots if hasattr(obj, s)})
        return NotImplemented


def dumps(question: Question) -> bytes:
    """A question as bytes (a spool's record, or a `--jobs` worker's answer)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(question)
    return buffer.getvalue()


class Spool(Sequence[Question]):
    def __init__(self, questions: Iterable[Question]) -> None:
        self._source: Iterator[Question] | None = iter(questions)
        self._file = tempfile.TemporaryFile()
        self._offsets = array("q", [0])  # where question i starts; the last entry is the end

    def __iter__(self) -> Iterator[Question]:
        i = 0
        while True:
            if i < len(self._offsets) - 1:
                yield self[i]
            else:
                question = self._pull()
                if question is None:
                    return
                yield question
            i += 1

    def __len__(self) -> int:
        while self._pull() is not None:
            pass
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> Question:  # type: ignore[override]
        while i >= len(self._offsets) - 1 and self._pull() is not None:
            pass
        if not 0 <= i < len(self._offsets) - 1:
            raise IndexError(i)
        self._file.seek(self._offsets[i])
        return pickle.loads(self._file.read(self._offsets[i + 1] - self._offsets[i]))

    def _pull(self) -> Question | None:
        """The next question from the generator, spooled; None when it is done."""
        if self._source is None:
            return None
        question = next(self._source, None)
        if question is None:
            self._source = None
            return None
        data = dumps(question)
        self._file.seek(self._offsets[-1])
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))
        return question
