"""The seed articles' worked numbers, as golden tests (the numbers, not the prose, are the truth)."""

from __future__ import annotations

import subprocess
import sys

from helpers import conv, layer, stack

MNIST = ([28, 28, 1], conv(32, 3), layer("MaxPooling2D", pool_size=[2, 2]), conv(64, 3),
         layer("MaxPooling2D", pool_size=[2, 2]), conv(64, 3))


def test_keras_mnist_convnet_seed_000() -> None:
    s = stack(*MNIST)
    assert [p.total for p in s.counts] == [320, 0, 18_496, 0, 36_928]
    assert s.shapes[1:] == ((26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 64))
    assert s.totals().total == 55_744


def test_rgb_32_filters_seed_001() -> None:
    assert stack([32, 32, 3], conv(32, 3)).counts[0].total == 896


def test_ten_filters_on_24x24x3_seed_003() -> None:
    s = stack([24, 24, 3], conv(10, 3))
    assert s.counts[0].total == 280
    assert s.shapes[1] == (22, 22, 10)


def test_micrograph_model_seed_002() -> None:
    """64×64 grayscale micrographs; 36,928 for the second conv implies 64 filters in the first."""
    s = stack([64, 64, 1], conv(64, 3), layer("MaxPooling2D", pool_size=[2, 2]), conv(64, 3),
              layer("MaxPooling2D", pool_size=[2, 2]), layer("Flatten"), layer("Dense", units=64),
              layer("Dense", units=4))
    assert [p.total for p in s.counts] == [640, 0, 36_928, 0, 0, 802_880, 260]
    assert s.shapes[5] == (12_544,)


def test_cli_summary_prints_the_seed_numbers(tmp_path) -> None:
    import json
    path = tmp_path / "mnist.json"
    path.write_text(json.dumps({"input_shape": MNIST[0], "layers": list(MNIST[1:])}))
    out = subprocess.run([sys.executable, "-m", "quizgen", "summary", str(path)], capture_output=True,
                         text=True, check=True).stdout
    for text in ("320", "18,496", "36,928", "(None, 26, 26, 32)", "Total params: 55,744",
                 "Trainable params: 55,744", "Non-trainable params: 0"):
        assert text in out
