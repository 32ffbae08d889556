"""Rerun the lab with its arithmetic perturbed, to find the numbers a change of CPU would move.

Another CPU gets other BLAS kernels and other SIMD loops, which round the last bits of a matrix
product, a sum or an exponential differently. A well-conditioned quantity shrugs that off; a
chaotic one (a long training run at the edge of stability) amplifies it until its leading digits
move, and rounding noise (a finite-difference check's relative error) changes in every digit.
Each variant below perturbs the arithmetic in one of the ways a machine can, in a fresh process,
without touching ``OPENBLAS_CORETYPE`` (some machines set it because their CPU needs it):

* ``products-1`` to ``products-3``: every matrix product (``@``, ``.dot()``, ``np.matmul``,
  ``np.dot``, ``np.einsum``, ``np.linalg``), every power of an array (``**``) and every
  transcendental function (``np.exp``, ``np.log``, ...)
  of the lab has its result moved by up to two units in the last place, in three fixed patterns,
  as another kernel's summation order or another maths library would. A result that is a short
  binary fraction (``1.875``, ``-2.5``) was computed exactly, as every correct kernel computes it,
  and is left alone;
* ``nudge-1``, ``nudge-2``, ``nudge-3``: every floating-point draw of a random generator moved by up
  to four units in the last place, in three patterns: the data, the initial weights and the
  sampled matrices differ in their last bits, as after another kernel's first products;
* ``simd-baseline``: NumPy's own loops without the SIMD extensions this CPU adds to NumPy's
  baseline (``NPY_DISABLE_CPU_FEATURES``): an older or smaller CPU's sums and element-wise code;
* ``blas-N``: several BLAS threads instead of the one every build uses (a product split between
  threads may be summed in another order, as in another BLAS library).

``python -m lab.runner.perturb VARIANT_JSON OUT NAMES_JSON`` runs the named experiments under one variant
and stores each result in ``OUT``; ``run_variants`` runs them all, two at a time.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.abc
import importlib.machinery
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


PRODUCT_ULPS = 2
"""The largest move, in units in the last place, given to the result of a product or a function."""

PRODUCTS = ("matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "exp", "expm1", "log",
            "log1p", "log2", "log10", "sin", "cos", "tan", "tanh", "arctan", "power")
"""NumPy functions whose last bits depend on the kernel or the maths library (``np.linalg`` too)."""

EXACT_BITS = 30
"""A result whose value times 2**30 is an integer (and not huge) is taken to have been computed exactly."""


@dataclass(frozen=True)
class Variant:
    name: str
    what: str  # said in the report: how the arithmetic was perturbed
    env: dict[str, str] = field(default_factory=dict)
    nudge: int = 0  # seed of the random-draw nudge pattern; 0: no nudge
    products: int = 0  # seed of the product pattern; 0: products untouched
    threads: int = 1  # BLAS threads (every build uses one)


def variants() -> list[Variant]:
    """Every perturbation the portability check applies (see the module docstring)."""
    found = [Variant(f"products-{seed}", f"products and functions moved by up to {PRODUCT_ULPS} ulp (pattern {seed})",
                     products=seed) for seed in (1, 2, 3)]
    found += [Variant(f"nudge-{seed}", f"random draws moved by up to {NUDGE_ULPS} ulp (pattern {seed})", nudge=seed)
              for seed in (1, 2, 3)]
    extensions = simd_extensions()
    if extensions:
        found.append(Variant("simd-baseline", "NumPy without " + ", ".join(extensions),
                             {"NPY_DISABLE_CPU_FEATURES": " ".join(extensions)}))
    threads = max(2, os.cpu_count() or 1)
    found.append(Variant("blas-N", f"{threads} BLAS threads", threads=threads))
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
    return _like(value, array + steps * np.spacing(np.abs(array)))


def _like(value: Any, moved: Any) -> Any:
    """``moved`` (an array) as the kind of thing ``value`` was: an array, a NumPy scalar or a float."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return moved
    return moved[()] if isinstance(value, np.generic) else type(value)(moved)


