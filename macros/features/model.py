"""The site's structure, read from one data file and the articles' front matter (no MkDocs).

``docs/_data/site.yml`` holds the learning routes, the companion resources and the names of tags
and levels in each language. Each article's own front matter holds its date, level, tags and FAQ.
Everything a reader sees about where an article sits (route, step, neighbours, resources,
reading time) is derived from these two places, so no page repeats another by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from macros.engine.front_matter import article_front_matter, compose_yaml, file_line, load_yaml
from macros.files import project_path

LANGUAGES = ("en", "zh")
LEVELS = ("beginner", "intermediate", "advanced")
RESOURCE_KINDS = ("guide", "dataset", "diagram", "tool")
WORDS_PER_MINUTE = 200  # English prose
CHARS_PER_MINUTE = 400  # Chinese prose, counted in Han characters
DISPLAY_SECONDS = 15  # a display equation is read, then checked against the text around it
INLINE_SECONDS = 1  # an inline formula
CODE_LINE_SECONDS = 2  # a line of code
SOURCE_LINES = 8  # a lab_source() block, in lines
NUMBER_SECONDS = 1  # a lab number, compared with what came before
FIGURE_SECONDS = 10  # a figure and its caption
TABLE_SECONDS = 15  # a table


@dataclass(frozen=True)
class Problem:
    """A mistake in the site data or an article's front matter, at its file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


Where = tuple[str, int]
"""A file as messages name it, and a line in it."""


class SiteDataError(ValueError):
    """Invalid route, resource or front-matter data, at ``problem``'s file and line."""

    def __init__(self, where: Where, message: str) -> None:
        super().__init__(f"{where[0]}:{where[1]}: {message}")
        self.problem = Problem(*where, message)


class UnreadableFrontMatterError(SiteDataError):
    """Front matter that is not YAML at all (macros.engine.front_matter.front_matter_problem reports it)."""


@dataclass(frozen=True)
class Article:
    slug: str
    lang: str
    title: str
    description: str
    date: dt.date
    level: str
    tags: tuple[str, ...]
    faq: tuple[tuple[str, str], ...]
    minutes: int  # shown; the same in every language (_agree_on_reading_time)
    allow_numbers: tuple[str, ...] = ()
    seconds: float = 0.0  # this language's own estimate (reading_seconds)


@dataclass(frozen=True)
class Route:
    id: str
    level: str
    title: dict[str, str]
    summary: dict[str, str]
    steps: tuple[str, ...]
    line: int = 0  # of its entry in site.yml, for error messages
    step_lines: tuple[int, ...] = ()  # of each step, likewise


@dataclass(frozen=True)
class Resource:
    id: str
    kind: str
    path: dict[str, str]  # per language, relative to the docs folder, e.g. assets/lab/gradient-check-results.csv
    title: dict[str, str]
    description: dict[str, str]
    articles: tuple[str, ...] = ()
    line: int = 0
    path_line: int = 0  # of its path, for error messages

    def files(self) -> list[str]:
        """Its files, each once: one for every language, or one per language."""
        return list(dict.fromkeys(self.path.values()))


@dataclass(frozen=True)
class Reading:
    """A source an article builds on, for the reader who wants to go further: a link, never fetched."""

    id: str
    url: str
    title: dict[str, str]
    note: dict[str, str]
    articles: tuple[str, ...]
    line: int = 0


@dataclass
class SiteModel:
    routes: list[Route] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    reading: list[Reading] = field(default_factory=list)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    levels: dict[str, dict[str, str]] = field(default_factory=dict)
    glossary: dict[str, dict[str, str]] = field(default_factory=dict)  # the site's terms in each language
    articles: dict[str, dict[str, Article]] = field(default_factory=dict)  # lang -> slug -> article

    def route_of(self, slug: str) -> Route | None:
        return next((r for r in self.routes if slug in r.steps), None)

    def resources_of(self, slug: str) -> list[Resource]:
        return [r for r in self.resources if slug in r.articles]

    def reading_of(self, slug: str) -> list[Reading]:
        return [r for r in self.reading if slug in r.articles]

    def newest(self, lang: str, count: int | None = None) -> list[Article]:
        ordered = sorted(self.articles.get(lang, {}).values(), key=lambda a: (a.date, a.slug), reverse=True)
        return ordered[:count]


