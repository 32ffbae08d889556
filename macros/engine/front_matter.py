"""Front matter, split off the way MkDocs does it, so line numbers agree with the source file."""

from __future__ import annotations

import re
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


FIRST_LINE = 2
"""The file line on which the front matter's YAML begins (after the opening ``---``)."""


def file_line(yaml_line: int) -> int:
    """The file line of 0-based line ``yaml_line`` of the front matter's YAML."""
    return yaml_line + FIRST_LINE


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


def front_matter_problem(text: str) -> tuple[int, str] | None:
    """``(line, message)`` if the page's front matter is not a valid YAML mapping, else None.

    MkDocs itself would silently treat such a page as having no front matter at all.
    """
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        meta = load_yaml(match.group(1))
    except yaml.YAMLError as error:
        # Where the broken construct (an unclosed bracket or quote) began, else where parsing stopped.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = file_line(mark.line) if mark else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        return line, (f"front matter is not valid YAML ({problem}); fix it (quote a text that contains "
                      "a colon, a bracket or a quote)")
    if meta is not None and not isinstance(meta, dict):
        return 2, "front matter must be a YAML mapping of names to values, like 'title: …'"
    return None


def article_front_matter(text: str) -> tuple[re.Match[str], dict[str, Any]] | None:
    """The front matter of an article (a page whose front matter has a ``date``) and its match, for
    line numbers; None for any other page. Raises ``yaml.YAMLError`` when it is not YAML, which
    ``front_matter_problem`` reports with its line."""
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    meta = load_yaml(match.group(1)) or {}
    if not isinstance(meta, dict) or "date" not in meta:
        return None
    return match, meta
