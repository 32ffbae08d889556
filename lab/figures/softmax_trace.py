"""Figure of the softmax network derived by differentials (experiment ``softmax_trace``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import number_cell, pyplot

ZERO_FILL = "#eeeeee"
WIDTH = 1.5
"""Width of a cell in units of its height: room for a signed number with four decimals."""


def _cell(ax: Any, x: float, y: float, value: float, colour: Any) -> None:
    """One matrix entry, in column ``x`` and row ``y`` of the grid, with its number to four decimals."""
    text = f"{round(float(value), 4) + 0.0:.4f}"  # rounding noise of a zero sum prints as 0.0000
    number_cell(ax, x * WIDTH, y, text, colour, width=WIDTH, fontsize=10)


def bias_sums(results: dict[str, Any]) -> Any:
    """G_s of the hand-sized graph with its two sums: over the batch (the bias gradient) and over
    the classes (zero in every row)."""
    plt = pyplot()
    r = results["softmax_trace"]
    cmap = plt.get_cmap("RdBu_r")
    scale = float(max(np.max(np.abs(r.G_s)), np.max(np.abs(r.G_b2))))

    def colour(v: float) -> Any:
        return cmap(0.5 + 0.4 * v / scale)

    rows, cols = r.G_s.shape
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for i in range(rows):
        for j in range(cols):
            _cell(ax, j, rows - 1 - i, r.G_s[i, j], colour(r.G_s[i, j]))
        _cell(ax, cols + 0.4, rows - 1 - i, r.G_s[i].sum(), ZERO_FILL)
    for j in range(cols):
        _cell(ax, j, -1.6, r.G_b2[0, j], colour(r.G_b2[0, j]))
    ax.text(cols / 2 * WIDTH, rows + 0.2, "$G_s$", ha="center", va="bottom", fontsize=12)
    ax.text((cols + 0.9) * WIDTH, rows + 0.2, r"$G_s \mathbf{1}_K$", ha="center", va="bottom", fontsize=12)
    ax.text(cols / 2 * WIDTH, -0.4, r"$\mathbf{1}^\top G_s = G_{b_2}$", ha="center", va="center", fontsize=12)
    ax.set_xlim(-0.05, (cols + 1.45) * WIDTH)
    ax.set_ylim(-1.65, rows + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


FIGURES = {"softmax-trace-bias-sums": bias_sums}
