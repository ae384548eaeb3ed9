"""Moodle XML, read as Moodle's importer reads it (question/format/xml/format.php and
shared/moodle-xml-notes.md): the elements each question type needs, fractions on Moodle's list,
every piece of text in a <text> child, unique short idnumbers, and each wrong value paired with
the feedback of the misconception it comes from, checked against the JSON of the same set."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from render_support import (
    CORE,
    GOLDEN_SET,
    cloze_parts,
    moodle_valid_number,
    run,
    visible_text,
)

from quizgen.engine.kinds import KINDS

PERCENTS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5,
            11.11111, 10, 5, 0)
ANSWER_NUMBERING = ("abc", "ABCD", "123", "iii", "IIII", "none")
SETS = {  # name: generate arguments
    "golden-auto": [*GOLDEN_SET],
    "golden-multichoice": [*GOLDEN_SET, "--moodle-type", "multichoice"],
    "core-numerical": ["generate", "--seed", "11", "--count", "60", "--kind", ",".join(CORE), "--quiet",
                       "--moodle-type", "numerical"],
    "every-kind": ["generate", "--seed", "5", "--count", "60", "--kind", ",".join(KINDS), "--quiet"],
    "every-kind-multichoice": ["generate", "--seed", "6", "--count", "60", "--kind", ",".join(KINDS), "--quiet",
                               "--moodle-type", "multichoice"],
}


def on_moodles_list(percent: float) -> bool:
    return any(abs(abs(percent) - p) < 1e-3 for p in PERCENTS) and -100 <= percent <= 100


def shown(value: Any) -> str:
    if isinstance(value, list):
        return "×".join(f"{v:,}" for v in value)
    return value if isinstance(value, str) else f"{value:,}"


def plain(value: int | float) -> str:
    return str(value) if isinstance(value, int) else f"{value:f}".rstrip("0").rstrip(".")


def text_of(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, f"missing <{path}>"
    return found.text or ""


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ET.Element, dict[int, dict[str, Any]]]]:
    """Each set as parsed Moodle XML, and its questions from the JSON of the same arguments, by seed."""
    from quizgen.cli import main

    out = {}
    folder = tmp_path_factory.mktemp("moodle")
    for name, args in SETS.items():
        xml_file, json_file = folder / f"{name}.xml", folder / f"{name}.json"
        assert main([*args, "--format", "moodle", "--output", str(xml_file)]) == 0
        json_args = [a for i, a in enumerate(args) if a != "--moodle-type" and args[i - 1] != "--moodle-type"]
        assert main([*json_args, "--format", "json", "--output", str(json_file)]) == 0
        questions = json.loads(json_file.read_text(encoding="utf-8"))["questions"]
        out[name] = (ET.parse(xml_file).getroot(), {q["seed"]: q for q in questions})
    return out


def questions_of(root: ET.Element) -> list[tuple[str, ET.Element]]:
    """(category path in force, question) for every non-category question, in file order."""
    current, out = None, []
    for q in root.findall("question"):
        if q.get("type") == "category":
            current = text_of(q, "category/text")
        else:
            out.append((current, q))
    return out


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_question_has_what_the_importer_needs(sets, name: str) -> None:
    root, by_seed = sets[name]
    assert root.tag == "quiz"
    assert all(len(t) == 0 for t in root.iter("text")), "a <text> with child elements makes Moodle refuse the file"
    idnumbers, names = [], []
    for category, q in questions_of(root):
        qtype = q.get("type")
        assert qtype in ("multichoice", "numerical", "cloze")
        names.append(text_of(q, "name/text"))
        idnumbers.append(text_of(q, "idnumber"))
        assert q.find("questiontext").get("format") == "html" and text_of(q, "questiontext/text").strip()
        assert "Worked solution" in text_of(q, "generalfeedback/text")
        source = by_seed[int(idnumbers[-1].rsplit("-", 1)[1])]
        assert category == f"$course$/quizgen/{source['kind']}/difficulty-{source['difficulty']}"
        tags = [t.text for t in q.findall("tags/tag/text")]
        assert {"quizgen", source["kind"], f"difficulty-{source['difficulty']}"} <= set(tags)
        if qtype != "cloze":
            assert float(text_of(q, "defaultgrade")) == 1 and float(text_of(q, "penalty")) > 0
        answers = q.findall("answer")
        for a in answers:
            assert on_moodles_list(float(a.get("fraction")))
            assert a.find("text") is not None and a.find("feedback/text") is not None
        if qtype == "multichoice":
            assert len(answers) >= 2 and [float(a.get("fraction")) for a in answers].count(100) == 1
            assert text_of(q, "single") == "true" and text_of(q, "shuffleanswers") in ("true", "1")
            assert text_of(q, "answernumbering") in ANSWER_NUMBERING
            for feedback in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
                assert q.find(f"{feedback}/text") is not None
            assert all(a.get("format") == "html" for a in answers)
        elif qtype == "numerical":
            assert [float(a.get("fraction")) for a in answers].count(100) == 1
            assert text_of(answers[-1], "text") == "*" and float(answers[-1].get("fraction")) == 0
            for a in answers:
                assert moodle_valid_number(text_of(a, "text")) or text_of(a, "text") == "*"
                assert moodle_valid_number(text_of(a, "tolerance"))
            assert text_of(q, "showunits") == "3"
        else:
            parts = cloze_parts(text_of(q, "questiontext/text"))
            assert parts, "a Cloze question needs at least one embedded answer"
            for part in parts:
                assert any(alt.fraction == 1 for alt in part.alternatives)
                if part.type == "NUMERICAL":
                    assert all(moodle_valid_number(alt.answer) for alt in part.alternatives)
                else:
                    assert len(part.alternatives) >= 2
    assert len(set(idnumbers)) == len(idnumbers) and max(map(len, idnumbers)) <= 100
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", sorted(SETS))
def test_answers_and_every_wrong_value_with_its_feedback(sets, name: str) -> None:
    root, by_seed = sets[name]
    for _, q in questions_of(root):
        source = by_seed[int(text_of(q, "idnumber").rsplit("-", 1)[1])]
        parts = source["parts"]
        if q.get("type") == "multichoice":
            (part,) = parts
            options = [(0, part["answer"])] + [(i, d["value"]) for i, d in enumerate(part["distractors"], 1)]
            answers = q.findall("answer")  # written in the set's option order; Moodle shuffles them
            assert len(answers) == len(part["option_order"])
            for a, i in zip(answers, part["option_order"]):
                assert shown(options[i][1]) in visible_text(text_of(a, "text"))
                assert float(a.get("fraction")) == (100 if i == 0 else 0)
                if i:
                    assert part["distractors"][i - 1]["title"] in visible_text(text_of(a, "feedback/text"))
            tags = {t.text for t in q.findall("tags/tag/text")}
            shown_ids = {m for i in part["option_order"] if i for m in (part["distractors"][i - 1]["misconception"],
                                                                         part["distractors"][i - 1].get(
                                                                             "second_misconception", "near-miss"))}
            assert shown_ids - {"near-miss"} <= tags
        elif q.get("type") == "numerical":
            (part,) = parts
            answers = {text_of(a, "text"): a for a in q.findall("answer")}
            assert float(answers[plain(part["answer"][0] if isinstance(part["answer"], list) else part["answer"])]
                         .get("fraction")) == 100
            for d in part["distractors"]:
                value = d["value"][0] if isinstance(d["value"], list) else d["value"]
                a = answers[plain(value)]
                assert float(a.get("fraction")) == 0 and d["title"] in visible_text(text_of(a, "feedback/text"))
        else:
            embedded = cloze_parts(text_of(q, "questiontext/text"))
            blanks = [(axis, value, part) for part in parts
                      for axis, value in enumerate(part["answer"] if isinstance(part["answer"], list)
                                                   else [part["answer"]])]
            if embedded[0].type != "NUMERICAL":  # options as a Cloze multiple choice, one per part
                assert [e.type for e in embedded] == ["MULTICHOICE_VS"] * len(parts)
                continue
            assert len(embedded) == len(blanks)
            for e, (axis, answer, part) in zip(embedded, blanks):
                (right,) = [alt for alt in e.alternatives if alt.fraction == 1]
                assert right.answer == plain(answer)
                wrong = {alt.answer: alt.feedback for alt in e.alternatives if alt.fraction == 0}
                # Where one mistake gives an axis's number, it explains it: a pair holding it adds nothing there.
                single = {d["value"][axis] if isinstance(d["value"], list) else d["value"] for d in part["distractors"]
                          if "second_misconception" not in d}
                for d in part["distractors"]:
                    value = d["value"][axis] if isinstance(d["value"], list) else d["value"]
                    if value != answer and ("second_misconception" not in d or value not in single):
                        assert d["title"] in visible_text(wrong[plain(value)])


@pytest.mark.parametrize("name", ["golden-auto", "every-kind"])
def test_moodle_type_auto_types_shapes_sums_and_reverse_answers(sets, name: str) -> None:
    """A filter count and a kernel size are typed too: among options the roundest filter count gave it away
    (issue 10: "the option with the most factors of two" was right 70% of the time on reverse-filters), and
    a kernel's slips are wider than its map."""
    root, by_seed = sets[name]
    asked = set()
    for _, q in questions_of(root):
        source = by_seed[int(text_of(q, "idnumber").rsplit("-", 1)[1])]
        target = source["parts"][0]["target"]
        asked.add(target["quantity"])
        if source["kind"] == "summary-table" or len(source["parts"]) > 1 or target["quantity"] == "output_shape":
            assert q.get("type") == "cloze"
        elif target["quantity"] in ("layer_name", "step"):  # a layer or a row can only be chosen
            assert q.get("type") == "multichoice"
        elif target["layer"] is None or target["quantity"] in ("output_size", "filters", "kernel_size"):
            assert q.get("type") == "numerical", source["kind"]
        else:
            assert q.get("type") == "multichoice", source["kind"]
    assert name != "every-kind" or {"filters", "kernel_size"} <= asked


