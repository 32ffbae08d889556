"""The rule for checking a written number against a lab value."""

from __future__ import annotations

import pytest

from macros.engine.literals import (
    LiteralError,
    Tolerance,
    ToleranceError,
    bound_limit,
    matches,
    parse_literal,
    parse_scalar,
    rounded_like,
)


@pytest.mark.parametrize(("written", "lab", "ok"), [
    ("0.300", 0.30000000000000004, True),
    ("0.300", 0.3004999, True),
    ("0.300", 0.3005, False),          # half rounds away from zero: 0.301
    ("0.301", 0.3005, True),
    ("2.68", 2.675, True),             # what a person writes, although f"{2.675:.2f}" == "2.67"
    ("2.67", 2.675, False),
    ("-2.68", -2.675, True),           # away from zero on the negative side too
    ("0.000", -0.0001, True),          # the sign of zero is ignored
    ("-0.000", 0.0001, True),
    ("12", 12.4, True),                # an integer is checked to the unit
    ("12", 12.5, False),
    ("8.1e-12", 8.07e-12, True),       # scientific: to the mantissa's last digit
    ("8.1e-12", 8.2e-12, False),
    ("97.3%", 0.9731, True),           # percent: the lab fraction times 100
    ("97.3%", 0.9736, False),
    ("−2.500", -2.5, True),            # the Unicode minus sign
    ("+1.5", 1.5, True),
    (".5", 0.5, True),
    ("10,000", 10000.0, True),         # thousands separators: same value, same precision
    ("10,000", 10000.6, False),
    ("1,234.5", 1234.46, True),
])
def test_scalar_rule(written: str, lab: float, ok: bool) -> None:
    assert matches(parse_scalar(written), lab) is ok


def test_tolerance_replaces_rounding() -> None:
    literal = parse_scalar("0.3")
    assert matches(literal, 0.309, tol=0.01)
    assert not matches(literal, 0.311, tol=0.01)


@pytest.mark.parametrize(("written", "lab", "expected"), [
    ("0.300", 0.3125, "0.313"),
    ("−2.5", -2.449, "-2.4"),
    ("8.1e-12", 8.07069e-12, "8.1e-12"),
    ("97.3%", 0.97349, "97.3%"),
])
def test_rounded_like_writes_the_lab_value_at_the_literal_precision(written: str, lab: float,
                                                                     expected: str) -> None:
    assert rounded_like(parse_scalar(written), lab) == expected


def test_vectors_and_matrices_parse_to_their_shape() -> None:
    assert parse_literal("0.5").shape == ()
    assert parse_literal("[0.300, −0.400, 0.100]").shape == (3,)
    assert parse_literal("[[1, 2, 3], [4, 5, 6]]").shape == (2, 3)


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "", "[1, [2]]", "[1, 2", "[]", "1,5", "0x10", "1e",
                                 "1,00", "10,0000", ",100"])
def test_malformed_literals_are_rejected_with_the_text(bad: str) -> None:
    with pytest.raises(LiteralError, match="'"):
        parse_literal(bad)


@pytest.mark.parametrize(("written", "lab", "tol", "rel", "ok"), [
    ("2,200", 2299.0, 100, None, True),
    ("2,200", 2101.0, 100, None, True),
    ("2,200", 2300.5, 100, None, False),
    ("2,200", 2099.0, 100, None, False),
    ("2,200", 2309.0, None, 0.05, True),     # 5% of the written 2,200 is 110
    ("2,200", 2311.0, None, 0.05, False),
    ("22%", 0.2349, 1.5, None, True),        # a percentage's tolerance is in percentage points
    ("22%", 0.2351, 1.5, None, False),
    ("-0.5", -0.52, None, 0.05, True),       # relative to the size of the written number
])
def test_tolerance_bounds_the_gap(written: str, lab: float, tol: float | None, rel: float | None, ok: bool) -> None:
    assert matches(parse_scalar(written), lab, Tolerance.of(tol, rel)) is ok


@pytest.mark.parametrize(("tol", "rel"), [(-1, None), (0, None), (float("nan"), None), (float("inf"), None),
                                          ("5", None), (True, None), (None, 0), (None, 1), (None, 1.5),
                                          (None, -0.1)])
def test_unusable_tolerances_are_refused(tol: object, rel: object) -> None:
    with pytest.raises(ToleranceError, match=r"tol=|rel="):
        Tolerance.of(tol, rel)


def test_tolerance_text_states_the_bound() -> None:
    assert Tolerance.of(100).describe() == " (±100)"
    assert Tolerance.of(rel=0.05).describe() == " (±5%)"
    assert Tolerance.of().describe() == ""


def test_a_stated_tolerance_reads_back_and_tightens() -> None:
    for bound in (Tolerance.of(100), Tolerance.of(rel=0.05), Tolerance.of()):
        assert Tolerance.parse(bound.text()) == bound
    assert Tolerance.parse("100").divided(4).text() == "25"
    assert Tolerance.parse("6%").divided(3).text() == "2%"
    assert bound_limit("5e-8") == 5e-8
    assert bound_limit(" 70% ") == 0.7
