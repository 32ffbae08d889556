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

        where = f" ({error.filename})" if error.filename else ""
        logging.getLogger("mkdocs.plugins.dl_math_lab").error(
            f"the build could not write a file: {error.strerror or error}{where}; free some space or make the "
            "folder writable, then build again. Nothing was published.")
        raise Abort("The build stopped: see the error above.") from None


def on_pre_page_macros(env: Any) -> None:
    _adapter().on_pre_page_macros(env)


def on_post_page_macros(env: Any) -> None:
    _adapter().on_post_page_macros(env)


def on_post_build(env: Any) -> None:
    _adapter().on_post_build(env)
