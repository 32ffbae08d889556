"""Compare the lab's outputs with the ones the site was built with, at the published precision.

A CSV cell agrees when its text is the same, or, in a column that states a tolerance (the
``TOLERANCES`` of lab/tables/), when both cells are numbers within it:

* ``"±0.001"``: at most 0.001 apart; ``"±1e-6%"``: at most that share of the expected number apart;
* ``"<2e-7"``: both below 2e-7 (rounding noise, such as a finite-difference check's relative error,
  whose size is the result and whose digits differ from machine to machine).

A figure agrees when its SVG is the same once the names matplotlib derives from a hash (clip
paths) are numbered in order instead: every coordinate as written is then the same. A figure that
plots a chaotic quantity (``MACHINE_DEPENDENT`` in lab/figures/) may differ in its coordinates and
path data, and is reported so; its elements, texts and styles must still be the same.
Every other file must be identical.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

IDENTICAL, AGREES, VARIES, DIFFERS = "identical", "agrees", "varies", "differs"
_HASHED_ID = re.compile(r"\b(p[0-9a-f]{10})\b")
_PATH_DATA = re.compile(r'\bd="[^"]*"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass
class Verdict:
    name: str
    verdict: str
    notes: list[str] = field(default_factory=list)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def cell_agrees(expected: str, produced: str, tolerance: str | None) -> bool:
    """Does ``produced`` agree with ``expected`` under the column's stated tolerance (None: none)?"""
    if expected == produced:
        return True
    a, b = _number(expected), _number(produced)
    if tolerance is None or a is None or b is None:
        return False
    if tolerance.startswith("<"):
        bound = Decimal(tolerance[1:])
        return abs(a) < bound and abs(b) < bound
    bound_text = tolerance.removeprefix("±")
    if bound_text.endswith("%"):
        return abs(a - b) <= Decimal(bound_text[:-1]) / 100 * abs(a)
    return abs(a - b) <= Decimal(bound_text)


def divided(tolerance: str, factor: int) -> str:
    """A column's stated tolerance, ``factor`` times tighter: ``<5e-8`` -> ``<1.67e-8``."""
    kind, number = ("<", tolerance[1:]) if tolerance.startswith("<") else ("±", tolerance.removeprefix("±"))
    share = number.endswith("%")
    return f"{kind}{Decimal(number.rstrip('%')) / factor:.3g}{'%' if share else ''}"


def compare_rows(expected: list[list[str]], produced: list[list[str]],
                 tolerances: dict[str, str] | None = None) -> tuple[list[str], int]:
    """Cells that disagree (``row r, column c: expected X, got Y``), and how many differ within a tolerance."""
    tolerances = tolerances or {}
    if len(expected) != len(produced) or (expected and expected[0] != produced[0]):
        return [f"{len(produced)} rows with header {produced[:1]}, expected {len(expected)} with {expected[:1]}"], 0
    header, problems, tolerated = expected[0] if expected else [], [], 0
    for r, (want, got) in enumerate(zip(expected[1:], produced[1:], strict=True), start=2):
        if len(want) != len(got):
            problems.append(f"row {r}: {len(got)} cells, expected {len(want)}")
            continue
        for c, (x, y) in enumerate(zip(want, got, strict=True)):
            column = header[c] if c < len(header) else str(c + 1)
            if x == y:
                continue
            if cell_agrees(x, y, tolerances.get(column)):
                tolerated += 1
            else:
                problems.append(f"row {r}, column {column}: expected {x}, got {y}")
    return problems, tolerated


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _numbered(data: bytes) -> str:
    """The SVG text with hash-derived names replaced by their order of appearance."""
    names: dict[str, str] = {}
    return _HASHED_ID.sub(lambda m: names.setdefault(m.group(1), f"id{len(names)}"), data.decode("utf-8"))


def same_drawing(expected: bytes, produced: bytes) -> bool:
    """The SVGs differ at most in hash-derived names, and in coordinates by one unit of their last
    written digit (a coordinate on a rounding boundary may be written either way)."""
    try:
        a, b = _numbered(expected), _numbered(produced)
    except UnicodeDecodeError:
        return False
    if a == b:
        return True
    if _NUMBER.sub("0", a) != _NUMBER.sub("0", b):
        return False
    for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=True):
        if x != y and abs(Decimal(x) - Decimal(y)) > _last_digit(x):
            return False
    return True


def _last_digit(number: str) -> Decimal:
    """The size of a written number's last digit: ``12.34`` -> 0.01, ``5`` -> 1."""
    mantissa, _, exponent = number.partition("e")
    places = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return Decimal(1).scaleb(int(exponent or 0) - places)


def same_figure(expected: bytes, produced: bytes) -> bool:
    """The same elements, texts and styles: only coordinates and path data may differ (a figure of a
    chaotic run draws the same figure with its lines elsewhere, never another figure)."""
    def skeleton(data: bytes) -> str:
        return _NUMBER.sub("0", _PATH_DATA.sub('d=""', _numbered(data)))

    try:
        return skeleton(expected) == skeleton(produced)
    except UnicodeDecodeError:
        return False


def compare_file(name: str, expected: bytes, produced: bytes | None) -> Verdict:
    from lab.figures import MACHINE_DEPENDENT
    from lab.tables import TOLERANCES

    if produced is None:
        return Verdict(name, DIFFERS, ["missing from the output"])
    if produced == expected:
        return Verdict(name, IDENTICAL)
    if name.endswith(".csv"):
        try:
            problems, tolerated = compare_rows(_rows(expected), _rows(produced), TOLERANCES.get(name))
        except UnicodeDecodeError:
            return Verdict(name, DIFFERS, ["not UTF-8 text"])
        if problems:
            return Verdict(name, DIFFERS, problems)
        return Verdict(name, AGREES, [f"{tolerated} number(s) differ within the tolerance stated for their column"])
    if name.endswith(".svg"):
        if same_drawing(expected, produced):
            return Verdict(name, AGREES, ["same drawing (only hash-derived names differ)"])
        figure = Path(name).name.removesuffix(".svg").removesuffix(".dark")  # a dark twin varies with its figure
        if figure in MACHINE_DEPENDENT and same_figure(expected, produced):
            return Verdict(name, VARIES, [MACHINE_DEPENDENT[figure]])
        if figure in MACHINE_DEPENDENT:
            return Verdict(name, DIFFERS, ["not the same figure: its elements or texts differ, not only its lines"])
    return Verdict(name, DIFFERS, ["bytes differ"])


def compare_folders(out: Path, expected: Path, produced: list[str] | None = None) -> list[Verdict]:
    """A verdict for every expected file, and for every ``produced`` file that is not expected."""
    verdicts = []
    names = sorted(p.relative_to(expected).as_posix() for p in expected.rglob("*") if p.is_file())
    for name in names:
        made = out / name
        found = made.read_bytes() if made.is_file() else None
        verdicts.append(compare_file(name, (expected / name).read_bytes(), found))
    verdicts += [Verdict(name, DIFFERS, ["written by the lab, but not in the expected outputs"])
                 for name in sorted(set(produced or []) - set(names))]
    return verdicts
