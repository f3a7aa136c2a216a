"""Tests for ae_core.figures.style: chart text in INK on the figure itself, so Streamlit's Plotly theme (a grey of
3.7:1 on white) cannot override it."""
import numpy as np
import plotly.graph_objects as go

from ae_core.figures.architecture import architecture_description, architecture_svg
from ae_core.figures.style import FONT_SIZE, INK, TITLE_SIZE, apply_style, for_projector


def test_apply_style_sets_every_text_colour_explicitly():
    fig = make_subplots_like()
    apply_style(fig, "title", "x", "y")
    lay = fig.layout
    assert lay.title.font.color == INK and lay.legend.font.color == INK and lay.legend.title.font.color == INK
    for axis in (lay.xaxis, lay.yaxis, lay.xaxis2):
        assert axis.tickfont.color == INK and axis.title.font.color == INK
    assert fig.data[0].colorbar.tickfont.color == INK


def make_subplots_like() -> go.Figure:
    fig = go.Figure([go.Heatmap(z=np.eye(3)), go.Scatter(y=[1, 2], xaxis="x2")])
    fig.update_layout(xaxis2=dict(overlaying="x"))
    return fig


def test_architecture_svg_has_a_text_alternative():
    svg = architecture_svg([784, 64, 16, 64, 784])
    desc = architecture_description([784, 64, 16, 64, 784])
    assert desc == ("The encoder narrows 784 input numbers through 64 to a code of 16 numbers; "
                    "the decoder widens it through 64 back to 784 output numbers.")
    assert 'role="img"' in svg and f"<desc id=\"arch-desc\">{desc}</desc>" in svg and "<title id=\"arch-title\">" in svg


def test_for_projector_scales_text_legend_lines_and_margins():
    fig = apply_style(go.Figure([go.Scatter(y=[1, 2], line=dict(width=3), name="a")]), "title", "x", "y")
    before = fig.layout.margin.l
    for_projector(fig, scale=1.5)
    lay = fig.layout
    assert lay.font.size == round(FONT_SIZE * 1.5) and lay.title.font.size == round(TITLE_SIZE * 1.5)
    assert lay.legend.font.size == round(FONT_SIZE * 1.5) and lay.legend.itemwidth == 45
    assert fig.data[0].line.width == 4.5 and lay.margin.l == int(before * 1.5)
    assert lay.title.font.color == INK  # the colours stay


def test_for_projector_moves_a_legend_inside_the_plot_below_it():
    fig = apply_style(go.Figure([go.Scatter(y=[1, 2], name="a"), go.Scatter(y=[2, 1], name="b")]), "t", "x", "y",
                      legend_top=False)
    fig.update_layout(legend=dict(y=0.99, x=0.99, xanchor="right", yanchor="top"))
    height, bottom = fig.layout.height, fig.layout.margin.b
    for_projector(fig)
    lay = fig.layout
    assert lay.legend.yref == "container" and lay.legend.y == 0 and lay.legend.yanchor == "bottom"
    assert lay.margin.b > bottom * 1.35 and lay.height > height


def test_a_horizontal_legend_sits_under_the_plot_where_wrapping_cannot_reach_the_title():
    fig = apply_style(go.Figure([go.Scatter(x=[0, 1], y=[0, 1], name="a"), go.Scatter(x=[0, 1], y=[1, 0], name="b")]),
                      "title", "x", "y")
    lay = fig.layout
    assert lay.legend.orientation == "h" and lay.legend.yref == "container" and lay.legend.yanchor == "bottom"
    assert lay.legend.y < 0.1 and lay.margin.b > lay.margin.t  # at the bottom, with room for a row


def test_subtitle_holds_what_a_short_title_leaves_out():
    fig = apply_style(go.Figure(), "Short", "x", "y", subtitle="the rest of the story")
    assert fig.layout.title.text == "Short" and fig.layout.title.subtitle.text == "the rest of the story"
    assert not apply_style(go.Figure(), "Short", "x", "y").layout.title.subtitle.text


def test_long_chart_titles_fit_a_phone():
    # Plotly never wraps a title; at ~360 px with the tool bar at the top right, about 30 characters fit
    from ae_core.figures.applications import error_histogram
    from ae_core.figures.denoising import error_curve_figure
    from ae_core.figures.latent import manifold_image_figure
    figs = [error_histogram(np.array([0.01, 0.02]), {"noise": np.array([0.2, 0.3])}, threshold=0.05),
            error_curve_figure([0, 0.5, 1], {"Plain conv AE": [0.01, 0.05, 0.1]}, 0.5, noise_label="gaussian noise",
                               n_images=200),
            manifold_image_figure(np.zeros((56, 56)), 3.0)]
    for fig in figs:
        assert len(fig.layout.title.text) <= 30, fig.layout.title.text
