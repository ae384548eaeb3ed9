"""Fixtures shared by the test files: a real headless Chromium for the page tests; real Keras 3 runs
on PyTorch (no TensorFlow is installed), chosen before any test imports it, as is PyTorch's thread count
when pytest-xdist runs the tests in parallel; Ctrl-C is handled as usual even when the run was started
with it ignored."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
if "PYTEST_XDIST_WORKER" in os.environ:
    # One thread per worker: the workers already fill the cores, and PyTorch's own threads on top of them
    # made its tests four times slower (thousands of cross-checks: 15 s alone, 70 s beside another worker).
    os.environ.setdefault("OMP_NUM_THREADS", "1")

# A shell without job control starts a background job with Ctrl-C ignored, and every process it starts
# inherits that: quizgen would never see the SIGINT the signal tests send it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright's Python package. Skipped when either is missing,
    unless QUIZGEN_REQUIRE_BROWSER is set (CI), where a missing browser is a failure."""
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        if os.environ.get("QUIZGEN_REQUIRE_BROWSER"):
            pytest.fail("QUIZGEN_REQUIRE_BROWSER is set but Chromium or Python's playwright is missing")
        pytest.skip("Chromium (and Python's playwright) are needed for the browser tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        yield launched
        launched.close()
