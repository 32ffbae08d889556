"""The one-neuron experiment: chain rule through ReLU, Jacobians of the building blocks, MSE descent."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lab import neuron
from lab.gradcheck import numeric_gradient, rel_error


def random_neuron(seed: int, n: int, active: bool) -> tuple[np.ndarray, float, np.ndarray]:
    """Random w and x, with b chosen so that z = w.x + b lands on the requested side, away from 0."""
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal(n), rng.standard_normal(n)
    z_target = rng.uniform(0.5, 2.0) * (1 if active else -1)
    return w, float(z_target - w @ x), x


def random_regression(seed: int, n_samples: int, n: int) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n))
    y = np.abs(rng.standard_normal(n_samples))
    w, b = rng.standard_normal(n), float(rng.standard_normal())
    assert np.min(np.abs(X @ w + b)) > 1e-3  # the finite difference must not straddle the kink
    return w, b, X, y


def naive_mse_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """dL/dw_k = (2/N) sum_i (a_i - y_i) [z_i > 0] x_ik with plain loops, no vector algebra."""
    n_samples, n = X.shape
    grad_w, grad_b = [0.0] * n, 0.0
    for i in range(n_samples):
        z = sum(w[k] * X[i, k] for k in range(n)) + b
        if z > 0:
            for k in range(n):
                grad_w[k] += 2.0 / n_samples * (z - y[i]) * X[i, k]
            grad_b += 2.0 / n_samples * (z - y[i])
    return np.array(grad_w), grad_b


# --- ReLU and the single neuron ---------------------------------------------------------------


def test_relu_derivative_has_two_cases_and_takes_zero_at_the_kink() -> None:
    z = np.array([-3.0, -1e-12, 0.0, 1e-12, 2.5])
    np.testing.assert_array_equal(neuron.relu_grad(z), [0.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(neuron.relu(z), [0.0, 0.0, 0.0, 1e-12, 2.5])


@pytest.mark.parametrize(("seed", "n"), [(0, 1), (1, 3), (2, 5), (3, 10)])
@pytest.mark.parametrize("active", [True, False])
def test_neuron_backward_matches_finite_differences(seed: int, n: int, active: bool) -> None:
    w, b, x = random_neuron(seed, n, active)
    z, _ = neuron.neuron_forward(w, b, x)
    assert (z > 0) == active
    grad_w, grad_b = neuron.neuron_backward(z, x)
    b_arr = np.array([b])
    numeric_w = numeric_gradient(lambda: neuron.neuron_forward(w, b_arr[0], x)[1], w)
    numeric_b = numeric_gradient(lambda: neuron.neuron_forward(w, b_arr[0], x)[1], b_arr)
    assert rel_error(grad_w, numeric_w) < 1e-8
    assert rel_error(np.array(grad_b), numeric_b) < 1e-8
    if active:  # da/dw = x exactly: the ReLU passes the gradient through unchanged
        np.testing.assert_array_equal(grad_w, x)
    else:  # and blocks it completely: exactly zero, not merely small
        assert np.all(grad_w == 0)
        assert grad_b == 0
        assert np.all(numeric_w == 0)


def test_hand_calculation_numbers() -> None:
    r = neuron.run()
    # z = 1*2 + (-2)*1 + 0.5*2 + 0.5 and z = 1*1 + (-2)*2 + 0.5*0 + 0.5, done by hand.
    assert r.z_on == 1.5
    assert r.a_on == 1.5
    assert r.z_off == -2.5
    assert r.a_off == 0.0
    np.testing.assert_array_equal(r.grad_w_on, [2.0, 1.0, 2.0])
    assert r.grad_b_on == 1.0
    np.testing.assert_array_equal(r.grad_w_off, [0.0, 0.0, 0.0])
    assert r.grad_b_off == 0.0
    assert r.rel_error_on < 1e-9
    assert r.rel_error_off == 0.0


# --- Jacobians ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "m", "n"), [(0, 1, 1), (1, 1, 4), (2, 3, 1), (3, 3, 3), (4, 5, 2)])
def test_numeric_jacobian_matches_a_nonlinear_closed_form(seed: int, m: int, n: int) -> None:
    # f(x) = A tanh(x): J = A diag(1 - tanh(x)^2), an m x n matrix with no zero pattern to lean on.
    rng = np.random.default_rng(seed)
    A, x = rng.standard_normal((m, n)), rng.standard_normal(n)
    x_before = x.copy()
    numeric = neuron.numeric_jacobian(lambda t: A @ np.tanh(t), x)
    assert numeric.shape == (m, n)
    assert rel_error(A * (1 - np.tanh(x) ** 2), numeric) < 1e-8
    np.testing.assert_array_equal(x, x_before)  # the helper never edits its input


def test_numeric_jacobian_rows_are_gradients_of_each_output() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(4)
    funcs = [lambda t: float(np.sum(t**2)), lambda t: float(np.prod(t)), lambda t: float(np.sin(t[0]) * t[3])]
    jac = neuron.numeric_jacobian(lambda t: np.array([f(t) for f in funcs]), x)
    for i, f in enumerate(funcs):
        param = x.copy()
        np.testing.assert_allclose(jac[i], numeric_gradient(lambda f=f, p=param: f(p), param), rtol=1e-9)


@pytest.mark.parametrize(("seed", "n"), [(0, 1), (1, 2), (2, 3), (3, 6)])
def test_every_jacobian_case_matches_finite_differences(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    u, v, s = rng.standard_normal(n), rng.standard_normal(n), float(rng.standard_normal())
    cases = neuron.jacobian_cases(u, v, s)
    for name, case in cases.items():
        assert case.analytic.shape == case.numeric.shape, name
        assert case.rel_error < 1e-8, name


@pytest.mark.parametrize(("seed", "n"), [(0, 1), (1, 3), (2, 6)])
def test_jacobian_closed_forms(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    u, v, s = rng.standard_normal(n), rng.standard_normal(n), float(rng.standard_normal())
    cases = neuron.jacobian_cases(u, v, s)
    identity = np.eye(n)
    np.testing.assert_array_equal(cases["identity"].analytic, identity)
    np.testing.assert_allclose(cases["identity"].numeric, identity, atol=1e-9)
    np.testing.assert_allclose(cases["sum"].numeric, np.ones((1, n)), atol=1e-9)
    np.testing.assert_allclose(cases["shift_s"].numeric, np.ones((n, 1)), atol=1e-9)
    np.testing.assert_allclose(cases["scale_s"].numeric[:, 0], u, atol=1e-9)
    off_diagonal = ~np.eye(n, dtype=bool)
    for name, diagonal in (("mul_u", v), ("mul_v", u), ("add_u", 1.0), ("scale_u", s)):
        # Element-wise ops: output i only sees input i, so the measured off-diagonal is exactly 0.
        numeric = cases[name].numeric
        assert np.all(numeric[off_diagonal] == 0), name
        np.testing.assert_allclose(np.diag(numeric), np.broadcast_to(diagonal, n), atol=1e-9)


@pytest.mark.parametrize(("seed", "n"), [(0, 1), (1, 4), (2, 9)])
def test_gradient_with_respect_to_a_broadcast_scalar_is_a_sum(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    u, g = rng.standard_normal(n), rng.standard_normal(n)
    s = np.array([float(rng.standard_normal())])
    shift = numeric_gradient(lambda: float(g @ (u + s[0])), s)[0]
    scale = numeric_gradient(lambda: float(g @ (s[0] * u)), s)[0]
    assert shift == pytest.approx(sum(g), rel=1e-8)
    assert scale == pytest.approx(sum(g_i * u_i for g_i, u_i in zip(g, u, strict=True)), rel=1e-7)


def test_published_jacobian_checks() -> None:
    r = neuron.run()
    assert r.n_jacobians == len(r.jacobians) == 10
    assert r.max_rel_error_jacobians == max(case.rel_error for case in r.jacobians.values())
    assert r.max_rel_error_jacobians < 1e-9
    assert r.grad_s_shift == pytest.approx(0.5 + 1.0 - 1.0)  # sum(g)
    assert r.grad_s_scale == pytest.approx(0.5 * 2.0 + 1.0 * -1.0 + -1.0 * 3.0)  # g . u


# --- Mean-squared loss and gradient descent ----------------------------------------------------


@pytest.mark.parametrize(("seed", "n_samples", "n"), [(0, 4, 3), (1, 8, 3), (2, 5, 1), (3, 16, 6), (4, 1, 2)])
def test_mse_gradient_matches_finite_differences_and_loops(seed: int, n_samples: int, n: int) -> None:
    w, b, X, y = random_regression(seed, n_samples, n)
    grad_w, grad_b = neuron.mse_grad(w, b, X, y)
    numeric_w, numeric_b = neuron.numeric_mse_grad(w, b, X, y)
    assert grad_w.shape == w.shape
    assert rel_error(grad_w, numeric_w) < 1e-7
    assert rel_error(np.array(grad_b), np.array(numeric_b)) < 1e-7
    loop_w, loop_b = naive_mse_grad(w, b, X, y)
    np.testing.assert_allclose(grad_w, loop_w, rtol=1e-12, atol=1e-15)
    assert grad_b == pytest.approx(loop_b, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_zero_error_gives_exactly_zero_gradient(seed: int) -> None:
    rng = np.random.default_rng(seed)
    w_star, b_star = rng.standard_normal(3), float(rng.standard_normal())
    X, y = neuron.make_data(seed, 8, w_star, b_star)
    assert neuron.mse_loss(w_star, b_star, X, y) == 0.0
    grad_w, grad_b = neuron.mse_grad(w_star, b_star, X, y)
    assert np.all(grad_w == 0)
    assert grad_b == 0


@pytest.mark.parametrize(("seed", "n_samples", "n"), [(0, 4, 3), (1, 8, 3), (2, 16, 5)])
def test_a_small_gradient_step_lowers_the_loss(seed: int, n_samples: int, n: int) -> None:
    w, b, X, y = random_regression(seed, n_samples, n)
    grad_w, grad_b = neuron.mse_grad(w, b, X, y)
    lr = 1e-3
    w_new, b_new = neuron.gd_step(w, b, X, y, lr)
    np.testing.assert_allclose(w_new - w, -lr * grad_w)  # the step points against the gradient
    change = neuron.mse_loss(w_new, b_new, X, y) - neuron.mse_loss(w, b, X, y)
    predicted = -lr * (grad_w @ grad_w + grad_b**2)
    assert change < 0
    assert change == pytest.approx(predicted, rel=0.05)  # first order is accurate for a small step


def test_worked_data_set_and_descent() -> None:
    r = neuron.run()
    assert r.X.shape == (8, 3)
    assert r.n_samples == 8
    np.testing.assert_array_equal(r.y, np.maximum(0, r.X @ r.w_star + r.b_star))
    # Descent starts from the hand-calculation neuron, and the first step moves against the gradient.
    np.testing.assert_array_equal(r.w_start, neuron.W_EXAMPLE)
    assert r.b_start == neuron.B_EXAMPLE
    grad_w, grad_b = naive_mse_grad(r.w_start, r.b_start, r.X, r.y)
    np.testing.assert_allclose(r.w_after, r.w_start - r.lr * grad_w, rtol=1e-12)
    assert r.b_after == pytest.approx(r.b_start - r.lr * grad_b, rel=1e-12)
    assert r.n_active == int(np.sum(r.X @ r.w + r.b > 0))
    assert r.min_abs_z > 100 * r.eps * np.max(np.abs(r.X))  # the difference check never crosses 0
    assert r.rel_error_grad_w < 1e-8
    assert r.rel_error_grad_b < 1e-8
    assert r.loss_after < r.loss_before
    assert r.loss_change == pytest.approx(r.predicted_change, rel=0.2)
    assert np.all(np.diff(r.losses) < 0)
    assert np.all(np.diff(r.losses_fast) < 0)
    assert r.loss_at_target == 0.0
    assert r.max_abs_grad_at_target == 0.0
    assert r.max_abs_numeric_grad_at_target < 1e-12


def test_too_large_a_step_kills_the_neuron() -> None:
    r = neuron.run()
    # Every z_i <= 0 after the step: the prediction is 0 everywhere, so L = mean(y^2) ...
    assert r.n_active_dead == 0
    assert r.loss_dead == pytest.approx(float(np.mean(r.y**2)), rel=1e-12)
    # ... and the gradient is exactly zero, so descent never moves again.
    assert np.all(r.grad_w_dead == 0)
    assert r.grad_b_dead == 0
    assert np.all(r.losses_dead[1:] == r.loss_dead)


def test_run_is_fast_deterministic_and_leaves_constants_alone() -> None:
    start = time.perf_counter()
    first = neuron.run()
    assert time.perf_counter() - start < 1.0
    second = neuron.run()
    np.testing.assert_array_equal(first.numeric_grad_w, second.numeric_grad_w)
    np.testing.assert_array_equal(first.losses, second.losses)
    np.testing.assert_array_equal(neuron.W_EXAMPLE, [1.0, -2.0, 0.5])
    np.testing.assert_array_equal(neuron.U_EXAMPLE, [2.0, -1.0, 3.0])
