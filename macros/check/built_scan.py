"""The proof from the other side: every number in the built site is accounted for.

The source scan (macros/engine/coverage.py) reads what authors write. This module reads what readers get:
after every language is built, each HTML page is parsed, and every number in its visible text,
``alt``/``title``/``aria-label``/``placeholder`` attributes, ``<title>``, description and social
metadata, and JSON-LD must be one of

* free (macros/engine/numbers.py: single digits, years, 10, 100, 1000, dates);
* printed by a lab macro on that page's source (a value, a checked, approximate or bounded
  number, a table cell);
* in that page's ``allow_numbers``;
* a site fact: printed by the site's own code (reading times, step numbers, counts, file sizes and
  checksums, numbers recomputed), or in any page's title or description or in the site data, whose
  numbers the source scan has already vetted, or in the site data's own ``allow_numbers``, which also
  covers the theme's and ``mkdocs.yml``'s texts.

Code (``<pre>``, ``<code>``), scripts other than JSON-LD, styles and inline SVG are not scanned.
A number that is none of these is reported where it was written, when a source file writes it,
and otherwise at the page's source with the words around it on the built page: then a template
expression or changed macro output made it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from lab.runner.sealed import read_sealed, write_sealed
from macros.engine.claims import NUMBER, UNVERIFIED, Claim, error_claim
from macros.engine.links import active_content
from macros.engine.numbers import canonical_numbers, find_numbers
from macros.features.pages import SiteMacros
from macros.files import project_path

_SKIPPED = {"script", "style", "pre", "code", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "data", "del", "dfn", "em", "i", "ins", "mark", "q", "s",
           "small", "span", "strong", "sub", "sup", "time", "u", "var", "label"}
_SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "value", "label", "start", "srcdoc")
_SHOWN_META = {"description", "og:title", "og:description", "twitter:title", "twitter:description",
               "og:site_name", "author"}


@dataclass(frozen=True)
class Shown:
    """A number on a built page: as shown, its comparable form, where on the page, and the words around it."""

    number: str
    canonical: str
    place: str
    context: str
    near: str = ""  # the few characters on either side, to find the source line by its words
    negated_product: bool = False  # "-0.18\, g_0" in math: the minus belongs to the product, not the number


class _Reader(HTMLParser):
    """Collects the texts of one page a reader sees, by place (text, an attribute, metadata, JSON-LD)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []  # (place, text)
        self._body: list[str] = []
        self._skipping: list[str] = []  # open skipped elements
        self._json_ld = False
        self._title = False
        self._title_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name in _SHOWN_ATTRIBUTES:
            if attributes.get(name) and not self._skipping:
                if name == "srcdoc":  # an embedded page: its own text
                    self.texts += [(f"srcdoc {place}", text) for place, text in _read(attributes[name])]
                else:
                    self.texts.append((name, attributes[name]))
        if tag == "meta" and (attributes.get("name") in _SHOWN_META or attributes.get("property") in _SHOWN_META):
            self.texts.append((f"meta {attributes.get('name') or attributes.get('property')}",
                               attributes.get("content", "")))
        if tag == "title":
            self._title = True
        if tag in _VOID:
            return
        if tag == "script" and attributes.get("type") == "application/ld+json":
            self._json_ld = True
            self._skipping.append(tag)
            return
        if tag in _SKIPPED or self._skipping:
            self._skipping.append(tag)
            return
        if tag not in _INLINE:
            self._body.append("\n")  # a block ends: the words around a number stop here

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title = False
            self.texts.append(("<title>", "".join(self._title_text)))
            self._title_text = []
        if self._skipping:
            if tag in self._skipping:
                while self._skipping and self._skipping.pop() != tag:
                    pass
            if not self._skipping:
                self._json_ld = False
            return
        if tag not in _INLINE and tag not in _VOID:
            self._body.append("\n")

    def handle_data(self, data: str) -> None:
        if self._title:
            self._title_text.append(data)
            return
        if self._json_ld:
            self.texts.extend(("JSON-LD", text) for text in _json_strings(data))
            return
        if not self._skipping:
            self._body.append(data)

    def result(self) -> list[tuple[str, str]]:
        return [("text", "".join(self._body)), *self.texts]


def _json_strings(data: str) -> list[str]:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read: scan it as text
        return [data]
    found: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for inner in item.values():
                walk(inner)
        elif isinstance(item, list):
            for inner in item:
                walk(inner)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            found.append(repr(item))

    try:
        walk(value)
    except RecursionError:
        return [data]
    return found


