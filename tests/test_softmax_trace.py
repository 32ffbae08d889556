"""The softmax network derived by matrix differentials: every step against the entry-by-entry
route of the backpropagation article (lab.spiral.net_backward) and against centered differences,
on random networks as well as on the article's hand-sized graph; and the mistakes the article
warns about, each caught by the same checks."""

from __future__ import annotations

import numpy as np
import pytest

from lab import softmax_trace as st
from lab import spiral
from lab.gradcheck import numeric_gradient

SHAPES = [  # (seed, N, D, H, K)
    (0, 2, 2, 3, 3),
    (1, 5, 3, 4, 2),
    (2, 7, 2, 6, 4),
    (3, 1, 4, 2, 3),
    (4, 12, 5, 3, 5),
]
PARAMS = ("W1", "b1", "W2", "b2")


def random_net(seed: int, n: int, d: int, hidden: int, k: int) -> tuple[spiral.Params, np.ndarray, np.ndarray]:
    """Weights of order 1, so that no pre-activation sits within a difference step of the ReLU kink."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.standard_normal((d, hidden)), "b1": 0.5 * rng.standard_normal(hidden),
              "W2": rng.standard_normal((hidden, k)), "b2": 0.5 * rng.standard_normal(k)}
    X, y = rng.standard_normal((n, d)), rng.integers(0, k, n)
    assert np.min(np.abs(X @ params["W1"] + params["b1"])) > 1e-3
    return params, X, y


def scaled_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max |analytic - numeric| / max |numeric|: judged against the size of the whole gradient, since
    a difference estimate's rounding noise does not shrink with a small entry."""
    analytic, numeric = np.ravel(analytic), np.ravel(numeric)
    return float(np.max(np.abs(analytic - numeric)) / np.max(np.abs(numeric)))


def trace_grads(params: spiral.Params, X: np.ndarray, y: np.ndarray, reg: float) -> st.TraceGradients:
    return st.trace_backward(params, X, y, spiral.net_forward(params, X, y, reg), reg)


