"""Canvas QTI, GIFT and Anki, read the way their importers read them.

Canvas: the zip's members and manifest, every file the manifest or a question names present, the
assessment valid against IMS QTI 1.2 (when the schemas are at hand), each item of a question type
Canvas knows, one correct answer per multiple choice. GIFT: parsed with Moodle's own escape rules
(qformat_gift::escapedchar_pre/post), so hostile text cannot end a question early. Anki: the
collection opened with sqlite3. And the same question carries the same answers and the same
misconception feedback in every format, checked against the JSON of the same set.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from render_support import CORE, check_golden, cloze_parts, run, visible_text

from quizgen.engine.kinds import KINDS

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
SCHEMAS = Path("/work/shared/qti-schemas")
# Canvas's question types (the qti_exporter's converters and Canvas's own QTI export).
CANVAS_TYPES = {"multiple_choice_question", "true_false_question", "short_answer_question",
                "fill_in_multiple_blanks_question", "multiple_answers_question", "multiple_dropdowns_question",
                "matching_question", "numerical_question", "calculated_question", "essay_question",
                "file_upload_question", "text_only_question"}
GIFT_KINDS = ("conv-params", "layer-params", "total-params", "flatten-size", "dense-after-flatten", "memory-footprint",
              "most-params", "macs", "receptive-field", "reverse-filters", "reverse-kernel", "spot-the-error")
SETS = {  # name: generate arguments, for every format that can hold them
    "core": ["generate", "--seed", "3", "--count", "12", "--kind", ",".join(CORE), "--quiet"],
    "every-kind": ["generate", "--seed", "5", "--count", "45", "--kind", ",".join(KINDS), "--quiet"],
    "every-kind-multichoice": ["generate", "--seed", "6", "--count", "45", "--kind", ",".join(KINDS), "--quiet",
                               "--moodle-type", "multichoice"],
    "gift-kinds": ["generate", "--seed", "8", "--count", "40", "--kind", ",".join(GIFT_KINDS), "--quiet"],
}


def shown(value: Any) -> str:
    if isinstance(value, list):
        return "×".join(f"{v:,}" for v in value)
    return value if isinstance(value, str) else f"{value:,}"


def reads_as(text: str, value: str) -> bool:
    """An option's text shows this value: 18,496; 6,613.47 KiB; layer 2 (max_pooling2d) for a step."""
    return text == value or text.startswith((value + " ", f"layer {value} ("))


def plain(value: int | float) -> str:
    return str(value) if isinstance(value, int) else f"{value:f}".rstrip("0").rstrip(".")


def generate(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, fmt: str, *extra: str) -> Path:
    suffix = {"canvas": "zip", "gift": "txt", "anki": "apkg", "json": "json", "moodle": "xml"}[fmt]
    target = tmp_path / f"{name}-{fmt}.{suffix}"
    args = SETS[name]
    if fmt == "json":
        args = [a for i, a in enumerate(args) if a != "--moodle-type" and args[i - 1] != "--moodle-type"]
    status, _, err = run(capsys, *args, "--format", fmt, *extra, "--output", str(target))
    assert (status, err) == (0, ""), err
    return target


def questions(path: Path) -> dict[int, dict[str, Any]]:
    return {q["seed"]: q for q in json.loads(path.read_text(encoding="utf-8"))["questions"]}


def seed_of(name: str) -> int:
    return int(name.rsplit("seed ", 1)[1])


# --- Canvas ------------------------------------------------------------------------------------------------------

def open_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        return {name: archive.read(name) for name in archive.namelist()}


def fields(item: ET.Element) -> dict[str, str]:
    return {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") or ""
            for f in item.iter(f"{QTI}qtimetadatafield")}


def feedback(item: ET.Element, ident: str) -> str:
    found = [f for f in item.findall(f"{QTI}itemfeedback") if f.get("ident") == ident]
    assert len(found) == 1, ident
    return visible_text(found[0].findtext(f".//{QTI}mattext"))


