"""A warm build skips the lab only when that cannot change the site.

The stamp beside the lab's written files (lab/runner/stamp.py) lets a build with unchanged lab sources
skip running experiments, drawing figures and even importing NumPy. These tests hold it to
producing the same site as a cold build, still catching stale numbers, and redoing the lab work
whenever a lab source or a generated file changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.runner.stamp import STAMP, current_experiments, fingerprint, write_stamp
from tests.conftest import FIXTURES, copy_project, snapshot

# Builds in-process, then reports which heavy modules the build imported.
# With "spy", it also reports which figures the build drew.
PROBE = """
import json, sys
drawn = []
if sys.argv[1:] == ["spy"]:
    import lab.runner.outputs
    original = lab.runner.outputs.write_outputs
    def spy(out, results=None, figures=None):
        written = original(out, results, figures)
        drawn.extend(written)
        return written
    lab.runner.outputs.write_outputs = spy
from mkdocs.__main__ import cli
try:
    cli(["build", "-q"])
except SystemExit as stop:
    code = stop.code
print("LOADED", json.dumps(sorted(m for m in ("numpy", "matplotlib", "lab.registry") if m in sys.modules)))
print("DRAWN", json.dumps(sorted(drawn)))
sys.exit(code)
"""


def build(project: Path, *args: str) -> tuple[int, list[str], str]:
    code, loaded, _, stderr = probe(project, *args)
    return code, loaded, stderr


def probe(project: Path, *args: str) -> tuple[int, list[str], list[str], str]:
    """Build in ``project``: exit code, heavy modules imported, figures drawn, and stderr."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "SOURCE_DATE_EPOCH": "1764000000"}
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=project, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    reports = {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1]) for line in result.stdout.splitlines()
               if line.startswith(("LOADED ", "DRAWN "))}
    assert "LOADED" in reports, result.stderr[-3000:]
    return result.returncode, reports["LOADED"], reports["DRAWN"], result.stderr


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny fixture site after one cold build."""
    project = copy_project(tmp_path_factory.mktemp("warm"), docs_from=FIXTURES / "tiny")
    code, loaded, stderr = build(project)
    assert code == 0, stderr
    assert "lab.registry" in loaded  # the cold build ran the lab
    return project


def test_a_warm_build_imports_no_lab_and_writes_the_same_site(tiny: Path) -> None:
    cold = snapshot(tiny / "site")
    code, loaded, stderr = build(tiny)
    assert code == 0, stderr
    assert loaded == []
    assert snapshot(tiny / "site") == cold


def test_a_prose_edit_is_rendered_and_its_numbers_still_checked(tiny: Path) -> None:
    page = tiny / "docs" / "en" / "index.md"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original + "\nA new sentence for the warm build.\n", encoding="utf-8")
        entries = {entry: entry.stat().st_mtime_ns for entry in (tiny / ".cache" / "lab").glob("*.npz")}
        code, loaded, stderr = build(tiny)
        assert code == 0, stderr
        assert "A new sentence for the warm build." in (tiny / "site" / "index.html").read_text(encoding="utf-8")
        assert loaded == []  # the page was rendered in a worker process: the build itself stays light
        assert entries  # and the results it needed came from the cache: no entry was written again
        assert {entry: entry.stat().st_mtime_ns for entry in (tiny / ".cache" / "lab").glob("*.npz")} == entries

        # A stale number added in that warm build is still caught, at its line.
        stale = 'Loss: {{ check("mse.loss", "9.999") }}'
        page.write_text(original + "\n" + stale + "\n", encoding="utf-8")
        code, _, stderr = build(tiny)
        line = len(original.splitlines()) + 2
        assert code != 0
        assert f"docs/en/index.md:{line}:" in stderr
        assert "9.999" in stderr
    finally:
        page.write_text(original, encoding="utf-8")


def test_an_edited_generated_file_is_written_again(tiny: Path) -> None:
    csv = tiny / "docs" / "assets" / "lab" / "gradient-check-results.csv"
    good = csv.read_bytes()
    csv.write_bytes(good.replace(b"0.", b"9.", 1))
    code, loaded, stderr = build(tiny)
    assert code == 0, stderr
    assert csv.read_bytes() == good
    assert "lab.registry" in loaded


def test_retired_and_planted_outputs_are_removed_before_anything_is_published(tiny: Path) -> None:
    """A table or figure the lab no longer makes (renamed, deleted) or that no lab code wrote is
    removed: neither the site nor the figure set nor the bundle's expected outputs carry it."""
    import io
    import zipfile

    lab = tiny / "docs" / "assets" / "lab"
    (lab / "gradient-check-old-name.csv").write_text("parameter,entry\nW,W00\n", encoding="utf-8")
    (lab / "figures" / "retired.svg").write_text("<svg/>", encoding="utf-8")
    code, _, stderr = build(tiny)
    assert code == 0, stderr
    assert not (lab / "gradient-check-old-name.csv").exists()
    assert not (lab / "figures" / "retired.svg").exists()
    assert not list((tiny / "site").rglob("gradient-check-old-name.csv"))
    for archive in ("dl-math-lab.zip", "figures.zip"):
        names = zipfile.ZipFile(io.BytesIO((lab / archive).read_bytes())).namelist()
        assert not [n for n in names if "old-name" in n or "retired" in n], archive


