"""The stamp beside the lab's written outputs: which lab sources produced them, and their hashes.

A build whose lab sources, NumPy and Matplotlib are unchanged and whose outputs still hash as
stamped needs neither to run the lab nor to rewrite a file. This module imports neither NumPy nor
the lab's experiments, so a warm build can decide that without paying for those imports.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path

from lab.runner.machine import signature

STAMP = ".stamp"
_LAB = Path(__file__).resolve().parent.parent


def version_file(package: str) -> bytes:
    """The file that carries a package's version string, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return b"missing"
    folder = Path(spec.origin).parent
    for name in ("version.py", "_version.py"):
        if (folder / name).is_file():
            return (folder / name).read_bytes()
    return b"unknown"


def fingerprint() -> str:
    """Hash of every lab source, the lab READMEs, the installed NumPy and Matplotlib versions and the
    machine's arithmetic signature (lab/runner/machine.py)."""
    digest = hashlib.sha256(signature().encode())
    data = [path for path in _LAB.rglob("*") if path.is_file() and "__pycache__" not in path.parts
            and path.suffix not in (".py", ".pyc", ".md")]  # data files lab code may read
    for path in sorted([*_LAB.glob("**/*.py"), *_LAB.glob("README*.md"), *data]):
        digest.update(path.relative_to(_LAB).as_posix().encode() + b"\0" + path.read_bytes())
    for package in ("numpy", "matplotlib"):
        digest.update(package.encode() + b"\0" + version_file(package))
    return digest.hexdigest()


def figure_files(name: str) -> tuple[str, str]:
    """A figure's two files under the outputs folder: for the light page, and its dark twin."""
    return f"figures/{name}.svg", f"figures/{name}.dark.svg"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically when the content differs; return whether the file changed.

    Leaving unchanged files alone matters under ``mkdocs serve``: a rewrite would look like an
    edit and trigger another rebuild.
    """
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two builds writing the same file at once must not share a partial file.
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(partial, 0o644)  # mkstemp makes it private; the site serves these files
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return True


def _present(out: Path) -> list[str]:
    """The files under ``out`` (relative names, sorted), without the stamp and unfinished writes."""
    return sorted(path.relative_to(out).as_posix() for path in out.rglob("*")
                  if path.is_file() and path.name != STAMP and not path.name.endswith(".partial"))


def write_stamp(out: Path, key: str, experiments: list[str], figures: dict[str, dict] | None = None) -> None:
    """Record ``key``, the experiment names, each figure's key and the experiments it read, and
    the hash of every file now under ``out``."""
    files = {name: _sha256(out / name) for name in _present(out)}
    data = json.dumps({"fingerprint": key, "experiments": experiments, "figures": figures or {}, "files": files},
                      indent=1, sort_keys=True)
    write_if_changed(out / STAMP, data.encode())


def current_experiments(out: Path, key: str) -> list[str] | None:
    """The experiment names stamped in ``out`` if its stamp is for ``key`` and every stamped file
    still has its stamped bytes; None when anything differs (missing, edited, foreign, unreadable)."""
    try:
        data = json.loads((out / STAMP).read_text(encoding="utf-8"))
        if data["fingerprint"] != key or not data["files"]:
            return None
        for name, digest in data["files"].items():
            if _sha256(out / name) != digest:
                return None
        if _present(out) != sorted(data["files"]):  # a file no lab code wrote would be published
            return None
        return [str(name) for name in data["experiments"]]
    except Exception:  # no stamp, a stamp from an older format, a file gone: treat as stale
        return None


def stamped_figures(out: Path, current_only: bool = True) -> dict[str, dict]:
    """``{name: {"key": …, "reads": […]}}`` for each stamped figure whose two SVG files still have
    their stamped bytes (with ``current_only=False``: for each stamped figure)."""
    try:
        data = json.loads((out / STAMP).read_text(encoding="utf-8"))
        figures, files = data["figures"], data["files"]
    except Exception:
        return {}
    kept = {}
    for name, entry in figures.items():
        try:
            intact = all(files.get(svg) == _sha256(out / svg) for svg in figure_files(name))
            if isinstance(entry["key"], str) and (not current_only or intact):
                kept[name] = {"key": entry["key"], "reads": [str(r) for r in entry["reads"]]}
        except (OSError, KeyError, TypeError):
            continue
    return kept
