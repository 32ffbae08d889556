"""Gradient descent, heavy-ball momentum and Adam on a 2-D quadratic f(theta) = 1/2 theta^T A theta.

A has eigenvalues 10 and 1 along (1, 1)/sqrt(2) and (1, -1)/sqrt(2): a narrow valley tilted by
45 degrees. The tilt matters: neither coordinate axis is an eigen-direction, so Adam's
per-coordinate scaling cannot undo the bad conditioning.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np

from lab.gradcheck import EPS, numeric_gradient, rel_error

LAMBDA_MAX, LAMBDA_MIN = 10.0, 1.0
THETA0 = np.array([-4.0, 2.0])
N_STEPS = 40
"""Steps of each optimizer on the contour plot and in optimizer-path.csv."""

LR_GD = 0.18
LR_MOMENTUM, BETA_MOMENTUM = 0.18, 0.5
LR_ADAM, BETA1, BETA2, ADAM_EPS = 0.3, 0.9, 0.999, 1e-8
BETA_MOMENTUM_HIGH = 0.9
"""The common heavy-ball default, contrasted in the article with the example's BETA_MOMENTUM."""
ADAM_FADE_LEVEL = 0.99
"""Adam's m correction counts as faded once 1 - BETA1^k exceeds this."""

SWEEP_STEPS = 50
SWEEP_FIXED_LRS = (0.02, 0.1, 0.19, 0.199, 0.201, 0.21)
"""Learning rates tried on the example; the optimal one, 2/(lambda_min + lambda_max), is added."""

