"""Packing a Canvas QTI 1.2 zip: the layout Canvas's importer reads (an imsmanifest.xml listing an
`imsqti_xmlv1p2` resource and its assessment_meta.xml, the assessment XML, the drawings as SVG
files in images/). The templates in templates/canvas/ write every file's content; this module
names the items and files and zips them, byte for byte the same for the same set."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from quizgen.render.spool import Texts

if TYPE_CHECKING:
    from quizgen.render.environment import Renderer
    from quizgen.render.view import PartView, QuestionView

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every member's timestamp: the same bytes on every run
FIGURES = "images"
FILEBASE = "$IMS-CC-FILEBASE$"  # how Canvas's QTI files refer to a file in the package


def ident(*parts: object) -> str:
    """A stable identifier: Canvas matches re-imported items by it, so it follows the content."""
    return "g" + hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:32]


@dataclass
class Layout:
    """Names of the package's items, answers, blanks and files, as the Canvas templates use them."""

    views: Any  # the set's QuestionViews
    points: Any  # QuestionView → points
    canvas_type: Any  # QuestionView → Canvas question type
    assessment_id: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)  # (path in the zip, resource id)
    drawings: Texts = field(default_factory=Texts)  # each figure's SVG, in the order of `figures`

    def __post_init__(self) -> None:
        # One walk over the set (each walk builds every view again): the manifest, written first,
        # names every item and figure; the drawings wait on disk until the zip's end.
        items, points = [], []
        for v in self.views:
            items.append(self.item_id(v))
            points.append(self.points(v))
            if v.figure:
                self.figures.append((f"{FIGURES}/{v.figure.name}", ident("figure", v.figure.name, v.figure.svg)))
                self.drawings.append(v.figure.svg)
        self.assessment_id = ident("assessment", *items)
        self.manifest_id = ident("manifest", self.assessment_id)
        self.meta_id = ident("meta", self.assessment_id)
        self.assessment_path = f"{self.assessment_id}/{self.assessment_id}.xml"
        self.meta_path = f"{self.assessment_id}/assessment_meta.xml"
        self.points_possible = sum(points)

    @staticmethod
    def item_id(v: QuestionView) -> str:
        return ident("item", v.q.id, v.q.kind, v.q.difficulty, v.q.seed, v.q.style)

    @staticmethod
    def group_id(number: int, path: str) -> str:
        return ident("group", number, path)

    @staticmethod
    def answer_id(v: QuestionView, part: int, index: int) -> int:
        """Canvas's answer ids are numbers: unique in the file (question number, part, index)."""
        return v.number * 10_000 + part * 1_000 + index

    @staticmethod
    def blank_id(part: int, index: int) -> str:
        return f"p{part}_{index + 1}"

    @staticmethod
    def correct_index(p: PartView) -> int:
        return next(i for i, c in enumerate(p.choices) if c.correct)

    @staticmethod
    def blank_count(v: QuestionView) -> int:
        return sum(len(p.blanks) for p in v.parts)

    @staticmethod
    def share(count: int) -> str:
        """Each blank's part of the score (Canvas adds them up to 100)."""
        return f"{100 / count:.2f}"

    def answer_ids(self, v: QuestionView, ctype: str) -> list[int]:
        if ctype == "numerical_question":
            return []
        if ctype == "fill_in_multiple_blanks_question":
            return [self.answer_id(v, p.number, i * 10 + j) for p in v.parts for i, b in enumerate(p.blanks)
                    for j in range(len(b.spellings))]
        return [self.answer_id(v, p.number, i) for p in v.parts for i in range(len(p.choices))]

    @staticmethod
    def figure_src(v: QuestionView) -> str | None:
        return f"{FILEBASE}/{FIGURES}/{v.figure.name}" if v.figure else None


def _members(renderer: Renderer, context: Mapping[str, Any], qti: Layout) -> Iterator[tuple[str, Iterable[str]]]:
    full = {**context, "qti": qti}
    yield "imsmanifest.xml", [renderer.render_part("canvas/imsmanifest.xml.j2", **full)]
    yield qti.meta_path, [renderer.render_part("canvas/assessment_meta.xml.j2", **full)]
    yield qti.assessment_path, renderer.stream_worksheet(**full)  # streamed: the whole bank is never in memory
    for (path, _), svg in zip(qti.figures, qti.drawings):
        yield path, [svg]


def pack(renderer: Renderer, context: Mapping[str, Any], out: BinaryIO) -> None:
    """The zip, written into `out` (seekable) as it is made: members in a fixed order, each dated ZIP_DATE."""
    qti = Layout(context["questions"], context["points"],
                 lambda v: context["canvas_type"](v, context["moodle_mode"]))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in _members(renderer, context, qti):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w") as member:
                for chunk in chunks:
                    member.write(chunk.encode("utf-8"))
