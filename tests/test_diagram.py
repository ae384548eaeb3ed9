"""Stack diagrams: well-formed, accessible SVG with one block per layer, sized so that fewer
positions never draw wider and fewer channels never draw taller; checked in headless Chromium.

Golden file: QUIZGEN_UPDATE_GOLDEN=1 rewrites it; review it by eye (open it in a browser).
The browser tests skip without Chromium unless QUIZGEN_REQUIRE_BROWSER is set; QUIZGEN_SCREENSHOTS=DIR
keeps their PNGs for a look.
"""

from __future__ import annotations

import os
import random
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import conv, layer, stack

from quizgen.engine.layers import Activation
from quizgen.engine.sampling import FAMILIES, sample
from quizgen.engine.stack import Stack
from quizgen.errors import QuizgenError
from quizgen.render.diagram import (
    GLYPH_COLUMN,
    MARGIN,
    WIDTH,
    describe,
    layout,
    positions,
    render_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = Path(__file__).parent / "golden" / "svg"

SEEDS = stack([28, 28, 1], conv(32, 3), layer("MaxPooling2D", pool_size=[2, 2]), conv(64, 3),
              layer("MaxPooling2D", pool_size=[2, 2]), layer("Flatten"), layer("Dense", units=64),
              layer("Dense", units=10))


def pick(family: str, difficulty: int, seed: int, flatten: bool | None = None) -> Stack:
    return sample(random.Random(seed), difficulty, (family,), flatten)[1]


# The five drawings the screenshots are looked at for, each with its asked-about layer.
SHOWCASE = {
    "classifier-2d": (pick("classifier-2d", 3, 5, True), 5),
    "mobilenet": (pick("mobilenet", 3, 2, False), 3),
    "encoder-decoder": (pick("encoder-decoder", 3, 1), 2),
    "text-1d": (pick("text-1d", 3, 4), 1),
    "video-3d": (pick("video-3d", 3, 3, True), 2),
}


def sampled() -> Iterator[Stack]:
    rng = random.Random(11)
    for name, family in sorted(FAMILIES.items()):
        for difficulty in family.difficulties:
            for _ in range(20):
                yield sample(rng, difficulty, (name,))[1]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if kind in g.get("class", "").split()]


def texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


# --- structure --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SHOWCASE))
def test_svg_parses_with_title_desc_and_one_block_per_layer(name: str) -> None:
    s, highlight = SHOWCASE[name]
    root = parse(render_svg(s, highlight, ident=f"q-{name}"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and str(len(s.layers)) in title.text
    assert desc is not None and desc.text and all(describe(lay) in desc.text for lay in s.layers)
    assert root.get("aria-labelledby") == f"q-{name}-title q-{name}-desc"
    assert {title.get("id"), desc.get("id")} == {f"q-{name}-title", f"q-{name}-desc"}
    blocks = groups(root, "layer")
    assert len(groups(root, "input")) == 1 and len(blocks) == len(s.layers)
    assert [int(g.get("data-layer")) for g in blocks] == list(range(len(s.layers)))
    for g, lay, shape in zip(blocks, s.layers, s.shapes[1:]):
        assert texts(g)[:2] == [describe(lay), "→ " + "×".join(map(str, shape))]


def test_the_asked_about_layer_is_highlighted_and_only_it() -> None:
    root = parse(render_svg(SEEDS, 2))
    lit = groups(root, "highlight")
    assert [g.get("data-layer") for g in lit] == ["2"]
    assert lit[0].find(f"{SVG}text").get("font-weight") == "bold"
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "band"]) == 1
    assert "conv2d_1, is highlighted" in root.find(f"{SVG}desc").text
    plain = parse(render_svg(SEEDS))
    assert not groups(plain, "highlight") and not [r for r in plain.iter(f"{SVG}rect") if r.get("class") == "band"]
    with pytest.raises(QuizgenError, match="highlight 7 is not a layer"):
        render_svg(SEEDS, 7)
    with pytest.raises(QuizgenError, match="hide_from -1 is not a layer"):
        render_svg(SEEDS, hide_from=-1)


