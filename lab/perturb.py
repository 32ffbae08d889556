"""Rerun the lab with its arithmetic perturbed, to find the numbers a change of CPU would move.

Another CPU gets other BLAS kernels and other SIMD loops, which round the last bits of a matrix
product or a sum differently. A well-conditioned quantity shrugs that off; a chaotic one (a long
training run at the edge of stability) amplifies it until its leading digits move. Each variant
below perturbs the arithmetic in one of the ways a machine can, in a fresh process, without
touching ``OPENBLAS_CORETYPE`` (some machines set it because their CPU needs it):

* ``blas-1``, ``blas-N``: one BLAS thread, then several (a product split between threads may be
  summed in another order);
* ``simd-baseline``: NumPy's own loops without the SIMD extensions this CPU adds to NumPy's
  baseline (``NPY_DISABLE_CPU_FEATURES``): an older or smaller CPU's summation and element-wise code;
* ``nudge-1``, ``nudge-2``, ``nudge-3``: every floating-point draw of a random generator moved by up
  to four units in the last place, in three fixed patterns. The data, the initial weights and the
  sampled matrices then differ in their last bits, as another kernel's first products would.

``python -m lab.perturb VARIANT_JSON OUT NAMES_JSON`` runs the named experiments under one variant and stores each
result in ``OUT``; ``run_variants`` runs them all, two at a time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NUDGE_ULPS = 4
"""The largest nudge, in units in the last place, given to a random draw."""

FLOAT_DRAWS = frozenset({
    "random", "standard_normal", "normal", "uniform", "standard_exponential", "exponential", "beta",
    "gamma", "standard_gamma", "laplace", "lognormal", "logistic", "gumbel", "rayleigh", "wald",
    "weibull", "pareto", "power", "chisquare", "standard_t", "standard_cauchy", "triangular",
    "vonmises", "multivariate_normal", "dirichlet", "f",
})
"""Methods of ``numpy.random.Generator`` that return floating-point draws."""


@dataclass(frozen=True)
class Variant:
    name: str
    what: str  # said in the report: how the arithmetic was perturbed
    env: dict[str, str] = field(default_factory=dict)
    nudge: int = 0  # seed of the nudge pattern; 0: no nudge


def variants() -> list[Variant]:
    """Every perturbation the portability check applies (see the module docstring)."""
    threads = str(max(2, os.cpu_count() or 1))
    found = [Variant("blas-1", "one BLAS thread", {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}),
             Variant("blas-N", f"{threads} BLAS threads",
                     {"OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads})]
    extensions = simd_extensions()
    if extensions:
        found.append(Variant("simd-baseline", "NumPy without " + ", ".join(extensions),
                             {"NPY_DISABLE_CPU_FEATURES": " ".join(extensions)}))
    found += [Variant(f"nudge-{seed}", f"random draws moved by up to {NUDGE_ULPS} ulp (pattern {seed})", nudge=seed)
              for seed in (1, 2, 3)]
    return found


def simd_extensions() -> list[str]:
    """The SIMD targets NumPy dispatches to on this CPU beyond its baseline (empty if unknown)."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:
        return []
    features = getattr(umath, "__cpu_features__", {})
    return [name for name in getattr(umath, "__cpu_dispatch__", []) if features.get(name)]


class NudgedGenerator:
    """A random generator whose floating-point draws are moved by a few units in the last place."""

    def __init__(self, inner: Any, pattern: Any) -> None:
        self._inner = inner
        self._pattern = pattern

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in FLOAT_DRAWS:
            return attribute

        def draw(*args: Any, **kwargs: Any) -> Any:
            return nudged(attribute(*args, **kwargs), self._pattern)

        return draw


def nudged(value: Any, pattern: Any) -> Any:
    """``value`` with each float moved by -NUDGE_ULPS..NUDGE_ULPS units in the last place."""
    import numpy as np

    array = np.asarray(value)
    if array.dtype.kind != "f":
        return value
    steps = pattern.integers(-NUDGE_ULPS, NUDGE_ULPS + 1, size=array.shape)
    moved = array + steps * np.spacing(np.abs(array))
    return moved if isinstance(value, np.ndarray) else type(value)(moved)


def nudge_random_draws(seed: int) -> None:
    """From now on, in this process, ``np.random.default_rng`` hands out nudged generators."""
    import numpy as np

    make = np.random.default_rng
    pattern = make(10_000 + seed)

    def default_rng(*args: Any, **kwargs: Any) -> NudgedGenerator:
        return NudgedGenerator(make(*args, **kwargs), pattern)

    np.random.default_rng = default_rng


def run_variant(variant: Variant, out: Path, names: list[str] | None = None) -> dict[str, str]:
    """In this process: the named experiments (default: all) under ``variant``, stored in ``out``;
    returns the failures."""
    from lab.failures import locate
    from lab.registry import EXPERIMENTS

    if variant.nudge:
        nudge_random_draws(variant.nudge)
    failures = {}
    for name, run in EXPERIMENTS.items():
        if names is not None and name not in names:
            continue
        try:
            result = run()
        except Exception as error:
            failures[name] = locate(error).describe()
            continue
        # pickle: only between this worker and the parent that started it, through a private folder
        (out / f"{name}.pickle").write_bytes(pickle.dumps(result))
    return failures


@dataclass
class Perturbed:
    """One variant's results (experiment -> result) and the experiments that failed under it."""

    variant: Variant
    results: dict[str, Any]
    failures: dict[str, str]


def run_variants(chosen: list[Variant] | None = None, names: list[str] | None = None, timeout: float = 900,
                 progress: Callable[[str], None] | None = None) -> list[Perturbed]:
    """The named experiments (default: all) under each variant, each variant in a fresh process (its
    environment must be set before NumPy loads), two at a time."""
    from lab.registry import EXPERIMENTS

    chosen = variants() if chosen is None else chosen
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="perturb-") as scratch:
        def one(variant: Variant) -> Perturbed:
            out = Path(scratch) / variant.name
            out.mkdir()
            env = {**os.environ, **variant.env, "PYTHONDONTWRITEBYTECODE": "1"}
            spec = json.dumps(dataclasses.asdict(variant))
            wanted = json.dumps(list(EXPERIMENTS) if names is None else names)
            done = subprocess.run([sys.executable, "-m", "lab.perturb", spec, str(out), wanted], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=timeout, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"variant {variant.name} failed:\n{done.stderr[-3000:]}")
            failures = json.loads(done.stdout.splitlines()[-1])
            results = {name: pickle.loads((out / f"{name}.pickle").read_bytes())
                       for name in EXPERIMENTS if (names is None or name in names) and name not in failures}
            if progress:
                progress(f"ran the lab with {variant.what}")
            return Perturbed(variant, results, failures)

        with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
            return list(pool.map(one, chosen))


def main(argv: list[str]) -> int:
    """The worker: its variant comes as JSON, since its environment may already hide what it names."""
    if len(argv) != 3:
        print("usage: python -m lab.perturb VARIANT_JSON OUT NAMES_JSON (run_variants starts this)", file=sys.stderr)
        return 2
    print(json.dumps(run_variant(Variant(**json.loads(argv[0])), Path(argv[1]), json.loads(argv[2]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
