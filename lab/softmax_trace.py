"""The spiral network's gradients derived a second time, by matrix differentials.

The backpropagation article finds them node by node, entry by entry (lab.spiral.net_backward). Here
each function is one step of the trace derivation, dL = tr(G^T dV) => dL/dV = G, and is written
from that derivation rather than from the graph: the labels as a one-hot matrix Y, a batch sum as a
product with a row of ones, the ReLU as a Hadamard product with a 0/1 mask, each bias as a 1 x n
row. run() checks every step against net_backward and against centered differences on the
hand-sized graph of the backpropagation article, and against net_backward on the spiral data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lab import spiral
from lab.gradcheck import EPS, numeric_gradient, rel_error

DIRECTION_SEED = 3
"""Seed of the random direction along which the whole differential is compared with the loss."""


def one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Y[i, k] = 1 where k is the class of sample i, else 0 (N x K)."""
    return np.eye(n_classes)[y]


def grad_scores(probs: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dL_data = tr(((P - Y) / N)^T ds), so G_s = (P - Y) / N."""
    return (probs - Y) / Y.shape[0]


def grad_weight(inputs: np.ndarray, G_out: np.ndarray,
                W: np.ndarray, reg: float) -> np.ndarray:
    """out = inputs W + 1 b, plus the penalty reg/2 tr(W^T W):
    dL = tr((inputs^T G_out)^T dW) + tr((reg W)^T dW)."""
    return inputs.T @ G_out + reg * W


def grad_bias(G_out: np.ndarray) -> np.ndarray:
    """out = inputs W + 1 b adds the row b to all N rows, so
    tr(G_out^T 1 db) = tr((1^T G_out)^T db): G_b = 1^T G_out, 1 x n."""
    ones = np.ones((1, G_out.shape[0]))
    return ones @ G_out


def grad_inputs(G_out: np.ndarray, W: np.ndarray) -> np.ndarray:
    """tr(G_out^T d(inputs) W) = tr((G_out W^T)^T d(inputs))."""
    return G_out @ W.T


def grad_relu(G_h: np.ndarray, z1: np.ndarray) -> np.ndarray:
    """dh = M * dz1 with the 0/1 mask M = [z1 > 0]; the mask moves
    onto the gradient: G_z1 = G_h * M."""
    M = (z1 > 0).astype(float)
    return G_h * M


@dataclass(frozen=True)
class TraceGradients:
    """Every gradient of the trace route, each the shape of its variable (biases as 1 x n rows)."""

    G_s: np.ndarray
    G_W2: np.ndarray
    G_b2: np.ndarray
    G_h: np.ndarray
    G_z1: np.ndarray
    G_W1: np.ndarray
    G_b1: np.ndarray


def trace_backward(params: spiral.Params, X: np.ndarray, y: np.ndarray,
                   fwd: spiral.Forward, reg: float) -> TraceGradients:
    """The derivation's steps in order, from the loss back to W1."""
    Y = one_hot(y, fwd.probs.shape[1])
    G_s = grad_scores(fwd.probs, Y)
    G_W2 = grad_weight(fwd.h, G_s, params["W2"], reg)
    G_b2 = grad_bias(G_s)
    G_h = grad_inputs(G_s, params["W2"])
    G_z1 = grad_relu(G_h, fwd.z1)
    G_W1 = grad_weight(X, G_z1, params["W1"], reg)
    G_b1 = grad_bias(G_z1)
    return TraceGradients(G_s=G_s, G_W2=G_W2, G_b2=G_b2, G_h=G_h,
                          G_z1=G_z1, G_W1=G_W1, G_b1=G_b1)


STEPS = (("s", "dscores", "G_s"), ("W2", "dW2", "G_W2"), ("b2", "db2", "G_b2"), ("h", "dh", "G_h"),
         ("z1", "dz1", "G_z1"), ("W1", "dW1", "G_W1"), ("b1", "db1", "G_b1"))
"""(variable, field of spiral.Backward, field of TraceGradients), in the order of the derivation."""


def largest_gap(mine: np.ndarray, theirs: np.ndarray) -> float:
    """max |mine - theirs|, entry by entry (a bias row against a bias vector as the same numbers)."""
    return float(np.max(np.abs(np.ravel(mine) - np.ravel(theirs))))


def scaled_gap(mine: np.ndarray, theirs: np.ndarray) -> float:
    """max |mine - theirs| / max |theirs|: rounding differences, scaled by the size of the gradient.

    Not entry by entry: at the start the bias gradients are sums of nearly cancelling terms, and
    a relative error per entry would measure that cancellation rather than the two routes."""
    return largest_gap(mine, theirs) / float(np.max(np.abs(theirs)))


def route_gaps(trace: TraceGradients, entry: spiral.Backward,
               gap: Callable[[np.ndarray, np.ndarray], float] = largest_gap) -> dict[str, float]:
    """The gap between the trace route and the entry route, per variable of the derivation."""
    return {name: gap(getattr(trace, mine), getattr(entry, theirs)) for name, theirs, mine in STEPS}


def loss_from_node(name: str, value: np.ndarray, params: spiral.Params, y: np.ndarray, reg: float) -> float:
    """The loss as a function of one intermediate node, with everything before it in the forward
    pass held fixed."""
    if name == "z1":
        value, name = np.maximum(0.0, value), "h"
    if name == "h":
        value = value @ params["W2"] + params["b2"]
    return spiral.softmax_cross_entropy(value, y)[0] + spiral.l2_penalty(params, reg)


def numeric_steps(params: spiral.Params, X: np.ndarray, y: np.ndarray, fwd: spiral.Forward,
                  reg: float) -> dict[str, np.ndarray]:
    """Centered differences of the loss with respect to every node and parameter of the derivation."""
    nodes = {"s": fwd.scores.copy(), "h": fwd.h.copy(), "z1": fwd.z1.copy()}
    numeric = {name: numeric_gradient(lambda n=name: loss_from_node(n, nodes[n], params, y, reg), value)
               for name, value in nodes.items()}
    params = {name: value.copy() for name, value in params.items()}
    return numeric | spiral.numeric_grads(spiral.net_grads, params, X, y, reg)


def directional_check(params: spiral.Params, X: np.ndarray, y: np.ndarray, trace: TraceGradients,
                      reg: float, seed: int = DIRECTION_SEED) -> tuple[float, float]:
    """dL along a random direction D of all four parameters: sum of tr(G^T D) against a centered
    difference of the loss."""
    rng = np.random.default_rng(seed)
    direction = {name: rng.standard_normal(value.shape) for name, value in params.items()}
    grads = {"W1": trace.G_W1, "b1": trace.G_b1, "W2": trace.G_W2, "b2": trace.G_b2}
    # tr(G^T D) is the inner product of G and D: the sum of G * D.
    predicted = sum(float(np.sum(np.reshape(grads[n], d.shape) * d)) for n, d in direction.items())

    def loss_at(step: float) -> float:
        moved = {n: params[n] + step * direction[n] for n in params}
        return spiral.net_forward(moved, X, y, reg).loss

    return predicted, (loss_at(EPS) - loss_at(-EPS)) / (2 * EPS)


def spiral_start() -> tuple[spiral.Params, np.ndarray, np.ndarray]:
    """The spiral data and the net's starting weights, drawn exactly as lab.spiral.run draws them."""
    rng = np.random.default_rng(spiral.DATA_SEED)
    X, y = spiral.make_spiral(rng)
    spiral.init_params(rng, (X.shape[1], spiral.N_CLASSES))  # the linear model's draw comes first
    return spiral.init_params(rng, (X.shape[1], spiral.HIDDEN, spiral.N_CLASSES)), X, y


@dataclass(frozen=True)
class SoftmaxTraceResult:
    # The hand-sized graph of the backpropagation article.
    n: int
    n_features: int
    hidden: int
    n_classes: int
    reg: float
    y: np.ndarray
    Y: np.ndarray
    probs: np.ndarray
    G_s: np.ndarray
    G_s_row_sums_max: float
    G_W2_data: np.ndarray
    reg_W2: np.ndarray
    G_W2: np.ndarray
    G_W2_transpose_gap: float
    G_b2: np.ndarray
    G_b2_shape: np.ndarray
    b2_shape_without_sum: np.ndarray
    G_h: np.ndarray
    mask: np.ndarray
    G_z1: np.ndarray
    G_W1_data: np.ndarray
    reg_W1: np.ndarray
    G_W1: np.ndarray
    G_b1: np.ndarray
    G_b1_shape: np.ndarray
    min_abs_z1: float
    # Trace route against the entry-by-entry route (net_backward) and against centered differences.
    gap_s: float
    gap_W2: float
    gap_b2: float
    gap_h: float
    gap_z1: float
    gap_W1: float
    gap_b1: float
    max_gap: float
    rel_error_s: float
    rel_error_W2: float
    rel_error_b2: float
    rel_error_h: float
    rel_error_z1: float
    rel_error_W1: float
    rel_error_b1: float
    max_rel_error: float
    rel_error_penalty: float
    directional_predicted: float
    directional_numeric: float
    rel_error_directional: float
    eps: float
    # The spiral data at the net's starting weights.
    full_n: int
    full_hidden: int
    full_n_params: int
    full_zero_pre_activations: int  # entries of z1 that are exactly 0: where the mask must close
    full_rel_gap_s: float
    full_rel_gap_W2: float
    full_rel_gap_b2: float
    full_rel_gap_h: float
    full_rel_gap_z1: float
    full_rel_gap_W1: float
    full_rel_gap_b1: float
    full_max_rel_gap: float


def _hand_sized() -> dict[str, object]:
    params, X, y = spiral.example_inputs()
    reg = spiral.EXAMPLE_REG
    fwd = spiral.net_forward(params, X, y, reg)
    trace = trace_backward(params, X, y, fwd, reg)
    entry = spiral.net_backward(params, X, y, fwd, reg)
    gaps = route_gaps(trace, entry)
    numeric = numeric_steps(params, X, y, fwd, reg)
    errors = {name: rel_error(np.ravel(getattr(trace, mine)), np.ravel(numeric[name])) for name, _, mine in STEPS}
    W2 = params["W2"].copy()
    penalty = numeric_gradient(lambda: spiral.l2_penalty({"W2": W2}, reg), W2)
    predicted, measured = directional_check(params, X, y, trace, reg)
    b2_without_sum = params["b2"] - spiral.STEP_SIZE * trace.G_s  # the update that forgot the batch sum
    return {
        "n": X.shape[0], "n_features": X.shape[1], "hidden": params["W1"].shape[1],
        "n_classes": params["W2"].shape[1], "reg": reg, "y": y, "Y": one_hot(y, params["W2"].shape[1]),
        "probs": fwd.probs, "G_s": trace.G_s, "G_s_row_sums_max": float(np.max(np.abs(trace.G_s.sum(axis=1)))),
        "G_W2_data": fwd.h.T @ trace.G_s, "reg_W2": reg * params["W2"], "G_W2": trace.G_W2,
        "G_W2_transpose_gap": float(np.max(np.abs(trace.G_W2 - trace.G_W2.T))),
        "G_b2": trace.G_b2, "G_b2_shape": np.array(trace.G_b2.shape),
        "b2_shape_without_sum": np.array(b2_without_sum.shape),
        "G_h": trace.G_h, "mask": (fwd.z1 > 0).astype(float), "G_z1": trace.G_z1,
        "G_W1_data": X.T @ trace.G_z1, "reg_W1": reg * params["W1"], "G_W1": trace.G_W1,
        "G_b1": trace.G_b1, "G_b1_shape": np.array(trace.G_b1.shape),
        "min_abs_z1": float(np.min(np.abs(fwd.z1))),
        **{f"gap_{name}": value for name, value in gaps.items()}, "max_gap": max(gaps.values()),
        **{f"rel_error_{name}": value for name, value in errors.items()},
        "max_rel_error": max(errors.values()), "rel_error_penalty": rel_error(reg * params["W2"], penalty),
        "directional_predicted": predicted, "directional_numeric": measured,
        "rel_error_directional": rel_error(np.array(predicted), np.array(measured)), "eps": EPS,
    }


def _full_size() -> dict[str, object]:
    params, X, y = spiral_start()
    fwd = spiral.net_forward(params, X, y, spiral.REG)
    trace = trace_backward(params, X, y, fwd, spiral.REG)
    entry = spiral.net_backward(params, X, y, fwd, spiral.REG)
    gaps = route_gaps(trace, entry, scaled_gap)
    return {"full_n": X.shape[0], "full_hidden": params["W1"].shape[1],
            "full_n_params": sum(value.size for value in params.values()),
            "full_zero_pre_activations": int(np.sum(fwd.z1 == 0)),
            **{f"full_rel_gap_{name}": value for name, value in gaps.items()},
            "full_max_rel_gap": max(gaps.values())}


def run() -> SoftmaxTraceResult:
    return SoftmaxTraceResult(**_hand_sized(), **_full_size())