def test_hidden_shapes_do_not_leak_the_answer() -> None:
    """An output-shape question hides that shape and every later one, in the drawing and the text."""
    svg = render_svg(SEEDS, 2, hide_from=2)
    root = parse(svg)
    for g in groups(root, "layer")[2:]:
        assert texts(g)[1] == "→ ?"
        assert g.find(f"{SVG}rect").get("stroke-dasharray")
    for answer in ("11×11×64", "5×5×64", "1600"):
        assert answer not in svg
    hidden = layout(SEEDS, 2, hide_from=2).blocks
    assert {(b.width, b.height) for b in hidden[3:]} == {(hidden[2].width, hidden[2].height)}  # the input's size


def test_labels_name_kind_configuration_and_are_escaped() -> None:
    cases = {
        "Conv2D 32 3×3, s2 same": conv(32, 3, strides=[2, 2], padding="same"),
        "Conv2D 16 1×3, d2 g4, no bias": conv(16, [1, 3], dilation_rate=[2, 2], groups=4, use_bias=False),
        "Conv1D 64 k5, s2": conv(64, 5, rank=1, strides=[2]),
        "SeparableConv2D 8 3×3, same dm2, frozen": layer("SeparableConv2D", filters=8, kernel_size=[3, 3],
                                                           padding="same", depth_multiplier=2, trainable=False),
        "Conv2DTranspose 4 3×3, s2 same op1": layer("Conv2DTranspose", filters=4, kernel_size=[3, 3],
                                                      strides=[2, 2], padding="same", output_padding=[1, 1]),
        "MaxPooling2D 3×3, s2 same": layer("MaxPooling2D", pool_size=[3, 3], strides=[2, 2], padding="same"),
        "ZeroPadding2D pad (0,1)×(1,1)": layer("ZeroPadding2D", padding=[[0, 1], [1, 1]]),
        "BatchNormalization, no gamma": layer("BatchNormalization", scale=False),
        "ReLU, max 6": layer("ReLU", max_value=6.0),
        "GlobalAveragePooling2D, keepdims": layer("GlobalAveragePooling2D", keepdims=True),
        "Dropout 0.25": layer("Dropout", rate=0.25),
    }
    for label, entry in cases.items():
        rank = 1 if label.startswith("Conv1D") else 2
        s = stack([16, 16, 4][-rank - 1:], entry)
        assert describe(s.layers[0]) == label
    with pytest.raises(QuizgenError, match="not one of Keras's activations"):  # the reader refuses it...
        stack([8], layer("Activation", activation="<b>&\"x\""))
    markup = Activation("relu")  # ...and the drawing escapes it all the same
    object.__setattr__(markup, "activation", "<b>&\"x\"")
    tricky = Stack((8,), (markup,))
    root = parse(render_svg(tricky, 0, ident='q<&"1'))
    assert texts(groups(root, "layer")[0])[0] == 'Activation <b>&"x"'
    assert root.get("aria-labelledby") == 'q<&"1-title q<&"1-desc'  # the template escapes by hand: every value


# --- geometry ---------------------------------------------------------------------------------------

def test_fewer_positions_never_draw_wider_nor_fewer_channels_taller() -> None:
    for s in [SEEDS, *sampled()]:
        blocks = layout(s).blocks
        for a, sa in zip(blocks, s.shapes):
            for b, sb in zip(blocks, s.shapes):
                if positions(sa) < positions(sb):
                    assert a.width <= b.width, (sa, sb)
                if sa[-1] < sb[-1]:
                    assert a.height <= b.height, (sa, sb)
                if positions(sa) == positions(sb) and sa[-1] == sb[-1]:
                    assert (a.width, a.height) == (b.width, b.height)