def nudge_random_draws(seed: int) -> None:
    """From now on, in this process, ``np.random.default_rng`` hands out nudged generators."""
    import numpy as np

    make = np.random.default_rng
    pattern = make(10_000 + seed)

    def default_rng(*args: Any, **kwargs: Any) -> NudgedGenerator:
        return NudgedGenerator(make(*args, **kwargs), pattern)

    np.random.default_rng = default_rng


def moved_products(value: Any, seed: int) -> Any:
    """``value`` with each inexact float moved by -PRODUCT_ULPS..PRODUCT_ULPS units in the last place.

    The move is a function of the value's bits and the seed, as a kernel's result is a function of
    its inputs: the same computation done twice (the two sides of a finite difference that does not
    touch it) moves the same way, so it still cancels exactly."""
    import numpy as np

    if isinstance(value, tuple):  # np.linalg.eigh and friends return named tuples of arrays
        return type(value)(*(moved_products(item, seed) for item in value)) if hasattr(value, "_fields") \
            else tuple(moved_products(item, seed) for item in value)
    array = np.asarray(value)
    if array.dtype != np.float64:
        return value
    with np.errstate(over="ignore", invalid="ignore"):  # huge and infinite values are left alone below
        scaled = array * 2.0**EXACT_BITS
        exact = ((scaled == np.round(scaled)) & (np.abs(array) < 2.0**20)) | ~np.isfinite(array)
    key = np.uint64((seed * 0x632BE59BD9B4E019) % 2**64)
    with np.errstate(over="ignore"):  # the hash wraps around on purpose
        mixed = (array.copy(order="C").view(np.uint64) ^ key) * np.uint64(0x9E3779B97F4A7C15)
    buckets = ((mixed >> np.uint64(40)) % np.uint64(2 * PRODUCT_ULPS + 1)).astype(np.int64) - PRODUCT_ULPS
    steps = np.where(exact, 0, buckets)
    return _like(value, np.where(steps == 0, array, array + steps * np.spacing(np.abs(np.where(exact, 1.0, array)))))


class _Moved:
    """A NumPy function whose results are moved in their last bits; a ufunc's own methods
    (``np.power.outer``, ``np.add.reduce``) still work, unperturbed."""

    def __init__(self, function: Callable[..., Any], seed: int) -> None:
        self._function = function
        self._seed = seed

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        import numpy as np

        result = self._function(*args, **kwargs)
        out = kwargs.get("out")
        if isinstance(out, np.ndarray) and out.dtype == np.float64:
            out[...] = moved_products(out, self._seed)
            return out
        return moved_products(result, self._seed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._function, name)


def perturb_products(seed: int) -> None:
    """From now on, in this process: the products and functions of PRODUCTS and ``np.linalg``, and
    the ``@``, ``@=``, ``**`` and ``.dot()`` of every lab module imported after this call, return
    results moved in their last bits (operations on plain Python numbers are left as they are)."""
    import builtins

    import numpy as np

    for name in PRODUCTS:
        setattr(np, name, _Moved(getattr(np, name), seed))
    for name in ("eig", "eigh", "eigvals", "eigvalsh", "norm", "solve", "inv", "det", "svd", "lstsq", "pinv"):
        setattr(np.linalg, name, _Moved(getattr(np.linalg, name), seed))

    def arrays(*values: Any) -> bool:
        return any(isinstance(value, np.ndarray | np.generic) for value in values)

    def imatmul(a: Any, b: Any) -> Any:
        if not isinstance(a, np.ndarray):
            return np.matmul(a, b)
        a[...] = np.matmul(a, b)  # in place, as ``a @= b`` is on an array
        return a

    def power(a: Any, b: Any) -> Any:
        return np.power(a, b) if arrays(a, b) else a**b

    def dot(a: Any, *args: Any, **kwargs: Any) -> Any:
        return np.dot(a, *args, **kwargs) if isinstance(a, np.ndarray) else a.dot(*args, **kwargs)

    builtins.__lab_matmul__ = np.matmul  # what the rewritten lab code calls (np.matmul, moved above)
    builtins.__lab_imatmul__ = imatmul
    builtins.__lab_power__ = power
    builtins.__lab_dot__ = dot
    sys.meta_path.insert(0, _MatmulFinder())


