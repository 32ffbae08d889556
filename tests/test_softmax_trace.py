"""The softmax network derived by matrix differentials: every step against the entry-by-entry
route of the backpropagation article (lab.spiral.net_backward) and against centered differences,
on random networks as well as on the article's hand-sized graph; and the mistakes the article
warns about, each caught by the same checks."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from lab import softmax_trace as st
from lab import spiral
from lab.gradcheck import numeric_gradient, rel_error

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
        assert st.scaled_gap(mine[name], numeric[name]) < 1e-7, name


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
        assert st.scaled_gap(getattr(trace, field), numeric) < 1e-7, node


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
        assert st.scaled_gap(wrong, numeric[name]) > 1e-2, what


def test_a_missing_transpose_is_caught_by_values_when_shapes_cannot_catch_it(result: st.SoftmaxTraceResult) -> None:
    """In the hand-sized graph H = K = 3, so G_W2 and its transpose have the same shape."""
    assert result.hidden == result.n_classes
    params, X, y = spiral.example_inputs()
    numeric = spiral.numeric_grads(spiral.net_grads, params, X, y, spiral.EXAMPLE_REG)
    assert st.scaled_gap(result.G_W2.T, numeric["W2"]) > 1e-2
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


def test_the_mask_closes_where_a_pre_activation_is_exactly_zero() -> None:
    """The ReLU has no slope at 0; both routes must treat it as closed (the spiral's origin samples
    meet zero biases there)."""
    params, X, y = random_net(*SHAPES[1])
    X[0] = 0.0
    params["b1"][:] = 0.0  # sample 0 now has z1 = 0 in every hidden unit
    fwd = spiral.net_forward(params, X, y, 0.0)
    assert np.all(fwd.z1[0] == 0)
    trace = st.trace_backward(params, X, y, fwd, 0.0)
    np.testing.assert_array_equal(trace.G_z1[0], 0.0)
    np.testing.assert_array_equal(trace.G_z1, spiral.net_backward(params, X, y, fwd, 0.0).dz1)


def test_the_published_checks_are_recomputed_independently(result: st.SoftmaxTraceResult) -> None:
    """No check of the run compares a value with itself: each is recomputed here from the routes."""
    params, X, y = spiral.example_inputs()
    reg = spiral.EXAMPLE_REG
    fwd = spiral.net_forward(params, X, y, reg)
    entry = spiral.net_backward(params, X, y, fwd, reg)
    numeric = spiral.numeric_grads(spiral.net_grads, {k: v.copy() for k, v in params.items()}, X, y, reg)
    for name, theirs, mine in st.STEPS:
        ours = getattr(result, mine)
        assert getattr(result, f"gap_{name}") == np.max(np.abs(ours - np.reshape(getattr(entry, theirs), ours.shape)))
    for name in PARAMS:
        expected = rel_error(np.ravel(getattr(result, f"G_{name}")), np.ravel(numeric[name]))
        assert getattr(result, f"rel_error_{name}") == pytest.approx(expected, rel=1e-6, abs=1e-15)
    scores = fwd.scores.copy()
    numeric_s = numeric_gradient(lambda: spiral.softmax_cross_entropy(scores, y)[0], scores)
    assert result.rel_error_s == pytest.approx(rel_error(result.G_s, numeric_s), rel=0.5, abs=1e-12)
    direction_rng = np.random.default_rng(st.DIRECTION_SEED)
    direction = {name: direction_rng.standard_normal(value.shape) for name, value in params.items()}

    def loss_at(step: float) -> float:
        return spiral.net_forward({n: params[n] + step * direction[n] for n in params}, X, y, reg).loss

    assert result.directional_numeric == (loss_at(1e-5) - loss_at(-1e-5)) / 2e-5
    predicted = sum(float(np.sum(getattr(result, f"G_{n}").reshape(d.shape) * d)) for n, d in direction.items())
    assert result.directional_predicted == pytest.approx(predicted, rel=1e-14)
    start, X_full, y_full = st.spiral_start()
    fwd_full = spiral.net_forward(start, X_full, y_full, spiral.REG)
    entry_full = spiral.net_backward(start, X_full, y_full, fwd_full, spiral.REG)
    np.testing.assert_allclose(result.full_rel_gap_z1, 0.0, atol=0)  # same mask, same product
    assert result.full_zero_pre_activations == int(np.sum(fwd_full.z1 == 0)) > 0
    assert np.max(np.abs(entry_full.dz1[fwd_full.z1 == 0])) == 0


MATRIX_SYMBOLS = {"P": "probs", "Y": "Y", "N": "n", "h": "h", "G_s": "G_s", "W2": "W2", "W1": "W1",
                  "X": "X", "G_h": "G_h", "M": "M", "G_z1": "G_z1", "λ": "lam", "1": "one"}


def formula_as_python(text: str) -> str:
    """The table's formula text as NumPy: 'hᵀ G_s + λ W2' -> 'h.T @ G_s + lam * W2'."""
    tokens = re.findall(r"(?:G_[a-z0-9]+|W\d|1|[A-Za-zλ])ᵀ?|[()+/⊙−]", text)
    out: list[str] = []
    for token in tokens:
        transposed = token.endswith("ᵀ")
        name = token.rstrip("ᵀ")
        if name in MATRIX_SYMBOLS:
            operand = MATRIX_SYMBOLS[name] + (".T" if transposed else "")
            if out and (out[-1].endswith(("T", ")")) or out[-1] in MATRIX_SYMBOLS.values()):
                out.append("*" if out[-1] == "lam" else "@")
            out.append(operand)
        else:
            out.append({"⊙": "*", "−": "-"}.get(token, token))
    return " ".join(out)


