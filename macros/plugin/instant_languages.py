"""MkDocs hook (``hooks:`` in mkdocs.yml): instant navigation beside mkdocs-static-i18n's language switcher.

mkdocs-static-i18n warns on every build that its per-page language switcher does not survive
Material's instant navigation: the header, switcher included, is kept from the first page read.
docs/assets/javascripts/language-switch.js repairs that (each switcher link gets the current page's
address in its language, and leaves instant navigation: a language change is a full page load),
so this hook holds that one warning back while the script is part of the site. Without the script,
the warning shows, and a strict build fails.
"""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.plugins import event_priority

SCRIPT = "assets/javascripts/language-switch.js"
WARNING = "language switcher contextual link is not compatible with theme.features = navigation.instant"
LOGGER = "mkdocs.plugins.mkdocs_static_i18n.reconfigure"


def _not_the_handled_warning(record: logging.LogRecord) -> bool:
    return WARNING not in record.getMessage()


@event_priority(100)  # before mkdocs-static-i18n reconfigures the theme (and warns)
def on_config(config: Any) -> None:
    logger = logging.getLogger(LOGGER)
    handled = SCRIPT in [str(script) for script in config.extra_javascript]
    if handled and _not_the_handled_warning not in logger.filters:
        logger.addFilter(_not_the_handled_warning)
    elif not handled:
        logger.removeFilter(_not_the_handled_warning)
