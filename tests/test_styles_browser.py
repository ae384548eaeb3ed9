"""A PyTorch-style page with code and diagrams in a real headless Chromium (see test_render_browser.py
for when it skips): the asked layer's line is marked, each drawing is inline, visible, sized to the
page and highlights the asked layer, and nothing asks for the network. The screenshot goes to
$QUIZGEN_SCREENSHOTS when set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from render_support import run
from test_render_browser import open_page, screenshot_folder


def test_code_and_diagram_render_in_chromium(browser: Any, tmp_path: Path, capsys) -> None:
    target = tmp_path / "set.html"
    status, _, err = run(capsys, "generate", "--seed", "7", "-n", "3", "--kind", "output-shape,macs",
                         "--difficulty", "2", "--style", "pytorch", "--format", "html", "--interactive", "-q",
                         "--output", str(target))
    assert (status, err) == (0, "")
    page, problems = open_page(browser, target)
    first = page.locator("section.question").first
    assert first.locator("pre.code mark").count() >= 1
    assert "nn." in first.locator("pre.code mark").first.inner_text()
    svg = first.locator("figure.diagram svg")
    box = svg.bounding_box()
    assert box is not None and 300 < box["width"] <= first.bounding_box()["width"] and box["height"] > 100
    assert svg.locator("g.highlight").count() == 1
    assert page.locator("figure.diagram svg").count() == 3
    first.screenshot(path=str(screenshot_folder(tmp_path) / "pytorch-code-and-diagram.png"))
    page.close()
    assert problems == []
