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


_SCHEME_ATTRIBUTE = re.compile(r"""\b(?:href|src|action|formaction|xlink:href|data|poster|srcset)\s*=\s*"""
                               r"""(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_UNSAFE = re.compile(r"(?:javascript|vbscript|data):", re.I)


def _unsafe(target: str) -> str:
    """The scheme of a link that runs code or shows unchecked content (``javascript:``, ``data:``), or ''.
    Browsers ignore tabs, newlines and leading control characters in a scheme, so this does too."""
    squeezed = re.sub(r"[\x00-\x20]", "", target)
    match = _UNSAFE.match(squeezed)
    return match.group(0).lower() if match else ""


_EVENT_ATTRIBUTE = re.compile(r"""<[A-Za-z][^<>]*?[\s"'/](on[a-z]+)\s*=""", re.I)
_SCRIPT = re.compile(r"<script\b", re.I)


def active_content(text: str, svg: bool = False) -> list[str]:
    """What in built HTML (or an SVG file) would run code in the reader's browser: links to
    ``javascript:``, ``vbscript:`` or ``data:``, event-handler attributes (``onerror=``), and in an
    SVG file any script (the theme's scripts in HTML are the site's own)."""
    raster = re.compile(r"\s*data:image/(?:png|jpeg|gif|webp);", re.I)  # a figure's embedded bitmap runs nothing
    found = [f"links to '{value[:40]}', a javascript:, vbscript: or data: address" for value in unsafe_attributes(text)
             if not (svg and raster.match(value))]
    found += [f"has an event-handler attribute {name}=, which runs code" for name in _EVENT_ATTRIBUTE.findall(text)]
    if svg and _SCRIPT.search(text):
        found.append("holds a <script>, which runs when the file is opened")
    return found


def event_handlers(text: str, page: str) -> list[Claim]:
    """A claim for each event-handler attribute (``onerror=``, ``onclick=``) in a page's HTML: like an
    inline script, it runs code in the reader's browser, and pages carry none."""
    if not re.search(r"\bon[a-z]+\s*=", text, re.I):
        return []
    problems = []
    for number, line in enumerate(blank(text, _CODE).split("\n"), start=1):
        for name in _EVENT_ATTRIBUTE.findall(line):
            problems.append(error_claim(page, number, f"an event-handler attribute {name}= runs code in the reader's "
                                        "browser, and pages carry no scripts; remove it"))
    return problems


def unsafe_attributes(html_text: str) -> list[str]:
    """Attribute values of built HTML that lead to ``javascript:``, ``vbscript:`` or ``data:`` once
    the browser has decoded their character references (``&#106;avascript:`` is ``javascript:``)."""
    import html

    values = ("".join(groups) for groups in _SCHEME_ATTRIBUTE.findall(html_text))
    # Only the scheme at the start matters: a long value (an embedded image) is read no further.
    return [value for value in values if _unsafe(html.unescape(value[:400]))]


def unsafe_links(text: str, page: str) -> list[Claim]:
    """A claim for each Markdown link or HTML attribute in ``text`` that leads to ``javascript:``,
    ``vbscript:`` or ``data:``: the first runs code in the reader's browser, the last shows content
    (text, numbers, a page) that no check of this site has read."""
    if not _UNSAFE.search(re.sub(r"[\x00-\x20]", "", text)):
        return []
    blanked = blank(text, _CODE)
    problems = []
    for number, line in enumerate(blanked.split("\n"), start=1):
        attributes = ["".join(groups) for groups in _SCHEME_ATTRIBUTE.findall(line)]
        for target in [*_targets(line), *attributes]:
            scheme = _unsafe(target)
            if scheme:
                problems.append(error_claim(page, number, f"a {scheme} link ('{target[:40]}'): "
                                            + ("it runs code in the reader's browser" if scheme != "data:" else
                                               "its content is inside the link, where no check reads it")
                                            + "; link to a page or file of the site, or an https:// address",
                                            written=target))
    return problems


def broken_links(path: Path, text: str, docs_dir: Path, page: str) -> list[Claim]:
    """A claim for each local link in ``text`` (the page at ``path``) whose file does not exist, and
    for each link to ``javascript:``, ``vbscript:`` or ``data:``."""
    unsafe = unsafe_links(text, page) + event_handlers(text, page)
    if not any(_missing(path, target) for target in _targets(text)):
        return unsafe  # the usual case, found without blanking code: every link-like target exists
    blanked = blank(text, _CODE)
    problems = unsafe
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
