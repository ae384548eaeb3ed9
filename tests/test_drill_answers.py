"""Reading typed answers: formatting is not part of the answer; what the part asks decides the reading."""

from __future__ import annotations

import pytest

from quizgen.drill.answers import Command, Unreadable, parse_answer
from quizgen.engine.question import Distractor, Part, Target

NUMBER = Part(Target(0, "params"), 18496, (Distractor(18432, "forgot-bias", "Forgot the bias", ""),
                                            Distractor(640, "forgot-input-channels", "", ""),
                                            Distractor(36992, "near-miss", "Near miss", "")), (2, 0, 3, 1))
SHAPE = Part(Target(0, "output_shape"), [26, 26, 32], (), ())
LAYERS = ["conv2d", "max_pooling2d", "conv2d_1", "flatten", "dense"]
KIB = Part(Target(None, "memory_bytes", dtype="float32", unit="KiB"), 1234.56,
           (Distractor(1264.19, "kilo-is-1000", "Divided by 1,000 instead of 1,024", ""),), ())
BYTES = Part(Target(None, "memory_bytes", dtype="int8", unit="bytes"), 1234, (), ())
NAME = Part(Target(None, "layer_name"), "dense", (Distractor("conv2d_1", "near-miss", "Near miss", ""),), (1, 0))
STEP = Part(Target(None, "step"), 3, (Distractor(2, "near-miss", "Not the first error", ""),), (0, 1))


@pytest.mark.parametrize("typed", ["18496", "18,496", "18 496", " 18_496 ", "18\u202f496", "18'496"])
def test_number_formatting_is_ignored(typed: str) -> None:
    assert parse_answer(typed, NUMBER, False, LAYERS) == 18496


@pytest.mark.parametrize("typed", ["26x26x32", "26 x 26 x 32", "26X26X32", "26×26×32", "26*26*32", "(26, 26, 32)",
                                   "[26,26,32]", "26, 26, 32", "26 26 32", "(None, 26, 26, 32)", "(?, 26, 26, 32)"])
def test_shape_formatting_is_ignored(typed: str) -> None:
    assert parse_answer(typed, SHAPE, False, LAYERS) == [26, 26, 32]


@pytest.mark.parametrize("typed", ["1024", "1,024", "(1,024)", "(None, 1024)", "(None, 1,024)", "1 024"])
def test_a_one_axis_shape_reads_separators_as_formatting(typed: str) -> None:
    assert parse_answer(typed, Part(Target(0, "output_shape"), [1024], (), ()), False, LAYERS) == [1024]


@pytest.mark.parametrize(("typed", "reason"), [
    ("26x26x32", "shape-for-number"), ("12.5", "not-a-number"), ("-3", "not-a-number"), ("abc", "not-a-number"),
    ("", "empty"), ("   ", "empty"), ("²", "not-a-number"),
])
def test_unreadable_numbers(typed: str, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, NUMBER, False, LAYERS)
    assert caught.value.reason == reason


@pytest.mark.parametrize("typed", ["26x", "26xx32", "26, 26, ", "(26, 26.5, 32)", "twenty"])
def test_unreadable_shapes(typed: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, SHAPE, False, LAYERS)
    assert caught.value.reason == "not-a-shape"


@pytest.mark.parametrize("typed", ["hint", "HINT", " skip ", "Quit"])
def test_commands(typed: str) -> None:
    assert parse_answer(typed, NUMBER, True, LAYERS) == Command(typed.strip().lower())


def test_letters_pick_the_shown_option_in_multiple_choice_only() -> None:
    # option_order (2, 0, 3, 1): A is distractor 2, B the answer, C distractor 3, D distractor 1
    assert [parse_answer(letter, NUMBER, True, LAYERS) for letter in "abcD"] == [640, 18496, 36992, 18432]
    with pytest.raises(Unreadable) as caught:
        parse_answer("e", NUMBER, True, LAYERS)
    assert caught.value.reason == "no-such-option"
    with pytest.raises(Unreadable):
        parse_answer("a", NUMBER, False, LAYERS)
    assert parse_answer("18,496", NUMBER, True, LAYERS) == 18496  # the value itself is fine too


