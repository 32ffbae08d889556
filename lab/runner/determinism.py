"""Does each experiment give the same result every time? A published number must not depend on the
run: an unseeded random generator, the clock, state kept between runs or the order of a set (which
follows Python's hash seed) would change it after the caches are cleared, silently.

Each experiment runs twice in this process and once more in a fresh process with another hash
seed; every field must agree bit for bit. ``python -m macros check --twice`` reports a difference
at the experiment's run function, and the test suite runs this on every experiment.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.runner.failures import lab_path
from lab.runner.parallel import one_blas_thread


@dataclass(frozen=True)
class Difference:
    experiment: str
    file: str
    line: int
    field: str
    how: str  # "a second run in this process", "a run in a fresh process with another hash seed"

    def describe(self) -> str:
        what = f"gave another {self.field} on" if self.field else "failed on"
        return (f"{self.file}:{self.line}: experiment '{self.experiment}' {what} {self.how}; "
                "seed every random generator (np.random.default_rng(0)), keep no state between runs and do not "
                "depend on the clock or on the order of a set: a published number must not depend on the run")


def _same(a: Any, b: Any) -> bool:
    """Bit for bit equal, looking inside arrays, dataclasses, sequences and mappings."""
    import numpy as np

    if isinstance(a, np.ndarray | np.generic) or isinstance(b, np.ndarray | np.generic):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype == object or b.dtype == object:
            return a.shape == b.shape and all(_same(x, y) for x, y in zip(a.ravel(), b.ravel(), strict=True))
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return bool(a == b)


def _first_difference(first: Any, second: Any) -> str | None:
    for field in dataclasses.fields(first):
        if not _same(getattr(first, field.name), getattr(second, field.name)):
            return field.name
    return None


def _run(name: str) -> Any:
    from lab.registry import experiment

    with one_blas_thread():
        return experiment(name)()


def rerun_differences(names: list[str] | None = None) -> list[Difference]:
    """Every experiment (or the named ones) whose result changes from one run to the next."""
    from lab.registry import EXPERIMENTS

    chosen = list(EXPERIMENTS) if names is None else names
    firsts = {}
    for name in chosen:
        try:
            firsts[name] = _run(name)
        except BaseException:  # a failing experiment is the check's and the build's to report
            continue
    found = []
    for name in firsts:
        try:
            field = _first_difference(firsts[name], _run(name))
        except BaseException as error:
            found.append(_difference(name, "", f"a second run in this process, which raised {error!r}"))
            continue
        if field is not None:
            found.append(_difference(name, field, "a second run in this process"))
    others, failed = _fresh_process_results([n for n in firsts if all(d.experiment != n for d in found)])
    for name, result in others.items():
        field = _first_difference(firsts[name], result)
        if field is not None:
            found.append(_difference(name, field, "a run in a fresh process with another hash seed"))
    found += [_difference(name, "", f"a run in a fresh process, which failed: {why}") for name, why in failed.items()]
    return found


def _difference(name: str, field: str, how: str) -> Difference:
    from lab.registry import experiment

    run = inspect.unwrap(experiment(name))
    return Difference(name, lab_path(Path(inspect.getsourcefile(run) or "")), run.__code__.co_firstlineno,
                      f"'{field}'" if field else "", how)


def _fresh_process_results(names: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Each named experiment's result from a fresh process, and why each one that failed there failed."""
    if not names:
        return {}, {}
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory(prefix="twice-") as scratch:
        out = Path(scratch) / "results.pickle"
        env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run([sys.executable, "-m", "lab.runner.determinism", json.dumps(names), str(out)], cwd=root,
                              env=env, check=False, capture_output=True, text=True)
        if not out.exists():
            why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            return {}, dict.fromkeys(names, why)
        return pickle.loads(out.read_bytes())


if __name__ == "__main__":  # the fresh process: run the named experiments, pickle their results
    wanted, results, failures = json.loads(sys.argv[1]), {}, {}
    for wanted_name in wanted:
        try:
            results[wanted_name] = _run(wanted_name)
        except BaseException as error:  # reported by the parent at the experiment
            failures[wanted_name] = repr(error)
    Path(sys.argv[2]).write_bytes(pickle.dumps((results, failures)))
