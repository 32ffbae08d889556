"""A numbers diff as Markdown (for a pull request's step summary), as HTML (figures shown before and
after, side by side, in one self-contained file) and as JSON."""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable

from macros.diff.compare import ADDED, CHANGED, REMOVED, Diff, FileChange, NumberChange

_LONG = 60  # characters of a lab value shown in a table cell


def headline(diff: Diff) -> str:
    """One line: how many published numbers and lab files changed, by language and by kind."""
    published = diff.published
    if not published:
        numbers = f"No published number changed ({diff.count_after} lab numbers)"
    else:
        counts = Counter(n.status for n in published)
        languages = Counter(n.language or "other" for n in published)
        by_language = ", ".join(f"{lang} {n}" for lang, n in sorted(languages.items()))
        numbers = (f"{counts[CHANGED]} lab number(s) changed, {counts[ADDED]} added, {counts[REMOVED]} removed "
                   f"({by_language})")
    if diff.lab_only:
        numbers += f"; {len(diff.lab_only)} lab value(s) moved under unchanged text"
    if diff.files:
        kinds = Counter(f.kind for f in diff.files)
        files = f"{len(diff.files)} lab file(s) changed ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})"
    else:
        files = "no lab file changed"
    return f"{numbers}; {files}."


def markdown(diff: Diff) -> str:
    lines = [f"## Numbers diff: {diff.base} → {diff.head}", "", f"**{headline(diff)}**", ""]
    if diff.problems_before or diff.problems_after:
        lines += [f"Problems found by the check: {diff.problems_before} before, {diff.problems_after} after.", ""]
    if diff.new_problems:
        lines += ["| new problem | what |", "| --- | --- |"]
        lines += [f"| `{p.page}:{p.line}` | {_cell(p.message, whole=True)} |" for p in diff.new_problems]
        lines.append("")
    if diff.published:
        lines += _numbers_table(diff.published)
    if diff.files:
        lines += ["| lab file | change | before | after |", "| --- | --- | ---: | ---: |"]
        lines += [f"| `{f.path}` | {_file_change(f)} | {_size(f.before)} | {_size(f.after)} |" for f in diff.files]
        lines.append("")
    if diff.lab_only:
        lines += ["<details><summary>Lab values that moved under unchanged text</summary>", "",
                  *_numbers_table(diff.lab_only), "</details>", ""]
    return "\n".join(lines)


def _numbers_table(numbers: list[NumberChange]) -> list[str]:
    return ["| where | key | before | after | lab value |", "| --- | --- | --- | --- | --- |",
            *(_number_row(n) for n in numbers), ""]


def _where(n: NumberChange) -> tuple[str, str]:
    """``page:line`` of a number, and a note: removed, new, or the line it had before."""
    if n.status == REMOVED:
        return f"{n.page}:{n.line_before}", "(removed)"
    if n.status == ADDED:
        return f"{n.page}:{n.line_after}", "(new)"
    moved = f"(line {n.line_before} before)" if n.line_before != n.line_after else ""
    return f"{n.page}:{n.line_after}", moved


def _cell(text: str, whole: bool = False) -> str:
    text = text if whole or len(text) <= _LONG else text[: _LONG - 1] + "…"
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _number_row(n: NumberChange) -> str:
    page, note = _where(n)
    where = f"`{page}`" + (f" {note}" if note else "")
    before = _cell(n.before) + _verdict(n.verdict_before) if n.status != ADDED else "—"
    after = _cell(n.after) + _verdict(n.verdict_after) if n.status != REMOVED else "—"
    if n.lab_before == n.lab_after:
        lab = f"{_cell(n.lab_after)} (unchanged)"
    else:
        lab = f"{_cell(n.lab_before) or '—'} → {_cell(n.lab_after) or '—'}"
    return f"| {where} | `{_cell(n.key)}` | {before} | {after} | {lab} |"


def _verdict(verdict: str) -> str:
    return "" if verdict in ("ok", "") else f" **({verdict})**"


def _size(data: bytes | None) -> str:
    if data is None:
        return "—"
    return f"{len(data):,} B" if len(data) < 10_000 else f"{len(data) / 1024:,.1f} KiB"


def _markdown_code(name: str) -> str:
    return f"`{name}`"


def _html_code(name: str) -> str:
    return f"<code>{html.escape(name)}</code>"


def _file_change(f: FileChange, code: Callable[[str], str] = _markdown_code) -> str:
    """What changed in a lab file, in words; ``code`` wraps each member name (Markdown by default)."""
    if f.status != CHANGED:
        return f.status
    assert f.before is not None
    assert f.after is not None
    if f.kind == "figure":
        return "redrawn"
    if f.kind == "table":
        old, new = f.before.decode(errors="replace").splitlines(), f.after.decode(errors="replace").splitlines()
        rows = sum(1 for a, b in zip(old, new, strict=False) if a != b) + abs(len(old) - len(new))
        return f"{rows} row(s) differ"
    members = _zip_members(f.before), _zip_members(f.after)
    if members[0] is not None and members[1] is not None:
        moved = sorted(name for name in set(members[0]) | set(members[1])
                       if members[0].get(name) != members[1].get(name))
        return f"{len(moved)} member(s) differ: " + ", ".join(code(m) for m in moved[:8]) + (
            ", …" if len(moved) > 8 else "")
    return "bytes differ"


