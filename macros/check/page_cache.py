"""Rendered pages kept on disk between builds.

A page's entry is keyed by its own text and by everything else its output can depend on: the
sources of the lab and of these macros, the NumPy version, the site data, every page's front
matter (titles and dates appear on other pages) and the bytes of every resource file (their
sizes and checksums appear on cards). Entries are sealed with their SHA-256 (lab/runner/sealed.py): a
damaged, truncated or edited entry is deleted and the page rendered again; a foreign one is a miss.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lab.runner.sealed import read_sealed, write_sealed
from macros.engine.claims import Claim


@dataclass(frozen=True)
class RenderedPage:
    """A page after its macros ran: the Markdown body, the FAQ pairs, every claim on it (numbers
    written by hand and tied to nothing included) and, for an article, how many numbers its
    front matter allowlists (None for other pages)."""

    markdown: str
    faq: list[tuple[str, str]]
    claims: list[Claim]
    allowlisted: int | None = None
    printed: list[str] = field(default_factory=list)  # every text a lab macro printed on the page
    allowed: list[str] = field(default_factory=list)  # the page's allowlisted numbers, canonical
    numbers: list[str] = field(default_factory=list)  # both, as the built-page scan compares them
    complete: bool = True  # False: a template error stopped rendering part of the page


class PageCache:
    def __init__(self, directory: Path, context: str) -> None:
        self.directory = directory
        self.context = context

    def key(self, page: str, text: str) -> str:
        return hashlib.sha256(f"{self.context}\0{page}\0{text}".encode()).hexdigest()

    def load(self, key: str) -> RenderedPage | None:
        payload = read_sealed(self.directory / f"{key}.json")  # a damaged or edited entry is deleted
        if payload is None:
            return None
        try:
            data = json.loads(payload.decode("utf-8"))
            if data["key"] != key:
                return None
            return RenderedPage(data["markdown"], [tuple(pair) for pair in data["faq"]],
                                [Claim(**claim) for claim in data["claims"]], data["allowlisted"],
                                list(data["printed"]), list(data["allowed"]), list(data["numbers"]),
                                bool(data["complete"]))
        except Exception:  # foreign or from another version: render again
            return None

    def store(self, key: str, rendered: RenderedPage) -> None:
        data = {"key": key, "markdown": rendered.markdown, "faq": rendered.faq,
                "claims": [asdict(claim) for claim in rendered.claims], "allowlisted": rendered.allowlisted,
                "printed": rendered.printed, "allowed": rendered.allowed, "numbers": rendered.numbers,
                "complete": rendered.complete}
        write_sealed(self.directory / f"{key}.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
