"""The project's files as the build names them, finds them and hashes them.

Nothing here imports another module of the project: ``macros/__init__.py`` needs it before it knows
whether the lab and these macros can be loaded at all.
"""

from __future__ import annotations

import errno
import hashlib
import os
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project: the folder holding lab/ and macros/."""

# Where the build keeps what it makes, relative to the project (the first three) or to the docs folder.
CACHE_DIR = ".cache/lab"
"""Each experiment's result, by the hash of its sources (lab/runner/cache.py)."""
TEMPLATE_CACHE_DIR = ".cache/render"
"""Compiled page templates and rendered pages (macros/check/page_cache.py)."""
BUILT_NUMBERS_CACHE = ".cache/built-numbers.json"
"""The numbers of each built page by the page's SHA-256 (macros/check/built_scan.py)."""
LAB_ASSETS = "assets/lab"
"""The lab's CSV files and figures, in the docs folder and the site."""
CARDS = "assets/cards"
"""The share cards, in the docs folder and the site."""


def project_path(path: Path, root: Path) -> str:
    """``path`` relative to the project, as messages name it. A link is named as itself, not followed
    (it may lead nowhere, or round in a loop)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return str(path)


def source_fingerprint() -> str:
    """Hash of every Python file in lab/ and macros/ (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("lab/**/*.py"), *ROOT.glob("macros/**/*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def located(error: BaseException) -> str:
    """``file:line: what; what to do`` for an error raised while loading the lab or these macros
    themselves (a syntax error in lab/__init__.py, say), without lab/runner/failures.py, which may
    be the module that failed to load."""
    if isinstance(error, SyntaxError) and error.filename:
        file, line, what = error.filename, error.lineno or 0, f"{type(error).__name__}: {error.msg}"
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).is_relative_to(ROOT)]
        frame = frames[-1] if frames else None
        file, line = (frame.filename, frame.lineno or 0) if frame else ("macros", 0)
        what = "".join(traceback.format_exception_only(error)).strip()
    path = Path(file)
    where = path.relative_to(ROOT).as_posix() if path.is_absolute() and path.is_relative_to(ROOT) else file
    return f"{where}:{line}: {what}; the lab or the build's own code could not be loaded: fix it"


def what_to_do(error: OSError) -> str:
    """The remedy for a file the build could not read or write, by what went wrong."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some space"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "make the folder writable"
    if error.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
        return "a file or a link on the way is missing or loops: fix or remove it"
    if error.errno == errno.ENAMETOOLONG:
        return "shorten the file name"
    return "check the file and the disk"
