"""`--format pdf`: typeset by Typst, then read back the way a reader sees it (pypdf's text per page,
zxing-cpp's QR decoding of a page rendered as PNG): page counts, no question split across pages,
headers on every page, the key's values equal to the JSON's answers, byte-identical reruns, and
one-line errors that leave nothing behind."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from render_support import GOLDEN_SET, check_golden, run

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("typst")

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "templates" / "exam" / "example.toml"
CORE_30 = ["generate", "--seed", "21", "-n", "30", "--quiet"]  # the 30-question core worksheet
POINTS_PER_INCH = 72


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def numbers(value: Any) -> str:
    """An answer as the PDF prints it: 18,496; 26×26×32."""
    if isinstance(value, list):
        return "×".join(f"{n:,}" for n in value)
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def segments(texts: list[str], count: int, end: str) -> dict[int, str]:
    """Each question's text, from "Question N" to the next one, without the running headers (pages
    joined by a form feed, so a question split across pages is a segment holding one)."""
    whole = "\f".join(text.partition("\n")[2] for text in texts)
    starts = [re.search(rf"\bQuestion {n}\b", whole) for n in range(1, count + 1)]
    assert all(starts), [n + 1 for n, s in enumerate(starts) if not s]
    bounds = [s.start() for s in starts] + [whole.index(end, starts[-1].start())]
    return {n + 1: whole[bounds[n]:bounds[n + 1]].rstrip() for n in range(count)}


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    from quizgen.cli import main

    folder = tmp_path_factory.mktemp("pdf")
    assert main([*CORE_30, "-f", "pdf", "-o", str(folder / "set.pdf")]) == 0
    assert main([*CORE_30, "-f", "json", "-o", str(folder / "set.json")]) == 0
    return folder, json.loads((folder / "set.json").read_text(encoding="utf-8"))["questions"]


def test_core_worksheet_fits_twelve_a4_pages_and_splits_no_question(core) -> None:
    folder, questions = core
    reader = pypdf.PdfReader(folder / "set.pdf")
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) <= 12
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / POINTS_PER_INCH * 25.4), round(float(box.height) / POINTS_PER_INCH * 25.4)) \
        == (210, 297)
    for n, text in enumerate(texts, 1):  # the header: title and "page x of y" on every page
        assert text.startswith("CNN parameters and output shapes") and f"Page {n} of {len(texts)}" in text
    for n, segment in segments(texts, len(questions), "Made with quizgen").items():
        assert "\f" not in segment, f"question {n} is split across pages"
        q = questions[n - 1]
        for part in q["parts"]:  # every option shown is in the question's segment, with its letter
            for letter, index in zip("ABCD", part["option_order"]):
                value = part["answer"] if index == 0 else part["distractors"][index - 1]["value"]
                assert re.search(rf"{letter}\s+{re.escape(numbers(value))}", segment), (n, letter, value)
        if not q["multiple_choice"]:
            assert "Param #" in segment and "Total params" in segment


def test_key_values_equal_the_json_answers(core) -> None:
    folder, questions = core
    texts = pages(folder / "set-key.pdf")
    for n, segment in segments(texts, len(questions), "Made with quizgen").items():
        q = questions[n - 1]
        for part in q["parts"]:
            if q["multiple_choice"]:
                letter = "ABCD"[part["option_order"].index(0)]
                assert re.search(rf"Answer: {letter}\s*, {re.escape(numbers(part['answer']))}", segment), (n, part)
            else:
                assert numbers(part["answer"]) in segment, (n, part["answer"])


def test_same_seed_same_bytes_and_letter_paper(tmp_path: Path, capsys) -> None:
    for name in ("a.pdf", "b.pdf"):
        assert run(capsys, *GOLDEN_SET, "-f", "pdf", "--answers", "inline", "-o", str(tmp_path / name))[0] == 0
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert b"/CreationDate" not in (tmp_path / "a.pdf").read_bytes()
    assert run(capsys, *GOLDEN_SET, "-f", "pdf", "--paper", "letter", "-o", str(tmp_path / "l.pdf"))[0] == 0
    box = pypdf.PdfReader(tmp_path / "l.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == (8.5 * POINTS_PER_INCH, 11 * POINTS_PER_INCH)


def test_golden_page_texts(tmp_path: Path, capsys) -> None:
    """The first page of the golden set's worksheet and key, as text (QUIZGEN_UPDATE_GOLDEN=1 rewrites)."""
    assert run(capsys, *GOLDEN_SET, "-f", "pdf", "-o", str(tmp_path / "set.pdf"))[0] == 0
    check_golden("pdf-worksheet-page1.txt", pages(tmp_path / "set.pdf")[0] + "\n")
    check_golden("pdf-key-page1.txt", pages(tmp_path / "set-key.pdf")[0] + "\n")


