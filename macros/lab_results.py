"""Run the lab once per process, write its files into the docs, and remember the results.

With a ``cache_dir``, each experiment's result also comes from (and goes to) the lab's
content-addressed disk cache, so a warm build recomputes only experiments whose sources changed.
When the stamp beside the written files shows they already come from the current lab sources,
``prepare_lab`` runs nothing and imports no experiment: results load on first use (that is, only
when a page has to be rendered again).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lab.failures import LabFailure, locate
from lab.stamp import current_experiments, fingerprint
from macros.claims import Claim, error_claim

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
        from lab.cache import cached
        from lab.parallel import run_parallel
        from lab.registry import EXPERIMENTS

        found = {name: cached(name, run, cache_dir) for name, run in EXPERIMENTS.items()} if cache_dir else {}
        missing = [name for name in EXPERIMENTS if found.get(name) is None]
        # Experiments to run go side by side on all cores, each with one BLAS thread (as always).
        jobs = [(name, cache_dir) for name in missing]
        ran = dict(zip(missing, run_parallel(_run_one, jobs), strict=True))
        outcomes = {**dict.fromkeys(EXPERIMENTS), **found, **ran}  # in registry order
        results = {n: o for n, o in outcomes.items() if not isinstance(o, LabFailure)}
        errors = {n: o for n, o in outcomes.items() if isinstance(o, LabFailure)}
        _memo["all"] = (results, errors)
    return _memo["all"]


def _run_one(name: str, cache_dir: Path | None) -> Any:
    """One experiment's result, or where and why it raised (a worker process may run this)."""
    from lab.cache import cached_run
    from lab.parallel import one_blas_thread
    from lab.registry import EXPERIMENTS

    run = EXPERIMENTS[name]
    try:
        with one_blas_thread():  # the same last bits whichever way the build reaches this run
            return run() if cache_dir is None else cached_run(name, run, cache_dir)
    except Exception as error:  # reported with its lab file and line, never a bare traceback
        return locate(error)


class LazyResults(Mapping[str, Any]):
    """The lab's results, each experiment loaded (from the disk cache, or run) on first access."""

    def __init__(self, names: list[str], cache_dir: Path) -> None:
        self._names = names
        self._cache_dir = cache_dir
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._loaded:
            from lab.cache import cached_run
            from lab.parallel import one_blas_thread
            from lab.registry import EXPERIMENTS

            with one_blas_thread():
                self._loaded[name] = cached_run(name, EXPERIMENTS[name], self._cache_dir)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def prepare_lab(root: Path, docs_dir: Path) -> tuple[Mapping[str, Any], dict[str, LabFailure], list[Claim]]:
    """What a build needs from the lab: ``(results, errors, figure_failures)``, with the lab's files
    written into ``docs_dir``. Used by the MkDocs build and by ``python -m macros check`` alike."""
    cache_dir = root / CACHE_DIR
    names = current_experiments(docs_dir / LAB_ASSETS, fingerprint())
    if names is not None:  # the stamped files are exactly what these sources wrote, and they all ran
        return LazyResults(names, cache_dir), {}, []
    results, errors = lab_results(cache_dir)
    return results, errors, (write_assets(docs_dir, results, cache_dir / "figures") if not errors else [])


def write_assets(docs_dir: Path, results: dict[str, Any], store: Path | None = None) -> list[Claim]:
    """Write the lab's files into the docs (resources must exist before the check looks for them);
    each figure that fails to draw comes back as an error claim at its lab file and line."""
    from lab.outputs import FigureError, write_lab_assets

    try:
        write_lab_assets(docs_dir / LAB_ASSETS, results, store)
    except FigureError as error:
        return [error_claim(f.file, f.line, f.message, key=f.name) for f in error.failures]
    return []
