"""``python -m macros check --portable``: find the written numbers that another CPU would change.

The lab runs again under each perturbation of lab/runner/perturb.py (BLAS threads, NumPy's SIMD loops,
random draws nudged by a few units in the last place); every page is checked against each
perturbed run. A number that agrees with this machine's lab but not with a perturbed run depends
on the last bits of the arithmetic: another machine would fail the build (a checked number) or
publish other digits (an inlined value). Each is reported at its file and line, in every language,
with the values seen and what to write instead.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.runner.failures import defined_at
from lab.runner.parallel import run_parallel
from macros.check.site import check_site
from macros.engine.claims import APPROX, BELOW, CITING, ERROR, OK, PORTABILITY, VALUE, Claim, Report, error_claim
from macros.engine.literals import Tolerance, bound_limit, matches, parse_literal


@dataclass
class Spread:
    """One claim of this machine's report, and what each perturbed run made of it."""

    claim: Claim
    values: dict[str, Any] = field(default_factory=dict)  # variant -> lab value under it
    broken: list[str] = field(default_factory=list)  # variants under which the claim fails or prints otherwise


def _ident(claims: list[Claim]) -> dict[tuple[Any, ...], Claim]:
    """Claims by (page, line, kind, key, written, n-th such on that line)."""
    found: dict[tuple[Any, ...], Claim] = {}
    for claim in claims:
        if claim.kind not in CITING:
            continue
        base = (claim.page, claim.line, claim.kind, claim.key, claim.written)
        n = 0
        while (*base, n) in found:
            n += 1
        found[(*base, n)] = claim
    return found


HEADROOM = 3
"""A bound must stay this many times above every value seen, and an approximate number within
1/HEADROOM of its tolerance: another machine's rounding noise may be larger than any seen here."""


def _same(here: Claim, there: Claim) -> bool:
    if there.verdict != OK:
        return False
    if here.kind in (BELOW, APPROX):
        return _with_headroom(there)
    return here.kind != VALUE or here.message == there.message  # an inlined value must print the same


def _with_headroom(claim: Claim) -> bool:
    """Does a bound or an approximate number hold with HEADROOM to spare?"""
    values = _floats(claim.computed)
    if claim.kind == BELOW:
        return max((abs(v) for v in values), default=0.0) * HEADROOM < bound_limit(claim.written)
    tight = Tolerance.parse(claim.tolerance).divided(HEADROOM)
    literals = parse_literal(claim.written).ravel()
    return len(literals) == len(values) and all(matches(lit, v, tight) for lit, v in zip(literals, values, strict=True))


def spreads(baseline: Report, perturbed: Mapping[str, Report],
            failed: Mapping[str, Mapping[str, str]] | None = None) -> list[Spread]:
    """Every number that holds here but not under some perturbed run, with the values seen. Numbers of
    an experiment that failed under a variant are left out for that variant (the failure is reported)."""
    here = _ident(baseline.claims)
    found: dict[tuple[Any, ...], Spread] = {}
    for variant, report in perturbed.items():
        there = _ident(report.claims)
        skipped = set((failed or {}).get(variant, {}))
        for ident, claim in here.items():
            if claim.verdict != OK or ident not in there or claim.key.split(".", 1)[0] in skipped:
                continue
            spread = found.setdefault(ident, Spread(claim))
            if claim.kind in (BELOW, APPROX) and not _with_headroom(claim) and "this machine" not in spread.broken:
                spread.broken.append("this machine")
            spread.values[variant] = there[ident].computed
            if not _same(claim, there[ident]):
                spread.broken.append(variant)
    return [spread for spread in found.values() if spread.broken]


def _floats(computed: str) -> list[float]:
    try:
        value = ast.literal_eval(computed)
    except (ValueError, SyntaxError):
        return []
    flat: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        else:
            flat.append(item)
    return [float(v) for v in flat if isinstance(v, int | float)]


