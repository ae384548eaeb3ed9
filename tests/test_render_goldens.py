"""Golden files: what teachers and students see, for one fixed set in every templated format.

A change in wording, markup or numbers shows up here as a diff. QUIZGEN_UPDATE_GOLDEN=1 rewrites
the files under tests/golden/render/; review them by eye (open the HTML in a browser) before
committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from render_support import GOLDEN_SET, check_golden, run

CASES = {
    "md": (["--format", "md"], ("set-3.md", "set-3-key.md")),
    "html": (["--format", "html"], ("set-3.html", "set-3-key.html")),
    "html-interactive": (["--format", "html", "--interactive", "--answers", "inline"], ("set-3.html",)),
    "moodle": (["--format", "moodle"], ("set-3.xml",)),
    "moodle-multichoice": (["--format", "moodle", "--moodle-type", "multichoice", "--title", "Week 3: CNNs"],
                           ("set-3.xml",)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args, files = CASES[case]
    status, _, err = run(capsys, *GOLDEN_SET, *args, "--output", str(tmp_path / files[0]))
    assert (status, err) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    for name in files:
        check_golden(f"{case}/{name}", (tmp_path / name).read_text(encoding="utf-8"))


def test_same_seed_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deterministic beyond the golden set: every kind, a larger set, written twice."""
    for fmt in ("md", "html", "moodle"):
        outputs = []
        for attempt in range(2):
            target = tmp_path / f"{attempt}.{fmt}"
            status, _, _ = run(capsys, "generate", "--seed", "99", "--count", "40", "--format", fmt, "--quiet",
                               "--answers" if fmt != "moodle" else "--category",
                               "inline" if fmt != "moodle" else "$course$/quizgen", "--output", str(target))
            assert status == 0
            outputs.append(target.read_bytes())
        assert outputs[0] == outputs[1]
