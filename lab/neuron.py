"""One ReLU neuron a = max(0, w.x + b), the Jacobians of its building blocks, and its MSE gradient.

Three parts, all checked against centered finite differences:
1. one input where the neuron is active and one where it is not (the gradient is then exactly 0);
2. the Jacobians of the identity, element-wise products and sums, scalar expansion and the sum
   reduction, analytic next to numeric;
3. the mean-squared loss over a small seeded data set, one gradient-descent step, and the zero
   gradient at the parameters that generated the targets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, numeric_gradient, rel_error

# The hand calculation: small numbers whose products are easy to do in your head.
W_EXAMPLE = np.array([1.0, -2.0, 0.5])
B_EXAMPLE = 0.5
X_ON = np.array([2.0, 1.0, 2.0])  # z = 2 - 2 + 1 + 0.5 = 1.5 > 0: active
X_OFF = np.array([1.0, 2.0, 0.0])  # z = 1 - 4 + 0 + 0.5 = -2.5 <= 0: inactive

# The Jacobian examples: two vectors, a scalar, and an upstream gradient dL/dy.
U_EXAMPLE = np.array([2.0, -1.0, 3.0])
V_EXAMPLE = np.array([0.5, 4.0, -2.0])
S_EXAMPLE = 3.0
G_EXAMPLE = np.array([0.5, 1.0, -1.0])

# The data set: N seeded inputs, targets from a known neuron (w*, b*).
SEED = 2
N_SAMPLES = 8
W_STAR = np.array([0.5, -0.5, 1.0])
B_STAR = 0.5
LEARNING_RATE = 0.1
LEARNING_RATE_FAST = 0.5
LEARNING_RATE_DEAD = 3.0  # so large that one step pushes every z_i below 0
GD_STEPS = 20


def relu(z: np.ndarray | float) -> np.ndarray:
    """max(0, z), element-wise."""
    return np.maximum(0.0, z)


def relu_grad(z: np.ndarray | float) -> np.ndarray:
    """d max(0, z)/dz: 1 where z > 0, else 0; the kink z = 0 takes 0,
    as most frameworks do."""
    return (np.asarray(z) > 0).astype(float)


def neuron_forward(w: np.ndarray, b: float, x: np.ndarray) -> tuple[float, float]:
    """Return the pre-activation z = w.x + b and the activation a = max(0, z)."""
    z = float(w @ x + b)
    return z, float(relu(z))


def neuron_backward(z: float,
                    x: np.ndarray) -> tuple[np.ndarray, float]:
    """Chain rule through z: da/dw = (da/dz)(dz/dw) = relu'(z) x and
    da/db = relu'(z) * 1."""
    dadz = float(relu_grad(z))
    return dadz * x, dadz