def test_the_formulas_the_steps_table_shows_compute_its_gradients(result: st.SoftmaxTraceResult) -> None:
    from lab.tables.softmax_trace import FORMULAS

    params, X, _ = spiral.example_inputs()
    fwd = spiral.net_forward(params, X, result.y, result.reg)
    names = {"probs": result.probs, "Y": result.Y, "n": result.n, "h": fwd.h, "G_s": result.G_s,
             "W2": params["W2"], "W1": params["W1"], "X": X, "G_h": result.G_h, "M": result.mask,
             "G_z1": result.G_z1, "lam": result.reg, "one": np.ones((result.n, 1))}
    for name, _, field in st.STEPS:
        gradient, formula = FORMULAS[name]
        assert gradient == field
        computed = eval(formula_as_python(formula), names)
        np.testing.assert_allclose(computed, getattr(result, field), rtol=1e-12, atol=1e-15, err_msg=formula)


def test_the_formula_reader_itself() -> None:
    assert formula_as_python("hᵀ G_s + λ W2") == "h.T @ G_s + lam * W2"
    assert formula_as_python("(P − Y) / N") == "( probs - Y ) / n"
    assert formula_as_python("1ᵀ G_z1") == "one.T @ G_z1"


def test_route_gaps_measures_the_entry_route_not_itself() -> None:
    """On the hand-sized graph every gap is 0, so a gap that compared a route with itself would look
    the same; a planted difference in the entry route must show up in its own step only."""
    params, X, y = spiral.example_inputs()
    fwd = spiral.net_forward(params, X, y, spiral.EXAMPLE_REG)
    trace = st.trace_backward(params, X, y, fwd, spiral.EXAMPLE_REG)
    entry = spiral.net_backward(params, X, y, fwd, spiral.EXAMPLE_REG)
    for name, theirs, _ in st.STEPS:
        planted = dataclasses.replace(entry, **{theirs: getattr(entry, theirs) + 0.125})
        gaps = st.route_gaps(trace, planted)
        assert gaps[name] == pytest.approx(0.125)
        assert all(gap == 0 for other, gap in gaps.items() if other != name)


def test_the_penalty_check_is_recomputed(result: st.SoftmaxTraceResult) -> None:
    params, _, _ = spiral.example_inputs()
    W2 = params["W2"].copy()
    numeric = numeric_gradient(lambda: spiral.l2_penalty({"W2": W2}, result.reg), W2)
    np.testing.assert_allclose(numeric, result.reg_W2, rtol=1e-8)
    assert result.rel_error_penalty == pytest.approx(rel_error(result.reg_W2, numeric), rel=1e-6, abs=1e-15)
