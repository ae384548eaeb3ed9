"""Golden files: one question of every kind in every format, on fixed seeds, so a change in what
students see of any kind shows up as a diff. The kinds take turns at the four --style values, so
code, prose and tables are all covered; html and moodle carry the drawing (their default).

QUIZGEN_UPDATE_GOLDEN=1 rewrites tests/golden/kinds/; review the files by eye before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from render_support import run

from quizgen.engine.kinds import KINDS
from quizgen.engine.styles import STYLES

GOLDEN = Path(__file__).parent / "golden" / "kinds"
FORMATS = {"md": ("md", ["--answers", "inline"]), "html": ("html", ["--answers", "inline"]),
           "moodle": ("xml", []), "json": ("json", [])}
CASES = [(kind, STYLES[i % len(STYLES)], fmt) for i, kind in enumerate(KINDS) for fmt in FORMATS]


@pytest.mark.parametrize("kind,style,fmt", CASES)
def test_one_question_of_each_kind_in_each_format(kind: str, style: str, fmt: str, tmp_path: Path, capsys) -> None:
    extension, args = FORMATS[fmt]
    target = tmp_path / f"{kind}.{extension}"
    status, _, err = run(capsys, "generate", "--seed", "2", "--count", "1", "--kind", kind, "--difficulty", "2",
                         "--style", style, "--format", fmt, "--quiet", *args, "--output", str(target))
    assert (status, err) == (0, "")
    text = target.read_text(encoding="utf-8")
    path = GOLDEN / f"{kind}.{style}.{extension}"
    if os.environ.get("QUIZGEN_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden file {path}; run with QUIZGEN_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (QUIZGEN_UPDATE_GOLDEN=1)"