def test_code_has_line_numbers_where_a_question_points_at_a_line(tmp_path: Path, capsys) -> None:
    assert run(capsys, "generate", "--seed", "5", "-n", "8", "--style", "pytorch", "-q", "-f", "pdf",
               "--answers", "none", "-o", str(tmp_path / "t.pdf"))[0] == 0
    texts = pages(tmp_path / "t.pdf")
    referred = 0
    for segment in segments(texts, 8, "Made with quizgen").values():
        for module, line in re.findall(r"the (nn\.\w+) on line (\d+)", segment):
            assert re.search(rf"(?m)^\s*{line}\s+{re.escape(module)}\(", segment), (module, line)
            referred += 1
    assert referred


def test_user_text_is_escaped_for_typst(tmp_path: Path, capsys) -> None:
    title = '1. Quiz #set text(red) *bold* _em_ $x$ // not a comment [a] <b> @c \\ "q" = - +'
    assert run(capsys, *GOLDEN_SET, "-f", "pdf", "--title", title, "-o", str(tmp_path / "t.pdf"))[0] == 0
    first = pages(tmp_path / "t.pdf")[0]
    assert first.startswith(title) and first.count(title) == 2  # the header and the heading


def test_bad_input_is_one_line_and_leaves_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    status, _, err = run(capsys, *GOLDEN_SET, "-f", "pdf", "--paper", "a5", "-o", str(tmp_path / "a.pdf"))
    assert (status, err.count("\n")) == (2, 1) and "unknown paper size 'a5'" in err
    status, _, err = run(capsys, *GOLDEN_SET, "-f", "html", "--paper", "letter", "-o", str(tmp_path / "a.html"))
    assert (status, err.count("\n")) == (2, 1) and "--paper applies to --format pdf" in err
    (tmp_path / "file").write_text("x")
    status, _, err = run(capsys, *GOLDEN_SET, "-f", "pdf", "-o", str(tmp_path / "file" / "a.pdf"))
    assert (status, err.count("\n")) == (2, 1) and ("not a folder" in err or "Not a directory" in err)
    (tmp_path / "set-key.pdf").write_text("mine")  # the key exists: neither file is written
    status, _, err = run(capsys, *GOLDEN_SET, "-f", "pdf", "-o", str(tmp_path / "set.pdf"))
    assert (status, err.count("\n")) == (2, 1) and "already exists" in err
    assert not (tmp_path / "set.pdf").exists() and (tmp_path / "set-key.pdf").read_text() == "mine"
    typst = sys.modules["typst"]
    monkeypatch.setitem(sys.modules, "typst", None)  # the extra is not installed
    status, _, err = run(capsys, *GOLDEN_SET, "-f", "pdf", "-o", str(tmp_path / "b.pdf"))
    assert (status, err.count("\n")) == (2, 1) and "pip install 'quizgen[pdf]'" in err
    (tmp_path / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    status, _, err = run(capsys, "exam", str(tmp_path / "exam.toml"), "-f", "pdf", "-q", "-o", str(tmp_path / "ex"))
    assert (status, err.count("\n")) == (2, 1) and "pip install 'quizgen[pdf]'" in err
    monkeypatch.setitem(sys.modules, "typst", typst)
    monkeypatch.setitem(sys.modules, "segno", None)  # typst is there, segno (the QR codes) is not
    status, _, err = run(capsys, "exam", str(tmp_path / "exam.toml"), "-f", "pdf", "-q", "-o", str(tmp_path / "ex"))
    assert (status, err.count("\n")) == (2, 1) and "segno" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exam.toml", "file", "set-key.pdf"]


@pytest.fixture(scope="module")
def exam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from quizgen.cli import main

    folder = tmp_path_factory.mktemp("exam")
    (folder / "exam.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["exam", str(folder / "exam.toml"), "--fake-roster", "3", "-f", "pdf", "-q",
                 "-o", str(folder / "out")]) == 0
    return folder / "out"


