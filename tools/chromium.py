"""Debian's Chromium as the browser tests and the screenshots drive it (no browser is downloaded)."""

from __future__ import annotations

import http.server
from pathlib import Path

from tools.project import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def articles() -> list[str]:
    """Every article's slug, as the site data and the pages say: the routes' steps in order, then
    any article no route lists."""
    from macros.features.model import load_site

    model, _ = load_site(ROOT / "docs", ROOT)
    slugs = list(model.articles["en"]) if model is not None else []
    steps = [slug for route in (model.routes if model is not None else []) for slug in route.steps if slug in slugs]
    return list(dict.fromkeys([*steps, *sorted(slugs)]))


ARTICLES = articles()


def built_pages(site: Path) -> list[str]:
    """Every HTML page of the built site as an address relative to its root ("" for the home page):
    articles, routes, resources, tags, timeline, home pages, the author's guide and 404, in every
    language."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site)
        if relative.parts[0] in ("assets", "search"):
            continue
        pages.append(relative.as_posix().removesuffix("index.html"))
    return pages


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site without a log line per request."""

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A static server for the browser: a page the browser leaves before a file is sent (a broken
    pipe, a reset) is not an error worth a traceback; anything else still prints one."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
