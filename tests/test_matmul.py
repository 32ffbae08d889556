"""The matrix-product experiment: dL/dW = G X^T, dL/dX = W^T G, and the rows-as-samples twins."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lab import matmul
from lab.gradcheck import numeric_gradient, rel_error

SHAPES = [(0, 1, 1, 1), (1, 2, 3, 4), (2, 4, 1, 6), (3, 3, 5, 2), (4, 6, 4, 3), (5, 1, 7, 2)]
"""(seed, H, m, n): none of these equals the lab's own list of checked shapes and seeds."""


def tanh_loss(D: np.ndarray, C: np.ndarray) -> tuple[float, np.ndarray]:
    """A loss that is not quadratic, L = sum(C * tanh(D)): the formulas must not care what f is."""
    return float(np.sum(C * np.tanh(D))), C * (1.0 - np.tanh(D) ** 2)


LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "half_squared": matmul.half_squared_loss,
    "tanh": tanh_loss,
}


def naive_grads(G: np.ndarray, W: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dL/dW_dc = sum_j G_dj X_cj and dL/dX_cj = sum_d W_dc G_dj as plain triple loops."""
    H, m = W.shape
    n = X.shape[1]
    grad_W = [[sum(G[d, j] * X[c, j] for j in range(n)) for c in range(m)] for d in range(H)]
    grad_X = [[sum(W[d, c] * G[d, j] for d in range(H)) for j in range(n)] for c in range(m)]
    return np.array(grad_W), np.array(grad_X)


def random_problem(seed: int, H: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((H, m)), rng.standard_normal((m, n)), rng.standard_normal((H, n))


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize(("seed", "H", "m", "n"), SHAPES)
def test_columns_as_samples_matches_finite_differences(seed: int, H: int, m: int, n: int,
                                                       loss_name: str) -> None:
    W, X, T = random_problem(seed, H, m, n)
    loss = LOSSES[loss_name]
    _, G = loss(W @ X, T)
    grad_W, grad_X = matmul.backward_cols(G, W, X)
    assert grad_W.shape == (H, m)
    assert grad_X.shape == (m, n)
    assert rel_error(grad_W, numeric_gradient(lambda: loss(W @ X, T)[0], W)) < 1e-7
    assert rel_error(grad_X, numeric_gradient(lambda: loss(W @ X, T)[0], X)) < 1e-7


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize(("seed", "H", "m", "n"), SHAPES)
def test_rows_as_samples_matches_finite_differences(seed: int, H: int, m: int, n: int,
                                                    loss_name: str) -> None:
    rng = np.random.default_rng(100 + seed)  # data drawn directly in the rows layout
    X, W, T = rng.standard_normal((n, m)), rng.standard_normal((m, H)), rng.standard_normal((n, H))
    loss = LOSSES[loss_name]
    _, G = loss(X @ W, T)
    grad_W, grad_X = matmul.backward_rows(G, X, W)
    assert grad_W.shape == (m, H)
    assert grad_X.shape == (n, m)
    assert rel_error(grad_W, numeric_gradient(lambda: loss(X @ W, T)[0], W)) < 1e-7
    assert rel_error(grad_X, numeric_gradient(lambda: loss(X @ W, T)[0], X)) < 1e-7


@pytest.mark.parametrize(("seed", "H", "m", "n"), SHAPES)
def test_entry_sum_matrix_formula_and_triple_loop_agree(seed: int, H: int, m: int, n: int) -> None:
    W, X, G = random_problem(seed, H, m, n)  # any G will do: the formulas are linear in it
    loop_W, loop_X = naive_grads(G, W, X)
    grad_W, grad_X = matmul.backward_cols(G, W, X)
    np.testing.assert_allclose(matmul.grad_weights_by_entries(G, X), loop_W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_W, loop_W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_X, loop_X, rtol=1e-12, atol=1e-14)
    d, c = H - 1, m - 1
    assert float(np.sum(matmul.entry_terms(G, X, d, c))) == pytest.approx(loop_W[d][c], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(("seed", "H", "m", "n"), SHAPES)
def test_rows_layout_is_the_transpose_of_the_columns_layout(seed: int, H: int, m: int, n: int) -> None:
    W, X, T = random_problem(seed, H, m, n)
    _, G = matmul.half_squared_loss(W @ X, T)
    loss_rows, G_rows = matmul.half_squared_loss(X.T @ W.T, T.T)
    assert loss_rows == pytest.approx(matmul.half_squared_loss(W @ X, T)[0], rel=1e-12)
    np.testing.assert_allclose(G_rows, G.T, rtol=1e-12, atol=1e-14)
    grad_W, grad_X = matmul.backward_cols(G, W, X)
    grad_W_rows, grad_X_rows = matmul.backward_rows(G_rows, X.T, W.T)
    np.testing.assert_allclose(grad_W_rows, grad_W.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_X_rows, grad_X.T, rtol=1e-12, atol=1e-14)
    rel, gaps = matmul.check_both_conventions(W, X, T)
    assert rel.shape == (4,)
    assert np.all(rel < 1e-7)
    assert np.all(gaps < 1e-12)


@pytest.mark.parametrize(("seed", "H", "m", "n"), SHAPES)
def test_jacobian_has_one_x_entry_per_matching_row(seed: int, H: int, m: int, n: int) -> None:
    W, X, _ = random_problem(seed, H, m, n)
    jacobian = matmul.output_jacobian_wrt_weights(W, X)
    # dD_ij/dW_dc = [i == d] X_cj, written with an identity instead of the lab's differences.
    expected = np.einsum("id,cj->ijdc", np.eye(H), X)
    np.testing.assert_allclose(jacobian, expected, atol=1e-9)
    assert np.count_nonzero(np.abs(jacobian) > 1e-8) == H * n * m


def test_worked_example_by_hand() -> None:
    result = matmul.run()
    # Worked by hand from W, X and G = [[1, -1, 0.5, 2], [-0.5, 1, 2, -1]].
    np.testing.assert_allclose(result.D, [[-3, -1, 8, 4], [3.5, 2, 1.5, -0.5]], atol=1e-12)
    np.testing.assert_allclose(result.T, [[-4, 0, 7.5, 2], [4, 1, -0.5, 0.5]], atol=1e-12)
    assert result.loss == pytest.approx(0.5 * (1 + 1 + 0.25 + 4 + 0.25 + 1 + 4 + 1), abs=1e-12)
    np.testing.assert_allclose(result.entry_terms, [-0.5, -2.0, 6.0, -1.0], atol=1e-12)
    assert result.entry_sum == pytest.approx(2.5, abs=1e-12)
    np.testing.assert_allclose(result.grad_W, [[6.5, -1.5, 1.0], [2.5, -1.0, 4.5]], atol=1e-12)
    np.testing.assert_allclose(result.grad_X[:, 0], [1 * 1 + 0.5 * -0.5, -1 * 1 + 2 * -0.5, 2 * 1 + 1 * -0.5])
    np.testing.assert_allclose(result.grad_W_rows, result.grad_W.T, atol=0)
    assert (result.jacobian_entries, result.jacobian_nonzero) == (2 * 4 * 2 * 3, 2 * 4 * 3)


def test_lab_checks_are_tight_and_counted() -> None:
    result = matmul.run()
    example = (result.rel_error_W, result.rel_error_X, result.rel_error_W_rows, result.rel_error_X_rows)
    assert max(example) < 1e-9
    assert result.error_norm_W < 1e-8
    assert result.check_rel_errors.shape == (len(matmul.CHECK_SHAPES), 4)
    assert result.max_check_rel_error < 1e-7
    assert result.max_check_transpose_gap < 1e-12
    assert result.check_count == 6
    assert result.check_entries == sum(2 * (H * m + m * n) for H, m, n in matmul.CHECK_SHAPES)
    assert (result.transpose_gap_W, result.transpose_gap_X) == (0.0, 0.0)


def test_run_is_deterministic_and_leaves_constants_alone() -> None:
    first, second = matmul.run(), matmul.run()
    np.testing.assert_array_equal(first.check_rel_errors, second.check_rel_errors)
    np.testing.assert_array_equal(first.numeric_grad_X, second.numeric_grad_X)
    np.testing.assert_array_equal(matmul.W_EXAMPLE, [[1.0, -1.0, 2.0], [0.5, 2.0, 1.0]])
