"""Figures of the backpropagation / spiral article: the graph, the loss curves, the decision regions."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import on_fill, pyplot
from lab.spiral import linear_scores, net_scores

CLASS_COLOURS = ("#1f77b4", "#d62728", "#2ca02c")
REGION_COLOURS = ("#c6dbef", "#fcc5c0", "#c7e9c0")
MARKERS = ("o", "s", "^")
FORWARD, BACKWARD = "#222222", "#c0392b"


def _node(ax: Any, x: float, y: float, label: str, fill: str = "#eef2fb") -> None:
    ax.text(x, y, label, ha="center", va="center", fontsize=15, zorder=3,
            bbox={"boxstyle": "round,pad=0.45", "facecolor": fill, "edgecolor": "#3f51b5"})


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float], colour: str = FORWARD,
           rad: float = 0.0) -> None:
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.4, "shrinkA": 16,
                            "shrinkB": 16, "connectionstyle": f"arc3,rad={rad}"})


def computation_graph(results: dict[str, Any]) -> Any:
    """Forward values along the top chain; the gradient each edge sends back, in red, below it."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10.5, 4.6))
    chain = [(0.0, "$X$"), (2.4, "$z_1$"), (4.8, "$h$"), (7.2, "$s$"), (10.2, "$L$")]
    for x, label in chain:
        _node(ax, x, 0.0, label)
    ops = [r"$XW_1 + b_1$", r"$\max(0, z_1)$", r"$hW_2 + b_2$", r"$\mathrm{softmax},\ -\log p_{y}$"]
    for (x0, _), (x1, _), op in zip(chain[:-1], chain[1:], ops, strict=True):
        _arrow(ax, (x0, 0.0), (x1, 0.0))
        ax.text((x0 + x1) / 2, 0.3, op, ha="center", fontsize=12)
    for x, label in ((1.6, "$W_1$"), (3.2, "$b_1$"), (6.4, "$W_2$"), (7.9, "$b_2$")):
        _node(ax, x, 1.45, label, fill="#fff6e0")
    for x, target in ((1.6, 2.4), (3.2, 2.4), (6.4, 7.2), (7.9, 7.2)):
        _arrow(ax, (x, 1.45), (target, 0.0))
    _node(ax, 10.2, 1.45, r"$\frac{\lambda}{2}(\Sigma W_1^2 + \Sigma W_2^2)$", fill="#fff6e0")
    _arrow(ax, (10.2, 1.45), (10.2, 0.0))
    back = [(8.7, r"$\bar s = \frac{1}{N}(P - Y)$"), (6.0, r"$\bar h = \bar s\, W_2^\top$"),
            (3.6, r"$\bar z_1 = \bar h \odot [z_1 > 0]$")]
    for x, label in back:
        ax.text(x, -0.7, label, ha="center", fontsize=13, color=BACKWARD)
        ax.annotate("", xy=(x - 1.0, -0.3), xytext=(x + 1.0, -0.3),
                    arrowprops={"arrowstyle": "-|>", "color": BACKWARD, "lw": 1.4})
    params = [(2.4, r"$\bar W_1 = X^\top \bar z_1 + \lambda W_1$", r"$\bar b_1 = \mathbf{1}^\top \bar z_1$"),
              (7.2, r"$\bar W_2 = h^\top \bar s + \lambda W_2$", r"$\bar b_2 = \mathbf{1}^\top \bar s$")]
    for x, weight, bias in params:
        ax.text(x, -1.35, weight, ha="center", fontsize=13, color=BACKWARD)
        ax.text(x, -1.85, bias, ha="center", fontsize=13, color=BACKWARD)
    ax.set_xlim(-0.6, 11.7)
    ax.set_ylim(-2.1, 2.0)
    ax.axis("off")
    return fig


def loss_curves(results: dict[str, Any]) -> Any:
    """Both models' training loss against the iteration count, on a log axis so t = 1..10 shows."""
    plt = pyplot()
    r = results["spiral"]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for losses, colour, label in ((r.linear_losses, "#7f7f7f", r"$s = XW + b$"),
                                  (r.net_losses, "#3f51b5", r"$s = \max(0, XW_1 + b_1)\,W_2 + b_2$")):
        t = np.arange(1, len(losses))
        ax.plot(t, losses[1:], color=colour, lw=1.8, label=label)
    ax.axhline(r.ln_classes, color="#999999", lw=0.8, ls=":")
    ax.text(1.1, r.ln_classes + 0.02, r"$\ln 3$", fontsize=9, color="#666666", va="bottom")
    ax.set_xscale("log")
    ax.set_xlim(1, r.net_iters)
    ax.set_ylim(0, 1.25)
    ax.set_xlabel("$t$")
    ax.set_ylabel("$L$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(frameon=False, loc="lower left")
    return fig


def _boundary(results: dict[str, Any], scores_of: Any) -> Any:
    """Colour the plane by the predicted class, then put the training points on top."""
    plt = pyplot()
    from matplotlib.colors import ListedColormap

    r = results["spiral"]
    grid = np.linspace(-1.15, 1.15, 300)
    gx, gy = np.meshgrid(grid, grid)
    predicted = np.argmax(scores_of(np.column_stack([gx.ravel(), gy.ravel()])), axis=1)
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.contourf(gx, gy, predicted.reshape(gx.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                cmap=ListedColormap(REGION_COLOURS))
    for k in range(3):
        points = r.X[r.y == k]
        on_fill(ax.scatter(points[:, 0], points[:, 1], s=16, c=CLASS_COLOURS[k], marker=MARKERS[k],
                           edgecolors="black", linewidths=0.4, label=f"$y = {k}$"))  # on the class regions
    ax.set_aspect("equal")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9, handletextpad=0.2)
    return fig


def linear_boundary(results: dict[str, Any]) -> Any:
    r = results["spiral"]
    return _boundary(results, lambda X: linear_scores({"W": r.linear_W, "b": r.linear_b}, X))


def net_boundary(results: dict[str, Any]) -> Any:
    r = results["spiral"]
    params = {"W1": r.net_W1, "b1": r.net_b1, "W2": r.net_W2, "b2": r.net_b2}
    return _boundary(results, lambda X: net_scores(params, X))


FIGURES = {
    "spiral-graph": computation_graph,
    "spiral-loss": loss_curves,
    "spiral-linear-boundary": linear_boundary,
    "spiral-net-boundary": net_boundary,
}

MACHINE_DEPENDENT = {
    "spiral-loss": "plots every step of a training run at the edge of stability, whose late steps differ "
                   "between machines (the curve's shape and the printed numbers do not)",
    "spiral-net-boundary": "draws the regions of a network trained at the edge of stability; their edges move by "
                           "a fraction of a pixel between machines",
}
"""Figures whose lines differ from machine to machine (lab/runner/compare.py reports them as varying)."""
