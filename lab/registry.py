"""Which experiments the lab has, and where each one's run function lives.

Each entry names a module and a function as text, so one experiment whose module cannot be
imported (a syntax error, a missing package) fails on its own, at its own file and line, and the
other experiments still run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

EXPERIMENTS: dict[str, str] = {
    "mse": "lab.mse:run",
    "neuron": "lab.neuron:run",
    "partials": "lab.partials:run",
    "matmul": "lab.matmul:run",
    "spiral": "lab.spiral:run",
    "twolayer": "lab.twolayer:run",
    "softmax_trace": "lab.softmax_trace:run",
    "optim": "lab.optim:run",
    "conv": "lab.conv_study:run",
    "attention": "lab.attention_study:run",
}
"""Experiment name -> ``module:function`` of a pure run function returning a frozen dataclass.
Page keys start with the name."""


def experiment(name: str) -> Callable[[], Any]:
    """The run function of experiment ``name``, its module imported on first use."""
    module, _, function = EXPERIMENTS[name].partition(":")
    return getattr(importlib.import_module(module), function)


def experiments() -> dict[str, Callable[[], Any]]:
    """Every experiment's run function, in registry order."""
    return {name: experiment(name) for name in EXPERIMENTS}


def run_all() -> dict[str, Any]:
    """Run every experiment once, in registry order, with one BLAS thread (as every build does)."""
    from lab.runner.parallel import one_blas_thread

    with one_blas_thread():
        return {name: run() for name, run in experiments().items()}
