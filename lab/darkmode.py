"""The dark-palette twin of a drawn figure: the same artists, recoloured for the site's dark page.

Rules, applied to every artist of a figure after its light SVG is written:

- the figure's and the axes' own backgrounds become transparent, so the page shows through;
- a grey (black, white or between) becomes the grey between the dark page's background and its ink
  that contrasts with the dark page as much as the grey did with white: black ink turns light,
  white separators turn page-coloured, a faint guide stays faint;
- a coloured line, edge or text keeps its hue and is lightened until it stands out from the dark
  page (3:1 for lines and edges, 4.5:1 for text); a coloured fill keeps its colour, as do images
  and colour-mapped areas, whose colours carry data;
- an artist marked with ``on_fill`` on a coloured cell keeps its colours: text drawn on a coloured
  cell was chosen against that cell, not against the page. So does text in a box with a coloured fill.

Matplotlib is passed in, never imported here.
"""

from __future__ import annotations

import colorsys
from typing import Any

PAGE = (0x1E / 255, 0x21 / 255, 0x29 / 255)
"""The dark page's background: Material's slate scheme, hsl(232, 15%, 14%), which the browser renders as #1e2129."""
INK = (0xD5 / 255, 0xD8 / 255, 0xE0 / 255)
"""What black ink becomes on the dark page."""
LINE_CONTRAST = 3.0
TEXT_CONTRAST = 4.5

_ON_FILL = "_lab_on_fill"


def on_fill(artist: Any, fill: Any = None) -> Any:
    """Mark an artist drawn on a cell of colour ``fill`` (None: on an image, which keeps its colours):
    its colours were chosen against what lies under it.

    In the dark twin it keeps them when that keeps its colour (an image, a coloured cell); on a grey
    cell, which turns dark, it is recoloured like everything else."""
    setattr(artist, _ON_FILL, "image" if fill is None else fill)
    return artist


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels in [0, 1]."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_grey(rgb: tuple[float, float, float], role: str = "line") -> bool:
    """Black, white or a grey between. Ink (lines, text) may carry the dark page's slight blue
    (PAGE and INK are greys too); a fill must be neutral to the byte (#e6e6e6), since the palest
    tints of a colour map carry data and keep their colour (RdBu's zero is #f7f6f6, its 0.1 #f8f1ed)."""
    if role == "fill":
        return len({round(c * 255) for c in rgb}) == 1
    return max(rgb) - min(rgb) < 0.05


def _mirrored_grey(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """The grey between PAGE and INK that stands out from the dark page as much as ``rgb`` does
    from white (capped at INK): faint stays faint, and text that was legible stays legible."""
    wanted = min((1.05 / (luminance(rgb) + 0.05)) * (luminance(PAGE) + 0.05) - 0.05, luminance(INK))

    def mix(t: float) -> tuple[float, float, float]:
        return tuple(p + (i - p) * t for p, i in zip(PAGE, INK, strict=True))

    low, high = 0.0, 1.0
    for _ in range(40):  # luminance grows with t: bisect for the wanted one
        middle = (low + high) / 2
        low, high = (middle, high) if luminance(mix(middle)) < wanted else (low, middle)
    return mix((low + high) / 2)


def dark_colour(rgba: Any, role: str) -> tuple[float, float, float, float]:
    """``rgba`` as drawn on the dark page; ``role`` is "fill", "line" or "text"."""
    r, g, b, a = (float(c) for c in rgba)
    if is_grey((r, g, b), role):
        return (*_mirrored_grey((r, g, b)), a)
    if role == "fill":
        return (r, g, b, a)
    needed = TEXT_CONTRAST if role == "text" else LINE_CONTRAST
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    rgb = (r, g, b)
    while contrast(rgb, PAGE) < needed and light < 0.95:
        light = min(0.95, light + 0.02)
        rgb = colorsys.hls_to_rgb(hue, light, sat)
    return (*rgb, a)


def recolour(fig: Any) -> None:
    """Turn a drawn (light) figure into its dark twin, in place."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, Patch
    from matplotlib.text import Text

    def convert(colour: Any, role: str) -> Any:
        if isinstance(colour, str) and colour.lower() == "none":
            return colour
        rgba = to_rgba(colour)
        return rgba if rgba[3] == 0 else dark_colour(rgba, role)

    backgrounds = {id(fig.patch), *(id(ax.patch) for ax in fig.axes)}
    done = set()  # recoloured already: converting twice would turn light ink dark again
    for ax in fig.axes:  # ticks made later, at draw time, take these colours too
        for axis in (ax.xaxis, ax.yaxis):
            for which, ticks in (("major", axis.get_major_ticks()), ("minor", axis.get_minor_ticks())):
                if ticks:
                    axis.set_tick_params(which=which, color=convert(ticks[0].tick1line.get_color(), "line"),
                                         labelcolor=convert(ticks[0].label1.get_color(), "text"))
                done |= {id(part) for t in ticks for part in (t.tick1line, t.tick2line, t.label1, t.label2)}
    for artist in fig.findobj():
        if id(artist) in done:
            continue
        fill = getattr(artist, _ON_FILL, None)
        kept = fill == "image" or (fill is not None and not is_grey(to_rgba(fill)[:3], "fill"))
        if isinstance(artist, AxesImage) or kept:
            continue
        if id(artist) in backgrounds:
            artist.set_facecolor("none")
            artist.set_edgecolor(convert(artist.get_edgecolor(), "line"))
        elif isinstance(artist, Text):
            box = artist.get_bbox_patch()
            if box is not None and not is_grey(to_rgba(box.get_facecolor())[:3], "fill"):
                box.set_edgecolor(convert(box.get_edgecolor(), "line"))
                continue  # text in a coloured box was chosen against the box
            artist.set_color(convert(artist.get_color(), "text"))
            arrow = getattr(artist, "arrow_patch", None)  # an annotation's arrow is not among its children
            if arrow is not None:
                arrow.set_facecolor(convert(arrow.get_facecolor(), "line"))
                arrow.set_edgecolor(convert(arrow.get_edgecolor(), "line"))
            if box is not None:
                box.set_facecolor(convert(box.get_facecolor(), "fill"))
                box.set_edgecolor(convert(box.get_edgecolor(), "line"))
        elif isinstance(artist, Line2D):  # read all three first: a marker colour left to follow the
            colours = (artist.get_color(), artist.get_markerfacecolor(), artist.get_markeredgecolor())
            artist.set_color(convert(colours[0], "line"))  # line reads back the converted one
            artist.set_markerfacecolor(convert(colours[1], "line"))  # a marker is a mark, not an area
            artist.set_markeredgecolor(convert(colours[2], "line"))
        elif isinstance(artist, FancyArrowPatch):  # an arrow's head is filled with its line's colour
            artist.set_facecolor(convert(artist.get_facecolor(), "line"))
            artist.set_edgecolor(convert(artist.get_edgecolor(), "line"))
        elif isinstance(artist, Patch):
            artist.set_facecolor(convert(artist.get_facecolor(), "fill"))
            artist.set_edgecolor(convert(artist.get_edgecolor(), "line"))
        elif isinstance(artist, Collection):
            if artist.get_array() is None:  # colour-mapped faces carry data: left alone
                artist.set_facecolor([convert(c, "fill") for c in artist.get_facecolor()])
            artist.set_edgecolor([convert(c, "line") for c in artist.get_edgecolor()])
