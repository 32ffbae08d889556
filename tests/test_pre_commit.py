"""The pre-commit hook: it runs the check on commits that touch the pages, the lab or the checker."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, ROOT, copy_project, edit


def _hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["lab-check"]
    return hooks[0]


def _readme_hook() -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:\n.*?)```", readme, re.S)
    assert block, "the README shows the local configuration"
    return yaml.safe_load(block.group(1))["repos"][0]["hooks"][0]


def test_the_readme_configuration_is_the_published_hook() -> None:
    published, local = _hook(), _readme_hook()
    assert local["entry"] == ".venv/bin/python -m macros check"
    assert {k: v for k, v in local.items() if k != "entry"} == {k: v for k, v in published.items() if k != "entry"}
    assert published["entry"] == "python -m macros check"


def test_the_hook_runs_for_the_pages_the_lab_and_the_checker_only() -> None:
    files = re.compile(_hook()["files"])
    for path in ("docs/en/mse-gradient.md", "docs/_data/site.yml", "lab/mse.py", "macros/check/site.py"):
        assert files.search(path), path
    for path in ("README.md", "tests/test_site.py", "Makefile", "overrides/main.html"):
        assert not files.search(path), path
    assert _hook()["pass_filenames"] is False  # the check reads the whole site, whichever file changed


def test_the_hook_command_refuses_a_stale_number_and_passes_a_clean_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    command = shlex.split(_hook()["entry"])
    assert command[:1] == ["python"]
    run = [sys.executable, *command[1:]]
    assert subprocess.run(run, cwd=project, capture_output=True, text=True, check=False).returncode == 0
    edit(project / "docs" / "en" / "index.md", '"0.801"', '"0.802"')
    stale = subprocess.run(run, cwd=project, capture_output=True, text=True, check=False)
    assert stale.returncode == 1
    assert "docs/en/index.md:8: written 0.802, lab 0.801 (mse.loss)" in stale.stderr
