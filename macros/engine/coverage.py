"""Coverage: every number a page's source shows a reader is tied to the lab, free or allowlisted.

Scanned, on every page (articles, home, routes, resources, timeline, guide) in every language:

* the body, with code, comments, HTML tags (but not their ``alt``, ``title`` and ``aria-label``
  text), link targets and the calls of the lab and site macros blanked out. A figure's caption is
  prose and is scanned; so is any other Jinja expression (``{{ 0.9191 }}`` prints a number that
  nothing checks);
* every text of the front matter a reader sees (title, description, FAQ questions and answers, in
  any YAML style), at the line where it is written;
* the texts of ``docs/_data/site.yml`` (route and resource titles and summaries, tag and level
  names), at their line there.

Numbers are found by macros/engine/numbers.py (Chinese text, full-width forms and TeX included). Free
numbers need nothing: single-digit integers, years, 10, 100 and 1000. Anything else that is not a
lab macro must be listed in ``allow_numbers``, a mapping of each number to the reason it is not a
lab result (a setting chosen by the author, a threshold quoted from the literature, a version).
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field

import yaml

from macros.engine.front_matter import FIRST_LINE, FRONT_MATTER, compose_yaml, file_line, load_yaml
from macros.engine.macro_names import CAPTIONS, LAB_MACROS, SITE_MACROS
from macros.engine.numbers import Number, canonical, find_numbers

# A fence may be indented (inside an admonition or a list); a line such as ```x``` is inline code.
FENCED_CODE = re.compile(r"^[ \t]*(`{3,}(?=[^`\n]*$)|~{3,}).*?^[ \t]*\1[`~]*[ \t]*$", re.S | re.M)
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")  # `a`, ``a`b``: a run closes a run as long
RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.S)
_STRING = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"""
# A macro call, read string by string so a "}}" inside a caption's LaTeX does not end it early;
# one level of nested calls is allowed (a check joined into a caption). Used by macros/engine/links.py.
MACRO_CALL = re.compile(rf"""\{{\{{\s*\w+\((?:{_STRING}|\((?:{_STRING}|[^()"'])*\)|[^()"'])*\)\s*\}}\}}"""
                        r"|\{\{.*?\}\}|\{%.*?%\}", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_RAW_TAG = re.compile(r"\{%-?\s*(?:raw|endraw)\s*-?%\}")
# An HTML tag starts with a name: "$a < 0.5$" and "x<0.5 且 y>0" are not tags.
_TAG = re.compile(r"""</?[A-Za-z][\w-]*(?:\s(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>""")
_SHOWN_ATTRIBUTE = re.compile(r"""\b(?:alt|title|aria-label|placeholder)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_LINK_TARGET = re.compile(r"\]\(\s*<?[^)\s>]*>?")
_LINK_LABEL = re.compile(r"\]\[[^\]\n]*\]")  # [text][label]: the label is not shown
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+", re.M)
_ATTRIBUTES = re.compile(r"""\{:[^{}\n]*\}|\{\s*#[\w-]+[^{}\n]*\}"""
                         r"""|\{\s*(?:\.[\w-]+\s*)*[\w-]+=(?:"[^"]*"|'[^']*'|[^\s{}]+)(?:\s+[^{}\n]*)?\}""")
_ENTITIES = re.compile(r"(?:&#?\w+;)+")
CODE_ELEMENT = re.compile(r"<(pre|code|script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
"""Code, as HTML writes it, and scripts and styles: not prose (scripts and styles are refused, below)."""
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b([^>]*)>", re.I)
_JINJA_OPEN = re.compile(r"\{\{|\{%|\{#")
_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")

NOT_SHOWN = frozenset({"date", "level", "tags", "allow_numbers", "hide", "template", "render_macros",
                       "search", "status", "icon", "id", "kind", "path", "steps", "articles"})
"""Front-matter and site-data fields a reader never sees as text (names, paths, slugs, dates)."""
SITE_DATA_SHOWN = frozenset({"tags", "levels"})
"""Site-data sections whose values are shown (the names of tags and levels), though an article's
``tags`` and a route's ``level`` are slugs."""
SHOWN_FIELDS = frozenset({"title", "description", "subtitle", "faq"})
"""Front-matter fields a reader sees (the theme and this site's templates show no others)."""
RENDERED_FIELDS = frozenset({"faq"})
"""Front-matter fields whose texts go through the macros (the others are shown as written)."""

_KNOWN_CALLS = frozenset({*LAB_MACROS, *SITE_MACROS})
"""The lab and site macros: their arguments are keys, names and checked literals, not prose."""
_JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace"})


@dataclass(frozen=True)
class Unverified:
    line: int
    number: str
    where: str = "text"  # what the reader sees it in: text, title, description, faq, site data


@dataclass
class Scan:
    """What a page (or the site data) writes by hand: numbers tied to nothing, allowlisted ones,
    and problems with the allowlist itself as ``(line, message)``."""

    unverified: list[Unverified] = field(default_factory=list)
    allowlisted: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    allowed: dict[str, str] = field(default_factory=dict)  # canonical number -> reason
    allowed_lines: dict[str, int] = field(default_factory=dict)  # canonical number -> line of its entry


def blank(text: str, patterns: list[re.Pattern[str]]) -> str:
    """Each match of each pattern, in order, replaced by spaces; every newline kept."""
    for pattern in patterns:
        text = pattern.sub(lambda m: _spaces(m.group()), text)
    return text


def _spaces(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def prose(text: str, jinja: bool = True, attributes: bool = True) -> str:
    """``text`` (Markdown) with everything a reader does not see as prose replaced by spaces, each
    newline kept, so offsets and lines still point into the source.

    With ``jinja`` the text is a template: lab and site macro calls are blanked (a figure's caption
    kept), other expressions kept. Without it the text is shown as written (a title). Without
    ``attributes`` the texts of HTML attributes (alt, title) go too: only the running text stays.
    """
    text = blank(text, [FENCED_CODE])
    if jinja:
        text = _blank_jinja(text)
    text = blank(text, [INLINE_CODE, _COMMENT, CODE_ELEMENT])
    text = _TAG.sub(_shown_attributes, text) if attributes else blank(text, [_TAG])
    text = blank(text, [_LINK_TARGET, _LINK_LABEL, _REFERENCE, _ATTRIBUTES])
    return _ENTITIES.sub(_decoded, text)


def _decoded(entities: re.Match[str]) -> str:
    """A run of HTML entities as the reader sees it (&#57;&#49; is 91), padded to its length."""
    shown = html.unescape(entities.group())
    return shown + " " * (len(entities.group()) - len(shown))


def _shown_attributes(tag: re.Match[str]) -> str:
    """An HTML tag blanked but for the attribute texts a reader sees (alt, title, aria-label)."""
    text, kept = tag.group(), [" "] * len(tag.group())
    for attribute in _SHOWN_ATTRIBUTE.finditer(text):
        start, end = attribute.span(1)
        quoted = text[start] in "\"'"
        kept[start + quoted:end - quoted] = text[start + quoted:end - quoted]
    return "".join(kept)


def _blank_jinja(text: str) -> str:
    """Jinja blanked outside ``{% raw %}`` blocks (whose content is shown as written)."""
    out, at = [], 0
    for raw in RAW_BLOCK.finditer(text):
        out.append(_template_prose(text[at:raw.start()]))
        out.append(_RAW_TAG.sub(lambda m: _spaces(m.group()), raw.group()))
        at = raw.end()
    out.append(_template_prose(text[at:]))
    return "".join(out)


def _template_prose(text: str) -> str:
    chars, at = list(text), 0
    while (opening := _JINJA_OPEN.search(text, at)) is not None:
        start = opening.start()
        closing = {"{{": "}}", "{%": "%}", "{#": "#}"}[opening.group()]
        end = _closing(text, opening.end(), closing)
        chars[start:start + 2] = "  "
        chars[end - 2:end] = "  " if text[end - 2:end] == closing else chars[end - 2:end]
        if opening.group() in ("{#", "{%"):  # a comment, or a statement: neither prints its text;
            chars[start:end] = _spaces(text[start:end])  # what a statement makes is read on the built page
        elif opening.group() == "{{":
            _blank_calls(text, opening.end(), end - 2, chars)
        at = end
    return "".join(chars)


def _closing(text: str, at: int, closing: str) -> int:
    """The offset after ``closing``, skipping quoted strings; the text's end if it never closes."""
    while at < len(text):
        if text[at] in "\"'":
            at = _string_end(text, at)
            continue
        if text.startswith(closing, at):
            return at + 2
        at += 1
    return len(text)


def _string_end(text: str, at: int) -> int:
    quote, at = text[at], at + 1
    while at < len(text) and text[at] != quote:
        at += 2 if text[at] == "\\" else 1
    return min(at + 1, len(text))


def _blank_calls(text: str, start: int, end: int, chars: list[str]) -> None:
    """Blank every lab or site macro call between ``start`` and ``end``. A figure's first argument
    (its name) goes; the rest, the caption, is prose and stays, with any call joined into it blanked."""
    at = start
    while at < end:
        if text[at] in "\"'":
            at = _string_end(text, at)
            continue
        call = _CALL.match(text, at)
        if call is None or (at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_.")):
            at += 1
            continue
        name, filtered = call.group(1), _previous_char(text, at) == "|"
        if name not in _KNOWN_CALLS and (filtered or name in _JINJA_GLOBALS):
            at = call.end()  # a filter or a Jinja function: what it prints is scanned
            continue
        # A lab or site macro; any other name is undefined, reported as such, and prints nothing.
        close = _matching_paren(text, call.end() - 1, end)
        chars[at:close] = _spaces(text[at:close])
        if name in CAPTIONS:  # its caption is prose: put it back, with any call joined into it blanked
            for position, (first, last) in enumerate(_arguments(text, call.end(), close - 1)):
                keyword = re.match(r"\s*(\w+)\s*=(?!=)", text[first:last])
                if (keyword.group(1) == CAPTIONS[name]) if keyword else position == 1:
                    first += keyword.end() if keyword else 0
                    chars[first:last] = text[first:last]
                    _blank_calls(text, first, last, chars)
        at = close


def _previous_char(text: str, at: int) -> str:
    """The last character before ``at`` that is not white space ('' if none)."""
    at -= 1
    while at >= 0 and text[at].isspace():
        at -= 1
    return text[at] if at >= 0 else ""


def _matching_paren(text: str, opening: int, end: int) -> int:
    """The offset after the parenthesis that closes the one at ``opening`` (``end`` if none)."""
    depth, at = 0, opening
    while at < end:
        char = text[at]
        if char in "\"'":
            at = _string_end(text, at)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        at += 1
        if depth == 0:
            return at
    return end


def _arguments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the top-level arguments between ``start`` and ``end`` (a call's parentheses)."""
    spans, depth, first, at = [], 0, start, start
    while at < end:
        char = text[at]
        if char in "\"'":
            at = _string_end(text, at)
            continue
        if char == "," and depth == 0:
            spans.append((first, at))
            first = at + 1
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        at += 1
    return [*spans, (first, end)]


# -- allowlists ---------------------------------------------------------------------------------------
def read_allowlist(node: yaml.Node | None, line_of: int) -> Scan:
    """``allow_numbers`` read into an empty Scan: canonical number -> reason and line, and problems as
    ``(line, message)``. ``line_of`` is added to the node's 0-based line to give the file line."""
    if node is None:
        return Scan()
    line = node.start_mark.line + line_of
    if not isinstance(node, yaml.MappingNode):
        return Scan(problems=[(line, "allow_numbers must map each number to the reason it is not a lab result, e.g.\n"
                           "allow_numbers:\n  \"0.01\": initial weight scale, chosen for the example")])
    result = Scan()
    allowed, problems = result.allowed, result.problems
    for key, reason in node.value:
        where = key.start_mark.line + line_of
        if not isinstance(key, yaml.ScalarNode) or len(find_numbers(key.value)) != 1:
            problems.append((where, f"allow_numbers: '{getattr(key, 'value', key)}' is not one number; "
                                    "list each number on its own line"))
            continue
        if not isinstance(reason, yaml.ScalarNode) or not reason.value.strip() or reason.tag.endswith(":null"):
            problems.append((where, f"allow_numbers: give the reason {key.value} is not a lab result "
                                    "(a setting, a convention, a quoted value)"))
            continue
        allowed[canonical(key.value)] = reason.value
        result.allowed_lines[canonical(key.value)] = where
    return result


# -- scans ---------------------------------------------------------------------------------------------
def scan(text: str) -> Scan | None:
    """The hand-written numbers of a page: body and front matter. None when its front matter is not
    YAML (reported by front_matter_problem, with its line)."""
    match = FRONT_MATTER.match(text)
    shown = [" "] * len(text)
    where: list[tuple[int, str]] = []  # (offset, field) where each scanned front-matter text starts
    listed, hidden = Scan(), []
    if match:
        try:
            root = compose_yaml(match.group(1))
        except yaml.YAMLError:
            return None
        fields = _fields(root)
        base = match.start(1)
        for name, node in fields.items():
            if name not in SHOWN_FIELDS:
                continue
            for scalar in _scalars(node):
                start, end = base + scalar.start_mark.index, base + scalar.end_mark.index
                shown[start:end] = prose(text[start:end], jinja=name in RENDERED_FIELDS)
                where.append((start, name))
                hidden += [Unverified(file_line(scalar.start_mark.line), number, name)
                           for number in _resolved_only(scalar, text[start:end])]
        listed = read_allowlist(fields.get("allow_numbers"), FIRST_LINE)
        body_start = match.end()
    else:
        body_start = 0
    shown[body_start:] = prose(text[body_start:])
    where.append((body_start, "text"))
    listed.problems += _scripts_and_styles(text, body_start)
    if match is None or "title" not in fields:
        listed.problems += _macro_in_title(text, body_start)
    where.sort()
    result = _tally("".join(_with_newlines(shown, text)), text, listed, where)
    result.unverified += [u for u in hidden if canonical(u.number) not in result.allowed]
    return result


def scan_site_data(text: str) -> Scan:
    """The texts of ``docs/_data/site.yml`` a reader sees, with its own ``allow_numbers``."""
    try:
        root = compose_yaml(text)
    except yaml.YAMLError:
        return Scan()  # reported by the site model, with its line
    shown, hidden = [" "] * len(text), []
    fields = _fields(root)
    for name, node in fields.items():
        if name in NOT_SHOWN and name not in SITE_DATA_SHOWN:
            continue
        for scalar in _scalars(node):
            start, end = scalar.start_mark.index, scalar.end_mark.index
            shown[start:end] = prose(text[start:end], jinja=False)
            hidden += [Unverified(scalar.start_mark.line + 1, number, "site data")
                       for number in _resolved_only(scalar, text[start:end])]
    listed = read_allowlist(fields.get("allow_numbers"), 1)
    # The site data's list also covers the theme's and mkdocs.yml's texts (macros/check/built_scan.py).
    result = _tally("".join(_with_newlines(shown, text)), text, listed, [(0, "site data")], unused=False)
    result.unverified += [u for u in hidden if canonical(u.number) not in result.allowed]
    return result


def _fields(root: yaml.Node | None) -> dict[str, yaml.Node]:
    """A mapping node's fields by name (keys that are not plain text are not fields)."""
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}


def _macro_in_title(text: str, body_start: int) -> list[tuple[int, str]]:
    """A page without a front-matter title takes its first heading as its title in the navigation,
    the browser tab and the share metadata, where macros do not run: one there shows as raw text."""
    outside_code = blank(text[body_start:], [FENCED_CODE])
    heading = re.search(r"^#[ \t]+(.+)$", outside_code, re.M)
    if heading is None or not re.search(r"\{\{|\{%", heading.group(1)):
        return []
    line = text[:body_start].count("\n") + outside_code[:heading.start()].count("\n") + 1
    return [(line, "this heading is the page's title in the navigation and the browser tab, where macros do not "
                   "run; give the page a title: in its front matter, without macros")]


def _scripts_and_styles(text: str, body_start: int) -> list[tuple[int, str]]:
    """An inline script or style in the body (outside code): it can put text on the page that no
    check reads, so it is refused with what to do instead."""
    outside_code = blank(text[body_start:], [FENCED_CODE, INLINE_CODE, _COMMENT])
    problems = []
    for tag in _SCRIPT_OR_STYLE.finditer(outside_code):
        if "ld+json" in tag.group(2):
            continue
        line = text[:body_start].count("\n") + outside_code[:tag.start()].count("\n") + 1
        if tag.group(1).lower() == "script":
            problems.append((line, "an inline <script> can write text no check reads; put interactive code in "
                                   "docs/assets/modules/ and place it with module()"))
        else:
            problems.append((line, "an inline <style> can show text (content:) no check reads; put styles in "
                                   "docs/assets/stylesheets/"))
    return problems


def _scalars(node: yaml.Node, seen: set[int] | None = None) -> list[yaml.ScalarNode]:
    """Every scalar a reader sees under ``node``: values, not mapping keys; fields in NOT_SHOWN
    skipped; a node reached again through an alias counted once (a recursive alias ends)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return []
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [scalar for item in node.value for scalar in _scalars(item, seen)]
    if isinstance(node, yaml.MappingNode):
        return [scalar for key, value in node.value
                if getattr(key, "value", None) not in NOT_SHOWN for scalar in _scalars(value, seen)]
    return []


def _resolved_only(scalar: yaml.ScalarNode, raw: str) -> list[str]:
    """Numbers a scalar shows that its source text does not: escapes in a double-quoted string
    (\\x39 is 9) or a plain scalar YAML reads as a number (0x23C7 is 9159)."""
    if scalar.style not in ('"', '', None):
        return []
    try:
        shown = str(load_yaml(raw)) if not scalar.style else str(load_yaml(raw.replace("\n", " ")))
    except yaml.YAMLError:
        return []
    written = {n.canonical for n in find_numbers(raw)}
    return [n.text for n in find_numbers(shown) if not n.free and n.canonical not in written]


def _with_newlines(shown: list[str], text: str) -> list[str]:
    """Newlines put back where the source has them, so line numbers hold."""
    for at in [m.start() for m in re.finditer("\n", text)]:
        shown[at] = "\n"
    return shown


def _tally(scanned: str, text: str, result: Scan, where: list[tuple[int, str]], unused: bool = True) -> Scan:
    """``result`` (an allowlist already read) with every number of ``scanned`` counted in it; with
    ``unused``, an entry no text writes is a problem."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    starts = [offset for offset, _ in where]
    allowed = result.allowed
    used: set[str] = set()
    for number in find_numbers(scanned):
        if number.free:
            continue
        if number.canonical in allowed:
            result.allowlisted += 1
            used.add(number.canonical)
            continue
        line = bisect.bisect_right(line_starts, number.start)
        kind = where[bisect.bisect_right(starts, number.start) - 1][1] if where else "text"
        result.unverified.append(Unverified(line, _as_written(text, number), kind))
    for number in sorted(set(allowed) - used) if unused else []:
        result.problems.append((result.allowed_lines[number], f"allow_numbers lists {number}, but no text "
                                "here writes it; remove it from the list"))
    return result


def _as_written(text: str, number: Number) -> str:
    """The number as the author wrote it, or as the reader reads it where an entity wrote it."""
    written = text[number.start:number.end]
    return number.text if "&" in written else written
