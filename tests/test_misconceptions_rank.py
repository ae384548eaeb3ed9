"""A misconception's feedback fits the rank of the asked layer (issue 10 §3): a Conv1D's filter holds k·C_in
weights and a Conv3D's k·k·k·C_in, so their questions must not be told "(k×k×C_in + 1)×F"; a 1D map has a
length, not a height and a width. Checked on the question's own feedback, on what the worksheets render
and on the drill's diagnosis."""

from __future__ import annotations

import re

import pytest
from helpers import conv, layer, stack

from quizgen.drill.session import diagnose
from quizgen.engine.generate import Options, generate
from quizgen.engine.kinds import KINDS
from quizgen.engine.misconceptions import CATALOGUE, rank_of
from quizgen.engine.question import Question
from quizgen.render.view import view

BY_ID = {m.id: m for m in CATALOGUE}
# Entries about the 2D recipe wrongly used on a Conv1D: they name k×k on purpose.
NAMES_THE_2D_RECIPE = {"conv1d-kernel-squared", "conv1d-2d-formula"}
TWO_D_WORDS = {  # what a feedback must not say to a layer of this rank
    1: re.compile(r"k[×·]k|height|(?<!bit )width|H×W|H_out|W_out|SeparableConv2D|2D kernel"),
    3: re.compile(r"(?<![k][×·])k[×·]k[×·](C_in|in_channels|\(C_in)|(?<!D_out·)H_out·W_out|(?<!depth, )height and width"
                  r"|(?<!D×)H×W×C|SeparableConv2D|2D kernel"),
}


def feedback_of(q: Question) -> list[tuple[str, str]]:
    """Every (misconception, explanation) a question gives: its options' feedback, its solution's and the
    worksheets' rendering of each wrong value."""
    said = [(d.misconception, d.feedback) for p in q.parts for d in p.distractors if not d.near_miss]
    said += [(q.extra.get("misconception", ""), s.substitution) for s in q.solution if s.topic == "spot-the-error"]
    said += [(w.misconception, w.why) for p in view(q, 1).parts for w in p.wrong if not w.near_miss]
    return said


def test_the_reproduction_a_conv1d_is_not_told_k_times_k() -> None:
    """`quizgen generate --seed 1 -n 4 --kind conv-params -d 3`, Q4 asks a Conv1D's parameters; its option
    'One bias per input channel' said "(k×k×C_in + 1)×F"."""
    q = list(generate(1, 4, Options(("conv-params",), (3,))))[3]
    asked = q.stack.layers[q.parts[0].target.layer]
    assert asked.class_name == "Conv1D"
    (feedback,) = [d.feedback for d in q.parts[0].distractors if d.misconception == "bias-per-input-channel"]
    assert feedback == ("One bias per input channel. A filter has a single bias, added once after summing over all "
                        "input channels: (k×C_in + 1)×F.")
    (why,) = [w.why for w in view(q, 1).parts[0].wrong if w.misconception == "bias-per-input-channel"]
    assert why == "A filter has a single bias, added once after summing over all input channels: (k×C_in + 1)×F."


def test_a_conv3d_is_told_k_times_k_times_k() -> None:
    """`--seed 1 -n 3 --kind layer-params -d 2`, Q3 asks a Conv3D's parameters."""
    q = list(generate(1, 3, Options(("layer-params",), (2,))))[2]
    assert q.stack.layers[q.parts[0].target.layer].class_name == "Conv3D"
    (feedback,) = [d.feedback for d in q.parts[0].distractors if d.misconception == "bias-per-input-channel"]
    assert feedback.endswith("input channels: (k×k×k×C_in + 1)×F.")


