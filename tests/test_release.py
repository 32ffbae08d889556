"""Release plumbing: the GitHub Actions workflow and byte-identical builds of one commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, copy_project


def test_workflow_checks_annotates_builds_uploads_and_deploys() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    check, deploy = workflow["jobs"]["check"], workflow["jobs"]["deploy"]
    runs = [step.get("run", "") for step in check["steps"]]
    uses = [step.get("uses", "") for step in check["steps"]]
    assert any("python -m macros check --format github" in run for run in runs)
    assert "make test" in runs
    assert "make site" in runs
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert deploy["needs"] == "check"
    assert "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    makefile = (ROOT / "Makefile").read_text()
    assert "SOURCE_DATE_EPOCH" in makefile


def test_pull_requests_that_touch_the_lab_or_the_pages_run_the_portability_check() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "portability.yml").read_text())
    assert workflow[True]["pull_request"]["paths"] == ["lab/**", "docs/**"]
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("python -m macros check --portable --format github" in run for run in runs)
    assert "OPENBLAS_CORETYPE" not in (ROOT / ".github" / "workflows" / "portability.yml").read_text().split("\n", 4)[4]


def build(project: Path) -> dict[str, bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000", "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_two_builds_of_one_commit_are_byte_identical_and_hold_no_local_paths(tmp_path: Path) -> None:
    first = build(copy_project(tmp_path / "one"))
    second = build(copy_project(tmp_path / "elsewhere"))
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    leaks = [name for name, data in first.items() if str(tmp_path).encode() in data]
    assert leaks == []
