"""The optimizer experiment: the quadratic's gradient, three update rules against straight loops,
the step-size threshold 2/lambda_max, the optimal contraction (kappa - 1)/(kappa + 1), Adam's first step."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from lab import optim
from lab.gradcheck import numeric_gradient, rel_error


def random_spd(rng: np.random.Generator, n: int) -> np.ndarray:
    """A symmetric positive definite matrix with a spread of eigenvalues."""
    M = rng.standard_normal((n, n))
    return M @ M.T + 0.5 * np.eye(n)


def matvec(A: np.ndarray, theta: list[float]) -> list[float]:
    n = len(theta)
    return [sum(float(A[i, j]) * theta[j] for j in range(n)) for i in range(n)]


def loop_gd(A: np.ndarray, theta0: np.ndarray, lr: float, n_steps: int) -> list[list[float]]:
    theta = [float(t) for t in theta0]
    path = [theta[:]]
    for _ in range(n_steps):
        g = matvec(A, theta)
        theta = [theta[i] - lr * g[i] for i in range(len(theta))]
        path.append(theta[:])
    return path


def loop_momentum_pytorch_form(A: np.ndarray, theta0: np.ndarray, lr: float, beta: float,
                               n_steps: int) -> list[list[float]]:
    """The other common form, b <- beta b + g, theta <- theta - lr b; the same iterates for fixed lr."""
    theta = [float(t) for t in theta0]
    buf = [0.0] * len(theta)
    path = [theta[:]]
    for _ in range(n_steps):
        g = matvec(A, theta)
        buf = [beta * buf[i] + g[i] for i in range(len(theta))]
        theta = [theta[i] - lr * buf[i] for i in range(len(theta))]
        path.append(theta[:])
    return path


def loop_adam(A: np.ndarray, theta0: np.ndarray, lr: float, n_steps: int,
              beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> list[list[float]]:
    theta = [float(t) for t in theta0]
    m = [0.0] * len(theta)
    s = [0.0] * len(theta)
    path = [theta[:]]
    for t in range(1, n_steps + 1):
        g = matvec(A, theta)
        for i in range(len(theta)):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            s[i] = beta2 * s[i] + (1 - beta2) * g[i] ** 2
            m_hat = m[i] / (1 - beta1**t)
            s_hat = s[i] / (1 - beta2**t)
            theta[i] -= lr * m_hat / (math.sqrt(s_hat) + eps)
        path.append(theta[:])
    return path


@pytest.mark.parametrize(("seed", "n"), [(0, 2), (1, 2), (2, 3), (3, 5)])
def test_gradient_matches_finite_differences(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    A = random_spd(rng, n)
    theta = rng.standard_normal(n)
    numeric = numeric_gradient(lambda: optim.loss(A, theta), theta)
    assert rel_error(optim.grad(A, theta), numeric) < 1e-7
    np.testing.assert_allclose(optim.grad(A, theta), matvec(A, list(theta)), rtol=1e-12)


def test_example_gradient_and_loss_by_hand() -> None:
    r = optim.run()
    np.testing.assert_array_equal(r.A, [[5.5, 4.5], [4.5, 5.5]])
    np.testing.assert_allclose(r.eigenvalues, [10.0, 1.0], rtol=1e-12)
    # A theta0 = (5.5 * -4 + 4.5 * 2, 4.5 * -4 + 5.5 * 2), f = 1/2 theta0 . A theta0
    np.testing.assert_allclose(r.grad0, [5.5 * -4 + 4.5 * 2, 4.5 * -4 + 5.5 * 2], atol=1e-12)
    assert r.loss0 == pytest.approx(0.5 * (-4 * -13 + 2 * -7), abs=1e-12)
    assert r.rel_error_grad < 1e-7
    np.testing.assert_allclose(r.numeric_grad0, r.grad0, rtol=1e-8)


@pytest.mark.parametrize(("seed", "n", "lr"), [(0, 2, 0.05), (1, 3, 0.02), (2, 2, 0.1)])
def test_gd_matches_loops(seed: int, n: int, lr: float) -> None:
    rng = np.random.default_rng(seed)
    A, theta0 = random_spd(rng, n), rng.standard_normal(n)
    lab_path = optim.take(optim.gd_iterates(A, theta0, lr), 25)
    np.testing.assert_allclose(lab_path, loop_gd(A, theta0, lr, 25), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("seed", "n", "lr", "beta"),
                         [(0, 2, 0.05, 0.5), (1, 3, 0.02, 0.9), (2, 4, 0.03, 0.7)])
def test_momentum_matches_loops_in_the_other_form(seed: int, n: int, lr: float, beta: float) -> None:
    rng = np.random.default_rng(seed)
    A, theta0 = random_spd(rng, n), rng.standard_normal(n)
    lab_path = optim.take(optim.momentum_iterates(A, theta0, lr, beta), 25)
    reference = loop_momentum_pytorch_form(A, theta0, lr, beta, 25)
    np.testing.assert_allclose(lab_path, reference, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("seed", "n", "lr"), [(0, 2, 0.3), (1, 3, 0.01), (2, 5, 0.1)])
def test_adam_matches_loops(seed: int, n: int, lr: float) -> None:
    rng = np.random.default_rng(seed)
    A, theta0 = random_spd(rng, n), rng.standard_normal(n)
    lab_path = optim.take(optim.adam_iterates(A, theta0, lr), 30)
    np.testing.assert_allclose(lab_path, loop_adam(A, theta0, lr, 30), rtol=1e-9, atol=1e-12)


def test_example_paths_match_loops_and_the_csv_layout() -> None:
    r = optim.run()
    np.testing.assert_allclose(r.gd_path, loop_gd(r.A, r.theta0, 0.18, 40), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.momentum_path, loop_momentum_pytorch_form(r.A, r.theta0, 0.18, 0.5, 40),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.adam_path, loop_adam(r.A, r.theta0, 0.3, 40), rtol=1e-9, atol=1e-12)
    losses = [0.5 * float(p @ r.A @ p) for p in r.adam_path]
    np.testing.assert_allclose(r.adam_losses, losses, rtol=1e-12)
    assert r.gd_path.shape == r.momentum_path.shape == r.adam_path.shape == (41, 2)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_step_size_threshold_is_two_over_lambda_max(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, theta0 = random_spd(rng, 3), rng.standard_normal(3)
    threshold = 2.0 / np.linalg.eigvalsh(A)[-1]
    start = optim.loss(A, theta0)
    below = optim.take(optim.gd_iterates(A, theta0, 0.99 * threshold), 4000)[-1]
    above = optim.take(optim.gd_iterates(A, theta0, 1.01 * threshold), 4000)[-1]
    assert optim.loss(A, below) < 1e-6 * start
    assert optim.loss(A, above) > 1e6 * start


def test_example_sweep_diverges_exactly_above_the_threshold() -> None:
    r = optim.run()
    assert r.lr_threshold == pytest.approx(2 / 10)
    diverged = r.sweep_losses > r.loss0
    np.testing.assert_array_equal(diverged, r.sweep_lrs > 0.2)
    np.testing.assert_allclose(r.sweep_radius, [max(abs(1 - lr * 10), abs(1 - lr)) for lr in r.sweep_lrs])
    # Just below 2/lambda_max the steep component still shrinks by 0.99 per step; just above it grows by 1.01.
    steep_share = 0.5 * 10 * r.theta0_eigen[0] ** 2
    assert r.sweep_losses[list(r.sweep_lrs).index(0.199)] == pytest.approx(steep_share * 0.99**100, rel=1e-6)
    assert r.sweep_losses[list(r.sweep_lrs).index(0.201)] == pytest.approx(steep_share * 1.01**100, rel=1e-3)


@pytest.mark.parametrize("kappa", [2.0, 10.0, 37.0, 1000.0])
def test_optimal_lr_contracts_every_eigen_direction_by_the_same_factor(kappa: float) -> None:
    A = np.diag([kappa, 1.0])
    rng = np.random.default_rng(int(kappa))
    Q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    A = Q @ A @ Q.T  # a random rotation: the claim is about eigen-directions, not axes
    lr, rate = optim.gd_optimal(kappa, 1.0)
    assert lr == pytest.approx(2 / (1 + kappa))
    assert rate == pytest.approx((kappa - 1) / (kappa + 1))
    eigenvalues, vectors = np.linalg.eigh(A)
    for lam, u in zip(eigenvalues, vectors.T, strict=True):
        theta1 = optim.take(optim.gd_iterates(A, u, lr), 1)[1]
        np.testing.assert_allclose(theta1, (1 - lr * lam) * u, atol=1e-12)
        assert abs(u @ theta1) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)


def test_example_contraction_and_loss_ratio() -> None:
    r = optim.run()
    np.testing.assert_allclose(r.opt_eigen_factors, [-9 / 11, 9 / 11], rtol=1e-12)
    assert r.opt_loss_ratio == pytest.approx((9 / 11) ** 2, rel=1e-12)
    np.testing.assert_allclose(r.gd_factors, [1 - 0.18 * 10, 1 - 0.18 * 1], rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adam_first_step_has_magnitude_lr_per_coordinate(seed: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    g = scale * rng.standard_normal(4)
    theta0 = rng.standard_normal(4)
    zeros = np.zeros(4)
    theta1, _, _ = optim.adam_step(theta0, zeros, zeros, g, 1, 0.05)
    step = theta1 - theta0
    # m_hat = g and s_hat = g^2 exactly, so the step is -lr g / (|g| + eps): size lr, sign of -g.
    np.testing.assert_allclose(step, -0.05 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(np.abs(step), 0.05, rtol=1e-4)
    np.testing.assert_array_equal(np.sign(step), -np.sign(g))


def test_example_first_steps_by_hand() -> None:
    r = optim.run()
    g0 = np.array([-13.0, -7.0])
    np.testing.assert_allclose(r.gd_theta1, [-4 - 0.18 * -13, 2 - 0.18 * -7], atol=1e-12)
    # In the eigen-basis: the steep component -sqrt(2) times -0.8, the shallow -3 sqrt(2) times 0.82.
    assert r.gd_loss1 == pytest.approx(0.5 * 10 * 2 * 0.8**2 + 0.5 * 1 * 18 * 0.82**2, rel=1e-12)
    np.testing.assert_allclose(r.momentum_theta1, r.gd_theta1, atol=1e-12)  # v_0 = 0
    np.testing.assert_allclose(r.adam_m1, 0.1 * g0, rtol=1e-12)
    np.testing.assert_allclose(r.adam_s1, 0.001 * g0**2, rtol=1e-9)
    np.testing.assert_allclose(r.adam_theta1, [-4 + 0.3, 2 + 0.3], atol=1e-9)
    np.testing.assert_allclose(r.adam_shortfall1, 0.3 * 1e-8 / (np.abs(g0) + 1e-8), rtol=1e-3)


def test_conditioning_table_against_closed_forms() -> None:
    r = optim.run()
    for kappa, gd_steps, hb_steps, hb_rate in zip(r.kappas, r.cond_gd_steps, r.cond_hb_steps,
                                                  r.cond_hb_rate, strict=True):
        rho = (kappa - 1) / (kappa + 1)
        # With the optimal lr the loss shrinks by exactly rho^2 per step, from any start.
        smallest = next(k for k in range(100_000) if rho ** (2 * k) <= 1e-6)
        assert abs(gd_steps - smallest) <= 1
        assert hb_rate == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))
        assert hb_steps < gd_steps
    # GD's count grows like kappa, the heavy ball's like sqrt(kappa).
    growth = r.kappas[-1] / r.kappas[0]
    assert r.cond_gd_steps[-1] / r.cond_gd_steps[0] > 0.6 * growth
    assert r.cond_hb_steps[-1] / r.cond_hb_steps[0] < 2.0 * math.sqrt(growth)


def test_momentum_rate_of_the_example_is_sqrt_beta() -> None:
    r = optim.run()
    for lam in (10.0, 1.0):  # complex roots of z^2 - (1 + beta - lr lam) z + beta: |z| = sqrt(beta)
        assert (1 + 0.5 - 0.18 * lam) ** 2 < 4 * 0.5
    np.testing.assert_allclose(r.momentum_factors, [math.sqrt(0.5)] * 2, rtol=1e-9)


def test_run_is_fast_deterministic_and_leaves_constants_alone() -> None:
    start = time.perf_counter()
    first = optim.run()
    assert time.perf_counter() - start < 1.0
    second = optim.run()
    np.testing.assert_array_equal(first.adam_path, second.adam_path)
    np.testing.assert_array_equal(first.cond_hb_steps, second.cond_hb_steps)
    np.testing.assert_array_equal(optim.THETA0, [-4.0, 2.0])


def test_optimizer_path_csv_has_every_iterate_of_the_three_methods() -> None:
    from lab.tables import TABLES

    results = {"optim": optim.run()}
    header, *rows = TABLES["optimizer-path.csv"](results)
    assert header == ["step", "method", "x", "y", "loss"]
    assert len(rows) == 3 * (40 + 1)
    assert [row[1] for row in rows[::41]] == ["gd", "momentum", "adam"]
    # GD step 1 by hand: theta_0 - 0.18 * (-13, -7), loss 1/2 (10 * 2 * 0.8^2 + 18 * 0.82^2)
    assert rows[1] == ["1", "gd", "-1.660000", "3.260000", "1.245160e+01"]
    assert rows[41 + 2][2:4] == ["-1.487200", "2.007200"]  # momentum: GD's theta_2 plus beta v_1


def test_adam_without_bias_correction_takes_a_first_step_3_16_times_longer() -> None:
    # Independent arithmetic: m1 = (1 - b1) g, s1 = (1 - b2) g^2, so m1 / sqrt(s1) = (1 - b1) / sqrt(1 - b2) * sign(g).
    result = optim.run()
    assert result.adam_uncorrected_ratio == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-6)
    assert result.adam_m_fade_step == 44  # 0.9**43 > 0.01 > 0.9**44
    assert 0.9**43 > 0.01 > 0.9**44
    assert result.adam_s_step_ratio_at_fade == pytest.approx(math.sqrt(1 - 0.999**44))
    assert result.adam_s_shortening_at_fade == pytest.approx(1 / result.adam_s_step_ratio_at_fade)


def test_the_second_moment_correction_shortens_the_step_in_a_plain_adam_loop() -> None:
    """Adam as the paper writes it, in plain Python on a scalar with a varying gradient: at the fade
    step, the step taken with s_hat is the step taken with the raw s times the lab's ratio, below 1."""
    beta1, beta2, eps, m, s = 0.9, 0.999, 1e-8, 0.0, 0.0
    k = optim.run().adam_m_fade_step
    for step in range(1, k + 1):
        g = 3.0 + math.sin(step)  # any gradient: the ratio does not depend on it
        m, s = beta1 * m + (1 - beta1) * g, beta2 * s + (1 - beta2) * g * g
        m_hat, s_hat = m / (1 - beta1**step), s / (1 - beta2**step)
        with_correction, without = m_hat / (math.sqrt(s_hat) + eps), m_hat / (math.sqrt(s) + eps)
    ratio = with_correction / without
    assert ratio < 1  # shorter, not longer
    assert ratio == pytest.approx(optim.run().adam_s_step_ratio_at_fade, rel=1e-6)
    assert math.sqrt(optim.run().adam_s_hat1[0]) == optim.run().adam_sqrt_s_hat1[0] == 13.0


