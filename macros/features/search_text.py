"""The search index as a reader sees the pages: formulas as text, not TeX source.

MkDocs' search plugin indexes each page's HTML, where a formula is still its TeX (``\\(a = \\max(0,
w^\\top x + b)\\)``), so result snippets showed the source. ``plain_math`` turns each formula into
the text KaTeX would show (``a = max(0, w^⊤x + b)``) with pylatexenc, and ``clean_index`` applies
it to every title and text of a built ``search_index.json``.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.S)


@functools.cache
def _converter() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def _text(tex: str) -> str:
    try:
        text = _converter().latex_to_text(tex)
    except Exception:  # malformed TeX: its characters without the commands, never the source
        text = re.sub(r"\\[A-Za-z]+|[{}]", " ", tex)
    # pylatexenc keeps TeX's source spacing only in part ("η= 0.18", "3 ×3"): a relation or a
    # product sign gets one space each side, as KaTeX shows it
    text = re.sub(r"\s*([=≈≠≤≥×])\s*", r" \1 ", text)
    return re.sub(r"\s+", " ", text).strip()


def plain_math(text: str) -> str:
    """``text`` with every ``\\( \\)``, ``\\[ \\]`` and ``$$ $$`` formula written as plain text."""
    return _MATH.sub(lambda match: _text(next(group for group in match.groups() if group is not None)), text)


def clean_index(path: Path, languages: tuple[str, ...] = ("en", "zh"),
                tag_names: dict[str, dict[str, str]] | None = None) -> None:
    """Rewrite a built search index with plain-text formulas in every title and text and each page's
    tags by their names in its language (``tag_names``: id -> language -> name, from site.yml; the
    index holds the front matter's ids, which results would show), and write one index per language
    beside it (``search_index.zh.json``: the pages under ``zh/``; the first language: all the others),
    which docs/assets/javascripts/search-language.js loads."""
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    others = tuple(f"{lang}/" for lang in languages[1:])
    for doc in index.get("docs", []):
        for field in ("title", "text"):
            if isinstance(doc.get(field), str):
                doc[field] = plain_math(doc[field])
        if tag_names and isinstance(doc.get("tags"), list):
            location = str(doc.get("location", ""))
            lang = next((lang for lang in languages[1:] if location.startswith(f"{lang}/")), languages[0])
            doc["tags"] = [tag_names.get(tag, {}).get(lang, tag) if isinstance(tag, str) else tag
                           for tag in doc["tags"]]
    _write(path, index)
    for lang in languages:
        if lang == languages[0]:
            docs = [d for d in index.get("docs", []) if not str(d.get("location", "")).startswith(others)]
        else:
            docs = [d for d in index.get("docs", []) if str(d.get("location", "")).startswith(f"{lang}/")]
        _write(path.with_name(f"search_index.{lang}.json"), {**index, "docs": docs})


def _write(path: Path, index: dict[str, Any]) -> None:
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
