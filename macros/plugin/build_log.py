"""MkDocs hook (``hooks:`` in mkdocs.yml): a build log that says what matters.

Third-party lines that say nothing to an author are held back: mkdocs-macros' listing of its
configuration (printed once per language) and jieba's dictionary loading (printed when the Chinese
search index is built). Their warnings and errors still show. The build's own summary line comes
from macros/plugin/adapter.py once every language is built.
"""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.plugins import event_priority

QUIETED = ("mkdocs.plugins.mkdocs_macros.util", "jieba")
"""Loggers whose information lines are held back."""


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@event_priority(100)  # before mkdocs-macros configures itself
def on_config(config: Any) -> None:
    for name in QUIETED:
        logger = logging.getLogger(name)
        # A filter, not a level: jieba sets its own logger's level to DEBUG when it is imported.
        if _warnings_only not in logger.filters:
            logger.addFilter(_warnings_only)
