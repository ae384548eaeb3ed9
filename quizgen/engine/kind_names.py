"""The question kinds by id, with what each asks. Apart from `kinds` so that `quizgen kinds` and the
CLI's help list them without loading the engine (start-up); `kinds.KINDS` adds how each is built."""

from __future__ import annotations

# The default mix; the kinds after these ask one level up and are chosen by name.
CORE_KINDS = ("conv-params", "layer-params", "total-params", "output-shape", "flatten-size",
              "dense-after-flatten", "summary-table")
SUMMARIES: dict[str, str] = {
    "conv-params": "parameters of one convolution layer (the classic exercise)",
    "layer-params": "parameters of any one layer of a stack",
    "total-params": "parameters of a whole stack (total, trainable or non-trainable)",
    "output-shape": "output shape of one layer",
    "flatten-size": "length of the vector a Flatten layer produces",
    "dense-after-flatten": "parameters of the first Dense layer after Flatten",
    "summary-table": "every Param # of a model summary, and the total",
    "reverse-filters": "the number of filters, given a convolution's parameter count",
    "reverse-kernel": "the kernel size, given a convolution's parameter count",
    "memory-footprint": "parameter memory in bytes, KiB or MiB (float32, float16, int8)",
    "macs": "multiply–accumulate operations of one layer for one input",
    "receptive-field": "receptive field of a unit after convolutions and pools",
    "spot-the-error": "the first wrong step of a worked summary table",
    "most-params": "which layer has the most parameters",
    "trainable-split": "trainable and non-trainable parameters (BatchNorm, frozen layers)",
}
