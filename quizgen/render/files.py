"""Writing files safely: never clobber without --force, never half a file, never a mixed set.

Every output goes through a `FileGroup`: each file is first written whole into a temporary file
beside where it will live (beside the real file, for a symlink, so the link is kept), and only
when every file of the group is staged are they all moved into place (`commit`). Any error, an
interrupt or a signal before that removes the temporary files and leaves the old ones as they
were. A file that did not exist appears by an exclusive link, so of two runs at once one wins and
the other fails; an existing one is replaced under a lock the group holds from its first check to
its commit. Only regular files are ever written or replaced; a replaced file keeps its mode.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from quizgen.errors import QuizgenError

Chunk = str | bytes
SPECIAL_ROOTS = ("/dev/", "/proc/", "/sys/")  # device and kernel files: never targets, whatever stat says
HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}  # the signals quizgen turns into a clean stop


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and the stop signals while a file or folder is made and recorded, or the set is
    committed: one landing in between would leave behind what the group does not know it made. A
    signal that arrives meanwhile is raised again at the end, to the handlers quizgen had. (Held in
    Python, not with a signal mask: the kernel hands a signal to any thread that does not mask it,
    and --jobs' pool has threads.)"""
    if threading.current_thread() is not threading.main_thread():  # only the main thread handles signals
        yield
        return
    pending: list[int] = []
    before = {sig: signal.signal(sig, lambda signum, _frame: pending.append(signum)) for sig in HELD}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if pending:
            signal.raise_signal(pending[0])


def read_text(path: Path | str, encoding: str = "utf-8") -> str:
    """A user's file as text; a missing, unreadable or non-UTF-8 file is a one-line error."""
    try:
        return Path(path).read_text(encoding=encoding)
    except OSError as error:
        raise QuizgenError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise QuizgenError(f"{path} is not UTF-8 text") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _special(path: str) -> bool:
    """A device or kernel file by where it is (/dev/stdout is one even when it points at a file)."""
    return path.startswith(SPECIAL_ROOTS) and not path.startswith("/dev/shm/")


def _what(mode: int) -> str:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def not_regular(path: Path | str, what: str, hint: str = "") -> QuizgenError:
    return QuizgenError(f"{path} is not a regular file ({what}); quizgen writes only regular files{hint}")


@dataclass(frozen=True, slots=True)
class Target:
    """Where a file named by the user really goes: `real` is a symlink's target; `mode` is the
    existing file's permission bits (None: the file is new)."""

    path: Path
    real: Path
    mode: int | None


