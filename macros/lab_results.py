"""Run the lab once per process and remember the results (and any experiment that raised).

With a ``cache_dir``, each experiment's result also comes from (and goes to) the lab's
content-addressed disk cache, so a warm build recomputes only experiments whose sources changed.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from lab.cache import cached_run
from lab.registry import EXPERIMENTS

CACHE_DIR = ".cache/lab"
"""Where builds keep the disk cache, relative to the project root."""

_memo: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}


def lab_results(cache_dir: Path | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Return ``(results, errors)``: each experiment's result, or its traceback if it raised."""
    if "all" not in _memo:
        results, errors = {}, {}
        for name, run in EXPERIMENTS.items():
            try:
                results[name] = run() if cache_dir is None else cached_run(name, run, cache_dir)
            except Exception:
                errors[name] = traceback.format_exc(limit=-3)
        _memo["all"] = (results, errors)
    return _memo["all"]