def _read(html: str) -> list[tuple[str, str]]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.result()


def shown_numbers(html: str) -> list[Shown]:
    """Every non-free number a reader of this HTML page sees, with its place and the words around it."""
    numbers = []
    for place, text in _read(html):
        math = [(m.start(), m.end()) for m in _MATH.finditer(text)]
        for number in find_numbers(text):
            if not number.free:
                around = " ".join(text[max(0, number.start - 40):number.end + 40].split())
                product = (number.canonical.startswith("-") and any(a < number.start < b for a, b in math)
                           and bool(_PRODUCT.match(text, number.end)))
                block_start = text.rfind("\n", 0, number.start) + 1
                block_end = text.find("\n", number.end) % (len(text) + 1)
                near = text[max(block_start, number.start - 15):min(block_end, number.end + 15)]
                numbers.append(Shown(number.text, number.canonical, place, around, near, product))
    return numbers


_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)  # arithmatex's \( … \) and \[ … \]
# A product: an explicit sign, or a thin space and then a variable (g_0, \\theta), not a unit.
_PRODUCT = re.compile(r"\s*(?:\\times|\\cdot|×|·|\\,\s*(?:[A-Za-z](?![A-Za-z{])|\\(?:alpha|beta|gamma|delta|"
                      r"epsilon|varepsilon|eta|theta|lambda|mu|sigma|nabla|partial)(?![A-Za-z])))")


@dataclass
class Ledger:
    """What may appear: per source page, the numbers its lab macros printed and its allowlist; and
    the site facts, which may appear on any page."""

    pages: dict[str, set[str]] = field(default_factory=dict)  # source page -> canonical numbers
    site: set[str] = field(default_factory=set)

    def add_page(self, page: str, texts: Iterable[str]) -> None:
        self.pages.setdefault(page, set()).update(canonical_numbers(texts))

    def accounts_for(self, page: str | None, number: str) -> bool:
        return number in self.site or (page is not None and number in self.pages.get(page, set()))


def built_page_of(page: str, default_language: str) -> str:
    """The HTML file MkDocs writes for a source page, relative to the site root
    (``docs/zh/routes/x.md`` -> ``zh/routes/x/index.html``; directory URLs)."""
    match = re.match(r"(?:.*/)?docs/([^/]+)/(.+)\.md$", page)
    if match is None:
        return ""
    lang, rest = match.groups()
    prefix = "" if lang == default_language else f"{lang}/"
    if rest == "index" or rest.endswith("/index"):
        rest = rest[: -len("index")]
    else:
        rest += "/"
    return f"{prefix}{rest}index.html"


def unaccounted(site_dir: Path, ledger: Ledger, sources: dict[str, str], written_in: list[Path],
                root: Path, cache: Path | None = None,
                extra: list[tuple[str, str | None, str, str]] = ()) -> list[Claim]:
    """A claim for each number on a built page of ``site_dir`` that ``ledger`` does not account for.

    ``sources`` maps built file (relative to the site) -> source page; ``written_in`` are the files
    searched for where an unaccounted number was written (pages, site data, mkdocs.yml, templates).
    ``cache`` keeps each page's numbers by the SHA-256 of its bytes, so an unchanged page is not
    parsed again (HTML parsing is most of this check's time). ``extra`` are texts shown outside
    the HTML, such as the share cards' images: ``(label, source page or None, place, text)``.
    """
    claims, seen = [], set()
    lines: list[tuple[Path, int, set[str]]] | None = None  # read only when something is unaccounted
    texts: dict[Path, list[str]] = {}
    known, clean = _load_cache(cache)
    fresh: dict[str, list[Shown]] = {}
    fresh_clean: set[str] = set()

    def active(data: bytes, digest: str, built: str, where: str, svg: bool = False) -> list[Claim]:
        """What in a file would run code, scanned once per version of the file (a warm build reads none)."""
        found = [] if digest in clean else _active(data, built, where, svg)
        if not found:
            fresh_clean.add(digest)
        return found

    shown_where: list[tuple[str, str | None, list[Shown]]] = []
    for html_path in sorted(path for path in site_dir.rglob("*") if path.suffix.lower() in _PAGES):
        built = html_path.relative_to(site_dir).as_posix()
        data = html_path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        numbers = known.get(digest)
        if numbers is None:
            numbers = shown_numbers(data.decode("utf-8", errors="replace"))
        fresh[digest] = numbers
        shown_where.append((built, sources.get(built), numbers))
        claims += active(data, digest, built, sources.get(built) or built)
    for svg in sorted(path for path in site_dir.rglob("*") if path.suffix.lower() in (".svg", ".svgz")):
        built, data = svg.relative_to(site_dir).as_posix(), svg.read_bytes()  # opened on its own, it runs
        if svg.suffix.lower() == ".svgz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                claims.append(error_claim(built, 1, f"the built file {built} is not a readable gzip file: remove it"))
                continue
        claims += active(data, hashlib.sha256(data).hexdigest(), built, built, svg=True)
    changed = fresh.keys() != known.keys() or fresh_clean != clean
    for label, page, place, text in extra:
        shown_where.append((label, page, [Shown(n.text, n.canonical, place, text, text)
                                          for n in find_numbers(text) if not n.free]))
    for built, page, numbers in shown_where:
        for shown in numbers:
            if ledger.accounts_for(page, shown.canonical) or (
                    shown.negated_product and ledger.accounts_for(page, shown.canonical[1:])):
                continue
            if lines is None:
                texts = _file_lines(written_in)
                lines = _source_lines(texts)
            where, line, written = _written_at(shown, page, texts, lines, root)
            key = (where or built, line, shown.canonical)
            if key in seen:
                continue
            seen.add(key)
            claims.append(Claim(where or built, line, NUMBER, "", shown.number, "", UNVERIFIED,
                                _message(shown, built, where if written else None, page)))
    if changed:  # a warm build of an unchanged site writes nothing
        _store_cache(cache, fresh, fresh_clean)
    return claims


