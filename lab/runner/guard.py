"""Lab code computes; it does not write files or start programs. While an experiment, a figure or a table runs, a
write inside the project, or anywhere outside the temporary folder (and Matplotlib's own cache), is
refused with a located error, so lab code cannot change the site, the pages or the caches behind
the build's back.

Python's audit hooks see every ``open`` for writing and every rename, removal and copy made through
the standard library; a hook cannot be removed, so it is installed once and does nothing while no
lab code runs. This is a guard against mistakes, not a sandbox: C code writing on its own is not seen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_ACTIVE: list[tuple[str, tuple[Path, ...]]] = []
"""The work running now and the folders it may write to (empty: no lab code is running)."""

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_PATH_EVENTS = {"os.remove": (0,), "os.rename": (0, 1), "os.mkdir": (0,), "os.rmdir": (0,), "os.truncate": (0,),
                "os.symlink": (1,), "os.link": (1,), "shutil.copyfile": (1,), "shutil.rmtree": (0,),
                "shutil.move": (0, 1), "os.chmod": (0,), "os.utime": (0,)}
_installed: list[bool] = []
_PROJECT = Path(__file__).resolve().parents[2]
"""The project: never written by lab code, even when it lies inside the temporary folder."""


_STARTS_PROGRAMS = {"subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork",
                    "os.forkpty", "pty.spawn"}
"""Audit events of a process being started: lab code that starts one could leave it running."""


def _hook(event: str, args: tuple) -> None:
    if not _ACTIVE:
        return
    label, allowed = _ACTIVE[-1]
    if event in _STARTS_PROGRAMS and not label.startswith("figure"):  # Matplotlib may ask fc-list for fonts
        raise PermissionError(f"{label} tried to start another process ({event}): lab code computes in Python "
                              "and starts no programs, so none can outlive the build")
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                 (mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS)
        targets = [path] if writes else []
    elif event in _PATH_EVENTS:
        targets = [args[i] for i in _PATH_EVENTS[event] if i < len(args)]
    else:
        return
    for target in targets:
        if isinstance(target, int) or target is None:
            continue  # a file descriptor: its opening was checked
        resolved = Path(os.fsdecode(target)).resolve()
        if resolved.is_relative_to(_PROJECT) or not any(resolved.is_relative_to(folder) for folder in allowed):
            raise PermissionError(f"{label} tried to write {resolved}: lab code returns its results and never "
                                  f"writes files (a scratch file belongs in tempfile.mkdtemp())")


def _allowed() -> tuple[Path, ...]:
    folders = [Path(tempfile.gettempdir()).resolve()]
    if "matplotlib" in sys.modules:  # its font cache, written the first time it draws text
        folders.append(Path(sys.modules["matplotlib"].get_cachedir()).resolve())
    return tuple(folders)


_REAL_EXIT = os._exit


def _refused_exit(code: int = 0) -> None:
    label = _ACTIVE[-1][0] if _ACTIVE else "lab code"
    raise SystemExit(f"{label} called os._exit({code}), which would end the build's process without a word")


@contextmanager
def no_writes(label: str) -> Iterator[None]:
    """While the block runs ``label``'s code: refuse writes outside the temporary folder, refuse
    starting programs (except for figures: Matplotlib may ask fc-list for fonts), and turn
    ``os._exit()`` into an exception at the line that called it."""
    if not _installed:
        sys.addaudithook(_hook)
        _installed.append(True)
    _ACTIVE.append((label, _allowed()))
    os._exit = _refused_exit
    try:
        yield
    finally:
        _ACTIVE.pop()
        if not _ACTIVE:
            os._exit = _REAL_EXIT
