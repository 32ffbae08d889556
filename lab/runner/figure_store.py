"""Drawn figures kept by key between builds, so that going back to earlier lab sources (switching
back to a branch, undoing an edit) copies a figure instead of drawing it again.

An entry's name holds the figure's key and the SHA-256 of its bytes: an entry whose bytes no
longer hash to its name is deleted and the figure drawn again, never used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lab.runner.sealed import UNWRITTEN
from lab.runner.stamp import write_if_changed

KEEP = 4
"""Entries kept per figure (the most recent)."""


def load(store: Path, name: str, key: str) -> bytes | None:
    for entry in store.glob(f"{name}-{key[:20]}-*.svg"):
        data = entry.read_bytes()
        if entry.stem.rsplit("-", 1)[-1] == hashlib.sha256(data).hexdigest()[:16]:
            return data
        entry.unlink(missing_ok=True)  # damaged: draw again
    return None


def save(store: Path, name: str, key: str, svg: bytes) -> None:
    try:
        write_if_changed(store / f"{name}-{key[:20]}-{hashlib.sha256(svg).hexdigest()[:16]}.svg", svg)
    except OSError as error:  # a full or read-only cache: the figure is simply drawn again next time
        UNWRITTEN.append(error)
        return
    entries = sorted(store.glob(f"{name}-" + "?" * 20 + "-*.svg"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
