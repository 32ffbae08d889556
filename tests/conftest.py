"""Shared helpers: copy the project (or a fixture site) to a scratch folder and build it there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.project import copy_project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file at ``path`` with ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def chinese_share(markdown: str) -> float:
    """Han characters among the letters of ``markdown``'s prose (code left out): 0 for English."""
    prose = re.sub(r"`[^`\n]*`", " ", re.sub(r"```.*?```", " ", markdown, flags=re.S))
    han = len(re.findall(r"[\u4e00-\u9fff]", prose))
    return han / max(1, han + len(re.findall(r"[A-Za-z]", prose)))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, keyed by its path relative to the folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mkdocs(project: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None,
           fault: str | None = None) -> subprocess.CompletedProcess[str]:
    """``mkdocs args`` in ``project``; with ``fault``, under that fault of the machine (tests/faults.py)."""
    # Hermetic: the site's address comes from mkdocs.yml unless a test names one (macros/plugin/site_url.py).
    inherited = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "GITHUB_REPOSITORY")}
    env = {**inherited, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    command = [str(Path(__file__).parent / "faults.py"), fault] if fault else ["-m", "mkdocs"]
    return subprocess.run([sys.executable, *command, *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with --strict in a scratch copy of the project."""
    project = copy_project(tmp_path_factory.mktemp("site"))
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return project / "site"