_HINTS = (b"javascript:", b"vbscript:", b"data:", b"&#", b"&colon", b"srcdoc", b"script")
"""What a file must contain, once tabs and newlines are dropped (browsers drop them from addresses),
for anything in it to run code or hide content: most files hold none, and are not parsed."""
_HANDLER_HINT = re.compile(rb"""[\s"'/]on[a-z]+\s*=""", re.I)


def _active(data: bytes, built: str, where: str, svg: bool = False) -> list[Claim]:
    """Claims for what in a built file would run code or show unchecked content (macros/engine/links.py)."""
    low = data.lower().translate(None, b"\t\n\r")
    hints = _HINTS if svg else _HINTS[:-1]  # every built page holds the theme's own scripts
    if not (any(hint in low for hint in hints) or _HANDLER_HINT.search(data)):
        return []
    return [error_claim(where, line if where == built else 1,
                        f"the built file {built} holds, at its line {line}, {what}; link to a page or file of the "
                        "site or an https:// address, and keep scripts and event handlers out")
            for line, what in active_content(data.decode("utf-8", errors="replace"), svg)]


_PAGES = (".html", ".htm", ".xhtml", ".xht")
_CACHE_VERSION = "built-numbers-3"


def _load_cache(cache: Path | None) -> tuple[dict[str, list[Shown]], set[str]]:
    """Each page's numbers by its SHA-256, and the SHA-256 of every file found free of active content."""
    if cache is None:
        return {}, set()
    payload = read_sealed(cache)  # a damaged or edited cache is deleted: every page is read again
    try:
        data = json.loads(payload.decode("utf-8")) if payload is not None else {}
        if data.get("version") != _CACHE_VERSION or data.get("tokenizer") != _tokenizer_digest():
            return {}, set()
        pages = {digest: [Shown(*item) for item in items] for digest, items in data["pages"].items()}
        return pages, {str(digest) for digest in data["clean"]}
    except Exception:  # truncated or foreign: parse every page again
        return {}, set()


