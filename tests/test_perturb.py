"""The perturbations behind the portability check: what they move, and what they leave alone."""

from __future__ import annotations

import numpy as np
import pytest

from lab.runner import perturb


def test_nudged_draws_move_by_a_few_units_in_the_last_place_and_integers_not_at_all() -> None:
    plain = np.random.default_rng(7)
    nudged = perturb.NudgedGenerator(np.random.default_rng(7), np.random.default_rng(1))
    a, b = plain.standard_normal(10_000), nudged.standard_normal(10_000)
    ulps = np.abs(a - b) / np.spacing(np.abs(a))
    assert 0 < np.count_nonzero(ulps) < a.size
    assert ulps.max() <= perturb.NUDGE_ULPS
    assert plain.integers(0, 100, 50).tolist() == nudged.integers(0, 100, 50).tolist()
    assert isinstance(nudged.random(), float)


def test_nudge_random_draws_replaces_default_rng_for_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(np.random, "default_rng", np.random.default_rng)
    before = np.random.default_rng(0).standard_normal(1000)
    perturb.nudge_random_draws(1)
    after = np.random.default_rng(0).standard_normal(1000)
    assert not np.array_equal(before, after)
    np.testing.assert_allclose(before, after, rtol=1e-14)


def test_no_variant_changes_the_openblas_kernel() -> None:
    """Some machines set OPENBLAS_CORETYPE because their CPU needs that value: never touch it."""
    names = [variant.name for variant in perturb.variants()]
    assert {"products-1", "products-2", "products-3", "nudge-1", "nudge-2", "nudge-3", "blas-N"} <= set(names)
    for variant in perturb.variants():
        assert not {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} & set(variant.env)


def test_a_variant_runs_in_its_own_process_and_returns_results() -> None:
    nudge = next(v for v in perturb.variants() if v.name == "nudge-1")
    [outcome] = perturb.run_variants([nudge], names=["mse", "twolayer"])
    assert set(outcome.results) == {"mse", "twolayer"}
    assert outcome.failures == {}
    from lab import mse, twolayer

    assert outcome.results["mse"].grad_W.tolist() == mse.run().grad_W.tolist()  # no random draw in mse
    plain = twolayer.run()
    assert outcome.results["twolayer"].losses[-1] != plain.losses[-1]  # its data are random draws
    assert outcome.results["twolayer"].losses[-1] == pytest.approx(plain.losses[-1], rel=1e-9)


def test_moved_products_leave_exact_results_alone_and_move_the_rest_by_their_value() -> None:
    values = np.array([0.1, 0.3, 1 / 3, 2.0 / 7, 1.875, -2.5, 0.0, np.inf, -np.inf, np.nan, 1e300])
    moved = perturb.moved_products(values, 1)
    exact = [1.875, -2.5, 0.0, np.inf, -np.inf]
    assert np.isin(exact, moved).all()
    assert np.isnan(moved[9])
    with np.errstate(invalid="ignore"):
        ulps = np.abs(moved - values) / np.spacing(np.abs(values))
    assert np.nanmax(ulps[np.isfinite(values)]) <= perturb.PRODUCT_ULPS
    assert not np.array_equal(perturb.moved_products(values, 1)[:4], perturb.moved_products(values, 2)[:4])
    # the same value moves the same way wherever it appears: a computation done twice still cancels
    again = perturb.moved_products(np.array([[2.0 / 7, 0.1], [0.1, 2.0 / 7]]), 1)
    assert again[0, 0] == again[1, 1] == moved[3]
    assert again[0, 1] == again[1, 0] == moved[0]
    assert isinstance(perturb.moved_products(0.1, 1), float)


def test_the_products_variant_moves_inexact_products_of_the_lab_and_keeps_exact_ones() -> None:
    """mse's gradient e x^T has the inexact 0.2 * 1.5 and the exact 1.25 * 1.5 = 1.875."""
    from lab import mse

    products = next(v for v in perturb.variants() if v.name == "products-1")
    [outcome] = perturb.run_variants([products], names=["mse"])
    plain, moved = mse.run().grad_W, outcome.results["mse"].grad_W
    assert plain[1, 0] == moved[1, 0] == 1.875
    assert not np.array_equal(plain, moved)
    np.testing.assert_allclose(moved, plain, rtol=1e-15)


def test_the_rewrite_keeps_the_meaning_of_the_code_it_perturbs() -> None:
    """``@``, ``@=``, ``**`` and ``.dot()`` go through the moved functions, with the same results up
    to the last bits, in-place updates stay in place and plain Python numbers are left alone."""
    import ast
    import builtins

    source = """
alias = A
A @= M
product = B @ M
squares = B ** 2
count = 2 ** 10
inner = B.dot(M)
outer = np.power.outer(np.arange(3.0), [2.0, 3.0])
"""
    tree = perturb._MatmulRewriter().visit(ast.parse(source))
    code = compile(ast.fix_missing_locations(tree), "<rewritten>", "exec")
    saved = {name: getattr(np, name) for name in perturb.PRODUCTS}
    saved_linalg = dict(vars(np.linalg))
    try:
        perturb.perturb_products(1)
        import sys

        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, perturb._MatmulFinder)]
        A, M = np.eye(2) / 3, np.array([[1.0, 2.0], [3.0, 5.0]]) / 7
        B = np.array([[0.1, 0.2], [0.3, 0.4]])
        scope = {"np": np, "A": A, "M": M, "B": B}
        exec(code, scope)
    finally:
        for name, function in saved.items():
            setattr(np, name, function)
        for name, function in saved_linalg.items():
            setattr(np.linalg, name, function)
        for name in ("__lab_matmul__", "__lab_imatmul__", "__lab_power__", "__lab_dot__"):
            delattr(builtins, name)
    assert scope["alias"] is scope["A"]  # updated in place, as ``@=`` does on an array
    np.testing.assert_allclose(scope["A"], np.eye(2) / 3 @ M, rtol=1e-15)
    np.testing.assert_allclose(scope["product"], B @ M, rtol=1e-15)
    np.testing.assert_allclose(scope["squares"], B**2, rtol=1e-15)
    np.testing.assert_allclose(scope["inner"], B @ M, rtol=1e-15)
    assert scope["count"] == 1024
    assert type(scope["count"]) is int
    np.testing.assert_array_equal(scope["outer"], np.power.outer(np.arange(3.0), [2.0, 3.0]))
    assert not np.array_equal(scope["product"], B @ M)  # and the products did move
    assert np.linalg.norm is saved_linalg["norm"]  # nothing leaks into the rest of the test session
