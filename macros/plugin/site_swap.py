"""MkDocs hook (``hooks:`` in mkdocs.yml): build into a temporary folder, swap it in at the end.

A build that fails part-way, whether our check stops it, a template raises or ``--strict`` aborts
on a warning, leaves the previous ``site/`` exactly as it was, and no half-built folder behind.

MkDocs has no event after its strict-mode check, so this hook counts warnings itself (the way
``mkdocs build`` does) and, in strict mode, refuses to swap a build that logged any. With
mkdocs-static-i18n every other language is built inside the first language's ``on_post_build``,
so the swap waits for the outermost build to finish. ``mkdocs serve`` and ``--dirty`` builds are
left alone: the first builds into its own temporary folder, the second must reuse the old files.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.utils import CountHandler

_PROJECT = str(Path(__file__).resolve().parents[2])
if _PROJECT not in sys.path:  # MkDocs loads a hook by its path, before mkdocs-macros puts the project there
    sys.path.insert(0, _PROJECT)

from macros.files import what_to_do  # noqa: E402

log = logging.getLogger("mkdocs.hooks.site_swap")


@dataclass
class Swap:
    """The outermost build under way: where the site goes, where it is built, its warnings, and how
    many (language) builds are nested in it."""

    final: Path
    partial: Path
    counter: CountHandler
    depth: int = 1
    not_found: str | None = None  # the default language's 404 page, which the other languages overwrite


_swap: list[Swap] = []
"""The build under way, if any: MkDocs calls the hooks below one by one."""
PARTIAL = ".building-"
"""Marks a sibling folder of the site as a build in progress: ``.<site name>.building-<pid>``."""


def _active() -> bool:
    args = sys.argv[1:]
    return not (args and args[0] == "serve") and "--dirty" not in args


def _remove_abandoned(final: Path) -> None:
    """Folders left by builds that were killed: their process is gone."""
    for folder in final.parent.glob(f".{final.name}{PARTIAL}*"):
        pid = folder.name[len(f".{final.name}{PARTIAL}"):].split("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@event_priority(100)  # before any plugin reads site_dir
def on_config(config: Any) -> None:
    if not _active():
        return
    if _swap:  # a nested build (another language) of the build already under way
        _swap[0].depth += 1
        return
    final = Path(config["site_dir"])
    _remove_abandoned(final)
    partial = final.parent / f".{final.name}{PARTIAL}{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
    except OSError as error:
        raise _abort(f"cannot build: {_reason(error)}; make {final.parent} writable (the site is built "
                    f"beside {final.name}/ and swapped in at the end). {final} was left as it was.") from None
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(counter)
    _swap[:] = [Swap(final, partial, counter)]
    config["site_dir"] = str(partial)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """Keep the 404 page of the first (default language) build: each later language writes its own
    404.html to the site's root, and a web server serves only that one."""
    if _swap and template_name == "404.html" and _swap[0].depth == 1 and _swap[0].not_found is None:
        _swap[0].not_found = output_content
    return output_content


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built the other languages
def on_post_build(config: Any) -> None:
    if not _swap:
        return
    swap = _swap[0]
    swap.depth -= 1
    if swap.depth > 0:
        return
    final, partial, counter = swap.final, swap.partial, swap.counter
    config["site_dir"] = str(final)
    warnings = counter.get_counts()
    if swap.not_found is not None and (partial / "404.html").is_file():
        (partial / "404.html").write_text(swap.not_found, encoding="utf-8")
    _finish()
    if config["strict"] and warnings:
        shutil.rmtree(partial, ignore_errors=True)
        log.error(f"Strict mode: {final} was left as it was; the new build had warnings.")
        return  # MkDocs itself now aborts with the count of warnings
    previous = final.parent / f"{partial.name}-previous"
    moved = False
    try:
        if final.exists():
            final.rename(previous)
            moved = True
        partial.rename(final)
    except OSError as error:
        shutil.rmtree(partial, ignore_errors=True)
        kept = f"{final} was left as it was."
        if moved:
            try:
                previous.rename(final)  # put the old site back where it was
            except OSError:
                kept = f"The previous site is in {previous}; move it back to {final}."
        raise _abort(f"the new site could not replace {final}: {_reason(error)}; make {final} and the folder "
                    f"above it writable. {kept}") from None
    shutil.rmtree(previous, ignore_errors=True)


def on_build_error(error: Exception, **kwargs: Any) -> None:
    if _swap:
        final = _swap[0].final
        shutil.rmtree(_swap[0].partial, ignore_errors=True)
        _finish()
        if isinstance(error, OSError):  # a full disk, a folder that cannot be written: one message, no traceback
            raise _abort(f"the build could not read or write a file: {_reason(error)}; {what_to_do(error)}, then "
                         f"build again. {final} was left as it was.") from None
        log.error(f"{final} was left as it was: the build failed.")
    elif isinstance(error, OSError):
        raise _abort(f"the build could not read or write a file: {_reason(error)}; {what_to_do(error)}, then "
                     "build again.") from None


def _abort(message: str) -> Abort:
    """Log ``message`` as the build's one error, and the Abort that ends the build after it."""
    log.error(message)
    return Abort("The build stopped: see the error above.")


def _reason(error: OSError) -> str:
    """An OSError as one line: what went wrong and on which file."""
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _finish() -> None:
    logging.getLogger("mkdocs").removeHandler(_swap[0].counter)
    _swap.clear()