def canvas_items(path: Path) -> tuple[dict[str, bytes], ET.Element, list[ET.Element]]:
    members = open_zip(path)
    manifest = ET.fromstring(members["imsmanifest.xml"])
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    qti = [r for r in resources if r.get("type") == "imsqti_xmlv1p2"]
    assert len(qti) == 1
    ids = {r.get("identifier") for r in resources}
    assert len(ids) == len(resources)
    for r in resources:  # every file the manifest lists is in the zip, and every dependency resolves
        assert all(f.get("href") in members for f in r.findall(f"{CP}file")), r.get("identifier")
        assert all(d.get("identifierref") in ids for d in r.findall(f"{CP}dependency"))
    assessment_file = qti[0].find(f"{CP}file").get("href")
    assert assessment_file == f"{qti[0].get('identifier')}/{qti[0].get('identifier')}.xml"
    assert f"{qti[0].get('identifier')}/assessment_meta.xml" in members
    listed = {f.get("href") for r in resources for f in r.findall(f"{CP}file")}
    assert listed == set(members) - {"imsmanifest.xml"}
    root = ET.fromstring(members[assessment_file])
    assert root.find(f"{QTI}assessment").get("ident") == qti[0].get("identifier")
    return members, root, list(root.iter(f"{QTI}item"))


@pytest.mark.parametrize("name", ["core", "every-kind", "every-kind-multichoice"])
def test_canvas_package_is_what_canvas_imports(name: str, tmp_path: Path, capsys) -> None:
    members, _, items = canvas_items(generate(tmp_path, capsys, name, "canvas"))
    assert len(items) == len(questions(generate(tmp_path, capsys, name, "json")))
    assert len({i.get("ident") for i in items}) == len(items)
    for item in items:
        meta = fields(item)
        assert meta["question_type"] in CANVAS_TYPES and meta["points_possible"] == "1"
        labels = [r.get("ident") for r in item.iter(f"{QTI}response_label") if r.get("ident") != "answer1"]
        assert meta["original_answer_ids"].split(",") == labels if labels else meta["original_answer_ids"] == ""
        assert len(set(labels)) == len(labels)
        text = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
        assert "base64" not in text
        for src in re.findall(r'src="([^"]+)"', text):  # drawings are files in the zip, by $IMS-CC-FILEBASE$
            assert src.startswith("$IMS-CC-FILEBASE$/") and src.removeprefix("$IMS-CC-FILEBASE$/") in members
        scores = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]
        if meta["question_type"] == "multiple_choice_question":
            assert len(scores) == 1 and scores[0].findtext(f"{QTI}setvar") == "100"
            assert scores[0].findtext(f".//{QTI}varequal") in labels
        if meta["question_type"] in ("fill_in_multiple_blanks_question", "multiple_dropdowns_question"):
            blanks = re.findall(r"\[(p\d+_\d+)\]", text)
            lids = [r.get("ident") for r in item.iter(f"{QTI}response_lid")]
            assert lids == [f"response_{b}" for b in blanks] and blanks
        for ref in item.iter(f"{QTI}displayfeedback"):
            feedback(item, ref.get("linkrefid"))
    figures = [n for n in members if n.endswith(".svg")]
    assert figures and all(ET.fromstring(members[n]).tag.endswith("svg") for n in figures)


