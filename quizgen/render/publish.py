"""Writing a problem set in a templated format (Markdown, HTML, Moodle XML, GIFT), or a packaged
one (a Canvas QTI zip, an Anki deck: the templates write the pieces, a small module in
`quizgen.render` packs them), for `quizgen generate` and `quizgen exam`.

Every check that can fail (options that do not fit the format, files that exist, templates that
are missing) runs before the questions are generated; the files are staged in a `FileGroup` and
appear together, or not at all.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizgen.errors import QuizgenError
from quizgen.render.files import FileGroup, emit
from quizgen.render.formats import PAPERS, Format

if TYPE_CHECKING:  # jinja2 is imported only when a templated format is written
    from markupsafe import Markup

    from quizgen.engine.question import Question
    from quizgen.render.environment import Renderer
    from quizgen.render.view import QuestionView, QuestionViews, Sheet

DEFAULT_CATEGORY = "$course$/quizgen"
PRINT_TEMPLATE = "pdf/print.typ.j2"  # an exam's print file: every variant, each from an odd page

# Which formats each presentation option applies to (the option's flag, for the error message).
TEMPLATED = ("md", "html", "moodle", "canvas", "gift", "anki", "pdf")
LMS = ("moodle", "canvas", "gift")  # the formats that ask a question as an LMS does (--moodle-type)
APPLIES = {"title": ("--title", TEMPLATED), "templates": ("--templates", TEMPLATED),
           "answers": ("--answers", ("md", "html", "pdf")), "interactive": ("--interactive", ("html",)),
           "moodle_type": ("--moodle-type", LMS), "category": ("--category", ("moodle", "gift")),
           "paper": ("--paper", ("pdf",))}


@dataclass(frozen=True, slots=True)
class Look:
    """How a set is presented; None (or False) where the user left the choice to quizgen."""

    title: str | None = None
    templates: Path | None = None
    answers: str | None = None
    interactive: bool = False
    moodle_type: str | None = None
    category: str | None = None
    diagram: bool = False
    paper: str | None = None  # PDF: a4 or letter (formats.PAPERS)


@dataclass(frozen=True, slots=True)
class Plan:
    """The files a set becomes: the main one (or "-" for standard output) and the key, if separate."""

    format: Format
    look: Look
    target: str
    answers: str
    key: Path | None


def key_path(target: Path) -> Path:
    """set-7.md → set-7-key.md, beside it."""
    return target.with_name(f"{target.stem}-key{target.suffix}")


def plan(fmt: Format, look: Look, target: str, group: FileGroup) -> Plan:
    """Check the options against the format and claim the files in `group`; decide the answer key."""
    for name, (flag, formats) in APPLIES.items():
        if getattr(look, name) not in (None, False) and fmt.name not in formats:
            names = ", ".join(formats[:-1]) + " or " + formats[-1] if len(formats) > 1 else formats[0]
            raise QuizgenError(f"{flag} applies to --format {names}, not {fmt.name}")
    if look.paper is not None and look.paper not in PAPERS:
        raise QuizgenError(f"unknown paper size {look.paper!r}; choose {' or '.join(PAPERS)}")
    if fmt.typeset:
        from quizgen.render.pdf import require

        require()
    if look.category is not None and not look.category.strip("/ "):
        raise QuizgenError("--category needs a category path, e.g. '$course$/quizgen'")
    answers = look.answers or ("none" if look.interactive else "inline" if target == "-" else "separate")
    if fmt.key is None:
        answers = "none"
    if answers == "separate" and target == "-":
        raise QuizgenError("--answers separate writes a key file beside the worksheet; with -o - use "
                           "--answers inline or none")
    if fmt.package and target == "-":
        raise QuizgenError(f"--format {fmt.name} writes a .{fmt.extension} package, not text; give -o FILE")
    if fmt.requires and importlib.util.find_spec(fmt.requires) is None:
        raise QuizgenError(f"--format {fmt.name} needs the {fmt.requires} package: pip install 'quizgen[{fmt.extra}]'")
    if look.diagram and fmt.name == "gift":
        raise QuizgenError("GIFT is text only and cannot carry a drawing: leave out --diagram, or use --format moodle")
    if look.diagram and fmt.figure_files and target == "-":
        raise QuizgenError(f"--diagram with --format {fmt.name} writes SVG files beside the worksheet; "
                           "give -o FILE, or --no-diagram")
    key = key_path(Path(target)) if answers == "separate" else None
    for path in (Path(target), key) if target != "-" else ():
        if path is not None:
            group.claim(path)
    return Plan(fmt, look, target, answers, key)


def figure_prefix(p: Plan) -> str:
    """What a drawing's file name starts with: set-7.md → set-7-q001.svg beside it."""
    return f"{Path(p.target).stem}-" if p.format.figure_files else ""


