"""`quizgen exam` end to end: the folder a teacher gets, reproducibly, and safely."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "templates" / "exam" / "example.toml"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, cwd=cwd, env=env)


def tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture()
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "students.csv"
    path.write_text('name,email\n"Zoë <script>alert(1)</script> & Co",z@x\n\nŁukasz Żółć,l@x\n"O\'Neil, ""Pat""",p@x\n',
                    encoding="utf-8")
    return path


def test_a_class_exam_is_written_whole_and_reproducibly(tmp_path: Path, roster: Path) -> None:
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for out in ("a", "b"):
        result = run("exam", "exam.toml", "--roster", str(roster), "-f", "md", "-f", "html", "-o", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted([f"V0{n}{s}.{e}" for n in (1, 2, 3) for s in ("", "-key") for e in ("md", "html")]
                           + ["moodle.xml", "manifest.json", "questions.json", "grading-key.csv"])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".quizgen-exam-")]

    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert [v["student"] for v in manifest["variants"]] == \
        ["Zoë <script>alert(1)</script> & Co", "Łukasz Żółć", 'O\'Neil, "Pat"']
    html = (tmp_path / "a" / "V01.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "Zoë &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "Łukasz Żółć" in (tmp_path / "a" / "V02.md").read_text(encoding="utf-8")

    bank = ET.parse(tmp_path / "a" / "moodle.xml").getroot()
    categories, per_category = [], {}
    for q in bank:
        if q.get("type") == "category":
            categories.append(q.find("category/text").text)
        else:
            per_category[categories[-1]] = per_category.get(categories[-1], 0) + 1
    assert categories == ["$course$/quizgen/midterm/01 One convolution",
                          "$course$/quizgen/midterm/02 Shapes through a stack",
                          "$course$/quizgen/midterm/03 First Dense layer", "$course$/quizgen/midterm/04 Whole model"]
    assert list(per_category.values()) == [3, 3, 3, 3]
    slot3 = [q for q in bank if q.get("type") not in ("category", None)][6:9]
    assert {q.get("type") for q in slot3} <= {"numerical", "cloze"}  # the blueprint's moodle_type = numerical

    with (tmp_path / "a" / "grading-key.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["variant"] for r in rows} == {"V01", "V02", "V03"}
    assert rows[0]["student"].startswith("Zoë") and rows[0]["letter"] in "ABCD" and rows[0]["answer"]


def test_one_variant_is_rebuilt_exactly(tmp_path: Path) -> None:
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("exam", "exam.toml", "--fake-roster", "12", "-o", "full", cwd=tmp_path).returncode == 0
    result = run("exam", "exam.toml", "--fake-roster", "12", "--only", "V07", "-o", "one", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["V07-key.md", "V07.md"]
    for name in ("V07.md", "V07-key.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_existing_files_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "V02.md").write_text("my notes", encoding="utf-8")
    result = run("exam", "exam.toml", "--variants", "3", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2 and "out/V02.md already exists" in result.stderr
    assert [p.name for p in out.iterdir()] == ["V02.md"] and (out / "V02.md").read_text() == "my notes"
    assert run("exam", "exam.toml", "--variants", "3", "-o", "out", "--force", cwd=tmp_path).returncode == 0
    assert (out / "V02.md").read_text(encoding="utf-8").startswith("# Midterm")


def test_a_broken_template_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    mine = tmp_path / "templates"
    subprocess.run(["cp", "-r", str(ROOT / "templates"), str(mine)], check=True)
    (mine / "moodle" / "questions.xml.j2").write_text("{{ nothing.here }}", encoding="utf-8")
    result = run("exam", "exam.toml", "--variants", "2", "--templates", str(mine), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exam.toml", "templates"]


@pytest.mark.parametrize("args, message", [
    (["exam"], "give a blueprint"),
    (["exam", "missing.toml"], "cannot read missing.toml"),
    (["exam", "exam.toml", "--roster", "nobody.csv"], "cannot read nobody.csv"),
    (["exam", "exam.toml", "--variants", "0"], "--variants must be at least 1"),
    (["exam", "exam.toml", "--only", "V99", "--variants", "2"], "no variant 'V99'"),
    (["exam", "exam.toml", "--roster", "r.csv", "--variants", "5"], "--variants 5 but the roster has 2 students"),
    (["exam", "exam.toml", "--roster", "r.csv", "--fake-roster", "3"], "not allowed with argument"),
    (["exam", "exam.toml", "--locale", "xx_YY"], "unknown locale 'xx_YY'"),
])
def test_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "r.csv").write_text("name\nAnn\nBo\n", encoding="utf-8")
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "output").exists()


def test_init_writes_the_example_once(tmp_path: Path) -> None:
    assert run("exam", "--init", cwd=tmp_path).returncode == 0
    assert (tmp_path / "exam.toml").read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    again = run("exam", "--init", cwd=tmp_path)
    assert again.returncode == 2 and "exam.toml already exists" in again.stderr
    assert run("exam", "--init", "mine/blue.toml", cwd=tmp_path).returncode == 0
    assert (tmp_path / "mine" / "blue.toml").is_file()


def test_small_slot_space_warns(tmp_path: Path) -> None:
    (tmp_path / "exam.toml").write_text("[[slot]]\nkinds = ['conv-params']\ndifficulty = 1\ninputs = [[28, 28, 1]]\n",
                                        encoding="utf-8")
    result = run("exam", "exam.toml", "--variants", "25", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: slot 1 (Question 1): only 20 distinct questions for 25 variants; 5 repeat" in result.stderr
    slot = json.loads((tmp_path / "out" / "manifest.json").read_text())["slots"][0]
    assert slot["duplicate_rate"] == 0.2 and slot["space"] == 20
