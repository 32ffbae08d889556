"""Claims: one record per lab number a page shows, and the report built from them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

OK, STALE, ERROR, UNVERIFIED = "ok", "stale", "error", "unverified"
"""Verdicts: the number agrees, the number is stale, something could not be read or checked, a
number written by hand is tied to nothing."""

CHECK, APPROX, BELOW, VALUE = "check", "approx", "below", "value"
"""Kinds of claim a lab macro makes: a literal checked at its written precision (or within ``tol``),
an approximate literal within its stated tolerance, an upper bound, a value the lab printed."""
NUMBER, PORTABILITY = "number", "portability"
"""Kinds of claim the check makes itself: a number written by hand and tied to nothing
(macros/engine/coverage.py), a number another machine would change (macros/check/portable.py).
A problem on the page is of kind ERROR."""
CITING = (CHECK, APPROX, BELOW, VALUE)
"""The kinds that cite a lab key."""
WRITTEN = (CHECK, APPROX, BELOW)
"""The kinds whose number the author wrote."""


@dataclass(frozen=True)
class Claim:
    """A number on a page (or a problem found while reading one), located by file and line.

    ``kind`` is one of the kinds above: CHECK, APPROX, BELOW, VALUE, NUMBER, PORTABILITY, or ERROR
    (something on the page that could not be read, e.g. an unknown key or an undefined variable);
    ``verdict`` one of the verdicts.
    """

    page: str
    line: int
    kind: str
    key: str
    written: str
    computed: str
    verdict: str
    message: str = ""
    tolerance: str = ""  # the stated bound of a check or approx claim ("100", "5%"); empty: rounding

    def describe(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


def error_claim(page: str, line: int, message: str, key: str = "", written: str = "") -> Claim:
    """A problem found at ``page:line`` (something that could not be read or checked)."""
    return Claim(page, line, ERROR, key, written, "", ERROR, message)


@dataclass
class Report:
    claims: list[Claim] = field(default_factory=list)
    site: Any = None  # the SiteModel the check read, when the docs have one
    allowlisted: dict[str, int] = field(default_factory=dict)  # page -> allowlisted numbers
    rendered: dict[str, Any] = field(default_factory=dict)  # page -> RenderedPage, reused by the build
    titles: dict[str, list[str]] = field(default_factory=dict)  # page -> its title texts, shown on every page
    site_allowed: list[str] = field(default_factory=list)  # docs/_data/site.yml's allow_numbers
    _grouped: tuple[int, dict[str, list[Claim]]] | None = field(default=None, repr=False, compare=False)

    @property
    def problems(self) -> list[Claim]:
        return [c for c in self.claims if c.verdict != OK]

    def for_page(self, page: str) -> list[Claim]:
        return list(self.by_page().get(page, []))

    def by_page(self) -> dict[str, list[Claim]]:
        """The claims grouped by page, in order (regrouped only when claims were added)."""
        if self._grouped is None or self._grouped[0] != len(self.claims):
            grouped: dict[str, list[Claim]] = {}
            for claim in self.claims:
                grouped.setdefault(claim.page, []).append(claim)
            self._grouped = (len(self.claims), grouped)
        return self._grouped[1]

    def recomputed(self, page: str) -> int:
        """How many numbers on ``page`` came from (or were checked against) the lab."""
        return sum(1 for c in self.for_page(page) if c.verdict == OK)

    def coverage(self) -> dict[str, dict[str, Any]]:
        """Per page (and the site data): numbers tied to the lab, by macro, allowlisted, unverified, and
        the share that is fine."""
        table = {}
        for page, listed in sorted(self.allowlisted.items()):
            claims = self.for_page(page)
            verified = sum(1 for c in claims if c.verdict == OK)
            unverified = sum(1 for c in claims if c.verdict == UNVERIFIED)
            total = verified + listed + unverified
            kinds: dict[str, int] = {}
            for claim in claims:
                if claim.verdict == OK:
                    kinds[claim.kind] = kinds.get(claim.kind, 0) + 1
            table[page] = {"verified": verified, "by_kind": dict(sorted(kinds.items())), "allowlisted": listed,
                           "unverified": unverified, "share": 1.0 if total == 0 else (verified + listed) / total}
        return table

    def summary(self) -> str:
        lines = [c.describe() for c in self.problems]
        lines.append(f"{len(self.problems)} problem(s) in {len(self.claims)} lab number(s).")
        return "\n".join(lines)

    def coverage_summary(self) -> str:
        def kinds(row: dict[str, Any]) -> str:
            return f" ({', '.join(f'{n} {kind}' for kind, n in row['by_kind'].items())})" if row["by_kind"] else ""

        return "\n".join(f"{page}: {row['verified']} from the lab{kinds(row)}, {row['allowlisted']} allowlisted, "
                         f"{row['unverified']} unverified: {row['share']:.0%} verified or allowlisted"
                         for page, row in self.coverage().items())

    def markdown(self) -> str:
        """The whole report as Markdown, for a pull request's step summary: every problem (GitHub
        shows only the first ten annotations of a step), then coverage per page."""
        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", "<br>")

        verdict = "no problem" if not self.problems else f"{len(self.problems)} problem(s)"
        lines = [f"## Lab check: {verdict} in {len(self.claims)} lab number(s)", ""]
        if self.problems:
            lines += ["| where | problem |", "| --- | --- |"]
            lines += [f"| `{c.page}:{c.line}` | {cell(c.message)} |" for c in self.problems]
            lines.append("")
        lines += ["<details><summary>Numbers tied to the lab, per page</summary>", "",
                  "| page | from the lab | allowlisted | unverified |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| `{page}` | {row['verified']} | {row['allowlisted']} | {row['unverified']} |"
                  for page, row in self.coverage().items()]
        return "\n".join([*lines, "", "</details>", ""])

    def to_json(self) -> str:
        names = [f.name for f in fields(Claim)]
        data = {
            "claims": [{name: getattr(c, name) for name in names} for c in self.claims],
            "pages": {page: {"numbers": len(claims), "recomputed": sum(1 for c in claims if c.verdict == OK)}
                      for page, claims in sorted(self.by_page().items())},
            "problems": len(self.problems),
            "coverage": self.coverage(),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
