"""Chinese typography in the built HTML.

A Markdown source line may break between two Chinese characters; the browser shows that line break
as a space, which Chinese text never has. ``join_cjk_lines`` removes such breaks (with the spaces
around them, and across inline tags such as ``<strong>`` or ``<a>``), everywhere except inside
``pre``, ``code``, ``script``, ``style`` and ``textarea``. A break between Chinese and Latin text
stays a space, as the articles write it.
"""

from __future__ import annotations

import re

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
"""Chinese characters, CJK punctuation and full-width forms."""

_KEPT = re.compile(r"(<(pre|code|script|style|textarea)\b.*?</\2\s*>)", re.S | re.I)
_BREAK = re.compile(rf"(?<=[{CJK}])((?:<[^<>]*>)*)[ \t]*\r?\n[ \t]*((?:<[^<>]*>)*)(?=[{CJK}])")


def join_cjk_lines(html: str) -> str:
    """``html`` with every line break between two Chinese characters removed (see the module)."""
    parts = _KEPT.split(html)
    # split() with two groups yields: text, kept block, tag name, text, kept block, tag name, ...
    out = []
    for index, part in enumerate(parts):
        if index % 3 == 0:
            out.append(_BREAK.sub(r"\1\2", part))
        elif index % 3 == 1:
            out.append(part)
    return "".join(out)
