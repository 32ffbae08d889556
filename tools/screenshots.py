"""``python -m tools.screenshots --site site --out screenshots``: a full-page PNG of every page of
the built site in both languages, for review, in the light palette or (``--palette dark``) the dark
one, at the width asked for (``--width 390`` for a phone). Uses Debian's Chromium, offline."""

from __future__ import annotations

import argparse
import functools
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools.chromium import CHROMIUM, CHROMIUM_ARGS, QuietHandler, QuietServer, built_pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__)
    parser.add_argument("--site", type=Path, default=Path("site"), help="built site (default: site)")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the PNGs")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in pixels")
    parser.add_argument("--palette", choices=["light", "dark"], default="light",
                        help="the reader's preferred colour scheme, which picks Material's palette")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        parser.error(f"no built site in {args.site}: run `make site` first")
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=args.site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900}, color_scheme=args.palette)
        suffix = "-dark" if args.palette == "dark" else ""
        for path in built_pages(args.site):
            page.goto(base + path, wait_until="networkidle")
            lang, slug = ("zh", path[3:]) if path.startswith("zh/") else ("en", path)
            name = slug.removesuffix(".html").strip("/").replace("/", "-") or "index"
            target = args.out / f"{lang}-{name}{suffix}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
