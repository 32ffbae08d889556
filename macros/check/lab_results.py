"""Run the lab for a build or a check, and write its files into the docs.

With a ``cache_dir``, each experiment's result also comes from (and goes to) the lab's
content-addressed disk cache, so a warm build recomputes only experiments whose sources changed.
When the stamp beside the written files shows they already come from the current lab sources,
``prepare_lab`` runs nothing and imports no experiment: results load on first use (that is, only
when a page has to be rendered again).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lab.runner.failures import LAB_DIR, LabFailure, defined_at, locate, without_result
from lab.runner.guard import no_writes
from lab.runner.limits import seconds, time_limit
from lab.runner.parallel import ended, one_blas_thread, run_parallel
from lab.runner.stamp import current_experiments, fingerprint
from macros.engine.claims import Claim, error_claim
from macros.files import CACHE_DIR, LAB_ASSETS, what_to_do

log = logging.getLogger("mkdocs.plugins.dl_math_lab")


def lab_results(cache_dir: Path | None = None) -> tuple[dict[str, Any], dict[str, LabFailure]]:
    """Return ``(results, errors)``: each experiment's result, or where and why it failed to import
    or raised. ``errors`` has the key ``*`` when the registry itself could not be loaded."""
    from lab.runner.cache import cached, result_type, unstorable  # loads NumPy: a warm build never gets here

    with no_writes("importing lab/registry.py"):  # it imported cleanly in a worker (prepare_lab)
        from lab.registry import EXPERIMENTS, experiment

    # Each module is first imported in a worker: one that ends its process or never finishes
    # importing fails there, alone; the build imports only the modules that imported cleanly.
    probes = run_parallel(_probe_import, [(name,) for name in EXPERIMENTS], died=_died("import"),
                          deadline=lab_deadline())
    imported = {name: failure for name, failure in zip(EXPERIMENTS, probes, strict=True) if failure is not None}
    for name in EXPERIMENTS:
        if name in imported:
            continue
        try:
            with no_writes(f"importing experiment '{name}'"):
                run = experiment(name)
        except BaseException as error:  # it imported in the worker: a failure here is unexpected
            imported[name] = locate(error, stage="import")
            continue
        if result_type(run) is None:
            file, line = defined_at(run)
            imported[name] = LabFailure(file, line, f"experiment '{name}': annotate what it returns with its result "
                                        "dataclass (def run() -> SomethingResult:); the keys of its numbers are that "
                                        "dataclass's fields, and without it the result is never cached", "",
                                        "complete")
    runnable = [name for name in EXPERIMENTS if name not in imported]
    found = {name: _cached(cached, name, cache_dir) for name in runnable} if cache_dir else {}
    missing = [name for name in runnable if found.get(name) is None]
    # Experiments to run go side by side on all cores, each with one BLAS thread (as always).
    jobs = [(name, cache_dir) for name in missing]
    if missing:  # a long lab run says what it is doing, and afterwards how long each part took
        cached_count = len(runnable) - len(missing)
        log.info(f"running {len(missing)} experiment(s): {', '.join(missing)}"
                 + (f"; {cached_count} come from the cache" if cached_count else ""))
    timed = run_parallel(_timed_run, jobs, died=_died("run"), deadline=lab_deadline())
    if missing:
        log.info("experiments ran: " + ", ".join(f"{name} {seconds:.1f} s" for name, (_, seconds)
                                                  in zip(missing, timed, strict=True)))
    ran = {name: outcome for name, (outcome, _) in zip(missing, timed, strict=True)}
    for name, outcome in ran.items():
        reason = "" if isinstance(outcome, LabFailure) else unstorable(outcome)
        if reason:  # it works, but every build that needs it runs it again
            log.info(f"experiment '{name}' is not kept in the cache: {reason}")
    outcomes = {**dict.fromkeys(EXPERIMENTS), **found, **ran, **imported}  # in registry order
    results = {n: o for n, o in outcomes.items() if not isinstance(o, LabFailure)}
    errors = {n: o for n, o in outcomes.items() if isinstance(o, LabFailure)}
    return results, errors


def lab_deadline() -> float | None:
    """When a worker running lab code is killed: its own time limit, and a margin to stop by itself."""
    return seconds("lab") + 10 if seconds("lab") > 0 else None


def _probe_module(module: str) -> LabFailure | None:
    """Import ``module`` (in a worker), under the time limit and the lab's guard."""
    try:
        with time_limit("lab", f"importing {module}"), no_writes(f"importing {module}"):
            importlib.import_module(module)
    except BaseException as error:
        return locate(error, stage="import")
    return None


