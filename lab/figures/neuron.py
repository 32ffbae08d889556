"""Figures of the one-neuron article: ReLU and its derivative, the Jacobians, the loss under descent."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.neuron import relu, relu_grad
from lab.plotting import on_fill, pyplot

ON_COLOUR = "#1b7837"
OFF_COLOUR = "#c51b7d"


def relu_and_derivative(results: dict[str, Any]) -> Any:
    """max(0, z) and its derivative, with the active (z+) and inactive (z-) example inputs marked."""
    plt = pyplot()
    r = results["neuron"]
    z = np.linspace(-3.5, 2.5, 601)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.6, 2.9))
    left.plot(z, relu(z), color="black", linewidth=1.5)
    right.plot(z[z <= 0], relu_grad(z[z <= 0]), color="black", linewidth=1.5)
    right.plot(z[z > 0], relu_grad(z[z > 0]), color="black", linewidth=1.5)
    right.plot([0], [0], "o", color="black", markersize=5)  # the kink takes the value 0
    right.plot([0], [1], "o", markerfacecolor="white", color="black", markersize=5)
    for tag, colour, sign in (("on", ON_COLOUR, "+"), ("off", OFF_COLOUR, "-")):
        z_k, a_k, d_k = getattr(r, f"z_{tag}"), getattr(r, f"a_{tag}"), getattr(r, f"relu_grad_{tag}")
        left.plot([z_k], [a_k], "o", color=colour, markersize=7, zorder=3)
        offset, align = ((-8, 8), "right") if a_k > 0 else ((0, 10), "center")  # clear of the curve
        left.annotate(rf"$z^{{{sign}}} = {z_k:g}$, $a = {a_k:g}$", (z_k, a_k), xytext=offset,
                      textcoords="offset points", ha=align, color=colour)
        right.plot([z_k], [d_k], "o", color=colour, markersize=7, zorder=3)
        right.annotate(rf"$\mathrm{{d}}a/\mathrm{{d}}z = {d_k:g}$", (z_k, d_k), xytext=(0, 10),
                       textcoords="offset points", ha="center", color=colour)
    left.set_title(r"$a = \max(0, z)$")
    right.set_title(r"$\mathrm{d}a/\mathrm{d}z$")
    for ax in (left, right):
        ax.axhline(0, color="#bbbbbb", linewidth=0.8, zorder=0)
        ax.axvline(0, color="#bbbbbb", linewidth=0.8, zorder=0)
        ax.set_xlabel("$z$")
    left.set_ylim(-0.4, 3.0)
    right.set_ylim(-0.3, 1.45)
    fig.tight_layout()
    return fig


def _matrix(ax: Any, values: np.ndarray, title: str, cmap: Any, frame: int = 3) -> None:
    """A small matrix as coloured cells with its numbers, centred in a frame x frame box.

    Every panel gets the same box, so a 3 x 1 column and a 1 x 3 row keep the cell size of a 3 x 3.
    """
    rows, cols = values.shape
    x0, y0 = (frame - cols) / 2, (frame - rows) / 2
    vmax = max(float(np.max(np.abs(values))), 1e-12)
    ax.imshow(values, cmap=cmap, vmin=-vmax, vmax=vmax, extent=(x0, x0 + cols, y0 + rows, y0))
    for i in range(rows):
        for j in range(cols):
            value = values[i, j]
            dark = abs(value) > 0.6 * vmax
            on_fill(ax.text(x0 + j + 0.5, y0 + i + 0.5, f"{value:.2f}" if value != 0 else "0", ha="center",
                            va="center", fontsize=9, color="white" if dark else "black"),
                    None)  # on the image, which keeps its colours
    ax.add_patch(_frame(x0, y0, cols, rows))
    ax.set_xlim(-0.05, frame + 0.05)
    ax.set_ylim(frame + 0.05, -0.05)
    ax.set_title(title, fontsize=10)
    ax.axis("off")


def _frame(x0: float, y0: float, width: float, height: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x0, y0), width, height, fill=False, edgecolor="#555555", linewidth=1)


def jacobian_heatmaps(results: dict[str, Any]) -> Any:
    """The finite-difference Jacobians (what the lab measured), one cell per partial derivative."""
    plt = pyplot()
    cases = results["neuron"].jacobians
    panels = [
        ("identity", r"$\partial x/\partial x = I$"),
        ("mul_u", r"$\partial(u \odot v)/\partial u$"),
        ("scale_u", r"$\partial(s\,u)/\partial u = sI$"),
        ("shift_s", r"$\partial(u + s)/\partial s$"),
        ("scale_s", r"$\partial(s\,u)/\partial s$"),
        ("sum", r"$\partial\,\mathrm{sum}(u)/\partial u$"),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(7.8, 5.4))
    cmap = plt.get_cmap("RdBu_r")
    for ax, (name, title) in zip(axes.flat, panels, strict=True):
        _matrix(ax, cases[name].numeric, title, cmap)
    fig.tight_layout(h_pad=2.0)
    return fig


def loss_under_descent(results: dict[str, Any]) -> Any:
    """The loss over gradient-descent steps at three learning rates; the largest one kills the neuron."""
    plt = pyplot()
    r = results["neuron"]
    steps = np.arange(r.gd_steps + 1)
    fig, ax = plt.subplots(figsize=(5.6, 3.2))
    for losses, lr, style in ((r.losses, r.lr, "o-"), (r.losses_fast, r.lr_fast, "s-"),
                              (r.losses_dead, r.lr_dead, "x--")):
        ax.plot(steps, losses, style, markersize=3.5, linewidth=1.2, label=rf"$\eta = {lr:g}$")
    ax.annotate(rf"$L = {r.loss_after:.4f}$", (1, r.loss_after), xytext=(7, 4),
                textcoords="offset points", fontsize=9)
    ax.annotate(rf"$L = {r.loss_before:.4f}$", (0, r.loss_before), xytext=(-7, -3),
                textcoords="offset points", fontsize=9, ha="right")
    ax.set_xlim(-4.5, r.gd_steps + 0.8)
    ax.set_yscale("log")
    ax.set_xlabel(r"$t$")
    ax.set_ylabel(r"$L(w_t, b_t)$")
    ax.set_xticks(np.arange(0, r.gd_steps + 1, 5))
    ax.legend(frameon=False, fontsize=9, loc="lower left")
    ax.grid(True, which="major", color="#e0e0e0", linewidth=0.6)
    fig.tight_layout()
    return fig


FIGURES = {
    "neuron-relu": relu_and_derivative,
    "neuron-jacobians": jacobian_heatmaps,
    "neuron-descent": loss_under_descent,
}
