"""`quizgen report`: real Moodle 4.5 results of a quizgen exam (checked in under tests/data, with
the exam's questions.json), hand-worked statistics, a simulated class through a Moodle-shaped
CSV and back, and bad input."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.errors import QuizgenError
from quizgen.report import bank, classify, moodle, stats
from quizgen.report.bank import Bank, Box, Item, PartKey
from quizgen.report.results import Attempt, Cell, Results
from tests.render_support import run
from tests.report_support import option_text, response_cell, write_responses

DATA = Path(__file__).parent / "data" / "moodle-responses"
FULL, DEFAULT, GRADES = DATA / "responses-full.csv", DATA / "responses-default.csv", DATA / "grades.csv"


@pytest.fixture(scope="module")
def fixture_report() -> stats.Report:
    results = moodle.read([FULL, GRADES])
    return stats.build(classify.classify(results, bank.load_exam(DATA)))


def by_row(report: stats.Report) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = {}
    for r in report.classified.responses:
        out.setdefault((r.attempt.row, r.slot), []).append(r.cls)
    return out


def rewrite(source: Path, target: Path, edit: Any, encoding: str = "utf-8") -> Path:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", **edit(rows)).writerows(rows)
    target.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    return target


# --- the real fixture -----------------------------------------------------------------------------

def test_fixture_totals_match_how_the_answers_were_made(fixture_report: stats.Report) -> None:
    """The fixture's README: 135 parts, 57 right, 53 a misconception's value, 12 random, 13 blank;
    every one of the 120 cells tied to its question by the question's opening paragraph."""
    assert len(fixture_report.classified.responses) == 135
    assert fixture_report.classified.untied == ()
    assert fixture_report.totals == {"correct": 57, "misconception": 53, "near-miss": 0, "unexplained": 12,
                                     "blank": 13}


def test_fixture_rows_checked_by_hand(fixture_report: stats.Report) -> None:
    rows = by_row(fixture_report)
    # Row 2, Jonathan Hunt. Slot 1: Conv2D(16, 7×7) on 96×96×1: 7·7·1·16 + 16 = 800, typed "800".
    assert rows[(2, 1)] == ["correct"]
    # Slot 3: Conv1d(40→128, k=3) on 80 steps → 78, MaxPool1d(5) → 15, Conv1d(k=7) → 9, MaxPool1d(5) → 1:
    # Linear(128 → 2) has 128·2 + 2 = 258.
    assert rows[(2, 3)] == ["correct"]
    # Row 3, Ashley Walker. Slot 1: Conv2D(8, 1×1) on one channel: 8 + 8 = 16; "8" leaves out the bias.
    assert rows[(3, 1)] == ["forgot-bias"]
    # Slot 2: 28×28×1 through a valid 3×3 Conv2D(64) is 26×26×64; 25 = 28 − 3 without the +1.
    assert rows[(3, 2)] == ["plus-one-inside-or-missing"]
    # Row 4, Kristie Logan. Slot 1: Conv2D(32, 7×7) on 64×64×1: 49·32 + 32 = 1,600 (option text, with a comma).
    assert rows[(4, 1)] == ["correct"]
    # Slot 2: conv 3×3 → 26, pool 2 → 13, conv 3×3 → 11, pool 2 → 5: 5×5×32. With the pools at stride 1:
    # 26 → 25 → 23 → 22, the "22; 22; 32" typed.
    assert rows[(4, 2)] == ["pool-stride-default"]
    # Row 5, Monica Tate. Slot 1: Conv2D(16, 7×7) on 48×48×3: (7·7·3 + 1)·16 = 2,368; (147 + 3)·16 = 2,400
    # is one bias per input channel.
    assert rows[(5, 1)] == ["bias-per-input-channel"]
    assert rows[(5, 2)] == ["blank"]  # "part 1: ; part 2: ; part 3:"
    assert rows[(6, 4)] == ["blank"]  # "-"
    # Row 6, Laurie Allen. Slot 3: 698531 is neither the answer 602,176 nor any distractor's value.
    assert rows[(6, 3)] == ["unexplained"]
    # A trainable-split cloze has two parts, each classified on its own.
    assert len(rows[(4, 4)]) == 2


