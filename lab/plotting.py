"""matplotlib set-up shared by every figure: Agg, glyphs as paths, byte-identical SVG.

matplotlib is imported inside ``pyplot()``: a build that draws no new figure never pays for it.
"""

from __future__ import annotations

import io
from typing import Any

from lab.darkmode import on_fill, recolour

SVG_HASH_SALT = "dl-math-lab"
__all__ = ["number_cell", "on_fill", "pyplot", "to_svg", "to_svgs"]


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.hashsalt": SVG_HASH_SALT,  # stable element ids
        "svg.fonttype": "path",  # glyphs as paths: no font needed by the reader
        "font.size": 10,
    })
    return plt


def number_cell(ax: Any, x: float, y: float, text: str, colour: Any, *, width: float = 1.0,
                edge: str = "white", linewidth: float = 2, fontsize: float = 11) -> None:
    """A matrix entry: a cell of ``colour`` with lower-left corner (x, y), height 1, and ``text`` in
    the middle, white on a dark cell and black on a light one (marked on_fill for the dark twin)."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), width, 1, facecolor=colour, edgecolor=edge, linewidth=linewidth))
    dark = sum(to_rgb(colour)) < 1.5
    on_fill(ax.text(x + width / 2, y + 0.5, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else "black"), colour)


def _svg(fig: Any, **options: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", **options)
    return buffer.getvalue()


def to_svg(fig: Any) -> bytes:
    """Serialize a figure to SVG bytes that are identical from run to run."""
    svg = _svg(fig)
    pyplot().close(fig)
    return svg


def to_svgs(fig: Any) -> tuple[bytes, bytes]:
    """The figure's SVG for the light page, then its twin for the dark page (lab/darkmode.py)."""
    light = _svg(fig)
    recolour(fig)
    dark = _svg(fig, facecolor="none", edgecolor="none")
    pyplot().close(fig)
    return light, dark