def module_file(module: str) -> str:
    """The file of lab module ``module``, as messages name it: ``lab.figures`` is lab/figures/__init__.py."""
    path = module.replace(".", "/")
    return f"{path}/__init__.py" if (LAB_DIR.parent / path).is_dir() else f"{path}.py"


def _module_died(job: tuple[str], code: int) -> LabFailure:
    file = module_file(job[0])
    return LabFailure(file, 1, f"importing {file}: {ended(code)}: lab code must not exit, crash or loop when "
                               "it is imported", "", "complete")


def lab_modules_loaded_first() -> list[str]:
    """The lab modules the build imports itself, before any experiment: the registry, and every
    module of the figures and the tables; and ``lab.__main__``, what a reader of the downloadable
    bundle runs (a module of lab/runner/ that does not compile would publish a bundle that cannot)."""
    modules = ["lab.registry", "lab.__main__"]
    for package in ("figures", "tables"):
        for path in sorted((LAB_DIR / package).glob("*.py")):
            modules.append(f"lab.{package}" if path.stem == "__init__" else f"lab.{package}.{path.stem}")
    return modules


def _probe_import(name: str) -> LabFailure | None:
    """Import experiment ``name``'s module (in a worker), under the lab's time limit."""
    from lab.registry import experiment

    try:
        with time_limit("lab", f"importing experiment '{name}'"), no_writes(f"importing experiment '{name}'"):
            experiment(name)
    except BaseException as error:  # a syntax error, a missing package, sys.exit() or a loop at import
        return locate(error, stage="import")
    return None


def _died(stage: str) -> Any:
    """What a worker that ended its process while importing or running an experiment becomes: a
    failure at the experiment's module (import) or run function (run)."""
    def failure(job: tuple[Any, ...], code: int) -> Any:
        from lab.registry import EXPERIMENTS, experiment

        name = job[0]
        file, line = module_file(EXPERIMENTS[name].partition(":")[0]), 1
        if stage == "run":
            file, line = defined_at(experiment(name))
        when = "importing" if stage == "import" else "running"
        failure = LabFailure(file, line, f"{when} experiment '{name}': {without_result(code)}", "", "complete")
        return failure if stage == "import" else (failure, 0.0)

    return failure


def _cached(cached: Any, name: str, cache_dir: Path) -> Any:
    """The experiment's result from the disk cache, or None (a failure to read it is a miss)."""
    from lab.registry import experiment

    try:
        return cached(name, experiment(name), cache_dir)
    except Exception:
        return None


def _guarded(name: str, run: Any) -> Any:
    with no_writes(f"experiment '{name}'"):
        return run()


def _timed_run(name: str, cache_dir: Path | None) -> tuple[Any, float]:
    start = time.monotonic()
    outcome = _run_one(name, cache_dir)
    return outcome, time.monotonic() - start


def _run_one(name: str, cache_dir: Path | None) -> Any:
    """One experiment's result, or where and why it raised (a worker process may run this)."""
    from lab.registry import experiment
    from lab.runner.cache import cached_run

    try:
        run = experiment(name)
        # The same last bits whichever way the build reaches this run; and an endless loop ends.
        with one_blas_thread(), time_limit("lab", f"experiment '{name}'"):
            return cached_run(name, run, cache_dir, guard=no_writes) if cache_dir else _guarded(name, run)
    except BaseException as error:  # sys.exit() too: reported at its lab file and line, never a success
        return locate(error)