def test_a_lab_source_edit_runs_the_lab_again(tiny: Path) -> None:
    source = tiny / "lab" / "mse.py"
    original = source.read_text(encoding="utf-8")
    before = json.loads((tiny / "docs" / "assets" / "lab" / STAMP).read_text(encoding="utf-8"))["fingerprint"]
    try:
        source.write_text(original + "\n# an edit\n", encoding="utf-8")
        code, loaded, stderr = build(tiny)
        assert code == 0, stderr
        assert "lab.registry" in loaded
        stamp = json.loads((tiny / "docs" / "assets" / "lab" / STAMP).read_text(encoding="utf-8"))
        assert stamp["fingerprint"] != before
    finally:
        source.write_text(original, encoding="utf-8")


def test_the_stamp_rejects_every_kind_of_mismatch(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "figures" / "f.svg").write_text("<svg/>")
    write_stamp(tmp_path, "key-1", ["mse"])
    assert current_experiments(tmp_path, "key-1") == ["mse"]
    assert current_experiments(tmp_path, "key-2") is None  # other sources or versions

    (tmp_path / "a.csv").write_text("x\n2\n")
    assert current_experiments(tmp_path, "key-1") is None  # an edited file
    write_stamp(tmp_path, "key-1", ["mse"])
    (tmp_path / "figures" / "f.svg").unlink()
    assert current_experiments(tmp_path, "key-1") is None  # a deleted file

    write_stamp(tmp_path, "key-1", ["mse"])
    (tmp_path / "figures" / "planted.svg").write_text("<svg/>")
    assert current_experiments(tmp_path, "key-1") is None  # a file no lab code wrote
    (tmp_path / "figures" / "planted.svg").unlink()

    write_stamp(tmp_path, "key-1", ["mse"])
    (tmp_path / STAMP).write_text((tmp_path / STAMP).read_text()[:-20])
    assert current_experiments(tmp_path, "key-1") is None  # a truncated stamp
    assert current_experiments(tmp_path / "nowhere", "key-1") is None


def test_the_fingerprint_follows_lab_sources_and_library_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    import lab.runner.stamp

    before = fingerprint()
    original = lab.runner.stamp.version_file
    monkeypatch.setattr(lab.runner.stamp, "version_file",
                        lambda package: b"9.9.9" if package == "numpy" else original(package))
    assert fingerprint() != before


def test_a_lab_edit_redraws_only_the_figures_that_read_that_experiment(tiny: Path) -> None:
    from lab.figures import FIGURES

    assert build(tiny)[0] == 0  # in step with the sources the other tests left behind
    source = tiny / "lab" / "optim.py"
    original = source.read_text(encoding="utf-8")
    try:
        source.write_text(original + "\n# an edit to the optimizer experiment\n", encoding="utf-8")
        code, _, drawn, stderr = probe(tiny, "spy")
        assert code == 0, stderr
        assert drawn == sorted(name for name in FIGURES if name.startswith("optim-"))

        plotting = tiny / "lab" / "plotting.py"  # every figure module imports it
        shared = plotting.read_text(encoding="utf-8")
        plotting.write_text(shared + "\n# an edit to the shared drawing code\n", encoding="utf-8")
        code, _, drawn, stderr = probe(tiny, "spy")
        plotting.write_text(shared, encoding="utf-8")
        assert code == 0, stderr
        assert drawn == sorted(FIGURES)
    finally:
        source.write_text(original, encoding="utf-8")


def test_going_back_to_earlier_sources_copies_figures_instead_of_drawing(tiny: Path) -> None:
    from lab.figures import FIGURES

    optim_figures = sorted(name for name in FIGURES if name.startswith("optim-"))
    figures = tiny / "docs" / "assets" / "lab" / "figures"
    assert build(tiny)[0] == 0
    before = snapshot(figures)
    source = tiny / "lab" / "optim.py"
    original = source.read_text(encoding="utf-8")
    edited = original.replace("LR_GD = 0.18", "LR_GD = 0.17")
    assert edited != original
    try:
        source.write_text(edited, encoding="utf-8")
        assert probe(tiny, "spy")[2] == optim_figures  # new sources: drawn
        after_edit = snapshot(figures)
        assert after_edit != before

        source.write_text(original, encoding="utf-8")  # back, as after switching branches
        code, _, drawn, stderr = probe(tiny, "spy")
        assert code == 0, stderr
        assert drawn == []  # copied from the store
        assert snapshot(figures) == before

        # A damaged store entry is never used: the figure is drawn again, correctly.
        for entry in (tiny / ".cache" / "lab" / "figures").glob("optim-*.svg"):
            entry.write_bytes(entry.read_bytes()[:-40])
        source.write_text(edited, encoding="utf-8")
        assert probe(tiny, "spy")[2] == optim_figures
        assert snapshot(figures) == after_edit
    finally:
        source.write_text(original, encoding="utf-8")
