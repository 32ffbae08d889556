"""MSE gradient of one linear layer: y_hat = W x + b, e = y_hat - y, L = 1/2 e^T e.

The worked example fixes x, W and b, and picks y so that the error is e = [0.2, 1.25]^T.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, error_norm, numeric_gradient, rel_error

X_EXAMPLE = np.array([[1.5], [-2.0], [0.5]])
W_EXAMPLE = np.array([[0.2, -0.1, 0.4], [0.5, 0.3, -0.2]])
B_EXAMPLE = np.array([[0.1], [-0.2]])
TARGET_ERROR = np.array([[0.2], [1.25]])


@dataclass(frozen=True)
class MSEResult:
    x: np.ndarray
    W: np.ndarray
    b: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray
    e: np.ndarray
    loss: float
    grad_W: np.ndarray
    grad_b: np.ndarray
    numeric_grad_W: np.ndarray
    numeric_grad_b: np.ndarray
    error_norm_W: float
    error_norm_b: float
    rel_error_W: float
    rel_error_b: float
    eps: float


def forward(W: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Return the error vector e and the loss 1/2 e^T e."""
    e = W @ x + b - y
    return e, 0.5 * float(np.sum(e * e))


def backward(e: np.ndarray,
             x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dL/dW = e x^T (the outer product, shaped like W), dL/db = e."""
    return e @ x.T, e.copy()


def run() -> MSEResult:
    # Copies: the finite-difference check nudges W and b in place.
    W, b, x = W_EXAMPLE.copy(), B_EXAMPLE.copy(), X_EXAMPLE.copy()
    y = W @ x + b - TARGET_ERROR
    e, loss = forward(W, b, x, y)
    grad_W, grad_b = backward(e, x)

    def loss_now() -> float:
        return forward(W, b, x, y)[1]

    numeric_grad_W = numeric_gradient(loss_now, W)
    numeric_grad_b = numeric_gradient(loss_now, b)
    return MSEResult(
        x=x, W=W, b=b, y=y, y_hat=W @ x + b, e=e, loss=loss,
        grad_W=grad_W, grad_b=grad_b,
        numeric_grad_W=numeric_grad_W, numeric_grad_b=numeric_grad_b,
        error_norm_W=error_norm(grad_W, numeric_grad_W),
        error_norm_b=error_norm(grad_b, numeric_grad_b),
        rel_error_W=rel_error(grad_W, numeric_grad_W),
        rel_error_b=rel_error(grad_b, numeric_grad_b),
        eps=EPS,
    )