def test_numbers_of_the_worked_example_by_hand() -> None:
    r = optim.run()
    g0 = np.array([-13.0, -7.0])
    # A (1, 1) = 10 (1, 1): the steep axis is the diagonal, 45 degrees from the x axis.
    np.testing.assert_allclose(r.A @ [1.0, 1.0], [10.0, 10.0], rtol=1e-12)
    assert r.tilt_degrees == pytest.approx(math.degrees(math.atan(1.0)), abs=1e-12)
    assert r.eigenvalue_sum == pytest.approx(np.trace(r.A)) == pytest.approx(11.0)
    # c_0 = ((-4 + 2)/sqrt 2, (-4 - 2)/sqrt 2), squared (2, 18); f_0 = 1/2 (10 * 2 + 1 * 18).
    np.testing.assert_allclose(r.theta0_eigen_sq, [(-2) ** 2 / 2, (-6) ** 2 / 2], rtol=1e-12)
    assert r.loss0 == pytest.approx(0.5 * (10 * r.theta0_eigen_sq[0] + 1 * r.theta0_eigen_sq[1]))
    np.testing.assert_allclose(r.gd_step1, -0.18 * g0, rtol=1e-12)
    np.testing.assert_allclose(r.gd_factors_abs, [0.8, 0.82], rtol=1e-12)
    np.testing.assert_allclose(r.gd_loss1_terms, [0.5 * 10 * 2 * 0.8**2, 0.5 * 1 * 18 * 0.82**2], rtol=1e-12)
    assert r.gd_loss1_terms.sum() == pytest.approx(r.gd_loss1, rel=1e-12)
    # What momentum adds at step 2 to the GD move from theta_1: beta v_1 = 0.5 (2.34, 1.26).
    theta1 = r.momentum_path[1]
    np.testing.assert_allclose(r.momentum_path[2] - (theta1 - 0.18 * r.A @ theta1), r.momentum_beta_v1,
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.momentum_beta_v1, [1.17, 0.63], rtol=1e-12)
    assert r.one_minus_beta1 == pytest.approx(0.1)
    assert r.one_minus_beta2 == pytest.approx(0.001)
    np.testing.assert_allclose(r.adam_m1, r.one_minus_beta1 * g0, rtol=1e-12)
    np.testing.assert_allclose(r.adam_s1, r.one_minus_beta2 * g0**2, rtol=1e-12)
    k = r.adam_m_fade_step
    assert 1 - 0.9 ** (k - 1) < r.adam_fade_level < 1 - 0.9**k