def test_canvas_validates_against_the_ims_schemas(tmp_path: Path, capsys) -> None:
    etree = pytest.importorskip("lxml.etree")
    if not SCHEMAS.is_dir():
        pytest.skip("the IMS QTI and Content Packaging schemas are not at hand")
    members, _, _ = canvas_items(generate(tmp_path, capsys, "every-kind", "canvas"))
    qti = etree.XMLSchema(etree.parse(str(SCHEMAS / "ims_qtiasiv1p2.xsd")))
    for name, data in members.items():
        if name.endswith(".xml") and name != "imsmanifest.xml" and not name.endswith("assessment_meta.xml"):
            assert qti.validate(etree.fromstring(data)), qti.error_log
    # Canvas writes the Common Cartridge namespace for the same IMS CP 1.1 elements.
    manifest = members["imsmanifest.xml"].replace(b"http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
                                                  b"http://www.imsglobal.org/xsd/imscp_v1p1")
    cp = etree.XMLSchema(etree.parse(str(SCHEMAS / "imscp_v1p1.xsd")))
    assert cp.validate(etree.fromstring(manifest)), cp.error_log


# --- GIFT, as Moodle's qformat_gift reads it ---------------------------------------------------------------------

ESCAPED = ("\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n")
HOLDERS = ("&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010")
CHARACTERS = (":", "#", "=", "{", "}", "~", "\n")


def escapedchar_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, holder in zip(ESCAPED, HOLDERS):
        text = text.replace(escaped, holder)
    return text.replace("&&092;", "\\")


def escapedchar_post(text: str) -> str:
    for holder, character in zip(HOLDERS, CHARACTERS):
        text = text.replace(holder, character)
    return text