def numeric_jacobian(f: Callable[[np.ndarray], np.ndarray],
                     x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Centered-difference Jacobian of f at x, m x n: column j is
    (f(x + eps e_j) - f(x - eps e_j)) / 2eps.

    Row i is then the (numeric) gradient of f_i. x is copied, never
    changed; a scalar f gives m = 1.
    """
    x = np.array(x, dtype=float).reshape(-1)
    m = np.atleast_1d(f(x)).size
    jac = np.zeros((m, x.size))
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = eps
        plus = np.atleast_1d(f(x + step))
        minus = np.atleast_1d(f(x - step))
        jac[:, j] = (plus - minus).reshape(-1) / (2 * eps)
    return jac


@dataclass(frozen=True)
class JacobianCase:
    """One operation, the input it is differentiated by, its closed-form Jacobian and the numeric one."""

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: float


def jacobian_case(name: str, f: Callable[[np.ndarray], np.ndarray], at: np.ndarray,
                  analytic: np.ndarray) -> JacobianCase:
    """Measure f's Jacobian at ``at`` and keep it next to the closed form, with their relative error."""
    numeric = numeric_jacobian(f, at)
    return JacobianCase(name, analytic, numeric, rel_error(analytic, numeric))


def jacobian_cases(u: np.ndarray, v: np.ndarray, s: float) -> dict[str, JacobianCase]:
    """The closed forms of the article, each next to its finite-difference estimate.

    Scalar expansion is treated as what it is: the scalar broadcast to a vector s*1, then an
    element-wise op, so its Jacobian w.r.t. s is a column (and the gradient w.r.t. s a sum).
    """
    n = u.size
    ones = np.ones(n)
    sv = np.array([s])
    return {
        "identity": jacobian_case("identity", lambda x: x, u, np.eye(n)),
        "mul_u": jacobian_case("mul_u", lambda x: x * v, u, np.diag(v)),
        "mul_v": jacobian_case("mul_v", lambda x: u * x, v, np.diag(u)),
        "add_u": jacobian_case("add_u", lambda x: x + v, u, np.eye(n)),
        "add_v": jacobian_case("add_v", lambda x: u + x, v, np.eye(n)),
        "shift_u": jacobian_case("shift_u", lambda x: x + s, u, np.eye(n)),
        "shift_s": jacobian_case("shift_s", lambda t: u + t[0], sv, ones[:, None]),
        "scale_u": jacobian_case("scale_u", lambda x: s * x, u, s * np.eye(n)),
        "scale_s": jacobian_case("scale_s", lambda t: t[0] * u, sv, u[:, None].copy()),
        "sum": jacobian_case("sum", lambda x: np.sum(x), u, ones[None, :]),
    }


def make_data(seed: int, n_samples: int, w_star: np.ndarray, b_star: float) -> tuple[np.ndarray, np.ndarray]:
    """Inputs X (N x n) from a seeded normal; targets y = max(0, X w* + b*) from a known neuron."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, w_star.size))
    return X, relu(X @ w_star + b_star)


def mse_loss(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """L = (1/N) sum_i (a_i - y_i)^2 with a_i = max(0, w.x_i + b)."""
    e = relu(X @ w + b) - y
    return float(np.mean(e * e))


def mse_delta(w: np.ndarray, b: float, X: np.ndarray,
              y: np.ndarray) -> np.ndarray:
    """delta_i = dL/dz_i = (2/N) e_i relu'(z_i): the chain rule per
    sample, zero where z_i <= 0."""
    z = X @ w + b
    return 2.0 / len(y) * (relu(z) - y) * relu_grad(z)


def mse_grad(w: np.ndarray, b: float, X: np.ndarray,
             y: np.ndarray) -> tuple[np.ndarray, float]:
    """dL/dw = (2/N) sum_i e_i relu'(z_i) x_i and
    dL/db = (2/N) sum_i e_i relu'(z_i).

    Every z_i depends on the same w through the row x_i (dz_i/dw = x_i),
    so the per-sample terms add up: dL/dw = delta^T X. The bias is
    broadcast to every sample, so dL/db = sum(delta).
    """
    delta = mse_delta(w, b, X, y)
    return delta @ X, float(np.sum(delta))


def gd_step(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lr: float) -> tuple[np.ndarray, float]:
    """One gradient-descent step: move against the gradient, theta <- theta - lr dL/dtheta."""
    grad_w, grad_b = mse_grad(w, b, X, y)
    return w - lr * grad_w, b - lr * grad_b


def loss_curve(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """The loss before each of ``steps`` gradient-descent steps and after the last one."""
    losses = [mse_loss(w, b, X, y)]
    for _ in range(steps):
        w, b = gd_step(w, b, X, y, lr)
        losses.append(mse_loss(w, b, X, y))
    return np.array(losses)


def numeric_mse_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Finite-difference dL/dw and dL/db (copies of w and b are nudged, not the caller's)."""
    w, b_arr = w.copy(), np.array([b])
    grad_w = numeric_gradient(lambda: mse_loss(w, b_arr[0], X, y), w)
    grad_b = numeric_gradient(lambda: mse_loss(w, b_arr[0], X, y), b_arr)
    return grad_w, float(grad_b[0])


def numeric_neuron_grad(w: np.ndarray, b: float, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Finite-difference da/dw and da/db of one neuron at one input."""
    w, b_arr = w.copy(), np.array([b])
    grad_w = numeric_gradient(lambda: neuron_forward(w, b_arr[0], x)[1], w)
    grad_b = numeric_gradient(lambda: neuron_forward(w, b_arr[0], x)[1], b_arr)
    return grad_w, float(grad_b[0])


@dataclass(frozen=True)
class NeuronResult:
    # Part 1: one neuron, one active and one inactive input.
    w: np.ndarray
    b: float
    x_on: np.ndarray
    x_off: np.ndarray
    z_on: float
    z_off: float
    a_on: float
    a_off: float
    relu_grad_on: float
    relu_grad_off: float
    grad_w_on: np.ndarray
    grad_b_on: float
    grad_w_off: np.ndarray
    grad_b_off: float
    numeric_grad_w_on: np.ndarray
    numeric_grad_b_on: float
    numeric_grad_w_off: np.ndarray
    numeric_grad_b_off: float
    rel_error_on: float
    rel_error_off: float
    # Part 2: Jacobians of the building blocks.
    u: np.ndarray
    v: np.ndarray
    s: float
    g: np.ndarray
    jacobians: dict[str, JacobianCase]
    jac_identity: np.ndarray
    jac_mul_u: np.ndarray
    jac_mul_v: np.ndarray
    jac_scale_u: np.ndarray
    jac_shift_s: np.ndarray
    jac_scale_s: np.ndarray
    jac_sum: np.ndarray
    numeric_jac_mul_u: np.ndarray
    numeric_jac_sum: np.ndarray
    rel_error_identity: float
    rel_error_mul: float
    rel_error_add: float
    rel_error_shift: float
    rel_error_scale: float
    rel_error_sum: float
    max_rel_error_jacobians: float
    n_jacobians: int
    grad_s_shift: float
    grad_s_scale: float
    numeric_grad_s_shift: float
    numeric_grad_s_scale: float
    # Part 3: the mean-squared loss over N samples and gradient descent.
    seed: int
    n_samples: int
    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    b_star: float
    w_start: np.ndarray
    b_start: float
    z_data: np.ndarray
    e_data: np.ndarray
    delta: np.ndarray
    n_active: int
    min_abs_z: float
    loss_before: float
    grad_w: np.ndarray
    grad_b: float
    numeric_grad_w: np.ndarray
    numeric_grad_b: float
    rel_error_grad_w: float
    rel_error_grad_b: float
    grad_norm_sq: float
    lr: float
    w_after: np.ndarray
    b_after: float
    loss_after: float
    loss_change: float
    predicted_change: float
    losses: np.ndarray
    lr_fast: float
    losses_fast: np.ndarray
    gd_steps: int
    lr_dead: float
    loss_dead: float
    n_active_dead: int
    grad_w_dead: np.ndarray
    grad_b_dead: float
    losses_dead: np.ndarray
    loss_at_target: float
    grad_w_at_target: np.ndarray
    grad_b_at_target: float
    numeric_grad_w_at_target: np.ndarray
    max_abs_grad_at_target: float
    max_abs_numeric_grad_at_target: float
    eps: float


def _one_input(w: np.ndarray, b: float, x: np.ndarray) -> dict[str, object]:
    """Forward, chain-rule backward and finite-difference check of the neuron at one input."""
    z, a = neuron_forward(w, b, x)
    grad_w, grad_b = neuron_backward(z, x)
    numeric_w, numeric_b = numeric_neuron_grad(w, b, x)
    error = max(rel_error(grad_w, numeric_w), rel_error(np.array(grad_b), np.array(numeric_b)))
    return {"z": z, "a": a, "relu_grad": float(relu_grad(z)), "grad_w": grad_w, "grad_b": grad_b,
            "numeric_grad_w": numeric_w, "numeric_grad_b": numeric_b, "rel_error": error}


def _neuron_part() -> dict[str, object]:
    w, b = W_EXAMPLE.copy(), B_EXAMPLE
    fields: dict[str, object] = {"w": w, "b": b, "x_on": X_ON.copy(), "x_off": X_OFF.copy()}
    for tag, x in (("on", X_ON), ("off", X_OFF)):
        fields.update({f"{name}_{tag}": value for name, value in _one_input(w, b, x).items()})
    return fields


def _jacobian_part() -> dict[str, object]:
    u, v, s, g = U_EXAMPLE.copy(), V_EXAMPLE.copy(), S_EXAMPLE, G_EXAMPLE.copy()
    cases = jacobian_cases(u, v, s)
    err = {name: case.rel_error for name, case in cases.items()}
    # Backward through scalar expansion: dL/ds = g^T (dy/ds), a sum over the broadcast copies.
    numeric_shift = numeric_jacobian(lambda t: g @ (u + t[0]), np.array([s]))[0, 0]
    numeric_scale = numeric_jacobian(lambda t: g @ (t[0] * u), np.array([s]))[0, 0]
    return {
        "u": u, "v": v, "s": s, "g": g, "jacobians": cases,
        "jac_identity": cases["identity"].analytic, "jac_mul_u": cases["mul_u"].analytic,
        "jac_mul_v": cases["mul_v"].analytic, "jac_scale_u": cases["scale_u"].analytic,
        "jac_shift_s": cases["shift_s"].analytic, "jac_scale_s": cases["scale_s"].analytic,
        "jac_sum": cases["sum"].analytic,
        "numeric_jac_mul_u": cases["mul_u"].numeric, "numeric_jac_sum": cases["sum"].numeric,
        "rel_error_identity": err["identity"], "rel_error_mul": max(err["mul_u"], err["mul_v"]),
        "rel_error_add": max(err["add_u"], err["add_v"]),
        "rel_error_shift": max(err["shift_u"], err["shift_s"]),
        "rel_error_scale": max(err["scale_u"], err["scale_s"]), "rel_error_sum": err["sum"],
        "max_rel_error_jacobians": max(err.values()), "n_jacobians": len(cases),
        "grad_s_shift": float(g @ cases["shift_s"].analytic[:, 0]),
        "grad_s_scale": float(g @ cases["scale_s"].analytic[:, 0]),
        "numeric_grad_s_shift": float(numeric_shift), "numeric_grad_s_scale": float(numeric_scale),
    }


def _data_gradient(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> dict[str, object]:
    """The loss, its gradient at the start, and the finite-difference check of that gradient."""
    z = X @ w + b
    grad_w, grad_b = mse_grad(w, b, X, y)
    numeric_w, numeric_b = numeric_mse_grad(w, b, X, y)
    return {
        "z_data": z, "e_data": relu(z) - y, "delta": mse_delta(w, b, X, y), "n_active": int(np.sum(z > 0)),
        "min_abs_z": float(np.min(np.abs(z))),  # far from the kink: the difference check is valid
        "loss_before": mse_loss(w, b, X, y), "grad_w": grad_w, "grad_b": grad_b,
        "numeric_grad_w": numeric_w, "numeric_grad_b": numeric_b,
        "rel_error_grad_w": rel_error(grad_w, numeric_w),
        "rel_error_grad_b": rel_error(np.array(grad_b), np.array(numeric_b)),
    }


def _descent(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> dict[str, object]:
    """One step at a safe learning rate, loss curves at two rates, and a step so big it kills the neuron."""
    grad_w, grad_b = mse_grad(w, b, X, y)
    w_after, b_after = gd_step(w, b, X, y, LEARNING_RATE)
    loss_before, loss_after = mse_loss(w, b, X, y), mse_loss(w_after, b_after, X, y)
    # First-order prediction of the change: grad . step = -lr |grad|^2, negative by construction.
    predicted = float(grad_w @ (w_after - w) + grad_b * (b_after - b))
    w_dead, b_dead = gd_step(w, b, X, y, LEARNING_RATE_DEAD)
    grad_w_dead, grad_b_dead = mse_grad(w_dead, b_dead, X, y)
    return {
        "grad_norm_sq": float(grad_w @ grad_w + grad_b**2), "lr": LEARNING_RATE,
        "w_after": w_after, "b_after": b_after, "loss_after": loss_after,
        "loss_change": loss_after - loss_before, "predicted_change": predicted,
        "losses": loss_curve(w, b, X, y, LEARNING_RATE, GD_STEPS),
        "lr_fast": LEARNING_RATE_FAST, "losses_fast": loss_curve(w, b, X, y, LEARNING_RATE_FAST, GD_STEPS),
        "gd_steps": GD_STEPS, "lr_dead": LEARNING_RATE_DEAD, "loss_dead": mse_loss(w_dead, b_dead, X, y),
        "n_active_dead": int(np.sum(X @ w_dead + b_dead > 0)),
        "grad_w_dead": grad_w_dead, "grad_b_dead": grad_b_dead,
        "losses_dead": loss_curve(w, b, X, y, LEARNING_RATE_DEAD, GD_STEPS),
    }


def _at_target(X: np.ndarray, y: np.ndarray) -> dict[str, object]:
    """At (w*, b*) every error is 0, so every term e_i relu'(z_i) x_i of the gradient is 0."""
    grad_w, grad_b = mse_grad(W_STAR, B_STAR, X, y)
    numeric_w, numeric_b = numeric_mse_grad(W_STAR, B_STAR, X, y)
    return {
        "loss_at_target": mse_loss(W_STAR, B_STAR, X, y),
        "grad_w_at_target": grad_w, "grad_b_at_target": grad_b, "numeric_grad_w_at_target": numeric_w,
        "max_abs_grad_at_target": float(max(np.max(np.abs(grad_w)), abs(grad_b))),
        "max_abs_numeric_grad_at_target": float(max(np.max(np.abs(numeric_w)), abs(numeric_b))),
    }


def _data_part() -> dict[str, object]:
    X, y = make_data(SEED, N_SAMPLES, W_STAR, B_STAR)
    w, b = W_EXAMPLE.copy(), B_EXAMPLE  # start from the hand-calculation neuron
    return {
        "seed": SEED, "n_samples": N_SAMPLES, "X": X, "y": y, "w_star": W_STAR.copy(), "b_star": B_STAR,
        "w_start": w.copy(), "b_start": b,
        **_data_gradient(w, b, X, y), **_descent(w, b, X, y), **_at_target(X, y),
    }


def run() -> NeuronResult:
    return NeuronResult(**_neuron_part(), **_jacobian_part(), **_data_part(), eps=EPS)