def reading_seconds(markdown: str, lang: str) -> float:
    """Seconds a learner spends on a page: its prose (words in English, Han characters in Chinese), and
    what is read more slowly than prose: each display equation and inline formula, each line of code,
    each lab number, figure and table (see the constants above)."""
    code_lines = sum(block.count("\n") - 1 for block in re.findall(r"^```.*?^```", markdown, flags=re.S | re.M))
    code_lines += SOURCE_LINES * len(re.findall(r"\{\{\s*lab_source\(", markdown))
    displays = len(re.findall(r"\\\[.*?\\\]|\$\$.*?\$\$|\\begin\{", markdown, flags=re.S))
    prose = re.sub(r"^```.*?^```", " ", markdown, flags=re.S | re.M)
    prose = re.sub(r"\\\[.*?\\\]|\$\$.*?\$\$", " ", prose, flags=re.S)
    inline = len(re.findall(r"\\\(.*?\\\)|\$[^$\n]+\$", prose))
    macros = re.findall(r"\{\{\s*(\w+)\(", prose)
    numbers = sum(1 for name in macros if name in ("check", "approx", "below", "value"))
    figures = sum(1 for name in macros if name == "figure") + len(re.findall(r"!\[", prose))
    tables = sum(1 for name in macros if name == "table") + len(re.findall(r"^\|(?: *:?-+:? *\|)+ *$", prose, re.M))
    prose = re.sub(r"\\\(.*?\\\)|\$[^$\n]+\$|`[^`\n]+`|\{\{.*?\}\}|\{%.*?%\}", " ", prose, flags=re.S)
    if lang == "zh":
        minutes = len(re.findall(r"[\u4e00-\u9fff]", prose)) / CHARS_PER_MINUTE
        minutes += len(re.findall(r"[A-Za-z]+", prose)) / WORDS_PER_MINUTE
    else:
        minutes = len(re.findall(r"[A-Za-z0-9][\w'’-]*", prose)) / WORDS_PER_MINUTE
    return (60 * minutes + DISPLAY_SECONDS * displays + INLINE_SECONDS * inline + CODE_LINE_SECONDS * code_lines
            + NUMBER_SECONDS * numbers + FIGURE_SECONDS * figures + TABLE_SECONDS * tables)


def reading_minutes(markdown: str, lang: str) -> int:
    """``reading_seconds`` in whole minutes, at least one."""
    return max(1, round(reading_seconds(markdown, lang) / 60))


def _line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _field_line(node: yaml.Node, name: str) -> int:
    """Line of field ``name`` of a mapping node (the node's own line if it has no such field)."""
    for key, _ in node.value if isinstance(node, yaml.MappingNode) else []:
        if key.value == name:
            return _line_of(key)
    return _line_of(node)


def _field_node(node: yaml.Node, name: str) -> yaml.Node | None:
    return next((value for key, value in getattr(node, "value", []) if getattr(key, "value", None) == name), None)


def _require(condition: bool, where: Where, message: str) -> None:
    if not condition:
        raise SiteDataError(where, message)


def _per_language(value: Any, where: Where, what: str) -> dict[str, str]:
    _require(isinstance(value, dict) and all(isinstance(value.get(lang), str) and value[lang].strip()
                                            for lang in LANGUAGES),
             where, f"{what} needs a non-empty text for each of {', '.join(LANGUAGES)}")
    return {lang: value[lang] for lang in LANGUAGES}


