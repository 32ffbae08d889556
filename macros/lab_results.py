"""Run the lab once per process and remember the results (and any experiment that raised).

With a ``cache_dir``, each experiment's result also comes from (and goes to) the lab's
content-addressed disk cache, so a warm build recomputes only experiments whose sources changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lab.cache import cached_run
from lab.failures import LabFailure, locate
from lab.outputs import FigureError, write_lab_assets
from lab.registry import EXPERIMENTS
from macros.claims import ERROR, Claim

CACHE_DIR = ".cache/lab"
"""Where builds keep the disk cache, relative to the project root."""
TEMPLATE_CACHE_DIR = ".cache/render"
"""Compiled page templates and rendered pages, relative to the project root."""

LAB_ASSETS = "assets/lab"
"""Where the build puts the lab's CSV files and figures, relative to the docs folder."""

_memo: dict[str, tuple[dict[str, Any], dict[str, LabFailure]]] = {}


def lab_results(cache_dir: Path | None = None) -> tuple[dict[str, Any], dict[str, LabFailure]]:
    """Return ``(results, errors)``: each experiment's result, or where and why it raised."""
    if "all" not in _memo:
        results, errors = {}, {}
        for name, run in EXPERIMENTS.items():
            try:
                results[name] = run() if cache_dir is None else cached_run(name, run, cache_dir)
            except Exception as error:  # reported with its lab file and line, never a bare traceback
                errors[name] = locate(error)
        _memo["all"] = (results, errors)
    return _memo["all"]


def write_assets(docs_dir: Path, results: dict[str, Any]) -> list[Claim]:
    """Write the lab's files into the docs (resources must exist before the check looks for them);
    each figure that fails to draw comes back as an error claim at its lab file and line."""
    try:
        write_lab_assets(docs_dir / LAB_ASSETS, results)
    except FigureError as error:
        return [Claim(f.file, f.line, ERROR, f.name, "", "", ERROR, f.describe().split(": ", 1)[1])
                for f in error.failures]
    return []