FOR_EACH_RANK = [
    # Of size k, not 3: "a 2D kernel of size 3" read as the asked layer's on a 7×7 question.
    ("kernel-not-squared", 3, ("A 3D kernel of size k is a k×k×k window (a 3 is 3×3×3): k×k×k×C_in weights per "
                               "filter, not k×C_in.")),
    ("kernel-not-squared", 2, ("A 2D kernel of size k is a k×k window (a 3 is 3×3): k×k×C_in weights per filter, "
                               "not k×C_in.")),
    ("forgot-input-channels", 1, ("A filter is not a flat window of k steps: it spans every input channel, so it "
                                  "holds k×C_in weights. Multiply the kernel area by the number of channels coming in.")),
    ("macs-input-positions", 1, ("A convolution does its k×C_in multiply–accumulates once per OUTPUT position and "
                                 "filter: MACs = L_out·k·C_in/g·F. With strides or 'valid' padding there are fewer "
                                 "outputs than inputs.")),
    ("macs-kernel-not-squared", 3, ("A k×k×k kernel does k·k·k multiply–accumulates per input channel at each output "
                                    "position, not k.")),
    ("input-depth-called-stride", 3, ("The formula is (k×k×k×C_in + 1)×F: the factor after the kernel is the depth "
                                      "(channels) of the input, not the stride. The stride only changes the output "
                                      "size, never the parameter count.")),
    ("groups-ignored", 1, ("A grouped convolution splits the channels into g groups; each filter sees only C_in/g of "
                           "them, so the weights are k×(C_in/g)×F.")),
    ("depthwise-times-filters", 1, ("A depthwise kernel filters each input channel on its own: "
                                    "k×C_in×depth_multiplier weights. SeparableConv1D has one bias vector, on the "
                                    "pointwise part only.")),
]


@pytest.mark.parametrize(("mid", "rank", "text"), FOR_EACH_RANK)
def test_explanations_written_for_each_rank(mid: str, rank: int, text: str) -> None:
    assert BY_ID[mid].explain("keras", rank) == text


def test_root_before_channels_in_pytorch_3d() -> None:
    assert BY_ID["root-before-channels"].explain("pytorch", 3) == (
        "Solving P = (k·k·k·in_channels + 1)·out_channels for k gives k·k·k = (P/out_channels − 1)/in_channels: "
        "divide by in_channels first, then take the cube root of the whole quotient.")


def test_every_placeholder_is_filled_for_every_rank_and_framework() -> None:
    for m in CATALOGUE:
        for convention in ("keras", "pytorch"):
            for rank in (1, 2, 3):
                assert not re.search(r"[{}]", m.explain(convention, rank)), (m.id, convention, rank)


def test_the_rank_is_the_asked_layers_else_the_models() -> None:
    one_d = stack([100, 16], conv(32, 3, rank=1), layer("Flatten"), layer("Dense", units=10))
    assert [rank_of(one_d, i) for i in (0, 1, 2, None)] == [1, 1, 1, 1]
    video = stack([8, 32, 32, 3], conv(16, 3, rank=3))
    assert rank_of(video, 0) == rank_of(video, None) == 3
    assert rank_of(stack([784], layer("Dense", units=10)), 0) == 2  # a flat model: the catalogue's own words


@pytest.mark.parametrize("style", ["table", "keras", "pytorch"])
def test_no_1d_or_3d_question_is_told_a_2d_formula(style: str) -> None:
    """Every kind at levels 2 and 3, every 1D (text, audio) and 3D (video) question: no feedback, solution
    line or rendered explanation speaks of a 2D kernel or a height and a width."""
    checked = {1: 0, 3: 0}
    for q in generate(7, 900, Options(tuple(KINDS), (2, 3), style=style)):
        rank = len(q.stack.input_shape) - 1
        if rank not in TWO_D_WORDS:
            continue
        for mid, text in feedback_of(q):
            if rank == 1 and mid in NAMES_THE_2D_RECIPE:
                continue
            assert not TWO_D_WORDS[rank].search(text), (q.kind, rank, mid, text)
            checked[rank] += 1
    assert min(checked.values()) > 200, checked


def test_the_drill_explains_in_the_questions_own_words() -> None:
    q = list(generate(1, 4, Options(("conv-params",), (3,))))[3]
    part = q.parts[0]
    d = next(d for d in part.distractors if d.misconception == "bias-per-input-channel")
    assert diagnose(part, d.value).explanation.endswith("(k×C_in + 1)×F.")


def test_the_drill_explains_a_pytorch_question_in_pytorch_words() -> None:
    """The drill printed the catalogue's Keras wording (C_in, F) whatever the question showed."""
    q = next(q for q in generate(2, 60, Options(("conv-params",), (3,), style="pytorch"))
             if any(d.misconception == "forgot-input-channels" for d in q.parts[0].distractors)
             and q.stack.layers[q.parts[0].target.layer].rank == 1)
    d = next(d for d in q.parts[0].distractors if d.misconception == "forgot-input-channels")
    assert diagnose(q.parts[0], d.value).explanation == (
        "A filter is not a flat window of k steps: it spans every input channel, so it holds k×in_channels weights. "
        "Multiply the kernel area by in_channels.")

