"""The finite-difference helper itself, against closed-form derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from lab.gradcheck import error_norm, numeric_gradient, rel_error


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numeric_gradient_of_quadratic_form_matches_closed_form(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((4, 4))
    v = rng.standard_normal(4)
    numeric = numeric_gradient(lambda: float(v @ A @ v), v)
    assert rel_error((A + A.T) @ v, numeric) < 1e-8


def test_numeric_gradient_of_sine_matches_cosine() -> None:
    theta = np.array([0.3, -1.2, 2.0])
    numeric = numeric_gradient(lambda: float(np.sum(np.sin(theta))), theta)
    np.testing.assert_allclose(numeric, np.cos(theta), rtol=1e-9)


def test_numeric_gradient_restores_the_parameter() -> None:
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = w.copy()
    numeric_gradient(lambda: float(np.sum(w**3)), w)
    np.testing.assert_array_equal(w, before)


def test_rel_error_is_zero_for_equal_and_one_for_opposite() -> None:
    a = np.array([1.0, -2.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(a, -a) == 1.0
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0


def test_error_norm_is_frobenius_norm_of_difference() -> None:
    assert error_norm(np.array([[3.0, 0.0]]), np.array([[0.0, 4.0]])) == 5.0
