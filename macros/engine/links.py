"""Links written in a page to other files of the site, checked with their file and line.

MkDocs warns about a link whose target is missing, but names only the page; this check runs with
the lab check, before anything is written, and names the line and the file the link expected.
Links to other sites, anchors within the page and links built by macros (``{{ … }}``) are left to
the strict build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from macros.engine.claims import Claim, error_claim
from macros.engine.coverage import FENCED_CODE, INLINE_CODE, MACRO_CALL, RAW_BLOCK, blank

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


_UNSAFE = re.compile(r"(?:javascript|vbscript|data):", re.I)
_EVENT = re.compile(
    r"on(?:abort|activate|afterprint|animation\w*|auxclick|before\w+|begin|blur|cancel|canplay\w*|change|click|"
    r"close|contextmenu|copy|cuechange|cut|dblclick|drag\w*|drop|durationchange|emptied|end|ended|error|focus\w*|"
    r"formdata|fullscreen\w*|hashchange|input|invalid|key\w+|languagechange|load\w*|message\w*|mouse\w+|"
    r"offline|online|page\w+|paste|pause|play\w*|pointer\w+|popstate|progress|ratechange|rejectionhandled|"
    r"repeat|reset|resize|scroll\w*|search|securitypolicyviolation|seek\w+|select\w*|show|slotchange|stalled|"
    r"storage|submit|suspend|timeupdate|toggle|touch\w+|transition\w+|unhandledrejection|unload|"
    r"volumechange|waiting|wheel|zoom)", re.I)
"""Event-handler attribute names (onerror, onload, onclick...): each runs code. "one" or "once" is none."""
_ADDRESSES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "background", "cite", "codebase",
              "longdesc", "usemap", "manifest", "ping", "to", "values", "from", "by"}
"""Attributes whose value a browser may follow or load (the last four: SVG animations that set one)."""
_RASTER = re.compile(r"\s*data:image/(?:png|jpeg|gif|webp);", re.I)


def _unsafe(target: str) -> str:
    """The scheme of a link that runs code or shows unchecked content (``javascript:``, ``data:``), or ''.
    Browsers ignore tabs, newlines and leading control characters in a scheme, so this does too."""
    squeezed = re.sub(r"[\x00-\x20]", "", target[:400])  # only the start matters: an embedded image is long
    match = _UNSAFE.match(squeezed)
    return match.group(0).lower() if match else ""


class _ActiveContent(HTMLParser):
    """Collects, with their lines, what in HTML or SVG would run code or show what no check reads."""

    def __init__(self, svg: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.svg = svg
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if self.svg and tag.rsplit(":", 1)[-1].lower() == "script":
            self.found.append((line, "a <script>, which runs when the file is opened"))
        for name, value in attrs:
            local = name.rsplit(":", 1)[-1].lower()  # xlink:href is an href
            if _EVENT.fullmatch(local):
                self.found.append((line, f"an event-handler attribute {name}=, which runs code"))
            elif local == "srcdoc":
                self.found.append((line, "a srcdoc= attribute: a whole document inside an attribute, which no check "
                                         "reads"))
            elif local in _ADDRESSES and value and _unsafe(value) and not (self.svg and _RASTER.match(value)):
                self.found.append((line, f"a {_unsafe(value)} address ('{value[:40]}')"))

    handle_startendtag = handle_starttag


def active_content(text: str, svg: bool = False) -> list[tuple[int, str]]:
    """``(line, what)`` for what in built HTML or an SVG file would run code in the reader's browser
    or show content no check reads: links to ``javascript:``, ``vbscript:`` or ``data:`` (after the
    browser's decoding of character references), event-handler attributes, ``srcdoc``, and in SVG any
    script (the theme's scripts in HTML are the site's own). A figure's embedded bitmap is none."""
    parser = _ActiveContent(svg)
    parser.feed(text)
    parser.close()
    return parser.found


def unsafe_links(text: str, page: str) -> list[Claim]:
    """A claim for each Markdown link, attribute list or HTML tag in ``text`` (a page) that leads to
    ``javascript:``, ``vbscript:`` or ``data:``, or carries an event handler or ``srcdoc``: the first
    run code in the reader's browser, the others show content that no check of this site has read."""
    if not (_UNSAFE.search(re.sub(r"[\x00-\x20]", "", text)) or re.search(r"&#|&colon|srcdoc|\bon\w+\s*=", text, re.I)):
        return []
    blanked = blank(text, _CODE)
    problems = [error_claim(page, line, f"{what}; pages carry no scripts and link only to what the site checks: "
                                        "link to a page or file of the site, or an https:// address")
                for line, what in active_content(blanked)]
    for number, line in enumerate(blanked.split("\n"), start=1):
        for target in _targets(line):
            scheme = _unsafe(target)
            if scheme:
                problems.append(error_claim(page, number, f"a {scheme} link ('{target[:40]}'): "
                                            + ("it runs code in the reader's browser" if scheme != "data:" else
                                               "its content is inside the link, where no check reads it")
                                            + "; link to a page or file of the site, or an https:// address",
                                            written=target))
        for name in filter(_EVENT.fullmatch, _ATTRIBUTE_LIST_EVENT.findall(line)):
            problems.append(error_claim(page, number, f"an event-handler attribute {name}= in an attribute list runs "
                                        "code in the reader's browser, and pages carry no scripts; remove it"))
    return problems


_ATTRIBUTE_LIST_EVENT = re.compile(r"\{:?[^}\n]*?\b(on[a-z]+)\s*=(?=[^}\n]*\})", re.I)


def broken_links(path: Path, text: str, docs_dir: Path, page: str) -> list[Claim]:
    """A claim for each local link in ``text`` (the page at ``path``) whose file does not exist, and
    for each link to ``javascript:``, ``vbscript:`` or ``data:``."""
    unsafe = unsafe_links(text, page)
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
