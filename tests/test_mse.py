"""The MSE experiment: dL/dW = e x^T and dL/db = e, checked three independent ways."""

from __future__ import annotations

import numpy as np
import pytest

from lab import mse
from lab.gradcheck import numeric_gradient, rel_error


def naive_grad_w(W: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dW_jk = e_j x_k written as loops, with no matrix products."""
    rows, cols = W.shape
    e = [sum(W[j, k] * x[k, 0] for k in range(cols)) + b[j, 0] - y[j, 0] for j in range(rows)]
    return np.array([[e[j] * x[k, 0] for k in range(cols)] for j in range(rows)])


@pytest.mark.parametrize(("seed", "n_out", "n_in"), [(0, 2, 3), (1, 4, 5), (2, 1, 7), (3, 6, 1)])
def test_backward_matches_finite_differences_and_loops(seed: int, n_out: int, n_in: int) -> None:
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_out, n_in))
    b = rng.standard_normal((n_out, 1))
    x = rng.standard_normal((n_in, 1))
    y = rng.standard_normal((n_out, 1))
    e, _ = mse.forward(W, b, x, y)
    grad_W, grad_b = mse.backward(e, x)
    assert grad_W.shape == W.shape
    assert grad_b.shape == b.shape
    assert rel_error(grad_W, numeric_gradient(lambda: mse.forward(W, b, x, y)[1], W)) < 1e-7
    assert rel_error(grad_b, numeric_gradient(lambda: mse.forward(W, b, x, y)[1], b)) < 1e-7
    np.testing.assert_allclose(grad_W, naive_grad_w(W, b, x, y), rtol=1e-12)


def test_worked_example_matches_the_textbook_values() -> None:
    # The source material's hand calculation: e = [0.2, 1.25], x = [1.5, -2.0, 0.5].
    result = mse.run()
    np.testing.assert_allclose(result.e[:, 0], [0.2, 1.25], atol=1e-12)
    np.testing.assert_allclose(result.x[:, 0], [1.5, -2.0, 0.5])
    np.testing.assert_allclose(result.grad_W, [[0.300, -0.400, 0.100], [1.875, -2.500, 0.625]], atol=1e-12)
    np.testing.assert_allclose(result.grad_b[:, 0], [0.2, 1.25], atol=1e-12)
    assert result.loss == pytest.approx(0.5 * (0.2**2 + 1.25**2), abs=1e-12)


def test_worked_example_gradient_check_is_tight() -> None:
    result = mse.run()
    assert result.error_norm_W < 1e-9
    assert result.error_norm_b < 1e-9
    assert result.rel_error_W < 1e-7
    assert f"{result.grad_W[0, 0]:.6f}" == "0.300000"
    assert f"{result.grad_W[1, 1]:.6f}" == "-2.500000"
    assert f"{result.error_norm_W:.6f}" == "0.000000"


def test_run_is_deterministic_and_does_not_touch_module_constants() -> None:
    first, second = mse.run(), mse.run()
    np.testing.assert_array_equal(first.numeric_grad_W, second.numeric_grad_W)
    np.testing.assert_array_equal(mse.W_EXAMPLE, [[0.2, -0.1, 0.4], [0.5, 0.3, -0.2]])
