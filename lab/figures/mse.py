"""Figures of the MSE gradient article."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import on_fill, pyplot


def _grid(ax: Any, values: np.ndarray, filled: np.ndarray, cmap: Any, vmax: float) -> None:
    """Draw a matrix as coloured cells; unfilled cells stay grey and blank."""
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            if filled[i, j]:
                colour = cmap(0.5 + 0.5 * values[i, j] / vmax)
                ax.add_patch(_rect(j, rows - 1 - i, colour))
                dark = abs(values[i, j]) > 0.6 * vmax
                on_fill(ax.text(j + 0.5, rows - 0.5 - i, f"{values[i, j]:.3f}", ha="center", va="center",
                                color="white" if dark else "black"), colour)
            else:
                ax.add_patch(_rect(j, rows - 1 - i, "#e6e6e6"))


def _rect(x: float, y: float, colour: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=2)


def outer_product_steps(results: dict[str, Any]) -> Any:
    """dL/dW = e x^T filled one column per step: column j is the vector e scaled by x_j."""
    plt = pyplot()
    r = results["mse"]
    e, x, grad = r.e[:, 0], r.x[:, 0], r.grad_W
    vmax = float(np.max(np.abs(grad)))
    cmap = plt.get_cmap("RdBu_r")
    fig, axes = plt.subplots(1, grad.shape[1], figsize=(3.2 * grad.shape[1], 2.9))
    for step, ax in enumerate(axes):
        filled = np.zeros(grad.shape, dtype=bool)
        filled[:, : step + 1] = True
        _grid(ax, grad, filled, cmap, vmax)
        for j, x_j in enumerate(x):  # x^T across the top, current entry in bold
            ax.text(j + 0.5, grad.shape[0] + 0.35, f"{x_j:g}", ha="center",
                    fontweight="bold" if j == step else "normal")
        for i, e_i in enumerate(e):  # e down the left side
            ax.text(-0.35, grad.shape[0] - 0.5 - i, f"{e_i:g}", ha="right", va="center")
        ax.text(-0.35, grad.shape[0] + 0.35, r"$e \;\backslash\; x^\top$", ha="right", fontsize=9)
        ax.set_title(rf"$\partial L/\partial W_{{:,{step}}} = e\,x_{step}$", fontsize=11)
        ax.set_xlim(-1.1, grad.shape[1])
        ax.set_ylim(0, grad.shape[0] + 0.8)
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


FIGURES = {"mse-outer-product": outer_product_steps}
