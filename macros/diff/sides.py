"""One side of a numbers diff: a commit (or the working tree), checked with its own code.

A commit is exported with ``git archive`` into a temporary folder whose ``.cache`` is the project's,
so both sides reuse the lab cache (its keys hash the lab's sources, never their folder) and a side
whose lab did not change runs no experiment. Each side is checked in its own process, by its own
``python -m macros check --format json``, so the lab and the checker of one side never meet the
other's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from macros.files import LAB_ASSETS


class SideError(Exception):
    """A side that could not be exported or checked; the message says which and what to do."""


@dataclass
class Side:
    """What one side publishes: its lab numbers (the check's JSON claims) and its lab files."""

    label: str
    claims: list[dict[str, Any]]
    problems: int
    files: dict[str, bytes] = field(default_factory=dict)  # path under docs/ -> bytes


def resolve(project: Path, rev: str, role: str) -> str:
    """The full commit id ``rev`` names, or a SideError saying it names none."""
    inside = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=project, capture_output=True, text=True,
                            check=False)
    if inside.returncode != 0:
        raise SideError(f"{project} is not a git repository: the diff compares commits; run it in a clone")
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=project,
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise SideError(f"{role} {rev!r} is not a commit of the repository at {project}: "
                        "name a branch, a tag or a commit id (git log --oneline lists them)")
    return found.stdout.strip()


def export(project: Path, commit: str, dest: Path) -> Path:
    """The files of ``commit`` in ``dest``, with the project's ``.cache`` linked in and its lab files copied."""
    dest.mkdir(parents=True)
    archive = dest.parent / f"{dest.name}.tar"
    with archive.open("wb") as out:
        made = subprocess.run(["git", "archive", "--format=tar", commit], cwd=project, stdout=out,
                              stderr=subprocess.PIPE, check=False)
    if made.returncode != 0:
        raise SideError(f"git archive {commit[:12]} failed: {made.stderr.decode(errors='replace').strip()}")
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
    except tarfile.FilterError as error:  # a link to an absolute path or out of the repository
        raise SideError(f"{commit[:12]}: {error.tarinfo.name} is a link that leads out of the repository "
                        f"({error}); the diff does not export it: remove the link or make it a file") from None
    finally:
        archive.unlink()
    cache, linked = project / ".cache", dest / ".cache"
    cache.mkdir(exist_ok=True)
    if linked.is_symlink() or linked.is_file():  # a cache committed by mistake is never the one used
        linked.unlink()
    elif linked.exists():
        shutil.rmtree(linked)
    linked.symlink_to(cache.resolve(), target_is_directory=True)
    # The working tree's lab files, as a checkout of the commit would find them: the check keeps each
    # figure whose stamped key still holds for this commit's sources and redraws the others.
    drawn = project / "docs" / LAB_ASSETS
    if drawn.is_dir() and not (dest / "docs" / LAB_ASSETS).exists():
        shutil.copytree(drawn, dest / "docs" / LAB_ASSETS, symlinks=True,
                        ignore=shutil.ignore_patterns("*.partial"))
    return dest


def check(root: Path, label: str) -> Side:
    """Check the side in ``root`` with its own checker, and read the lab files the check wrote."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    ran = subprocess.run([sys.executable, "-m", "macros", "check", "--format", "json"], cwd=root, env=env,
                         capture_output=True, text=True, check=False)
    try:  # a checker older than the one that keeps lab output off stdout: the report is the last JSON object
        data = json.loads(ran.stdout[max(ran.stdout.rfind('{\n  "claims"'), 0):])
        claims, problems = list(data["claims"]), int(data["problems"])
    except (ValueError, KeyError, TypeError):
        said = (ran.stderr.strip() or ran.stdout.strip() or f"exit status {ran.returncode}").splitlines()
        raise SideError(f"{label}: its check gave no report ({' / '.join(said[-3:])}); run python -m macros "
                        "check on that side and fix what it says") from None
    assets = root / "docs" / LAB_ASSETS
    files = {path.relative_to(root / "docs").as_posix(): path.read_bytes() for path in sorted(assets.rglob("*"))
             if path.is_file() and not path.name.startswith(".")} if assets.is_dir() else {}
    return Side(label, claims, problems, files)


def both(project: Path, base: str, head: str | None) -> tuple[Side, Side]:
    """Check ``base`` and ``head`` (None: the working tree, checked where it is), at the same time."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    base_commit = resolve(project, base, "BASE")
    head_commit = resolve(project, head, "HEAD") if head is not None else None
    with tempfile.TemporaryDirectory(prefix="numbers-diff-") as scratch:
        base_root = export(project, base_commit, Path(scratch) / "base")
        head_root = export(project, head_commit, Path(scratch) / "head") if head_commit else project
        with ThreadPoolExecutor(2) as pool:
            old = pool.submit(check, base_root, _label(base, base_commit))
            new = pool.submit(check, head_root, _label(head, head_commit) if head and head_commit else "working tree")
            return old.result(), new.result()


def _label(rev: str, commit: str) -> str:
    return commit[:12] if commit.startswith(rev) else f"{rev} ({commit[:12]})"