def _load(node: ast.expr) -> ast.expr:
    """The same target read instead of written (``a``, ``obj.x``, ``a[i]``)."""
    copy = ast.parse(ast.unparse(node), mode="eval").body
    return ast.copy_location(copy, node)


class _MatmulRewriter(ast.NodeTransformer):
    """``a @ b`` -> ``__lab_matmul__(a, b)``, ``a @= b`` -> ``a = __lab_imatmul__(a, b)``,
    ``a ** b`` -> ``__lab_power__(a, b)``, ``a.dot(b)`` -> ``__lab_dot__(a, b)``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = {ast.MatMult: "__lab_matmul__", ast.Pow: "__lab_power__"}.get(type(node.op))
        if helper is None:
            return node
        return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()), [node.left, node.right], []), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.MatMult):  # ``**=`` stays in place, unperturbed
            return node
        call = ast.Call(ast.Name("__lab_imatmul__", ast.Load()), [_load(node.target), node.value], [])
        return ast.copy_location(ast.Assign([node.target], call), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.func, ast.Attribute) or node.func.attr != "dot":
            return node
        if isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy"):
            return node  # np.dot itself is moved where it is defined
        return ast.copy_location(ast.Call(ast.Name("__lab_dot__", ast.Load()), [node.func.value, *node.args],
                                          node.keywords), node)


class _MatmulLoader(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname: str) -> Any:  # always from source: a cached .pyc has the plain ``@``
        tree = _MatmulRewriter().visit(ast.parse(self.get_data(self.path), filename=self.path))
        return compile(ast.fix_missing_locations(tree), self.path, "exec", dont_inherit=True)


class _MatmulFinder(importlib.abc.MetaPathFinder):
    """Loads every lab module (but this one) through ``_MatmulLoader``."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if not name.startswith("lab.") or name == __name__ or name == "lab.runner.perturb":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = _MatmulLoader(spec.loader.name, spec.loader.path)
        return spec


def run_variant(variant: Variant, out: Path, names: list[str] | None = None) -> dict[str, str]:
    """In this process: the named experiments (default: all) under ``variant``, stored in ``out``;
    returns the failures. Must run before any lab experiment module is imported."""
    from threadpoolctl import threadpool_limits

    if variant.nudge:
        nudge_random_draws(variant.nudge)
    if variant.products:
        perturb_products(variant.products)
    from lab.registry import EXPERIMENTS, experiment
    from lab.runner.failures import locate

    failures = {}
    for name in EXPERIMENTS:
        if names is not None and name not in names:
            continue
        try:
            with threadpool_limits(limits=variant.threads, user_api="blas"):
                result = experiment(name)()
        except BaseException as error:  # an import error or sys.exit() in an experiment is its failure too
            failures[name] = locate(error).describe()
            continue
        try:  # pickle: only between this worker and the parent that started it, through a private folder
            (out / f"{name}.pickle").write_bytes(pickle.dumps(result))
        except Exception as error:
            failures[name] = f"{name}: its result cannot be passed back to the check ({error})"
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
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory(prefix="perturb-") as scratch:
        def one(variant: Variant) -> Perturbed:
            out = Path(scratch) / variant.name
            out.mkdir()
            env = {**os.environ, **variant.env, "PYTHONDONTWRITEBYTECODE": "1"}
            spec = json.dumps(dataclasses.asdict(variant))
            wanted = json.dumps(list(EXPERIMENTS) if names is None else names)
            done = subprocess.run([sys.executable, "-m", "lab.runner.perturb", spec, str(out), wanted], cwd=root,
                                  env=env, capture_output=True, text=True, timeout=timeout, check=False)
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
        print("usage: python -m lab.runner.perturb VARIANT_JSON OUT NAMES_JSON (run_variants starts this)",
              file=sys.stderr)
        return 2
    print(json.dumps(run_variant(Variant(**json.loads(argv[0])), Path(argv[1]), json.loads(argv[2]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
