"""CSV table of the Jacobian article's first section: one example per scalar derivative rule."""

from __future__ import annotations

from typing import Any

from lab.partials import RULES

SHOWN = {
    "constant": ("5", "0"),
    "power": ("x⁴", "4x³"),
    "constant multiple": ("3x²", "3 · 2x"),
    "sum": ("x³ + 2x", "3x² + 2"),
    "product": ("x²(x + 1)", "2x(x + 1) + x² · 1"),
    "chain": ("(2x + 1)³", "3(2x + 1)² · 2"),
}
"""Rule name -> (example, its derivative by the rule) as the article writes them."""


def rule_rows(results: dict[str, Any]) -> list[list[str]]:
    """Each rule's example at x0: the derivative by the rule against a centered difference."""
    r = results["partials"]
    rows = [["f(x)", "f'(x)", f"f'({r.x0:g})", "centered", "rel_error"]]
    for i, rule in enumerate(RULES):
        example, derivative = SHOWN[rule.name]
        rows.append([example, derivative, f"{r.rule_derivatives[i]:g}", f"{r.rule_numeric[i]:.6f}",
                     f"{r.rule_rel_errors[i]:.1e}"])
    return rows


TOLERANCES = {"partials-scalar-rules.csv": {"rel_error": "<1e-9"}}
"""Centered differences of values up to a few hundred carry rounding noise near 1e-11, relative."""

TABLES = {"partials-scalar-rules.csv": rule_rows}
