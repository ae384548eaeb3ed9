"""Writing a problem set in a templated format (Markdown, HTML, Moodle XML), for `quizgen generate`.

Every check that can fail (options that do not fit the format, files that exist, templates that
are missing) runs before the questions are generated and before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import QuizgenError
from quizgen.render.files import check_writable, emit, emit_bytes, write_atomic
from quizgen.render.formats import PAPERS, Format

if TYPE_CHECKING:  # jinja2 is imported only when a templated format is written
    from quizgen.engine.question import Question
    from quizgen.render.environment import Renderer
    from quizgen.render.view import Sheet

DEFAULT_CATEGORY = "$course$/quizgen"
PRINT_TEMPLATE = "pdf/print.typ.j2"  # an exam's print file: every variant, each from an odd page

# Which formats each presentation option applies to (the option's flag, for the error message).
APPLIES = {"title": ("--title", ("md", "html", "moodle", "pdf")),
           "templates": ("--templates", ("md", "html", "moodle", "pdf")),
           "answers": ("--answers", ("md", "html", "pdf")), "interactive": ("--interactive", ("html",)),
           "moodle_type": ("--moodle-type", ("moodle",)), "category": ("--category", ("moodle",)),
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


def plan(fmt: Format, look: Look, target: str, force: bool) -> Plan:
    """Check the options against the format and the files against --force; decide the answer key."""
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
    if look.diagram and fmt.figure_files and target == "-":
        raise QuizgenError(f"--diagram with --format {fmt.name} writes SVG files beside the worksheet; "
                           "give -o FILE, or --no-diagram")
    key = key_path(Path(target)) if answers == "separate" else None
    for path in (Path(target), key) if target != "-" else ():
        if path is not None:
            check_writable(path, force)
    return Plan(fmt, look, target, answers, key)


def figure_prefix(p: Plan) -> str:
    """What a drawing's file name starts with: set-7.md → set-7-q001.svg beside it."""
    return f"{Path(p.target).stem}-" if p.format.figure_files else ""


def write_figures(p: Plan, questions: Sequence[Question], force: bool) -> None:
    """Each drawing in its own file beside the worksheet, where the format links them: all are
    checked before the first is written, and each is written atomically."""
    if not p.format.figure_files:
        return
    folder, prefix = Path(p.target).parent, figure_prefix(p)
    figures = [(folder / f"{prefix}{q.id}.svg", q.diagram) for q in questions if q.diagram]
    for path, _ in figures:
        check_writable(path, force)
    for path, svg in figures:
        write_atomic(path, [svg], force)


def load(p: Plan) -> Renderer:
    """The format's templates, compiled now: a missing or broken one is reported before any work."""
    from quizgen.render.environment import Renderer

    return Renderer(p.format, p.look.templates, with_key=p.key is not None)


def write(p: Plan, renderer: Renderer, questions: Sequence[Question], sheet: Sheet, force: bool,
          category_paths: Sequence[str] | None = None, moodle_modes: Mapping[str, str] | None = None) -> None:
    """Stream the set through the templates into the worksheet, then the key. Moodle categories
    are kind/difficulty-n unless `category_paths` names one per question (an exam's slots), and
    `moodle_modes` may set the Moodle type per question id (an exam slot's choice)."""
    from quizgen.render import view
    from quizgen.render.view import QuestionViews, categories

    modes = moodle_modes or {}

    def moodle_type(v: view.QuestionView, mode: str) -> str:
        return view.moodle_type(v, modes.get(v.q.id, mode))

    def typed(v: view.QuestionView, mode: str) -> bool:
        return view.typed(v, modes.get(v.q.id, mode))

    context = dict(
        title=p.look.title, sheet=sheet, questions=QuestionViews(questions, figure_prefix=figure_prefix(p)),
        answers=p.answers,
        key_name=p.key.name if p.key else None, interactive=p.look.interactive,
        category=(p.look.category or DEFAULT_CATEGORY).rstrip("/"), moodle_mode=p.look.moodle_type or "auto",
        moodle_type=moodle_type, typed=typed,
        categories=categories(questions, category_paths) if p.format.name == "moodle" else (),
        paper=p.look.paper or PAPERS[0])
    write_figures(p, questions, force)
    if p.format.typeset:  # the whole Typst source, typeset: the key too before either file is written
        from quizgen.render.pdf import typeset

        worksheet = typeset("".join(renderer.stream_worksheet(**context)))
        key = typeset("".join(renderer.stream_key(**context))) if p.key is not None else None
        emit_bytes(p.target, worksheet, force)
        if p.key is not None:
            emit_bytes(str(p.key), key, force)
        return
    emit(p.target, renderer.stream_worksheet(**context), force)
    if p.key is not None:
        emit(str(p.key), renderer.stream_key(**context), force)


def write_print_file(path: Path, look: Look, sheet: Sheet, variants: Sequence[tuple[Sheet, Sequence[Question]]],
                     force: bool) -> None:
    """An exam's print file: every variant's worksheet and answer sheet in one PDF, to print duplex."""
    from quizgen.render.environment import environment, load, stream
    from quizgen.render.pdf import typeset
    from quizgen.render.view import QuestionViews

    template = load(environment(look.templates, typst=True), PRINT_TEMPLATE)
    source = "".join(stream(template, title=look.title, sheet=sheet, paper=look.paper or PAPERS[0],
                            variants=[(s, QuestionViews(qs)) for s, qs in variants]))
    write_atomic(path, [typeset(source)], force, binary=True)
