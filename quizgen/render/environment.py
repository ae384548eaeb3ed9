"""The one jinja2 environment: template lookup, number filters, autoescape by format.

Python hands templates data (questions, summaries); all wording and markup live in the
templates. Users may point `--templates DIR` at their own copy to restyle or translate.
Templates are compiled once and streamed, so a set of 10,000 questions never sits in memory
as text.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from quizgen.errors import QuizgenError
from quizgen.render.formats import Format, escaped_folders

PACKAGE_TEMPLATES = Path(__file__).parent.parent / "templates"  # where an installed wheel keeps them
SOURCE_TEMPLATES = Path(__file__).parent.parent.parent / "templates"  # the repository's top-level folder
ESCAPED_SUFFIXES = (".html", ".xml", ".svg", ".html.j2", ".xml.j2", ".svg.j2")
CHUNK = 1 << 16  # characters of template output joined per write: few writes, and little memory
# (a piece may be a whole rendered question: counting pieces made chunks of megabytes)


def default_templates() -> Path:
    return SOURCE_TEMPLATES if SOURCE_TEMPLATES.is_dir() else PACKAGE_TEMPLATES


def num(value: int | float) -> Markup:
    """138357544 → "138,357,544": readable, never scientific notation. Digits need no escaping,
    so the result is marked safe (autoescape then skips it: thousands of numbers per set)."""
    return Markup(f"{value:,}")


def batch_shape(shape: Any) -> str:
    """Keras's way of printing an output shape: (None, 26, 26, 32)."""
    return "(" + ", ".join(["None", *map(str, shape)]) + ")"


def shape_x(shape: Any) -> str:
    return "×".join(map(str, shape))


def value(answer: Any) -> str:
    """An answer as people read it: 18,496; 26×26×32; 28,800 for a flat shape; 1,234.5; a name as is
    (names are escaped by autoescape like any text; numbers are marked safe, see `num`)."""
    if isinstance(answer, str):
        return answer
    return Markup("×".join(f"{n:,}" for n in answer)) if isinstance(answer, list | tuple) else num(answer)


@functools.lru_cache(maxsize=8192)  # the same formulas recur across a set
def digits(text: str) -> str:
    """Thousands separators in the numbers of a formula: "(282752 + 1)·100" → "(282,752 + 1)·100"."""
    return re.sub(r"\d{4,}", lambda m: f"{int(m.group()):,}", text)


def _sounds_like_vowel(text: str) -> bool:
    """Whether English reads `text` from a vowel sound: AveragePooling2D, 8×8, 11, 18,000 (not 1×1)."""
    word = text.lstrip("(")
    digits = re.match(r"[\d,]+", word)
    if digits:
        number = digits.group().replace(",", "")
        head = number[:len(number) % 3 or 3]  # what is said first: 18 of 18,000, 1 of 1,800
        return number.startswith("8") or head in ("11", "18")
    return word[:1].lower() in ("a", "e", "i", "o", "u")


def article(text: Any) -> str:
    """The text after "a" or "an", as it is read: an AveragePooling2D layer, a Conv2D layer, an 8×8 map."""
    text = str(text)
    return f"{'an' if _sounds_like_vowel(text) else 'a'} {text}"


def plural(noun: str, count: Any, many: str | None = None) -> str:
    """`noun` for a count of one, else its plural (noun + "s" unless `many` is given): 1 filter, 3 filters.
    The count may be a number or its text ("1", "3×3")."""
    return noun if str(count) in ("1", "-1") else many or noun + "s"


MD_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
                            "|": "\\|", "#": "\\#", "&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md_escape(text: str) -> str:
    """User text (a title) inert in Markdown: no emphasis, links, tables or raw HTML from it."""
    return str(text).translate(MD_ESCAPES)


@functools.cache
def _markdown_converter() -> Any:
    import markdown

    converter = markdown.Markdown(extensions=["tables"])
    converter.preprocessors.deregister("html_block")  # raw HTML in the text is shown as text
    converter.inlinePatterns.deregister("html")
    return converter


@functools.lru_cache(maxsize=4096)
def markdown_html(text: str) -> Markup:
    """Fixed Markdown text (instructions, misconception explanations) as HTML, parsed once per text."""
    converter = _markdown_converter()
    converter.reset()
    return Markup(converter.convert(str(text)))


def cdata(html: str) -> Markup:
    """Escaped HTML wrapped in CDATA for Moodle; a literal "]]>" is split across two sections."""
    return Markup("<![CDATA[" + str(html).replace("]]>", "]]]]><![CDATA[>") + "]]>")


# Moodle decodes the HTML entities of a Cloze answer or #feedback once, then unescapes \} and \#.
CLOZE_ESCAPES = str.maketrans({"&": "&amp;", "}": "\\}", "#": "\\#", "~": "&#126;", "\\": "&#92;", "{": "&#123;"})


