"""Front matter, split off the way MkDocs does it, so line numbers agree with the source file."""

from __future__ import annotations

import re

FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def split_front_matter(text: str) -> tuple[str, int]:
    """Return the body MkDocs renders and how many lines precede it (as MkDocs strips them)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return text, 0
    body = text[match.end():].lstrip("\n")
    return body, text[: len(text) - len(body)].count("\n")
