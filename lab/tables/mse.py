"""CSV tables of the MSE gradient article."""

from __future__ import annotations

from typing import Any

import numpy as np


def gradient_check_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per entry of W and b: analytic and numeric gradient, their gap, the parameter's error norm."""
    r = results["mse"]
    rows = [["parameter", "entry", "analytic", "numeric", "abs_error", "param_error_norm"]]
    for name, grad, numeric, norm in (
        ("W", r.grad_W, r.numeric_grad_W, r.error_norm_W),
        ("b", r.grad_b, r.numeric_grad_b, r.error_norm_b),
    ):
        for index in np.ndindex(grad.shape):
            # Column vectors drop their column index: b0, b1 as the article writes them.
            kept = index if grad.shape[-1] > 1 else index[:-1]
            entry = name + "".join(str(i) for i in kept)
            rows.append([
                name, entry, f"{grad[index]:.6f}", f"{numeric[index]:.6f}",
                f"{abs(grad[index] - numeric[index]):.3e}", f"{norm:.3e}",
            ])
    return rows


TABLES = {"gradient-check-results.csv": gradient_check_rows}

TOLERANCES = {"gradient-check-results.csv": {"abs_error": "<5e-11", "param_error_norm": "<5e-11"}}
"""The gaps between analytic and numeric gradients are rounding noise: their size is the result."""