def _store_cache(cache: Path | None, pages: dict[str, list[Shown]], clean: set[str]) -> None:
    if cache is None:
        return
    data = {"version": _CACHE_VERSION, "tokenizer": _tokenizer_digest(),
            "pages": {digest: [astuple(item) for item in items] for digest, items in pages.items()},
            "clean": sorted(clean)}
    write_sealed(cache, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _tokenizer_digest() -> str:
    """The code that turns a page into numbers: a change to it makes every cached page stale."""
    digest = hashlib.sha256()
    macros_dir = Path(__file__).resolve().parent.parent
    for module in ("engine/numbers.py", "check/built_scan.py", "engine/links.py"):
        digest.update((macros_dir / module).read_bytes())
    return digest.hexdigest()


def _message(shown: Shown, built: str, where: str | None, page: str | None) -> str:
    found = (f"{'the built page ' if built.endswith('.html') else ''}{built} shows {shown.number} "
             f"({shown.place}: \"…{shown.context}…\"), and nothing accounts for it")
    if where is None:
        return (found + ": no source writes it, so a template expression or a change to a macro's output "
                "made it; print lab numbers with value() or check() and nothing else")
    if page is None or where != page:
        return (found + ": if it is a lab result move it into an article's text as a check(); otherwise "
                "add it to allow_numbers in docs/_data/site.yml with the reason")
    return found + ": write it with check(key, \"…\"), or add it to allow_numbers with the reason"


def _file_lines(files: list[Path]) -> dict[Path, list[str]]:
    """Each readable file's lines, read once for every lookup of one scan."""
    texts = {}
    for path in files:
        try:
            texts[path] = path.read_text(encoding="utf-8-sig").split("\n")
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def _source_lines(texts: dict[Path, list[str]]) -> list[tuple[Path, int, set[str]]]:
    """Every line that writes a digit, with the numbers it writes."""
    return [(path, number, {n.canonical for n in find_numbers(line)})
            for path, lines in texts.items() for number, line in enumerate(lines, start=1)
            if any(char.isdigit() for char in line)]


def _written_at(shown: Shown, page: str | None, texts: dict[Path, list[str]],
                lines: list[tuple[Path, int, set[str]]], root: Path) -> tuple[str | None, int, bool]:
    """Where ``shown`` was written, and whether a source writes it literally.

    The page's own source first; then the site data, mkdocs.yml or a template, when its line shares
    a word with the number's surroundings (another page's number on this one was put here by them);
    otherwise the line of the page's source, or of a template, whose words surround it best.
    """
    near = _words(shown.near)
    candidates = [(path, line) for path, line, numbers in lines if shown.canonical in numbers]
    names = [project_path(path, root) for path, _ in candidates]
    if page is not None and page in names:
        return page, candidates[names.index(page)][1], True
    others = [(name, line, path) for (path, line), name in zip(candidates, names, strict=True)
              if not name.endswith(".md")]
    for name, line, path in others:
        if page is None or near & _words(texts[path][line - 1]):
            return name, line, True
    own = [path for path in texts if page is not None and project_path(path, root) == page]
    templates = [path for path in texts if not project_path(path, root).endswith(".md")]
    best = _best_line(own, texts, near) or _best_line(templates, texts, near)
    if best is not None:
        return project_path(best[0], root), best[1], False
    return page, 1, False


def _best_line(files: list[Path], texts: dict[Path, list[str]], words: set[str]) -> tuple[Path, int] | None:
    """The line, among ``files``, that shares the most of ``words`` (at least two)."""
    best, score = None, 1
    for path in files:
        for number, line in enumerate(texts[path], start=1):
            shared = len(words & _words(line))
            if shared > score:
                best, score = (path, number), shared
    return best


def _words(text: str) -> set[str]:
    """Latin words of three letters or more, and every pair of adjacent Han characters."""
    return set(re.findall(r"[A-Za-z]{3,}", text)) | set(re.findall(r"(?=([\u4e00-\u9fff]{2}))", text))


THEME_NUMBERS = {"404": "the title of the theme's not-found page"}
"""Numbers the theme itself writes on every site."""


def ledger_of(report: Any, docs_dir: Path) -> Ledger:
    """What each page may show, and what every page may (see the module's docstring).

    A page's own: what its lab and site macros printed, its allowlist, its count of recomputed
    numbers (the badge) and, for an article, the context block the build adds (route, step,
    neighbours). Every page's: the theme's own numbers, the site data's allowlist, and the numbers
    of page titles (the navigation shows them everywhere) that the titled page's allowlist names.
    """
    ledger = Ledger(site=set(THEME_NUMBERS) | set(report.site_allowed))
    model = report.site
    for page, rendered in report.rendered.items():
        ledger.pages.setdefault(page, set()).update(rendered.numbers)
        own = [str(report.recomputed(page))]
        match = re.match(r"(?:.*/)?docs/(([^/]+)/(.+))\.md$", page)
        if model is not None and match and match.group(3) in model.articles.get(match.group(2), {}):
            site = SiteMacros(model, match.group(1) + ".md", docs_dir)
            own.append(site.article_context(match.group(3)))
        ledger.add_page(page, own)
        titles = canonical_numbers(report.titles.get(page, []))
        ledger.site.update(titles & set(rendered.allowed))
    return ledger
