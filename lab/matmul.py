"""Gradient of a matrix product D = W X under the loss L = 1/2 ||D - T||^2, so dL/dD = D - T.

Columns as samples: X is (m, n), W is (H, m), dL/dW = G X^T and dL/dX = W^T G, where G = dL/dD.
Rows as samples: X is (n, m), W is (m, H), D = X W, dL/dW = X^T G and dL/dX = G W^T.
The worked example picks the target T so that G comes out as small round numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, error_norm, numeric_gradient, rel_error

W_EXAMPLE = np.array([[1.0, -1.0, 2.0], [0.5, 2.0, 1.0]])
X_EXAMPLE = np.array([[1.0, -2.0, 3.0, 1.0], [2.0, 1.0, -1.0, -1.0], [-1.0, 1.0, 2.0, 1.0]])
GRAD_D_EXAMPLE = np.array([[1.0, -1.0, 0.5, 2.0], [-0.5, 1.0, 2.0, -1.0]])
ENTRY = (1, 0)
"""The entry (d, c) of dL/dW that the article computes as a sum: row d of G against row c of X."""

CHECK_SHAPES = ((1, 1, 1), (2, 3, 4), (4, 1, 6), (3, 5, 2), (6, 4, 3), (5, 7, 8))
"""(H, m, n) of the random gradient checks: square, thin, wide and single-entry cases."""
CHECK_SEED = 2024


@dataclass(frozen=True)
class MatmulResult:
    W: np.ndarray
    X: np.ndarray
    T: np.ndarray
    D: np.ndarray
    loss: float
    grad_D: np.ndarray
    grad_W: np.ndarray
    grad_X: np.ndarray
    numeric_grad_W: np.ndarray
    numeric_grad_X: np.ndarray
    rel_error_W: float
    rel_error_X: float
    error_norm_W: float
    error_norm_X: float
    entry_d: int
    entry_c: int
    entry_terms: np.ndarray
    entry_sum: float
    jacobian_entries: int
    jacobian_nonzero: int
    grad_W_rows: np.ndarray
    grad_X_rows: np.ndarray
    rel_error_W_rows: float
    rel_error_X_rows: float
    transpose_gap_W: float
    transpose_gap_X: float
    check_shapes: np.ndarray
    check_rel_errors: np.ndarray
    check_transpose_gaps: np.ndarray
    max_check_transpose_gap: float
    check_count: int
    check_entries: int
    max_check_rel_error: float
    eps: float


def half_squared_loss(D: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
    """L = 1/2 ||D - T||^2 and dL/dD = D - T: the G that every formula below starts from."""
    residual = D - T
    return 0.5 * float(np.sum(residual * residual)), residual


def backward_cols(grad_D: np.ndarray, W: np.ndarray,
                  X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns as samples, D = W X: dL/dW = G X^T and dL/dX = W^T G."""
    return grad_D @ X.T, W.T @ grad_D


