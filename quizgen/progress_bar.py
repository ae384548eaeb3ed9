"""A progress bar on stderr for long runs, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def progress_bar(total: int, label: str, quiet: bool = False, min_total: int = 500) -> Callable[[int], None] | None:
    """A callback taking the number done, or None when no bar should show."""
    if quiet or total < min_total or not sys.stderr.isatty():
        return None
    last = [0.0]

    def update(done: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        filled = done * 30 // total
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return update
