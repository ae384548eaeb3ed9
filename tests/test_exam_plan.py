"""Exam planning: blueprints, rosters, variants, duplicates (the files are in test_exam_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizgen.errors import QuizgenError
from quizgen.exam.blueprint import load_blueprint
from quizgen.exam.key import grading_rows, manifest
from quizgen.exam.plan import plan_exam
from quizgen.exam.roster import fake_roster, read_roster

EXAMPLE = Path(__file__).parent.parent / "templates" / "exam" / "example.toml"


def blueprint(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exam.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_plans_30_equivalent_variants() -> None:
    bp = load_blueprint(EXAMPLE)
    plan = plan_exam(bp, fake_roster(30, "en_US", 1))
    assert len(plan.variants) == 30 and not plan.warnings
    for v in plan.variants:
        for slot, q in zip(bp.slots, v.questions):
            assert q.kind in slot.kinds and q.difficulty in slot.difficulties
            assert q.id == f"{v.code}-q{slot.number}"
    first = plan.variants[0].questions
    assert [q.stack.to_json() for q in first] != [q.stack.to_json() for q in plan.variants[1].questions]


def test_same_blueprint_same_exams_and_names_do_not_change_numbers() -> None:
    bp = load_blueprint(EXAMPLE)
    a = plan_exam(bp, ["Ann", "Bo", "Cy"])
    b = plan_exam(bp, ["Zoë", "Łukasz", "O'Neil"])
    assert [[q.to_json()["parts"] for q in v.questions] for v in a.variants] == \
        [[q.to_json()["parts"] for q in v.questions] for v in b.variants]
    assert json.dumps(manifest(a)) == json.dumps(manifest(plan_exam(bp, ["Ann", "Bo", "Cy"])))


def test_constraints_are_honoured(tmp_path: Path) -> None:
    bp = load_blueprint(blueprint(tmp_path, """
seed = 4
[[slot]]
kinds = ["dense-after-flatten", "flatten-size"]
difficulty = 2
families = ["classifier-2d"]
inputs = [[32, 32, 3]]
bias = false
options = 3
"""))
    for v in plan_exam(bp, [str(n) for n in range(25)]).variants:
        q = v.questions[0]
        assert q.family == "classifier-2d" and q.stack.input_shape == (32, 32, 3)
        assert not any(getattr(layer, "use_bias", False) for layer in q.stack.layers)
        assert len(q.parts[0].option_order) == 3


def test_a_small_space_warns_with_the_measured_duplicate_rate(tmp_path: Path) -> None:
    bp = load_blueprint(blueprint(tmp_path, """
[[slot]]
kinds = ["conv-params"]
difficulty = 1
inputs = [[28, 28, 1]]
"""))
    plan = plan_exam(bp, [f"s{n}" for n in range(30)])  # 5 filter counts × 4 kernels = 20 questions
    report = plan.reports[0]
    assert (report.space, report.distinct) == (20, 20)
    assert report.duplicate_rate == round(10 / 30, 4)
    assert plan.warnings == ["slot 1 (Question 1): only 20 distinct questions for 30 variants; 10 repeat "
                             "(add kinds or difficulties, or relax its constraints)"]
    assert manifest(plan)["slots"][0]["duplicate_rate"] == report.duplicate_rate


@pytest.mark.parametrize("text, message", [
    ("title = 'x'\n", "needs at least one [[slot]] table"),
    ("[[slot]]\nkinds = ['conv-params']\nkidns = 1\n", "slot 1: unknown key 'kidns'"),
    ("tittle = 'x'\n[[slot]]\nkinds = ['conv-params']\n", "unknown key 'tittle'"),
    ("[[slot]]\nkinds = ['conv-param']\n", "slot 1: unknown kind 'conv-param'"),
    ("[[slot]]\nkinds = ['conv-params']\ndifficulty = 4\n", "difficulty must be 1, 2 or 3"),
    ("[[slot]]\nkinds = ['conv-params']\noptions = 7\n", "options must be 2, 3 or 4"),
    ("[[slot]]\nkinds = ['conv-params']\nfamilies = ['resnet']\n", "unknown family 'resnet'"),
    ("[[slot]]\nkinds = ['conv-params'\n", "not valid TOML"),
    ("seed = 'seven'\n[[slot]]\nkinds = ['conv-params']\n", "seed must be a whole number"),
])
def test_bad_blueprints_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(QuizgenError, match=None) as error:
        load_blueprint(blueprint(tmp_path, text))
    assert message in str(error.value) and "exam.toml" in str(error.value)


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(QuizgenError) as error:
        load_blueprint(blueprint(tmp_path, "title = 'ok'\n\n[[slot]]\nkinds = [\n"))
    assert "line" in str(error.value)


def test_impossible_constraints_are_reported_before_generating(tmp_path: Path) -> None:
    bp = load_blueprint(blueprint(tmp_path, "[[slot]]\nkinds = ['flatten-size']\ndifficulty = 2\n"
                                            "families = ['encoder-decoder']\n"))
    with pytest.raises(QuizgenError) as error:
        plan_exam(bp, ["a"])
    assert "slot 1: impossible constraint for kind flatten-size at difficulty 2" in str(error.value)


def test_roster_unicode_quotes_and_empty_lines(tmp_path: Path) -> None:
    path = tmp_path / "students.csv"
    path.write_text('\ufeffid,Name,email\n1,"Zoë Ø\'Brien, Jr.",z@x\n\n2,Łukasz Żółć,l@x\n , \n3,"Anna ""Ann"" Lee",a@x\n',
                    encoding="utf-8")
    assert read_roster(path) == ["Zoë Ø'Brien, Jr.", "Łukasz Żółć", 'Anna "Ann" Lee']
    headless = tmp_path / "plain.csv"  # Ann would be taken for a header, or the header for a student
    headless.write_text("Ann\nBo\n", encoding="utf-8")
    with pytest.raises(QuizgenError, match="header with a 'name' column"):
        read_roster(headless)


@pytest.mark.parametrize("text, message", [("", "the roster is empty"), ("name\n", "no names"),
                                           ("name,id\n,3\n", "row 2 has no name")])
def test_bad_rosters(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QuizgenError, match=message):
        read_roster(path)


def test_grading_rows_give_letter_and_value() -> None:
    plan = plan_exam(load_blueprint(EXAMPLE), ["Ann", "Bo"])
    rows = grading_rows(plan)
    assert rows[0] == ["variant", "student", "question", "part", "points", "letter", "answer"]
    first = plan.variants[0].questions[0].parts[0]
    assert rows[1][:3] == ["V01", "Ann", "1"] and rows[1][5] == first.answer_letter
    assert rows[1][6] == str(first.answer)


def test_a_slot_style_shows_pytorch_code_and_counts_as_pytorch() -> None:
    bp = load_blueprint(EXAMPLE)
    slot = next(s for s in bp.slots if s.style == "pytorch")
    for v in plan_exam(bp, ["Ann", "Bo", "Cy"]).variants:
        q = v.questions[slot.number - 1]
        assert all(p.target.convention == "pytorch" for p in q.parts)
        assert "nn.Sequential(" in q.to_json()["prompt"]["code"]["text"]
