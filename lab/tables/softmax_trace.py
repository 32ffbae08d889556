"""CSV table of the softmax network derived by matrix differentials (experiment ``softmax_trace``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.softmax_trace import STEPS

FORMULAS = {
    "s": ("G_s", "(P − Y) / N"),
    "W2": ("G_W2", "hᵀ G_s + λ W2"),
    "b2": ("G_b2", "1ᵀ G_s"),
    "h": ("G_h", "G_s W2ᵀ"),
    "z1": ("G_z1", "G_h ⊙ M"),
    "W1": ("G_W1", "Xᵀ G_z1 + λ W1"),
    "b1": ("G_b1", "1ᵀ G_z1"),
}
"""Variable -> (gradient, formula) as the article writes them, in the order of the derivation."""


def step_rows(results: dict[str, Any]) -> list[list[str]]:
    """Each step of the hand-sized graph: its shape, its gap to net_backward, its difference check."""
    r = results["softmax_trace"]
    rows = [["gradient", "formula", "shape", "route_gap", "rel_error"]]
    for name, _, field in STEPS:
        gradient, formula = FORMULAS[name]
        shape = " x ".join(str(n) for n in np.shape(getattr(r, field)))
        rows.append([gradient, formula, shape, f"{getattr(r, f'gap_{name}'):.1e}",
                     f"{getattr(r, f'rel_error_{name}'):.1e}"])
    return rows


TOLERANCES = {"softmax-trace-steps.csv": {"route_gap": "<1e-15", "rel_error": "<1e-7"}}
"""The two routes end in the same products and sums, so their gap is rounding at most. Centered
differences of a loss near 1.9 carry rounding noise near 1e-11; the smallest gradient entries are
near 1e-3."""

TABLES = {"softmax-trace-steps.csv": step_rows}
