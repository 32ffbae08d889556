"""``--fix``: rewrite stale checked literals in place, at the precision the author wrote them.

Only the written number inside a ``check("key", "written")`` call on the reported line changes;
its brackets, spacing, minus sign style and notation (fixed, scientific, percent) are kept.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import numpy as np

from macros.engine.claims import CHECK, STALE, WRITTEN, Claim
from macros.engine.keys import parse_key, resolve
from macros.engine.literals import NUMBER, WIDE, lab_at, parse_scalar


def _like(token: re.Match[str], value: float) -> str:
    """``value`` rounded by the rule (macros/engine/literals.py) and written the way ``token`` was:
    same decimals, exponent, percent, minus sign and thousands separators."""
    sign, body, _, e_char, exponent, percent = token.groups()
    places = len(body.split(".", 1)[1]) if "." in body else 0
    with localcontext(WIDE):
        number = lab_at(parse_scalar(token.group()), value)
        if e_char:
            number /= Decimal(10) ** int(exponent.replace("\u2212", "-"))
        grouping = "," if "," in body else ""
        text = format(number.quantize(Decimal(1).scaleb(-places)), f"{grouping}f")
    if text.startswith("-"):
        text = ("\u2212" if sign == "\u2212" else "-") + text[1:]
    elif sign == "+":
        text = "+" + text
    return text + (f"{e_char}{exponent}" if e_char else "") + percent


def fixed_literal(written: str, lab_value: Any) -> str:
    """The author's literal with each number replaced by the corresponding lab entry."""
    values = np.asarray(lab_value, dtype=float).ravel()
    tokens = list(NUMBER.finditer(written))
    if len(tokens) != values.size:
        raise ValueError(f"'{written}' has {len(tokens)} numbers but the lab value has {values.size}")
    pieces, last = [], 0
    for token, value in zip(tokens, values, strict=True):
        pieces += [written[last:token.start()], _like(token, value)]
        last = token.end()
    return "".join(pieces) + written[last:]


def fix_claims(claims: list[Claim], results: dict[str, Any], root: Path) -> tuple[list[str], list[str]]:
    """Rewrite every stale checked literal; return unified diffs and the claims that could not be fixed."""
    edits: dict[Path, list[str]] = {}
    originals: dict[Path, str] = {}
    endings: dict[Path, list[str]] = {}
    unfixable = []
    for claim in claims:
        if claim.verdict != STALE or claim.kind not in WRITTEN:
            continue
        if claim.kind != CHECK:
            unfixable.append(f"{claim.describe()} (an approximate number is rewritten by hand: pick a round "
                             "number near the lab value and a tolerance that holds on every machine)")
            continue
        path = root / claim.page
        if path not in edits:
            # Bytes as they are: a byte order mark and CRLF or CR line ends are written back unchanged.
            originals[path] = path.read_bytes().decode("utf-8")
            edits[path], endings[path] = _lines(originals[path])
        lines = edits[path]
        # The call as written, in either kind of quotes: check("key", "0.3") or check('key', '0.3').
        call = re.compile(rf"""(["']){re.escape(claim.key)}\1(\s*,\s*)(["']){re.escape(claim.written)}\3""")
        found = call.search(lines[claim.line - 1]) if 0 < claim.line <= len(lines) else None
        if found is None:
            unfixable.append(f"{claim.describe()} (no check(\"{claim.key}\", \"{claim.written}\") on that line)")
            continue
        new_text = fixed_literal(claim.written, resolve(parse_key(claim.key), results))
        quote_key, comma, quote = found.group(1), found.group(2), found.group(3)
        replacement = f"{quote_key}{claim.key}{quote_key}{comma}{quote}{new_text}{quote}"
        text = lines[claim.line - 1]
        lines[claim.line - 1] = text[:found.start()] + replacement + text[found.end():]
    diffs = []
    for path, lines in edits.items():
        updated = "".join(line + end for line, end in zip(lines, endings[path], strict=True))
        if updated != originals[path]:
            path.write_bytes(updated.encode("utf-8"))
            name = path.relative_to(root).as_posix()
            diffs.append("".join(difflib.unified_diff(originals[path].splitlines(keepends=True),
                                                      updated.splitlines(keepends=True), f"a/{name}", f"b/{name}")))
    return diffs, unfixable


def _lines(text: str) -> tuple[list[str], list[str]]:
    """``text`` split as Python's universal newlines split it (so line numbers match the check's),
    each line's ending kept apart: ``\\r\\n``, ``\\r``, ``\\n`` or nothing after the last."""
    parts = re.split(r"(\r\n|\r|\n)", text)
    return parts[0::2], [*parts[1::2], ""]
