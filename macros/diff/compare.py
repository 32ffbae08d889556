"""Match the numbers and the lab files of two sides, and keep what differs.

Numbers are matched page by page in the order they appear, by what they cite (kind, key) and what
they show, so lines moved by an edit above them change nothing. A number differs when the text a
reader sees, the lab value behind it or its verdict changed.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from macros.diff.sides import Side
from macros.engine.claims import CITING

CHANGED, ADDED, REMOVED = "changed", "added", "removed"


def shown(claim: dict[str, Any]) -> str:
    """The number as a reader sees it: the author's text, or what a value() macro printed."""
    if claim["kind"] == "value":
        return str(claim["message"]).removeprefix(f"printed {claim['key']} as ")
    return str(claim["written"])


def language(page: str) -> str:
    """``en`` for docs/en/..., ``zh`` for docs/zh/..."""
    parts = page.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "docs" else ""


@dataclass(frozen=True)
class NumberChange:
    status: str  # CHANGED, ADDED or REMOVED
    page: str
    line_before: int  # 0 when added
    line_after: int  # 0 when removed
    kind: str
    key: str
    before: str  # as shown; "" when added
    after: str  # as shown; "" when removed
    lab_before: str
    lab_after: str
    verdict_before: str
    verdict_after: str

    @property
    def line(self) -> int:
        return self.line_after or self.line_before

    @property
    def published(self) -> bool:
        """Whether a reader sees a difference: the text, or the verdict (a stale number stops the build)."""
        return self.status != CHANGED or (self.before, self.verdict_before) != (self.after, self.verdict_after)

    @property
    def language(self) -> str:
        return language(self.page)


@dataclass(frozen=True)
class FileChange:
    path: str  # under docs/
    before: bytes | None  # None: the file is new
    after: bytes | None  # None: the file is gone

    @property
    def kind(self) -> str:
        if self.path.endswith((".svg", ".png")):
            return "figure"
        return "table" if self.path.endswith(".csv") else "download"

    @property
    def status(self) -> str:
        return ADDED if self.before is None else REMOVED if self.after is None else CHANGED


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    message: str


@dataclass
class Diff:
    base: str
    head: str
    numbers: list[NumberChange]
    files: list[FileChange]
    problems_before: int
    problems_after: int
    count_before: int  # lab numbers on each side
    count_after: int
    new_problems: list[Problem] = field(default_factory=list)  # what the check finds after and not before

    @property
    def published(self) -> list[NumberChange]:
        return [n for n in self.numbers if n.published]

    @property
    def lab_only(self) -> list[NumberChange]:
        """Lab values that moved under a text and a verdict that did not (rounding noise, or a move
        hidden by the written precision)."""
        return [n for n in self.numbers if not n.published]


def compare(base: Side, head: Side) -> Diff:
    numbers: list[NumberChange] = []
    before, after = _by_page(base.claims), _by_page(head.claims)
    for page in sorted(set(before) | set(after)):
        numbers.extend(_page_changes(page, before.get(page, []), after.get(page, [])))
    numbers.sort(key=lambda n: (n.page, n.line, n.status != REMOVED))
    files = [FileChange(path, base.files.get(path), head.files.get(path))
             for path in sorted(set(base.files) | set(head.files)) if base.files.get(path) != head.files.get(path)]
    return Diff(base.label, head.label, numbers, files, base.problems, head.problems,
                sum(len(c) for c in before.values()), sum(len(c) for c in after.values()),
                _new_problems(base.claims, head.claims))


def _new_problems(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Problem]:
    """The problems of ``new`` that ``old`` did not have (by page and message: lines may have moved)."""
    seen = Counter((c["page"], c["message"]) for c in old if c["verdict"] != "ok")
    found = []
    for claim in new:
        if claim["verdict"] == "ok":
            continue
        if seen[claim["page"], claim["message"]]:
            seen[claim["page"], claim["message"]] -= 1
        else:
            found.append(Problem(claim["page"], claim["line"], claim["message"]))
    return found


def _by_page(claims: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    pages: dict[str, list[dict[str, Any]]] = {}
    for claim in claims:
        if claim["kind"] in CITING:
            pages.setdefault(claim["page"], []).append(claim)
    return pages


def _page_changes(page: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[NumberChange]:
    """Align the page's numbers; pair what an edit replaced by what it cites, in order."""
    def signature(claim: dict[str, Any]) -> tuple[str, str, str]:
        return claim["kind"], claim["key"], shown(claim)

    matcher = difflib.SequenceMatcher(None, [signature(c) for c in old], [signature(c) for c in new],
                                      autojunk=False)
    changes: list[NumberChange] = []
    left: list[dict[str, Any]] = []
    right: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs = list(zip(old[i1:i2], new[j1:j2], strict=True))
            changes.extend(_change(page, a, b) for a, b in pairs if _differs(a, b))
        else:
            left += old[i1:i2]
            right += new[j1:j2]
    # What the alignment left over: a number moved to another place on the page (same text), then a
    # number whose text changed (same kind and key); the rest was added or removed.
    for same in (signature, lambda claim: signature(claim)[:2]):
        for a in list(left):
            match = next((b for b in right if same(b) == same(a)), None)
            if match is not None:
                left.remove(a)
                right.remove(match)
                if _differs(a, match):
                    changes.append(_change(page, a, match))
    changes.extend(_change(page, a, None) for a in left)
    changes.extend(_change(page, None, b) for b in right)
    return changes


def _differs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (shown(a), a["computed"], a["verdict"], a.get("tolerance", "")) != (
        shown(b), b["computed"], b["verdict"], b.get("tolerance", ""))


def _change(page: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> NumberChange:
    either = b if b is not None else a
    assert either is not None
    status = CHANGED if a is not None and b is not None else ADDED if a is None else REMOVED
    return NumberChange(status, page, a["line"] if a else 0, b["line"] if b else 0, either["kind"], either["key"],
                        shown(a) if a else "", shown(b) if b else "", a["computed"] if a else "",
                        b["computed"] if b else "", a["verdict"] if a else "", b["verdict"] if b else "")
