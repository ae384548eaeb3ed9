"""`quizgen generate --format md|html|moodle`: the same questions and answers in every format, files
checked before anything is written, one-line errors, Markdown that renders, wording for every kind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest
from render_support import GOLDEN_SET, run, visible_text

from quizgen.engine.generate import Options, generate
from quizgen.engine.kinds import KINDS
from quizgen.render.environment import environment


def shown(value) -> str:
    if isinstance(value, list):
        return "×".join(f"{v:,}" for v in value)
    return value if isinstance(value, str) else f"{value:,}"


def test_every_format_shows_the_same_questions_and_answers(tmp_path: Path, capsys) -> None:
    formats = (("json", []), ("md", []), ("html", ["--interactive"]), ("moodle", ["--moodle-type", "multichoice"]))
    for fmt, extra in formats:
        status, _, _ = run(capsys, *GOLDEN_SET, "--format", fmt, *extra, "--output", str(tmp_path / f"set.{fmt}"))
        assert status == 0
    questions = json.loads((tmp_path / "set.json").read_text(encoding="utf-8"))["questions"]
    key = (tmp_path / "set-key.md").read_text(encoding="utf-8")
    page = (tmp_path / "set.html").read_text(encoding="utf-8")
    bank = {q.find("idnumber").text.rsplit("-", 1)[1]: q for q in ET.parse(tmp_path / "set.moodle").getroot()
            if q.get("type") != "category"}
    entries = re.split(r"^### Question \d+$", key, flags=re.M)[1:]
    sections = re.split(r'<section class="question"', page)[1:]
    assert len(entries) == len(sections) == len(bank) == len(questions)
    for q, entry, section in zip(questions, entries, sections):
        in_moodle = bank[str(q["seed"])]
        for part in q["parts"]:
            if part["option_order"]:  # multiple choice: the letter and value agree everywhere
                letter = "ABCD"[part["option_order"].index(0)]
                assert f"**Answer: {letter}**, {shown(part['answer'])}" in entry
                right = re.search(r'data-correct="true"[^>]*><span class="letter">(\w)</span> '
                                  r'<span class="value">([^<]*)</span>', section)
                assert right.groups() == (letter, shown(part["answer"]))
                (moodle_right,) = [a for a in in_moodle.findall("answer") if a.get("fraction") == "100"]
                assert visible_text(moodle_right.find("text").text) == shown(part["answer"])
            else:  # a table to fill in: each blank's answer
                assert f'data-answer="{part["answer"]}"' in section
                assert f"{{1:NUMERICAL:={part['answer']}#" in in_moodle.find("questiontext/text").text
                assert re.search(rf" (\*\*)?{shown(part['answer'])}(\*\*)? \|", entry)


def test_default_files_and_the_answer_key_beside_them(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "quizgen", "generate", "--seed", "7", "--count", "3", "--format",
                           "md"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == ["set-7-key.md", "set-7.md"]
    assert done.stderr == "wrote output/set-7.md and its answer key output/set-7-key.md (3 questions, seed 7)\n"


def test_an_existing_key_stops_everything_before_writing(tmp_path: Path, capsys) -> None:
    (tmp_path / "set-key.html").write_text("mine", encoding="utf-8")
    status, out, err = run(capsys, *GOLDEN_SET, "--format", "html", "--output", str(tmp_path / "set.html"))
    assert status == 2 and out == "" and err.count("\n") == 1 and "set-key.html already exists" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set-key.html"]
    status, _, _ = run(capsys, *GOLDEN_SET, "--format", "html", "--force", "--output", str(tmp_path / "set.html"))
    assert status == 0 and (tmp_path / "set-key.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args, message", [
    (["--format", "json", "--title", "T"],
     "--title applies to --format md, html, moodle, canvas, gift, anki or pdf, not json"),
    (["--format", "md", "--interactive"], "--interactive applies to --format html, not md"),
    (["--format", "moodle", "--answers", "inline"], "--answers applies to --format md, html or pdf, not moodle"),
    (["--format", "html", "--moodle-type", "numerical"], "--moodle-type applies to --format moodle, canvas or gift, not html"),
    (["--format", "md", "--answers", "separate", "--output", "-"], "--answers separate writes a key file"),
    (["--format", "moodle", "--category", "/"], "--category needs a category path"),
    (["--format", "html", "--templates", "no/such/folder"], "templates folder not found: no/such/folder"),
    (["--format", "xlsx"], "invalid choice: 'xlsx'"),
])
def test_options_that_do_not_fit_are_one_line_errors(args: list[str], message: str, capsys) -> None:
    status, out, err = run(capsys, *GOLDEN_SET, *args) if args[1] != "xlsx" else (None, "", "")
    if status is None:
        with pytest.raises(SystemExit) as stop:
            run(capsys, *GOLDEN_SET, *args)
        status, (out, err) = stop.value.code, capsys.readouterr()
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err


def test_a_missing_or_broken_template_is_named(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "templates"
    for folder in ("common", "md"):
        (mine / folder).mkdir(parents=True)
        for source in (Path(environment().loader.searchpath[0]) / folder).iterdir():
            (mine / folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (mine / "md" / "_macros.md.j2").unlink()
    out = tmp_path / "set.md"
    status, _, err = run(capsys, *GOLDEN_SET, "--format", "md", "--templates", str(mine), "--output", str(out))
    assert status == 2 and err == f"quizgen: error: template 'md/_macros.md.j2' is missing from {mine}\n"
    assert not out.exists()
    (mine / "md" / "key.md.j2").write_text("{{ no_such_thing }}", encoding="utf-8")
    status, _, err = run(capsys, *GOLDEN_SET, "--format", "md", "--templates", str(mine), "--output", str(out))
    assert status == 2 and err.count("\n") == 1 and "md/_macros.md.j2" in err
    (mine / "md" / "_macros.md.j2").write_text("{% macro exam_header(sheet) %}{% endmacro %}"
                                               "{% macro question(v) %}Q{{ v.number }} {{ v.q.nothing }}"
                                               "{% endmacro %}", encoding="utf-8")
    status, _, err = run(capsys, *GOLDEN_SET, "--format", "md", "--answers", "none", "--templates", str(mine),
                         "--output", str(out))
    assert status == 2 and err.count("\n") == 1 and "template md/question.md.j2" in err and "nothing" in err


def test_a_users_templates_translate_the_wording(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "templates"
    for folder in ("common", "md"):
        (mine / folder).mkdir(parents=True)
        for source in (Path(environment().loader.searchpath[0]) / folder).iterdir():
            text = source.read_text(encoding="utf-8")
            (mine / folder / source.name).write_text(text.replace('"question": "Question"', '"question": "Frage"'),
                                                     encoding="utf-8")
    status, out, _ = run(capsys, *GOLDEN_SET, "--format", "md", "--answers", "none", "--templates", str(mine),
                         "--output", "-")
    assert status == 0 and "## Frage 1" in out and "## Question" not in out


def test_standard_output_gets_the_key_inline(capsys) -> None:
    status, out, _ = run(capsys, *GOLDEN_SET, "--format", "md", "--output", "-")
    assert status == 0 and "## Answer key" in out and out.count("### Question ") == 12


def test_markdown_renders_cleanly_without_raw_html(tmp_path: Path, capsys) -> None:
    status, _, _ = run(capsys, "generate", "--seed", "21", "--count", "60", "--kind", ",".join(KINDS), "--quiet",
                       "--format", "md", "--answers", "inline", "--output", str(tmp_path / "set.md"))
    assert status == 0
    source = (tmp_path / "set.md").read_text(encoding="utf-8")
    assert not re.search(r"<[A-Za-z/!]", source), "Markdown output should need no raw HTML"
    rendered = markdown.markdown(source, extensions=["tables"])
    tables = len(re.findall(r"^\|[-:|]+\|$", source, flags=re.M))
    assert tables > 60 and rendered.count("<table>") == tables
    assert rendered.count("<li>") >= 4 * 60 and "|" not in re.sub(r"<code>.*?</code>", "", rendered)


def test_every_kind_topic_and_quantity_has_words() -> None:
    words = environment().get_template("common/words.j2").module
    seen_topics, seen_quantities = set(), set()
    for kind in KINDS:
        for q in generate(13, 15, Options((kind,), (1, 2, 3))):
            seen_topics |= {s.topic for s in q.solution}
            seen_quantities |= {p.target.quantity for p in q.parts}
    assert set(KINDS) <= set(words.kind_titles)
    assert seen_topics <= set(words.topics), seen_topics - set(words.topics)
    assert seen_quantities <= set(words.quantities), seen_quantities - set(words.quantities)


def test_help_stays_light() -> None:
    """jinja2 and markdown are imported only when a templated format is written."""
    code = ("import sys; from quizgen.cli import build_parser; build_parser().parse_args(['generate']); "
            "print(sorted(m for m in ('jinja2', 'markdown') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
