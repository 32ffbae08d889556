"""The CI workflows: current, pinned and least-privileged, as actionlint and zizmor judge them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _run(tool: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    program = BIN / tool if (BIN / tool).exists() else shutil.which(tool)
    assert program, f"{tool} is missing: `make test` installs it (the test group of pyproject.toml)"
    return subprocess.run([str(program), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_actionlint_finds_nothing() -> None:
    result = _run("actionlint", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    result = _run("zizmor", "--offline", "--no-progress", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_every_action_is_pinned_by_commit_with_its_version(workflow: Path) -> None:
    uses = re.findall(r"uses:\s*(\S+)(.*)", workflow.read_text(encoding="utf-8"))
    assert uses
    for action, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+\.\d+\.\d+", rest), (action, rest)


def test_the_linters_catch_what_they_are_here_for(tmp_path: Path) -> None:
    """Negative control: an old action pinned by tag, keeping its credentials, is reported by both."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "bad.yml").write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                                    "      - uses: actions/checkout@v4\n", encoding="utf-8")
    assert "deprecated" in _run("actionlint", "bad.yml", cwd=folder).stdout
    flagged = _run("zizmor", "--offline", "--no-progress", str(folder / "bad.yml"))
    assert flagged.returncode != 0
    assert "unpinned-uses" in flagged.stdout + flagged.stderr
    assert "artipacked" in flagged.stdout + flagged.stderr
