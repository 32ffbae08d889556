"""Which experiments the lab has, and what each one writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab import attention_study, conv_study, matmul, mse, neuron, optim, spiral, twolayer

EXPERIMENTS: dict[str, Callable[[], Any]] = {
    "mse": mse.run,
    "neuron": neuron.run,
    "matmul": matmul.run,
    "spiral": spiral.run,
    "twolayer": twolayer.run,
    "optim": optim.run,
    "conv": conv_study.run,
    "attention": attention_study.run,
}
"""Experiment name -> pure run function returning a frozen dataclass. Page keys start with the name."""


def run_all() -> dict[str, Any]:
    """Run every experiment once, in registry order, with one BLAS thread (as every build does)."""
    from lab.parallel import one_blas_thread

    with one_blas_thread():
        return {name: run() for name, run in EXPERIMENTS.items()}
