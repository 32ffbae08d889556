"""The two-layer network: every gradient of the backward pass against finite differences, the trace
identities the derivation uses, an explicit per-entry loop as an independent reference, training."""

from __future__ import annotations

import numpy as np
import pytest

from lab import twolayer
from lab.gradcheck import numeric_gradient, rel_error

SHAPES = [  # (seed, N, D_in, H, D_out)
    (0, 2, 3, 2, 2),
    (1, 4, 5, 3, 2),
    (2, 3, 2, 6, 4),
    (3, 8, 6, 5, 1),
    (4, 1, 4, 7, 3),
]


def random_problem(seed: int, n: int, d_in: int, hidden: int, d_out: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, d_in)), rng.standard_normal((n, d_out)),
            rng.standard_normal((d_in, hidden)), rng.standard_normal((hidden, d_out)))


@pytest.fixture(scope="module")
def result() -> twolayer.TwoLayerResult:
    return twolayer.run()


def loop_gradients(x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> tuple[np.ndarray, ...]:
    """dL/dw1 and dL/dw2 from the chain rule on scalars, one entry at a time, with no matrix product.

    L = sum_nk E_nk^2, E_nk = sum_j r_nj w2_jk - y_nk, r_nj = max(h_nj, 0), h_nj = sum_i x_ni w1_ij.
    """
    n, d_in = x.shape
    hidden, d_out = w2.shape
    h = [[sum(x[a, i] * w1[i, j] for i in range(d_in)) for j in range(hidden)] for a in range(n)]
    r = [[max(h[a][j], 0.0) for j in range(hidden)] for a in range(n)]
    E = [[sum(r[a][j] * w2[j, k] for j in range(hidden)) - y[a, k] for k in range(d_out)] for a in range(n)]
    grad_w2 = np.zeros((hidden, d_out))
    grad_w1 = np.zeros((d_in, hidden))
    for a in range(n):
        for k in range(d_out):
            for j in range(hidden):
                grad_w2[j, k] += 2 * E[a][k] * r[a][j]
                slope = 1.0 if h[a][j] > 0 else 0.0
                for i in range(d_in):
                    grad_w1[i, j] += 2 * E[a][k] * w2[j, k] * slope * x[a, i]
    return grad_w1, grad_w2


# -- every gradient of the backward pass, by finite differences --------------------------------------


@pytest.mark.parametrize(("seed", "n", "d_in", "hidden", "d_out"), SHAPES)
def test_weight_gradients_match_finite_differences(seed: int, n: int, d_in: int, hidden: int,
                                                   d_out: int) -> None:
    x, y, w1, w2 = random_problem(seed, n, d_in, hidden, d_out)
    cache = twolayer.forward(x, w1, w2)
    assert np.any(cache.h < 0), "the case must exercise the ReLU mask"
    grads = twolayer.backward(x, y, w2, cache)

    def loss_now() -> float:
        return twolayer.loss_of(twolayer.forward(x, w1, w2).y_pred, y)

    assert grads.grad_w1.shape == w1.shape
    assert grads.grad_w2.shape == w2.shape
    assert rel_error(grads.grad_w1, numeric_gradient(loss_now, w1)) < 1e-7
    assert rel_error(grads.grad_w2, numeric_gradient(loss_now, w2)) < 1e-7


@pytest.mark.parametrize(("seed", "n", "d_in", "hidden", "d_out"), SHAPES)
def test_intermediate_gradients_match_finite_differences(seed: int, n: int, d_in: int, hidden: int,
                                                         d_out: int) -> None:
    """G_yhat, G_r and G_h, each checked by nudging that intermediate and running the rest forward."""
    x, y, w1, w2 = random_problem(seed, n, d_in, hidden, d_out)
    cache = twolayer.forward(x, w1, w2)
    grads = twolayer.backward(x, y, w2, cache)
    y_pred, h_relu, h = cache.y_pred.copy(), cache.h_relu.copy(), cache.h.copy()
    numeric_y_pred = numeric_gradient(lambda: twolayer.loss_of(y_pred, y), y_pred)
    numeric_h_relu = numeric_gradient(lambda: twolayer.loss_of(h_relu @ w2, y), h_relu)
    numeric_h = numeric_gradient(lambda: twolayer.loss_of(np.maximum(h, 0.0) @ w2, y), h)
    assert rel_error(grads.grad_y_pred, numeric_y_pred) < 1e-7
    assert rel_error(grads.grad_h_relu, numeric_h_relu) < 1e-7
    assert rel_error(grads.grad_h, numeric_h) < 1e-7
    assert np.all(grads.grad_h[h < 0] == 0)


@pytest.mark.parametrize(("seed", "n", "d_in", "hidden", "d_out"), SHAPES)
def test_forgetting_the_relu_mask_fails_the_check(seed: int, n: int, d_in: int, hidden: int,
                                                  d_out: int) -> None:
    """Negative control: x^T G_r (no mask) is wrong wherever a unit is off, and the check sees it."""
    x, y, w1, w2 = random_problem(seed, n, d_in, hidden, d_out)
    cache = twolayer.forward(x, w1, w2)
    grads = twolayer.backward(x, y, w2, cache)
    numeric = numeric_gradient(lambda: twolayer.loss_of(twolayer.forward(x, w1, w2).y_pred, y), w1)
    assert rel_error(x.T @ grads.grad_h_relu, numeric) > 1e-2


@pytest.mark.parametrize(("seed", "n", "d_in", "hidden", "d_out"), SHAPES)
def test_backward_matches_explicit_loops(seed: int, n: int, d_in: int, hidden: int, d_out: int) -> None:
    x, y, w1, w2 = random_problem(seed, n, d_in, hidden, d_out)
    grads = twolayer.backward(x, y, w2, twolayer.forward(x, w1, w2))
    loop_w1, loop_w2 = loop_gradients(x, y, w1, w2)
    np.testing.assert_allclose(grads.grad_w1, loop_w1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads.grad_w2, loop_w2, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("seed", "n", "d_in", "hidden", "d_out"), SHAPES)
def test_grad_h_equals_the_tutorials_in_place_zeroing(seed: int, n: int, d_in: int, hidden: int,
                                                      d_out: int) -> None:
    """The tutorial writes grad_h = grad_h_relu.copy(); grad_h[h < 0] = 0; same result off h == 0."""
    x, y, w1, w2 = random_problem(seed, n, d_in, hidden, d_out)
    cache = twolayer.forward(x, w1, w2)
    grads = twolayer.backward(x, y, w2, cache)
    tutorial = grads.grad_h_relu.copy()
    tutorial[cache.h < 0] = 0
    np.testing.assert_array_equal(grads.grad_h, tutorial)


# -- the trace identities of the derivation ----------------------------------------------------------


@pytest.mark.parametrize(("seed", "m", "k", "p"), [(0, 2, 3, 4), (1, 5, 1, 3), (2, 4, 4, 4)])
def test_trace_is_cyclic(seed: int, m: int, k: int, p: int) -> None:
    rng = np.random.default_rng(seed)
    A, B, C = rng.standard_normal((m, k)), rng.standard_normal((k, p)), rng.standard_normal((p, m))
    abc = np.trace(A @ B @ C)
    assert np.trace(C @ A @ B) == pytest.approx(abc, rel=1e-12, abs=1e-12)
    assert np.trace(B @ C @ A) == pytest.approx(abc, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trace_of_a_transpose_product_is_the_entrywise_inner_product(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    inner = sum(A[i, j] * B[i, j] for i in range(3) for j in range(5))
    assert np.trace(A.T @ B) == pytest.approx(inner, rel=1e-12)
    assert np.trace(A.T @ B) == pytest.approx(np.trace(B.T @ A), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_hadamard_factor_moves_across_the_inner_product(seed: int) -> None:
    """tr(A^T (M * B)) = tr((A * M)^T B): how the ReLU mask moves onto the gradient."""
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    M = (rng.standard_normal((4, 3)) > 0).astype(float)
    assert np.trace(A.T @ (M * B)) == pytest.approx(np.trace((A * M).T @ B), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_differential_of_the_squared_norm_is_two_trace_xt_dx(seed: int) -> None:
    """f(X) = tr(X^T X): the centered change along dX matches tr(2 X^T dX), the one-sided one to O(t)."""
    rng = np.random.default_rng(seed)
    X, dX = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))

    def f(Z: np.ndarray) -> float:
        return float(np.trace(Z.T @ Z))

    t = 1e-5
    predicted = np.trace(2 * X.T @ dX)
    assert (f(X + t * dX) - f(X - t * dX)) / (2 * t) == pytest.approx(predicted, rel=1e-8)
    # the forward difference misses exactly t * tr(dX^T dX), the second-order term
    forward = (f(X + t * dX) - f(X)) / t
    assert forward - predicted == pytest.approx(t * np.trace(dX.T @ dX), rel=1e-3)


@pytest.mark.parametrize("seed", [0, 1])
def test_product_rule_for_matrix_differentials(seed: int) -> None:
    """d(A B) = dA B + A dB up to second order: the step dy_pred = dh_relu w2 + h_relu dw2."""
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    dA, dB = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    t = 1e-6
    change = ((A + t * dA) @ (B + t * dB) - A @ B) / t
    np.testing.assert_allclose(change, dA @ B + A @ dB, atol=1e-5)


# -- the article's numbers: the tiny instance, the full-size checks, training ------------------------


def test_small_instance_matches_the_hand_calculation(result: twolayer.TwoLayerResult) -> None:
    # Worked out by hand from x, y, w1, w2 in the lab's constants, not copied from a run.
    np.testing.assert_array_equal(result.small_h, [[1.0, 0.5], [3.0, -1.5]])
    np.testing.assert_array_equal(result.small_mask, [[1, 1], [1, 0]])
    np.testing.assert_array_equal(result.small_y_pred, [[1.25, 0.0], [3.0, -3.0]])
    assert result.small_loss == 0.0625 + 1 + 1 + 1
    np.testing.assert_array_equal(result.small_grad_w2, [[6.5, -8.0], [0.25, -1.0]])
    np.testing.assert_array_equal(result.small_grad_h_relu, [[2.5, -3.75], [4.0, -3.0]])
    np.testing.assert_array_equal(result.small_grad_w1, [[10.5, -3.75], [5.0, -7.5], [1.5, 3.75]])
    assert result.small_grad_w1_unmasked[0, 1] == -3.75 + 2 * -3.0


def test_small_instance_agrees_with_loops_and_finite_differences(result: twolayer.TwoLayerResult) -> None:
    loop_w1, loop_w2 = loop_gradients(result.small_x, result.small_y, result.small_w1, result.small_w2)
    np.testing.assert_allclose(result.small_grad_w1, loop_w1, rtol=1e-12)
    np.testing.assert_allclose(result.small_grad_w2, loop_w2, rtol=1e-12)
    assert result.small_rel_error_w1 < 1e-8
    assert result.small_rel_error_w2 < 1e-8
    assert result.small_rel_error_w1_unmasked > 0.1


def test_sampled_check_nudges_the_real_weights_and_restores_them() -> None:
    x, y, w1, w2 = random_problem(7, 3, 4, 5, 2)
    before = w1.copy()

    def loss_now() -> float:
        return twolayer.loss_of(twolayer.forward(x, w1, w2).y_pred, y)

    rows, cols = np.array([0, 3, 2]), np.array([4, 1, 1])
    sampled = twolayer.sampled_numeric_gradient(loss_now, w1, rows, cols)
    np.testing.assert_array_equal(sampled, numeric_gradient(loss_now, w1)[rows, cols])
    np.testing.assert_array_equal(w1, before)


def test_full_size_checks_are_tight(result: twolayer.TwoLayerResult) -> None:
    assert (result.n, result.d_in, result.hidden, result.d_out) == (64, 1000, 100, 10)
    assert result.n_params == 1000 * 100 + 100 * 10
    assert result.rel_errors_w1.shape == result.rel_errors_w2.shape == (result.fd_samples,)
    # The loss is ~3e7, so cancellation in L(w + eps) - L(w - eps) bounds the agreement near 1e-8.
    assert result.rel_error_w1 < 1e-6
    assert result.rel_error_w2 < 1e-6
    assert result.rel_error_directional < 1e-8
    assert 0.4 < result.h_negative_fraction < 0.6  # symmetric data: about half the units are off


def test_training_loss_falls_by_orders_of_magnitude(result: twolayer.TwoLayerResult) -> None:
    x, y, w1, w2 = twolayer.full_size_data()
    assert result.loss_first == twolayer.loss_of(twolayer.forward(x, w1, w2).y_pred, y)
    assert result.losses.shape == (500,)
    # iterations count from 0: the last one is 499, the last logged one, and its loss is loss_last
    assert result.last_iteration == result.iterations - 1 == result.logged_iterations[-1]
    assert result.loss_last == result.losses[result.last_iteration]
    assert result.loss_last < 1e-6 * result.loss_first
    assert np.all(np.diff(result.losses[result.last_loss_increase:]) < 0)
    np.testing.assert_array_equal(result.logged_losses, result.losses[result.logged_iterations])


@pytest.mark.parametrize(("seed", "n", "d_in", "hidden", "d_out"), SHAPES)
def test_training_a_small_network_lowers_its_loss(seed: int, n: int, d_in: int, hidden: int,
                                                  d_out: int) -> None:
    x, y, w1, w2 = random_problem(seed, n, d_in, hidden, d_out)
    losses = twolayer.train(x, y, w1, w2, learning_rate=1e-3, iterations=200)
    assert losses[-1] < losses[0]
    assert np.all(np.isfinite(losses))


def test_run_is_deterministic(result: twolayer.TwoLayerResult) -> None:
    again = twolayer.run()
    np.testing.assert_array_equal(again.losses, result.losses)
    np.testing.assert_array_equal(again.numeric_grad_w1_sampled, result.numeric_grad_w1_sampled)
    np.testing.assert_array_equal(twolayer.SMALL_W1, [[1.0, -1.0], [0.5, 1.0], [1.0, 0.5]])
