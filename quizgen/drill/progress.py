"""The drill's saved progress: per-kind tallies and per-misconception counts, in one JSON file.

Each save re-reads the file and adds this session's new results, so two drills running at once
do not erase each other's work, and writes atomically, so an interrupted save leaves the old
file whole. A file that cannot be understood is renamed aside (never silently overwritten,
never a crash), and the drill starts afresh.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizgen.errors import QuizgenError

FORMAT_VERSION = 1


def default_path() -> Path:
    """$XDG_DATA_HOME/quizgen/progress.json; the XDG spec ignores a relative XDG_DATA_HOME."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "quizgen" / "progress.json"


@dataclass
class KindTally:
    """Questions asked, answered right and skipped, of one kind."""

    asked: int = 0
    correct: int = 0
    skipped: int = 0

    def add(self, other: KindTally) -> None:
        self.asked += other.asked
        self.correct += other.correct
        self.skipped += other.skipped


@dataclass
class Progress:
    """What the progress file keeps: a tally per kind and how often each misconception was diagnosed."""

    kinds: dict[str, KindTally] = field(default_factory=dict)
    misconceptions: Counter[str] = field(default_factory=Counter)

    def total(self) -> KindTally:
        total = KindTally()
        for tally in self.kinds.values():
            total.add(tally)
        return total

    def record(self, kind: str, correct: bool, skipped: bool, met: list[str]) -> None:
        """One finished (or skipped) question and the misconceptions diagnosed in it."""
        self.kinds.setdefault(kind, KindTally()).add(KindTally(1, int(correct), int(skipped)))
        self.misconceptions.update(met)

    def add(self, other: Progress) -> None:
        for kind, tally in other.kinds.items():
            self.kinds.setdefault(kind, KindTally()).add(tally)
        self.misconceptions.update(other.misconceptions)

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION,
                "kinds": {k: {"asked": t.asked, "correct": t.correct, "skipped": t.skipped}
                          for k, t in sorted(self.kinds.items())},
                "misconceptions": dict(sorted(self.misconceptions.items()))}

    @classmethod
    def from_json(cls, doc: Any) -> Progress:
        """Raises ValueError, worded for the user, on anything but the format `to_json` writes."""
        if not isinstance(doc, dict) or doc.get("version") != FORMAT_VERSION:
            raise ValueError(f"expected an object with \"version\": {FORMAT_VERSION}")
        kinds, misconceptions = doc.get("kinds"), doc.get("misconceptions")
        if not isinstance(kinds, dict) or not isinstance(misconceptions, dict):
            raise ValueError('"kinds" and "misconceptions" must be objects')
        progress = cls()
        for kind, tally in kinds.items():
            if not isinstance(tally, dict) or set(tally) != {"asked", "correct", "skipped"} \
                    or not all(_count(v) for v in tally.values()) \
                    or tally["correct"] + tally["skipped"] > tally["asked"]:
                raise ValueError(f"bad tally for kind {kind!r}")
            progress.kinds[kind] = KindTally(**tally)
        for mid, n in misconceptions.items():
            if not _count(n):
                raise ValueError(f"bad count for misconception {mid!r}")
            progress.misconceptions[mid] = n
        return progress


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class ProgressStore:
    """The progress file. `chosen`: the user named it (--progress), so a file that is not a quizgen
    progress file is refused and left as it is; only quizgen's own file is set aside when corrupt."""

    def __init__(self, path: Path, chosen: bool = False) -> None:
        self.path = path
        self.chosen = chosen

    def load(self) -> tuple[Progress, str | None]:
        """The saved progress and a one-line warning, if a corrupt file had to be set aside.

        A file that exists but cannot be read (permissions, a folder) is a QuizgenError: moving
        it would not help, and the user should choose another --progress or --no-save. So is a
        FIFO or a device (never opened: reading one could block forever).
        """
        try:
            mode = os.stat(self.path).st_mode
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                raise QuizgenError(f"progress file {self.path} is not a regular file; "
                                   "choose another with --progress FILE, or pass --no-save")
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Progress(), None
        except OSError as error:
            raise QuizgenError(f"cannot read progress file {self.path}: {error.strerror or error}; "
                               "choose another with --progress FILE, or pass --no-save") from None
        except UnicodeDecodeError as error:
            return Progress(), self._set_aside(text=None, reason=f"not UTF-8 text: {error.reason}")
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as error:
            return Progress(), self._set_aside(text, f"not JSON: {error}" if isinstance(error, ValueError)
                                               else "nested too deeply")
        try:
            return Progress.from_json(doc), None
        except ValueError as error:
            return Progress(), self._set_aside(text, str(error), ours=isinstance(doc, dict) and "version" in doc)

    def add(self, delta: Progress) -> str | None:
        """Add `delta` to what is on disk now and write it back; returns load()'s warning."""
        progress, warning = self.load()
        progress.add(delta)
        from quizgen.render.files import write_atomic  # here, not at the top: the drill's first question comes sooner

        write_atomic(self.path, [json.dumps(progress.to_json(), indent=2) + "\n"], force=True, wait=True)
        return warning

    def _set_aside(self, text: str | None, reason: str, ours: bool = False) -> str:
        """Move a corrupt progress file aside; a file the user chose that is not one of quizgen's
        (no "version" in it) is refused instead, untouched."""
        if self.chosen and not ours and not (text or "").lstrip().startswith('{"version"'):
            raise QuizgenError(f"{self.path} is not a quizgen progress file ({reason}); it was left as it is: "
                               "choose another with --progress FILE, or pass --no-save")
        aside = self.path.with_name(self.path.name + ".corrupt")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{n}")
        try:
            os.replace(self.path, aside)
        except OSError as error:
            raise QuizgenError(f"progress file {self.path} is corrupt ({reason}) and could not be moved aside: "
                               f"{error.strerror or error}; move it yourself, or pass --no-save") from None
        return f"progress file {self.path} was corrupt ({reason}); moved it to {aside.name} and started afresh"
