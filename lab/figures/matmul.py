"""Figures of the matrix-product gradient article."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import on_fill, pyplot

ROW_G = "#fdd49e"  # the row d of dL/dD that W_dc touches
ROW_X = "#c6dbef"  # the row c of X that W_dc multiplies
PRODUCT = "#d9f0d3"
RESULT = "#74c476"


def _cell(ax: Any, x: float, y: float, text: str, colour: str, strong: bool) -> None:
    """One matrix cell with its top-left corner at (x, y); faint text unless it takes part."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y - 1), 1, 1, facecolor=colour, edgecolor="#888888", linewidth=1))
    on_fill(ax.text(x + 0.5, y - 0.5, text, ha="center", va="center", fontsize=11,
                    color="black" if strong else "#767676", fontweight="bold" if strong else "normal"), colour)


def _matrix(ax: Any, values: np.ndarray, top_left: tuple[float, float], marked: np.ndarray,
            colour: str, label: str, row_names: list[str]) -> None:
    """A matrix drawn cell by cell, its marked cells coloured, its name and row names on the left."""
    x0, y0 = top_left
    for i, j in np.ndindex(values.shape):
        _cell(ax, x0 + j, y0 - i, f"{values[i, j]:g}", colour if marked[i, j] else "white", marked[i, j])
    for i, name in enumerate(row_names):
        ax.text(x0 - 0.15, y0 - i - 0.5, name, ha="right", va="center", fontsize=9, color="#444444")
    if label:
        ax.text(x0 - 1.1, y0 - values.shape[0] / 2, label, ha="right", va="center", fontsize=13)


def one_entry(results: dict[str, Any]) -> Any:
    """dL/dW_dc = sum_j dL/dD_dj X_cj: row d of G and row c of X, multiplied sample by sample."""
    plt = pyplot()
    r = results["matmul"]
    d, c = r.entry_d, r.entry_c
    G, X, grad_W = r.grad_D, r.X, r.grad_W
    n = G.shape[1]
    top_X = -G.shape[0] - 0.8
    top_products = top_X - X.shape[0] - 0.8
    fig, ax = plt.subplots(figsize=(8.2, 4.6))
    for j in range(n):  # the sample index j runs along the columns of both G and X
        ax.text(j + 0.5, 0.25, f"$j={j}$", ha="center", fontsize=9, color="#444444")
    _matrix(ax, G, (0, 0), np.arange(G.shape[0])[:, None] == d + np.zeros((1, n)), ROW_G,
            r"$\partial L/\partial D$", [f"$d={i}$" for i in range(G.shape[0])])
    _matrix(ax, X, (0, top_X), np.arange(X.shape[0])[:, None] == c + np.zeros((1, n)), ROW_X, "$X$",
            [f"$c={i}$" for i in range(X.shape[0])])
    _matrix(ax, r.entry_terms[None, :], (0, top_products), np.ones((1, n), dtype=bool), PRODUCT,
            rf"$G_{{{d}j}}\,X_{{{c}j}}$", [])
    left = n + 2.6
    top_W = top_X - (X.shape[0] - grad_W.shape[0]) / 2
    marked = np.zeros(grad_W.shape, dtype=bool)
    marked[d, c] = True
    _matrix(ax, grad_W, (left, top_W), marked, RESULT, "", [f"$d={i}$" for i in range(grad_W.shape[0])])
    ax.text(left + grad_W.shape[1] / 2, top_W + 0.85, r"$\partial L/\partial W$", ha="center", fontsize=13)
    for i in range(grad_W.shape[1]):
        ax.text(left + i + 0.5, top_W + 0.25, f"$c={i}$", ha="center", fontsize=9, color="#444444")
    target = (left + c + 0.5, top_W - d - 1)
    ax.annotate("", xy=target, xytext=(n + 0.1, top_products - 0.5),
                arrowprops={"arrowstyle": "-|>", "color": "#238b45", "lw": 1.6})
    ax.text(n + 1.4, top_products - 0.5, rf"$\sum_j = {r.entry_sum:g}$", ha="left", va="center",
            fontsize=13, color="#238b45")
    ax.set_xlim(-2.6, left + grad_W.shape[1] + 0.3)
    ax.set_ylim(top_products - 1.3, 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _heat(ax: Any, values: np.ndarray, top_left: tuple[float, float], vmax: float, title: str) -> None:
    """A matrix as unit cells coloured by value, numbers inside: equal numbers, equal colours."""
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    cmap = colormaps["RdBu_r"]
    x0, y0 = top_left
    for (i, j), value in np.ndenumerate(values):
        colour = cmap(0.5 + 0.5 * value / vmax)
        ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=colour, edgecolor="white", linewidth=2))
        on_fill(ax.text(x0 + j + 0.5, y0 - i - 0.5, f"{value:g}", ha="center", va="center", fontsize=11,
                        color="white" if abs(value) > 0.6 * vmax else "black"), colour)
    ax.text(x0 + values.shape[1] / 2, y0 + 0.35, title, ha="center", fontsize=12)


def conventions(results: dict[str, Any]) -> Any:
    """The same gradients in both layouts: each rows-as-samples matrix is the transpose of its twin."""
    plt = pyplot()
    r = results["matmul"]
    vmax = float(max(np.max(np.abs(r.grad_W)), np.max(np.abs(r.grad_X))))
    right = r.grad_X.shape[1] + 2.5
    top_X = -r.grad_W_rows.shape[0] - 1.6
    fig, ax = plt.subplots(figsize=(6.4, 6.2))
    _heat(ax, r.grad_W, (0, 0), vmax, r"$\partial L/\partial W = G\,X^\top$")
    _heat(ax, r.grad_W_rows, (right, 0), vmax, r"$\partial L/\partial \tilde W = \tilde X^\top \tilde G$")
    _heat(ax, r.grad_X, (0, top_X), vmax, r"$\partial L/\partial X = W^\top G$")
    _heat(ax, r.grad_X_rows, (right, top_X), vmax,
          r"$\partial L/\partial \tilde X = \tilde G\,\tilde W^\top$")
    for top in (0, top_X):  # the transpose between the two layouts
        ax.text(right - 1.25, top - 1.0, r"$\overset{\top}{\longleftrightarrow}$", ha="center",
                va="center", fontsize=24, color="#555555")
    ax.set_xlim(-0.2, right + r.grad_X_rows.shape[1] + 0.2)
    ax.set_ylim(top_X - r.grad_X.shape[0] - 1.3, 0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


FIGURES = {"matmul-one-entry": one_entry, "matmul-conventions": conventions}
