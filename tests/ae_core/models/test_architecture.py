"""Tests for ae_core.models.architecture and figures.architecture_svg."""
import pytest

from ae_core.figures.architecture import architecture_svg
from ae_core.figures.style import ACCENT
from ae_core.models.architecture import DEFAULT_DENSE_WIDTHS, dense_widths, model_card
from ae_core.models.builders import build_conv, build_dense


def test_model_card_dense_and_conv():
    card = model_card(build_dense(16, (64, 32)))
    assert card.code_size == 16 and card.code_text == "16" and card.ratio == 49.0
    assert card.params == card.encoder_params + card.decoder_params > 0
    assert sum(r["params"] for r in card.layers) == card.params
    conv = model_card(build_conv((32, 32, 8)))
    assert conv.code_shape == (4, 4, 8) and conv.code_text == "4x4x8 = 128"
    assert conv.ratio == pytest.approx(784 / 128)


def test_dense_widths_from_sidecar():
    info = {"config": {"hidden": [256, 128], "code_size": 8}}
    assert dense_widths(info) == (784, 256, 128, 8, 128, 256, 784)
    assert dense_widths({}) == DEFAULT_DENSE_WIDTHS
    assert dense_widths(None) == DEFAULT_DENSE_WIDTHS
    assert dense_widths({"config": {"hidden": [64], "code_size": "x"}}) == DEFAULT_DENSE_WIDTHS


def _bars(svg: str) -> list[tuple[str, float, str]]:
    """(tooltip, height, fill) of each layer bar, in order."""
    import re
    return [(t, float(h), f) for h, f, t in
            re.findall(r'<rect id="layer-\d+" [^>]*height="([\d.]+)" fill="([^"]+)"><title>([^<]+)</title>', svg)]


def test_architecture_svg_bars_and_labels():
    widths = (784, 64, 32, 16, 32, 64, 784)
    svg = architecture_svg(widths)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    bars = _bars(svg)
    assert len(bars) == 7 and svg.count('class="funnel"') == 6
    assert [b[0] for b in bars][:4] == ["input: 784 numbers", "hidden: 64 numbers", "hidden: 32 numbers",
                                        "code: 16 numbers"]
    heights = [b[1] for b in bars]
    assert heights[0] == max(heights) and heights[3] == min(heights)
    assert heights == sorted(heights[:4], reverse=True) + sorted(heights[4:])
    assert heights[0] / heights[3] == pytest.approx((784 / 16) ** 0.5, rel=0.01)  # sqrt of the width ratio
    assert bars[3][2] == ACCENT and bars[1][2] != ACCENT
    assert ">encoder</text>" in svg and ">decoder</text>" in svg and '<tspan font-weight="bold">16</tspan>' in svg


def test_architecture_svg_explicit_code_and_errors():
    svg = architecture_svg([784, 128, 784], names=["in", "z<", "out"])
    assert [b[0] for b in _bars(svg)] == ["in: 784 numbers", "z&lt;: 128 numbers", "out: 784 numbers"]
    with pytest.raises(ValueError):
        architecture_svg([784, 784])
    with pytest.raises(ValueError):
        architecture_svg([16, 784, 784])  # narrowest layer at the edge
    with pytest.raises(ValueError):
        architecture_svg([784, 16, 784], names=["a"])
    assert "nan" not in architecture_svg([784, 16, 784])
