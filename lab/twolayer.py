"""A two-layer ReLU network trained with a hand-written backward pass (the NumPy version of the
classic PyTorch warm-up): h = x w1, h_relu = max(h, 0), y_pred = h_relu w2,
loss = sum((y_pred - y)^2), no biases, plain gradient descent.

Every gradient comes from matrix differentials: write d loss = tr(G^T dW) and read off G. Each
step of that derivation is one small function below, so the article can show the exact line of
NumPy that a step justifies. The lab checks the result three ways: centered differences on a tiny
hand-checkable instance (every entry), on the full-size network (a seeded sample of entries), and
along one random direction of all the weights at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, numeric_gradient, rel_error

N, D_IN, HIDDEN, D_OUT = 64, 1000, 100, 10
LEARNING_RATE = 1e-6
ITERATIONS = 500
SEED = 0
FD_SEED = 1
FD_SAMPLES = 10
"""Entries of w1 and of w2 checked by finite differences on the full-size network."""
LOGGED_ITERATIONS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 300, 400, 499)
BIG_STEP_FACTOR, BIG_STEP_ITERATIONS = 5, 6
"""A learning rate 5x the tutorial's, run for a few steps only: it overflows to inf soon after."""

# The tiny instance (N=2, D_in=3, H=2, D_out=2): halves and small integers, so every step can be
# done by hand, and h[1, 1] < 0 so the ReLU mask changes a gradient entry.
SMALL_X = np.array([[1.0, 2.0, -1.0], [2.0, 0.0, 1.0]])
SMALL_Y = np.array([[1.0, 1.0], [2.0, -2.0]])
SMALL_W1 = np.array([[1.0, -1.0], [0.5, 1.0], [1.0, 0.5]])
SMALL_W2 = np.array([[1.0, -1.0], [0.5, 2.0]])


@dataclass(frozen=True)
class Forward:
    """What the backward pass needs from the forward pass."""

    h: np.ndarray
    h_relu: np.ndarray
    y_pred: np.ndarray


@dataclass(frozen=True)
class Gradients:
    """Every gradient of the backward pass, each the shape of the variable it belongs to."""

    grad_y_pred: np.ndarray
    grad_w2: np.ndarray
    grad_h_relu: np.ndarray
    grad_h: np.ndarray
    grad_w1: np.ndarray


