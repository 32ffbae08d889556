"""Glue between the pages and the lab. mkdocs-macros imports this package once per process and
calls ``define_env`` at every build; everything else lives in submodules.

Under ``mkdocs serve`` the process lives on while the author edits ``lab/`` and ``macros/``, and
Python would keep serving the first imported code. So each build first checks a fingerprint of
those sources and, if it changed, drops the cached modules so they are imported afresh.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
_fingerprint: str | None = None


def source_fingerprint() -> str:
    """Hash of every Python file in lab/ and macros/ (paths and contents)."""
    digest = hashlib.sha256()
    for path in sorted([*_ROOT.glob("lab/**/*.py"), *_ROOT.glob("macros/**/*.py")]):
        digest.update(path.relative_to(_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _refresh_modules() -> None:
    global _fingerprint
    current = source_fingerprint()
    if _fingerprint is not None and current != _fingerprint:
        for name in list(sys.modules):
            if name == "lab" or name.startswith(("lab.", "macros.")):
                del sys.modules[name]
    _fingerprint = current


def _adapter() -> Any:
    # import_module, not `from macros import adapter`: the package attribute would outlive a refresh.
    return importlib.import_module("macros.adapter")


def define_env(env: Any) -> None:
    _refresh_modules()
    try:
        _adapter().define_env(env)
    except OSError as error:  # a full disk or a folder that cannot be written, while preparing the build
        import logging

        from mkdocs.exceptions import Abort

        from macros.site_swap import what_to_do

        where = f" ({error.filename})" if error.filename else ""
        logging.getLogger("mkdocs.plugins.dl_math_lab").error(
            f"the build could not read or write a file: {error.strerror or error}{where}; {what_to_do(error)}, "
            "then build again. Nothing was published.")
        raise Abort("The build stopped: see the error above.") from None
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        if type(error).__name__ == "Abort":  # our own, already reported
            raise
        import logging

        from mkdocs.exceptions import Abort

        logging.getLogger("mkdocs.plugins.dl_math_lab").error(located(error))
        raise Abort("The build stopped: see the error above.") from None


def located(error: BaseException) -> str:
    """``file:line: what; what to do`` for an error raised while loading the lab or these macros
    themselves (a syntax error in lab/__init__.py, say), without lab/runner/failures.py, which may be the
    module that failed to load."""
    import traceback

    if isinstance(error, SyntaxError) and error.filename:
        file, line, what = error.filename, error.lineno or 0, f"{type(error).__name__}: {error.msg}"
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).is_relative_to(_ROOT)]
        frame = frames[-1] if frames else None
        file, line = (frame.filename, frame.lineno or 0) if frame else ("macros", 0)
        what = "".join(traceback.format_exception_only(error)).strip()
    path = Path(file)
    shown = path.relative_to(_ROOT).as_posix() if path.is_absolute() and path.is_relative_to(_ROOT) else file
    return f"{shown}:{line}: {what}; the lab or the build's own code could not be loaded: fix it"


def on_pre_page_macros(env: Any) -> None:
    _adapter().on_pre_page_macros(env)


def on_post_page_macros(env: Any) -> None:
    _adapter().on_post_page_macros(env)


def on_post_build(env: Any) -> None:
    _adapter().on_post_build(env)
