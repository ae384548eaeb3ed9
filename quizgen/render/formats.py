"""The output formats. A new format is a template folder plus one line in `FORMATS` (and, for a
packaged format such as a zip or an Anki deck, one small module in `quizgen.render` that packs
what the templates wrote).

Kept free of heavy imports: the CLI reads it to build `--format`'s choices, and `--help` must
stay fast. The rendering itself is in `quizgen.render.environment`.
"""

from __future__ import annotations

from dataclasses import dataclass

ANSWERS = ("separate", "inline", "none")  # where a worksheet's answer key goes
PAPERS = ("a4", "letter")  # PDF page sizes (as Typst names them: "a4", "us-letter")
MOODLE_TYPES = ("multichoice", "numerical", "auto")  # how Moodle asks a question (see view.moodle_type)


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: its templates and what it draws, packs or typesets."""

    name: str
    extension: str  # of the file written, without the dot
    help: str
    worksheet: str | None = None  # the template of the main file; None: not templated (JSON)
    key: str | None = None  # the template of a separate answer key, for formats that have one
    item: str | None = None  # the template of one question on its own, which the worksheet lists (see publish.Item)
    key_item: str | None = None  # the template of one question's answer key entry, which the key lists
    autoescape: bool = False  # HTML and XML: every value is escaped unless a filter marks it safe
    diagrams: bool = False  # draw each stack unless --no-diagram: where the drawing sits inside the file
    figure_files: bool = False  # drawings go in .svg files beside the main one, which links them
    parts: tuple[str, ...] = ()  # further templates of a packaged format (a zip's manifest), loaded up front
    package: str | None = None  # the quizgen.render module that packs the file (qti, anki); None: plain text
    requires: str | None = None  # the Python module a packaged format needs (genanki), checked up front
    extra: str | None = None  # the pip extra that installs it, named in the error when it is missing
    typeset: bool = False  # the templates write Typst source, typeset into bytes by quizgen.render.pdf

    @property
    def folder(self) -> str | None:
        return self.worksheet.split("/", 1)[0] if self.worksheet else None


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "json", "the questions as data (schema/problem-set.schema.json)"),
    Format("md", "md", "Markdown worksheet, answer key beside it", "md/worksheet.md.j2", "md/key.md.j2",
           "md/question.md.j2", "md/key_entry.md.j2", figure_files=True),
    Format("html", "html", "self-contained HTML page, printable; --interactive for self-check",
           "html/worksheet.html.j2", "html/key.html.j2", "html/question.html.j2", "html/key_entry.html.j2",
           autoescape=True, diagrams=True),
    Format("moodle", "xml", "Moodle XML for Question bank → Import", "moodle/questions.xml.j2",
           item="moodle/question.xml.j2", autoescape=True, diagrams=True),
    Format("canvas", "zip", "Canvas QTI 1.2 zip for Settings → Import course content → QTI .zip",
           "canvas/assessment.xml.j2", autoescape=True, diagrams=True,
           parts=("canvas/imsmanifest.xml.j2", "canvas/assessment_meta.xml.j2"), package="qti"),
    Format("gift", "txt", "Moodle GIFT text for Question bank → Import → GIFT (no summary tables)",
           "gift/questions.gift.j2", item="gift/question.gift.j2", autoescape=True),
    Format("anki", "apkg", "Anki deck, one type-in card per question (pip install 'quizgen[anki]')",
           "anki/note.html.j2", autoescape=True, package="anki", requires="genanki",
           extra="anki"),
    Format("pdf", "pdf", "PDF worksheet to print (typeset by Typst: pip install 'quizgen[pdf]'), key beside it",
           "pdf/worksheet.typ.j2", "pdf/key.typ.j2", autoescape=True, typeset=True),
)}


def escaped_folders() -> frozenset[str]:
    """Template folders whose templates are autoescaped (those of HTML and XML formats)."""
    return frozenset(f.folder for f in FORMATS.values() if f.autoescape and f.folder)
