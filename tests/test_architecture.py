"""Tests for ae_core.architecture and figures.architecture_diagram."""
import numpy as np
import pytest

from ae_core import figures as F
from ae_core.architecture import DEFAULT_DENSE_WIDTHS, dense_widths, model_card
from ae_core.models import build_conv, build_dense


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


def test_architecture_diagram_bars_and_labels():
    widths = (784, 64, 32, 16, 32, 64, 784)
    fig = F.architecture_diagram(widths)
    bars = [t for t in fig.data if not t.name.startswith("funnel")]
    funnels = [t for t in fig.data if t.name.startswith("funnel")]
    assert len(bars) == 7 and len(funnels) == 6
    assert [b.name for b in bars][:4] == ["input: 784", "hidden: 64", "hidden: 32", "code: 16"]
    heights = [max(b.y) - min(b.y) for b in bars]
    assert heights[0] == pytest.approx(1.0) and heights[3] == min(heights)
    assert heights == sorted(heights[:4], reverse=True) + sorted(heights[4:])
    assert bars[3].fillcolor == F.ACCENT
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "encoder" in texts and "decoder" in texts and "<b>16</b>" in texts
    assert not fig.layout.xaxis.visible


def test_architecture_diagram_explicit_code_and_errors():
    fig = F.architecture_diagram([784, 128, 784], names=["in", "z", "out"])
    assert [t.name for t in fig.data if not t.name.startswith("funnel")] == ["in: 784", "z: 128", "out: 784"]
    with pytest.raises(ValueError):
        F.architecture_diagram([784, 784])
    with pytest.raises(ValueError):
        F.architecture_diagram([16, 784, 784])  # narrowest layer at the edge
    with pytest.raises(ValueError):
        F.architecture_diagram([784, 16, 784], names=["a"])
    assert np.isfinite(F.architecture_diagram([784, 16, 784]).data[0].x).all()
