"""Figures of the convolution article: a kernel scanning its input, im2col, a receptive field."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import on_fill, pyplot

WINDOW = "#f4a259"  # the current window and the output cell it writes
DONE = "#bcd4e6"  # output cells already written
EMPTY = "#eeeeee"
SECOND = "#8cc084"  # a second window, in the im2col figure
KERNEL = "#d8c8e8"


def _cell(ax: Any, x: float, y: float, colour: str, text: str = "", size: float = 10) -> None:
    """One unit square with lower-left corner (x, y) and a number in the middle."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
    if text:
        on_fill(ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=size), colour)


def _num(v: float) -> str:
    """Integers as the page writes them, with the Unicode minus."""
    return f"{v:g}".replace("-", "\u2212")


def _scan_panel(ax: Any, x: np.ndarray, k: np.ndarray, y: np.ndarray, pos: tuple[int, int]) -> None:
    """Input with the window at ``pos`` (kernel weights small in each cell), output filled so far."""
    r0, q0 = pos
    n, f, m = x.shape[0], k.shape[0], y.shape[0]
    for i, j in np.ndindex(x.shape):
        inside = r0 <= i < r0 + f and q0 <= j < q0 + f
        _cell(ax, j, n - 1 - i, WINDOW if inside else EMPTY, _num(x[i, j]), 11)
        if inside:
            on_fill(ax.text(j + 0.93, n - 1 - i + 0.07, "\u00d7" + _num(k[i - r0, j - q0]), ha="right",
                            va="bottom", fontsize=7, color="#7a3b00"), WINDOW)
    left, bottom = n + 1.2, (n - m) / 2
    order = m * r0 + q0
    for i, j in np.ndindex(y.shape):
        colour = WINDOW if (i, j) == pos else DONE if m * i + j < order else EMPTY
        _cell(ax, left + j, bottom + m - 1 - i, colour, _num(y[i, j]) if m * i + j <= order else "", 11)
    ax.annotate("", xy=(left - 0.1, n / 2), xytext=(n + 0.1, n / 2),
                arrowprops={"arrowstyle": "->", "color": "#555555"})
    ax.set_title(rf"$Y_{{{r0},{q0}}} = {_num(y[r0, q0])}$", fontsize=11)
    ax.set_xlim(-0.1, left + m + 0.1)
    ax.set_ylim(-0.1, n + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")


def kernel_scan(results: dict[str, Any]) -> Any:
    """Four positions of the 3x3 window over the 5x5 input, in scan order."""
    plt = pyplot()
    r = results["conv"]
    fig, axes = plt.subplots(2, 2, figsize=(8.4, 5.6))
    for ax, pos in zip(axes.ravel(), [(0, 0), (0, 1), (1, 0), (2, 2)], strict=True):
        _scan_panel(ax, r.hand_x, r.hand_k, r.hand_y, pos)
    fig.tight_layout()
    return fig


def _matrix(ax: Any, values: np.ndarray, left: float, top: float, colours: np.ndarray) -> None:
    for i, j in np.ndindex(values.shape):
        _cell(ax, left + j, top - i - 1, colours[i, j], _num(values[i, j]), 9)


def im2col_product(results: dict[str, Any]) -> Any:
    """Left: two windows of the input. Right: kernel row times the im2col matrix gives the output row."""
    plt = pyplot()
    r = results["conv"]
    x, cols, k_row, y_row = r.hand_x, r.hand_cols, r.hand_kernel_row, r.hand_y.ravel()
    picks = {0: WINDOW, 5: SECOND}  # output (0,0) and output (1,2) in raster order
    fig, ax = plt.subplots(figsize=(11.5, 3.6))
    n = x.shape[0]
    for i, j in np.ndindex(x.shape):
        colour = EMPTY
        for column, c in picks.items():
            r0, q0 = divmod(column, 3)
            if r0 <= i < r0 + 3 and q0 <= j < q0 + 3:
                colour = c if colour == EMPTY else "#d9c27a"
        _cell(ax, j, 8 - i, colour, _num(x[i, j]), 9)
    ax.text(2.5, 9.4, "$X$", ha="center", fontsize=11)
    left = n + 1.5
    _matrix(ax, k_row[None], left, 5, np.full((1, 9), KERNEL, dtype=object))
    ax.text(left + 4.5, 5.4, r"$\mathrm{vec}(K)^\top$", ha="center", fontsize=11)
    ax.text(left + 9.5, 4.5, r"$\times$", ha="center", va="center", fontsize=14)
    colours = np.full(cols.shape, EMPTY, dtype=object)
    for column, c in picks.items():
        colours[:, column] = c
    _matrix(ax, cols, left + 10, 9, colours)
    ax.text(left + 14.5, 9.4, r"$\mathrm{im2col}(X)$", ha="center", fontsize=11)
    ax.text(left + 19.5, 4.5, "$=$", ha="center", va="center", fontsize=14)
    out_colours = np.full((1, 9), EMPTY, dtype=object)
    for column, c in picks.items():
        out_colours[0, column] = c
    _matrix(ax, y_row[None], left + 20, 5, out_colours)
    ax.text(left + 24.5, 5.4, r"$\mathrm{vec}(Y)^\top$", ha="center", fontsize=11)
    ax.set_xlim(-0.2, left + 29.2)
    ax.set_ylim(-0.2, 10)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def receptive_field_map(results: dict[str, Any]) -> Any:
    """|dy/dX| for a one-hot gradient at the centre output of the last layer; each layer's
    predicted receptive field as a square (the support of the map is the last square)."""
    from matplotlib.colors import ListedColormap, LogNorm
    from matplotlib.patches import Rectangle

    plt = pyplot()
    r = results["conv"]
    grad = np.where(r.rf_grad_map > 0, r.rf_grad_map, np.nan)  # exact zeros stay white
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    light_greys = ListedColormap(plt.get_cmap("Greys")(np.linspace(0.1, 0.55, 256)))  # boxes stay visible
    ax.imshow(grad, cmap=light_greys, norm=LogNorm(np.nanmin(grad), np.nanmax(grad)), origin="upper")
    palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#9d755d"]
    for layer in range(len(r.rf_size)):
        first, size = int(r.rf_predicted_first[layer]), int(r.rf_size[layer])
        inset = 0.12 * (layer == len(r.rf_size) - 1)  # the 1x1 layer repeats the square: nudge it in
        ax.add_patch(Rectangle((first - 0.5 + inset, first - 0.5 + inset), size - 2 * inset,
                               size - 2 * inset, fill=False, edgecolor=palette[layer], linewidth=1.8,
                               linestyle="--" if inset else "-", label=rf"$r_{layer + 1}={size}$"))
    lo, hi = int(r.rf_predicted_first[-1]) - 3, int(r.rf_predicted_first[-1] + r.rf_size[-1]) + 2
    ax.set_xlim(lo - 0.5, hi + 0.5)
    ax.set_ylim(hi + 0.5, lo - 0.5)
    ax.set_xlabel("$j$")
    ax.set_ylabel("$i$")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    return fig


FIGURES = {
    "conv-scan": kernel_scan,
    "conv-im2col": im2col_product,
    "conv-receptive-field": receptive_field_map,
}