@pytest.mark.parametrize(("typed", "value"), [
    ("1234.56", 1234.56), ("1,234.56", 1234.56), ("1 234.56", 1234.56), ("1234.56 KiB", 1234.56),
    ("1,234.56KiB", 1234.56), ("1234.56 kib", 1234.56), ("1234.559", 1234.56), ("1234.5", 1234.5),
    ("1234.50", 1234.5), ("1,25", 1.25), ("1,25 KiB", 1.25), (".5", 0.5), ("1234", 1234), ("1,234", 1234),
])
def test_amounts_read_to_two_decimals_with_or_without_the_unit(typed: str, value: float) -> None:
    assert parse_answer(typed, KIB, False, LAYERS) == value


def test_an_amount_compares_exactly_with_the_two_decimal_answer_and_distractors() -> None:
    assert parse_answer("1234.56", KIB, False, LAYERS) == KIB.answer
    assert parse_answer("1,264.19 KiB", KIB, False, LAYERS) == KIB.distractors[0].value
    assert parse_answer("1234.57", KIB, False, LAYERS) != KIB.answer


@pytest.mark.parametrize(("typed", "reason"), [
    ("1234.56 kB", "wrong-unit"), ("1234.56 MiB", "wrong-unit"), ("1234.56 bytes", "wrong-unit"),
    ("1.2.3", "not-a-decimal"), ("-1.25", "not-a-decimal"), ("KiB", "not-a-decimal"), ("about 3", "not-a-decimal"),
])
def test_unreadable_amounts(typed: str, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, KIB, False, LAYERS)
    assert caught.value.reason == reason


@pytest.mark.parametrize("typed", ["1234", "1,234", "1234 bytes", "1234 B", "1,234 byte"])
def test_bytes_are_a_whole_number_with_or_without_the_unit(typed: str) -> None:
    assert parse_answer(typed, BYTES, False, LAYERS) == 1234


@pytest.mark.parametrize(("typed", "reason"), [("1234.5", "not-a-number"), ("1.21 KiB", "wrong-unit")])
def test_unreadable_bytes(typed: str, reason: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, BYTES, False, LAYERS)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("typed", "name"), [
    ("dense", "dense"), ("Dense", "dense"), ("DENSE", "dense"), ("dense (Dense)", "dense"),
    ("Conv2D_1 (Conv2D)", "conv2d_1"), ("conv2d_1(Conv2D)", "conv2d_1"), (" max_pooling2d ", "max_pooling2d"),
    ("5", "dense"), ("layer 3", "conv2d_1"), ("#1", "conv2d"),
])
def test_layer_names_in_any_case_with_or_without_the_class(typed: str, name: str) -> None:
    assert parse_answer(typed, NAME, False, LAYERS) == name


@pytest.mark.parametrize("typed", ["conv2d_7", "6", "0", "Conv3D", "(Conv2D)"])
def test_a_layer_the_stack_does_not_have_is_unreadable(typed: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, NAME, False, LAYERS)
    assert caught.value.reason == "no-such-layer"


@pytest.mark.parametrize(("typed", "step"), [
    ("3", 3), ("step 3", 3), ("Step 3", 3), ("step3", 3), ("layer 3", 3), ("#3", 3), ("3.", 3),
    ("conv2d_1", 3), ("Dense (Dense)", 5),
])
def test_step_numbers(typed: str, step: int) -> None:
    assert parse_answer(typed, STEP, False, LAYERS) == step


@pytest.mark.parametrize("typed", ["0", "6", "step six", "3x3", "-1"])
def test_a_step_the_table_does_not_have_is_unreadable(typed: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_answer(typed, STEP, False, LAYERS)
    assert caught.value.reason == "no-such-step"


def test_letters_pick_names_and_steps_too() -> None:
    assert [parse_answer(letter, NAME, True, LAYERS) for letter in "ab"] == ["conv2d_1", "dense"]
    assert [parse_answer(letter, STEP, True, LAYERS) for letter in "ab"] == [3, 2]
