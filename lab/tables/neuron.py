"""CSV tables of the one-neuron article: the data set sample by sample, and the Jacobian checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.neuron import relu_grad

CLOSED_FORMS = {
    "identity": ("y = u", "du", "I"),
    "mul_u": ("y = u ⊙ v", "du", "diag(v)"),
    "mul_v": ("y = u ⊙ v", "dv", "diag(u)"),
    "add_u": ("y = u + v", "du", "I"),
    "add_v": ("y = u + v", "dv", "I"),
    "shift_u": ("y = u + s", "du", "I"),
    "shift_s": ("y = u + s", "ds", "1 (column)"),
    "scale_u": ("y = s u", "du", "s I"),
    "scale_s": ("y = s u", "ds", "u (column)"),
    "sum": ("y = sum(u)", "du", "1ᵀ (row)"),
}
"""Jacobian case name -> (operation, differentiated by, closed form), as the article writes them."""


def data_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per sample at the starting (w, b): inactive samples have relu'(z) = 0 and delta = 0."""
    r = results["neuron"]
    # + 0.0 turns -0.0 into 0.0: no "-0.0000" in the table.
    z, e, delta = r.z_data, r.e_data + 0.0, r.delta + 0.0
    rows = [["i", "y_i", "z_i", "relu'(z_i)", "e_i", "delta_i"]]
    for i in range(r.n_samples):
        rows.append([str(i), f"{r.y[i]:.4f}", f"{z[i]:.4f}", f"{relu_grad(z[i]):.0f}",
                     f"{e[i]:.4f}", f"{delta[i]:.4f}"])
    return rows


def jacobian_rows(results: dict[str, Any]) -> list[list[str]]:
    """Each Jacobian: operation, shape, closed form, largest relative error of the difference check."""
    rows = [["operation", "wrt", "shape", "closed_form", "max_rel_error"]]
    for name, case in results["neuron"].jacobians.items():
        operation, wrt, closed_form = CLOSED_FORMS[name]
        shape = " x ".join(str(n) for n in np.shape(case.analytic))
        rows.append([operation, wrt, shape, closed_form, f"{case.rel_error:.1e}"])
    return rows


TABLES = {"neuron-data.csv": data_rows, "neuron-jacobian-checks.csv": jacobian_rows}