def test_categories_follow_the_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bank.xml"
    status, _, err = run(capsys, *GOLDEN_SET, "--format", "moodle", "--category", "$system$/CNN week 3/",
                         "--output", str(target))
    assert (status, err) == (0, "")
    paths = [text_of(q, "category/text") for q in ET.parse(target).getroot() if q.get("type") == "category"]
    assert paths and all(p.startswith("$system$/CNN week 3/") and "//" not in p for p in paths)
    assert len(paths) == len(set(paths)), "one category entry per kind and difficulty"


def test_cloze_feedback_survives_moodles_parsing() -> None:
    """Any character in a feedback (or an answer) reaches Moodle as written, ending nothing early."""
    from quizgen.render.environment import environment
    from quizgen.render.view import Blank, Wrong

    nasty = "x}y~z#w\\v{u <b>t</b> & s'r\"q %0%p"
    wrong = Wrong(7, "nasty", nasty, nasty, near_miss=False)
    blank = Blank(None, 5, ((7, (wrong,)), (8, (wrong, wrong))), 0)
    macros = environment().get_template("moodle/_macros.xml.j2").module
    (part,) = cloze_parts(str(macros.numerical_blank(blank)))
    assert [(a.fraction, a.answer) for a in part.alternatives] == [(1, "5"), (0, "7"), (0, "8")]
    assert visible_text(part.alternatives[1].feedback).count(nasty) == 2  # the title and the explanation
    assert "<b>" not in part.alternatives[1].feedback  # shown as text, not markup
