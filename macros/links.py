"""Links written in a page to other files of the site, checked with their file and line.

MkDocs warns about a link whose target is missing, but names only the page; this check runs with
the lab check, before anything is written, and names the line and the file the link expected.
Links to other sites, anchors within the page and links built by macros (``{{ … }}``) are left to
the strict build.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from macros.claims import Claim, error_claim
from macros.coverage import FENCED_CODE, INLINE_CODE, MACRO_CALL, RAW_BLOCK, blank

_INLINE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_CODE = [RAW_BLOCK, FENCED_CODE, MACRO_CALL, INLINE_CODE]
"""What is not a link even when it looks like one: code, raw blocks and macro calls."""


def _is_local(target: str) -> bool:
    return not (re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/", "{")))


def _targets(text: str) -> list[str]:
    return _INLINE.findall(text) + _REFERENCE.findall(text)


def _file_part(target: str) -> str:
    """The file a link points at, without its anchor or query."""
    return unquote(target.split("#", 1)[0].split("?", 1)[0])


def _missing(path: Path, target: str) -> bool:
    file_part = _file_part(target)
    return bool(file_part) and _is_local(target) and not (path.parent / file_part).exists()


def broken_links(path: Path, text: str, docs_dir: Path, page: str) -> list[Claim]:
    """A claim for each local link in ``text`` (the page at ``path``) whose file does not exist."""
    if not any(_missing(path, target) for target in _targets(text)):
        return []  # the usual case, found without blanking code: every link-like target exists
    blanked = blank(text, _CODE)
    problems = []
    for number, line in enumerate(blanked.split("\n"), start=1):
        for target in _targets(line):
            if not _missing(path, target):
                continue
            resolved = (path.parent / _file_part(target)).resolve()
            try:
                shown = resolved.relative_to(docs_dir.resolve().parent).as_posix()
            except ValueError:
                shown = str(resolved)
            problems.append(error_claim(page, number, f"link to '{target}' leads nowhere: there is no {shown}; "
                                        "correct the path (relative to this page) or create the file",
                                        written=target))
    return problems
