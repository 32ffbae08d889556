"""Write the lab's CSV files and figures to a folder, touching only files whose bytes changed.

Leaving unchanged files alone matters under ``mkdocs serve``: a rewrite would look like an edit
and trigger another rebuild.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.figures import FIGURES
from lab.plotting import to_svgs
from lab.registry import run_all
from lab.runner import figure_store
from lab.runner.bundle import LAB_DIR, READMES, figure_set, lab_bundle
from lab.runner.failures import defined_at, locate, without_result
from lab.runner.guard import no_writes
from lab.runner.limits import seconds, time_limit
from lab.runner.parallel import run_parallel
from lab.runner.stamp import (
    current_experiments,
    figure_files,
    fingerprint,
    stamped_figures,
    version_file,
    write_if_changed,
    write_stamp,
)
from lab.tables import TABLES, to_csv


def write_lab_assets(out: Path, results: dict[str, Any], store: Path | None = None,
                     progress: Callable[[str], None] | None = None) -> None:
    """Write the outputs for the site, unless the stamp shows they are already what these lab
    sources produce (then nothing is drawn, matplotlib is not imported and no file is touched).

    Otherwise only the figures whose inputs changed are drawn again: a figure's key covers its
    module and the lab modules that imports, the Matplotlib and NumPy versions, and the sources of
    the experiments it read when it was last drawn. With a ``store`` (lab/runner/figure_store.py), a
    figure drawn before with the same key is copied from there instead. ``progress`` is told what is
    drawn before and how long it took after (drawing every figure takes a while on a cold build).
    """
    key = fingerprint()
    if current_experiments(out, key) == list(results):
        return
    kept = {name: entry for name, entry in stamped_figures(out).items()
            if name in FIGURES and entry["key"] == figure_key(name, entry["reads"])}
    if store is not None:
        kept |= _restore(out, store, {n: e for n, e in stamped_figures(out, current_only=False).items()
                                      if n in FIGURES and n not in kept})
    redraw = [name for name in FIGURES if name not in kept]
    if progress is not None and redraw:
        progress(f"drawing {len(redraw)} figure(s) and writing {len(TABLES)} table(s)"
                 + (f"; {len(kept)} figure(s) are unchanged" if kept else ""))
    started = time.perf_counter()
    try:
        drawn = write_outputs(out, results, figures=redraw)
    except FigureError:
        write_downloads(out)  # the rest of the site still has its files; no stamp, so the next run redraws
        raise
    remove_retired(out)
    write_downloads(out)
    if progress is not None and redraw:
        progress(f"figures and tables written in {time.perf_counter() - started:.1f} s")
    figures = {**kept, **{name: {"key": figure_key(name, reads), "reads": reads} for name, reads in drawn.items()}}
    if store is not None:
        for name in drawn:
            for stored, path in zip((name, f"{name}.dark"), figure_files(name), strict=True):
                figure_store.save(store, stored, figures[name]["key"], (out / path).read_bytes())
    write_stamp(out, key, list(results), figures)


def _restore(out: Path, store: Path, candidates: dict[str, dict]) -> dict[str, dict]:
    """Copy from the store each candidate figure whose key, for the experiments it last read, is there."""
    restored = {}
    for name, entry in candidates.items():
        key = figure_key(name, entry["reads"])
        light, dark = figure_store.load(store, name, key), figure_store.load(store, f"{name}.dark", key)
        if light is not None and dark is not None:
            for path, svg in zip(figure_files(name), (light, dark), strict=True):
                write_if_changed(out / path, svg)
            restored[name] = {"key": key, "reads": entry["reads"]}
    return restored


def figure_key(name: str, reads: list[str]) -> str:
    """What decides figure ``name``'s SVG, given the experiments it reads."""
    from lab.registry import EXPERIMENTS, experiment
    from lab.runner.cache import source_key

    parts = [source_key(FIGURES[name]), version_file("matplotlib").decode(errors="replace")]
    parts += [f"{read}:{source_key(experiment(read))}" for read in sorted(reads) if read in EXPERIMENTS]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def remove_retired(out: Path) -> None:
    """Remove each figure and table the lab no longer makes (renamed or deleted), so neither the site,
    the figure set nor the bundle's expected outputs carry a file no lab code writes any more."""
    made = {path for name in FIGURES for path in figure_files(name)}
    for old in (out / "figures").glob("*.svg"):
        if f"figures/{old.name}" not in made:
            old.unlink()
    for old in out.glob("*.csv"):
        if old.name not in TABLES:
            old.unlink()