def forward(x: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> Forward:
    """h = x w1, h_relu = max(h, 0), y_pred = h_relu w2 (rows are
    samples, no biases)."""
    h = x @ w1
    h_relu = np.maximum(h, 0.0)
    return Forward(h=h, h_relu=h_relu, y_pred=h_relu @ w2)


def loss_of(y_pred: np.ndarray, y: np.ndarray) -> float:
    """loss = sum((y_pred - y)^2) = tr(E^T E) with E = y_pred - y; a
    sum, not a mean."""
    return float(np.sum((y_pred - y) ** 2))


def grad_wrt_y_pred(y_pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d loss = tr(2 E^T dE) and dE = dy_pred, so the gradient is
    G_yhat = 2 E."""
    return 2.0 * (y_pred - y)


def grad_wrt_w2(h_relu: np.ndarray,
                grad_y_pred: np.ndarray) -> np.ndarray:
    """tr(G_yhat^T h_relu dw2) = tr((h_relu^T G_yhat)^T dw2), so
    G_w2 = h_relu^T G_yhat."""
    return h_relu.T @ grad_y_pred


def grad_wrt_h_relu(grad_y_pred: np.ndarray,
                    w2: np.ndarray) -> np.ndarray:
    """tr(G_yhat^T dh_relu w2) = tr(w2 G_yhat^T dh_relu) (cyclic), so
    G_r = G_yhat w2^T."""
    return grad_y_pred @ w2.T


def grad_wrt_h(grad_h_relu: np.ndarray, h: np.ndarray) -> np.ndarray:
    """dh_relu = M * dh with M = [h > 0];
    tr(G_r^T (M * dh)) = tr((G_r * M)^T dh), so G_h = G_r * M."""
    return grad_h_relu * (h > 0)


def grad_wrt_w1(x: np.ndarray, grad_h: np.ndarray) -> np.ndarray:
    """dh = x dw1 (x is data), tr(G_h^T x dw1) = tr((x^T G_h)^T dw1),
    so G_w1 = x^T G_h."""
    return x.T @ grad_h


def backward(x: np.ndarray, y: np.ndarray, w2: np.ndarray,
             cache: Forward) -> Gradients:
    """The backward pass: one line per gradient, in the order the
    derivation finds them."""
    grad_y_pred = grad_wrt_y_pred(cache.y_pred, y)
    grad_w2 = grad_wrt_w2(cache.h_relu, grad_y_pred)
    grad_h_relu = grad_wrt_h_relu(grad_y_pred, w2)
    grad_h = grad_wrt_h(grad_h_relu, cache.h)
    grad_w1 = grad_wrt_w1(x, grad_h)
    return Gradients(grad_y_pred, grad_w2, grad_h_relu, grad_h, grad_w1)


def train(x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray,
          learning_rate: float = LEARNING_RATE,
          iterations: int = ITERATIONS) -> np.ndarray:
    """Full-batch gradient descent, updating w1 and w2 in place; returns
    the loss before each step.

    The steps depend on each other, so the loop stays; each step is two
    matrix products forward and three backward, so 500 iterations take a
    fraction of a second.
    """
    losses = np.empty(iterations)
    for t in range(iterations):
        cache = forward(x, w1, w2)
        losses[t] = loss_of(cache.y_pred, y)
        grads = backward(x, y, w2, cache)
        w1 -= learning_rate * grads.grad_w1
        w2 -= learning_rate * grads.grad_w2
    return losses


def sampled_numeric_gradient(loss: Callable[[], float],
                             param: np.ndarray, rows: np.ndarray,
                             cols: np.ndarray) -> np.ndarray:
    """Centered differences at chosen entries only: a full check of
    101,000 weights is too slow.

    ``param[i:i+1, j:j+1]`` is a view, so ``numeric_gradient`` nudges
    the real weight in place.
    """
    grads = []
    for i, j in zip(rows, cols, strict=True):
        weight = param[i:i + 1, j:j + 1]
        grads.append(numeric_gradient(loss, weight)[0, 0])
    return np.array(grads)


def entrywise_rel_errors(analytic: np.ndarray, numeric: np.ndarray) -> np.ndarray:
    """|a - n| / (|a| + |n|) per entry, the quantity ``rel_error`` takes the maximum of."""
    return np.array([rel_error(np.array(a), np.array(n)) for a, n in zip(analytic, numeric, strict=True)])


def directional_check(x: np.ndarray, y: np.ndarray, w1: np.ndarray,
                      w2: np.ndarray, grads: Gradients,
                      rng: np.random.Generator,
                      eps: float = EPS) -> tuple[float, float]:
    """Move every weight at once along a random direction (D1, D2).

    The differential predicts dL = tr(G_w1^T D1) + tr(G_w2^T D2) per
    unit step; a centered difference along the same direction measures
    it. Returns (predicted, measured).
    """
    d1 = rng.standard_normal(w1.shape)
    d2 = rng.standard_normal(w2.shape)
    tr1 = np.trace(grads.grad_w1.T @ d1)
    tr2 = np.trace(grads.grad_w2.T @ d2)
    predicted = float(tr1 + tr2)
    up = forward(x, w1 + eps * d1, w2 + eps * d2)
    down = forward(x, w1 - eps * d1, w2 - eps * d2)
    plus, minus = loss_of(up.y_pred, y), loss_of(down.y_pred, y)
    return predicted, (plus - minus) / (2 * eps)


@dataclass(frozen=True)
class TwoLayerResult:
    # The tiny instance, every intermediate (names follow the tutorial's variables).
    small_x: np.ndarray
    small_y: np.ndarray
    small_w1: np.ndarray
    small_w2: np.ndarray
    small_h: np.ndarray
    small_h_relu: np.ndarray
    small_mask: np.ndarray
    small_y_pred: np.ndarray
    small_error: np.ndarray
    small_loss: float
    small_grad_y_pred: np.ndarray
    small_grad_w2: np.ndarray
    small_grad_h_relu: np.ndarray
    small_grad_h: np.ndarray
    small_grad_w1: np.ndarray
    small_numeric_grad_w1: np.ndarray
    small_numeric_grad_w2: np.ndarray
    small_rel_error_w1: float
    small_rel_error_w2: float
    small_grad_w1_unmasked: np.ndarray
    small_rel_error_w1_unmasked: float
    # The full-size network: set-up, gradient checks at initialization, training.
    n: int
    d_in: int
    hidden: int
    d_out: int
    n_params: int
    learning_rate: float
    iterations: int
    eps: float
    h_negative_fraction: float
    fd_rounding_estimate: float
    fd_abs_error_max: float
    fd_samples: int
    fd_rows_w1: np.ndarray
    fd_cols_w1: np.ndarray
    fd_rows_w2: np.ndarray
    fd_cols_w2: np.ndarray
    grad_w1_sampled: np.ndarray
    numeric_grad_w1_sampled: np.ndarray
    rel_errors_w1: np.ndarray
    rel_error_w1: float
    grad_w2_sampled: np.ndarray
    numeric_grad_w2_sampled: np.ndarray
    rel_errors_w2: np.ndarray
    rel_error_w2: float
    directional_predicted: float
    directional_numeric: float
    rel_error_directional: float
    losses: np.ndarray
    logged_iterations: np.ndarray
    logged_losses: np.ndarray
    loss_first: float
    loss_last: float
    last_iteration: int
    loss_drop_orders: float
    loss_rise_iterations: np.ndarray
    last_loss_increase: int
    big_step_learning_rate: float
    big_step_losses: np.ndarray
    jacobian_h_w1_entries: int
    jacobian_h_w1_bytes: int


def small_instance() -> dict[str, object]:
    """Run the tiny network by hand-checkable steps and check both weight gradients entry by entry."""
    x, y, w1, w2 = SMALL_X.copy(), SMALL_Y.copy(), SMALL_W1.copy(), SMALL_W2.copy()
    cache = forward(x, w1, w2)
    grads = backward(x, y, w2, cache)

    def loss_now() -> float:
        return loss_of(forward(x, w1, w2).y_pred, y)

    numeric_w1, numeric_w2 = numeric_gradient(loss_now, w1), numeric_gradient(loss_now, w2)
    unmasked = x.T @ grads.grad_h_relu  # the classic bug: the ReLU's mask forgotten
    return dict(
        small_x=x, small_y=y, small_w1=w1, small_w2=w2, small_h=cache.h, small_h_relu=cache.h_relu,
        small_mask=(cache.h > 0).astype(float), small_y_pred=cache.y_pred, small_error=cache.y_pred - y,
        small_loss=loss_now(), small_grad_y_pred=grads.grad_y_pred, small_grad_w2=grads.grad_w2,
        small_grad_h_relu=grads.grad_h_relu, small_grad_h=grads.grad_h, small_grad_w1=grads.grad_w1,
        small_numeric_grad_w1=numeric_w1, small_numeric_grad_w2=numeric_w2,
        small_rel_error_w1=rel_error(grads.grad_w1, numeric_w1),
        small_rel_error_w2=rel_error(grads.grad_w2, numeric_w2),
        small_grad_w1_unmasked=unmasked, small_rel_error_w1_unmasked=rel_error(unmasked, numeric_w1),
    )


def full_size_data(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, y, w1, w2 drawn from a standard normal, in the tutorial's order and shapes."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D_IN))
    y = rng.standard_normal((N, D_OUT))
    return x, y, rng.standard_normal((D_IN, HIDDEN)), rng.standard_normal((HIDDEN, D_OUT))


def full_size_checks(x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> dict[str, object]:
    """Gradient checks at the initial weights: sampled entries of w1 and w2, then one direction."""
    cache = forward(x, w1, w2)
    grads = backward(x, y, w2, cache)
    rng = np.random.default_rng(FD_SEED)

    def loss_now() -> float:
        return loss_of(forward(x, w1, w2).y_pred, y)

    # Rounding in L(w + eps) and L(w - eps) is about machine epsilon times L; the centered
    # difference divides it by 2 eps. This, not the formula, limits the check at full size.
    fields: dict[str, object] = {
        "h_negative_fraction": float(np.mean(cache.h < 0)),
        "fd_rounding_estimate": float(np.finfo(float).eps * loss_now() / (2 * EPS)),
    }
    gaps = []
    for name, param, grad in (("w1", w1, grads.grad_w1), ("w2", w2, grads.grad_w2)):
        rows = rng.integers(0, param.shape[0], FD_SAMPLES)
        cols = rng.integers(0, param.shape[1], FD_SAMPLES)
        analytic, numeric = grad[rows, cols], sampled_numeric_gradient(loss_now, param, rows, cols)
        errors = entrywise_rel_errors(analytic, numeric)
        gaps.append(np.abs(analytic - numeric))
        fields.update({f"fd_rows_{name}": rows, f"fd_cols_{name}": cols, f"grad_{name}_sampled": analytic,
                       f"numeric_grad_{name}_sampled": numeric, f"rel_errors_{name}": errors,
                       f"rel_error_{name}": float(errors.max())})
    predicted, measured = directional_check(x, y, w1, w2, grads, rng)
    fields.update(fd_abs_error_max=float(np.max(gaps)), directional_predicted=predicted,
                  directional_numeric=measured,
                  rel_error_directional=rel_error(np.array(predicted), np.array(measured)))
    return fields


def training_summary(losses: np.ndarray) -> dict[str, object]:
    """The loss at the logged iterations, how many orders of magnitude it fell, where it rose."""
    logged = np.array(LOGGED_ITERATIONS)
    rises = np.flatnonzero(np.diff(losses) > 0) + 1  # iterations t with loss[t] > loss[t - 1]
    return dict(losses=losses, logged_iterations=logged, logged_losses=losses[logged],
                loss_first=float(losses[0]), loss_last=float(losses[-1]), last_iteration=len(losses) - 1,
                loss_drop_orders=float(np.log10(losses[0] / losses[-1])),
                loss_rise_iterations=rises, last_loss_increase=int(rises[-1]) if rises.size else 0)


def run() -> TwoLayerResult:
    x, y, w1, w2 = full_size_data()
    checks = full_size_checks(x, y, w1, w2)  # before training: train() updates w1 and w2 in place
    big_step = BIG_STEP_FACTOR * LEARNING_RATE
    big_step_losses = train(x, y, w1.copy(), w2.copy(), big_step, BIG_STEP_ITERATIONS)
    losses = train(x, y, w1, w2)
    # dh/dw1 as an explicit Jacobian: one entry per (entry of h, entry of w1), float64.
    jacobian_entries = (N * HIDDEN) * (D_IN * HIDDEN)
    return TwoLayerResult(
        **small_instance(), **checks, **training_summary(losses),
        n=N, d_in=D_IN, hidden=HIDDEN, d_out=D_OUT, n_params=w1.size + w2.size,
        learning_rate=LEARNING_RATE, iterations=ITERATIONS, eps=EPS, fd_samples=FD_SAMPLES,
        big_step_learning_rate=big_step, big_step_losses=big_step_losses,
        jacobian_h_w1_entries=jacobian_entries, jacobian_h_w1_bytes=8 * jacobian_entries,
    )
