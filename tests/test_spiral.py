"""The two-layer graph and the spiral case study: gradients three ways, the data, the training outcome."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab import spiral
from lab.gradcheck import numeric_gradient, rel_error


@pytest.fixture(scope="module")
def result() -> spiral.SpiralResult:
    return spiral.run()


def random_net(seed: int, n: int, d: int, hidden: int,
               k: int) -> tuple[spiral.Params, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {"W1": rng.standard_normal((d, hidden)), "b1": rng.standard_normal(hidden),
              "W2": rng.standard_normal((hidden, k)), "b2": rng.standard_normal(k)}
    return params, rng.standard_normal((n, d)), rng.integers(0, k, n)


NET_SHAPES = [(0, 2, 2, 3, 3), (1, 5, 3, 4, 2), (2, 1, 4, 6, 5), (3, 7, 1, 2, 3), (4, 12, 2, 10, 4)]


@pytest.mark.parametrize("reg", [1e-3, 0.5])
@pytest.mark.parametrize(("seed", "n", "d", "hidden", "k"), NET_SHAPES)
def test_net_gradients_match_finite_differences(seed: int, n: int, d: int, hidden: int, k: int,
                                                 reg: float) -> None:
    params, X, y = random_net(seed, n, d, hidden, k)
    z1 = X @ params["W1"] + params["b1"]
    assert np.min(np.abs(z1)) > 1e-3  # no ReLU kink within reach of the 1e-5 nudge
    _, grads = spiral.net_grads(params, X, y, reg)
    numeric = spiral.numeric_grads(spiral.net_grads, params, X, y, reg)
    for name in ("W1", "b1", "W2", "b2"):
        assert grads[name].shape == params[name].shape
        # Random normal weights give scores of several units; an O(eps^2) third-derivative term
        # then reaches ~2e-7 on the smallest entries, so 1e-6 (still far below a wrong formula).
        assert rel_error(grads[name], numeric[name]) < 1e-6, name


@pytest.mark.parametrize(("seed", "n", "d", "k"), [(0, 3, 2, 3), (1, 10, 2, 3), (2, 4, 5, 2), (3, 1, 3, 6)])
def test_linear_gradients_match_finite_differences(seed: int, n: int, d: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    params = {"W": rng.standard_normal((d, k)), "b": rng.standard_normal(k)}
    X, y = rng.standard_normal((n, d)), rng.integers(0, k, n)
    _, grads = spiral.linear_grads(params, X, y, 0.2)
    numeric = spiral.numeric_grads(spiral.linear_grads, params, X, y, 0.2)
    assert rel_error(grads["W"], numeric["W"]) < 1e-7
    assert rel_error(grads["b"], numeric["b"]) < 1e-7


def naive_softmax_ce(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Per sample: L_i = -log p_{y_i}; dL_i/ds_j = sum_k dL_i/dp_k * dp_k/ds_j via the softmax Jacobian."""
    n, k = scores.shape
    loss, grad = 0.0, np.zeros((n, k))
    for i in range(n):
        exps = [math.exp(v) for v in scores[i]]
        p = [e / sum(exps) for e in exps]
        loss += -math.log(p[y[i]]) / n
        for j in range(k):
            # only p_{y_i} appears in L_i: dL_i/dp_{y_i} = -1/p_{y_i}, and dp_a/ds_j = p_a (delta_aj - p_j)
            jacobian = p[y[i]] * ((1.0 if y[i] == j else 0.0) - p[j])
            grad[i, j] = -jacobian / p[y[i]] / n
    return loss, grad


@pytest.mark.parametrize(("seed", "n", "k"), [(0, 1, 2), (1, 4, 3), (2, 9, 5), (3, 20, 3)])
def test_softmax_cross_entropy_matches_a_per_sample_loop(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    scores, y = 3.0 * rng.standard_normal((n, k)), rng.integers(0, k, n)
    loss, dscores = spiral.softmax_cross_entropy(scores, y)
    naive_loss, naive_grad = naive_softmax_ce(scores, y)
    assert loss == pytest.approx(naive_loss, rel=1e-12)
    np.testing.assert_allclose(dscores, naive_grad, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(dscores.sum(axis=1), 0.0, atol=1e-15)  # probabilities minus a one-hot


def test_softmax_survives_large_scores() -> None:
    loss, dscores = spiral.softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([0]))
    assert loss == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.isfinite(dscores))