def write_downloads(out: Path) -> None:
    """The lab README in each language, the figure set and the runnable bundle, next to the outputs
    they hold. A README starts with UTF-8's byte-order mark: a browser that opens it then reads it
    as UTF-8 even from a server that names no character set (Chinese text, dashes, ±)."""
    for readme, download in READMES.items():
        write_if_changed(out / download, "\ufeff".encode() + (LAB_DIR / readme).read_bytes())
    write_if_changed(out / "figures.zip", figure_set(out))
    write_if_changed(out / "dl-math-lab.zip", lab_bundle(out))


def write_outputs(out: Path, results: dict[str, Any] | None = None,
                  figures: list[str] | None = None) -> dict[str, list[str]]:
    """Write every table to ``out`` and the named figures (default: all) to ``out/figures``.

    Returns, for each figure drawn, the experiments whose results it read.
    """
    results = run_all() if results is None else results
    names = list(FIGURES) if figures is None else figures
    jobs = [*(("table", name, results) for name in TABLES), *(("figure", name, results) for name in names)]
    failures, drawn = [], {}
    # Every table and figure in a worker: lab code that ends its process fails its own output only.
    limit = seconds("lab")
    outcomes = run_parallel(_make, jobs, died=_ended, deadline=limit + 10 if limit > 0 else None)
    for (kind, name, _), outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, FigureFailure):
            failures.append(outcome)
        elif kind == "table":
            write_if_changed(out / name, outcome.encode())
        else:
            light, drawn[name], dark = outcome
            for path, svg in zip(figure_files(name), (light, dark), strict=True):
                write_if_changed(out / path, svg)
    if failures:
        raise FigureError(failures)
    return drawn


class _Recorder(Mapping[str, Any]):
    """The lab results, noting which experiments a figure reads."""

    def __init__(self, results: Mapping[str, Any]) -> None:
        self._results = results
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        if name not in self._results:
            raise KeyError(f"no experiment '{name}' in lab/registry.py (it has: {', '.join(self._results)})")
        return self._results[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)


def draw_figure(name: str, results: Mapping[str, Any]) -> tuple[bytes, list[str], bytes]:
    """One figure as SVG bytes, the experiments it read, and its dark twin's SVG bytes (a worker
    process may run this)."""
    recorder = _Recorder(results)
    light, dark = to_svgs(FIGURES[name](recorder))
    return light, sorted(recorder.read), dark


@dataclass(frozen=True)
class FigureFailure:
    """A figure whose drawing raised, or a table whose rows did: where in lab/ it failed and why."""

    name: str
    file: str
    line: int
    summary: str
    kind: str = "figure"

    @property
    def message(self) -> str:
        if self.kind == "table":
            return f"table '{self.name}' failed to build: {self.summary}; fix the table code"
        return f"figure '{self.name}' failed to draw: {self.summary}; fix the figure code"

    def describe(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FigureError(RuntimeError):
    """Every figure that failed in one run, reported together."""

    def __init__(self, failures: list[FigureFailure]) -> None:
        self.failures = failures
        super().__init__("\n".join(failure.describe() for failure in failures))


def _make(kind: str, name: str, results: Mapping[str, Any]) -> Any:
    return try_draw(name, results) if kind == "figure" else try_table(name, results)


def _ended(job: tuple[Any, ...], code: int) -> FigureFailure:
    """A table or figure whose worker ended without a result: located at its function."""
    kind, name, _ = job
    file, line = defined_at((FIGURES if kind == "figure" else TABLES)[name])
    return FigureFailure(name, file, line, without_result(code), kind=kind)


def try_table(name: str, results: Mapping[str, Any]) -> str | FigureFailure:
    """Table ``name`` as CSV text, or where and why building it failed."""
    try:
        with time_limit("lab", f"table '{name}'"), no_writes(f"table '{name}'"):
            return to_csv(TABLES[name](_Recorder(results)))
    except BaseException as error:  # sys.exit() in a table is a failure too
        return FigureFailure(name, *_where(error), kind="table")


def try_draw(name: str, results: dict[str, Any]) -> tuple[bytes, list[str], bytes] | FigureFailure:
    """``draw_figure``, or where and why it failed (picklable, so it crosses process boundaries)."""
    try:
        with time_limit("lab", f"figure '{name}'"), no_writes(f"figure '{name}'"):
            return draw_figure(name, results)
    except BaseException as error:  # sys.exit() in a figure is a failure too
        return FigureFailure(name, *_where(error))


def _where(error: BaseException) -> tuple[str, int, str]:
    failure = locate(error)
    return failure.file, failure.line, failure.summary