def load(p: Plan) -> Renderer:
    """The format's templates, compiled now: a missing or broken one is reported before any work."""
    from quizgen.render.environment import Renderer

    return Renderer(p.format, p.look.templates, with_key=p.key is not None)


@dataclass(frozen=True, slots=True)
class Item:
    """One question as its format's item templates wrote it (`Format.item`, `Format.key_item`), with
    what the set needs of it besides: its category path, the drawing a format writes beside the
    worksheet (file name, SVG) and, where --moodle-type cannot ask it as asked, the (asked type,
    kind, reason) of the note."""

    text: str
    key: str | None = None  # its answer key entry, when the set has a key
    path: str = ""
    figure: tuple[str, str] | None = None
    note: tuple[str, str, str] | None = None


def question_context(p: Plan, modes: Mapping[str, str], worth: Mapping[str, float]) -> dict[str, Any]:
    """What a question's templates are given besides the question: how the LMS asks it (the
    --moodle-type, or an exam slot's per question id), its points (default 1), and the look's
    choices that shape a question (--interactive, where the answers go)."""
    from quizgen.render import view

    def mode_of(v: view.QuestionView, mode: str) -> str:
        return modes.get(v.q.id, mode)

    def moodle_type(v: view.QuestionView, mode: str) -> str:
        return view.moodle_type(v, mode_of(v, mode))

    def typed(v: view.QuestionView, mode: str) -> bool:
        return view.typed(v, mode_of(v, mode))

    def canvas_type(v: view.QuestionView, mode: str) -> str:
        return view.canvas_type(v, mode_of(v, mode))

    def points_of(v: view.QuestionView) -> float:
        return worth.get(v.q.id, 1)

    def cloze_weights(v: view.QuestionView, is_typed: bool) -> dict[tuple[int, int], int]:
        return view.cloze_weights(view.cloze_blanks(v, is_typed), points_of(v))

    return dict(moodle_mode=p.look.moodle_type or "auto", moodle_type=moodle_type, typed=typed,
                canvas_type=canvas_type, points=points_of, cloze_weights=cloze_weights,
                interactive=p.look.interactive, answers=p.answers)


def render_item(p: Plan, renderer: Renderer, context: Mapping[str, Any], q: Question, number: int, path: str,
                modes: Mapping[str, str]) -> Item:
    """`q`, question `number` of the set, through the format's item templates. An item depends on
    nothing but its question and number, so any process may render it."""
    from quizgen.render.view import mismatch, view

    v = view(q, number, figure_prefix(p))
    if p.format.name == "gift":
        _check_gift(v, modes.get(q.id, p.look.moodle_type or "auto"))
    asked = modes.get(q.id, p.look.moodle_type)
    why = mismatch(v, asked) if asked else None
    key = renderer.render_key_item(v=v, **context) if renderer.key_item and p.answers != "none" else None
    figure = (v.figure.name, v.figure.svg) if v.figure and p.format.figure_files else None
    return Item(renderer.render_item(v=v, **context), key, path, figure, (asked, q.kind, why) if why else None)


@functools.cache  # per process: a --jobs worker compiles the templates once, for all its questions
def _item_writer(p: Plan) -> tuple[Renderer, dict[str, Any]]:
    return load(p), question_context(p, {}, {})


def made_item(p: Plan, q: Question, number: int) -> Item:
    """`q`'s item where it is made (a `--jobs` worker's `encode`), in its kind/difficulty category."""
    renderer, context = _item_writer(p)
    return render_item(p, renderer, context, q, number, category_path(q), {})