def test_fixture_counts_per_misconception(fixture_report: stats.Report) -> None:
    made = {m.id: (len(m.students), m.made, m.possible) for m in fixture_report.misconceptions if m.made}
    assert made == {
        "plus-one-inside-or-missing": (8, 8, 60), "output-channels-multiply": (7, 8, 74), "forgot-bias": (7, 7, 94),
        "bias-per-output-position": (4, 4, 59), "pool-stride-default": (4, 4, 52), "wrong-flatten-size": (4, 4, 52),
        "bias-per-input-channel": (3, 3, 41), "multiply-by-output-spatial-size": (3, 3, 61),
        "forgot-input-channels": (2, 2, 41), "forgot-padding": (2, 2, 16), "frozen-still-trainable": (2, 2, 14),
        "input-depth-called-stride": (2, 2, 28), "no-floor-fractional-size": (2, 2, 22),
        "same-means-same-size-with-stride": (2, 2, 15)}
    assert sum(m.made for m in fixture_report.misconceptions) == 53
    # Every count agrees with the per-response list.
    responses = Counter(r.cls for r in fixture_report.classified.responses)
    assert all(responses[m] == n for m, (_, n, _) in made.items())


def test_json_lists_every_response_and_the_untied(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "report", str(FULL), str(GRADES), "--exam", str(DATA), "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert len(doc["responses"]) == 135 and doc["untied"] == []
    first = doc["responses"][0]
    assert first == {"student": "qgstudent01@example.com", "slot": 1,
                     "question": "conv-params-d1-multichoice-314675403967242891", "part": 1, "response": "800",
                     "class": "correct"}
    bank_ids = {q["moodle"]["idnumber"] for q in json.loads((DATA / "questions.json").read_text())["questions"]}
    assert {r["question"] for r in doc["responses"]} <= bank_ids
    assert {r["class"] for r in doc["responses"]} >= {"correct", "blank", "unexplained", "forgot-bias"}


def test_anonymous_hides_every_name(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("text", "json", "csv", "html"):
        status, out, err = run(capsys, "report", str(FULL), "--exam", str(DATA), "--format", fmt, "--anonymous")
        assert status == 0, err
        assert "Student 01" in out
        for name in ("Jonathan", "Hunt", "qgstudent01", "example.com"):
            assert name not in out, (fmt, name)


def test_drill_command_targets_the_students_kinds(fixture_report: stats.Report) -> None:
    walker = next(s for s in fixture_report.students if s.name == "Ashley Walker")
    assert dict(walker.misconceptions) == {"forgot-bias": 1, "plus-one-inside-or-missing": 1}
    assert walker.drill == f"quizgen drill --kind conv-params,output-shape --seed {stats.drill_seed(walker.student)}"
    from quizgen.cli import build_parser
    args = build_parser().parse_args(walker.drill.split()[1:])  # a command the CLI accepts as it is
    assert args.kind == ["conv-params,output-shape"] and args.seed == stats.drill_seed(walker.student)


def test_html_report_is_one_page_that_needs_no_network(browser: Any, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_render_browser import open_page
    target = tmp_path / "report.html"
    status, _, err = run(capsys, "report", str(FULL), "--exam", str(DATA), "--format", "html", "-o", str(target))
    assert status == 0, err
    text = target.read_text(encoding="utf-8")
    assert "default-src 'none'" in text and "<script" not in text and "http" not in text.split("</head>")[1]
    page, problems = open_page(browser, target)
    assert problems == []
    assert page.locator("svg.bar").count() > 20
    assert "Forgot the bias" in page.locator("body").inner_text()


def test_a_hostile_name_stays_text_in_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def edit(rows: list[list[str]]) -> dict[str, Any]:
        rows[1][1] = "<script>alert(1)</script>"
        return {}
    hostile = rewrite(FULL, tmp_path / "r.csv", edit)
    status, page, err = run(capsys, "report", str(hostile), "--exam", str(DATA), "--format", "html")
    assert status == 0, err
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- statistics by hand -------------------------------------------------------------------------

def small_class() -> classify.Classified:
    """Two slots; five students. A: typed, answer 10, forgot-bias 11, near miss 20 (1 point).
    B: options 5 (right), 6 (forgot-bias), 7 (pooling-has-params) shown; 8 not shown (2 points)."""
    a = Item("V01-q1", 1, "conv-params", "A", 1, (PartKey(1, "params", None, 10, ((11, "forgot-bias"),
                                                                                 (20, "near-miss")), (), False),),
             (Box(1, None, False),), ())
    b = Item("V01-q2", 2, "layer-params", "B", 2,
             (PartKey(1, "params", None, 5, ((6, "forgot-bias"), (7, "pooling-has-params"),
                                             (8, "forgot-input-channels")), (0, 1), True),),
             (Box(1, None, True),), ())
    answers = [("10", "6"), ("11", "5"), ("11", "5"), ("99", "-"), ("10", "-")]
    attempts = tuple(Attempt("r.csv", n, f"s{n}", f"S{n}", None, (Cell(1, "… Q V01-q1", x), Cell(2, "… Q V01-q2", y)))
                     for n, (x, y) in enumerate(answers, 1))
    results = Results("moodle", ("r.csv",), 2, None, attempts, True)
    return classify.classify(results, Bank("bank", None, 2, (a, b)))


def test_item_statistics_by_hand() -> None:
    report = stats.build(small_class())
    # Scores (A 1 point, B 2): s1 1 + 0 = 1, s2 0 + 2 = 2, s3 2, s4 0, s5 1. Top 27% of 5 is one student:
    # s2 (the first of the two with 2); bottom: s4.
    assert [s.score for s in report.students] == [1, 2, 2, 0, 1]
    a, b = report.items
    # A right for s1, s5: difficulty 2/5. Item x = (1,0,0,0,1), rest = score − x = (0,2,2,0,0):
    # Σdx·dy = −1.6, Σdx² = 1.2, Σdy² = 4.8, r = −1.6 / √5.76 = −2/3. D = s2's 0 − s4's 0 = 0.
    assert a.difficulty == pytest.approx(0.4)
    assert a.point_biserial == pytest.approx(-2 / 3)
    assert a.discrimination == 0
    # B right for s2, s3: x = (0,1,1,0,0), rest = score − 2x = (1,0,0,0,1): Σdx·dy = −0.8, Σdx² = Σdy² = 1.2,
    # r = −2/3. D = s2's 1 − s4's 0 = 1.
    assert b.difficulty == pytest.approx(0.4)
    assert b.point_biserial == pytest.approx(-2 / 3)
    assert b.discrimination == 1
    opts = {o.cls: o for o in b.options}
    # Shown to all five: forgot-bias chosen once (20%), pooling-has-params never (rare); 8 never shown.
    assert (opts["forgot-bias"].chosen, opts["forgot-bias"].shown, opts["forgot-bias"].rare) == (1, 5, False)
    assert (opts["pooling-has-params"].chosen, opts["pooling-has-params"].rare) == (0, True)
    assert "forgot-input-channels" not in opts
    # On A the top student (s2) typed the forgot-bias value, not the answer: a strong distractor.
    a_opts = {o.cls: o for o in a.options}
    assert a_opts["forgot-bias"].strong and not a_opts["forgot-bias"].rare and (a_opts["forgot-bias"].chosen,
                                                                                a_opts["forgot-bias"].shown) == (2, 5)
    mis = {m.id: m for m in report.misconceptions}
    assert (mis["forgot-bias"].students, mis["forgot-bias"].made, mis["forgot-bias"].possible) == (("S1", "S2", "S3"),
                                                                                                  3, 10)
    assert (mis["pooling-has-params"].made, mis["pooling-has-params"].possible) == (0, 5)
    assert "forgot-input-channels" not in mis  # never shown, so never possible
    assert report.totals == {"correct": 4, "misconception": 3, "near-miss": 0, "unexplained": 1, "blank": 2}


def test_a_shape_two_mistakes_make_counts_for_both() -> None:
    """An output-shape option a student holding two mistakes at once writes (issue 10 §1): choosing it shows
    both, in the misconception table and for the student; the option keeps its own row, named by both."""
    doc = {"id": "q1", "kind": "output-shape", "stack": {"input_shape": [28, 28, 1], "layers": [
        {"class_name": "Conv2D", "config": {"filters": 32, "kernel_size": [3, 3]}}]},
        "parts": [{"target": {"layer": 0, "quantity": "output_shape"}, "answer": [26, 26, 32],
                   "option_order": [0, 1, 2, 3],
                   "distractors": [{"value": [25, 25, 32], "misconception": "plus-one-inside-or-missing"},
                                   {"value": [26, 26, 1], "misconception": "conv-keeps-input-channels"},
                                   {"value": [25, 25, 1], "misconception": "plus-one-inside-or-missing",
                                    "second_misconception": "conv-keeps-input-channels"}]}]}
    item = dataclasses.replace(bank.item(doc, [Box(1, None, True)], 1, 1, "S"), opening=None)
    answers = ["25×25×1", "25×25×32", "26×26×32"]
    attempts = tuple(Attempt("r.csv", n, f"s{n}", f"S{n}", None, (Cell(1, "… Q q1", x),))
                     for n, x in enumerate(answers, 1))
    report = stats.build(classify.classify(Results("moodle", ("r.csv",), 1, None, attempts, True),
                                           Bank("bank", None, 1, (item,))))
    both = "plus-one-inside-or-missing+conv-keeps-input-channels"
    assert [r.cls for r in report.classified.responses] == [both, "plus-one-inside-or-missing", "correct"]
    mis = {m.id: m for m in report.misconceptions}
    # S1 chose the pair, S2 the dropped +1 alone: the +1 made twice, the channels once; each shown to all three.
    assert (mis["plus-one-inside-or-missing"].students, mis["plus-one-inside-or-missing"].made) == (("S1", "S2"), 2)
    assert (mis["conv-keeps-input-channels"].students, mis["conv-keeps-input-channels"].made) == (("S1",), 1)
    assert mis["plus-one-inside-or-missing"].possible == 3 and mis["conv-keeps-input-channels"].possible == 3
    assert both not in mis
    assert dict(report.students[0].misconceptions) == {"plus-one-inside-or-missing": 1, "conv-keeps-input-channels": 1}
    (row,) = report.items
    option = next(o for o in row.options if o.cls == both)
    assert (option.title, option.chosen, option.shown) == (
        "Two mistakes: dropped the +1 and kept the input's channels", 1, 3)
    assert report.totals["misconception"] == 2


def test_pearson_needs_spread() -> None:
    assert stats.pearson([1, 1, 1], [0, 1, 2]) is None
    assert stats.pearson([0, 1], [0, 1]) is None
    assert stats.pearson([0, 1, 2], [0, 2, 4]) == pytest.approx(1)


# --- a simulated class, through a Moodle-shaped CSV and back --------------------------------------

WIDE_BLUEPRINT = """
title = "Wide"
seed = 11
[[slot]]
name = "Table"
kinds = ["summary-table"]
difficulty = [1, 2]
points = 3
[[slot]]
name = "Layer or memory"
kinds = ["layer-params", "memory-footprint"]
difficulty = [1, 2, 3]
points = 2
moodle_type = "multichoice"
[[slot]]
name = "Which layer"
kinds = ["most-params", "spot-the-error"]
difficulty = [2, 3]
points = 2
[[slot]]
name = "Shapes as options"
kinds = ["output-shape", "trainable-split"]
difficulty = [2, 3]
points = 2
moodle_type = "multichoice"
[[slot]]
name = "Typed"
kinds = ["conv-params", "memory-footprint", "flatten-size"]
difficulty = [1, 3]
points = 1
moodle_type = "numerical"
"""


@pytest.fixture(scope="module")
def wide_exam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An exam with every way Moodle asks (table cloze, options of shapes, memory with units, layer
    names, typed numbers), written by today's quizgen: the round trip checks itself, whatever it draws."""
    folder = tmp_path_factory.mktemp("wide")
    (folder / "exam.toml").write_text(WIDE_BLUEPRINT, encoding="utf-8")
    from quizgen.cli import main
    assert main(["exam", str(folder / "exam.toml"), "--variants", "8", "-o", str(folder / "exam"), "--quiet"]) == 0
    return folder / "exam"


def exam_questions(folder: Path) -> list[dict[str, Any]]:
    return json.loads((folder / "questions.json").read_text(encoding="utf-8"))["questions"]


def openings_of(folder: Path) -> dict[str, str]:
    return {qid: text for qid, (_, text) in bank.openings(folder / "moodle.xml").items()}


def simulate(folder: Path, data: st.DataObject, tmp: Path) -> tuple[Path, dict[tuple[int, int, int], str]]:
    """A class answering a random question per slot: each part right, a distractor's value (only the
    options shown, for a choice), or blank. Returns the CSV and the class each part must get."""
    questions, openings = exam_questions(folder), openings_of(folder)
    from quizgen.report.bank import _layer_names
    slots = sorted({q["slot"] for q in questions})
    expected: dict[tuple[int, int, int], str] = {}
    rows = []
    for student in range(1, data.draw(st.integers(1, 6), label="students") + 1):
        cells = []
        for slot in slots:
            q = data.draw(st.sampled_from([q for q in questions if q["slot"] == slot]))
            boxes = q["moodle"]["blanks"]
            values = []
            for n, part in enumerate(q["parts"], 1):
                choice = any(b["choice"] for b in boxes if b["part"] == n)
                pool = [part["distractors"][i - 1] for i in part["option_order"] if i] if choice else part["distractors"]
                pick = data.draw(st.sampled_from(["correct", "blank", *range(len(pool))]))
                values.append(None if pick == "blank" else part["answer"] if pick == "correct" else pool[pick]["value"])
                expected[(student + 1, slot, n)] = pick if isinstance(pick, str) else "+".join(  # two: both ids
                    filter(None, (pool[pick]["misconception"], pool[pick].get("second_misconception"))))
            if all(v is None for v in values):  # an all-blank question
                expected.update({(student + 1, slot, n): "blank" for n in range(1, len(q["parts"]) + 1)})
            with_code = data.draw(st.booleans())
            text = (openings[q["id"]] + "   Input: …" + (f"   Q {q['id']}" if with_code else "")
                    if not with_code or data.draw(st.booleans()) else f"… Q {q['id']} …")
            cells.append((text, response_cell(q, values, list(_layer_names(q)))))
        rows.append((f"First{student}", f"Last{student}", cells))
    path = tmp / "responses.csv"
    write_responses(path, rows)
    return path, expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_simulated_class_round_trips_with_every_part_classified(wide_exam: Path, data: st.DataObject,
                                                                   tmp_path: Path) -> None:
    path, expected = simulate(wide_exam, data, tmp_path)
    classified = classify.classify(moodle.read([path]), bank.load_exam(wide_exam))
    assert classified.untied == ()
    got = {(r.attempt.row, r.slot, r.part.number): r.cls for r in classified.responses}
    assert got == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_fixture_bank_round_trips_too(data: st.DataObject, tmp_path: Path) -> None:
    path, expected = simulate(DATA, data, tmp_path)
    classified = classify.classify(moodle.read([path]), bank.load_exam(DATA))
    assert classified.untied == ()
    assert {(r.attempt.row, r.slot, r.part.number): r.cls for r in classified.responses} == expected


def test_option_texts_are_what_the_bank_shows(wide_exam: Path) -> None:
    """The test writer's option texts are the Moodle bank's own, so the round trip reads real text."""
    xml = (wide_exam / "moodle.xml").read_text(encoding="utf-8")
    from quizgen.report.bank import _layer_names
    checked = 0
    for q in exam_questions(wide_exam):
        if q["moodle"]["type"] == "multichoice":
            part = q["parts"][0]
            assert f"<![CDATA[{option_text(part['answer'], part, list(_layer_names(q)))}]]>" in xml
            checked += 1
    assert checked >= 8


def test_every_exam_question_shows_its_code(wide_exam: Path) -> None:
    xml = (wide_exam / "moodle.xml").read_text(encoding="utf-8")
    for q in exam_questions(wide_exam):
        assert f'<p class="quizgen-qid"><small>Q {q["id"]}</small></p>' in xml
    import re
    assert re.findall(r"<idnumber>(.*?)</idnumber>", xml) == [q["moodle"]["idnumber"] for q in exam_questions(wide_exam)]


def test_set_layout_agrees_with_the_moodle_bank() -> None:
    """`--set` works out how Moodle asks each question from its JSON; the bank writer decides it from
    the question's view. The two agree on every kind, difficulty and Moodle type."""
    from quizgen.engine.generate import Options, generate
    from quizgen.engine.kinds import KINDS
    from quizgen.render.view import moodle_blanks, moodle_type, view
    from quizgen.report.layout import layout
    for q in generate(5, 120, Options(tuple(KINDS), (1, 2, 3))):
        v = view(q, 1)
        for mode in ("multichoice", "numerical", "auto"):
            qtype, boxes = layout(q.to_json(), mode)
            assert (qtype, [(b.part - 1, b.axis, b.choice) for b in boxes]) == (moodle_type(v, mode),
                                                                                list(moodle_blanks(v, mode))), q.kind


def test_a_set_quiz_is_read_by_its_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "generate", "--seed", "4", "--count", "3", "--kind", "conv-params",
                         "-o", str(tmp_path / "set.json"), "--quiet")
    assert status == 0, err
    questions = json.loads((tmp_path / "set.json").read_text())["questions"]
    rows = [("A", "B", [(f"Text. Q {q['id']}", f"{q['parts'][0]['answer']:,}") for q in questions])]
    write_responses(tmp_path / "r.csv", rows)
    status, out, err = run(capsys, "report", str(tmp_path / "r.csv"), "--set", str(tmp_path / "set.json"),
                           "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert [r["class"] for r in doc["responses"]] == ["correct"] * 3
    status, xml, err = run(capsys, "generate", "--seed", "4", "--count", "3", "--kind", "conv-params",
                           "--format", "moodle", "-o", "-", "--quiet")
    import re
    assert [r["question"] for r in doc["responses"]] == re.findall(r"<idnumber>(.*?)</idnumber>", xml)


# --- what cannot be tied, and bad input ---------------------------------------------------------

def test_an_unknown_question_text_is_kept_apart(tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> dict[str, Any]:
        rows[2][8] = "A question this exam never had."
        return {}
    path = rewrite(FULL, tmp_path / "r.csv", edit)
    classified = classify.classify(moodle.read([path]), bank.load_exam(DATA))
    assert len(classified.untied) == 1
    u = classified.untied[0]
    assert (u.attempt.row, u.slot, u.response) == (3, 1, "8") and "matches none of slot 1's questions" in u.reason
    assert len(classified.responses) == 134


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = run(capsys, "report", *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("quizgen: error: ") and "Traceback" not in err
    return err


def test_bad_input_is_one_line_naming_the_file_and_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exam = ["--exam", str(DATA)]
    err = one_line_error(capsys, str(DEFAULT), *exam)
    assert "responses-default.csv row 1" in err and "'Question text'" in err
    err = one_line_error(capsys, str(DATA / "grading-key.csv"), *exam)
    assert "grading-key.csv row 1" in err and "not a Moodle quiz" in err
    semicolons = rewrite(FULL, tmp_path / "semi.csv", lambda rows: {"delimiter": ";"})
    assert "semi.csv row 1: fields separated by semicolons" in one_line_error(capsys, str(semicolons), *exam)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(FULL.read_bytes()[3:].replace(b"Jonathan", "Jónathan".encode("latin-1")))
    assert "latin.csv row 2: not UTF-8" in one_line_error(capsys, str(latin), *exam)

    def drop_slot(rows: list[list[str]]) -> dict[str, Any]:
        for row in rows:
            del row[-3:]
        return {}
    three = rewrite(FULL, tmp_path / "three.csv", drop_slot)
    assert "three.csv row 1: 3 questions per attempt" in one_line_error(capsys, str(three), *exam)

    def short_row(rows: list[list[str]]) -> dict[str, Any]:
        del rows[4][-1]
        return {}
    short = rewrite(FULL, tmp_path / "short.csv", short_row)
    assert "short.csv row 5: 19 fields" in one_line_error(capsys, str(short), *exam)


def test_a_bank_that_does_not_match_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    shutil.copytree(DATA, other)
    toml = (other / "exam.toml").read_text().replace("seed = 2026", "seed = 2027")
    (other / "exam.toml").write_text(toml)
    status, _, err = run(capsys, "exam", str(other / "exam.toml"), "--fake-roster", "30", "-o", str(other / "new"),
                         "--quiet")
    assert status == 0, err
    err = one_line_error(capsys, str(FULL), "--exam", str(other / "new"))
    assert "responses-full.csv row 2: slot 1:" in err and "different quiz" in err
    # The fixture's questions with another exam's bank: caught before any response is read.
    shutil.copy(other / "new" / "moodle.xml", other / "moodle.xml")
    err = one_line_error(capsys, str(FULL), "--exam", str(other))
    assert "moodle.xml: question V01-q1" in err and "does not match" in err


def test_a_wrong_right_answer_unties_the_cell(tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> dict[str, Any]:
        rows[1][10] = "123"  # Hunt's slot 1: the right answer is 800
        return {}
    path = rewrite(FULL, tmp_path / "r.csv", edit)
    classified = classify.classify(moodle.read([path]), bank.load_exam(DATA))
    assert [(u.attempt.row, u.slot) for u in classified.untied] == [(2, 1)]
    assert "bank that does not match" in classified.untied[0].reason


def test_grades_report_of_another_quiz_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def edit(rows: list[list[str]]) -> dict[str, Any]:
        rows[3][2] = "someone.else@example.com"
        return {}
    grades = rewrite(GRADES, tmp_path / "grades.csv", edit)
    err = one_line_error(capsys, str(FULL), str(grades), "--exam", str(DATA))
    assert "responses-full.csv row 4" in err and "different quizzes" in err


def test_the_output_file_is_not_clobbered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.json"
    target.write_text("keep")
    err = one_line_error(capsys, str(FULL), "--exam", str(DATA), "--format", "json", "-o", str(target))
    assert "already exists" in err and target.read_text() == "keep"


def test_cloze_boxes_are_in_the_order_of_the_bank(wide_exam: Path) -> None:
    """Each Cloze question's embedded answers, read from moodle.xml as Moodle's parser reads them,
    are the questions.json boxes' answers in the same order (the order of a response's "part k")."""
    import xml.etree.ElementTree as ET

    from tests.render_support import cloze_parts
    from tests.report_support import typed_text
    checked = 0
    for folder in (wide_exam, DATA):
        questions = {q["id"]: q for q in exam_questions(folder)}
        for node in ET.parse(folder / "moodle.xml").getroot().iter("question"):
            if node.get("type") != "cloze":
                continue
            q = questions[node.findtext("name/text").split(" · ")[0]]
            right = [next(a for a in e.alternatives if a.fraction == 1).answer
                     for e in cloze_parts(node.findtext("questiontext/text"))]
            want = []
            for box in q["moodle"]["blanks"]:
                part = q["parts"][box["part"] - 1]
                value = part["answer"] if box["axis"] is None else part["answer"][box["axis"]]
                want.append(option_text(value, part, []) if box["choice"] else typed_text(value))
            assert right == want, q["id"]
            checked += 1
    assert checked >= 20


def test_every_format_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("text", "html", "csv", "json"):
        outs = {run(capsys, "report", str(FULL), str(GRADES), "--exam", str(DATA), "--format", fmt)[1]
                for _ in range(2)}
        assert len(outs) == 1 and next(iter(outs)), fmt


def test_csv_keeps_a_formula_from_the_lms_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def edit(rows: list[list[str]]) -> dict[str, Any]:
        rows[1][1] = '=HYPERLINK("http://x")'
        rows[1][9] = "=1+1"  # Hunt's slot 1 response
        return {}
    path = rewrite(FULL, tmp_path / "r.csv", edit)
    status, out, err = run(capsys, "report", str(path), "--exam", str(DATA), "--format", "csv")
    assert status == 0, err
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert not [c for c in cells if c.startswith("=")]
    assert "'=1+1" in cells and "-" in cells


def test_a_blueprint_is_replanned_as_the_folder_says(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The fallback: --exam BLUEPRINT.toml --variants N gives the questions the folder records
    (checked on an exam written now, so the test holds whatever quizgen draws)."""
    shutil.copy(DATA / "exam.toml", tmp_path / "exam.toml")
    status, _, err = run(capsys, "exam", str(tmp_path / "exam.toml"), "--variants", "5", "-o", str(tmp_path / "x"),
                         "--quiet")
    assert status == 0, err
    folder, replanned = bank.load_exam(tmp_path / "x"), bank.load_exam(tmp_path / "exam.toml", 5)
    assert [dataclasses.replace(i, opening=None) for i in folder.items] == list(replanned.items)
    with pytest.raises(QuizgenError, match="needs --variants"):
        bank.load_exam(tmp_path / "exam.toml")