def backward_rows(grad_D: np.ndarray, X: np.ndarray,
                  W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows as samples, D = X W: dL/dW = X^T G and dL/dX = G W^T."""
    return X.T @ grad_D, grad_D @ W.T


def entry_terms(grad_D: np.ndarray, X: np.ndarray, d: int, c: int) -> np.ndarray:
    """The n products dL/dD_dj * X_cj whose sum is dL/dW_dc: one per sample j.

    Only row d of D contains W_dc, and there D_dj moves by X_cj per unit of W_dc.
    """
    return grad_D[d, :] * X[c, :]


def grad_weights_by_entries(grad_D: np.ndarray, X: np.ndarray) -> np.ndarray:
    """dL/dW built entry by entry from the one-entry sum, with no matrix product."""
    H, m = grad_D.shape[0], X.shape[0]
    grad_W = np.empty((H, m))
    for d in range(H):
        for c in range(m):
            grad_W[d, c] = float(np.sum(entry_terms(grad_D, X, d, c)))
    return grad_W


def output_jacobian_wrt_weights(W: np.ndarray, X: np.ndarray, eps: float = EPS) -> np.ndarray:
    """All partials dD_ij/dW_dc, shape (H, n, H, m), by centered differences of D = W X.

    Most of them are zero: D_ij ignores W_dc unless i = d. Counting them shows why one sum remains.
    """
    W = W.copy()
    jacobian = np.zeros(W.shape[:1] + X.shape[1:] + W.shape)
    for d, c in np.ndindex(W.shape):
        saved = W[d, c]
        W[d, c] = saved + eps
        D_plus = W @ X
        W[d, c] = saved - eps
        D_minus = W @ X
        W[d, c] = saved
        jacobian[:, :, d, c] = (D_plus - D_minus) / (2 * eps)
    return jacobian


def check_both_conventions(W: np.ndarray, X: np.ndarray, T: np.ndarray,
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Relative errors [dW cols, dX cols, dW rows, dX rows] against
    centered differences, and the gaps [max |dW rows - dW cols^T|, the
    same for dX].

    The rows version stores the same data transposed (X^T, W^T, T^T), so
    its loss is the same number; its formulas are still checked against
    its own forward pass, D = X W.
    """
    W, X = W.copy(), X.copy()  # the difference check nudges them
    W_r, X_r, T_r = W.T.copy(), X.T.copy(), T.T.copy()
    _, G = half_squared_loss(W @ X, T)
    _, G_r = half_squared_loss(X_r @ W_r, T_r)
    grad_W, grad_X = backward_cols(G, W, X)
    grad_W_r, grad_X_r = backward_rows(G_r, X_r, W_r)

    def loss_cols() -> float:
        return half_squared_loss(W @ X, T)[0]

    def loss_rows() -> float:
        return half_squared_loss(X_r @ W_r, T_r)[0]

    rel_errors = np.array([
        rel_error(grad_W, numeric_gradient(loss_cols, W)),
        rel_error(grad_X, numeric_gradient(loss_cols, X)),
        rel_error(grad_W_r, numeric_gradient(loss_rows, W_r)),
        rel_error(grad_X_r, numeric_gradient(loss_rows, X_r)),
    ])
    gaps = np.array([np.max(np.abs(grad_W_r - grad_W.T)),
                     np.max(np.abs(grad_X_r - grad_X.T))])
    return rel_errors, gaps


def random_checks(shapes: tuple[tuple[int, int, int], ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per (H, m, n), standard-normal W, X and T drawn from one seed: rows of relative errors
    (four per shape) and of transpose gaps (two per shape), as ``check_both_conventions`` gives."""
    rng = np.random.default_rng(seed)
    rel_errors, gaps = [], []
    for H, m, n in shapes:
        W, X, T = rng.standard_normal((H, m)), rng.standard_normal((m, n)), rng.standard_normal((H, n))
        shape_rel, shape_gaps = check_both_conventions(W, X, T)
        rel_errors.append(shape_rel)
        gaps.append(shape_gaps)
    return np.array(rel_errors), np.array(gaps)


def run() -> MatmulResult:
    W, X = W_EXAMPLE.copy(), X_EXAMPLE.copy()
    D = W @ X
    T = D - GRAD_D_EXAMPLE
    loss, grad_D = half_squared_loss(D, T)
    grad_W, grad_X = backward_cols(grad_D, W, X)

    def loss_now() -> float:
        return half_squared_loss(W @ X, T)[0]

    numeric_grad_W = numeric_gradient(loss_now, W)
    numeric_grad_X = numeric_gradient(loss_now, X)
    d, c = ENTRY
    terms = entry_terms(grad_D, X, d, c)
    jacobian = output_jacobian_wrt_weights(W, X)
    grad_W_rows, grad_X_rows = backward_rows(grad_D.T, X.T, W.T)
    example_rel, _ = check_both_conventions(W, X, T)
    shapes = np.array(CHECK_SHAPES)
    check_rel, check_gaps = random_checks(CHECK_SHAPES, CHECK_SEED)
    H, m, n = shapes.T
    return MatmulResult(
        W=W, X=X, T=T, D=D, loss=loss, grad_D=grad_D, grad_W=grad_W, grad_X=grad_X,
        numeric_grad_W=numeric_grad_W, numeric_grad_X=numeric_grad_X,
        rel_error_W=rel_error(grad_W, numeric_grad_W), rel_error_X=rel_error(grad_X, numeric_grad_X),
        error_norm_W=error_norm(grad_W, numeric_grad_W), error_norm_X=error_norm(grad_X, numeric_grad_X),
        entry_d=d, entry_c=c, entry_terms=terms, entry_sum=float(np.sum(terms)),
        jacobian_entries=int(jacobian.size),
        jacobian_nonzero=int(np.count_nonzero(np.abs(jacobian) > 1e-8)),
        grad_W_rows=grad_W_rows, grad_X_rows=grad_X_rows,
        rel_error_W_rows=float(example_rel[2]), rel_error_X_rows=float(example_rel[3]),
        transpose_gap_W=float(np.max(np.abs(grad_W_rows - grad_W.T))),
        transpose_gap_X=float(np.max(np.abs(grad_X_rows - grad_X.T))),
        check_shapes=shapes, check_rel_errors=check_rel, check_transpose_gaps=check_gaps,
        max_check_transpose_gap=float(np.max(check_gaps)), check_count=len(CHECK_SHAPES),
        check_entries=int(np.sum(2 * (H * m + m * n))),
        max_check_rel_error=float(np.max(check_rel)),
        eps=EPS,
    )