def category_path(q: Question) -> str:
    """A question's Moodle category below the set's: kind/difficulty-n."""
    return f"{q.kind}/difficulty-{q.difficulty}"


def write(p: Plan, renderer: Renderer, questions: Sequence[Question], sheet: Sheet, group: FileGroup,
          category_paths: Sequence[str] | None = None, moodle_modes: Mapping[str, str] | None = None,
          points: Mapping[str, float] | None = None, items: Iterable[Item] | None = None) -> list[str]:
    """Stream the set through the templates into the worksheet, then its drawings and key, or pack
    or typeset it, all staged in `group` (committed by the caller). `questions` may be a `Spool`:
    the worksheet then streams as the questions are made, and later passes read them back from disk.
    Moodle and GIFT categories are kind/difficulty-n unless `category_paths` names one per question
    (an exam's slots, which are Canvas's question groups too), `moodle_modes` may set the LMS
    question type per question id (an exam slot's choice), and `points` its points (default 1).
    A format with item templates renders each question once, in set order (a plain iterable will
    do): here, or given as `items` (rendered by `made_item` where the questions were made;
    `questions` is then unused). Returns a note for each kind not asked the way --moodle-type asked."""
    from quizgen.render.view import QuestionViews, categories

    modes, worth = moodle_modes or {}, points or {}
    fmt = p.format
    asking = question_context(p, modes, worth)
    grouped = fmt.name in ("moodle", "gift") or category_paths is not None
    context = dict(
        title=p.look.title, sheet=sheet, questions=QuestionViews(questions, figure_prefix=figure_prefix(p)),
        key_name=p.key.name if p.key else None, category=(p.look.category or DEFAULT_CATEGORY).rstrip("/"),
        paper=p.look.paper or PAPERS[0], **asking)
    if fmt.item:
        if items is None:
            items = (render_item(p, renderer, asking, q, i + 1,
                                 category_paths[i] if category_paths else category_path(q), modes)
                     for i, q in enumerate(questions))
        listing = Listing(items, Path(p.target).parent, group)
        context.update(items=listing.items, key_items=listing.keys, categories=listing.banks() if grouped else ())
    else:
        context["categories"] = categories(questions, category_paths) if grouped else ()
        notes = _notes(context["questions"], p.look.moodle_type, modes) if fmt.name in LMS else []
    if fmt.package:  # a zip or a deck, written into its staged file as it is made
        pack = importlib.import_module(f"quizgen.render.{fmt.package}").pack
        with group.open(p.target) as handle:
            pack(renderer, context, handle)
    elif fmt.typeset:  # the whole Typst source, typeset: the key too before either file is staged
        from quizgen.render.pdf import typeset

        emit(p.target, [typeset("".join(renderer.stream_worksheet(**context)))], group)
        if p.key is not None:
            emit(str(p.key), [typeset("".join(renderer.stream_key(**context)))], group)
    else:
        emit(p.target, renderer.stream_worksheet(**context), group)
        if p.key is not None:
            emit(str(p.key), renderer.stream_key(**context), group)
    return listing.notes() if fmt.item else notes  # an item's note is known once it is rendered


@dataclass(frozen=True, slots=True)
class Bank:
    """A category of rendered items, as a bank's template lists them: `items` in set order."""

    path: str
    items: Sequence[str]