def _zip_members(data: bytes) -> dict[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: hashlib.sha256(archive.read(info)).hexdigest() for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def to_json(diff: Diff) -> str:
    def sha(data: bytes | None) -> str | None:
        return hashlib.sha256(data).hexdigest() if data is not None else None

    data = {
        "base": diff.base, "head": diff.head, "summary": headline(diff),
        "problems": {"before": diff.problems_before, "after": diff.problems_after},
        "numbers": [{**n.__dict__, "line": n.line, "language": n.language, "published": n.published}
                    for n in diff.numbers],
        "new_problems": [p.__dict__ for p in diff.new_problems],
        "files": [{"path": f.path, "kind": f.kind, "status": f.status, "sha256_before": sha(f.before),
                   "sha256_after": sha(f.after), "bytes_before": None if f.before is None else len(f.before),
                   "bytes_after": None if f.after is None else len(f.after)} for f in diff.files],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; vertical-align: top; text-align: left; }
code { font-size: 90%; }
.stale, .error, .unverified { color: #b00020; font-weight: 600; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.pair figure { margin: 0; border: 1px solid #ccc; padding: .5rem; }
.pair img { width: 100%; height: auto; background: #fff; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; }
.del { color: #b00020; } .ins { color: #006400; }
"""


def to_html(diff: Diff) -> str:
    """One self-contained page: the numbers table, then each changed figure before and after (embedded,
    not linked), each changed table as a line diff and each download's changed members."""
    e = html.escape
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Numbers diff: {e(diff.base)} → {e(diff.head)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>Numbers diff: {e(diff.base)} → {e(diff.head)}</h1>", f"<p><strong>{e(headline(diff))}</strong></p>"]
    if diff.problems_before or diff.problems_after:
        out.append(f"<p>Problems found by the check: {diff.problems_before} before, {diff.problems_after} after.</p>")
    if diff.new_problems:
        out += ["<h2>New problems</h2>", "<table><tr><th>where</th><th>what</th></tr>"]
        out += [f"<tr><td><code>{e(p.page)}:{p.line}</code></td><td>{e(p.message)}</td></tr>"
                for p in diff.new_problems]
        out.append("</table>")
    for title, numbers in (("Numbers", diff.published), ("Lab values that moved under unchanged text", diff.lab_only)):
        if not numbers:
            continue
        out += [f"<h2>{title}</h2>", "<table><tr><th>where</th><th>key</th><th>before</th><th>after</th>"
                "<th>lab before</th><th>lab after</th></tr>"]
        for n in numbers:
            page, note = _where(n)
            lab_after = "(unchanged)" if n.lab_before == n.lab_after else f"<code>{e(n.lab_after)}</code>"
            out.append(f"<tr><td><code>{e(page)}</code> {e(note)}</td><td><code>{e(n.key)}</code></td>"
                       f"<td>{_shown_html(n.before, n.verdict_before)}</td><td>{_shown_html(n.after, n.verdict_after)}"
                       f"</td><td><code>{e(n.lab_before)}</code></td><td>{lab_after}</td></tr>")
        out.append("</table>")
    for f in diff.files:
        out.append(f"<h2><code>{e(f.path)}</code>: {_file_change(f, _html_code)}</h2>")
        if f.kind == "figure":
            out.append('<div class="pair">' + _figure("before", f.path, f.before) + _figure("after", f.path, f.after)
                       + "</div>")
        elif f.kind == "table":
            out.append(_table_diff(f))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _shown_html(text: str, verdict: str) -> str:
    if not verdict:
        return "—"
    mark = f' <span class="{html.escape(verdict)}">({html.escape(verdict)})</span>' if verdict != "ok" else ""
    return f"{html.escape(text)}{mark}"


def _figure(label: str, path: str, data: bytes | None) -> str:
    if data is None:
        return f"<figure><figcaption>{label}: none</figcaption></figure>"
    mime = "image/svg+xml" if path.endswith(".svg") else "image/png"
    source = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return f'<figure><figcaption>{label}</figcaption><img src="{source}" alt="{html.escape(path)}, {label}"></figure>'


def _table_diff(f: FileChange) -> str:
    old = (f.before or b"").decode(errors="replace").splitlines()
    new = (f.after or b"").decode(errors="replace").splitlines()
    lines = []
    for line in list(difflib.unified_diff(old, new, "before", "after", lineterm="", n=1))[2:]:
        css = "del" if line.startswith("-") else "ins" if line.startswith("+") else ""
        lines.append(f'<span class="{css}">{html.escape(line)}</span>' if css else html.escape(line))
    return "<pre>" + "\n".join(lines) + "</pre>"
