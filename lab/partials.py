"""Scalar derivative rules and partial derivatives: the first principles of the Jacobian article.

Part 1 evaluates one example of each scalar rule (constant, power, constant multiple, sum, product,
chain) at one point, by its rule and by a centered difference. Part 2 takes the two functions
f(x, y) = 3 x^2 y and g(x, y) = 2 x + y^8: their partial derivatives at a point, each checked by
finite differences, the gradients they form, the 2 x 2 Jacobian of (f, g), and the first-order
change that the gradient predicts for a small step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lab.gradcheck import EPS, rel_error
from lab.neuron import numeric_jacobian

X0 = 3.0
"""Where the scalar rules are evaluated."""
POINT = np.array([3.0, 2.0])
"""(x, y) where the partial derivatives are evaluated: small integers, and distinct partials."""
STEP = np.array([0.01, -0.02])
"""A small step (dx, dy) whose effect the gradient predicts to first order."""

Scalar = Callable[[float], float]


def derivative(f: Scalar, x: float, eps: float = EPS) -> float:
    """Centered difference (f(x + eps) - f(x - eps)) / 2eps: the 1 x 1 case of numeric_jacobian."""
    return float(numeric_jacobian(lambda t: f(float(t[0])), np.array([x]), eps)[0, 0])


@dataclass(frozen=True)
class Rule:
    """One scalar rule with one example: the function and its derivative by the rule, as code and
    as the text the article's table shows (tests/test_partials.py evaluates the text)."""

    name: str
    example: str
    by_rule: str
    f: Scalar
    df: Scalar


RULES = (
    Rule("constant", "5", "0", lambda x: 5.0, lambda x: 0.0),
    Rule("power", "x⁴", "4x³", lambda x: x**4, lambda x: 4 * x**3),
    Rule("constant multiple", "3x²", "3 · 2x", lambda x: 3 * x**2, lambda x: 3 * 2 * x),
    Rule("sum", "x³ + 2x", "3x² + 2", lambda x: x**3 + 2 * x, lambda x: 3 * x**2 + 2),
    Rule("product", "x²(x + 1)", "2x(x + 1) + x² · 1",
         lambda x: x**2 * (x + 1), lambda x: 2 * x * (x + 1) + x**2),
    Rule("chain", "(2x + 1)³", "3(2x + 1)² · 2",
         lambda x: (2 * x + 1) ** 3, lambda x: 3 * (2 * x + 1) ** 2 * 2),
)


def f(x: float, y: float) -> float:
    """f(x, y) = 3 x^2 y."""
    return 3 * x**2 * y


def g(x: float, y: float) -> float:
    """g(x, y) = 2 x + y^8: each term depends on one variable."""
    return 2 * x + y**8


def grad_f(x: float, y: float) -> np.ndarray:
    """[df/dx, df/dy]: for d/dx, 3y is a constant factor of x^2
    (power rule); for d/dy, 3x^2 is a constant factor of y."""
    return np.array([6 * x * y, 3 * x**2])


def grad_g(x: float, y: float) -> np.ndarray:
    """[dg/dx, dg/dy]: y^8 is a constant for d/dx, 2x one for d/dy."""
    return np.array([2.0, 8 * y**7])


def jacobian_fg(x: float, y: float) -> np.ndarray:
    """The gradients of f and g stacked as rows: a 2 x 2 Jacobian."""
    return np.vstack([grad_f(x, y), grad_g(x, y)])


def partials_numeric(h: Callable[[float, float], float], x: float, y: float) -> np.ndarray:
    """Both partial derivatives by centered differences, the other variable held fixed: the one
    row of numeric_jacobian for a function of (x, y)."""
    return numeric_jacobian(lambda v: h(float(v[0]), float(v[1])), np.array([x, y]))[0]


@dataclass(frozen=True)
class PartialsResult:
    # Part 1: scalar rules at x0.
    x0: float
    rule_values: np.ndarray  # f(x0) of each rule's example, in the order of RULES
    rule_derivatives: np.ndarray  # by the rule
    rule_numeric: np.ndarray  # by centered differences
    rule_rel_errors: np.ndarray
    max_rel_error_rules: float
    # Part 2: f(x, y) = 3x^2 y and g(x, y) = 2x + y^8 at (x, y) = point.
    point: np.ndarray
    f_value: float
    g_value: float
    f_x_coefficient: float  # with y held at its value, f(x, y) is this number times x^2
    grad_f: np.ndarray
    grad_g: np.ndarray
    numeric_grad_f: np.ndarray
    numeric_grad_g: np.ndarray
    rel_error_f: float
    rel_error_g: float
    g_fd_excess: float  # numeric - analytic dg/dy: the truncation error of the centered difference
    g_truncation: float  # its leading term for y^8, exactly: 56 y^5 eps^2
    jacobian: np.ndarray
    numeric_jacobian: np.ndarray
    rel_error_jacobian: float
    step: np.ndarray
    f_change_predicted: float
    f_change: float
    g_change_predicted: float
    g_change: float
    eps: float


def _rules(x0: float) -> dict[str, object]:
    by_rule = np.array([rule.df(x0) for rule in RULES])
    numeric = np.array([derivative(rule.f, x0) for rule in RULES])
    errors = np.array([rel_error(np.array(a), np.array(n)) for a, n in zip(by_rule, numeric, strict=True)])
    return {"x0": x0, "rule_values": np.array([rule.f(x0) for rule in RULES]), "rule_derivatives": by_rule,
            "rule_numeric": numeric, "rule_rel_errors": errors, "max_rel_error_rules": float(errors.max())}


def _partials(point: np.ndarray, step: np.ndarray) -> dict[str, object]:
    x, y = point
    numeric_f, numeric_g = partials_numeric(f, x, y), partials_numeric(g, x, y)
    jacobian = jacobian_fg(x, y)
    numeric_jacobian = np.vstack([numeric_f, numeric_g])
    moved = point + step
    return {
        "point": point.copy(), "f_value": f(x, y), "g_value": g(x, y),
        "f_x_coefficient": 3 * y,
        "grad_f": grad_f(x, y), "grad_g": grad_g(x, y), "numeric_grad_f": numeric_f, "numeric_grad_g": numeric_g,
        "rel_error_f": rel_error(grad_f(x, y), numeric_f), "rel_error_g": rel_error(grad_g(x, y), numeric_g),
        "g_fd_excess": float(numeric_g[1] - grad_g(x, y)[1]), "g_truncation": 56 * y**5 * EPS**2,
        "jacobian": jacobian, "numeric_jacobian": numeric_jacobian,
        "rel_error_jacobian": rel_error(jacobian, numeric_jacobian), "step": step.copy(),
        "f_change_predicted": float(grad_f(x, y) @ step), "f_change": f(*moved) - f(x, y),
        "g_change_predicted": float(grad_g(x, y) @ step), "g_change": g(*moved) - g(x, y),
    }


def run() -> PartialsResult:
    return PartialsResult(**_rules(X0), **_partials(POINT, STEP), eps=EPS)
