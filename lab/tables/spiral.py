"""CSV tables of the backpropagation / spiral article."""

from __future__ import annotations

from typing import Any

import numpy as np


def _cell(value: float, fmt: str) -> str:
    """Blank where a model was not trained that long (the linear classifier stops at 200)."""
    return "" if np.isnan(value) else format(value, fmt)


def training_rows(results: dict[str, Any]) -> list[list[str]]:
    """Loss and training accuracy of both models at the checkpoint iterations."""
    r = results["spiral"]
    rows = [["iteration", "linear_loss", "linear_accuracy", "net_loss", "net_accuracy"]]
    for t, linear_acc, net_acc in zip(r.checkpoints, r.linear_checkpoint_accuracy,
                                      r.net_checkpoint_accuracy, strict=True):
        linear_loss = r.linear_losses[t] if t < len(r.linear_losses) else np.nan
        rows.append([str(t), _cell(linear_loss, ".6f"), _cell(linear_acc, ".4f"),
                     f"{r.net_losses[t]:.6f}", f"{net_acc:.4f}"])
    return rows


TABLES = {"spiral-training.csv": training_rows}

TOLERANCES = {"spiral-training.csv": {"net_loss": "±2e-5"}}
"""The network trains at the edge of stability: late losses differ between machines from the sixth digit."""
