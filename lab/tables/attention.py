"""CSV tables of the attention article."""

from __future__ import annotations

from typing import Any

import numpy as np

MATRICES = (
    ("scores", "scores"),
    ("causal_scores", "causal_scores"),
    ("weights", "weights"),
    ("causal_weights", "causal_weights"),
    ("context", "context"),
    ("causal_context", "causal_context"),
)
"""(quantity column, result field), in the order the article computes them."""


def _cell(x: float) -> str:
    return "-inf" if np.isneginf(x) else f"{x:.4f}"


def attention_weights_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per (quantity, query token): the 3 scores or weights, or the 4 context entries.

    Scores and weights have one column per key; context vectors one column per feature, so the
    fourth column is empty for the 3 x 3 matrices.
    """
    r = results["attention"]
    width = max(getattr(r, name).shape[1] for _, name in MATRICES)
    rows = [["quantity", "query", *[f"col{j + 1}" for j in range(width)]]]
    for label, name in MATRICES:
        matrix = getattr(r, name)
        for i, row in enumerate(matrix):
            cells = [_cell(x) for x in row]
            rows.append([label, str(i + 1), *cells, *[""] * (width - len(cells))])
    return rows


def gradcheck_rows(results: dict[str, Any]) -> list[list[str]]:
    """Largest relative error of each derived gradient against centered differences."""
    r = results["attention"]
    rows = [["gradient", "mask", "max_abs_analytic", "rel_error"],
            ["dp/ds", "none", f"{np.max(np.abs(r.jacobian)):.4f}", f"{r.rel_error_jacobian:.1e}"]]
    for mask, prefix in (("none", ""), ("causal", "causal_")):
        for m in "QKV":
            largest = np.max(np.abs(getattr(r, f"{prefix}grad_{m}")))
            rows.append([f"dL/d{m}", mask, f"{largest:.4f}", f"{getattr(r, f'rel_error_{prefix}{m}'):.1e}"])
    return rows


def scaling_rows(results: dict[str, Any]) -> list[list[str]]:
    """The sampling study: spread of q.k and how peaked softmax gets, without and with 1/sqrt(d_k)."""
    r = results["attention"]
    rows = [["d_k", "sqrt_d_k", "std_raw", "std_scaled", "max_w_raw", "max_w_scaled", "jac_raw",
             "jac_scaled"]]
    for i, d_k in enumerate(r.d_ks):
        rows.append([str(d_k), f"{r.sqrt_d_ks[i]:.0f}", f"{r.std_raw[i]:.3f}", f"{r.std_scaled[i]:.3f}",
                     f"{r.max_w_raw[i]:.3f}", f"{r.max_w_scaled[i]:.3f}", f"{r.jac_raw[i]:.3f}",
                     f"{r.jac_scaled[i]:.3f}"])
    return rows


def kv_cache_rows(results: dict[str, Any]) -> list[list[str]]:
    """KV-cache size of the 7B-class configuration, batch 1, fp16: 32 and 8 KV heads."""
    r = results["attention"]
    rows = [["seq_len", "bytes_mha", "GiB_mha", "bytes_gqa8", "GiB_gqa8"]]
    for i, n in enumerate(r.kv_seq_lens):
        rows.append([str(n), str(r.kv_bytes_mha[i]), f"{r.kv_gib_mha[i]:.4f}", str(r.kv_bytes_gqa[i]),
                     f"{r.kv_gib_gqa[i]:.4f}"])
    return rows


TOLERANCES = {"attention-gradcheck.csv": {"rel_error": "<1e-7"}}
"""Finite-difference errors are rounding noise: their size is the result, their digits vary by machine."""

TABLES = {
    "attention-weights.csv": attention_weights_rows,
    "attention-gradcheck.csv": gradcheck_rows,
    "attention-scaling.csv": scaling_rows,
    "attention-kv-cache.csv": kv_cache_rows,
}
