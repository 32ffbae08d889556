"""Comparing a rerun of the lab with the published outputs: digit for digit, except where a
column or a figure states how far it may differ between machines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lab.figures import FIGURES, MACHINE_DEPENDENT
from lab.registry import run_all
from lab.runner.compare import AGREES, DIFFERS, IDENTICAL, VARIES, cell_agrees, compare_file, compare_rows, divided
from lab.runner.outputs import write_outputs
from lab.runner.perturb import run_variants, variants
from lab.tables import TABLES, TOLERANCES
from tests.conftest import ROOT


@pytest.mark.parametrize(("expected", "produced", "tolerance", "ok"), [
    ("0.300000", "0.300000", None, True),
    ("0.300000", "0.300001", None, False),      # no stated tolerance: digit for digit
    ("0.243077", "0.243074", "±2e-5", True),
    ("0.243077", "0.243107", "±2e-5", False),
    ("2.3e-11", "5.2e-11", "<5e-8", True),      # rounding noise: both below the bound
    ("2.3e-11", "6.0e-8", "<5e-8", False),
    ("100.0", "100.4", "±0.5%", True),
    ("100.0", "100.6", "±0.5%", False),
    ("abc", "abd", "±1", False),                 # text is always compared as text
    ("nan", "nan", None, True),
    ("1.0", "nan", "±1", False),
])
def test_cell_rule(expected: str, produced: str, tolerance: str | None, ok: bool) -> None:
    assert cell_agrees(expected, produced, tolerance) is ok


def test_rows_report_each_cell_that_disagrees_with_its_place() -> None:
    expected = [["step", "loss"], ["1", "0.5000"], ["2", "0.2500"]]
    assert compare_rows(expected, [["step", "loss"], ["1", "0.5000"], ["2", "0.2501"]]) == \
        (["row 3, column loss: expected 0.2500, got 0.2501"], 0)
    assert compare_rows(expected, [["step", "loss"], ["1", "0.5000"], ["2", "0.2501"]], {"loss": "±1e-3"}) == ([], 1)
    assert compare_rows(expected, expected[:2])[0]  # a missing row


def test_figures_compare_as_drawings() -> None:
    svg = b'<svg><clipPath id="p0123456789"/><path d="M 1.5 2" clip-path="url(#p0123456789)"/></svg>'
    renamed = svg.replace(b"p0123456789", b"pabcdefabcd")
    moved = svg.replace(b"1.5", b"1.7")  # two units of the last written digit
    assert compare_file("figures/x.svg", svg, svg).verdict == IDENTICAL
    assert compare_file("figures/x.svg", svg, renamed).verdict == AGREES
    assert compare_file("figures/x.svg", svg, moved).verdict == DIFFERS
    chaotic = next(iter(MACHINE_DEPENDENT))
    assert compare_file(f"figures/{chaotic}.svg", svg, moved).verdict == VARIES
    assert compare_file("gradient-check-results.csv", b"a\n1\n", None).verdict == DIFFERS


def test_declarations_name_real_tables_columns_and_figures() -> None:
    for table, columns in TOLERANCES.items():
        assert table in TABLES
        header = TABLES[table](run_all())[0]
        for column, tolerance in columns.items():
            assert column in header, (table, column)
            assert re.fullmatch(r"(<|±)\d+(\.\d+)?(e-?\d+)?%?", tolerance), tolerance
    assert set(MACHINE_DEPENDENT) <= set(FIGURES)


@pytest.mark.parametrize("readme", ["README.md", "README.zh.md"])
def test_the_bundle_readme_states_every_tolerance_in_each_language(readme: str) -> None:
    text = (ROOT / "lab" / readme).read_text(encoding="utf-8")
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("| `")]
    for table, columns in TOLERANCES.items():
        for column, tolerance in columns.items():
            bound = tolerance.lstrip("<±")
            assert any(f"`{table}`" in row and f"`{column}`" in row and bound in row for row in rows), \
                (table, column, tolerance)
    for row in rows:  # and no row the lab does not state (a stale one)
        table, columns, bound = (cell.strip() for cell in row.strip("|").split("|"))
        for column in re.findall(r"`([^`]+)`", columns):
            stated = TOLERANCES.get(table.strip("`"), {}).get(column, "").lstrip("<±")
            assert stated in re.findall(r"\d[\d.e-]*", bound), row
    for figure in MACHINE_DEPENDENT:
        assert f"`{figure}.svg`" in text


def test_a_rerun_with_other_rounding_agrees_at_the_published_precision(tmp_path: Path) -> None:
    """Stands in for another CPU: the published outputs come from a run whose random draws were
    nudged in their last bits; the rerun here must agree, and a real change must still be caught."""
    nudge = next(v for v in variants() if v.name == "nudge-1")
    [other] = run_variants([nudge])
    assert other.failures == {}
    expected = tmp_path / "expected"
    write_outputs(expected, other.results)

    def rerun() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "lab", "--out", str(tmp_path / "output"), "--compare",
                               str(expected)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)

    result = rerun()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "agrees at the published precision" in result.stdout.splitlines()[-1]
    assert "differs" not in result.stdout
    training = expected / "spiral-training.csv"
    lines = training.read_text().splitlines()
    last = lines[-1].split(",")
    last[3] = f"{float(last[3]) + 1e-4:.6f}"  # the final loss, moved beyond its stated ±2e-5
    training.write_text("\n".join([*lines[:-1], ",".join(last)]) + "\n")
    result = rerun()
    assert result.returncode == 1
    assert "differs: spiral-training.csv: row 15, column net_loss" in result.stdout


def test_outputs_missing_from_the_expected_folder_are_differences(tmp_path: Path) -> None:
    expected = tmp_path / "expected"
    expected.mkdir()
    result = subprocess.run([sys.executable, "-m", "lab", "--out", str(tmp_path / "output"), "--compare",
                             str(expected)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 1
    assert "differs: gradient-check-results.csv: written by the lab, but not in the expected outputs" in result.stdout
    assert "identical" not in result.stdout


def test_a_machine_dependent_figure_must_still_be_the_same_figure() -> None:
    chaotic = next(iter(MACHINE_DEPENDENT))
    svg = b'<svg><path d="M 1 2 L 3 4"/><text>x</text></svg>'
    lines_moved = b'<svg><path d="M 1.5 2 L 3 4 L 5 6"/><text>x</text></svg>'
    assert compare_file(f"figures/{chaotic}.svg", svg, lines_moved).verdict == VARIES
    assert compare_file(f"figures/{chaotic}.svg", svg, b"garbage").verdict == DIFFERS
    assert compare_file(f"figures/{chaotic}.svg", svg, b'<svg><path d="M 1 2"/><text>y</text></svg>').verdict == DIFFERS
    assert compare_file("table.csv", b"a\n1\n", b"\xff\xfe").verdict == DIFFERS


def test_a_column_tolerance_tightens_in_its_own_notation() -> None:
    assert divided("<5e-8", 2) == "<2.5e-8"
    assert divided("±2e-5", 4) == "±0.000005"
    assert divided("±0.3%", 3) == "±0.1%"