def test_blocks_go_down_the_page_in_order_inside_their_column() -> None:
    for s in [SEEDS, *sampled()]:
        d = layout(s)
        centre = MARGIN + GLYPH_COLUMN / 2
        for upper, lower in zip(d.blocks, d.blocks[1:]):
            assert upper.y + upper.height < lower.y and upper.shape_y < lower.label_y
        for b in d.blocks:
            assert MARGIN <= b.x and b.x + b.width <= MARGIN + GLYPH_COLUMN < d.text_x
            assert abs(b.x + b.width / 2 - centre) < 0.1
            assert b.y + b.height <= d.height - MARGIN + 0.1  # coordinates are rounded to 0.1
        assert d.width == WIDTH


def test_output_is_deterministic_and_golden() -> None:
    svg = render_svg(SEEDS, 5)
    assert svg == render_svg(SEEDS, 5)
    path = GOLDEN / "seeds-classifier.svg"
    if os.environ.get("QUIZGEN_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
    assert svg == path.read_text(encoding="utf-8")


# --- in a browser -----------------------------------------------------------------------------------



def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# Every text's box; how many blocks' label or shape run into their layer name; the highlighted block's width.
MEASURE = """() => {
  const svg = document.documentElement;
  const box = t => { const b = t.getBBox(); return {x: b.x, right: b.x + b.width, y: b.y, bottom: b.y + b.height}; };
  const meet = (a, b) => a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom;
  const overlaps = [...svg.querySelectorAll('g.block')].filter(g => {
    const [label, shape, name] = [...g.querySelectorAll('text')].map(box);
    return name && (meet(label, name) || meet(shape, name));
  }).length;
  const lit = svg.querySelector('g.highlight rect');
  return {boxes: [...svg.querySelectorAll('text')].map(box), overlaps, width: svg.width.baseVal.value,
          lit: lit ? lit.getBBox().width : 0};
}"""


@pytest.mark.parametrize("name", sorted(SHOWCASE))
def test_screenshot_in_chromium(browser: Any, name: str, tmp_path: Path) -> None:
    s, highlight = SHOWCASE[name]
    diagram = layout(s, highlight)
    svg_file = tmp_path / f"{name}.svg"
    svg_file.write_text(render_svg(s, highlight), encoding="utf-8")
    height = int(-(-diagram.height // 1))
    page = browser.new_page(viewport={"width": WIDTH, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(svg_file.as_uri())
    measured = page.evaluate(MEASURE)
    png = page.screenshot()  # a full_page screenshot of a bare SVG document hangs in Chromium
    page.close()
    assert problems == []
    assert measured["width"] == WIDTH and measured["lit"] > 0 and measured["overlaps"] == 0
    assert all(0 <= b["x"] and b["right"] <= WIDTH - MARGIN / 2 and b["bottom"] <= height for b in measured["boxes"])
    assert png_size(png) == (WIDTH, height)
    keep = os.environ.get("QUIZGEN_SCREENSHOTS")
    (Path(keep) if keep else tmp_path).mkdir(parents=True, exist_ok=True)
    (Path(keep) if keep else tmp_path).joinpath(f"{name}.png").write_bytes(png)


def test_long_labels_still_fit_in_chromium(browser: Any, tmp_path: Path) -> None:
    s = stack([40, 40, 8], layer("SeparableConv2D", filters=128, kernel_size=[3, 3], strides=[2, 1],
                                 padding="same", depth_multiplier=2, use_bias=False, trainable=False),
              layer("Conv2DTranspose", filters=64, kernel_size=[3, 3], strides=[2, 2], padding="same",
                    output_padding=[1, 1], use_bias=False, trainable=False),
              layer("GlobalAveragePooling2D", keepdims=True))
    svg_file = tmp_path / "long.svg"
    svg_file.write_text(render_svg(s, 1), encoding="utf-8")
    page = browser.new_page(viewport={"width": WIDTH, "height": int(layout(s).height) + 1})
    page.goto(svg_file.as_uri())
    measured = page.evaluate(MEASURE)
    page.close()
    assert measured["overlaps"] == 0
    assert all(b["right"] <= WIDTH - MARGIN / 2 for b in measured["boxes"]), measured["boxes"]