def gift_questions(text: str) -> list[dict[str, Any]]:
    """Each question as Moodle reads it: blocks split on blank lines, comments, name, answers."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip().splitlines()
        comments = [line for line in lines if line.lstrip().startswith("//")]
        body = escapedchar_pre("\n".join(line for line in lines if not line.lstrip().startswith("//")))
        if not body or body.startswith("$CATEGORY:"):
            continue
        assert body.count("{") == 1 and body.count("}") == 1 and body.rstrip().endswith("}"), body[:200]
        name, rest = re.fullmatch(r"::(.*?)::(.*)", body, re.DOTALL).groups()
        question, answers = rest[:rest.index("{")], rest[rest.index("{") + 1:rest.rindex("}")]
        answers, _, general = answers.partition("####")
        q = {"name": escapedchar_post(name), "text": escapedchar_post(question), "general": escapedchar_post(general),
             "id": re.search(r"\[id:([^\]]+)\]", "\n".join(comments)).group(1), "answers": []}
        if answers.strip().startswith("#"):
            q["type"] = "numerical"
            right, _, catchall = answers.strip()[1:].partition("~")
            assert catchall.startswith("#")
            for answer in right.split("="):
                if answer.strip():
                    weight, value, fb = re.fullmatch(r"%(\d+)%([-\d.]+):[\d.]+#(.*)", answer.strip(),
                                                                re.DOTALL).groups()
                    q["answers"].append((int(weight), value, escapedchar_post(fb)))
        else:
            q["type"] = "multichoice"
            for mark, answer in re.findall(r"([=~])([^=~]*)", answers):
                value, _, fb = answer.strip().partition("#")
                q["answers"].append((100 if mark == "=" else 0, escapedchar_post(value), escapedchar_post(fb)))
        out.append(q)
    return out


def test_gift_escapes_every_control_character() -> None:
    from quizgen.render.environment import gift

    hostile = "a~b=c#d{e}f:g\\h\\:i\n\nj <b>&"
    escaped = str(gift(hostile))
    assert "\n" not in escaped and not re.search(r"(?<!\\)[~=#{}:]", escaped.replace("\\\\", ""))
    assert escapedchar_post(escapedchar_pre(escaped)) == "a~b=c#d{e}f:g\\h\\:i\n\nj &lt;b&gt;&amp;"


def test_gift_with_hostile_title_and_category(tmp_path: Path, capsys) -> None:
    target = generate(tmp_path, capsys, "gift-kinds", "gift", "--title", "Week 3: {CNNs} ~ #1 = best <b>",
                      "--category", "$course$/Week 3/4  {x} ~ #y")
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "// Week 3\\: \\{CNNs\\} \\~ \\#1 \\= best &lt;b&gt;"
    assert {line for line in text.splitlines() if line.startswith("$CATEGORY:")} >= {
        "$CATEGORY: $course$/Week 3/4 {x} ~ #y/conv-params/difficulty-1"}
    assert len(gift_questions(text)) == 40


def gift_of(tmp_path: Path, capsys, name: str) -> dict[int, dict[str, Any]]:
    return {int(q["id"].rsplit("-", 1)[1]): q for q in gift_questions(generate(tmp_path, capsys, name, "gift")
                                                                     .read_text(encoding="utf-8"))}


def test_gift_refuses_what_it_cannot_hold_and_writes_nothing(tmp_path: Path, capsys) -> None:
    for args, kind in ((["--kind", "summary-table"], "summary-table"), (["--kind", "output-shape"], "output-shape"),
                       (["--kind", "trainable-split", "--moodle-type", "multichoice"], "trainable-split")):
        status, out, err = run(capsys, "generate", "--seed", "1", "--count", "3", *args, "--format", "gift", "--quiet",
                               "--output", str(tmp_path / "set.txt"))
        assert status == 2 and out == "" and err.count("\n") == 1
        assert f"GIFT cannot hold {kind} questions" in err and "--format moodle" in err
        assert not list(tmp_path.iterdir())
    status, _, _ = run(capsys, "generate", "--seed", "1", "--count", "3", "--kind", "output-shape", "--format", "gift",
                       "--moodle-type", "multichoice", "--quiet", "--output", str(tmp_path / "set.txt"))
    assert status == 0 and gift_questions((tmp_path / "set.txt").read_text(encoding="utf-8"))


# --- Anki --------------------------------------------------------------------------------------------------------

def anki_notes(path: Path, tmp_path: Path) -> tuple[list[dict[str, Any]], sqlite3.Connection]:
    members = open_zip(path)
    assert set(members) >= {"collection.anki2", "media"}
    database = tmp_path / f"{path.stem}.anki2"
    database.write_bytes(members["collection.anki2"])
    db = sqlite3.connect(database)
    models = json.loads(db.execute("select models from col").fetchone()[0])
    (model,) = models.values()
    names = [f["name"] for f in model["flds"]]
    assert "{{type:Answer}}" in model["tmpls"][0]["qfmt"]
    notes = [{"guid": guid, "tags": tags.split(), **dict(zip(names, flds.split("\x1f")))}
             for guid, tags, flds in db.execute("select guid, tags, flds from notes order by id")]
    return notes, db


def test_anki_deck_opens_with_sqlite(tmp_path: Path, capsys) -> None:
    pytest.importorskip("genanki")
    first = generate(tmp_path, capsys, "every-kind", "anki")
    notes, db = anki_notes(first, tmp_path)
    data = questions(generate(tmp_path, capsys, "every-kind", "json"))
    assert len(notes) == len(data) == db.execute("select count(*) from cards").fetchone()[0]
    assert len({n["guid"] for n in notes}) == len(notes)
    decks = {d["name"] for d in json.loads(db.execute("select decks from col").fetchone()[0]).values()} - {"Default"}
    kinds = {q["kind"] for q in data.values()}
    assert len(decks) == len(kinds) and all(d.startswith("quizgen::") for d in decks)
    deck_of_card = {did for (did,) in db.execute("select distinct did from cards")}
    assert len(deck_of_card) == len(kinds)
    for note in notes:
        assert {"quizgen", f"difficulty-{note['tags'][2][-1]}"} <= set(note["tags"]) and note["tags"][1] in kinds
    # The same bytes again, and the same GUIDs when the question comes back in another set.
    again = tmp_path / "again.apkg"
    assert run(capsys, *SETS["every-kind"], "--format", "anki", "--output", str(again))[0] == 0
    assert again.read_bytes() == first.read_bytes()
    one = next(iter(data.values()))
    single = tmp_path / "one.apkg"
    assert run(capsys, "generate", "--question-seed", str(one["seed"]), "--kind", one["kind"], "--difficulty",
               str(one["difficulty"]), "--quiet", "--format", "anki", "--output", str(single))[0] == 0
    assert anki_notes(single, tmp_path)[0][0]["guid"] == notes[0]["guid"]


def test_anki_without_genanki_is_one_line(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "genanki" else real(name, *a))
    status, out, err = run(capsys, *SETS["core"], "--format", "anki", "--output", str(tmp_path / "set.apkg"))
    assert status == 2 and out == "" and err == ("quizgen: error: --format anki needs the genanki package: "
                                                 "pip install 'quizgen[anki]'\n")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, message", [
    (["--format", "canvas", "--output", "-"], "--format canvas writes a .zip package, not text; give -o FILE"),
    (["--format", "anki", "--output", "-"], "--format anki writes a .apkg package, not text; give -o FILE"),
    (["--format", "gift", "--diagram", "--output", "-"], "GIFT is text only and cannot carry a drawing"),
    (["--format", "anki", "--moodle-type", "numerical", "--output", "x.apkg"], "--moodle-type applies to"),
])
def test_options_a_format_cannot_hold_are_one_line(args: list[str], message: str, capsys) -> None:
    status, out, err = run(capsys, *SETS["core"], *args)
    assert status == 2 and out == "" and err.count("\n") == 1 and message in err


# --- the same question everywhere ------------------------------------------------------------------------------

def titles(part: dict[str, Any]) -> dict[str, set[str]]:
    """Each wrong value as shown, with the titles of the mistakes that give it."""
    out: dict[str, set[str]] = {}
    for d in part["distractors"]:
        out.setdefault(shown(d["value"]), set()).add(d["title"])
    return out


def typed_titles(part: dict[str, Any]) -> set[str]:
    """The mistakes a table of typed numbers names: every one-mistake value's; a value two mistakes make together
    only where it gives an axis a number no one mistake gives it (elsewhere the one mistake explains that axis)."""
    answer, ds = part["answer"], part["distractors"]
    single = [d for d in ds if "second_misconception" not in d]
    if not isinstance(answer, list):
        return {d["title"] for d in ds}

    def alone(d: dict[str, Any], i: int) -> bool:
        return not any(len(s["value"]) == len(answer) and s["value"][i] == d["value"][i] for s in single)
    return {d["title"] for d in single} | {d["title"] for d in ds if "second_misconception" in d
                                          and len(d["value"]) == len(answer)
                                          and any(d["value"][i] != a and alone(d, i) for i, a in enumerate(answer))}


@pytest.mark.parametrize("name", ["core", "every-kind-multichoice", "gift-kinds"])
def test_the_same_question_in_every_format(name: str, tmp_path: Path, capsys) -> None:
    data = questions(generate(tmp_path, capsys, name, "json"))
    _, _, items = canvas_items(generate(tmp_path, capsys, name, "canvas"))
    for item in items:
        q = data[seed_of(item.get("title"))]
        meta, parts = fields(item), q["parts"]
        if meta["question_type"] == "multiple_choice_question":
            labels = {r.get("ident"): visible_text(r.findtext(f".//{QTI}mattext"))
                      for r in item.iter(f"{QTI}response_label")}
            right = next(c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None)
            assert reads_as(labels.pop(right.findtext(f".//{QTI}varequal")), shown(parts[0]["answer"]))
            wrong = titles(parts[0])
            for ident, text in labels.items():
                value = next(v for v in wrong if reads_as(text, v))
                assert all(t in feedback(item, f"{ident}_fb") for t in wrong[value])
        elif meta["question_type"] == "numerical_question":
            assert item.findtext(f".//{QTI}varequal") == plain(parts[0]["answer"])
            assert all(c.find(f"{QTI}setvar") is None for c in item.iter(f"{QTI}respcondition")
                       if c.find(f".//{QTI}varequal") is None)
            text = feedback(item, "general_incorrect_fb")
            for value, ts in titles(parts[0]).items():
                assert f"If you got {value}" in text and all(t in text for t in ts)
        else:
            accepted = [{visible_text(m.text) for m in lid.iter(f"{QTI}mattext")} - {lid.get("ident")[9:]}
                        for lid in item.iter(f"{QTI}response_lid")]
            if meta["question_type"] == "fill_in_multiple_blanks_question":
                answers = [a for p in parts for a in (p["answer"] if isinstance(p["answer"], list) else [p["answer"]])]
                assert [{plain(a), f"{a:,}"} for a in answers] == accepted
            else:  # a dropdown per part: its right option is the answer, each wrong one names its mistake
                for lid, p in zip(item.iter(f"{QTI}response_lid"), parts):
                    right = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None
                             and c.findtext(f".//{QTI}varequal") in {r.get("ident") for r in lid.iter(f"{QTI}response_label")}]
                    assert len(right) == 1
                    (label,) = [r for r in lid.iter(f"{QTI}response_label")
                                if r.get("ident") == right[0].findtext(f".//{QTI}varequal")]
                    assert reads_as(visible_text(label.findtext(f".//{QTI}mattext")), shown(p["answer"]))
                    for r in lid.iter(f"{QTI}response_label"):
                        text, wrong = visible_text(r.findtext(f".//{QTI}mattext")), titles(p)
                        if r is not label:
                            value = next(v for v in wrong if reads_as(text, v))
                            assert all(t in feedback(item, f"{r.get('ident')}_fb") for t in wrong[value])
            if meta["question_type"].startswith("fill"):
                text = feedback(item, "general_incorrect_fb")
                assert all(t in text for p in parts for t in typed_titles(p))

    if name != "gift-kinds":
        return
    for seed, g in gift_of(tmp_path, capsys, name).items():
        part = data[seed]["parts"][0]
        wrong = titles(part)
        if g["type"] == "numerical":
            assert g["answers"][0][:2] == (100, plain(part["answer"]))
            got = {v: fb for w, v, fb in g["answers"][1:] if w == 0}
            assert set(got) == {plain(d["value"]) for d in part["distractors"]}
            for d in part["distractors"]:
                assert d["title"] in html.unescape(got[plain(d["value"])])
        else:
            (right,) = [v for w, v, _ in g["answers"] if w == 100]
            assert reads_as(html.unescape(right), shown(part["answer"]))
            for _, value, fb in (a for a in g["answers"] if a[0] == 0):
                key = next(v for v in wrong if reads_as(html.unescape(value), v))
                assert all(t in html.unescape(fb) for t in wrong[key])
        assert "Worked solution" in g["general"]

    pytest.importorskip("genanki")
    notes, _ = anki_notes(generate(tmp_path, capsys, name, "anki"), tmp_path)
    by_id = {q["id"]: q for q in data.values()}
    for note in notes:
        q = by_id[note["Code"]]
        want = "; ".join("x".join(map(plain, p["answer"])) if isinstance(p["answer"], list)
                         else plain(p["answer"]) if not isinstance(p["answer"], str) else p["answer"]
                         for p in q["parts"])
        assert note["Answer"] == want
        back = html.unescape(note["Back"])
        assert all(d["title"] in back for p in q["parts"] for d in p["distractors"])


# --- golden files ----------------------------------------------------------------------------------------------

def test_goldens(tmp_path: Path, capsys) -> None:
    members = open_zip(generate(tmp_path, capsys, "core", "canvas", "--title", "Week 3: CNNs"))
    for name, data in members.items():
        if name.endswith(".xml"):
            check_golden(f"canvas/{re.sub(r'g[0-9a-f]{32}', 'ASSESSMENT', name)}", data.decode("utf-8"))
    check_golden("gift/set-8.txt", generate(tmp_path, capsys, "gift-kinds", "gift").read_text(encoding="utf-8"))
    pytest.importorskip("genanki")
    notes, _ = anki_notes(generate(tmp_path, capsys, "core", "anki"), tmp_path)
    check_golden("anki/notes.json", json.dumps(notes, indent=1, ensure_ascii=False) + "\n")


def test_canvas_same_bytes(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    for target in (a, b):
        assert run(capsys, *SETS["every-kind"], "--format", "canvas", "--output", str(target))[0] == 0
    assert a.read_bytes() == b.read_bytes()


# --- exam points and Moodle's small truths ---------------------------------------------------------------------

BLUEPRINT = """title = "Points"
seed = 4
category = "$course$/quizgen/points"
[[slot]]
name = "Week 3/4"
kinds = ["conv-params"]
difficulty = 1
points = 3
[[slot]]
name = "Tables"
kinds = ["summary-table"]
difficulty = [1, 2, 3]
points = 30
[[slot]]
name = "Split"
kinds = ["trainable-split"]
difficulty = 3
points = 1.5
"""


def test_exam_points_reach_moodle_canvas_and_gift(tmp_path: Path, capsys) -> None:
    (tmp_path / "exam.toml").write_text(BLUEPRINT, encoding="utf-8")
    status, _, err = run(capsys, "exam", str(tmp_path / "exam.toml"), "--variants", "4", "-f", "canvas",
                         "-o", str(tmp_path / "out"))
    assert status == 0, err
    assert "slot 3 (Split): a Cloze of 2 blanks cannot total 1.5 points" in err
    bank = ET.parse(tmp_path / "out" / "moodle.xml").getroot()
    category, worth = None, {}
    for q in bank.findall("question"):
        if q.get("type") == "category":
            category = q.findtext("category/text")
        elif q.get("type") == "cloze":
            worth.setdefault(category, []).append(sum(e.weight for e in cloze_parts(q.findtext("questiontext/text"))))
        else:
            worth.setdefault(category, []).append(float(q.findtext("defaultgrade")))
    assert worth == {"$course$/quizgen/points/01 Week 3//4": [3] * 4, "$course$/quizgen/points/02 Tables": [30] * 4,
                     "$course$/quizgen/points/03 Split": [2] * 4}
    _, root, items = canvas_items(tmp_path / "out" / "canvas.zip")
    groups = root.findall(f"{QTI}assessment/{QTI}section/{QTI}section")
    assert [(g.get("title"), g.findtext(f".//{QTI}selection_number"), g.findtext(f".//{QTI}points_per_item"),
             len(g.findall(f"{QTI}item"))) for g in groups] == [
        ("01 Week 3/4", "1", "3", 4), ("02 Tables", "1", "30", 4), ("03 Split", "1", "1.5", 4)]
    assert [fields(i)["points_possible"] for i in items] == ["3"] * 4 + ["30"] * 4 + ["1.5"] * 4

    status, _, err = run(capsys, "exam", str(tmp_path / "exam.toml"), "--variants", "4", "-f", "gift",
                         "-o", str(tmp_path / "gift"))
    assert status == 2 and "GIFT cannot hold summary-table" in err and not (tmp_path / "gift").exists()
    (tmp_path / "exam.toml").write_text(BLUEPRINT.split("[[slot]]\nname = \"Tables\"")[0], encoding="utf-8")
    status, _, err = run(capsys, "exam", str(tmp_path / "exam.toml"), "--variants", "2", "-f", "gift",
                         "-o", str(tmp_path / "gift"))
    assert status == 0, err
    text = (tmp_path / "gift" / "gift.txt").read_text(encoding="utf-8")
    assert "$CATEGORY: $course$/quizgen/points/01 Week 3//4" in text and text.count("points: 3\n") == 2


@pytest.mark.parametrize("kind, mode, note", [
    ("trainable-split", "multichoice", "--moodle-type multichoice: trainable-split questions cannot be multichoice"),
    ("summary-table", "multichoice", "--moodle-type multichoice: summary-table questions cannot be multichoice"),
    ("reverse-filters", "multichoice", "--moodle-type multichoice: reverse-filters questions cannot be multichoice "
                                       "(nothing to choose from: a typed number)"),
    ("most-params", "numerical", "--moodle-type numerical: most-params questions cannot be numerical"),
])
def test_moodle_type_that_cannot_be_honoured_is_said(kind: str, mode: str, note: str, tmp_path: Path, capsys) -> None:
    status, _, err = run(capsys, "generate", "--seed", "2", "--count", "3", "--kind", kind, "--format", "moodle",
                         "--moodle-type", mode, "--output", str(tmp_path / "set.xml"))
    assert status == 0 and f"quizgen: note: {note}" in err and err.count("quizgen: note:") == 1


def test_anki_drawings_are_media_files(tmp_path: Path, capsys) -> None:
    pytest.importorskip("genanki")
    target = generate(tmp_path, capsys, "core", "anki", "--diagram")
    members = open_zip(target)
    media = json.loads(members["media"])
    assert media and all(members[index].startswith(b"<svg") for index in media)
    notes, _ = anki_notes(target, tmp_path)
    sources = {src for n in notes for src in re.findall(r'src="([^"]+)"', n["Question"])}
    assert sources == set(media.values())


@pytest.mark.parametrize("fmt", ["canvas", "anki"])
def test_a_package_is_not_overwritten_without_force(fmt: str, tmp_path: Path, capsys) -> None:
    pytest.importorskip("genanki")
    target = tmp_path / "set.bin"
    target.write_bytes(b"mine")
    status, _, err = run(capsys, *SETS["core"], "--format", fmt, "--output", str(target))
    assert status == 2 and "already exists; pass --force" in err and target.read_bytes() == b"mine"
    assert run(capsys, *SETS["core"], "--format", fmt, "--force", "--output", str(target))[0] == 0
    assert zipfile.is_zipfile(target) and sorted(p.name for p in tmp_path.iterdir()) == ["set.bin"]


def test_hostile_context_stays_inert_in_canvas_gift_and_anki(tmp_path: Path) -> None:
    """An exam variant's word-problem setting is the one free text inside a question."""
    from quizgen.engine.generate import Options
    from quizgen.engine.generate import generate as make
    from quizgen.render.files import FileGroup
    from quizgen.render.formats import FORMATS
    from quizgen.render.publish import Look, load, plan, write
    from quizgen.render.view import Sheet

    researcher = "Zoë <b>Bold</b> ~=#{}: \\ ]]> &amp;\n\nnext"
    context = {"researcher": researcher, "lab": "Lab", "city": "City", "dataset": "X-ray scans"}
    options = Options(("conv-params", "flatten-size"), (1, 2))
    qs = [q.with_extra(context=context) for q in make(4, 6, options)]
    seen = {}
    pytest.importorskip("genanki")
    for fmt in ("gift", "canvas", "anki"):
        with FileGroup() as group:
            files = plan(FORMATS[fmt], Look(), str(tmp_path / f"set.{fmt}"), group)
            write(files, load(files), qs, Sheet(4, None, options.kinds, options.difficulties), group)
        seen[fmt] = (tmp_path / f"set.{fmt}")
    parsed = gift_questions(seen["gift"].read_text(encoding="utf-8"))
    assert len(parsed) == 6 and all("<b>" not in q["text"] for q in parsed)
    assert all(researcher.split("\n")[0] in html.unescape(q["text"]) for q in parsed)
    _, _, items = canvas_items(seen["canvas"])
    for item in items:
        text = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
        assert "<b>" not in text and " ".join(researcher.split()) in visible_text(text)
    notes, _ = anki_notes(seen["anki"], tmp_path)
    assert len(notes) == 6 and all("<b>" not in n["Question"] and "&lt;b&gt;Bold" in n["Question"] for n in notes)
