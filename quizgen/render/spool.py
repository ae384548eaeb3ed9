"""A set kept on disk while it is written, so memory stays flat however many questions it has.

Some formats walk a set more than once (Canvas names every item in its manifest before writing
them, a PDF's key follows its worksheet, an Anki deck is written deck by deck). A `Spool` hands
the first walk each question (or record) as it is generated, and pickles it to an anonymous
temporary file (gone when the process ends, even on a signal); later walks read them back one at
a time. Only their offsets stay in memory. Questions rendered one by one through a format's item
templates (`Texts`) wait on disk the same way until the set's templates list them.
"""

from __future__ import annotations

import functools
import io
import operator
import pickle
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from markupsafe import Markup

from quizgen.engine.layers import LAYER_KINDS, Layer
from quizgen.engine.question import Question


@functools.cache
def _slots(cls: type) -> tuple[str, ...]:
    """Every attribute of a slotted class (quizgen's frozen dataclasses), base classes' first."""
    return tuple(name for c in reversed(cls.__mro__) for name in getattr(c, "__slots__", ())
                 if name not in ("__weakref__", "__dict__"))


@functools.cache
def _filler(cls: type) -> Callable[[Any, tuple[Any, ...]], Any]:
    """A function that sets an instance's slots from a tuple, written out for the class (no loop:
    rebuilding is half of a spooled question's cost, and questions hold dozens of objects)."""
    body = "".join(f"    setattr(obj, {name!r}, values[{i}])\n" for i, name in enumerate(_slots(cls)))
    scope: dict[str, Any] = {"setattr": object.__setattr__}  # the classes are frozen
    exec(f"def fill(obj, values):\n{body}    return obj\n", scope)
    return scope["fill"]


def _layer(class_name: str, values: tuple[Any, ...]) -> Layer:
    """A layer as it was pickled (its class is made by `register`, so pickle cannot name it)."""
    cls = LAYER_KINDS[class_name]
    return _filler(cls)(object.__new__(cls), values)


def _rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    return _filler(cls)(object.__new__(cls), values)


def _reducer(cls: type) -> Callable[[Any], tuple] | None:
    """How `_Pickler` writes an instance of `cls`: quizgen's frozen dataclasses as (class, slot
    values); None for everything else (pickle's own way)."""
    if not (cls.__module__.startswith("quizgen.") and hasattr(cls, "__dataclass_fields__")
            and "__slots__" in vars(cls)):
        return None
    names = _slots(cls)
    get = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    if issubclass(cls, Layer):
        return lambda obj: (_layer, (cls.class_name, get(obj)))
    return lambda obj: (_rebuild, (cls, get(obj)))


class _Pickler(pickle.Pickler):
    """Pickles quizgen's frozen dataclasses as (class, slot values), rebuilt without `__init__`.
    Why not pickle's default: the dataclasses' own `__getstate__`/`__setstate__` look up `fields()`
    for every object, and a question holds dozens; that was most of the spool's (and `--jobs`')
    cost. Rebuilding skips validation on purpose: the objects were valid when written."""

    reducers: dict[type, Callable[[Any], tuple] | None] = {}  # by class, shared: the classes are fixed

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        try:
            reduce = self.reducers[cls]
        except KeyError:
            reduce = self.reducers[cls] = _reducer(cls)
        return NotImplemented if reduce is None else reduce(obj)


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


class Texts(Sequence[str]):
    """Rendered questions (a bank's items) kept on disk until the set's template lists them in its
    own order (by category, not as they were made): only their offsets stay in memory. Read back
    marked safe: they are template output, escaped when it was rendered."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._offsets = array("q", [0])

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        self._file.seek(self._offsets[-1])
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> Markup:  # type: ignore[override]
        if not 0 <= i < len(self._offsets) - 1:
            raise IndexError(i)
        self._file.seek(self._offsets[i])
        return Markup(self._file.read(self._offsets[i + 1] - self._offsets[i]).decode("utf-8"))
