"""CSV table of the Jacobian article's first section: one example per scalar derivative rule."""

from __future__ import annotations

from typing import Any

from lab.partials import RULES


def rule_rows(results: dict[str, Any]) -> list[list[str]]:
    """Each rule's example at x0: the derivative by the rule against a centered difference."""
    r = results["partials"]
    rows = [["f(x)", "f'(x)", f"f'({r.x0:g})", "centered", "rel_error"]]
    for i, rule in enumerate(RULES):
        rows.append([rule.example, rule.by_rule, f"{r.rule_derivatives[i]:g}", f"{r.rule_numeric[i]:.6f}",
                     f"{r.rule_rel_errors[i]:.1e}"])
    return rows


TOLERANCES = {"partials-scalar-rules.csv": {"rel_error": "<1e-9"}}
"""Centered differences of values up to a few hundred carry rounding noise near 1e-11, relative."""

TABLES = {"partials-scalar-rules.csv": rule_rows}