def check_target(path: Path, force: bool) -> Target:
    """Fail, before any work is done, if `path` exists (without force), is not a regular file, or
    cannot be written; a symlink is followed (with force) to the file it names."""
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        link = None
    except OSError as error:
        raise QuizgenError(f"cannot write {path}: {error.strerror or error}") from None
    real = Path(os.path.realpath(path)) if link is not None and stat.S_ISLNK(link.st_mode) else path
    try:
        st = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as error:
        raise QuizgenError(f"cannot write {path}: {error.strerror or error}") from None
    if link is not None and (_special(os.path.abspath(path)) or _special(os.path.realpath(path))):
        what = _what(st.st_mode) if st is not None and not stat.S_ISREG(st.st_mode) else "a device or kernel file"
        raise not_regular(path, what, "; -o - writes to standard output")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise QuizgenError(f"{path} is a folder; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise not_regular(path, _what(st.st_mode))
    if link is not None and not force:
        raise QuizgenError(f"{path} already exists; pass --force to overwrite it")
    parent = real.parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise QuizgenError(f"cannot write {path}: {existing} is not a folder")
    if existing is not None and not os.access(existing, os.W_OK):
        raise QuizgenError(f"cannot write {path}: {existing} is not writable")
    return Target(path, real, stat.S_IMODE(st.st_mode) if st is not None else None)


class Staged:
    """One file being written: a temporary file beside its target, with its final mode already."""

    def __init__(self, target: Target) -> None:
        self.target = target
        fd, tmp = tempfile.mkstemp(prefix=f".{target.real.name}.", suffix=".tmp", dir=target.real.parent)
        self.tmp = Path(tmp)
        self.handle = os.fdopen(fd, "wb")
        os.chmod(fd, target.mode if target.mode is not None else 0o666 & ~_umask())



@dataclass
class FileGroup:
    """Files written all or nothing (a worksheet, its key and drawings; an exam folder).

    `claim` every path before the costly work (it checks and, for the first, locks), `write` each
    one (chunks of text or bytes, streamed to its temporary file), then `commit`. Used as a context
    manager, an exception aborts (nothing changes) and a clean exit commits. `lock` names what the
    group locks against other quizgen runs (default: its first file; an exam locks its folder);
    `wait` waits for the lock instead of failing (the drill's progress file).
    """

    force: bool = False
    lock: Path | None = None
    wait: bool = False
    targets: dict[Path, Target] = field(default_factory=dict)
    staged: dict[Path, Staged] = field(default_factory=dict)
    stale: list[Path] = field(default_factory=list)
    made_folders: list[Path] = field(default_factory=list)
    lock_fd: int | None = None

    def claim(self, path: Path | str) -> Target:
        path = Path(path)
        if self.lock_fd is None:
            self._lock(self.lock or path)
        if path not in self.targets:
            self.targets[path] = check_target(path, self.force)
        return self.targets[path]

    def write(self, path: Path | str, chunks: Iterable[Chunk]) -> None:
        """Stage `path`'s whole content now, streamed from `chunks` (text or bytes); it appears at commit."""
        with self.open(path) as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)

    @contextlib.contextmanager
    def open(self, path: Path | str) -> Iterator[BinaryIO]:
        """Stage `path` through a binary, seekable file (what `zipfile.ZipFile` writes into); it
        appears at commit. A write error is a one-line QuizgenError naming `path`."""
        path = Path(path)
        target = self.claim(path)
        if path in self.staged:
            raise ValueError(f"{path} is written twice in one group")
        try:
            self.make_folder(target.real.parent)
            with signals_held():
                staged = self.staged[path] = Staged(target)
            with staged.handle as handle:
                yield handle
        except OSError as error:
            raise QuizgenError(f"cannot write {path}: {error.strerror or error}") from None

    def remove(self, path: Path) -> None:
        """Delete `path` at commit (a file the previous run wrote and this one no longer does)."""
        try:
            if stat.S_ISREG(os.lstat(path).st_mode):
                self.stale.append(path)
        except FileNotFoundError:
            pass

    def commit(self) -> None:
        """Move every staged file into place. A new file is linked in exclusively: if another run
        made it meanwhile, the files this group already placed are taken back and nothing changes.
        A signal waits until the set is in place (never half of one)."""
        with signals_held():
            self._commit()

    def _commit(self) -> None:
        placed: list[tuple[Staged, Path | None]] = []  # each file placed, and the old file it replaced (kept aside)
        try:
            for staged in self.staged.values():
                placed.append((staged, self._place(staged)))
        except BaseException:
            for staged, backup in reversed(placed):
                if backup is not None:
                    os.replace(backup, staged.target.real)
                else:
                    staged.target.real.unlink(missing_ok=True)
            self.abort()
            raise
        for _, backup in placed:
            if backup is not None:
                backup.unlink(missing_ok=True)
        for path in self.stale:
            path.unlink(missing_ok=True)
        self.staged.clear()
        self.made_folders.clear()
        self._unlock()

    def abort(self) -> None:
        """Remove every temporary file (and any folder this group made); the old files stay."""
        for staged in self.staged.values():
            staged.handle.close()
            staged.tmp.unlink(missing_ok=True)
        self.staged.clear()
        for folder in reversed(self.made_folders):
            try:
                folder.rmdir()
            except OSError:
                pass
        self.made_folders.clear()
        self._unlock()

    def __enter__(self) -> FileGroup:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def _place(self, staged: Staged) -> Path | None:
        real, path = staged.target.real, staged.target.path
        if staged.target.mode is None:  # a new file (check_target refused an existing one without --force)
            try:
                os.link(staged.tmp, real)
            except FileExistsError:
                raise QuizgenError(f"{path} was created by another program while quizgen was writing it; "
                                   "nothing was changed") from None
            except OSError as error:
                if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise QuizgenError(f"cannot write {path}: {error.strerror or error}") from None
                os.replace(staged.tmp, real)  # a file system without hard links
                return None
            staged.tmp.unlink()
            return None
        backup = staged.tmp.with_name(staged.tmp.name + ".old")
        try:
            os.link(real, backup)
        except OSError:
            backup = None
        os.replace(staged.tmp, real)
        return backup

    def make_folder(self, folder: Path) -> None:
        """Create `folder` and its missing parents; abort removes those it made (if still empty)."""
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for p in reversed(missing):
            with signals_held():
                try:
                    p.mkdir()
                except FileExistsError:
                    continue
                self.made_folders.append(p)

    def _lock(self, path: Path) -> None:
        """An exclusive lock on the existing file or folder `path` (nothing to lock if it is new: then
        the exclusive link at commit decides). Checked again after locking: the file locked must still
        be the one at `path`, not one another run has just replaced."""
        real = os.path.realpath(path)
        while True:
            try:
                fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                return  # new, or unreadable: check_target reports what matters
            if not stat.S_ISREG(os.fstat(fd).st_mode) and not stat.S_ISDIR(os.fstat(fd).st_mode):
                os.close(fd)
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                raise QuizgenError(f"{path} is being written by another quizgen run; try again when it "
                                   "has finished") from None
            try:
                same = os.stat(real).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.lock_fd = fd
                return
            os.close(fd)

    def _unlock(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


def write_atomic(path: Path, chunks: Iterable[Chunk], force: bool = False, wait: bool = False) -> None:
    """One file, all or nothing."""
    with FileGroup(force, wait=wait) as group:
        group.write(path, chunks)


def to_stdout(chunks: Iterable[Chunk]) -> None:
    """Stream to standard output; a closed one or a full disk is a one-line error."""
    if sys.stdout is None:
        raise QuizgenError("cannot write to standard output: it is closed")
    try:
        for chunk in chunks:
            if isinstance(chunk, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(chunk)
            else:
                sys.stdout.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise QuizgenError(f"cannot write to standard output: {error.strerror or error}") from None


def emit(target: str, chunks: Iterable[Chunk], group: FileGroup | None = None, force: bool = False) -> None:
    """Write to standard output when `target` is "-", else stage it in `group` (or write it alone)."""
    if target == "-":
        to_stdout(chunks)
    elif group is not None:
        group.write(target, chunks)
    else:
        write_atomic(Path(target), chunks, force)