class LabRunError(Exception):
    """An experiment that failed when a page first asked for its result."""

    def __init__(self, name: str, failure: LabFailure) -> None:
        super().__init__(f"experiment '{name}' raised {failure.describe()}")
        self.name, self.failure = name, failure


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
            from lab.runner.cache import cached

            with time_limit("lab", f"loading experiment '{name}'"):  # the page's own limit pauses meanwhile
                outcome = _cached(cached, name, self._cache_dir)  # reading the cache runs no lab code
            if outcome is None:  # a miss: the run goes to a worker, like every run of lab code
                died = _died("run")
                outcome = run_parallel(_run_one, [(name, self._cache_dir)],
                                       died=lambda job, code: died(job, code)[0], deadline=lab_deadline())[0]
            if isinstance(outcome, LabFailure):  # it ran before; now it fails (a file it reads changed?)
                raise LabRunError(name, outcome)
            self._loaded[name] = outcome
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def prepare_lab(root: Path, docs_dir: Path) -> tuple[Mapping[str, Any], dict[str, LabFailure], list[Claim]]:
    """What a build needs from the lab: ``(results, errors, figure_failures)``, with the lab's files
    written into ``docs_dir``. Used by the MkDocs build and by ``python -m macros check`` alike."""
    cache_dir = root / CACHE_DIR
    try:
        names = current_experiments(docs_dir / LAB_ASSETS, fingerprint())
        if names is not None:  # the stamped files are exactly what these sources wrote, and they all ran
            return LazyResults(names, cache_dir), {}, []
        # The modules the build itself imports are tried in workers first: one that exits, crashes,
        # loops or writes files while it is imported is reported, and the build never imports it.
        modules = lab_modules_loaded_first()
        probes = dict(zip(modules, run_parallel(_probe_module, [(m,) for m in modules], died=_module_died,
                                                deadline=lab_deadline()), strict=True))
        if probes["lab.registry"] is not None:
            return {}, {"*": probes["lab.registry"]}, []
        # A package's __init__ imports its modules: one failure can come back from several probes.
        # Kept once, from the probe of the module where it happened when there is one.
        chosen: dict[tuple[str, int], LabFailure] = {}
        for module, failure in probes.items():
            if failure is not None and ((failure.file, failure.line) not in chosen
                                        or module_file(module) == failure.file):
                chosen[(failure.file, failure.line)] = failure
        broken = list(chosen.values())
        results, errors = lab_results(cache_dir)
        if broken:
            return results, errors, [error_claim(f.file, f.line, _module_failure_message(f)) for f in broken]
        return results, errors, (write_assets(docs_dir, results, cache_dir / "figures") if not errors else [])
    except BaseException as error:  # the registry or a module every experiment needs: the whole lab failed
        return {}, {"*": locate(error, stage="import")}, []


def _module_failure_message(failure: LabFailure) -> str:
    if failure.stage == "complete":
        return failure.summary
    what = "the lab's figures and tables" if failure.file.startswith(("lab/figures/", "lab/tables/")) else "the lab"
    return f"{what} could not be loaded: {failure.summary}; fix the lab"


def write_assets(docs_dir: Path, results: dict[str, Any], store: Path | None = None) -> list[Claim]:
    """Write the lab's files into the docs (resources must exist before the check looks for them);
    each figure or table that fails comes back as an error claim at its lab file and line."""
    try:
        from lab.runner.outputs import write_lab_assets

        write_lab_assets(docs_dir / LAB_ASSETS, results, store, progress=log.info)
    except BaseException as error:
        failures = getattr(error, "failures", None)  # lab.runner.outputs.FigureError: each figure and table that failed
        if failures is not None:
            return [error_claim(f.file, f.line, f.message, key=f.name) for f in failures]
        if isinstance(error, OSError):  # a full disk, a folder that cannot be written
            where = f" ({error.filename})" if error.filename else ""
            return [error_claim(f"docs/{LAB_ASSETS}", 1, f"the lab's files could not be written: "
                                f"{error.strerror or error}{where}; {what_to_do(error)}")]
        # a figure or table module that cannot be imported, a name used twice
        failure = locate(error, stage="import")
        return [error_claim(failure.file, failure.line, f"the lab's figures and tables could not be loaded: "
                                                        f"{failure.summary}; fix the lab")]
    return []
