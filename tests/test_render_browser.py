"""The HTML pages in a real headless Chromium (Debian's `chromium`, driven by Playwright's Python
package; `scripts/test.sh` installs it when missing). Skipped only when Chromium is absent here;
with QUIZGEN_REQUIRE_BROWSER set (CI) a missing browser is a failure. Screenshots go to
$QUIZGEN_SCREENSHOTS when set, else to the test's temporary folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from render_support import GOLDEN_SET, run

from quizgen.engine.misconceptions import CATALOGUE

EXPLANATIONS = {m.id: m.explanation for m in CATALOGUE}


@pytest.fixture(scope="module")
def interactive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The golden set as a self-check page, and the same set as JSON."""
    from quizgen.cli import main

    folder = tmp_path_factory.mktemp("html")
    assert main([*GOLDEN_SET, "--format", "html", "--interactive", "--output", str(folder / "set.html")]) == 0
    assert main([*GOLDEN_SET, "--format", "json", "--output", str(folder / "set.json")]) == 0
    return folder / "set.html", json.loads((folder / "set.json").read_text(encoding="utf-8"))["questions"]


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """The page from file://, collecting console errors and warnings, script errors and any request
    that is not for the file itself (the page must need no network)."""
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if r.url != path.as_uri() else None)
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(path.as_uri())
    return page, problems


def screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("QUIZGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def multiple_choice(questions: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(q, q["parts"][0]) for q in questions if q["multiple_choice"] and len(q["parts"]) == 1]


def test_self_check_from_file_url(browser: Any, interactive, tmp_path: Path) -> None:
    path, questions = interactive
    page, problems = open_page(browser, path)
    score = page.locator("#score")
    assert score.inner_text() == "0" and page.locator(".solution:visible").count() == 0

    # A wrong option shows the misconception it stands for, and costs the point.
    q, part = next((q, p) for q, p in multiple_choice(questions)
                   if any(d["misconception"] in EXPLANATIONS for d in p["distractors"][:3]))
    i = next(i for i in part["option_order"] if i and part["distractors"][i - 1]["misconception"] in EXPLANATIONS)
    wrong = part["distractors"][i - 1]
    letter = "ABCD"[part["option_order"].index(i)]
    page.click(f"#{q['id']} button.option >> nth={part['option_order'].index(i)}")
    feedback = page.locator(f"#{q['id']}-p1-{letter}")
    assert feedback.is_visible()
    explanation = wrong["feedback"].removeprefix(wrong["title"] + ". ")  # worded for the question's layer
    assert wrong["title"] in feedback.inner_text() and explanation in feedback.inner_text()
    assert page.locator(f"#{q['id']} .solution").is_visible() and score.inner_text() == "0"
    right_letter = "ABCD"[part["option_order"].index(0)]
    right = page.locator(f"#{q['id']} button.option >> nth={'ABCD'.index(right_letter)}")
    assert "is-right" in right.get_attribute("class")
    page.click(f"#{q['id']} button.option >> nth=0", force=True)  # a second try (aria-disabled) changes nothing
    assert score.inner_text() == "0"

    # The right option counts; so does one chosen with the keyboard alone.
    others = [(q2, p2) for q2, p2 in multiple_choice(questions) if q2 is not q]
    (q2, p2), (q3, p3) = others[:2]
    page.click(f"#{q2['id']} button.option >> nth={p2['option_order'].index(0)}")
    assert score.inner_text() == "1" and page.locator(f"#{q2['id']} .feedback.right").is_visible()
    page.focus(f"#{q3['id']} button.option >> nth=0")
    for _ in range(p3["option_order"].index(0)):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert score.inner_text() == "2"

    # A table to fill in: not a number first (nothing counted), then a misconception's value.
    table = next(q for q in questions if not q["multiple_choice"])
    blanks = page.locator(f"#{table['id']} input.blank")
    assert blanks.count() == len(table["parts"])
    slip = next((n, d) for n, p in enumerate(table["parts"]) for d in p["distractors"]
                if d["misconception"] in EXPLANATIONS)
    for n, p in enumerate(table["parts"]):
        blanks.nth(n).fill("twelve" if n == slip[0] else f"{p['answer']:,}")
    blanks.nth(0).press("Enter")
    assert page.locator(f"#{table['id']} .feedback[data-nan]:visible").count() == 1
    assert not page.locator(f"#{table['id']} .solution").is_visible() and score.inner_text() == "2"
    blanks.nth(slip[0]).fill(f"{slip[1]['value']:,}")
    blanks.nth(slip[0]).press("Enter")
    shown = page.locator(f"#{table['id']} .feedback:visible")
    assert shown.count() == len(table["parts"])
    assert slip[1]["title"] in page.locator(f"#{table['id']} .feedback.wrong:visible").inner_text()
    assert page.locator(f"#{table['id']} .solution").is_visible() and score.inner_text() == "2"

    page.locator(f"#{table['id']}").screenshot(path=str(screenshot_folder(tmp_path) / "interactive-table.png"))
    page.locator(f"#{q['id']}").scroll_into_view_if_needed()
    png = page.screenshot(path=str(screenshot_folder(tmp_path) / "interactive.png"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"

    # Every question answered: the score stands, and the page says so (other tables filled in right).
    others = [q4 for q4 in questions if not q4["multiple_choice"] and q4 is not table]
    for q4 in others:
        inputs = page.locator(f"#{q4['id']} input.blank")
        for n, p4 in enumerate(q4["parts"]):
            inputs.nth(n).fill(f"{p4['answer']:,}")
        inputs.nth(0).press("Enter")
    for q4 in questions:
        for options in page.locator(f"#{q4['id']} ol.options:not([data-answered])").all():
            options.locator("button.option").first.click()
    assert page.locator("#done").is_visible()
    assert int(score.inner_text()) == 2 + len(others) + sum(1 for q4, p4 in multiple_choice(questions)
                                                            if q4 not in (q, q2, q3, table) and p4["option_order"][0] == 0)
    page.close()
    assert problems == []


def test_print_keeps_questions_whole_and_starts_the_key_on_a_new_page(browser: Any, tmp_path: Path, capsys) -> None:
    target = tmp_path / "set.html"
    status, _, _ = run(capsys, *GOLDEN_SET, "--format", "html", "--answers", "inline", "--output", str(target))
    assert status == 0
    page, problems = open_page(browser, target)
    page.emulate_media(media="print")
    style = page.evaluate("""() => ({
        question: getComputedStyle(document.querySelector('section.question')).breakInside,
        key: getComputedStyle(document.querySelector('section.key')).breakBefore})""")
    assert style == {"question": "avoid", "key": "page"}
    page.screenshot(path=str(screenshot_folder(tmp_path) / "print.png"))
    page.close()
    assert problems == []


def test_a_hostile_title_stays_text(browser: Any, tmp_path: Path, capsys) -> None:
    title = "<script>alert('x')</script><img src=x onerror=alert(1)> & ]]> \"Ó Briain's\""
    target = tmp_path / "set.html"
    status, _, _ = run(capsys, *GOLDEN_SET, "--format", "html", "--interactive", "--title", title,
                       "--output", str(target))
    assert status == 0
    page, problems = open_page(browser, target)
    assert page.locator("h1").inner_text() == title and page.title() == title
    assert page.locator("img").count() == 0
    page.close()
    assert problems == []


def test_a_filter_count_is_typed_on_the_self_check_page(browser: Any, tmp_path: Path) -> None:
    """Reverse-filters has no options (the roundest option gave the count away): one field to type in, a
    known slip's feedback, the right count scored."""
    from quizgen.cli import main

    args = ["generate", "--seed", "5", "--count", "2", "--kind", "reverse-filters", "-d", "2", "--quiet"]
    assert main([*args, "--format", "html", "--interactive", "--output", str(tmp_path / "set.html")]) == 0
    assert main([*args, "--format", "json", "--output", str(tmp_path / "set.json")]) == 0
    first, second = json.loads((tmp_path / "set.json").read_text(encoding="utf-8"))["questions"]
    page, problems = open_page(browser, tmp_path / "set.html")
    assert page.locator("button.option").count() == 0
    field = page.get_by_label("Answer:", exact=True).first
    assert field.get_attribute("id") == f"{first['id']}-b1"
    slip = first["parts"][0]["distractors"][0]
    field.fill(f"{slip['value']:,}")
    field.press("Enter")
    wrong = page.locator(f"#{first['id']} .feedback.wrong:visible")
    assert wrong.count() == 1 and slip["title"] in wrong.inner_text()
    assert page.locator(f"#{first['id']} .solution").is_visible() and page.locator("#score").inner_text() == "0"
    right = page.locator(f"#{second['id']} input.blank")
    right.fill(f"{second['parts'][0]['answer']:,}")
    right.press("Enter")
    assert page.locator(f"#{second['id']} .feedback.right").is_visible()
    assert page.locator("#score").inner_text() == "1" and page.locator("#done").is_visible()
    assert problems == []
