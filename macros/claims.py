"""Claims: one record per lab number a page shows, and the report built from them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

OK, STALE, ERROR = "ok", "stale", "error"


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

    @property
    def problems(self) -> list[Claim]:
        return [c for c in self.claims if c.verdict != OK]

    def for_page(self, page: str) -> list[Claim]:
        return [c for c in self.claims if c.page == page]

    def recomputed(self, page: str) -> int:
        """How many numbers on ``page`` came from (or were checked against) the lab."""
        return sum(1 for c in self.for_page(page) if c.verdict == OK)

    def summary(self) -> str:
        lines = [c.describe() for c in self.problems]
        lines.append(f"{len(self.problems)} problem(s) in {len(self.claims)} lab number(s).")
        return "\n".join(lines)

    def to_json(self) -> str:
        pages = sorted({c.page for c in self.claims})
        data = {
            "claims": [asdict(c) for c in self.claims],
            "pages": {p: {"numbers": len(self.for_page(p)), "recomputed": self.recomputed(p)} for p in pages},
            "problems": len(self.problems),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