def spiral_by_loop(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The course's generator written as its per-class loop."""
    rng = np.random.default_rng(seed)
    X, y = np.zeros((300, 2)), np.zeros(300, dtype=int)
    for j in range(3):
        ix = range(100 * j, 100 * (j + 1))
        r = np.linspace(0.0, 1, 100)
        t = np.linspace(j * 4, (j + 1) * 4, 100) + rng.standard_normal(100) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_spiral_data_matches_the_per_class_loop(seed: int) -> None:
    X, y = spiral.make_spiral(np.random.default_rng(seed))
    loop_X, loop_y = spiral_by_loop(seed)
    np.testing.assert_allclose(X, loop_X, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(y, loop_y)


def test_spiral_data_shape_labels_and_radius() -> None:
    X, y = spiral.make_spiral(np.random.default_rng(0))
    assert X.shape == (300, 2)
    assert X.dtype == np.float64
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])
    np.testing.assert_array_equal(y[:100], 0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 100), 3), atol=1e-15)
    # The angle of class j runs 4j -> 4(j + 1) plus N(0, 0.2^2) noise; atan2(x1, x2) recovers it mod 2 pi.
    nominal = np.concatenate([np.linspace(4 * j, 4 * (j + 1), 100) for j in range(3)])
    angle = np.arctan2(X[:, 0], X[:, 1])
    noise = (angle - nominal + np.pi) % (2 * np.pi) - np.pi
    assert 0.15 < np.std(noise[radius > 0]) < 0.25


def test_training_loop_takes_the_same_steps_as_the_readable_graph() -> None:
    rng = np.random.default_rng(3)
    X, y = spiral.make_spiral(rng, n_per_class=20)
    params = spiral.init_params(rng, (2, 16, 3))
    params = {name: 50 * value for name, value in params.items()}  # away from the kinks at 0
    expected, losses = dict(params), []
    for _ in range(4):
        loss, grads = spiral.net_grads(expected, X, y, 1e-3)
        losses.append(loss)
        expected = {name: expected[name] - 0.5 * grads[name] for name in expected}
    losses.append(spiral.net_forward(expected, X, y, 1e-3).loss)
    trained = spiral.train_net(params, X, y, 4, step=0.5, reg=1e-3)
    for name in expected:
        np.testing.assert_allclose(trained.params[name], expected[name], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(trained.losses, losses, rtol=1e-12)


@pytest.mark.parametrize("train", [spiral.train_net, spiral.train_net_clear])  # the tuned loop and the clear one
def test_train_net_leaves_its_input_alone(train) -> None:
    rng = np.random.default_rng(5)
    X, y = spiral.make_spiral(rng, n_per_class=10)
    params = spiral.init_params(rng, (2, 8, 3))
    before = {name: value.copy() for name, value in params.items()}
    train(params, X, y, 3)
    spiral.train_linear({"W": np.ones((2, 3)), "b": np.zeros(3)}, X, y, 3)
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])


def test_finite_differences_at_a_relu_kink_average_the_two_slopes() -> None:
    # A sample at the origin with b1 = 0 has z1 = 0 exactly: the nudge of b1 sees the ReLU's slope 1
    # on one side and 0 on the other, so the numeric gradient gets half of that sample's share.
    params, X, y = random_net(11, 4, 2, 5, 3)
    params["b1"][:] = 0.0
    X[0] = 0.0
    fwd = spiral.net_forward(params, X, y, 0.0)
    analytic = spiral.net_backward(params, X, y, fwd, 0.0)
    numeric = numeric_gradient(lambda: spiral.net_forward(params, X, y, 0.0).loss, params["b1"])
    # Each side has its own curvature, so the centered difference keeps an O(eps) term here.
    np.testing.assert_allclose(numeric - analytic.db1, 0.5 * analytic.dh[0], rtol=1e-3, atol=1e-6)
    assert np.min(np.abs(analytic.dh[0])) > 1e-3  # the halves are visible above that tolerance


