"""A misconception is offered only where a student could make it given what the question shows, and the
mistakes about the asked layer's own configuration come first (issue 10 §3)."""

from __future__ import annotations

from quizgen.engine.generate import Options, generate
from quizgen.engine.misconceptions import CATALOGUE
from quizgen.engine.question import Question

BY_ID = {m.id: m for m in CATALOGUE}
SHAPE_ONLY = {m.id for m in CATALOGUE if m.shape and not m.params}
UNITS = {"kilo-is-1000", "bits-not-bytes", "float32-assumed", "params-as-bytes"}


def offered(q: Question) -> set[str]:
    """Every misconception the question carries, shown as an option or kept for typed answers' feedback."""
    return {d.misconception for p in q.parts for d in p.distractors}


def shown(q: Question) -> set[str]:
    return {o.distractor.misconception for p in q.parts for o in p.options if o.distractor}


def test_no_default_stride_mistake_where_the_stride_is_printed() -> None:
    """The old code offered "Pooled with stride 1 ... when no stride is given" beside strides=(3, 3) in a table
    (--seed 11 -n 30: Q6, Q22, Q24)."""
    for q in generate(11, 30, Options(("conv-params", "layer-params", "total-params", "output-shape", "flatten-size",
                                       "dense-after-flatten", "summary-table"), (1, 2, 3))):
        assert "pool-stride-default" not in offered(q), q.id
    for q in generate(11, 60, Options(("output-shape", "flatten-size"), (2, 3), style="keras")):
        if "pool-stride-default" in offered(q):  # Keras code leaves a stride out only when it equals the pool size
            assert any(getattr(layer, "strides", None) == getattr(layer, "pool_size", ()) for layer in q.stack.layers)


def test_no_output_shape_mistake_where_every_shape_is_printed() -> None:
    """The old code offered "Dropped the +1" on parameter questions whose table shows every output shape
    (--seed 11 -n 30: Q2, Q22, Q28)."""
    checked = 0
    for q in generate(11, 120, Options(("conv-params", "layer-params", "total-params"), (1, 2))):
        if q.show_shapes:
            checked += 1
            assert not offered(q) & SHAPE_ONLY, (q.id, offered(q) & SHAPE_ONLY)
    assert checked > 60


def test_memory_questions_show_a_unit_or_data_type_mistake() -> None:
    """The old code showed none of 1,000 vs 1,024, bits vs bytes, float32 assumed in 72 of 150 memory questions."""
    qs = generate(4711, 150, Options(("memory-footprint",), (1, 2, 3)))
    assert sum(bool(shown(q) & UNITS) for q in qs) >= 140


def test_a_grouped_convolution_shows_the_groups_mistake() -> None:
    """The old code dropped "Ignored the groups" from 14 of 25 grouped-convolution questions."""
    qs = generate(4711, 300, Options(("conv-params", "layer-params"), (3,)))
    grouped = [q for q in qs if "groups-ignored" in offered(q) and q.parts[0].target.layer is not None
               and getattr(q.stack.layers[q.parts[0].target.layer], "groups", 1) > 1]
    assert len(grouped) >= 10
    assert all("groups-ignored" in shown(q) for q in grouped)


def test_a_dilated_layer_shows_the_dilation_mistake() -> None:
    qs = generate(4711, 300, Options(("output-shape",), (3,)))
    dilated = [q for q in qs if "dilation-ignored" in offered(q)
               and max(getattr(q.stack.layers[q.parts[0].target.layer], "dilation_rate", (1,))) > 1]
    assert len(dilated) >= 5
    assert all("dilation-ignored" in shown(q) for q in dilated)


def test_pytorch_batchnorm_questions_show_the_keras_count() -> None:
    """The old code showed the Keras count in 4 of 28 PyTorch BatchNorm questions; Keras's own BatchNorm mistakes
    (4 values per channel) do not fit PyTorch code and are not offered there."""
    qs = generate(4711, 300, Options(("layer-params", "total-params"), (3,), style="pytorch"))
    with_bn = [q for q in qs if "batchnorm-framework-convention" in offered(q)]
    assert len(with_bn) >= 30
    assert sum("batchnorm-framework-convention" in shown(q) for q in with_bn) >= 0.85 * len(with_bn)
    assert not any(offered(q) & {"batchnorm-two-per-channel", "batchnorm-stats-trainable"} for q in qs)