@pytest.fixture(scope="module")
def result() -> st.SoftmaxTraceResult:
    return st.run()


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_the_trace_route_agrees_with_the_entry_route(shape: tuple[int, ...], reg: float) -> None:
    params, X, y = random_net(*shape)
    fwd = spiral.net_forward(params, X, y, reg)
    trace = st.trace_backward(params, X, y, fwd, reg)
    entry = spiral.net_backward(params, X, y, fwd, reg)
    for _, theirs, mine in st.STEPS:
        np.testing.assert_allclose(np.ravel(getattr(trace, mine)), np.ravel(getattr(entry, theirs)),
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_every_parameter_gradient_matches_centered_differences(shape: tuple[int, ...]) -> None:
    params, X, y = random_net(*shape)
    reg = 0.2
    trace = trace_grads(params, X, y, reg)
    numeric = spiral.numeric_grads(spiral.net_grads, params, X, y, reg)
    mine = {"W1": trace.G_W1, "b1": trace.G_b1, "W2": trace.G_W2, "b2": trace.G_b2}
    for name in PARAMS:
        assert scaled_error(mine[name], numeric[name]) < 1e-7, name


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_every_intermediate_gradient_matches_centered_differences(shape: tuple[int, ...]) -> None:
    """G_s, G_h and G_z1: the loss differentiated by the node itself, upstream held fixed."""
    params, X, y = random_net(*shape)
    reg = 0.2
    fwd = spiral.net_forward(params, X, y, reg)
    trace = st.trace_backward(params, X, y, fwd, reg)
    for node, field in (("s", "G_s"), ("h", "G_h"), ("z1", "G_z1")):
        value = {"s": fwd.scores, "h": fwd.h, "z1": fwd.z1}[node].copy()
        numeric = numeric_gradient(lambda n=node, v=value: st.loss_from_node(n, v, params, y, reg), value)
        assert scaled_error(getattr(trace, field), numeric) < 1e-7, node


def test_loss_from_node_is_the_loss_of_the_network() -> None:
    params, X, y = random_net(*SHAPES[2])
    fwd = spiral.net_forward(params, X, y, 0.2)
    for node, value in (("s", fwd.scores), ("h", fwd.h), ("z1", fwd.z1)):
        assert st.loss_from_node(node, value, params, y, 0.2) == pytest.approx(fwd.loss, rel=1e-14)


def test_scores_gradient_against_a_loop_over_samples_and_classes() -> None:
    """Independent of both routes: d/ds_ij of -(1/N) sum_i log softmax(s_i)[y_i], one entry at a time."""
    rng = np.random.default_rng(9)
    s, y = rng.standard_normal((4, 3)), np.array([0, 2, 2, 1])
    expected = np.zeros_like(s)
    for i in range(4):
        exps = [np.exp(v) for v in s[i]]
        for j in range(3):
            expected[i, j] = (exps[j] / sum(exps) - (1.0 if j == y[i] else 0.0)) / 4
    np.testing.assert_allclose(st.grad_scores(spiral.softmax(s), st.one_hot(y, 3)), expected, rtol=1e-13)


def test_bias_gradients_are_batch_sums_kept_as_rows() -> None:
    params, X, y = random_net(*SHAPES[4])
    trace = trace_grads(params, X, y, 0.0)
    assert trace.G_b2.shape == (1, 5)
    assert trace.G_b1.shape == (1, 3)
    np.testing.assert_allclose(trace.G_b2[0], trace.G_s.sum(axis=0), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(trace.G_b1[0], trace.G_z1.sum(axis=0), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(trace.G_s.sum(axis=1), 0.0, atol=1e-15)  # each row of P - Y sums to 0


def test_the_checks_catch_the_mistakes_the_article_warns_about() -> None:
    """Negative controls: each plausible mistake, run through the same difference check, fails it."""
    params, X, y = random_net(*SHAPES[2])
    reg = 0.2
    trace = trace_grads(params, X, y, reg)
    numeric = spiral.numeric_grads(spiral.net_grads, params, X, y, reg)
    fwd = spiral.net_forward(params, X, y, reg)
    mistakes = {
        "b2 summed over the wrong axis": ("b2", np.resize(trace.G_s.sum(axis=1), 4)),
        "b2 averaged instead of summed": ("b2", trace.G_s.mean(axis=0)),
        "W2 without the penalty": ("W2", fwd.h.T @ trace.G_s),
        "W1 without the ReLU mask": ("W1", X.T @ trace.G_h + reg * params["W1"]),
        "scores gradient without 1/N": ("W2", fwd.h.T @ (trace.G_s * len(y)) + reg * params["W2"]),
    }
    for what, (name, wrong) in mistakes.items():
        assert scaled_error(wrong, numeric[name]) > 1e-2, what


def test_a_missing_transpose_is_caught_by_values_when_shapes_cannot_catch_it(result: st.SoftmaxTraceResult) -> None:
    """In the hand-sized graph H = K = 3, so G_W2 and its transpose have the same shape."""
    assert result.hidden == result.n_classes
    params, X, y = spiral.example_inputs()
    numeric = spiral.numeric_grads(spiral.net_grads, params, X, y, spiral.EXAMPLE_REG)
    assert scaled_error(result.G_W2.T, numeric["W2"]) > 1e-2
    assert result.G_W2_transpose_gap == pytest.approx(np.max(np.abs(result.G_W2 - result.G_W2.T)))


def test_the_hand_sized_graph_is_the_backprop_articles(result: st.SoftmaxTraceResult) -> None:
    params, X, y = spiral.example_inputs()
    fwd = spiral.net_forward(params, X, y, spiral.EXAMPLE_REG)
    bwd = spiral.net_backward(params, X, y, fwd, spiral.EXAMPLE_REG)
    np.testing.assert_array_equal(result.y, y)
    np.testing.assert_array_equal(result.G_s, bwd.dscores)
    np.testing.assert_array_equal(result.G_b2[0], bwd.db2)
    np.testing.assert_array_equal(result.G_W1, bwd.dW1)
    np.testing.assert_allclose(result.G_W2_data + result.reg_W2, result.G_W2, rtol=1e-15)
    np.testing.assert_allclose(result.G_W1_data + result.reg_W1, result.G_W1, rtol=1e-15)
    np.testing.assert_array_equal(result.Y.argmax(axis=1), y)
    assert result.max_gap == max(getattr(result, f"gap_{name}") for name, _, _ in st.STEPS)
    assert result.max_rel_error < 1e-7
    assert result.rel_error_penalty < 1e-8
    assert result.min_abs_z1 > 100 * result.eps  # the difference checks never straddle the kink
    assert tuple(result.b2_shape_without_sum) == (result.n, result.n_classes)


def test_the_whole_differential_predicts_the_change_of_the_loss(result: st.SoftmaxTraceResult) -> None:
    assert result.rel_error_directional < 1e-7
    assert result.directional_predicted == pytest.approx(result.directional_numeric, rel=1e-7)


def test_spiral_start_is_where_the_spiral_run_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    class StopError(Exception):
        pass

    def capture(params: spiral.Params, X: np.ndarray, y: np.ndarray, iters: int, **_: object) -> None:
        seen.update(params=params, X=X, y=y)
        raise StopError

    monkeypatch.setattr(spiral, "train_linear", lambda *args, **kwargs: None)
    monkeypatch.setattr(spiral, "train_net", capture)
    with pytest.raises(StopError):
        spiral.run()
    params, X, y = st.spiral_start()
    np.testing.assert_array_equal(X, seen["X"])
    np.testing.assert_array_equal(y, seen["y"])
    for name in PARAMS:
        np.testing.assert_array_equal(params[name], seen["params"][name])


def test_on_the_spiral_data_the_routes_differ_only_by_rounding(result: st.SoftmaxTraceResult) -> None:
    assert (result.full_n, result.full_hidden) == (spiral.N_CLASSES * spiral.N_PER_CLASS, spiral.HIDDEN)
    assert result.full_n_params == (2 + 1) * spiral.HIDDEN + (spiral.HIDDEN + 1) * spiral.N_CLASSES
    assert result.full_max_rel_gap < 1e-10


def test_a_row_gradient_and_a_vector_bias_do_not_mix() -> None:
    """What the article says about the two shapes: in place the row is refused, out of place it
    turns the bias into a row."""
    params, X, y = random_net(*SHAPES[0])
    trace = trace_grads(params, X, y, 0.0)
    b2 = params["b2"].copy()
    with pytest.raises(ValueError, match="non-broadcastable"):
        b2 -= 0.5 * trace.G_b2
    assert (params["b2"] - 0.5 * trace.G_b2).shape == (1, params["b2"].size)
