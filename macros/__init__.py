"""The site's macros: mkdocs-macros imports this package (``module_name: macros``) and calls
``define_env`` at every build; the MkDocs glue lives in ``macros/plugin/``.

Under ``mkdocs serve`` the process lives on while the author edits ``lab/`` and ``macros/``, and
Python would keep serving the first imported code. So each build first checks a fingerprint of
those sources and, if it changed, drops the cached modules so they are imported afresh.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

from macros.files import located, source_fingerprint, what_to_do

_loaded: list[str] = []
"""The fingerprint of the lab and macros sources this process imported (empty before the first build)."""


def _refresh_modules() -> None:
    current = source_fingerprint()
    if _loaded and current != _loaded[0]:
        for name in list(sys.modules):
            if name == "lab" or name.startswith(("lab.", "macros.")):
                del sys.modules[name]
    _loaded[:] = [current]


def _adapter() -> Any:
    # import_module, not an attribute of this package: the attribute would outlive a refresh.
    return importlib.import_module("macros.plugin.adapter")


def _abort(message: str) -> BaseException:
    from mkdocs.exceptions import Abort

    logging.getLogger("mkdocs.plugins.dl_math_lab").error(message)
    return Abort("The build stopped: see the error above.")


def define_env(env: Any) -> None:
    _refresh_modules()
    try:
        _adapter().define_env(env)
    except OSError as error:  # a full disk or a folder that cannot be written, while preparing the build
        where = f" ({error.filename})" if error.filename else ""
        raise _abort(f"the build could not read or write a file: {error.strerror or error}{where}; "
                     f"{what_to_do(error)}, then build again. Nothing was published.") from None
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        if type(error).__name__ == "Abort":  # our own, already reported
            raise
        raise _abort(located(error)) from None


def on_pre_page_macros(env: Any) -> None:
    _adapter().on_pre_page_macros(env)


def on_post_page_macros(env: Any) -> None:
    _adapter().on_post_page_macros(env)


def on_post_build(env: Any) -> None:
    _adapter().on_post_build(env)
