"""Run the lab once per process and remember the results (and any experiment that raised)."""

from __future__ import annotations

import traceback
from typing import Any

from lab.registry import EXPERIMENTS

_cache: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}


def lab_results() -> tuple[dict[str, Any], dict[str, str]]:
    """Return ``(results, errors)``: each experiment's result, or its traceback if it raised."""
    if "all" not in _cache:
        results, errors = {}, {}
        for name, run in EXPERIMENTS.items():
            try:
                results[name] = run()
            except Exception:
                errors[name] = traceback.format_exc(limit=-3)
        _cache["all"] = (results, errors)
    return _cache["all"]
