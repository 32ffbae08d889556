"""Numbers as authors write them, and the rule for checking one against a lab value.

The rule (also in the author's guide):

* A literal is checked at its written precision: the lab value, taken at its shortest decimal
  form (``repr``), is rounded half away from zero to the literal's last written digit and must
  then equal the literal. ``0.300`` accepts 0.2995..0.3005 (exclusive at the top); ``2.68``
  accepts the lab's ``2.675`` (a person rounds 2.675 up, even if ``f"{2.675:.2f}"`` says 2.67).
* Integers are checked to the unit, scientific literals (``8.1e-12``) to the mantissa's last digit,
  percentages (``97.3%``) compare the lab fraction times 100.
* The sign of zero is ignored: ``0.000`` and ``-0.000`` both accept -0.0001.
* Vectors ``[a, b]`` and matrices ``[[a, b], [c, d]]`` are checked entry by entry; the shape must
  match the lab value after dropping its length-1 axes (a 2x1 column may be written ``[0.2, 1.25]``).
* The Unicode minus sign (U+2212) is read as ``-``, full-width digits as ASCII ones, and a power of
  ten as math writes it (``10^{-8}``, ``2.2 \\times 10^{-16}``) like ``1e-8`` and ``2.2e-16``; the
  author's text is printed unchanged.
* A single number may group its thousands with commas (``10,000``); inside ``[a, b]`` a comma
  always separates entries.
* An explicit tolerance (``tol=0.01``) replaces the rounding rule with ``|lab - written| <= tol``;
  a relative one (``rel=0.05``, for ``approx``) with ``|lab - written| <= rel * |written|``. A
  tolerance must be a finite number above zero (``rel`` also below 1).
* A literal has at most 17 significant digits and a power of ten within a double's range;
  anything else is refused with the rule, never compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import TYPE_CHECKING

from macros.engine.numbers import ascii_digits

if TYPE_CHECKING:  # NumPy is imported inside the functions that use it, so a warm build that
    import numpy as np  # renders no page never loads it.

_SIGNED = r"([+\-\u2212]?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?|\.\d+)(?:([eE])([+\-\u2212]?\d+))?"
NUMBER = re.compile(_SIGNED + r"(%?)")
"""One written number inside a literal: sign, digits (thousands may be grouped), decimals, exponent
letter, exponent, percent sign. macros/engine/fix.py rewrites literals number by number with it."""
_NUMBER = re.compile(r"\s*" + _SIGNED + r"\s*(%?)\s*")


MAX_DIGITS = 17
"""Significant digits a literal may have: a double holds 15 to 17, so more cannot be checked."""
MAX_EXPONENT = 330
"""A literal's power of ten stays within a double's range (about 1e-324 to 1e308), with a margin."""


class LiteralError(ValueError):
    """A written number that cannot be read."""


@dataclass(frozen=True)
class Literal:
    """One written scalar: its exact decimal value and the size of its last digit."""

    value: Decimal
    quantum: Decimal
    percent: bool


_TEX_POWER = re.compile(r"\s*([+\-\u2212]?)(?:(\d+(?:\.\d*)?)\s*(?:\\times|\\cdot|×|·)\s*)?10\s*\^\s*"
                        r"(?:\{\s*([+\-\u2212]?\d+)\s*\}|(\d))\s*(%?)\s*")


def parse_scalar(text: str) -> Literal:
    text = ascii_digits(text)  # full-width digits (０．５) read as ASCII
    power = _TEX_POWER.fullmatch(text)
    if power:  # as written in math: 10^{-8}, 2.2 \times 10^{-16}
        sign, mantissa, braced, bare, percent = power.groups()
        text = f"{sign}{mantissa or '1'}e{braced or bare}{percent}"
    match = _NUMBER.fullmatch(text)
    if not match:
        raise LiteralError(f"'{text}' is not a number (write it like 0.300, -2.5, 8.1e-12 or 97.3%)")
    sign, body, decimals, _, exponent, percent = match.groups()
    sign = "-" if sign in ("-", "\u2212") else ""
    exponent = (exponent or "0").replace("\u2212", "-")
    body = body.replace(",", "")  # a thousands separator (10,000) changes neither value nor precision
    digits = len(body.replace(".", "").lstrip("0")) or 1
    if digits > MAX_DIGITS:
        raise LiteralError(f"the number has {digits} significant digits; a lab value carries about 16, "
                           f"so write at most {MAX_DIGITS}")
    if len(exponent.lstrip("+-")) > 3 or not -MAX_EXPONENT <= int(exponent) <= MAX_EXPONENT:
        raise LiteralError(f"the number is outside the range of a lab value (a power of ten between "
                           f"-{MAX_EXPONENT} and {MAX_EXPONENT}); write the number the lab computes")
    value = Decimal(f"{sign}{body}e{exponent}")
    places = len(decimals or "") if "." in body else 0
    if body.startswith("."):
        places = len(body) - 1
    quantum = Decimal(1).scaleb(int(exponent) - places)
    return Literal(value=value, quantum=quantum, percent=bool(percent))


def parse_literal(text: str) -> np.ndarray:
    """Parse a scalar, ``[a, b]`` or ``[[a, b], [c, d]]`` into an object array of Literals."""
    import numpy as np

    stripped = text.strip()
    if not stripped.startswith("["):
        return np.array(parse_scalar(stripped), dtype=object)
    nested = _parse_list(stripped, text)
    array = np.empty(_shape_of(nested, text), dtype=object)
    for index in np.ndindex(array.shape):
        item = nested
        for i in index:
            item = item[i]
        array[index] = item
    return array


def _parse_list(text: str, whole: str) -> list:
    if not (text.startswith("[") and text.endswith("]")):
        raise LiteralError(f"'{whole}': brackets do not balance")
    inner = text[1:-1].strip()
    if not inner:
        raise LiteralError(f"'{whole}': empty list")
    items, depth, start = [], 0, 0
    for pos, char in enumerate(inner):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            raise LiteralError(f"'{whole}': brackets do not balance")
        if char == "," and depth == 0:
            items.append(inner[start:pos].strip())
            start = pos + 1
    items.append(inner[start:].strip())
    return [_parse_list(item, whole) if item.startswith("[") else parse_scalar(item) for item in items]


def _shape_of(nested: list, whole: str) -> tuple[int, ...]:
    if not isinstance(nested, list):
        return ()
    shapes = {_shape_of(item, whole) for item in nested}
    if len(shapes) != 1:
        raise LiteralError(f"'{whole}': rows have different lengths")
    return (len(nested), *shapes.pop())


class ToleranceError(ValueError):
    """A tolerance that cannot be used (negative, zero, not a number)."""


@dataclass(frozen=True)
class Tolerance:
    """How far a lab value may lie from the written number: ``absolute`` (in the written unit, so
    percentage points for a percentage) or ``relative`` (a share of the written number). Neither
    set means the rounding rule."""

    absolute: Decimal | None = None
    relative: Decimal | None = None

    @staticmethod
    def of(tol: object = None, rel: object = None) -> Tolerance:
        return Tolerance(_bound("tol", tol, upper=None), _bound("rel", rel, upper=Decimal(1)))

    def allows(self, written: Decimal, lab: Decimal) -> bool:
        gap = abs(lab - written)
        if self.absolute is not None and gap > self.absolute:
            return False
        return self.relative is None or gap <= self.relative * abs(written)

    def text(self) -> str:
        """The bound as the report states it: ``100`` or ``5%`` (empty under the rounding rule)."""
        if self.relative is not None:
            return _plain(self.relative * 100) + "%"
        return "" if self.absolute is None else _plain(self.absolute)

    def describe(self) -> str:
        return f" (±{self.text()})" if self.text() else ""

    @staticmethod
    def parse(text: str) -> Tolerance:
        """The inverse of ``text()``: ``"100"`` -> absolute 100, ``"5%"`` -> relative 0.05."""
        if not text:
            return Tolerance()
        if text.endswith("%"):
            return Tolerance(relative=Decimal(text[:-1]) / 100)
        return Tolerance(absolute=Decimal(text))

    def divided(self, factor: int) -> Tolerance:
        """The same kind of tolerance, ``factor`` times tighter."""
        return Tolerance(None if self.absolute is None else self.absolute / factor,
                         None if self.relative is None else self.relative / factor)


def _plain(number: Decimal) -> str:
    """``100.0`` -> ``100``, ``0.010`` -> ``0.01``: a bound as a person writes it."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bound(name: str, value: object, upper: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ToleranceError(f"{name}={value!r} is not a number; write it like {name}=0.01")
    try:
        bound = Decimal(repr(float(value)))
    except OverflowError:
        bound = Decimal("Infinity")
    if not bound.is_finite() or bound <= 0 or (upper is not None and bound >= upper):
        limit = "" if upper is None else f" and below {upper}"
        raise ToleranceError(f"{name}={value!r} must be a finite number above 0{limit}")
    return bound


