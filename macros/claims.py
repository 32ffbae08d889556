"""Claims: one record per lab number a page shows, and the report built from them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

OK, STALE, ERROR, UNVERIFIED = "ok", "stale", "error", "unverified"


@dataclass(frozen=True)
class Claim:
    """A number on a page (or a problem found while reading one), located by file and line.

    ``kind`` is ``check`` (a literal the author wrote), ``value`` (printed by the lab) or ``error``
    (something on the page that could not be read, e.g. an unknown key or an undefined variable).
    """

    page: str
    line: int
    kind: str
    key: str
    written: str
    computed: str
    verdict: str
    message: str = ""

    def describe(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


@dataclass
class Report:
    claims: list[Claim] = field(default_factory=list)
    site: Any = None  # the SiteModel the check read, when the docs have one
    allowlisted: dict[str, int] = field(default_factory=dict)  # article page -> allowlisted numbers
    rendered: dict[str, Any] = field(default_factory=dict)  # page -> RenderedPage, reused by the build

    @property
    def problems(self) -> list[Claim]:
        return [c for c in self.claims if c.verdict != OK]

    def for_page(self, page: str) -> list[Claim]:
        return [c for c in self.claims if c.page == page]

    def recomputed(self, page: str) -> int:
        """How many numbers on ``page`` came from (or were checked against) the lab."""
        return sum(1 for c in self.for_page(page) if c.verdict == OK)

    def coverage(self) -> dict[str, dict[str, Any]]:
        """Per article: numbers tied to the lab, allowlisted, unverified, and the share that is fine."""
        table = {}
        for page, listed in sorted(self.allowlisted.items()):
            claims = self.for_page(page)
            verified = sum(1 for c in claims if c.verdict == OK)
            unverified = sum(1 for c in claims if c.verdict == UNVERIFIED)
            total = verified + listed + unverified
            table[page] = {"verified": verified, "allowlisted": listed, "unverified": unverified,
                           "share": 1.0 if total == 0 else (verified + listed) / total}
        return table

    def summary(self) -> str:
        lines = [c.describe() for c in self.problems]
        lines.append(f"{len(self.problems)} problem(s) in {len(self.claims)} lab number(s).")
        return "\n".join(lines)

    def coverage_summary(self) -> str:
        return "\n".join(f"{page}: {row['verified']} from the lab, {row['allowlisted']} allowlisted, "
                         f"{row['unverified']} unverified: {row['share']:.0%} verified or allowlisted"
                         for page, row in self.coverage().items())

    def to_json(self) -> str:
        pages = sorted({c.page for c in self.claims})
        data = {
            "claims": [asdict(c) for c in self.claims],
            "pages": {p: {"numbers": len(self.for_page(p)), "recomputed": self.recomputed(p)} for p in pages},
            "problems": len(self.problems),
            "coverage": self.coverage(),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
