"""Coverage: every number in an article's prose is either a lab number (inlined or checked) or
allowlisted. A number written by hand and tied to nothing is reported with its line.

What is scanned: the body and the FAQ of pages that are articles (front matter with a ``date``),
with macro calls, code, raw blocks, HTML tags and link targets blanked out (line numbers kept).
Allowed without listing, because they are never lab results:

* single-digit integers (counts, steps, indices, small dimensions such as ``2 \\times 3``);
* years (1900–2099) and the powers of ten 10, 100, 1000 (also as the base of ``10^{-7}``);
* exponents and subscripts in math (``x^2``, ``W_{12}``);
* anything in the page's ``allow_numbers`` front-matter list: settings and conventions, such as a
  learning rate chosen by the author or a threshold quoted from the literature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from macros.front_matter import article_front_matter

_NUMBER = re.compile(r"(?<![\w.,\\^_{}])[-−]?\d{1,3}(?:,\d{3})+(?![\w,])|"
                     r"(?<![\w.\\^_{}])[-−]?\d+(?:\.\d+)?(?:[eE][-+−]?\d+)?%?(?![\w])")
_FREE = re.compile(r"[-−]?\d|(19|20)\d\d|10{1,3}")
_STRING = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""
# A macro call, read string by string so a "}}" inside a caption's LaTeX does not end it early;
# one level of nested calls is allowed (a check joined into a caption).
MACRO_CALL = re.compile(rf"""\{{\{{\s*\w+\((?:{_STRING}|\((?:{_STRING}|[^()"'])*\)|[^()"'])*\)\s*\}}\}}"""
                        r"|\{\{.*?\}\}|\{%.*?%\}", re.S)
RAW_BLOCK = re.compile(r"\{% raw %\}.*?\{% endraw %\}", re.S)
FENCED_CODE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
_NOT_PROSE = [
    re.compile(r"\]\([^)\s]*\)"),  # link targets
    re.compile(r"<[^>\n]*>"),  # HTML tags
    re.compile(r"[\^_]\{[^{}]*\}|[\^_]\d"),  # exponents and subscripts in math
]


@dataclass(frozen=True)
class Unverified:
    line: int
    number: str


def blank(text: str, patterns: list[re.Pattern[str]]) -> str:
    """Each match of each pattern, in order, replaced by spaces; every newline kept."""
    for pattern in patterns:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    return text


def _blank(text: str) -> str:
    """Replace code, macros (but not figure captions), tags and link targets with spaces, keeping
    every newline."""
    text = blank(text, [RAW_BLOCK, FENCED_CODE])
    text = MACRO_CALL.sub(_caption_only, text)
    return blank(text, [MACRO_CALL, INLINE_CODE, *_NOT_PROSE])


def _caption_only(call: re.Match[str]) -> str:
    """A ``figure(name, caption)`` call with everything but the caption's own text blanked.

    A caption is prose: its numbers must be tied to the lab like any other. A number inside it can
    be checked by joining a ``check`` call into the string (``"… after " ~ check(k, "10,000") ~
    " steps"``); the strings passed to that nested call are blanked with it.
    """
    text = call.group()
    if not re.match(r"\{\{\s*figure\(", text):
        return text
    kept = [char if char == "\n" else " " for char in text]
    depth, strings, at = 0, 0, 0
    while at < len(text):
        char = text[at]
        if char in "\"'":
            end = at + 1
            while end < len(text) and text[end] != char:
                end += 2 if text[end] == "\\" else 1
            if depth == 1:
                strings += 1
                if strings > 1:  # the first string is the figure's name
                    kept[at + 1:end] = text[at + 1:end]
            at = end + 1
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        at += 1
    return "".join(kept)


def _faq_only(front: str) -> str:
    """The front matter with everything but the FAQ's questions and answers blanked (lines kept)."""
    lines, keep, out = front.split("\n"), False, []
    for line in lines:
        if re.match(r"\S", line):
            keep = False
        if re.match(r"\s+-?\s*[qa]:", line):
            keep = True
            line = re.sub(r"^(\s+-?\s*[qa]:\s*[|>]?)", lambda m: " " * len(m.group()), line)
        out.append(line if keep else "")
    return "\n".join(out)


def scan(text: str) -> tuple[list[Unverified], int] | None:
    """Unverified numbers of an article page and how many allowlisted ones it has; None if not an article."""
    try:
        article = article_front_matter(text)
    except yaml.YAMLError:
        return None  # reported by front_matter_problem, with its line
    if article is None:
        return None
    match, meta = article
    allowed = [str(n) for n in meta.get("allow_numbers") or []]
    normalized = {a.replace("−", "-") for a in allowed}
    source = "\n" + _faq_only(match.group(1)) + "\n" + text[match.end():]  # file lines kept
    found, listed = [], 0
    for number, line in enumerate(_blank(source).split("\n"), start=1):
        for token in _NUMBER.findall(line):
            if _FREE.fullmatch(token):
                continue
            if token.replace("−", "-") in normalized:
                listed += 1
                continue
            found.append(Unverified(number, token))
    return found, listed
