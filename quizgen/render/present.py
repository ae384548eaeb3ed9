"""The style stage: how an assembled question shows its stack to the student.

As a table of Keras configurations, as runnable Keras or PyTorch code, or in prose; and, when
asked, as an SVG drawing too. The answers never depend on the style, with one exception decided
earlier: a question shown as PyTorch code was built in PyTorch's counting convention (the picker
carried it, see `quizgen.engine.generate.Options`). Whatever the question asks is left out of what it shows:
an asked filter count or kernel size is "?", shapes are hidden where they would give the answer
away, and in PyTorch code so is a Linear's in_features after a Flatten.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.engine.question import Question
from quizgen.engine.styles import FRAMEWORKS
from quizgen.errors import QuizgenError

if TYPE_CHECKING:
    import jinja2



def unknown(q: Question) -> tuple[int, str] | None:
    """The (layer, config key) a question asks for, such as a reverse question's filters."""
    for part in q.parts:
        t = part.target
        if t.layer is not None and t.quantity in q.stack.layers[t.layer].__dataclass_fields__:
            return t.layer, t.quantity
    return None


def shapes_shown(q: Question) -> bool:
    """Whether the prompt may show output shapes: not where they give the answer away, nor where
    an asked configuration value could be read back from them."""
    return q.show_shapes and unknown(q) is None


def highlight(q: Question) -> int | None:
    """The one layer the question asks about, if there is one."""
    layers = {p.target.layer for p in q.parts}
    return next(iter(layers)) if len(layers) == 1 else None


@functools.cache
def _environment(templates: Path | None) -> jinja2.Environment:
    from quizgen.render.environment import environment

    return environment(templates)


def show(q: Question, style: str, diagram: bool = False, templates: Path | None = None) -> Question:
    """The question with its style, the code it shows and its drawing, through the templates in
    `templates` (the package's by default)."""
    if style == "pytorch" and any(p.target.convention != "pytorch" for p in q.parts):
        raise QuizgenError("a question shown as PyTorch code must count in PyTorch's convention")
    if style not in FRAMEWORKS and not diagram:
        return dataclasses.replace(q, style=style)
    from quizgen.render.code import render_code
    from quizgen.render.diagram import render_svg

    env = _environment(templates)
    asked, shown = unknown(q), shapes_shown(q)
    code = render_code(q.stack, style, env, unknown=asked, hide_sizes=not shown) if style in FRAMEWORKS else None
    svg = render_svg(q.stack, highlight(q), hide_from=None if shown else 0, ident=f"{q.id or 'q'}-stack",
                     unknown=asked, channels_first=style == "pytorch", env=env) if diagram else None
    return dataclasses.replace(q, style=style, code=code, diagram=svg)
