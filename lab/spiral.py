"""Backpropagation through a two-layer ReLU network as a computation graph, and the spiral data.

The graph: z1 = X W1 + b1, h = max(0, z1), scores = h W2 + b2, probs = softmax(scores),
loss = mean cross-entropy + 1/2 reg (sum W1^2 + sum W2^2). A tiny hand-sized example shows every
node's value and gradient; then a linear softmax classifier and the two-layer net are trained on
three interleaved spirals (3 classes x 100 points, full-batch gradient descent, step size 1.0,
reg 1e-3) to show what the hidden layer buys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, numeric_gradient, rel_error

Params = dict[str, np.ndarray]

DATA_SEED = 0
N_PER_CLASS = 100
N_CLASSES = 3
HIDDEN = 100
STEP_SIZE = 1.0
REG = 1e-3
LINEAR_ITERS = 200
NET_ITERS = 10_000
CHECKPOINTS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)
"""Iterations at which the training table reports the losses (and the net's accuracy)."""

EXAMPLE_SEED = 15
"""Chosen so that the ReLU gate closes on some entries of each sample, but on no whole column."""
EXAMPLE_REG = 0.1
"""Large on purpose: with 1e-3 the regularization term would vanish at the example's precision."""


def make_spiral(rng: np.random.Generator,
                n_per_class: int = N_PER_CLASS,
                n_classes: int = N_CLASSES,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Class j: radius 0 -> 1 while the angle runs 4j -> 4(j + 1), plus
    noise.

    The noise is drawn one row per class, in the order a per-class loop
    would draw it, so both give the same points for the same seed.
    """
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    start = 4.0 * np.arange(n_classes)
    angle = np.linspace(start, start + 4.0, n_per_class, axis=1)
    noise = 0.2 * rng.standard_normal((n_classes, n_per_class))
    angle = (angle + noise).ravel()
    X = np.column_stack([radius * np.sin(angle),
                         radius * np.cos(angle)])
    y = np.repeat(np.arange(n_classes), n_per_class)
    return X, y


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax; the row maximum is subtracted so exp cannot overflow."""
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def softmax_cross_entropy(scores: np.ndarray,
                          y: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean cross-entropy, and its gradient (P - Y) / N."""
    n = scores.shape[0]
    rows = np.arange(n)
    probs = softmax(scores)
    loss = float(-np.mean(np.log(probs[rows, y])))
    dscores = probs.copy()
    dscores[rows, y] -= 1.0  # subtract 1 at each true class
    return loss, dscores / n


def l2_penalty(params: Params, reg: float) -> float:
    """1/2 reg times the squared weights; biases are not penalized."""
    return 0.5 * reg * sum(float(np.sum(w * w)) for name, w in params.items() if name.startswith("W"))


@dataclass(frozen=True)
class Forward:
    """Every node of the two-layer graph, in the order the forward pass computes them."""

    z1: np.ndarray
    h: np.ndarray
    scores: np.ndarray
    probs: np.ndarray
    data_loss: float
    reg_loss: float
    loss: float


@dataclass(frozen=True)
class Backward:
    """The gradient of the loss at every node, in the order the backward pass computes them."""

    dscores: np.ndarray
    dW2: np.ndarray
    db2: np.ndarray
    dh: np.ndarray
    dz1: np.ndarray
    dW1: np.ndarray
    db1: np.ndarray


def net_forward(params: Params, X: np.ndarray, y: np.ndarray,
                reg: float) -> Forward:
    """Walk the graph from the inputs to the loss, keeping each node."""
    z1 = X @ params["W1"] + params["b1"]
    h = np.maximum(0.0, z1)
    scores = h @ params["W2"] + params["b2"]
    data_loss, _ = softmax_cross_entropy(scores, y)
    reg_loss = l2_penalty(params, reg)
    return Forward(z1=z1, h=h, scores=scores, probs=softmax(scores),
                   data_loss=data_loss, reg_loss=reg_loss,
                   loss=data_loss + reg_loss)


def net_backward(params: Params, X: np.ndarray, y: np.ndarray,
                 fwd: Forward, reg: float) -> Backward:
    """Walk the graph back, one node per line."""
    _, dscores = softmax_cross_entropy(fwd.scores, y)  # (P - Y) / N
    # matmul node h W2, plus the second branch of W2: the L2 penalty
    dW2 = fwd.h.T @ dscores + reg * params["W2"]
    db2 = dscores.sum(axis=0)  # b2 was broadcast to N rows: sum them
    dh = dscores @ params["W2"].T  # matmul node, towards hidden layer
    dz1 = dh * (fwd.z1 > 0)  # ReLU gate: no gradient where z1 <= 0
    dW1 = X.T @ dz1 + reg * params["W1"]
    db1 = dz1.sum(axis=0)
    return Backward(dscores=dscores, dW2=dW2, db2=db2, dh=dh, dz1=dz1,
                    dW1=dW1, db1=db1)


def net_grads(params: Params, X: np.ndarray, y: np.ndarray, reg: float) -> tuple[float, Params]:
    """Loss and parameter gradients of the two-layer net, keyed like ``params``."""
    fwd = net_forward(params, X, y, reg)
    bwd = net_backward(params, X, y, fwd, reg)
    return fwd.loss, {"W1": bwd.dW1, "b1": bwd.db1, "W2": bwd.dW2, "b2": bwd.db2}


def linear_grads(params: Params, X: np.ndarray, y: np.ndarray, reg: float) -> tuple[float, Params]:
    """The same graph without the hidden layer: scores = X W + b."""
    data_loss, dscores = softmax_cross_entropy(X @ params["W"] + params["b"], y)
    grads = {"W": X.T @ dscores + reg * params["W"], "b": dscores.sum(axis=0)}
    return data_loss + l2_penalty(params, reg), grads


LossAndGrads = Callable[[Params, np.ndarray, np.ndarray, float], tuple[float, Params]]


def numeric_grads(loss_and_grads: LossAndGrads, params: Params, X: np.ndarray, y: np.ndarray,
                  reg: float) -> Params:
    """Centered differences of the loss for every parameter (``params`` is nudged and restored)."""
    def loss() -> float:
        return loss_and_grads(params, X, y, reg)[0]

    return {name: numeric_gradient(loss, value) for name, value in params.items()}


def init_params(rng: np.random.Generator, sizes: tuple[int, ...]) -> Params:
    """W = 0.01 randn for each layer, zero biases; small weights start every class at ln K."""
    params: Params = {}
    suffixes = [""] if len(sizes) == 2 else [str(i + 1) for i in range(len(sizes) - 1)]
    for suffix, n_in, n_out in zip(suffixes, sizes[:-1], sizes[1:], strict=True):
        params["W" + suffix] = 0.01 * rng.standard_normal((n_in, n_out))
        params["b" + suffix] = np.zeros(n_out)
    return params


@dataclass(frozen=True)
class Training:
    """What a training run leaves behind: final parameters, the loss curve, accuracy at checkpoints."""

    params: Params
    losses: np.ndarray  # losses[t] is the loss after t updates, t = 0 .. iters
    accuracy: dict[int, float]  # iteration -> training accuracy, for the checkpoints within reach


def train_linear(params: Params, X: np.ndarray, y: np.ndarray, iters: int, step: float = STEP_SIZE,
                 reg: float = REG, checkpoints: tuple[int, ...] = CHECKPOINTS) -> Training:
    """Full-batch gradient descent on the linear softmax classifier."""
    params = {name: value.copy() for name, value in params.items()}
    losses, acc = np.empty(iters + 1), {}
    for t in range(iters + 1):
        if t in checkpoints:
            acc[t] = accuracy(linear_scores(params, X), y)
        losses[t], grads = linear_grads(params, X, y, reg)
        if t < iters:
            for name in params:
                params[name] -= step * grads[name]
    return Training(params=params, losses=losses, accuracy=acc)


def train_net_clear(params: Params, X: np.ndarray, y: np.ndarray,
                    iters: int, step: float = STEP_SIZE,
                    reg: float = REG,
                    checkpoints: tuple[int, ...] = CHECKPOINTS,
                    ) -> Training:
    """Full-batch gradient descent, as the math says: forward, backward,
    then W <- W - step * dW for every parameter. train_net takes the
    same steps faster; a test holds the two together."""
    params = {name: value.copy() for name, value in params.items()}
    losses, acc = np.empty(iters + 1), {}
    for t in range(iters + 1):
        fwd = net_forward(params, X, y, reg)
        losses[t] = fwd.loss
        if t in checkpoints:
            acc[t] = accuracy(fwd.scores, y)
        if t == iters:
            break
        bwd = net_backward(params, X, y, fwd, reg)
        params["W1"] -= step * bwd.dW1
        params["b1"] -= step * bwd.db1
        params["W2"] -= step * bwd.dW2
        params["b2"] -= step * bwd.db2
    return Training(params=params, losses=losses, accuracy=acc)


def train_net(params: Params, X: np.ndarray, y: np.ndarray, iters: int,
              step: float = STEP_SIZE, reg: float = REG,
              checkpoints: tuple[int, ...] = CHECKPOINTS) -> Training:
    """net_forward + net_backward, iterated without (N, H) temporaries.

    Fresh 300 x 100 arrays cost more than the arithmetic, so the hidden
    layer, its gradient and the ReLU gate live in buffers. The (N, K)
    arrays are Fortran-ordered: row max and row sum get much faster.
    """
    W1, b1, W2, b2 = (params[k].copy()
                      for k in ("W1", "b1", "W2", "b2"))
    n, rows, ones = len(y), np.arange(len(y)), np.ones(len(y))
    onehot = np.asfortranarray(np.eye(W2.shape[1])[y])
    h, dh, gate = (np.empty((n, W1.shape[1])) for _ in range(3))
    scores = np.empty((n, W2.shape[1]), order="F")
    losses, acc = np.empty(iters + 1), {}
    for t in range(iters + 1):
        np.matmul(X, W1, out=h)
        h += b1  # z1
        np.greater(h, 0.0, out=gate)  # 1.0 where z1 > 0, else 0.0
        h *= gate  # h = max(0, z1)
        np.matmul(h, W2, out=scores)
        scores += b2
        if t in checkpoints:
            acc[t] = accuracy(scores, y)
        probs = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        penalty = 0.5 * reg * (np.vdot(W1, W1) + np.vdot(W2, W2))
        losses[t] = -np.mean(np.log(probs[rows, y])) + penalty
        if t == iters:
            break
        probs -= onehot
        probs /= n  # dscores = (P - Y) / N, in place
        dscores = probs
        dW2 = h.T @ dscores + reg * W2
        db2 = dscores.sum(axis=0)
        np.matmul(dscores, W2.T, out=dh)
        dh *= gate  # dz1, in place
        dW1 = X.T @ dh + reg * W1
        db1 = ones @ dh  # the batch sum, faster than dh.sum(axis=0)
        for param, grad in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
            grad *= step
            param -= grad
    trained = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return Training(params=trained, losses=losses, accuracy=acc)


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Fraction of samples whose highest score is at the true class."""
    return float(np.mean(np.argmax(scores, axis=1) == y))


def net_scores(params: Params, X: np.ndarray) -> np.ndarray:
    """Class scores of the two-layer net, for accuracy and the decision-boundary figure."""
    return np.maximum(0.0, X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


def linear_scores(params: Params, X: np.ndarray) -> np.ndarray:
    return X @ params["W"] + params["b"]


def example_inputs(seed: int = EXAMPLE_SEED) -> tuple[Params, np.ndarray, np.ndarray]:
    """A hand-sized graph: 2 samples, 2 features, 3 hidden units, 3 classes, one-decimal numbers."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.standard_normal((2, 2)), 1)
    params = {"W1": np.round(rng.standard_normal((2, 3)), 1),
              "b1": np.round(0.5 * rng.standard_normal(3), 1),
              "W2": np.round(rng.standard_normal((3, 3)), 1),
              "b2": np.round(0.5 * rng.standard_normal(3), 1)}
    y = rng.integers(0, 3, 2)
    return params, X, y


def max_rel_errors(analytic: Params, numeric: Params) -> dict[str, float]:
    return {name: rel_error(analytic[name], numeric[name]) for name in analytic}


@dataclass(frozen=True)
class SpiralResult:
    # The hand-sized graph (ex_*): inputs, every forward node, every backward node, the check.
    ex_X: np.ndarray
    ex_y: np.ndarray
    ex_W1: np.ndarray
    ex_b1: np.ndarray
    ex_W2: np.ndarray
    ex_b2: np.ndarray
    ex_reg: float
    ex_z1: np.ndarray
    ex_h: np.ndarray
    ex_scores: np.ndarray
    ex_probs: np.ndarray
    ex_true_probs: np.ndarray
    ex_sample_losses: np.ndarray
    ex_closed_gates: int
    ex_min_abs_z1: float
    ex_param_count: int
    ex_sum_sq_W1: float
    ex_sum_sq_W2: float
    ex_data_loss: float
    ex_reg_loss: float
    ex_loss: float
    ex_dscores: np.ndarray
    ex_dW2: np.ndarray
    ex_db2: np.ndarray
    ex_dh: np.ndarray
    ex_dz1: np.ndarray
    ex_dW1: np.ndarray
    ex_db1: np.ndarray
    ex_numeric_dW1: np.ndarray
    ex_numeric_db1: np.ndarray
    ex_numeric_dW2: np.ndarray
    ex_numeric_db2: np.ndarray
    ex_rel_error_W1: float
    ex_rel_error_b1: float
    ex_rel_error_W2: float
    ex_rel_error_b2: float
    eps: float
    # The spiral data and the two models trained on it.
    X: np.ndarray
    y: np.ndarray
    n_samples: int
    radius_min: float
    radius_max: float
    n_at_origin: int
    hidden: int
    step_size: float
    reg: float
    linear_iters: int
    net_iters: int
    linear_param_count: int
    net_param_count: int
    ln_classes: float
    linear_losses: np.ndarray
    net_losses: np.ndarray
    linear_final_loss: float
    net_final_loss: float
    net_final_data_loss: float
    net_final_reg_loss: float
    linear_accuracy: float
    net_accuracy: float
    linear_errors: int
    net_errors: int
    checkpoints: np.ndarray
    linear_checkpoint_accuracy: np.ndarray
    net_checkpoint_accuracy: np.ndarray
    net_dead_units: int
    net_loss_rises: int
    net_passes_linear: int
    linear_W: np.ndarray
    linear_b: np.ndarray
    net_W1: np.ndarray
    net_b1: np.ndarray
    net_W2: np.ndarray
    net_b2: np.ndarray
    # Finite differences on the real data: the linear model at its start, and the net's b1 at its
    # start, where many points near the origin sit within EPS of a ReLU kink.
    rel_error_linear_W: float
    rel_error_linear_b: float
    kink_rel_error_b1: float
    kink_entries: int


def _example_fields() -> dict[str, object]:
    """Run the hand-sized graph forward and back, and check every parameter by finite differences."""
    params, X, y = example_inputs()
    fwd = net_forward(params, X, y, EXAMPLE_REG)
    bwd = net_backward(params, X, y, fwd, EXAMPLE_REG)
    analytic = {"W1": bwd.dW1, "b1": bwd.db1, "W2": bwd.dW2, "b2": bwd.db2}
    numeric = numeric_grads(net_grads, params, X, y, EXAMPLE_REG)
    errors = max_rel_errors(analytic, numeric)
    fields: dict[str, object] = {f"ex_{name}": value for name, value in params.items()}
    fields |= {f"ex_{name}": getattr(fwd, name) for name in Forward.__dataclass_fields__}
    fields |= {f"ex_{name}": getattr(bwd, name) for name in Backward.__dataclass_fields__}
    fields |= {f"ex_numeric_d{name}": value for name, value in numeric.items()}
    fields |= {f"ex_rel_error_{name}": value for name, value in errors.items()}
    true_probs = fwd.probs[np.arange(len(y)), y]
    return fields | {"ex_X": X, "ex_y": y, "ex_reg": EXAMPLE_REG, "eps": EPS,
                     "ex_true_probs": true_probs, "ex_sample_losses": -np.log(true_probs),
                     "ex_closed_gates": int(np.sum(fwd.z1 <= 0)),
                     "ex_min_abs_z1": float(np.min(np.abs(fwd.z1))),
                     "ex_param_count": sum(value.size for value in params.values()),
                     "ex_sum_sq_W1": float(np.sum(params["W1"] ** 2)),
                     "ex_sum_sq_W2": float(np.sum(params["W2"] ** 2))}


def _kink_rel_error(params: Params, X: np.ndarray, y: np.ndarray) -> float:
    """Check d loss / d b1 of the net at its start: W1 = 0.01 randn puts many z1 within EPS of 0."""
    def loss() -> float:
        return net_forward(params, X, y, REG).loss

    analytic = net_grads(params, X, y, REG)[1]["b1"]
    return rel_error(analytic, numeric_gradient(loss, params["b1"]))


def _checkpoint_accuracy(training: Training) -> np.ndarray:
    return np.array([training.accuracy.get(t, np.nan) for t in CHECKPOINTS])


def run() -> SpiralResult:
    rng = np.random.default_rng(DATA_SEED)
    X, y = make_spiral(rng)
    linear_init = init_params(rng, (X.shape[1], N_CLASSES))
    net_init = init_params(rng, (X.shape[1], HIDDEN, N_CLASSES))
    linear = train_linear(linear_init, X, y, LINEAR_ITERS)
    net = train_net(net_init, X, y, NET_ITERS)
    final = net_forward(net.params, X, y, REG)
    linear_analytic = linear_grads(linear_init, X, y, REG)[1]
    linear_numeric = numeric_grads(linear_grads, linear_init, X, y, REG)
    radius = np.hypot(X[:, 0], X[:, 1])
    off_origin = radius > 0
    linear_pred = np.argmax(linear_scores(linear.params, X), axis=1)
    net_pred = np.argmax(final.scores, axis=1)
    return SpiralResult(
        **_example_fields(),
        X=X, y=y, n_samples=len(y), radius_min=float(radius.min()), radius_max=float(radius.max()),
        n_at_origin=int(np.sum(~off_origin)), hidden=HIDDEN, step_size=STEP_SIZE, reg=REG,
        linear_iters=LINEAR_ITERS, net_iters=NET_ITERS,
        linear_param_count=sum(v.size for v in linear_init.values()),
        net_param_count=sum(v.size for v in net_init.values()),
        ln_classes=float(np.log(N_CLASSES)),
        linear_losses=linear.losses, net_losses=net.losses,
        linear_final_loss=float(linear.losses[-1]), net_final_loss=float(net.losses[-1]),
        net_final_data_loss=final.data_loss, net_final_reg_loss=final.reg_loss,
        linear_accuracy=float(np.mean(linear_pred == y)), net_accuracy=float(np.mean(net_pred == y)),
        linear_errors=int(np.sum(linear_pred != y)), net_errors=int(np.sum(net_pred != y)),
        checkpoints=np.array(CHECKPOINTS),
        linear_checkpoint_accuracy=_checkpoint_accuracy(linear),
        net_checkpoint_accuracy=_checkpoint_accuracy(net),
        net_dead_units=int(np.sum(np.all(final.z1 <= 0, axis=0))),
        net_loss_rises=int(np.sum(np.diff(net.losses) > 0)),
        net_passes_linear=int(np.argmax(net.losses < linear.losses[-1])),
        linear_W=linear.params["W"], linear_b=linear.params["b"],
        net_W1=net.params["W1"], net_b1=net.params["b1"], net_W2=net.params["W2"], net_b2=net.params["b2"],
        rel_error_linear_W=rel_error(linear_analytic["W"], linear_numeric["W"]),
        rel_error_linear_b=rel_error(linear_analytic["b"], linear_numeric["b"]),
        kink_rel_error_b1=_kink_rel_error(dict(net_init), X, y),
        kink_entries=int(np.sum(np.abs(X @ net_init["W1"] + net_init["b1"]) < EPS)),
    )
