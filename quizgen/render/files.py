"""Writing files safely: never clobber without --force, never leave a half-written file."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from quizgen.errors import QuizgenError


def read_text(path: Path | str, encoding: str = "utf-8") -> str:
    """A user's file as text; a missing, unreadable or non-UTF-8 file is a one-line error."""
    try:
        return Path(path).read_text(encoding=encoding)
    except OSError as error:
        raise QuizgenError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise QuizgenError(f"{path} is not UTF-8 text") from None


def check_writable(path: Path, force: bool) -> None:
    """Fail before any work is done if `path` exists (without force) or cannot be written."""
    if path.is_dir():
        raise QuizgenError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise QuizgenError(f"{path} already exists; pass --force to overwrite it")
    parent = path.parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise QuizgenError(f"cannot write {path}: {existing} is not a folder")
    if existing is not None and not os.access(existing, os.W_OK):
        raise QuizgenError(f"cannot write {path}: {existing} is not writable")


def write_atomic(path: Path, chunks: Iterable[str] | Iterable[bytes], force: bool = False, binary: bool = False) -> None:
    """Write to a temporary file beside `path`, then rename: readers see all or nothing. Chunks are
    UTF-8 text, or with `binary` bytes (a PDF)."""
    check_writable(path, force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise QuizgenError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise QuizgenError(f"cannot write {path}: {error.strerror or error}") from None
        raise


def write_bytes_atomic(path: Path, data: bytes, force: bool = False) -> None:
    """A packaged file (a zip, an Anki deck, a PDF), built whole in memory, written as `write_atomic` writes text."""
    write_atomic(path, [data], force, binary=True)


def emit_bytes(target: str, data: bytes, force: bool = False) -> None:
    """`emit` for a binary file."""
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(Path(target), [data], force, binary=True)


def emit(target: str, chunks: Iterable[str], force: bool = False) -> None:
    """Write to a file, or to standard output when `target` is "-"."""
    if target == "-":
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    else:
        write_atomic(Path(target), chunks, force)