def test_exam_variants_headers_and_print_file(exam: Path) -> None:
    rows = list(csv.DictReader((exam / "grading-key.csv").open(encoding="utf-8")))
    manifest = json.loads((exam / "manifest.json").read_text(encoding="utf-8"))
    students = {v["code"]: v["student"] for v in manifest["variants"]}
    assert sorted({r["variant"] for r in rows}) == sorted(students) == ["V01", "V02", "V03"]
    starts = []
    printed = pages(exam / "print.pdf")
    for code, student in students.items():
        for name in (f"{code}.pdf", f"{code}-key.pdf"):
            texts = pages(exam / name)
            for n, text in enumerate(texts, 1):
                assert text.startswith("Midterm: parameters and shapes of CNNs"), name
                assert f"Name: {student}" in text and f"Variant: {code}" in text, name
                assert f"Page {n} of {len(texts)}" in text, name
        sheet = pages(exam / f"{code}.pdf")[-1]
        assert "Answer sheet" in sheet and re.search(rf"(?m)^{code}$", sheet)
        parts = [r for r in rows if r["variant"] == code]  # a row of boxes per graded part
        assert len(re.findall(r"(?m)^\d+( \(\w\))?$", sheet)) == len(parts)
        first = next(i for i, t in enumerate(printed) if f"Variant: {code}" in t and "Page 1 of" in t)
        starts.append(first)
        alone = [re.sub(r"(?m)^Answer key: .*\n", "", t) for t in pages(exam / f"{code}.pdf")]  # not in print
        assert printed[first:first + len(alone)] == alone
    assert all(i % 2 == 0 for i in starts)  # each variant from an odd page (1, 3, 5, ...)


def test_answer_sheet_qr_code_reads_back_as_the_variant_id(exam: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    from quizgen.render import pdf

    # The sheet rendered as an image, as a scanner would see it: typeset its Typst source as PNG.
    sources: list[str] = []
    real = pdf.typeset

    def spy(source: str, *args: Any, **kwargs: Any) -> Any:
        sources.append(source)
        return real(source, *args, **kwargs)

    from quizgen.cli import main

    pdf.typeset = spy
    try:
        out = exam.parent / "again"
        assert main(["exam", str(exam.parent / "exam.toml"), "--fake-roster", "3", "-f", "pdf", "-q",
                     "--only", "V02", "-o", str(out)]) == 0
    finally:
        pdf.typeset = real
    assert (out / "V02.pdf").read_bytes() == (exam / "V02.pdf").read_bytes()
    sheet = real(sources[0], "png", 150)[-1]
    found = zxingcpp.read_barcodes(image.open(io.BytesIO(sheet)))
    assert [(r.text, r.format.name) for r in found] == [("V02", "QRCode")]


def test_exam_keys_match_the_grading_key(exam: Path) -> None:
    rows = list(csv.DictReader((exam / "grading-key.csv").open(encoding="utf-8")))
    for code in sorted({r["variant"] for r in rows}):
        mine = [r for r in rows if r["variant"] == code]
        count = max(int(r["question"]) for r in mine)
        found = segments(pages(exam / f"{code}-key.pdf"), count, "Made with quizgen")
        for r in mine:
            value = "×".join(numbers(float(n) if "." in n else int(n)) for n in r["answer"].split("x")) \
                if r["answer"][0].isdigit() else r["answer"]
            segment = found[int(r["question"])]
            if r["letter"]:
                assert re.search(rf"Answer: {r['letter']}\s*, {re.escape(value)}", segment), (code, r)
            else:
                assert value in segment, (code, r)
