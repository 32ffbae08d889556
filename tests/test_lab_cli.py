"""`python -m lab --out DIR` works without MkDocs and writes identical bytes every time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def run_lab(out: Path) -> None:
    code = "import sys, runpy; sys.modules['mkdocs'] = None; runpy.run_module('lab', run_name='__main__')"
    subprocess.run([sys.executable, "-c", code, "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)


def test_lab_runs_without_mkdocs_and_is_byte_identical(tmp_path: Path) -> None:
    run_lab(tmp_path / "a")
    run_lab(tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert Path("gradient-check-results.csv") in files
    assert Path("figures/mse-outer-product.svg") in files
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    rows = (tmp_path / "a" / "gradient-check-results.csv").read_text().splitlines()
    assert rows[1].startswith("W,W00,0.300000,0.300000,")
    assert rows[5].startswith("W,W11,-2.500000,-2.500000,")
    assert len(rows) == 1 + 6 + 2


def test_lab_package_never_imports_mkdocs() -> None:
    for path in (ROOT / "lab").rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+mkdocs", path.read_text(), re.M), path


def test_an_experiment_that_raises_is_one_located_line(tmp_path: Path) -> None:
    """The bundle's reader runs `python -m lab`; a failing experiment is named at its line, not a traceback."""
    shutil.copytree(ROOT / "lab", tmp_path / "lab", ignore=shutil.ignore_patterns("__pycache__"))
    mse = tmp_path / "lab" / "mse.py"
    lines = mse.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "e, loss = forward(" in line)
    lines.insert(at, "    raise ValueError('planted')")
    mse.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "lab", "--out", "out"], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"lab/mse.py:{at + 1}: ValueError: planted;"), result.stderr
