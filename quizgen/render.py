"""The one jinja2 environment: template lookup, number filters, autoescape by file type.

Python hands templates data (questions, summaries); all wording and markup live in the
templates. Users may point `--templates DIR` at their own copy to restyle or translate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from quizgen.errors import QuizgenError

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"  # where an installed wheel keeps them
SOURCE_TEMPLATES = Path(__file__).parent.parent / "templates"  # the repository's top-level folder


def default_templates() -> Path:
    return SOURCE_TEMPLATES if SOURCE_TEMPLATES.is_dir() else PACKAGE_TEMPLATES


def num(value: int) -> str:
    """138357544 → "138,357,544": readable, never scientific notation."""
    return f"{value:,}"


def batch_shape(shape: Any) -> str:
    """Keras's way of printing an output shape: (None, 26, 26, 32)."""
    return "(" + ", ".join(["None", *map(str, shape)]) + ")"


def shape_x(shape: Any) -> str:
    return "×".join(map(str, shape))


def environment(templates: Path | None = None) -> jinja2.Environment:
    folder = templates or default_templates()
    if not folder.is_dir():
        raise QuizgenError(f"templates folder not found: {folder}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml", "html.j2", "xml.j2"),
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=num, batch_shape=batch_shape, shape_x=shape_x)
    return env


def get_template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound:
        raise QuizgenError(f"template {name!r} is missing from {env.loader.searchpath[0]}") from None
    except jinja2.TemplateSyntaxError as error:
        raise QuizgenError(f"template {error.filename or name} line {error.lineno}: {error.message}") from None