def test_worked_example_by_hand(result: spiral.SpiralResult) -> None:
    X, W1, b1 = result.ex_X, result.ex_W1, result.ex_b1
    z1 = np.array([[sum(X[i, d] * W1[d, j] for d in range(2)) + b1[j] for j in range(3)] for i in range(2)])
    np.testing.assert_allclose(result.ex_z1, z1, atol=1e-12)
    np.testing.assert_array_equal(result.ex_h, np.where(z1 > 0, z1, 0.0))
    assert 0 < np.sum(z1 <= 0) < z1.size  # the gate closes somewhere, not everywhere
    assert result.ex_y[0] != result.ex_y[1]
    np.testing.assert_allclose(result.ex_probs.sum(axis=1), 1.0, atol=1e-12)
    expected_reg = 0.5 * result.ex_reg * (np.sum(W1**2) + np.sum(result.ex_W2**2))
    assert result.ex_reg_loss == pytest.approx(expected_reg, rel=1e-12)
    assert result.ex_data_loss == pytest.approx(-np.mean(np.log(result.ex_true_probs)), rel=1e-12)
    np.testing.assert_array_equal(result.ex_dz1[z1 <= 0], 0.0)
    np.testing.assert_allclose(result.ex_db1, result.ex_dz1.sum(axis=0), atol=1e-15)
    for name in ("W1", "b1", "W2", "b2"):
        assert getattr(result, f"ex_rel_error_{name}") < 1e-7
    # The example's inputs are printed by hand with one decimal: they must really have one.
    for array in (X, W1, b1, result.ex_W2, result.ex_b2):
        np.testing.assert_allclose(array * 10, np.round(array * 10), atol=1e-9)


def test_gradient_checks_on_the_spiral_data(result: spiral.SpiralResult) -> None:
    assert result.rel_error_linear_W < 1e-7
    assert result.rel_error_linear_b < 1e-6
    # At the 0.01 randn start, hundreds of z1 sit within eps of 0, so the net's check is meaningless there.
    assert result.kink_entries > 0
    assert result.kink_rel_error_b1 > 1e-3


def test_training_outcome_matches_the_known_behaviour(result: spiral.SpiralResult) -> None:
    # Tiny weights give near-uniform probabilities: the first loss is close to ln 3 for both models.
    assert result.net_losses[0] == pytest.approx(math.log(3), abs=1e-3)
    assert result.linear_losses[0] == pytest.approx(math.log(3), abs=0.02)
    # Three interleaved spirals are not linearly separable: three linear regions meeting at a point
    # cut every arm, and the course reports about half right. A hidden layer of 100 ReLUs fits them.
    assert result.linear_accuracy < 0.65
    assert result.net_accuracy > 0.95
    assert result.net_accuracy - result.linear_accuracy > 0.3
    assert result.net_final_loss < 0.5 * result.linear_final_loss
    assert result.net_final_loss == pytest.approx(result.net_final_data_loss + result.net_final_reg_loss)
    assert result.net_losses.shape == (10_001,)
    assert result.linear_losses.shape == (201,)
    assert result.net_param_count == 2 * 100 + 100 + 100 * 3 + 3
    assert result.linear_param_count == 2 * 3 + 3
    assert result.net_errors == round((1 - result.net_accuracy) * 300)


def test_run_is_deterministic(result: spiral.SpiralResult) -> None:
    again = spiral.run()
    np.testing.assert_array_equal(again.net_losses, result.net_losses)
    np.testing.assert_array_equal(again.net_W1, result.net_W1)
    np.testing.assert_array_equal(again.ex_numeric_dW1, result.ex_numeric_dW1)
