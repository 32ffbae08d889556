"""matplotlib set-up shared by every figure: Agg, glyphs as paths, byte-identical SVG.

matplotlib is imported inside ``pyplot()``: a build that draws no new figure never pays for it.
"""

from __future__ import annotations

import io
from typing import Any

SVG_HASH_SALT = "dl-math-lab"


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


def to_svg(fig: Any) -> bytes:
    """Serialize a figure to SVG bytes that are identical from run to run."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    pyplot().close(fig)
    return buffer.getvalue()
