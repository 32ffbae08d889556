"""Cache entries that carry their own SHA-256, so a damaged, truncated or hand-edited entry is
noticed, deleted and computed again instead of being used.

A sealed file is a header line, the SHA-256 of the payload, and the payload. The checksum guards
against accidents and casual edits; it is not a signature (whoever can write the cache can also
write the lab's sources).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

MAGIC = b"dl-math-lab sealed 1\n"


def seal(payload: bytes) -> bytes:
    return MAGIC + hashlib.sha256(payload).digest() + payload


def unseal(data: bytes) -> bytes | None:
    """The payload of a sealed entry, or None when the header or the checksum does not match."""
    start = len(MAGIC) + 32
    if not data.startswith(MAGIC) or len(data) < start:
        return None
    payload = data[start:]
    return payload if hashlib.sha256(payload).digest() == data[len(MAGIC):start] else None


def read_sealed(path: Path) -> bytes | None:
    """The payload stored at ``path``; None when there is none. A damaged entry is deleted."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = unseal(data)
    if payload is None:
        path.unlink(missing_ok=True)  # damaged, truncated or edited: never used, computed again
    return payload


UNWRITTEN: list[OSError] = []
"""Cache writes that failed in this process (a full disk, a read-only folder): a cache is only a
shortcut, so the build goes on without the entry and says so once (macros/plugin/adapter.py)."""


def write_sealed(path: Path, payload: bytes) -> bool:
    """Write ``payload`` sealed, atomically: readers see the old entry or the whole new one. Returns
    False, leaving nothing behind, when the entry cannot be written."""
    partial = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
        with os.fdopen(handle, "wb") as stream:
            stream.write(seal(payload))
        os.replace(partial, path)
        return True
    except OSError as error:
        UNWRITTEN.append(error)
        return False
    finally:
        if partial is not None and os.path.exists(partial):
            os.unlink(partial)
