"""Two builds of one project at once, on one cold cache, still produce the site a lone build does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, copy_project, snapshot

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", "SOURCE_DATE_EPOCH": "1764000000"}


def test_two_builds_at_once_on_one_cache_match_a_lone_build(tmp_path: Path) -> None:
    shared = copy_project(tmp_path / "shared", docs_from=FIXTURES / "tiny")
    alone = copy_project(tmp_path / "alone", docs_from=FIXTURES / "tiny")
    builds = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=shared, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [build.communicate(timeout=600) for build in builds]
    for build, (_, stderr) in zip(builds, outputs, strict=True):
        assert build.returncode == 0, stderr
    lone = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=alone, env=ENV,
                          capture_output=True, text=True, timeout=600, check=False)
    assert lone.returncode == 0, lone.stderr
    assert snapshot(shared / "site") == snapshot(alone / "site")
    assert snapshot(shared / "docs" / "assets" / "lab") == snapshot(alone / "docs" / "assets" / "lab")
    leftovers = [p.name for p in [*shared.glob(".site.*"), *(shared / "docs").rglob("*.partial")]]
    assert leftovers == []

    # The cache both wrote is sound: a third build from it reads every experiment and still matches.
    shutil.rmtree(shared / "docs" / "assets" / "lab")
    third = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=shared, env=ENV,
                           capture_output=True, text=True, timeout=600, check=False)
    assert third.returncode == 0, third.stderr
    assert snapshot(shared / "docs" / "assets" / "lab") == snapshot(alone / "docs" / "assets" / "lab")
