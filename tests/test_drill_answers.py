"""Reading typed answers: formatting is not part of the answer; what the part asks decides the reading."""

from __future__ import annotations

import pytest

from quizgen.answers import Command, Unreadable, parse_answer
from quizgen.question import Distractor, Part, Target

NUMBER = Part(Target(0, "params"), 18496, (Distractor(18432, "forgot-bias", "Forgot the bias", ""),
                                            Distractor(640, "forgot-input-channels", "", ""),
                                            Distractor(36992, "near-miss", "Near miss", "")), (2, 0, 3, 1))
SHAPE = Part(Target(0, "output_shape"), [26, 26, 32], (), ())


@pytest.mark.parametrize("typed", ["18496", "18,496", "18 496", " 18_496 ", "18\u202f496", "18'496"])
def test_number_formatting_is_ignored(typed: str) -> None:
    assert parse_answer(typed, NUMBER, multiple_choice=False) == 18496


@pytest.mark.parametrize("typed", ["26x26x32", "26 x 26 x 32", "26X26X32", "26×26×32", "26*26*32", "(26, 26, 32)",
                                   "[26,26,32]", "26, 26, 32", "26 26 32", "(None, 26, 26, 32)", "(?, 26, 26, 32)"])
def test_shape_formatting_is_ignored(typed: str) -> None:
    assert parse_answer(typed, SHAPE, multiple_choice=False) == [26, 26, 32]


@pytest.mark.parametrize("typed", ["1024", "1,024", "(1,024)", "(None, 1024)", "(None, 1,024)", "1 024"])
def test_a_one_axis_shape_reads_separators_as_formatting(typed: str) -> None:
    assert parse_answer(typed, Part(Target(0, "output_shape"), [1024], (), ()), False) == [1024]


@pytest.mark.parametrize(("typed", "reason"), [
    ("26x26x32", "shape-for-number"), ("12.5", "not-a-number"), ("-3", "not-a-number"), ("abc", "not-a-number"),
    ("", "empty"), ("   ", "empty"), ("²", "not-a-number"),
])
def test_unreadable_numbers(typed: str, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, NUMBER, multiple_choice=False)
    assert caught.value.reason == reason


@pytest.mark.parametrize("typed", ["26x", "26xx32", "26, 26, ", "(26, 26.5, 32)", "twenty"])
def test_unreadable_shapes(typed: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, SHAPE, multiple_choice=False)
    assert caught.value.reason == "not-a-shape"


@pytest.mark.parametrize("typed", ["hint", "HINT", " skip ", "Quit"])
def test_commands(typed: str) -> None:
    assert parse_answer(typed, NUMBER, multiple_choice=True) == Command(typed.strip().lower())


def test_letters_pick_the_shown_option_in_multiple_choice_only() -> None:
    # option_order (2, 0, 3, 1): A is distractor 2, B the answer, C distractor 3, D distractor 1
    assert [parse_answer(letter, NUMBER, True) for letter in "abcD"] == [640, 18496, 36992, 18432]
    with pytest.raises(Unreadable) as caught:
        parse_answer("e", NUMBER, True)
    assert caught.value.reason == "no-such-option"
    with pytest.raises(Unreadable):
        parse_answer("a", NUMBER, False)
    assert parse_answer("18,496", NUMBER, True) == 18496  # the value itself is fine too
