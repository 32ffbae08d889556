"""Figures of the matrix-differentials article (experiment ``twolayer``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import number_cell, pyplot


def loss_curve(results: dict[str, Any]) -> Any:
    """Training loss per iteration on a log axis, the logged iterations marked and labelled."""
    plt = pyplot()
    r = results["twolayer"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.semilogy(np.arange(r.losses.size), r.losses, color="#3949ab", linewidth=1.6)
    ax.plot(r.logged_iterations, r.logged_losses, "o", color="#e53935", markersize=4)
    for t, loss in zip(r.logged_iterations, r.logged_losses, strict=True):
        if t in (0, 100, 200, 300, 400, 499):
            offset = (10, -3) if t == 0 else (4, 6)
            ax.annotate(f"{loss:.2e}", (t, loss), textcoords="offset points", xytext=offset, fontsize=8)
    ax.set_xlabel("$t$")
    ax.set_ylabel("$L$")
    ax.set_xlim(-10, r.losses.size + 40)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def _matrix(ax: Any, values: np.ndarray, title: str, colour_of: Any, marked: tuple[int, int]) -> None:
    """One small matrix as coloured cells with its numbers; the ``marked`` cell gets a red frame."""
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            v = float(values[i, j])
            edge, width = ("#d32f2f", 3) if (i, j) == marked else ("white", 2)
            number_cell(ax, j, rows - 1 - i, f"{v + 0.0:g}", colour_of(v), edge=edge, linewidth=width)
    ax.set_title(title, fontsize=12)
    ax.set_xlim(0, cols)
    ax.set_ylim(0, rows)
    ax.set_aspect("equal")
    ax.axis("off")


def relu_mask(results: dict[str, Any]) -> Any:
    """The ReLU step of the tiny instance: G_h = G_r (Hadamard) M, with M = [h > 0] read off h."""
    plt = pyplot()
    r = results["twolayer"]
    marked = tuple(int(k) for k in np.argwhere(r.small_h < 0)[0])
    cmap = plt.get_cmap("RdBu_r")

    def diverging(scale: float) -> Any:
        return lambda v: cmap(0.5 + 0.4 * v / scale)

    grad_scale = float(np.max(np.abs(r.small_grad_h_relu)))
    panels = [
        (r.small_h, "$h$", diverging(float(np.max(np.abs(r.small_h))))),
        (r.small_grad_h_relu, "$G_r$", diverging(grad_scale)),
        (r.small_mask, r"$M = [h > 0]$", lambda v: "#a5d6a7" if v else "#eeeeee"),
        (r.small_grad_h, r"$G_h = G_r \odot M$", diverging(grad_scale)),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(9.6, 2.6))
    for ax, (values, title, colour_of) in zip(axes, panels, strict=True):
        _matrix(ax, values, title, colour_of, marked)
    return fig


FIGURES = {"twolayer-loss": loss_curve, "twolayer-relu-mask": relu_mask}
