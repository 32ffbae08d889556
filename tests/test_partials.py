"""Scalar rules and partial derivatives: each rule's example against numpy's own polynomial
derivative and against centered differences at many points; the partials of f = 3x^2 y and
g = 2x + y^8 against differences and against the lab's generic numeric Jacobian; the truncation
error the article quotes against its exact expansion."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.polynomial import Polynomial

from lab import partials
from lab.gradcheck import rel_error
from lab.neuron import numeric_jacobian

X = Polynomial([0.0, 1.0])
POLYNOMIALS = {  # each rule's example, built by numpy's polynomial arithmetic, not by the lab
    "constant": Polynomial([5.0]),
    "power": X**4,
    "constant multiple": 3 * X**2,
    "sum": X**3 + 2 * X,
    "product": X**2 * (X + 1),
    "chain": (2 * X + 1) ** 3,
}
POINTS = [-2.5, -1.0, -0.3, 0.0, 0.7, 1.9, 3.0]


@pytest.fixture(scope="module")
def result() -> partials.PartialsResult:
    return partials.run()


def test_every_rule_has_an_independent_polynomial() -> None:
    assert [rule.name for rule in partials.RULES] == list(POLYNOMIALS)


@pytest.mark.parametrize("rule", partials.RULES, ids=[rule.name for rule in partials.RULES])
@pytest.mark.parametrize("x", POINTS)
def test_each_rule_matches_numpys_derivative_and_differences(rule: partials.Rule, x: float) -> None:
    poly = POLYNOMIALS[rule.name]
    assert rule.f(x) == pytest.approx(poly(x), rel=1e-13, abs=1e-13)
    assert rule.df(x) == pytest.approx(poly.deriv()(x), rel=1e-13, abs=1e-13)
    assert rule.df(x) == pytest.approx(partials.derivative(rule.f, x), rel=1e-8, abs=1e-8)


def test_the_rules_table_values_are_the_rules_at_x0(result: partials.PartialsResult) -> None:
    for i, rule in enumerate(partials.RULES):
        assert result.rule_derivatives[i] == POLYNOMIALS[rule.name].deriv()(result.x0)
        assert result.rule_values[i] == pytest.approx(POLYNOMIALS[rule.name](result.x0), rel=1e-14)
    assert result.max_rel_error_rules < 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_partials_of_f_and_g_match_differences_and_the_generic_jacobian(seed: int) -> None:
    rng = np.random.default_rng(seed)  # away from 0, where a partial like 8y^7 is all rounding noise
    x, y = rng.uniform(0.5, 1.5, 2) * rng.choice([-1.0, 1.0], 2)
    for func, grad in ((partials.f, partials.grad_f), (partials.g, partials.grad_g)):
        assert rel_error(grad(x, y), partials.partials_numeric(func, x, y)) < 1e-7
    generic = numeric_jacobian(lambda v: np.array([partials.f(*v), partials.g(*v)]), np.array([x, y]))
    assert rel_error(partials.jacobian_fg(x, y), generic) < 1e-7


def test_a_wrong_partial_fails_the_difference_check() -> None:
    """Negative controls: forgetting that y multiplies, or differentiating y^8 as 8y^8."""
    x, y = 1.3, -0.8
    assert rel_error(np.array([6 * x, 3 * x**2]), partials.partials_numeric(partials.f, x, y)) > 0.1
    assert rel_error(np.array([2.0, 8 * y**8]), partials.partials_numeric(partials.g, x, y)) > 0.1


def test_the_jacobian_rows_are_the_gradients(result: partials.PartialsResult) -> None:
    x, y = result.point
    np.testing.assert_array_equal(result.jacobian, np.vstack([result.grad_f, result.grad_g]))
    assert result.f_value == 3 * x**2 * y
    assert result.g_value == 2 * x + y**8
    assert result.f_x_coefficient * x**2 == result.f_value
    assert result.rel_error_jacobian == max(result.rel_error_f, result.rel_error_g)


@pytest.mark.parametrize("y", [-1.7, 0.6, 2.0])
def test_the_truncation_error_of_y8_is_its_expansion(y: float) -> None:
    """(y+e)^8 - (y-e)^8 = 2(8 y^7 e + 56 y^5 e^3 + 56 y^3 e^5 + 8 y e^7): with a large e,
    rounding is negligible and the difference exceeds 8 y^7 by exactly the other terms."""
    eps = 1e-2
    excess = partials.derivative(lambda t: t**8, y, eps) - 8 * y**7
    assert excess == pytest.approx(56 * y**5 * eps**2 + 56 * y**3 * eps**4 + 8 * y * eps**6, rel=1e-8)


def test_the_quoted_excess_is_the_leading_truncation_term(result: partials.PartialsResult) -> None:
    assert result.g_truncation == pytest.approx(56 * result.point[1] ** 5 * result.eps**2)
    assert result.g_fd_excess == pytest.approx(result.g_truncation, rel=0.05)


@pytest.mark.parametrize("shrink", [1, 2, 4])
def test_the_first_order_prediction_is_off_by_the_square_of_the_step(shrink: int) -> None:
    point, step = partials.POINT, partials.STEP / shrink
    gap = partials.f(*(point + step)) - partials.f(*point) - partials.grad_f(*point) @ step
    full = partials.f(*(point + partials.STEP)) - partials.f(*point) - partials.grad_f(*point) @ partials.STEP
    assert gap == pytest.approx(full / shrink**2, rel=0.1)


def test_the_quoted_changes(result: partials.PartialsResult) -> None:
    moved = result.point + result.step
    assert result.f_change == partials.f(*moved) - result.f_value
    assert result.f_change_predicted == pytest.approx(result.grad_f @ result.step)
    assert result.g_change_predicted == pytest.approx(result.grad_g @ result.step)


SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def as_python(text: str) -> str:
    """The table's text of a formula as Python: x⁴ -> x**4, 3(2x + 1)² · 2 -> 3*(2*x + 1)**2 * 2."""
    text = re.sub(r"([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "**" + m.group(1).translate(SUPERSCRIPTS), text)
    text = text.replace("·", "*")
    return re.sub(r"(?<=[\dx)])\s*(?=[x(])", "*", text)  # an implicit product: 2x, 3(, )(, x(


@pytest.mark.parametrize("rule", partials.RULES, ids=[rule.name for rule in partials.RULES])
def test_the_formulas_the_table_shows_are_the_ones_the_lab_computes(rule: partials.Rule) -> None:
    for x in POINTS:
        assert eval(as_python(rule.example), {"x": x}) == pytest.approx(rule.f(x), rel=1e-13, abs=1e-13)
        assert eval(as_python(rule.by_rule), {"x": x}) == pytest.approx(rule.df(x), rel=1e-13, abs=1e-13)


def test_the_formula_reader_itself() -> None:
    assert as_python("3(2x + 1)² · 2") == "3*(2*x + 1)**2 * 2"
    assert as_python("2x(x + 1) + x² · 1") == "2*x*(x + 1) + x**2 * 1"


def test_every_published_field_is_recomputed_independently(result: partials.PartialsResult) -> None:
    """The run's checks are not allowed to compare a value with itself."""
    x0, (x, y) = result.x0, result.point
    numeric = [(rule.f(x0 + 1e-5) - rule.f(x0 - 1e-5)) / 2e-5 for rule in partials.RULES]
    np.testing.assert_array_equal(result.rule_numeric, numeric)
    for i, rule in enumerate(partials.RULES):
        assert result.rule_rel_errors[i] == rel_error(np.array(rule.df(x0)), np.array(numeric[i]))
    fd_g = (partials.g(x, y + 1e-5) - partials.g(x, y - 1e-5)) / 2e-5
    assert result.g_fd_excess == fd_g - 8 * y**7
    fd_f = [(partials.f(x + 1e-5, y) - partials.f(x - 1e-5, y)) / 2e-5,
            (partials.f(x, y + 1e-5) - partials.f(x, y - 1e-5)) / 2e-5]
    np.testing.assert_array_equal(result.numeric_grad_f, fd_f)
    assert result.rel_error_f == rel_error(np.array([6 * x * y, 3 * x**2]), np.array(fd_f))
    assert result.g_change == partials.g(x + result.step[0], y + result.step[1]) - partials.g(x, y)