KAPPAS = (3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
TOL = 1e-6
"""A run has converged once f(theta_k) <= TOL * f(theta_0)."""
MAX_STEPS = 50_000


def quadratic_matrix(lam_max: float, lam_min: float) -> np.ndarray:
    """Symmetric A with eigenvalue lam_max along (1, 1)/sqrt(2) and lam_min along (1, -1)/sqrt(2).

    Written out rather than as R diag R^T so that A = [[5.5, 4.5], [4.5, 5.5]] holds exactly.
    """
    half_sum, half_gap = (lam_max + lam_min) / 2, (lam_max - lam_min) / 2
    return np.array([[half_sum, half_gap], [half_gap, half_sum]])


def loss(A: np.ndarray, theta: np.ndarray) -> float:
    """f(theta) = 1/2 theta^T A theta; its minimum is f(0) = 0."""
    return 0.5 * float(theta @ A @ theta)


def grad(A: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """grad f = 1/2 (A + A^T) theta = A theta, as A is symmetric."""
    return A @ theta


def gd_iterates(A: np.ndarray, theta: np.ndarray,
                lr: float) -> Iterator[np.ndarray]:
    """Gradient descent theta <- theta - lr grad f(theta), yielding
    theta_0, theta_1, ..."""
    while True:
        yield theta
        theta = theta - lr * grad(A, theta)


def momentum_iterates(A: np.ndarray, theta: np.ndarray, lr: float,
                      beta: float) -> Iterator[np.ndarray]:
    """Heavy ball: v <- beta v - lr grad f(theta), then
    theta <- theta + v, starting from v = 0."""
    velocity = np.zeros_like(theta)
    while True:
        yield theta
        velocity = beta * velocity - lr * grad(A, theta)
        theta = theta + velocity


def adam_step(theta: np.ndarray, m: np.ndarray, s: np.ndarray,
              g: np.ndarray, k: int, lr: float,
              beta1: float = BETA1, beta2: float = BETA2,
              eps: float = ADAM_EPS,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step k (1, 2, ...) of Adam: moving averages of g and g^2,
    bias-corrected, then a scaled step.

    Dividing by 1 - beta^k undoes the pull towards the zero initial m
    and s; without it the first step would be
    (1 - beta1) / sqrt(1 - beta2), about 3.16 times too long.
    """
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**k)
    s_hat = s / (1 - beta2**k)
    return theta - lr * m_hat / (np.sqrt(s_hat) + eps), m, s


def adam_iterates(A: np.ndarray, theta: np.ndarray, lr: float) -> Iterator[np.ndarray]:
    """Adam from m = s = 0, yielding theta_0, theta_1, ..."""
    m, s = np.zeros_like(theta), np.zeros_like(theta)
    k = 0
    while True:
        yield theta
        k += 1
        theta, m, s = adam_step(theta, m, s, grad(A, theta), k, lr)


def take(iterates: Iterator[np.ndarray], n_steps: int) -> np.ndarray:
    """The first n_steps + 1 iterates (theta_0 included) as an (n_steps + 1, 2) array."""
    return np.array(list(islice(iterates, n_steps + 1)))


def gd_optimal(lam_max: float, lam_min: float) -> tuple[float, float]:
    """Best fixed learning rate 2/(lam_min + lam_max) and its contraction (kappa - 1)/(kappa + 1).

    It balances the two eigen-directions: 1 - lr lam_min = -(1 - lr lam_max).
    """
    kappa = lam_max / lam_min
    return 2.0 / (lam_min + lam_max), (kappa - 1) / (kappa + 1)


def heavy_ball_tuning(lam_max: float, lam_min: float) -> tuple[float, float, float]:
    """Polyak's tuning lr = 4/(sqrt L + sqrt mu)^2, beta = rate^2, rate = (sqrt k - 1)/(sqrt k + 1)."""
    root_max, root_min = math.sqrt(lam_max), math.sqrt(lam_min)
    rate = (root_max - root_min) / (root_max + root_min)
    return 4.0 / (root_max + root_min) ** 2, rate**2, rate


def steps_to_tolerance(A: np.ndarray, iterates: Iterator[np.ndarray], tol: float = TOL,
                       max_steps: int = MAX_STEPS) -> int:
    """First k with f(theta_k) <= tol f(theta_0); stepping one at a time, so long runs stop early."""
    target = None
    for k, theta in enumerate(islice(iterates, max_steps + 1)):
        value = loss(A, theta)
        target = tol * value if target is None else target
        if value <= target:
            return k
    raise RuntimeError(f"no convergence to {tol} within {max_steps} steps")


def predicted_gd_steps(rate: float, tol: float = TOL) -> int:
    """With the optimal lr both eigen-components shrink by `rate`, so f_k = rate^(2k) f_0 exactly."""
    return math.ceil(math.log(tol) / (2 * math.log(rate)))


def eigen_factors(A: np.ndarray, lr: float) -> np.ndarray:
    """One GD step from each unit eigenvector u_i: the factor u_i . theta_1, which is 1 - lr lambda_i."""
    _, vectors = np.linalg.eigh(A)
    vectors = vectors[:, ::-1]  # lambda_max first
    return np.array([u @ next(islice(gd_iterates(A, u, lr), 1, None)) for u in vectors.T])


def momentum_rates(A: np.ndarray, lr: float, beta: float) -> np.ndarray:
    """Per eigen-direction, the spectral radius of the heavy ball's 2 x 2 iteration matrix.

    Along an eigenvector with eigenvalue lam, (c_{k+1}, c_k) = [[1 + beta - lr lam, -beta], [1, 0]]
    (c_k, c_{k-1}); its eigenvalues solve z^2 - (1 + beta - lr lam) z + beta = 0.
    """
    rates = []
    for lam in np.linalg.eigvalsh(A)[::-1]:
        step = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
        rates.append(float(np.max(np.abs(np.linalg.eigvals(step)))))
    return np.array(rates)


def lr_sweep(A: np.ndarray, theta0: np.ndarray, lrs: np.ndarray,
             n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Per lr: the worst per-step factor max_i |1 - lr lambda_i|, and the GD loss at every step."""
    eigenvalues = np.linalg.eigvalsh(A)
    radius = np.array([np.max(np.abs(1 - lr * eigenvalues)) for lr in lrs])
    curves = np.array([[loss(A, theta) for theta in take(gd_iterates(A, theta0, lr), n_steps)]
                       for lr in lrs])
    return radius, curves


def conditioning_sweep(kappas: tuple[float, ...], theta0: np.ndarray) -> dict[str, np.ndarray]:
    """Steps to reach TOL for lambda_min = 1, lambda_max = kappa: tuned GD against tuned heavy ball."""
    columns: dict[str, list[float]] = {name: [] for name in (
        "gd_lr", "gd_rate", "gd_steps", "gd_predicted", "hb_lr", "hb_beta", "hb_rate", "hb_steps")}
    for kappa in kappas:
        A = quadratic_matrix(kappa, 1.0)
        gd_lr, gd_rate = gd_optimal(kappa, 1.0)
        hb_lr, hb_beta, hb_rate = heavy_ball_tuning(kappa, 1.0)
        row = {"gd_lr": gd_lr, "gd_rate": gd_rate,
               "gd_steps": steps_to_tolerance(A, gd_iterates(A, theta0, gd_lr)),
               "gd_predicted": predicted_gd_steps(gd_rate),
               "hb_lr": hb_lr, "hb_beta": hb_beta, "hb_rate": hb_rate,
               "hb_steps": steps_to_tolerance(A, momentum_iterates(A, theta0, hb_lr, hb_beta))}
        for name, item in row.items():
            columns[name].append(item)
    return {name: np.array(items) for name, items in columns.items()}


def first_steps(A: np.ndarray, theta0: np.ndarray) -> dict[str, np.ndarray]:
    """One step of each method from theta_0, with Adam's intermediate m, s and their corrections."""
    zeros = np.zeros_like(theta0)
    adam_theta1, m1, s1 = adam_step(theta0, zeros, zeros, grad(A, theta0), 1, LR_ADAM)
    gd_theta1 = take(gd_iterates(A, theta0, LR_GD), 1)[1]
    momentum_theta1 = take(momentum_iterates(A, theta0, LR_MOMENTUM, BETA_MOMENTUM), 1)[1]
    return {
        "gd_theta1": gd_theta1, "gd_step1": gd_theta1 - theta0,
        "momentum_theta1": momentum_theta1,
        "momentum_v1": momentum_theta1 - theta0,  # theta_1 = theta_0 + v_1
        "momentum_beta_v1": BETA_MOMENTUM * (momentum_theta1 - theta0),  # what momentum adds at step 2
        "adam_m1": m1, "adam_s1": s1,
        "adam_m_hat1": m1 / (1 - BETA1), "adam_s_hat1": s1 / (1 - BETA2),
        "adam_theta1": adam_theta1, "adam_step1": adam_theta1 - theta0,
        "adam_uncorrected_step1": -LR_ADAM * m1 / (np.sqrt(s1) + ADAM_EPS),
    }


def bias_correction_fade(beta1: float = BETA1, beta2: float = BETA2,
                         level: float = ADAM_FADE_LEVEL) -> tuple[int, float]:
    """First step k at which 1 - beta1^k exceeds `level` (0.99), and the ratio of Adam's step with
    the s correction to the step without it then: sqrt(1 - beta2^k), below 1. Dividing s by
    1 - beta2^k < 1 makes sqrt(s_hat) larger, so the correction shortens the step."""
    k = int(np.ceil(np.log(1 - level) / np.log(beta1)))
    return k, float(np.sqrt(1 - beta2**k))


@dataclass(frozen=True)
class OptimResult:
    """Every number the article cites. Eigen-quantities are ordered lambda_max first; paths are
    (N_STEPS + 1) x 2 with theta_0 in row 0; cond_* arrays run over KAPPAS."""

    A: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    tilt_degrees: float  # angle of u_1 against the x axis: how far the valley is tilted
    eigenvalue_sum: float  # lambda_max + lambda_min, the denominator of lr_opt and rate_opt
    kappa: float
    theta0: np.ndarray
    theta0_eigen: np.ndarray
    theta0_eigen_sq: np.ndarray  # (c_0)^2 per eigen-direction
    loss0: float
    grad0: np.ndarray
    numeric_grad0: np.ndarray
    rel_error_grad: float
    eps: float
    lr_gd: float
    lr_momentum: float
    beta_momentum: float
    lr_adam: float
    beta1: float
    beta2: float
    one_minus_beta1: float
    one_minus_beta2: float
    adam_eps: float
    beta_momentum_high: float
    n_steps: int
    gd_theta1: np.ndarray
    gd_step1: np.ndarray
    gd_loss1: float
    gd_loss1_terms: np.ndarray  # f(theta_1) split per eigen-direction
    momentum_theta1: np.ndarray
    momentum_v1: np.ndarray
    momentum_beta_v1: np.ndarray
    adam_m1: np.ndarray
    adam_s1: np.ndarray
    adam_m_hat1: np.ndarray
    adam_s_hat1: np.ndarray
    adam_theta1: np.ndarray
    adam_theta1_eigen: np.ndarray
    adam_step1: np.ndarray
    adam_uncorrected_step1: np.ndarray
    adam_shortfall1: np.ndarray
    adam_uncorrected_ratio: float
    adam_fade_level: float
    adam_m_fade_step: int
    adam_s_step_ratio_at_fade: float  # step with the s correction / step without it, at adam_m_fade_step
    adam_s_shortening_at_fade: float  # its inverse: how many times shorter the correction makes the step
    adam_sqrt_s_hat1: np.ndarray  # sqrt of the corrected second moment after one step: |g_0|
    adam_loss1: float
    gd_path: np.ndarray
    momentum_path: np.ndarray
    adam_path: np.ndarray
    gd_losses: np.ndarray
    momentum_losses: np.ndarray
    adam_losses: np.ndarray
    adam_best_step: int
    adam_best_loss: float
    gd_factors: np.ndarray
    gd_factors_abs: np.ndarray
    momentum_factors: np.ndarray
    momentum_factors_high: np.ndarray  # momentum_factors with BETA_MOMENTUM_HIGH instead
    lr_threshold: float
    lr_opt: float
    rate_opt: float
    opt_eigen_factors: np.ndarray
    opt_loss_ratio: float
    sweep_steps: int
    sweep_lrs: np.ndarray
    sweep_radius: np.ndarray
    sweep_steep_factors: np.ndarray  # 1 - lr lambda_max per sweep lr
    sweep_curves: np.ndarray
    sweep_losses: np.ndarray
    tol: float
    kappas: np.ndarray
    cond_gd_lr: np.ndarray
    cond_gd_rate: np.ndarray
    cond_gd_steps: np.ndarray
    cond_gd_predicted: np.ndarray
    cond_hb_lr: np.ndarray
    cond_hb_beta: np.ndarray
    cond_hb_rate: np.ndarray
    cond_hb_steps: np.ndarray
    cond_gd_growth: float
    cond_hb_growth: float


def _growth(steps: np.ndarray) -> float:
    """How many times more steps a method needs at kappa = 1000 than at kappa = 10."""
    return float(steps[KAPPAS.index(1000.0)] / steps[KAPPAS.index(10.0)])


def paths(A: np.ndarray, theta0: np.ndarray) -> dict[str, np.ndarray]:
    """N_STEPS of each optimizer with the article's hyper-parameters, and the loss at every iterate."""
    found = {
        "gd_path": take(gd_iterates(A, theta0, LR_GD), N_STEPS),
        "momentum_path": take(momentum_iterates(A, theta0, LR_MOMENTUM, BETA_MOMENTUM), N_STEPS),
        "adam_path": take(adam_iterates(A, theta0, LR_ADAM), N_STEPS),
    }
    for method in ("gd", "momentum", "adam"):
        found[f"{method}_losses"] = np.array([loss(A, theta) for theta in found[f"{method}_path"]])
    return found


def run() -> OptimResult:
    """The example (A, theta_0, three optimizers), the learning-rate sweep and the kappa sweep."""
    A = quadratic_matrix(LAMBDA_MAX, LAMBDA_MIN)
    eigenvalues, eigenvectors = np.linalg.eigh(A)
    # lambda_max first; first entries positive: u_1 = (1, 1)/sqrt(2), u_2 = (1, -1)/sqrt(2).
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1] * np.sign(eigenvectors[0, ::-1])
    theta = THETA0.copy()  # the finite-difference check nudges it in place
    grad0 = grad(A, theta)
    numeric_grad0 = numeric_gradient(lambda: loss(A, theta), theta)
    first = first_steps(A, THETA0)
    lr_opt, rate_opt = gd_optimal(LAMBDA_MAX, LAMBDA_MIN)
    sweep_lrs = np.sort(np.array([*SWEEP_FIXED_LRS, lr_opt]))
    sweep_radius, sweep_curves = lr_sweep(A, THETA0, sweep_lrs, SWEEP_STEPS)
    cond = conditioning_sweep(KAPPAS, THETA0)
    opt_path = take(gd_iterates(A, THETA0, lr_opt), 1)
    found = paths(A, THETA0)
    fade = bias_correction_fade()
    gd_factors = eigen_factors(A, LR_GD)
    theta0_eigen = eigenvectors.T @ THETA0
    return OptimResult(
        A=A, eigenvalues=eigenvalues, eigenvectors=eigenvectors,
        tilt_degrees=math.degrees(math.atan2(eigenvectors[1, 0], eigenvectors[0, 0])),
        eigenvalue_sum=float(eigenvalues.sum()), kappa=LAMBDA_MAX / LAMBDA_MIN,
        theta0=THETA0.copy(), theta0_eigen=theta0_eigen, theta0_eigen_sq=theta0_eigen**2,
        loss0=loss(A, THETA0),
        grad0=grad0, numeric_grad0=numeric_grad0, rel_error_grad=rel_error(grad0, numeric_grad0), eps=EPS,
        lr_gd=LR_GD, lr_momentum=LR_MOMENTUM, beta_momentum=BETA_MOMENTUM, lr_adam=LR_ADAM,
        beta1=BETA1, beta2=BETA2, one_minus_beta1=1 - BETA1, one_minus_beta2=1 - BETA2,
        adam_eps=ADAM_EPS, beta_momentum_high=BETA_MOMENTUM_HIGH, n_steps=N_STEPS,
        **first, gd_loss1=loss(A, first["gd_theta1"]), adam_loss1=loss(A, first["adam_theta1"]),
        gd_loss1_terms=0.5 * eigenvalues * (eigenvectors.T @ first["gd_theta1"]) ** 2,
        adam_shortfall1=LR_ADAM - np.abs(first["adam_step1"]),
        adam_uncorrected_ratio=float(np.abs(first["adam_uncorrected_step1"][0] / first["adam_step1"][0])),
        adam_fade_level=ADAM_FADE_LEVEL, adam_m_fade_step=fade[0], adam_s_step_ratio_at_fade=fade[1],
        adam_s_shortening_at_fade=1 / fade[1], adam_sqrt_s_hat1=np.sqrt(first["adam_s_hat1"]),
        adam_theta1_eigen=eigenvectors.T @ first["adam_theta1"],
        **found, adam_best_step=int(np.argmin(found["adam_losses"])),
        adam_best_loss=float(np.min(found["adam_losses"])),
        gd_factors=gd_factors, gd_factors_abs=np.abs(gd_factors),
        momentum_factors=momentum_rates(A, LR_MOMENTUM, BETA_MOMENTUM),
        momentum_factors_high=momentum_rates(A, LR_MOMENTUM, BETA_MOMENTUM_HIGH),
        lr_threshold=2.0 / LAMBDA_MAX, lr_opt=lr_opt, rate_opt=rate_opt,
        opt_eigen_factors=eigen_factors(A, lr_opt),
        opt_loss_ratio=loss(A, opt_path[1]) / loss(A, opt_path[0]),
        sweep_steps=SWEEP_STEPS, sweep_lrs=sweep_lrs, sweep_radius=sweep_radius,
        sweep_steep_factors=1 - sweep_lrs * eigenvalues[0],
        sweep_curves=sweep_curves, sweep_losses=sweep_curves[:, -1],
        tol=TOL, kappas=np.array(KAPPAS), **{f"cond_{name}": column for name, column in cond.items()},
        cond_gd_growth=_growth(cond["gd_steps"]), cond_hb_growth=_growth(cond["hb_steps"]),
    )
