"""Figures of the optimizer-geometry article. Methods are told apart by line style and marker;
the captions in the pages name them."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.plotting import pyplot

STYLES = {
    "gd": {"color": "#2f7ed8", "linestyle": "-", "marker": "o"},
    "momentum": {"color": "#d35f1c", "linestyle": "--", "marker": "s"},
    "adam": {"color": "#17956b", "linestyle": ":", "marker": "^"},
}
"""Solid with circles: GD; dashed with squares: momentum; dotted with triangles: Adam. The
interactive module draws with these too (macros/features/modules.py). Blue, vermilion and bluish
green (Okabe and Ito's hues, told apart with colour-blindness), each at least 3.7:1 against both
the white page and Material's dark slate background (#1e2129)."""


def _contours(ax: Any, A: np.ndarray, half_width: float) -> None:
    """Level sets of f(theta) = 1/2 theta^T A theta, spaced geometrically so both ends show."""
    grid = np.linspace(-half_width, half_width, 301)
    x, y = np.meshgrid(grid, grid)
    f = 0.5 * (A[0, 0] * x * x + 2 * A[0, 1] * x * y + A[1, 1] * y * y)
    ax.contour(x, y, f, levels=np.geomspace(0.01, 60, 14), colors="0.75", linewidths=0.8)


def paths_on_contours(results: dict[str, Any]) -> Any:
    """The three optimizers' iterates from theta_0 on the level sets of the quadratic."""
    plt = pyplot()
    r = results["optim"]
    fig, ax = plt.subplots(figsize=(5.6, 5.2))
    _contours(ax, r.A, 5.0)
    for method in ("gd", "momentum", "adam"):
        path = getattr(r, f"{method}_path")
        ax.plot(path[:, 0], path[:, 1], markersize=4, linewidth=1.3, **STYLES[method])
    ax.plot(*r.theta0, "ko", markersize=7)
    ax.annotate(r"$\theta_0$", r.theta0, xytext=(-4.2, 2.45), fontsize=13)
    ax.plot(0, 0, "k*", markersize=12)
    ax.annotate(r"$\theta^\ast$", (0, 0), xytext=(-1.3, -1.3), fontsize=13,
                arrowprops={"arrowstyle": "-", "color": "0.3", "linewidth": 0.8, "shrinkB": 6})
    for vector, name in zip(r.eigenvectors.T, (r"$u_1$", r"$u_2$"), strict=True):
        ax.annotate("", 2.6 * vector, (0, 0), arrowprops={"arrowstyle": "->", "color": "0.45"})
        ax.annotate(name, 2.95 * vector, fontsize=12, color="0.35", ha="center", va="center")
    ax.set_xlim(-4.6, 3.0)
    ax.set_ylim(-2.8, 3.8)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return fig


def losses_per_step(results: dict[str, Any]) -> Any:
    """f(theta_k) of the three optimizers on a log scale."""
    plt = pyplot()
    r = results["optim"]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for method in ("gd", "momentum", "adam"):
        losses = getattr(r, f"{method}_losses")
        ax.semilogy(np.arange(losses.size), losses, markersize=3.5, linewidth=1.2, **STYLES[method])
    ax.set_xlabel("$k$")
    ax.set_ylabel(r"$f(\theta_k)$")
    ax.grid(True, which="major", color="0.9")
    return fig


def learning_rate_sweep(results: dict[str, Any]) -> Any:
    """GD loss per step for each learning rate; the legend gives eta and the worst factor."""
    plt = pyplot()
    r = results["optim"]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    cmap = plt.get_cmap("tab10")
    steps = np.arange(r.sweep_curves.shape[1])
    for i, (lr, radius, curve) in enumerate(zip(r.sweep_lrs, r.sweep_radius, r.sweep_curves, strict=True)):
        style = "--" if radius >= 1 else "-"
        width = 2.4 if np.isclose(lr, r.lr_opt) else 1.3
        ax.semilogy(steps, curve, style, linewidth=width, color=cmap(i),
                    label=rf"$\eta={lr:.3f}$,  $\rho={radius:.3f}$")
    ax.set_ylim(1e-9, 1e6)
    ax.set_xlabel("$k$")
    ax.set_ylabel(r"$f(\theta_k)$")
    ax.grid(True, which="major", color="0.9")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


def steps_against_conditioning(results: dict[str, Any]) -> Any:
    """Steps to reach the tolerance against kappa, log-log, with kappa and sqrt(kappa) guides."""
    plt = pyplot()
    r = results["optim"]
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    ax.loglog(r.kappas, r.cond_gd_steps, markersize=6, **STYLES["gd"])
    ax.loglog(r.kappas, r.cond_hb_steps, markersize=6, **STYLES["momentum"])
    kappa = np.geomspace(r.kappas[0], r.kappas[-1], 50)
    for exponent, label, anchor in ((1.0, r"$\propto\kappa$", r.cond_gd_steps[0]),
                                    (0.5, r"$\propto\sqrt{\kappa}$", r.cond_hb_steps[0])):
        guide = 0.55 * anchor * (kappa / kappa[0]) ** exponent
        ax.loglog(kappa, guide, color="0.6", linewidth=0.9)
        ax.text(kappa[-1] * 1.1, guide[-1], label, va="center", fontsize=11, color="0.35")
    ax.set_xlim(2, 3000)
    ax.set_xlabel(r"$\kappa = \lambda_{\max}/\lambda_{\min}$")
    ax.set_ylabel("$k$")
    ax.grid(True, which="major", color="0.9")
    return fig


FIGURES = {
    "optim-paths": paths_on_contours,
    "optim-losses": losses_per_step,
    "optim-lr-sweep": learning_rate_sweep,
    "optim-conditioning": steps_against_conditioning,
}
