"""CSV tables of the matrix-differentials article (experiment ``twolayer``)."""

from __future__ import annotations

from typing import Any

import numpy as np


def training_loss_rows(results: dict[str, Any]) -> list[list[str]]:
    """The loss before the update of each logged iteration."""
    r = results["twolayer"]
    rows = [["iteration", "loss"]]
    rows += [[str(t), f"{loss:.4e}"] for t, loss in zip(r.logged_iterations, r.logged_losses, strict=True)]
    return rows


def small_gradcheck_rows(results: dict[str, Any]) -> list[list[str]]:
    """Every entry of both weight gradients of the tiny instance: analytic against centered difference."""
    r = results["twolayer"]
    rows = [["parameter", "row", "col", "analytic", "numeric", "abs_error"]]
    for name, grad, numeric in (("w1", r.small_grad_w1, r.small_numeric_grad_w1),
                                ("w2", r.small_grad_w2, r.small_numeric_grad_w2)):
        for i, j in np.ndindex(grad.shape):
            rows.append([name, str(i), str(j), f"{grad[i, j]:.6f}", f"{numeric[i, j]:.6f}",
                         f"{abs(grad[i, j] - numeric[i, j]):.1e}"])
    return rows


def full_gradcheck_rows(results: dict[str, Any]) -> list[list[str]]:
    """The seeded sample of entries checked on the full-size network at its initial weights."""
    r = results["twolayer"]
    rows = [["parameter", "row", "col", "analytic", "numeric", "rel_error"]]
    for name in ("w1", "w2"):
        entries = zip(getattr(r, f"fd_rows_{name}"), getattr(r, f"fd_cols_{name}"),
                      getattr(r, f"grad_{name}_sampled"), getattr(r, f"numeric_grad_{name}_sampled"),
                      getattr(r, f"rel_errors_{name}"), strict=True)
        rows += [[name, str(i), str(j), f"{a:.4f}", f"{n:.4f}", f"{e:.1e}"] for i, j, a, n, e in entries]
    return rows


TOLERANCES = {"twolayer-full-gradcheck.csv": {"numeric": "±2e-3", "rel_error": "<2e-7"},
              "twolayer-small-gradcheck.csv": {"abs_error": "<2e-9"}}
"""Centered differences of a loss near 1e7 carry rounding noise below 1e-3 (the article derives why)."""

TABLES = {
    "twolayer-training-loss.csv": training_loss_rows,
    "twolayer-small-gradcheck.csv": small_gradcheck_rows,
    "twolayer-full-gradcheck.csv": full_gradcheck_rows,
}
