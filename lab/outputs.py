"""Write the lab's CSV files and figures to a folder, touching only files whose bytes changed.

Leaving unchanged files alone matters under ``mkdocs serve``: a rewrite would look like an edit
and trigger another rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.bundle import LAB_DIR, figure_set, lab_bundle
from lab.failures import locate
from lab.figures import FIGURES, to_svg
from lab.parallel import run_parallel
from lab.registry import run_all
from lab.stamp import current_experiments, fingerprint, write_if_changed, write_stamp
from lab.tables import TABLES, to_csv


def write_lab_assets(out: Path, results: dict[str, Any]) -> None:
    """Write the outputs for the site, unless the stamp shows they are already what these lab
    sources produce (then nothing is drawn, matplotlib is not imported and no file is touched)."""
    key = fingerprint()
    if current_experiments(out, key) == list(results):
        return
    try:
        write_outputs(out, results)
    except FigureError:
        write_downloads(out)  # the rest of the site still has its files; no stamp, so the next run redraws
        raise
    write_downloads(out)
    write_stamp(out, key, list(results))


def write_downloads(out: Path) -> None:
    """The lab README, the figure set and the runnable bundle, next to the outputs they hold."""
    write_if_changed(out / "README.txt", (LAB_DIR / "README.md").read_bytes())
    write_if_changed(out / "figures.zip", figure_set(out))
    write_if_changed(out / "dl-math-lab.zip", lab_bundle(out))


def write_outputs(out: Path, results: dict[str, Any] | None = None,
                  draw_figures: bool = True) -> list[Path]:
    """Write every table to ``out`` and every figure to ``out/figures``; return their paths."""
    results = run_all() if results is None else results
    written = []
    for name, build_rows in TABLES.items():
        path = out / name
        write_if_changed(path, to_csv(build_rows(results)).encode())
        written.append(path)
    failures = []
    if draw_figures:
        names = list(FIGURES)
        for name, svg in zip(names, run_parallel(try_draw, [(name, results) for name in names]), strict=True):
            if isinstance(svg, FigureFailure):
                failures.append(svg)
                continue
            path = out / "figures" / f"{name}.svg"
            write_if_changed(path, svg)
            written.append(path)
    if failures:
        raise FigureError(failures)
    return written


def draw_figure(name: str, results: dict[str, Any]) -> bytes:
    """One figure as SVG bytes (a worker process may run this)."""
    return to_svg(FIGURES[name](results))


@dataclass(frozen=True)
class FigureFailure:
    """A figure whose drawing raised: where in lab/ it failed and why."""

    name: str
    file: str
    line: int
    summary: str

    def describe(self) -> str:
        return f"{self.file}:{self.line}: figure '{self.name}' failed to draw: {self.summary}; fix the figure code"


class FigureError(RuntimeError):
    """Every figure that failed in one run, reported together."""

    def __init__(self, failures: list[FigureFailure]) -> None:
        self.failures = failures
        super().__init__("\n".join(failure.describe() for failure in failures))


def try_draw(name: str, results: dict[str, Any]) -> bytes | FigureFailure:
    """``draw_figure``, or where and why it failed (picklable, so it crosses process boundaries)."""
    try:
        return draw_figure(name, results)
    except Exception as error:
        failure = locate(error)
        return FigureFailure(name, failure.file, failure.line, failure.summary)
