"""Browser tests: the built site served on localhost, driven in Debian's Chromium by Playwright.

There is no skip: a machine without /usr/bin/chromium fails these tests with a message that says
how to install it (`make test` does, as root).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tools.chromium import CHROMIUM, CHROMIUM_ARGS, QuietHandler, QuietServer


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=built_site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does it as root, "
                    "or run `sudo apt-get install chromium fonts-wqy-microhei`)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page that records console errors, page errors and every request that leaves localhost."""

    def __init__(self, page: Page, site_url: str) -> None:
        self.page = page
        self.errors: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

        def guard(route):
            url = route.request.url
            if url.startswith(site_url) or url.startswith("data:") or url.startswith("blob:"):
                route.continue_()
            else:
                self.external.append(url)
                route.abort()

        page.route("**/*", guard)


@pytest.fixture
def watched(browser: Browser, site_url: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Watched(page, site_url)
    context.close()
