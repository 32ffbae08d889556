"""The downloads: the lab bundle reruns on its own and reproduces the CSV files byte for byte."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from lab.registry import run_all
from lab.runner.bundle import figure_set, lab_bundle
from lab.runner.outputs import write_outputs
from tests.conftest import chinese_share


def test_bundle_reruns_and_reproduces_its_outputs(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    write_outputs(outputs, run_all())
    bundle = lab_bundle(outputs)
    assert bundle == lab_bundle(outputs)  # identical bytes from build to build
    (tmp_path / "bundle.zip").write_bytes(bundle)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        archive.extractall(unpacked)
    root = unpacked / "dl-math-lab"
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert {"README.md", "README.zh.md", "requirements.txt", "lab/registry.py",
            "expected/gradient-check-results.csv"} <= names
    for readme in ("README.md", "README.zh.md"):
        assert "python -m lab --out output --compare expected" in (root / readme).read_text(encoding="utf-8")
    assert chinese_share((root / "README.md").read_text(encoding="utf-8")) == 0
    assert chinese_share((root / "README.zh.md").read_text(encoding="utf-8")) > 0.5
    # Run it the way the README says; cwd is the unpacked bundle, so its own lab package is imported.
    result = subprocess.run([sys.executable, "-m", "lab", "--out", "output", "--compare", "expected"],
                            cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("identical")
    for csv in (root / "expected").glob("*.csv"):
        assert (root / "output" / csv.name).read_bytes() == csv.read_bytes()


def test_compare_fails_when_an_output_differs(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    write_outputs(outputs, run_all())
    (tmp_path / "bundle.zip").write_bytes(lab_bundle(outputs))
    with zipfile.ZipFile(tmp_path / "bundle.zip") as archive:
        archive.extractall(tmp_path)
    root = tmp_path / "dl-math-lab"
    expected = root / "expected" / "gradient-check-results.csv"
    expected.write_text(expected.read_text().replace("0.300000", "0.300001", 1))
    result = subprocess.run([sys.executable, "-m", "lab", "--out", "output", "--compare", "expected"],
                            cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "differs: gradient-check-results.csv" in result.stdout


def test_figure_set_holds_every_figure(tmp_path: Path) -> None:
    write_outputs(tmp_path, run_all())
    (tmp_path / "set.zip").write_bytes(figure_set(tmp_path))
    with zipfile.ZipFile(tmp_path / "set.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"figures/{p.name}" for p in (tmp_path / "figures").glob("*.svg"))