@functools.lru_cache(maxsize=4096, typed=True)  # typed: text "<p>" and HTML "<p>" differ
def cloze(html: str) -> Markup:
    """HTML (or text, escaped first) made safe as a Cloze answer or #feedback: no character in it
    can end the answer early, and what Moodle stores after decoding is the HTML given. Cached:
    the same feedback recurs across a set's blanks."""
    return Markup(str(escape(html)).translate(CLOZE_ESCAPES))


# GIFT's control characters, escaped with a backslash everywhere (Moodle's qformat_gift::escapedchar_pre);
# a newline becomes \n, so no blank line can end a question early.
GIFT_ESCAPES = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}",
                              ":": "\\:", "\n": "\\n"})


def gift(html: str) -> Markup:
    """HTML (or text, escaped first) made inert in a GIFT file: what Moodle stores is the HTML given."""
    return Markup(str(escape(html)).translate(GIFT_ESCAPES))


def gift_line(text: str) -> Markup:
    """A GIFT $CATEGORY: line's path, taken as it is by Moodle (no escapes there): one line."""
    return Markup(" ".join(str(text).split()))


def plain(number: int | float) -> Markup:
    """A number for Moodle to read: digits and a decimal point, no separators or exponent."""
    return Markup(number if isinstance(number, int) else f"{number:f}".rstrip("0").rstrip("."))


TYPST_SPECIALS = re.compile(r"([\\#$*_`<>@\[\]=\-+/~'\".])")


def typst_escape(text: Any) -> Markup:
    """Text inert in Typst markup: every character that could start markup (emphasis, code, a
    label, a comment, a list, a numbered one) is backslash-escaped; a line break is a space. Markup
    passes as is."""
    if hasattr(text, "__html__"):
        return Markup(text)
    return Markup(TYPST_SPECIALS.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " "))


def typst_string(text: Any) -> Markup:
    """A Typst string literal, "...", for code (a listing, an SVG drawing) handed to a Typst function."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return Markup(f'"{body}"')


def _typst_text(text: str | None) -> str:
    """Text between elements; the line breaks `markdown` puts between blocks are not text."""
    return "" if not text or (not text.strip() and "\n" in text) else str(typst_escape(text))


def _typst_node(node: Any) -> str:
    """One element of `markdown`'s HTML as Typst markup: paragraphs, emphasis, code spans, lists."""
    if node.tag == "code":
        return f"#raw({typst_string(node.text or '')})"
    if node.tag in ("ul", "ol"):
        marker = "- " if node.tag == "ul" else "+ "
        return "".join(marker + _typst_node(li) for li in node) + "\n"
    inner = _typst_text(node.text) + "".join(_typst_node(child) + _typst_text(child.tail) for child in node)
    wrap = {"strong": "#strong[{}]", "b": "#strong[{}]", "em": "#emph[{}]", "i": "#emph[{}]", "p": "{}\n\n",
            "li": "{}\n", "br": "\\ "}
    return wrap.get(node.tag, "{}").format(inner)


@functools.lru_cache(maxsize=256)
def typst_markdown(text: str) -> Markup:
    """Fixed or blueprint Markdown (instructions) as Typst markup, through the same parser as HTML."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(f"<div>{markdown_html(text)}</div>")
    except ET.ParseError:  # markup the small converter does not know: the words, plainly
        return typst_escape(text)
    return Markup(_typst_node(root).strip())


def qr_svg(text: str) -> str:
    """`text` as a QR code, an SVG of black squares (segno, of the pdf extra): what a scanner reads."""
    try:
        import segno
    except ImportError:
        raise QuizgenError("an exam's answer sheet needs the segno package: pip install 'quizgen[pdf]'") from None
    return segno.make_qr(str(text), error="m").svg_inline(scale=4, border=2, omitsize=False)


@jinja2.pass_eval_context
def _typst_finalize(context: jinja2.nodes.EvalContext, value: Any) -> Any:
    """Typst templates print every value escaped, as HTML templates do, unless a filter marked it;
    the shared wording (not autoescaped) escapes its values itself with `e`."""
    return typst_escape(value) if context.autoescape and not hasattr(value, "__html__") else value


@functools.lru_cache(maxsize=256)  # jinja asks at every render, a few per question
def _autoescape(name: str | None) -> bool:
    if not name:
        return False
    return name.split("/", 1)[0] in escaped_folders() or name.endswith(ESCAPED_SUFFIXES)


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs. Why: compiling the templates (the shared wording
    above all) is most of a short command's time, the drill's first question's among them. Jinja
    checks each entry against its template's source, so an edited template is compiled anew; a
    cache that cannot be read or written is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry: compile from the source
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full or read-only disk: the run goes on without caching
            pass


@functools.cache
def _bytecode_cache(settings: str) -> jinja2.BytecodeCache | None:
    """The cache for one set of environment settings (the compiled code depends on them), in
    $XDG_CACHE_HOME/quizgen (default ~/.cache/quizgen), a folder only this user may write: the
    entries are code, loaded as such. None where there is no such folder to be had."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    key = hashlib.blake2b(f"{settings} {jinja2.__version__} {sys.version}".encode(), digest_size=8).hexdigest()
    folder = root / "quizgen" / f"templates-{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022 or \
                (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            return None
    except (OSError, RuntimeError):  # no home, or a read-only one
        return None
    return _BytecodeCache(str(folder))


