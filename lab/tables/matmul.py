"""CSV tables of the matrix-product gradient article."""

from __future__ import annotations

from typing import Any


def gradient_check_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per random shape "(H, m, n)": the four relative errors against centered differences
    (dW and dX, columns and rows as samples) and the largest gap between the two layouts.

    The shape is one column so that the table fits the page width."""
    r = results["matmul"]
    rows = [["shape", "dW_cols", "dX_cols", "dW_rows", "dX_rows", "max_gap"]]
    for shape, errors, gaps in zip(r.check_shapes, r.check_rel_errors, r.check_transpose_gaps, strict=True):
        sizes = ", ".join(str(int(size)) for size in shape)
        rows.append([f"({sizes})"] + [f"{error:.1e}" for error in errors] + [f"{max(gaps):.1e}"])
    return rows


TABLES = {"matmul-gradient-checks.csv": gradient_check_rows}

TOLERANCES = {"matmul-gradient-checks.csv": {"dW_cols": "<1e-7", "dX_cols": "<1e-7", "dW_rows": "<1e-7",
                                             "dX_rows": "<1e-7", "max_gap": "<1e-13"}}
"""Relative errors and layout gaps are rounding noise: their size is the result, their digits vary by machine."""
