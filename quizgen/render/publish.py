"""Writing a problem set in a templated format (Markdown, HTML, Moodle XML), for `quizgen generate`.

Every check that can fail (options that do not fit the format, files that exist, templates that
are missing) runs before the questions are generated; the files are staged in a `FileGroup` and
appear together, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import QuizgenError
from quizgen.render.files import FileGroup, emit
from quizgen.render.formats import Format

if TYPE_CHECKING:  # jinja2 is imported only when a templated format is written
    from quizgen.engine.question import Question
    from quizgen.render.environment import Renderer
    from quizgen.render.view import Sheet

DEFAULT_CATEGORY = "$course$/quizgen"

# Which formats each presentation option applies to (the option's flag, for the error message).
APPLIES = {"title": ("--title", ("md", "html", "moodle")), "templates": ("--templates", ("md", "html", "moodle")),
           "answers": ("--answers", ("md", "html")), "interactive": ("--interactive", ("html",)),
           "moodle_type": ("--moodle-type", ("moodle",)), "category": ("--category", ("moodle",))}


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
            group.claim(path)
    return Plan(fmt, look, target, answers, key)


def figure_prefix(p: Plan) -> str:
    """What a drawing's file name starts with: set-7.md → set-7-q001.svg beside it."""
    return f"{Path(p.target).stem}-" if p.format.figure_files else ""


def write_figures(p: Plan, questions: Iterable[Question], group: FileGroup) -> None:
    """Each drawing in its own file beside the worksheet, where the format links them, staged with it."""
    if not p.format.figure_files or not p.look.diagram:  # no drawings: no pass over a spooled set
        return
    folder, prefix = Path(p.target).parent, figure_prefix(p)
    for q in questions:
        if q.diagram:
            group.write(folder / f"{prefix}{q.id}.svg", [q.diagram])


def load(p: Plan) -> Renderer:
    """The format's templates, compiled now: a missing or broken one is reported before any work."""
    from quizgen.render.environment import Renderer

    return Renderer(p.format, p.look.templates, with_key=p.key is not None)


def write(p: Plan, renderer: Renderer, questions: Sequence[Question], sheet: Sheet, group: FileGroup,
          category_paths: Sequence[str] | None = None, moodle_modes: Mapping[str, str] | None = None) -> None:
    """Stream the set through the templates into the worksheet, then its drawings and key, all staged
    in `group` (committed by the caller). `questions` may be a `Spool`: the worksheet then streams as
    the questions are made, and later passes read them back from disk. Moodle categories
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
        categories=categories(questions, category_paths) if p.format.name == "moodle" else ())
    emit(p.target, renderer.stream_worksheet(**context), group)
    write_figures(p, questions, group)
    if p.key is not None:
        emit(str(p.key), renderer.stream_key(**context), group)
