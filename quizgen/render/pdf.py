"""Typesetting Typst source into PDF (or PNG pages) with the `typst` package, the optional extra
`pdf`. Only packaging lives here: the templates in templates/pdf/ write the Typst source.

Deterministic: the documents set no date (`#set document(date: none)`), and only the fonts inside
the typst wheel are used, never the machine's, so the same source gives the same bytes anywhere.
"""

from __future__ import annotations

from typing import Any

from quizgen.errors import QuizgenError

INSTALL = "--format pdf needs the {} package: pip install 'quizgen[pdf]'"


def require(qr: bool = False) -> Any:
    """The typst module (and with `qr`, segno for an exam's answer sheets), or a one-line error
    saying how to install it: checked before any work."""
    try:
        import typst
    except ImportError:
        raise QuizgenError(INSTALL.format("typst")) from None
    if qr:
        try:
            import segno  # noqa: F401
        except ImportError:
            raise QuizgenError(INSTALL.format("segno")) from None
    return typst


def typeset(source: str, format: str = "pdf", ppi: float | None = None) -> bytes | list[bytes]:
    """The PDF's bytes (or, for "png", one image per page); a template error is one line."""
    typst = require()
    try:
        return typst.compile(source.encode("utf-8"), format=format, ppi=ppi, ignore_system_fonts=True)
    except typst.TypstError as error:
        raise QuizgenError(f"typesetting failed: {error.message}") from None