def bound_limit(written: str) -> float:
    """The limit an upper bound such as ``5e-8`` or ``70%`` states, as a fraction (``70%`` -> 0.7)."""
    bound = parse_scalar(written.strip())
    return float(bound.value) / (100 if bound.percent else 1)


WIDE = Context(prec=2 * MAX_EXPONENT + 40, Emin=-4 * MAX_EXPONENT, Emax=4 * MAX_EXPONENT)
"""Decimal arithmetic wide enough for any literal the rules allow: a lab value of 0.8 rounded to the
last digit of 1e-30 needs 31 digits, more than Decimal's default 28."""


def _lab_decimal(literal: Literal, lab_value: float) -> Decimal:
    """The lab value at its shortest decimal form (``repr``), times 100 for a percentage."""
    with localcontext(WIDE):
        return Decimal(repr(float(lab_value))) * (100 if literal.percent else 1)


def lab_at(literal: Literal, lab_value: float) -> Decimal:
    """The lab value rounded half away from zero to the literal's last written digit: the rounding
    rule, in one place (the check compares it with the literal, ``--fix`` writes it)."""
    with localcontext(WIDE):
        return _lab_decimal(literal, lab_value).quantize(literal.quantum, rounding=ROUND_HALF_UP)


def matches(literal: Literal, lab_value: float, tol: float | Tolerance | None = None) -> bool:
    """Does the lab value agree with the literal under the rule in this module's docstring?"""
    bound = tol if isinstance(tol, Tolerance) else Tolerance.of(tol)
    if bound.absolute is not None or bound.relative is not None:
        with localcontext(WIDE):
            return bound.allows(literal.value, _lab_decimal(literal, lab_value))
    return lab_at(literal, lab_value) == literal.value


def rounded_like(literal: Literal, lab_value: float) -> str:
    """The lab value written at the literal's precision: what the author should have written."""
    return str(lab_at(literal, lab_value)).replace("E", "e") + ("%" if literal.percent else "")
