"""``python -m macros check --portable``: find the written numbers that another CPU would change.

The lab runs again under each perturbation of lab/perturb.py (BLAS threads, NumPy's SIMD loops,
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

from macros.claims import OK, Claim, Report, error_claim
from macros.render import check_site

_NUMBERS = ("check", "approx", "below", "value")


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
        if claim.kind not in _NUMBERS:
            continue
        base = (claim.page, claim.line, claim.kind, claim.key, claim.written)
        n = 0
        while (*base, n) in found:
            n += 1
        found[(*base, n)] = claim
    return found


def _same(here: Claim, there: Claim) -> bool:
    if there.verdict != OK:
        return False
    return here.kind != "value" or here.message == there.message  # an inlined value must print the same


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
    under = ", ".join(spread.broken)
    if claim.kind == "value":
        what = f"printed value of {claim.key} ({claim.message.removeprefix(f'printed {claim.key} as ')})"
        if seen and min(seen) > 0:
            todo = (f"if it is rounding noise, state a bound with below(\"{claim.key}\", "
                    f"\"{_nice_above(3 * max(seen)):g}\"); else print it with fewer digits")
        else:
            todo = "print it with fewer digits, or state it with approx() and a tolerance"
    else:
        what = f"written {claim.written} ({claim.key})"
        if len(here) == 1 and seen:
            tol = _nice_above(2 * max(abs(v - here[0]) for v in seen))
            todo = (f"write fewer digits, or approx(\"{claim.key}\", \"…\", tol={tol:g}) and say in the text why the "
                    "number varies between machines")
        else:
            todo = "write fewer digits, or an approx() with a tolerance that covers the spread"
    return (f"{what} does not hold on every machine: the lab gives {range_text} when its arithmetic is "
            f"perturbed ({under}); {todo}")


def portability_claims(baseline: Report, perturbed: Mapping[str, Report],
                       failures: Mapping[str, Mapping[str, str]]) -> list[Claim]:
    """Error claims for every fragile number and every experiment that fails under a perturbation."""
    problems = [error_claim(s.claim.page, s.claim.line, advice(s), key=s.claim.key, written=s.claim.written)
                for s in spreads(baseline, perturbed, failures)]
    for variant, failed in failures.items():
        for name, where in failed.items():
            problems.append(error_claim(where.split(":", 1)[0], _line_of(where), f"experiment '{name}' fails when "
                                        f"its arithmetic is perturbed ({variant}): {where}", key=name))
    return problems


def _line_of(where: str) -> int:
    parts = where.split(":")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def check_portable(docs_dir: Path, root: Path, baseline: Report,
                   progress: Callable[[str], None] | None = None) -> list[Claim]:
    """Rerun the lab under every perturbation and check every page against each run."""
    from lab.perturb import run_variants

    perturbed, failures = {}, {}
    cited = sorted({c.key.split(".", 1)[0] for c in baseline.claims if c.kind in _NUMBERS})
    for outcome in run_variants(names=cited, progress=progress):
        name = outcome.variant.name
        perturbed[name] = check_site(docs_dir, outcome.results, root=root)
        failures[name] = outcome.failures
    return portability_claims(baseline, perturbed, failures)