def _nice_above(x: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``x`` (three significant digits)."""
    if x <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(x))
    return float(f"{next(m * power for m in (1, 2, 5, 10) if m * power >= x):.3g}")


def _number(x: float) -> str:
    return f"{x:.6g}"


def advice(spread: Spread) -> str:
    """The message for one fragile number: where it moved, how far, and what to write instead."""
    claim = spread.claim
    seen = [*_floats(claim.computed), *(v for c in spread.values.values() for v in _floats(c))]
    here = _floats(claim.computed)
    range_text = f"{_number(min(seen))} to {_number(max(seen))}" if seen else "other values"
    if len(here) > 1:
        range_text = f"entries between {range_text}"
    under = ", ".join(spread.broken)
    if claim.kind == VALUE:
        what = f"printed value of {claim.key} ({claim.message.removeprefix(f'printed {claim.key} as ')})"
        if seen and min(seen) > 0:
            todo = (f"if it is rounding noise, state a bound with below(\"{claim.key}\", "
                    f"\"{_nice_above(HEADROOM * max(seen)):g}\"); else print it with fewer digits")
        else:
            todo = "print it with fewer digits, or state it with approx() and a tolerance"
    elif claim.kind == BELOW:
        what = f"bound {claim.written} ({claim.key})"
        largest = max((abs(v) for v in seen), default=0.0)
        todo = (f"raise the bound to at least {_nice_above(HEADROOM * largest):g}, {HEADROOM} times the largest "
                "value seen")
    else:
        what = f"written {claim.written} ({claim.key})"
        if len(here) == 1 and seen:
            tol = _nice_above(HEADROOM * max(abs(v - here[0]) for v in seen))
            todo = (f"write fewer digits, or approx(\"{claim.key}\", \"…\", tol={tol:g}) and say in the text why the "
                    "number varies between machines")
        else:
            todo = "write fewer digits, or an approx() with a tolerance that covers the spread"
    return (f"{what} does not hold on every machine: the lab gives {range_text} when its arithmetic is "
            f"perturbed ({under}); {todo}")


def portability_claims(baseline: Report, perturbed: Mapping[str, Report],
                       failures: Mapping[str, Mapping[str, str]]) -> list[Claim]:
    """Error claims for every fragile number and every experiment that fails under a perturbation."""
    problems = [Claim(s.claim.page, s.claim.line, PORTABILITY, s.claim.key, s.claim.written, s.claim.computed,
                      ERROR, advice(s)) for s in spreads(baseline, perturbed, failures)]
    for variant, failed in failures.items():
        for name, where in failed.items():
            problems.append(error_claim(where.split(":", 1)[0], _line_of(where), f"experiment '{name}' fails when "
                                        f"its arithmetic is perturbed ({variant}): {where}", key=name))
    return problems


def _line_of(where: str) -> int:
    parts = where.split(":")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def check_portable(docs_dir: Path, root: Path, baseline: Report, results: Mapping[str, Any],
                   progress: Callable[[str], None] | None = None) -> list[Claim]:
    """Rerun the lab under every perturbation; check every page, table and figure against each run."""
    from lab.runner.perturb import run_variants

    perturbed, failures, runs = {}, {}, {}
    for outcome in run_variants(progress=progress):
        name = outcome.variant.name
        perturbed[name] = check_site(docs_dir, outcome.results, root=root)
        failures[name] = outcome.failures
        runs[name] = outcome.results
    problems = portability_claims(baseline, perturbed, failures)
    whole = {name: run for name, run in runs.items() if not failures[name]}
    return problems + table_claims(results, whole) + figure_claims(results, whole)


def table_claims(baseline: Mapping[str, Any], runs: Mapping[str, Mapping[str, Any]]) -> list[Claim]:
    """Every CSV cell that a perturbed run writes otherwise, beyond its column's stated tolerance."""
    from lab.runner.compare import compare_rows, divided
    from lab.tables import TABLES, TOLERANCES

    problems = []
    for table, build in TABLES.items():
        expected = build(baseline)
        cells: dict[str, list[str]] = {}
        stated = {column: divided(bound, HEADROOM) for column, bound in TOLERANCES.get(table, {}).items()}
        for cell in _over_bound(expected, stated):
            cells.setdefault(cell, []).append("this machine")
        for variant, results in runs.items():
            for cell in compare_rows(expected, build(results), stated)[0]:
                cells.setdefault(cell, []).append(variant)
        if cells:
            shown = "; ".join(f"{cell} ({', '.join(variants)})" for cell, variants in list(cells.items())[:4])
            more = f" and {len(cells) - 4} more" if len(cells) > 4 else ""
            problems.append(error_claim(*defined_at(build), f"{table} is written otherwise when the lab's "
                                        f"arithmetic is perturbed: {shown}{more}; write those columns with fewer "
                                        "digits, or state how far they may differ in the module's TOLERANCES "
                                        "(see lab/runner/compare.py)", key=table))
    return problems


def _over_bound(rows: list[list[str]], stated: dict[str, str]) -> list[str]:
    """Cells of this machine's table that are not below their column's (tightened) bound."""
    from lab.runner.compare import cell_agrees

    header, found = rows[0] if rows else [], []
    for r, row in enumerate(rows[1:], start=2):
        for column, value in zip(header, row, strict=False):
            bound = stated.get(column, "")
            if bound.startswith("<") and not cell_agrees("0", value, bound):
                found.append(f"row {r}, column {column}: {value} is not below {bound[1:]}")
    return found


def figure_claims(baseline: Mapping[str, Any], runs: Mapping[str, Mapping[str, Any]]) -> list[Claim]:
    """Every figure that a perturbed run draws otherwise, unless it is declared machine-dependent."""
    from lab.figures import FIGURES, MACHINE_DEPENDENT
    from lab.runner.compare import same_drawing
    from lab.runner.outputs import try_draw

    names = [name for name in FIGURES if name not in MACHINE_DEPENDENT]
    jobs = [(name, results) for results in (baseline, *runs.values()) for name in names]
    drawn = run_parallel(try_draw, jobs)
    problems = []
    for i, name in enumerate(names):
        mine = drawn[i]
        others = [drawn[i + len(names) * (k + 1)] for k in range(len(runs))]
        if isinstance(mine, tuple):
            moved = [v for v, other in zip(runs, others, strict=True)
                     if not isinstance(other, tuple) or not same_drawing(mine[0], other[0])]
        else:
            moved = []  # a figure that fails to draw is reported by the build itself
        if moved:
            problems.append(error_claim(*defined_at(FIGURES[name]), f"figure '{name}' is drawn otherwise when the "
                                        f"lab's arithmetic is perturbed ({', '.join(moved)}); if it plots a chaotic "
                                        "quantity, add it to the module's MACHINE_DEPENDENT with the reason, else "
                                        "plot values that hold on every machine", key=name))
    return problems
