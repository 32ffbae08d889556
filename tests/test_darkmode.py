"""Every figure has a twin for the dark palette: ink turns light, data colours stay, text stays
legible on the dark page, and text drawn on a coloured cell keeps the colour chosen for that cell."""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

import pytest
from matplotlib.colors import to_hex, to_rgb, to_rgba

from lab.darkmode import INK, LINE_CONTRAST, PAGE, TEXT_CONTRAST, contrast, dark_colour, is_grey, on_fill
from lab.figures import FIGURES
from lab.plotting import pyplot, to_svgs
from lab.registry import run_all


def test_greys_mirror_between_the_dark_page_and_its_ink() -> None:
    assert dark_colour((0, 0, 0, 1), "text") == pytest.approx((*INK, 1))
    assert dark_colour((1, 1, 1, 1), "fill") == pytest.approx((*PAGE, 1))
    mid = dark_colour((0.75, 0.75, 0.75, 0.5), "line")  # a light grid line stays faint, alpha kept
    assert mid[3] == 0.5
    assert contrast(mid[:3], PAGE) < contrast(dark_colour((0.3, 0.3, 0.3, 1), "line")[:3], PAGE)


@pytest.mark.parametrize("colour", ["#7a3b00", "#3f51b5", "#238b45", "#c0392b", "#1f77b4"])
def test_a_dark_colour_is_lightened_in_its_own_hue_until_it_stands_out(colour: str) -> None:
    rgb = to_rgb(colour)
    for role, needed in (("line", LINE_CONTRAST), ("text", TEXT_CONTRAST)):
        new = dark_colour((*rgb, 1), role)[:3]
        assert contrast(new, PAGE) >= needed
        assert colorsys.rgb_to_hls(*new)[0] == pytest.approx(colorsys.rgb_to_hls(*rgb)[0], abs=0.02)
    assert dark_colour((*rgb, 1), "fill")[:3] == rgb  # a coloured cell keeps its colour: it carries data


def _colours(svg: bytes, prefix: str) -> set[str]:
    return set(re.findall(rf"{prefix}: (#[0-9a-f]{{6}})", svg.decode()))


def test_the_twin_recolours_ink_arrows_and_backgrounds_but_not_text_on_a_coloured_cell() -> None:
    plt = pyplot()
    fig, ax = plt.subplots()
    ax.add_patch(plt.Rectangle((0, 0), 1, 1, facecolor="#b1182b"))
    on_fill(ax.text(0.5, 0.5, "on the cell", color="#fefefe"), "#b1182b")
    ax.add_patch(plt.Rectangle((1, 0), 1, 1, facecolor="#eeeeee"))
    on_fill(ax.text(1.5, 0.5, "on a grey cell", color="#000000"), "#eeeeee")  # the cell turns dark
    ax.annotate("label", (0.2, 0.2), xytext=(1, 1), color="#000000",
                arrowprops={"arrowstyle": "->", "color": "#000000"})
    ax.plot([0, 2], [1, 0], color="#111111")
    ax.set_xlim(0, 2)
    light, dark = to_svgs(fig)
    assert "#000000" in light.decode()
    assert "#ffffff" in light.decode()
    assert "#000000" not in dark.decode()  # labels, ticks, spines, the arrow and the line turned light
    assert to_hex(INK) in dark.decode()
    assert "fill: #ffffff" not in dark.decode()  # no white background
    assert "#fefefe" in dark.decode()  # the text on the red cell kept its colour
    assert "fill: #eeeeee" not in dark.decode()  # the grey cell turned dark


def test_every_figure_keeps_its_text_and_lines_legible_on_the_dark_page() -> None:
    """Drawn for real: each text not on a coloured cell reaches 4.5:1 against the dark page, and each
    coloured line 3:1, once the figure is recoloured (grey guides such as grids may stay faint)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    from lab.darkmode import recolour

    results, plt = run_all(), pyplot()
    weak = []
    for name, draw in FIGURES.items():
        fig = draw(results)
        fig.canvas.draw()
        cells = {artist: artist.get_facecolor() for artist in fig.findobj(Patch)  # any tint at all
                 if len(set(to_hex(artist.get_facecolor())[1:].upper()[i:i + 2] for i in (0, 2, 4))) > 1
                 and artist.get_facecolor()[3] > 0}
        recolour(fig)
        changed = [to_hex(colour) for cell, colour in cells.items() if cell.get_facecolor() != colour]
        if changed:  # a coloured area carries data: the dark twin keeps its colour
            weak.append(f"{name}: coloured cells recoloured: {sorted(set(changed))}")
        for artist in fig.findobj():
            fill = getattr(artist, "_lab_on_fill", None)
            kept = fill is not None and (fill == "image" or not is_grey(to_rgb(fill), "fill"))
            if kept or not artist.get_visible():
                continue  # on an image or a coloured cell: chosen against it, and left as drawn
            under = PAGE if fill is None else dark_colour(to_rgba(fill), "fill")[:3]  # a grey cell turns dark
            if isinstance(artist, Text) and artist.get_text().strip():
                if artist.get_bbox_patch() is not None:
                    continue  # text in its own box is measured against the box, which may keep its colour
                ratio = contrast(to_rgb(artist.get_color()), under)
                if ratio < TEXT_CONTRAST:
                    weak.append(f"{name}: text {artist.get_text()!r} {to_hex(artist.get_color())} ({ratio:.1f}:1)")
            elif isinstance(artist, Line2D):
                ratio = contrast(to_rgb(artist.get_color()), PAGE)
                if ratio < LINE_CONTRAST and not is_grey(to_rgb(artist.get_color())):  # grey guides may be faint
                    weak.append(f"{name}: line {to_hex(artist.get_color())} ({ratio:.1f}:1)")
                if artist.get_marker() not in ("None", "none", "", " ", None):  # a marker stands out by its
                    face, edge = (to_rgba(c) for c in (artist.get_markerfacecolor(), artist.get_markeredgecolor()))
                    best = max(contrast(c[:3], PAGE) for c in (face, edge) if c[3] > 0)  # face or outline
                    if best < LINE_CONTRAST:
                        weak.append(f"{name}: marker {to_hex(face)} / {to_hex(edge)} ({best:.1f}:1)")
        plt.close(fig)
    assert weak == []


def test_the_site_shows_each_figure_with_its_dark_twin(built_site: Path) -> None:
    figures = built_site / "assets" / "lab" / "figures"
    for name in FIGURES:
        light, dark = (figures / f"{name}.svg").read_bytes(), (figures / f"{name}.dark.svg").read_bytes()
        assert light != dark
        assert "fill: #ffffff" not in dark.decode().split("<g id=\"axes_1\">")[0]  # transparent background
    html = (built_site / "zh" / "mse-gradient" / "index.html").read_text(encoding="utf-8")
    assert "figures/mse-outer-product.svg#only-light" in html
    assert "figures/mse-outer-product.dark.svg#only-dark" in html
