"""Hand arithmetic in the articles' math is right: in every formula such as
``$4 \\cdot 3^3 = {{ check("partials.rule_derivatives[1]", "108") }}$`` the purely numeric parts of
the chain agree with each other.

The build checks each lab number against the lab, but the small numbers around it (a coefficient,
an exponent, an input retyped in a product) are the author's. This test evaluates every chain whose
parts are numbers and operators only, after replacing checked numbers with their written digits.
A number with a decimal point counts as rounded (half a unit of its last digit either way, bounded
by evaluating every corner); an integer counts as exact.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*/*.md"))

_WRITTEN = re.compile(r"""\{\{\s*(?:check|approx)\(\s*"[^"]*"\s*,\s*"([^"]*)"[^}]*\}\}""")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CLEAN = [(r"\\[,;! ]", " "), (r"\\(?:left|right|big|Big|bigg|Bigg)\b", ""), (r"\\(?:cdot|times)", "*"),
          ("−", "-"), (r"\^\{([^{}]*)\}", r"^(\1)"), (r"\^", "**"), (r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))")]
_PURE = re.compile(r"[\d.\s+\-*/()]+")


def numeric(part: str) -> str | None:
    """The part as a Python expression when it holds numbers and operators only, else None."""
    for pattern, replacement in _CLEAN:
        part = re.sub(pattern, replacement, part)
    part = part.strip().rstrip(".,;")
    if not (part and _PURE.fullmatch(part) and _NUMBER.search(part)):
        return None
    try:  # a fragment such as "(1.45))" or an implicit product "(1)(2)" is not a formula to check
        compile(part, "<formula>", "eval")
    except SyntaxError:
        return None
    return part


def bounds(expression: str) -> tuple[float, float]:
    """Smallest and largest value of the expression over the rounding interval of each decimal."""
    numbers = list(_NUMBER.finditer(expression))
    choices = []
    for match in numbers:
        text = match.group()
        if "." in text:
            half = Decimal(5) * Decimal(10) ** (Decimal(text).as_tuple().exponent - 1)
            choices.append([str(Decimal(text) - half), str(Decimal(text) + half)])
        else:
            choices.append([text])
    values = []
    for corner in itertools.islice(itertools.product(*choices), 4096):
        pieces, last = [], 0
        for match, replacement in zip(numbers, corner, strict=True):
            pieces += [expression[last:match.start()], f"({replacement})"]
            last = match.end()
        values.append(float(eval("".join(pieces) + expression[last:])))
    return min(values), max(values)


def chains(text: str) -> list[tuple[int, list[str]]]:
    """(line, numeric parts) of every formula with at least two numeric parts joined by '='."""
    text = _WRITTEN.sub(lambda m: m.group(1), text)
    found = []
    for match in _MATH.finditer(text):
        body = match.group(1) or match.group(2)
        if "{{" in body:  # a value() or below() call: not the author's arithmetic
            continue
        for row in re.split(r"\\\\|\\qquad|\\quad|,\s", body):
            parts = [p for p in (numeric(part) for part in row.split("=")) if p is not None]
            if len(parts) >= 2:
                found.append((text.count("\n", 0, match.start()) + 1, parts))
    return found


def agree(parts: list[str]) -> bool:
    lows, highs = zip(*(bounds(part) for part in parts), strict=True)
    return max(lows) <= min(highs) + 1e-12


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in PAGES])
def test_every_numeric_chain_agrees(page: Path) -> None:
    wrong = [f"{page.relative_to(ROOT)}:{line}: {' = '.join(parts)}"
             for line, parts in chains(page.read_text(encoding="utf-8")) if not agree(parts)]
    assert wrong == []


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("article", "at_least"), [("jacobians-chain-rule", 12), ("matrix-differentials-trace", 8)])
def test_the_hand_calculations_are_found(lang: str, article: str, at_least: int) -> None:
    """The test above is not vacuous on the pages whose hand calculations it was written for."""
    assert len(chains((ROOT / "docs" / lang / f"{article}.md").read_text(encoding="utf-8"))) >= at_least


@pytest.mark.parametrize(("formula", "holds"), [
    ("$4 \\cdot 3^3 = 108$", True), ("$4 \\cdot 3^4 = 108$", False),
    ("$0.1464 + 0.1014 = 0.2478$", True), ("$0.1464 + 0.1014 = 0.2488$", False),
    ("$(0.420505 - 1) / 2 = -0.2897$", True), ("$(0.4205 − 1) / 2 = −0.2890$", False),
    ("$x = 2 \\cdot 6 \\cdot 3 = 36$", True), ("$x = 2 \\cdot 6 \\cdot 4 = 36$", False),
])
def test_the_chain_checker_itself(formula: str, holds: bool) -> None:
    found = chains(formula)
    assert len(found) == 1
    assert agree(found[0][1]) is holds
