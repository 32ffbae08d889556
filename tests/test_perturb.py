"""The perturbations behind the portability check: what they move, and what they leave alone."""

from __future__ import annotations

import numpy as np
import pytest

from lab import perturb


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
    assert {"blas-1", "blas-N", "nudge-1", "nudge-2", "nudge-3"} <= set(names)
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
