"""Debian's Chromium as the browser tests and the screenshots drive it (no browser is downloaded)."""

from __future__ import annotations

import http.server
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
ARTICLES = ["mse-gradient", "jacobians-chain-rule", "matrix-product-gradient", "backprop-computation-graph",
            "matrix-differentials-trace", "optimizer-geometry", "convolution-receptive-field", "attention-math"]
"""Every article, in the order of the learning route."""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site without a log line per request."""

    def log_message(self, *args: object) -> None:
        pass