def load_site_data(path: Path, shown: str) -> SiteModel:
    """Read ``site.yml``; every error names ``shown`` (the file as printed) and the entry's line."""
    try:
        root = compose_yaml(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise SiteDataError((shown, line), f"not valid YAML: {getattr(error, 'problem', error)}") from None
    data = load_yaml(path.read_text(encoding="utf-8-sig")) or {}
    _require(isinstance(data, dict), (shown, 1), "expected sections routes, resources, tags, levels")
    nodes = {key.value: value for key, value in root.value} if root is not None else {}
    model = SiteModel()
    for name, what in (("tags", "tag"), ("levels", "level"), ("glossary", "term")):
        for key, names in (data.get(name) or {}).items():
            model_map = getattr(model, name)
            model_map[key] = _per_language(names, (shown, _line_of(nodes[name])), f"{what} '{key}'")
    _require(set(model.levels) == set(LEVELS), (shown, _line_of(nodes["levels"]) if "levels" in nodes else 1),
             f"levels must name exactly {', '.join(LEVELS)}")
    for entry, node in zip(data.get("routes") or [], _items(nodes.get("routes")), strict=True):
        where = (shown, _line_of(node))
        _require(isinstance(entry, dict) and isinstance(entry.get("id"), str), where, "a route needs an id")
        _require(entry.get("level") in LEVELS, where, f"route '{entry['id']}': level must be one of {LEVELS}")
        steps = entry.get("steps")
        _require(isinstance(steps, list) and steps and all(isinstance(s, str) for s in steps),
                 where, f"route '{entry['id']}': steps must be a list of article slugs")
        model.routes.append(Route(entry["id"], entry["level"], _per_language(entry.get("title"), where, "title"),
                                  _per_language(entry.get("summary"), where, "summary"), tuple(steps),
                                  _line_of(node), tuple(_line_of(step) for step in _items(_field_node(node, "steps")))))
    for entry, node in zip(data.get("resources") or [], _items(nodes.get("resources")), strict=True):
        where = (shown, _line_of(node))
        _require(isinstance(entry, dict) and isinstance(entry.get("id"), str), where, "a resource needs an id")
        _require(entry.get("kind") in RESOURCE_KINDS, where,
                 f"resource '{entry['id']}': kind must be one of {', '.join(RESOURCE_KINDS)}")
        path = entry.get("path")
        _require(isinstance(path, (str, dict)), where, f"resource '{entry['id']}': path is missing")
        # One file for every language, or a file per language ({en: ..., zh: ...}).
        paths = {lang: path for lang in LANGUAGES} if isinstance(path, str) else \
            _per_language(path, (shown, _field_line(node, "path")), f"resource '{entry['id']}': path")
        model.resources.append(Resource(entry["id"], entry["kind"], paths,
                                        _per_language(entry.get("title"), where, "title"),
                                        _per_language(entry.get("description"), where, "description"),
                                        tuple(entry.get("articles") or ()), _line_of(node),
                                        _field_line(node, "path")))
    for entry, node in zip(data.get("reading") or [], _items(nodes.get("reading")), strict=True):
        where = (shown, _line_of(node))
        _require(isinstance(entry, dict) and isinstance(entry.get("id"), str), where, "a reading entry needs an id")
        _require(isinstance(entry.get("url"), str) and entry["url"].startswith("https://"), where,
                 f"reading '{entry['id']}': url must be an https:// address")
        articles = entry.get("articles")
        _require(isinstance(articles, list) and articles, where,
                 f"reading '{entry['id']}': articles must list the slugs of the articles it belongs to")
        model.reading.append(Reading(entry["id"], entry["url"], _per_language(entry.get("title"), where, "title"),
                                     _per_language(entry.get("note"), where, "note"), tuple(articles),
                                     _line_of(node)))
    return model


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def read_article(path: Path, shown: str, slug: str, lang: str, model: SiteModel) -> Article | None:
    """The article at ``path``, or None for a page without a ``date`` (not an article)."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        article = article_front_matter(text)
    except yaml.YAMLError:
        # Reported, with its line, by the check of every page.
        raise UnreadableFrontMatterError((shown, 1), "the front matter is not YAML") from None
    if article is None:
        return None
    match, meta = article

    def check(condition: bool, name: str, message: str) -> None:
        if not condition:  # composing the YAML again, for the field's line, only when reporting
            line = file_line(_field_line(compose_yaml(match.group(1)), name) - 1)
            raise SiteDataError((shown, line), message)

    check(isinstance(meta["date"], dt.date), "date", "date must be written YYYY-MM-DD")
    check(meta.get("level") in model.levels, "level",
          f"level '{meta.get('level')}' is not one of {', '.join(model.levels)}; use one of them")
    tags = meta.get("tags") or []
    unknown = [t for t in tags if t not in model.tags]
    check(not unknown, "tags", f"unknown tag(s) {unknown}; add them under tags in docs/_data/site.yml")
    repeated = sorted({t for t in tags if tags.count(t) > 1})
    check(not repeated, "tags", f"tag(s) {repeated} listed more than once; list each tag once")
    faq = meta.get("faq") or []
    check(all(isinstance(i, dict) and isinstance(i.get("q"), str) and isinstance(i.get("a"), str) for i in faq),
          "faq", "faq must be a list of {q: question, a: answer}")
    body = text[match.end():]
    return Article(slug, lang, str(meta.get("title", slug)), str(meta.get("description", "")), meta["date"],
                   meta["level"], tuple(tags), tuple((i["q"], i["a"]) for i in faq), reading_minutes(body, lang),
                   tuple(sorted(str(n) for n in meta.get("allow_numbers") or ())), reading_seconds(body, lang))


def load_site(docs_dir: Path, shown_root: Path) -> tuple[SiteModel | None, list[Problem]]:
    """The whole model and every problem found in it, at its file and line.

    A docs folder without ``_data/site.yml`` has no site model (a bare fixture site): ``(None, [])``.
    """
    data_file = docs_dir / "_data" / "site.yml"
    if not data_file.exists():
        return None, []
    data_name = project_path(data_file, shown_root)
    try:
        model = load_site_data(data_file, data_name)
    except SiteDataError as error:
        return None, [error.problem]
    problems, unreadable = [], set()
    for lang in LANGUAGES:
        model.articles[lang] = {}
        for page in sorted((docs_dir / lang).glob("*.md")):
            try:
                article = read_article(page, project_path(page, shown_root), page.stem, lang, model)
            except UnreadableFrontMatterError:
                unreadable.add(page.stem)
                continue
            except SiteDataError as error:
                problems.append(error.problem)
                unreadable.add(page.stem)  # reported once, here, not again by every route naming it
                continue
            if article is not None:
                model.articles[lang][page.stem] = article
    _agree_on_reading_time(model)
    problems += _cross_check(model, docs_dir, data_name, shown_root, unreadable)
    return model, problems


def _agree_on_reading_time(model: SiteModel) -> None:
    """One reading time per article in every language: the two texts say the same thing, so each
    shows the mean of their estimates, in whole minutes."""
    for lang in LANGUAGES:
        for slug, article in model.articles[lang].items():
            estimates = [model.articles[other][slug].seconds for other in LANGUAGES if slug in model.articles[other]]
            minutes = max(1, round(sum(estimates) / len(estimates) / 60))
            model.articles[lang][slug] = dataclasses.replace(article, minutes=minutes)


def _cross_check(model: SiteModel, docs_dir: Path, data_name: str, shown_root: Path,
                 unreadable: set[str] = frozenset()) -> list[Problem]:
    problems = []
    first, *others = LANGUAGES
    for slug, article in model.articles[first].items():
        for lang in others:
            twin = model.articles[lang].get(slug)
            where = project_path(docs_dir / lang / f"{slug}.md", shown_root)
            if twin is None:
                continue  # a missing page is reported by the translation check
            for name in ("date", "level", "tags", "allow_numbers"):
                if getattr(twin, name) != getattr(article, name):
                    reordered = name == "tags" and sorted(twin.tags) == sorted(article.tags)
                    why = ("the same tags in another order; list them in the same order, which is the order "
                           "readers see them in") if reordered else "front matter facts must agree across languages"
                    problems.append(Problem(where, 1, f"{name} is {getattr(twin, name)!r} but the {first} page says "
                                            f"{getattr(article, name)!r}; {why}"))
            if len(twin.faq) != len(article.faq):
                problems.append(Problem(where, 1, f"{len(twin.faq)} FAQ entries but the {first} page has "
                                                  f"{len(article.faq)}"))
    for route in model.routes:
        for slug, line in zip(route.steps, route.step_lines or [route.line] * len(route.steps), strict=True):
            missing = [lang for lang in LANGUAGES if slug not in model.articles[lang]]
            if missing and slug not in unreadable:
                close = difflib.get_close_matches(slug, model.articles[LANGUAGES[0]], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(Problem(data_name, line, f"route '{route.id}' lists '{slug}', which is not an "
                                        f"article in {', '.join(missing)} (an article is a page with a date in its "
                                        "front matter)" + hint))
    for resource in model.resources:
        path_line = resource.path_line or resource.line
        for path in resource.files():
            unusable = _unusable_name(path)
            if unusable:
                problems.append(Problem(data_name, path_line, f"resource '{resource.id}': path {path!r} "
                                        f"{unusable}; give the path of a file inside docs/"))
            elif outside_docs(docs_dir, path):
                problems.append(Problem(data_name, path_line, f"resource '{resource.id}': path '{path}' leads "
                                        "outside the docs folder, and a resource's file is published; give a path "
                                        "inside docs/, relative to it, without '..' or a link out"))
            elif not (docs_dir / path).is_file():
                problems.append(Problem(data_name, path_line, f"resource '{resource.id}': file docs/{path} does "
                                        "not exist; fix the path or make the lab write it"))
        for slug in resource.articles:
            if slug not in model.articles[first] and slug not in unreadable:  # an unreadable one is reported
                problems.append(Problem(data_name, resource.line,
                                        f"resource '{resource.id}' names unknown article '{slug}'"))
    for reading in model.reading:
        for slug in reading.articles:
            if slug not in model.articles[first] and slug not in unreadable:
                problems.append(Problem(data_name, reading.line, f"reading '{reading.id}' names unknown article "
                                        f"'{slug}'; use an article's file name without .md"))
    return problems


def outside_docs(docs_dir: Path, path: str) -> bool:
    """Whether ``path`` (relative to the docs folder, as site data writes it) is absolute, climbs out
    with ``..`` or reaches, through a symbolic link, a file outside the docs folder."""
    written = PurePosixPath(path.replace("\\", "/"))
    if written.is_absolute() or ".." in written.parts or re.match(r"[A-Za-z]:", path):
        return True
    return not (docs_dir / written).resolve().is_relative_to(docs_dir.resolve())


def _unusable_name(path: str) -> str:
    """Why ``path`` cannot name a file on any system this site builds on, or ''."""
    if any(ord(c) < 32 for c in path):
        return "holds a control character"
    if any(len(part.encode("utf-8")) > 255 for part in path.split("/")) or len(path.encode("utf-8")) > 1024:
        return "is longer than a file name can be"
    return ""
