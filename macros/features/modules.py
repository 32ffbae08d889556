"""Interactive browser modules: each starts from the lab's own numbers, embedded in the page at
build time as JSON, and recomputes them in plain JavaScript (docs/assets/modules/<name>.js)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any


def _plain(value: Any) -> Any:
    import numpy as np

    return np.asarray(value).tolist()


def gradient_checker(results: dict[str, Any]) -> dict[str, Any]:
    r = results["mse"]
    return {"x": _plain(r.x[:, 0]), "e": _plain(r.e[:, 0]), "grad_W": _plain(r.grad_W),
            "numeric_grad_W": _plain(r.numeric_grad_W), "eps": float(r.eps)}


def method_styles() -> dict[str, dict[str, str]]:
    """Colour, line style and marker of each optimizer: the static figures' own (lab/figures/optim.py)."""
    from lab.figures.optim import STYLES

    return {name: {"color": style["color"], "linestyle": style["linestyle"], "marker": style["marker"]}
            for name, style in STYLES.items()}


def optimizer_paths(results: dict[str, Any]) -> dict[str, Any]:
    r = results["optim"]
    return {"A": _plain(r.A), "theta0": _plain(r.theta0), "steps": int(r.n_steps),
            "lr_gd": float(r.lr_gd), "lr_momentum": float(r.lr_momentum), "beta": float(r.beta_momentum),
            "lr_adam": float(r.lr_adam), "beta1": float(r.beta1), "beta2": float(r.beta2),
            "adam_eps": float(r.adam_eps), "lr_threshold": float(r.lr_threshold),
            "paths": {"gd": _plain(r.gd_path), "momentum": _plain(r.momentum_path), "adam": _plain(r.adam_path)},
            "styles": method_styles()}


def conv_calculator(results: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    r = results["conv"]
    examples = np.stack([r.size_w, r.size_f, r.size_p, r.size_s, r.size_d, r.size_eff_kernel, r.size_out], axis=1)
    stack = np.stack([r.rf_kernel, r.rf_stride, r.rf_dilation], axis=1)
    return {"examples": _plain(examples), "stack": _plain(stack), "rf_size": _plain(r.rf_size),
            "rf_jump": _plain(r.rf_jump)}


def attention_heatmap(results: dict[str, Any]) -> dict[str, Any]:
    r = results["attention"]
    return {"scores": _plain(r.scores), "weights": _plain(r.weights), "causal_weights": _plain(r.causal_weights)}


MODULES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "gradient-checker": gradient_checker,
    "optimizer-paths": optimizer_paths,
    "conv-calculator": conv_calculator,
    "attention-heatmap": attention_heatmap,
}
"""Module name -> the lab numbers it starts from. The JavaScript is docs/assets/modules/<name>.js."""


def module_html(name: str, results: dict[str, Any]) -> str:
    """The module's container with its starting data as JSON in an attribute, escaped for one. Not in a
    ``<script type="application/json">``: Material's instant navigation runs every script of the page
    it swaps in again as JavaScript, dropping its type (a syntax error, and the data lost)."""
    data = html.escape(json.dumps(MODULES[name](results), separators=(",", ":")), quote=True)
    return f'<div class="lab-module" data-module="{name}" data-values="{data}"></div>'