def environment(templates: Path | None = None, typst: bool = False) -> jinja2.Environment:
    """The templates' environment; `typst`: for Typst source, where escaping means Typst's backslash
    (the `e` filter, which the shared wording uses, and every printed value)."""
    folder = templates or default_templates()
    if not folder.is_dir():
        raise QuizgenError(f"templates folder not found: {folder}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), autoescape=_autoescape,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        finalize=_typst_finalize if typst else None,
        auto_reload=False,  # templates do not change during a run: no stat() of the file per get_template
        bytecode_cache=_bytecode_cache(f"typst={typst} escaped={sorted(escaped_folders())} {ESCAPED_SUFFIXES}"))

    env.filters.update(num=num, batch_shape=batch_shape, shape_x=shape_x, value=value, digits=digits,
                       article=article, plural=plural,
                       md_escape=md_escape, markdown=markdown_html, cdata=cdata, cloze=cloze, plain=plain,
                       gift=gift, gift_line=gift_line)
    if typst:
        env.filters.update(e=typst_escape, escape=typst_escape, typst_string=typst_string,
                           markdown=typst_markdown, qr_svg=qr_svg)
    return env


def get_template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound as error:
        raise QuizgenError(f"template {error.name!r} is missing from {env.loader.searchpath[0]}") from None
    except jinja2.TemplateSyntaxError as error:
        raise QuizgenError(f"template {error.filename or name} line {error.lineno}: {error.message}") from None
    except UnicodeDecodeError:
        raise QuizgenError(f"template {name} in {env.loader.searchpath[0]} is not UTF-8 text") from None


def load(env: jinja2.Environment, name: str) -> jinja2.Template:
    """A template and, checked now, every template it imports or includes by name, so a missing
    one is reported before any output is written."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        get_template(env, current)
        source = env.loader.get_source(env, current)[0]
        todo.extend(n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n)
    return get_template(env, name)


def stream(template: jinja2.Template, **context: Any) -> Iterator[str]:
    """The rendered template in chunks; an error in a (user's) template is one line, not a traceback."""
    pieces: list[str] = []
    size = 0
    try:
        for piece in template.generate(**context):
            pieces.append(piece)
            size += len(piece)
            if size >= CHUNK:
                yield "".join(pieces)
                pieces.clear()
                size = 0
    except jinja2.TemplateNotFound as error:
        raise QuizgenError(f"template {error.name!r} is missing") from None
    except jinja2.TemplateError as error:
        raise QuizgenError(f"template {template.name}: {error}") from None
    except QuizgenError:
        raise
    except UnicodeDecodeError as error:  # a template it includes is not UTF-8
        raise QuizgenError(f"template {template.name}: an included template is not UTF-8 text ({error.reason})") \
            from None
    except Exception as error:  # a user's template may raise anything (1 // 0, int("x"), ...)
        raise QuizgenError(f"template {template.name} failed: {type(error).__name__}: {error}") from None
    yield "".join(pieces)


class Renderer:
    """A format's templates, compiled once; writes its worksheet and answer key as streams."""

    def __init__(self, fmt: Format, templates: Path | None = None, with_key: bool = False) -> None:
        if fmt.worksheet is None:
            raise QuizgenError(f"format {fmt.name} is not written through templates")
        self.format = fmt
        self.env = environment(templates, typst=fmt.typeset)
        self.worksheet = load(self.env, fmt.worksheet)
        self.key = load(self.env, fmt.key) if with_key and fmt.key else None
        self.item = load(self.env, fmt.item) if fmt.item else None
        self.key_item = load(self.env, fmt.key_item) if fmt.key_item else None
        self.parts = {name: load(self.env, name) for name in fmt.parts}

    def stream_worksheet(self, **context: Any) -> Iterator[str]:
        return stream(self.worksheet, **context)

    def stream_key(self, **context: Any) -> Iterator[str]:
        assert self.key is not None
        return stream(self.key, **context)

    def render_item(self, **context: Any) -> str:
        """One question through the format's item template, whole."""
        assert self.item is not None
        return "".join(stream(self.item, **context))

    def render_key_item(self, **context: Any) -> str:
        """One question's answer key entry, whole."""
        assert self.key_item is not None
        return "".join(stream(self.key_item, **context))

    def render_part(self, name: str, **context: Any) -> str:
        """One of a packaged format's further templates (a zip's manifest), whole."""
        return "".join(stream(self.parts[name], **context))