class Listing:
    """A set's items as the templates list them: rendered as the worksheet's walk asks for the next
    one (so it streams as the set is made), each kept on disk for a later walk (`items`), with its
    key entry (`keys`, complete once the walk is); `banks()` groups them by category, which waits
    for the whole set. Each drawing is staged in its file in `folder` as its item comes."""

    def __init__(self, items: Iterable[Item], folder: Path, group: FileGroup) -> None:
        from quizgen.render.spool import Texts

        self._source: Iterator[Item] | None = iter(items)
        self._folder, self._group = folder, group
        self._texts, self._keys = Texts(), Texts()
        self._groups: dict[str, list[int]] = {}
        self._seen: dict[tuple[str, str], str] = {}
        self.items = _Walked(self, self._texts, streams=True)
        self.keys = _Walked(self, self._keys, streams=False)

    def pull(self) -> Markup | None:
        """The next item's text, now kept; None when the set is done."""
        from markupsafe import Markup

        item = next(self._source, None) if self._source is not None else None
        if item is None:
            self._source = None
            return None
        self._groups.setdefault(item.path, []).append(len(self._texts))
        self._texts.append(item.text)
        if item.key is not None:
            self._keys.append(item.key)
        if item.figure:
            self._group.write(self._folder / item.figure[0], [item.figure[1]])
        if item.note:
            self._seen.setdefault(item.note[:2], item.note[2])
        return Markup(item.text)  # template output, escaped when it was rendered

    def finish(self) -> None:
        while self.pull() is not None:
            pass

    def banks(self) -> list[Bank]:
        from quizgen.render.view import Picked

        self.finish()
        return [Bank(path, Picked(self._texts, indices)) for path, indices in self._groups.items()]

    def notes(self) -> list[str]:
        """A note per kind not asked as --moodle-type asked (the first reason given for it)."""
        self.finish()
        return _note_lines(self._seen)


class _Walked(Sequence[str]):
    """Texts a `Listing` keeps, as a template walks them: `streams`, the walk itself renders the
    next item; else the whole set is rendered first (a key's entries, or a length)."""

    def __init__(self, listing: Listing, texts: Sequence[str], streams: bool) -> None:
        self.listing, self.texts, self.streams = listing, texts, streams

    def __iter__(self) -> Iterator[str]:
        if not self.streams:
            self.listing.finish()
        i = 0
        while True:
            if i < len(self.texts):
                yield self.texts[i]
            else:
                text = self.listing.pull()
                if text is None:
                    return
                yield text
            i += 1

    def __len__(self) -> int:
        self.listing.finish()
        return len(self.texts)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        self.listing.finish()
        return self.texts[i]


def _notes(views: QuestionViews, mode: str | None, modes: Mapping[str, str]) -> list[str]:
    """One line per kind that --moodle-type (or a slot's moodle_type) cannot make as asked."""
    from quizgen.render.view import mismatch

    if mode is None and not modes:  # nothing asked: no pass over the set (read back from disk)
        return []
    seen: dict[tuple[str, str], str] = {}
    for v in views:
        asked = modes.get(v.q.id, mode)
        why = mismatch(v, asked) if asked else None
        if why:
            seen.setdefault((asked, v.q.kind), why)
    return _note_lines(seen)


def _note_lines(seen: Mapping[tuple[str, str], str]) -> list[str]:
    """The notes, one per (asked type, kind), with the first reason found for it."""
    return [f"--moodle-type {asked}: {kind} questions cannot be {asked} ({why})" for (asked, kind), why in seen.items()]


def _check_gift(v: QuestionView, mode: str) -> None:
    """GIFT has no Cloze: a question Moodle asks as one is refused before anything is written,
    never turned into a question of another type."""
    from quizgen.render.view import moodle_type

    if moodle_type(v, mode) == "cloze":
        how = ("a table of typed numbers" if v.fill_in else
               "a shape typed as one number per axis; --moodle-type multichoice, or an exam slot's "
               "moodle_type, asks it as a choice"
               if len(v.parts) == 1 else f"{len(v.parts)} answers in one question")
        raise QuizgenError(f"GIFT cannot hold {v.q.kind} questions ({how}): leave the kind out, or "
                           "use --format moodle (Moodle XML has the Cloze type they need)")


def write_print_file(path: Path, look: Look, sheet: Sheet, variants: Sequence[tuple[Sheet, Sequence[Question]]],
                     group: FileGroup) -> None:
    """An exam's print file: every variant's worksheet and answer sheet in one PDF, to print duplex."""
    from quizgen.render.environment import environment, load, stream
    from quizgen.render.pdf import typeset
    from quizgen.render.view import QuestionViews

    template = load(environment(look.templates, typst=True), PRINT_TEMPLATE)
    source = "".join(stream(template, title=look.title, sheet=sheet, paper=look.paper or PAPERS[0],
                            variants=[(s, QuestionViews(qs)) for s, qs in variants]))
    group.write(path, [typeset(source)])
