"""Centered finite differences and the relative error used to judge them (cs231n style)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-5
"""Step of the centered difference; about the cube root of float64 machine epsilon."""


def numeric_gradient(loss: Callable[[], float], param: np.ndarray,
                     eps: float = EPS) -> np.ndarray:
    """Estimate d loss / d param entry by entry, nudging ``param`` in
    place and restoring it."""
    grad = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + eps
        loss_plus = loss()
        param[index] = saved - eps
        loss_minus = loss()
        param[index] = saved
        grad[index] = (loss_plus - loss_minus) / (2 * eps)
    return grad


def rel_error(analytic: np.ndarray, numeric: np.ndarray,
              tiny: float = 1e-12) -> float:
    """Largest entry-wise ``|a - n| / max(|a| + |n|, tiny)``:
    scale-free, 0 for a perfect match."""
    diff = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), tiny)
    return float(np.max(diff / scale))


def error_norm(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Frobenius norm of the difference between the analytic and the numeric gradient."""
    return float(np.linalg.norm(analytic - numeric))
