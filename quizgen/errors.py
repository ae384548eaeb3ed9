"""The one exception type users see: the CLI prints it as one line and exits 2."""


class QuizgenError(Exception):
    """A problem with the user's input (a stack, an option, a file), worded for the user."""


class LayerError(QuizgenError):
    """A layer cannot take the shape it is given; the message names the layer."""


def check_text(value: str, what: str, lines: bool = False) -> str:
    """Text a user gives that ends up in XML, HTML or Markdown: control characters (which XML cannot
    hold at all), and line breaks where one line is meant, are refused rather than written."""
    allowed = "\t\n\r" if lines else ""
    bad = next((c for c in value if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000
                                     or c in "\ufffe\uffff") and c not in allowed), None)
    if bad is not None:
        kind = "a line break" if bad in "\n\r" else f"the control character U+{ord(bad):04X}"
        raise QuizgenError(f"{what} contains {kind}; use printable text{' on one line' * (not lines)}")
    return value