def test_sweep_steep_factors_are_one_minus_lr_lambda_max() -> None:
    r = optim.run()
    np.testing.assert_allclose(r.sweep_steep_factors, [1 - lr * 10 for lr in r.sweep_lrs], rtol=1e-12)
    lrs = list(r.sweep_lrs)
    assert r.sweep_steep_factors[lrs.index(0.199)] == pytest.approx(-0.99)
    assert r.sweep_steep_factors[lrs.index(0.201)] == pytest.approx(-1.01)
    np.testing.assert_allclose(np.abs(r.sweep_steep_factors[r.sweep_lrs > 0.1]), r.sweep_radius[r.sweep_lrs > 0.1])


def test_heavy_ball_with_beta_0_9_contracts_by_sqrt_beta_and_is_slower_than_gd() -> None:
    r = optim.run()
    beta = r.beta_momentum_high
    for lam in (10.0, 1.0):  # complex roots, so both have |z| = sqrt(beta)
        assert (1 + beta - 0.18 * lam) ** 2 < 4 * beta
    np.testing.assert_allclose(r.momentum_factors_high, [math.sqrt(0.9)] * 2, rtol=1e-9)
    assert r.momentum_factors_high[1] > r.gd_factors[1]
    # Measured on a straight loop: the envelope of |theta_k| shrinks by about sqrt(beta) per step.
    path = np.array(loop_momentum_pytorch_form(r.A, r.theta0, 0.18, beta, 400))
    norms = np.linalg.norm(path, axis=1)
    measured = (norms[300:340].max() / norms[100:140].max()) ** (1 / 200)
    assert measured == pytest.approx(math.sqrt(0.9), rel=2e-3)
    assert optim.loss(r.A, path[40]) > 1e3 * r.gd_losses[-1]
