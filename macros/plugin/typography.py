"""MkDocs hook (``hooks:`` in mkdocs.yml): Chinese pages without the spaces a source line break
would put between two Chinese characters (macros/features/typography.py). It runs on each page's
HTML before the search index and the theme read it."""

from __future__ import annotations

from typing import Any

from macros.features.typography import join_cjk_lines


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return join_cjk_lines(html)
