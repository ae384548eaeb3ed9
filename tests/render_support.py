"""Shared by the rendering tests: the CLI in-process, a golden-file check, and Moodle's own parsing
of Cloze questions (its regular expressions from question/type/multianswer/questiontype.php,
translated to Python) so the tests read embedded answers the way Moodle's importer does."""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from quizgen.cli import main

GOLDEN = Path(__file__).parent / "golden" / "render"
# Pinned rather than "the default mix", so the goldens change only when these kinds do.
CORE = ("conv-params", "layer-params", "total-params", "output-shape", "flatten-size", "dense-after-flatten",
        "summary-table")
# Seed 3 with 12 questions asks every core kind at every difficulty, BatchNorm included.
GOLDEN_SET = ["generate", "--seed", "3", "--count", "12", "--kind", ",".join(CORE), "--quiet"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`quizgen ARGV` in-process: (exit status, stdout, stderr)."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/render/NAME; QUIZGEN_UPDATE_GOLDEN=1 rewrites it (review the diff by eye)."""
    path = GOLDEN / name
    if os.environ.get("QUIZGEN_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden file {path}; run with QUIZGEN_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file (QUIZGEN_UPDATE_GOLDEN=1)"


# --- Moodle's Cloze parser ----------------------------------------------------------------------
# Python's lookbehinds must have a fixed width, so Moodle's (?<!\\|&|&amp;) becomes three of them.
FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
ALTERNATIVE = f"({FRACTION})?({ANSWER})(#({FEEDBACK}))?"
TYPES = ("(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|(SHORTANSWER|SA|MW)|"
         "(SHORTANSWER_C|SAC|MWC)|(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
         "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)")
EMBEDDED = re.compile(r"\{([0-9]*):(" + TYPES + r"):(" + ALTERNATIVE + "(~" + ALTERNATIVE + r")*)\}", re.S)
ALTERNATIVES_GROUP = 3 + TYPES.count("(")  # Moodle's ANSWER_REGEX_ALTERNATIVES
ALTERNATIVE_RE = re.compile("~?" + ALTERNATIVE, re.S)
NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE = re.compile(f"^({NUMBER})(:{NUMBER})?$", re.S)


@dataclass(frozen=True)
class Alternative:
    fraction: float
    answer: str
    tolerance: str | None
    feedback: str  # the HTML Moodle stores


@dataclass(frozen=True)
class Embedded:
    weight: int
    type: str
    alternatives: tuple[Alternative, ...]


def decode_feedback(raw: str) -> str:
    """What Moodle stores: html_entity_decode, then \\} and \\# unescaped."""
    return html.unescape(raw).replace("\\}", "}").replace("\\#", "#")


def cloze_parts(text: str) -> list[Embedded]:
    """The sub-questions Moodle extracts from a Cloze question text, in order."""
    parts = []
    while match := EMBEDDED.search(text):
        kind = match.group(2)
        numerical = kind in ("NUMERICAL", "NM")
        remaining = match.group(ALTERNATIVES_GROUP)
        alternatives = []
        while remaining and (alt := ALTERNATIVE_RE.match(remaining)):
            percent = alt.group(2)
            fraction = 1.0 if alt.group(1) == "=" else float(percent.replace(",", ".")) / 100 if percent else 0.0
            answer, tolerance = alt.group(3), None
            if numerical and (number := NUMERICAL_ALTERNATIVE.match(answer)):
                answer, tolerance = number.group(1), number.group(6)
            elif not numerical:
                answer = decode_feedback(answer)
            alternatives.append(Alternative(fraction, answer, tolerance, decode_feedback(alt.group(5) or "")))
            remaining = remaining[len(alt.group(0)):]
        parts.append(Embedded(int(match.group(1) or 1), kind, tuple(alternatives)))
        text = text[:match.start()] + f"{{#{len(parts)}}}" + text[match.end():]
    return parts


def moodle_valid_number(text: str) -> bool:
    """qtype_numerical::is_valid_number, for the plain numbers quizgen writes."""
    return re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text) is not None


def visible_text(fragment: str) -> str:
    """HTML as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
