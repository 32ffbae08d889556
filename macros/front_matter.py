"""Front matter, split off the way MkDocs does it, so line numbers agree with the source file."""

from __future__ import annotations

import re
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


def split_front_matter(text: str) -> tuple[str, int]:
    """Return the body MkDocs renders and how many lines precede it (as MkDocs strips them)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return text, 0
    body = text[match.end():].lstrip("\n")
    return body, text[: len(text) - len(body)].count("\n")


# PyYAML's C loader when it was built with libyaml (the wheels are): parsing every page's front
# matter at every build is otherwise a visible part of a warm build.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def compose_yaml(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_LOADER)
