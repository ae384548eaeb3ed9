"""Nothing a user types (a title, a Faker-made name in it, a category) becomes markup: it comes out
inert in HTML, valid in XML and plain in Markdown."""

from __future__ import annotations

import html.parser
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest
from faker import Faker
from render_support import GOLDEN_SET, run, visible_text

ATTACK = "<script>alert('x')</script> & ]]> \"quoted\" <b>bold</b> {1:NUMERICAL:=1} *em* `code` | pipe"


@pytest.fixture(scope="module")
def title() -> str:
    fake = Faker("en_IE")
    fake.seed_instance(3)
    names = [fake.name() for _ in range(200)]
    irish = next(n for n in names if "'" in n)  # O'Brien and the like: a quote in a real name
    return f"{ATTACK} for {irish}"


class Elements(html.parser.HTMLParser):
    """Every start tag, and the text inside <title>, <h1> and <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: dict[str, str] = {"title": "", "h1": "", "script": ""}
        self.open: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.open = tag if tag in self.text else None

    def handle_endtag(self, tag: str) -> None:
        self.open = None

    def handle_data(self, data: str) -> None:
        if self.open:
            self.text[self.open] += data


@pytest.mark.parametrize("args", [["--answers", "separate"], ["--interactive", "--answers", "inline"]])
def test_title_is_inert_in_html(title: str, args: list[str], tmp_path: Path, capsys) -> None:
    target = tmp_path / "set.html"
    status, _, err = run(capsys, *GOLDEN_SET, "--format", "html", "--title", title, *args, "--output", str(target))
    assert (status, err) == (0, "")
    for page in tmp_path.iterdir():
        parsed = Elements()
        parsed.feed(page.read_text(encoding="utf-8"))
        assert "b" not in parsed.tags  # the title's <b> stays text
        assert parsed.tags.count("script") == ("--interactive" in args and page == target)
        assert "alert" not in parsed.text["script"]
        # the page's <title> comes first; each inline diagram's SVG <title> ("Layer stack: ...") follows it
        assert parsed.text["h1"].endswith(title) and parsed.text["title"].split("Layer stack:")[0].endswith(title)


def test_title_and_category_keep_the_xml_valid(title: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "bank.xml"
    status, _, err = run(capsys, *GOLDEN_SET, "--format", "moodle", "--title", title, "--category",
                         "$course$/<b>&]]>\"", "--output", str(target))
    assert (status, err) == (0, "")
    root = ET.parse(target).getroot()
    categories = [q for q in root if q.get("type") == "category"]
    assert all(q.find("category/text").text.startswith('$course$/<b>&]]>"/') for q in categories)
    info = categories[0].find("info/text").text
    assert visible_text(info).startswith(title) and "<b>" not in info and "<script>" not in info


def test_title_is_plain_in_markdown(title: str, tmp_path: Path, capsys) -> None:
    target = tmp_path / "set.md"
    status, _, _ = run(capsys, *GOLDEN_SET, "--format", "md", "--title", title, "--output", str(target))
    assert status == 0
    for page in (target, tmp_path / "set-key.md"):
        source = page.read_text(encoding="utf-8")
        assert "<script" not in source and "<b>" not in source
        rendered = markdown.markdown(source, extensions=["tables"])
        first_heading = rendered.split("</h1>")[0]
        assert visible_text(first_heading).endswith(title)  # no emphasis, code or table made of it
        assert "<em>" not in first_heading and "<code>" not in first_heading


def test_faker_names_of_an_exam_variant_stay_inert(title: str) -> None:
    """Exam variants set each question in a Faker-made context (quizgen.exam.context)."""
    import contextlib
    import io

    from quizgen.engine.generate import Options, generate
    from quizgen.render.files import FileGroup
    from quizgen.render.formats import FORMATS
    from quizgen.render.publish import Look, load, plan, write
    from quizgen.render.view import Sheet

    fake = Faker("fr_FR")
    fake.seed_instance(5)
    context = {"researcher": f"{fake.name()} {ATTACK}", "lab": f"{fake.last_name()} & Fils ]]>", "city": fake.city(),
               "dataset": "X-ray scans"}
    options = Options(("conv-params", "summary-table"), (1,))
    questions = [q.with_extra(context=context) for q in generate(4, 4, options)]
    pages = {}
    for fmt, look in (("html", Look(interactive=True)), ("moodle", Look()), ("md", Look(answers="none"))):
        with FileGroup(force=True) as group, contextlib.redirect_stdout(io.StringIO()) as out:
            files = plan(FORMATS[fmt], look, "-", group)
            write(files, load(files), questions, Sheet(4, None, options.kinds, options.difficulties), group)
        pages[fmt] = out.getvalue()
    parsed = Elements()
    parsed.feed(pages["html"])
    assert "b" not in parsed.tags and parsed.tags.count("script") == 1
    assert visible_text(pages["html"]).count(context["researcher"]) == len(questions)
    texts = [q.find("questiontext/text").text for q in ET.fromstring(pages["moodle"]) if q.get("type") != "category"]
    assert all(context["researcher"] in visible_text(t) and "<b>" not in t for t in texts)
    assert "<script" not in pages["md"] and "<b>" not in pages["md"]
