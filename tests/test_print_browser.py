"""The HTML pages printed and checked in a real headless Chromium (see test_render_browser.py for
the fixture): Chromium's own print to PDF (A4) read back with pypdf, and axe-core's accessibility
rules run inside the page. axe-core comes from npm: scripts/test.sh installs it into .cache/npm/
(QUIZGEN_AXE may point at another axe.min.js)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from test_render_browser import open_page

pypdf = pytest.importorskip("pypdf")

ROOT = Path(__file__).parent.parent
AXE = Path(os.environ.get("QUIZGEN_AXE") or ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js")
CORE_30 = ["generate", "--seed", "21", "-n", "30", "--quiet", "--format", "html"]
A4_TEXT_WIDTH_PX = round((210 - 24) / 25.4 * 96)  # A4 less the print margins (12 mm each side), in CSS pixels


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The pages a teacher or student opens: worksheet and key, self-check, a key inline, and the
    widest tables (spot-the-error and summaries in PyTorch code)."""
    from quizgen.cli import main

    folder = tmp_path_factory.mktemp("print")
    wide = ["generate", "--seed", "21", "-n", "12", "--kind", "spot-the-error,summary-table", "--style", "pytorch",
            "--quiet", "--format", "html"]
    for name, args in (("set.html", CORE_30), ("self.html", [*CORE_30, "--interactive"]),
                       ("inline.html", [*CORE_30[:4], "8", *CORE_30[5:], "--answers", "inline"]),
                       ("wide.html", wide)):
        assert main([*args, "-o", str(folder / name)]) == 0
    return {p.name: p for p in folder.iterdir()}


def printed(browser: Any, path: Path, out: Path) -> list[str]:
    """The page printed by Chromium to an A4 PDF, as text per page."""
    page = browser.new_page()
    page.goto(path.as_uri())
    page.pdf(path=str(out), format="A4")
    page.close()
    return [p.extract_text() for p in pypdf.PdfReader(out).pages]


def test_core_worksheet_prints_on_twelve_a4_pages_without_splitting_a_question(browser, pages, tmp_path) -> None:
    texts = printed(browser, pages["set.html"], tmp_path / "set.pdf")
    assert len(texts) <= 12
    whole = "\f".join(texts)
    starts = [m.start() for m in re.finditer(r"\bQuestion (\d+)\b", whole)]
    assert len(starts) == 30
    for n, (a, b) in enumerate(zip(starts, [*starts[1:], whole.index("Made with quizgen")]), 1):
        assert "\f" not in whole[a:b].rstrip(), f"question {n} is split across pages"


def test_print_has_no_scroll_boxes_and_nothing_cut_off(browser, pages) -> None:
    for name in ("set.html", "wide.html", "wide-key.html"):
        page, problems = open_page(browser, pages[name])
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_TEXT_WIDTH_PX, "height": 1000})
        found = page.evaluate("""() => [...document.querySelectorAll('.table-wrap, pre.code, table.stack')].map(e => {
            const s = getComputedStyle(e), main = document.querySelector('main').getBoundingClientRect();
            return [e.className, s.overflowX, Math.round(e.getBoundingClientRect().right - main.right),
                    e.scrollWidth - e.clientWidth]; })""")
        assert found, name
        for cls, overflow, past_edge, hidden in found:
            assert overflow == "visible" and past_edge <= 0 and hidden <= 1, (name, cls, overflow, past_edge, hidden)
        page.close()
        assert problems == []


def axe_violations(browser: Any, path: Path, width: int) -> list[tuple[str, str, int]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("axe.run().then(r => r.violations.map(v => [v.id, v.impact, v.nodes.length]))")
    page.close()
    return [tuple(v) for v in found]


@pytest.mark.parametrize("width", [375, 1000])  # a phone (wide tables scroll) and a desktop
def test_axe_core_finds_no_serious_violation(browser, pages, width: int) -> None:
    if not AXE.is_file():
        if os.environ.get("QUIZGEN_REQUIRE_BROWSER"):
            pytest.fail(f"axe-core is missing at {AXE}; scripts/test.sh installs it")
        pytest.skip("axe-core (npm) is not installed; scripts/test.sh installs it")
    for name in ("set.html", "set-key.html", "self.html", "inline.html", "wide.html", "wide-key.html"):
        violations = axe_violations(browser, pages[name], width)
        assert not [v for v in violations if v[1] in ("serious", "critical")], (name, violations)
        assert not [v for v in violations if v[0] in ("heading-order", "scrollable-region-focusable")], (name, violations)
