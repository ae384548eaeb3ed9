"""Wording (issue 10 §5a): articles and plurals by jinja filters, and a ZeroPadding said as where
its zeros go (a student reading "2×0 zeros on each side" literally picks a distractor)."""

from __future__ import annotations

import re

import pytest
from render_support import run

from quizgen.engine.layers import LAYER_KINDS
from quizgen.render.environment import article, environment, plural
from quizgen.render.view import LayerRow, settings


@pytest.mark.parametrize("text, said", [
    ("AveragePooling2D", "an AveragePooling2D"), ("Activation", "an Activation"), ("Conv2D", "a Conv2D"),
    ("ReLU", "a ReLU"), ("8×8", "an 8×8"), ("11×11×3", "an 11×11×3"), ("18,496", "an 18,496"),
    ("1×1", "a 1×1"), ("110×110", "a 110×110"), ("28×28×1", "a 28×28×1"), ("80", "an 80")])
def test_article_is_read_by_sound(text: str, said: str) -> None:
    assert article(text) == said


def test_plural_by_count() -> None:
    assert [plural("filter", n) for n in (1, 2, "1", "32", 0)] == ["filter", "filters", "filter", "filters", "filters"]
    assert plural("miss", 2, "misses") == "misses"


def prose(class_name: str, **config) -> str:
    layer = LAYER_KINDS[class_name](**config)
    row = LayerRow(1, "x", class_name, "", (1,), settings(layer, frozenset()))
    template = environment().from_string('{% import "common/words.j2" as words %}{{ words.prose(row) }}')
    return template.render(row=row)


@pytest.mark.parametrize("class_name, config, said", [
    ("ZeroPadding1D", {"padding": (2, 0)}, "a ZeroPadding1D layer with 2 zeros before and none after along the length"),
    ("ZeroPadding1D", {"padding": (1, 1)}, "a ZeroPadding1D layer with 1 zero on each side"),
    ("ZeroPadding2D", {"padding": ((1, 1), (1, 1))}, "a ZeroPadding2D layer with 1 zero on each side of every axis"),
    ("ZeroPadding2D", {"padding": ((0, 1), (2, 2))},
     "a ZeroPadding2D layer with no zeros before and 1 after along the height, 2 zeros on each side along the width"),
    ("AveragePooling2D", {"pool_size": (2, 2), "strides": (2, 2), "padding": "valid"},
     "an AveragePooling2D layer with pool size 2×2, stride 2, valid padding"),
    ("Dense", {"units": 1}, "a Dense layer with 1 unit"),
    ("Conv1D", {"filters": 1, "kernel_size": (3,), "strides": (1,), "padding": "same", "dilation_rate": (1,)},
     "a Conv1D layer with 1 filter, kernel size 3, stride 1, same padding"),
])
def test_prose_says_what_is_padded_where_with_articles_and_plurals(class_name, config, said) -> None:
    assert prose(class_name, **config) == said


# "k − 1 zeros" is a formula's count, plural by right; "1 zeros" alone is not.
BAD = re.compile(r"\b[Aa] (?:[AEIOU]\w|8|11\b|18\b)|\ban [B-DF-HJ-NP-TV-Z]\w*[a-z]|(?<![−-] )\b1 (?:filters|zeros|units|groups)\b"
                 r"|zeros on each side\W+\d+×|\d+×\d+ zeros")


@pytest.mark.parametrize("style", ["table", "keras", "pytorch", "prose"])
def test_no_wrong_article_or_plural_in_any_style(capsys: pytest.CaptureFixture[str], style: str) -> None:
    for fmt in ("md", "html"):
        status, out, _ = run(capsys, "generate", "--seed", "41", "-n", "60", "-d", "1,2,3", "--style", style,
                             "--format", fmt, "--answers", "inline", "-o", "-", "--quiet")
        assert status == 0
        assert not BAD.findall(out), sorted(set(BAD.findall(out)))
