"""Macros that lay out the site's structure on a page: routes, newest articles, timeline,
resource cards, and the context block and FAQ the adapter adds to every article. No MkDocs.

Links are written as relative Markdown links to ``.md`` files (or to files under the docs
folder), so MkDocs checks every one of them in a strict build.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from typing import Any

from macros.engine.macro_names import SITE_MACROS
from macros.features.model import Article, Resource, SiteModel
from macros.features.ui_text import ui

KIND_ICONS = {"guide": ":material-book-open-variant:", "dataset": ":material-table:",
              "diagram": ":material-chart-box-outline:", "tool": ":material-package-variant-closed:"}


def article_path(lang: str, slug: str) -> str:
    return f"{lang}/{slug}.md"


def route_path(lang: str, route_id: str) -> str:
    return f"{lang}/routes/{route_id}.md"


def tag_link(lang: str, tag: str) -> str:
    """A tag's section on the tag index page of ``lang``."""
    return f"{lang}/tags.md#tag-{tag}"


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def file_facts(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a resource file, computed from its bytes at build time."""
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()




def silent_site_functions() -> dict[str, Any]:
    """Stand-ins for the site macros while the site data has problems: those are reported at their
    own lines, and each page calling a site macro would only repeat them."""
    return {name: (lambda *args, **kwargs: "") for name in SITE_MACROS}


class SiteMacros:
    """Site-structure macros for the page at ``docs_path`` (e.g. ``en/index.md``)."""

    def __init__(self, model: SiteModel, docs_path: str, docs_dir: Path) -> None:
        self.model = model
        self.docs_path = docs_path
        self.docs_dir = docs_dir
        self.lang = docs_path.split("/", 1)[0]
        self.printed: list[str] = []  # what the site macros put on this page (macros/check/built_scan.py)

    def functions(self) -> dict[str, Any]:
        return {name: self._recorded(getattr(self, name)) for name in SITE_MACROS}

    def _recorded(self, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> str:
            output = function(*args, **kwargs)
            self.printed.append(output)
            return output

        call.__name__ = function.__name__
        return call

    def link(self, target: str) -> str:
        """Relative link from this page to ``target`` (a path inside the docs folder)."""
        return posixpath.relpath(target, posixpath.dirname(self.docs_path))

    def _article(self, slug: str) -> Article:
        return self.model.articles[self.lang][slug]

    def _facts(self, article: Article) -> str:
        level = self.model.levels[article.level][self.lang]
        return f"{level} · {ui(self.lang, 'reading', minutes=article.minutes)}"

    # -- page macros -----------------------------------------------------------------------------
    def route_list(self) -> str:
        items = []
        for route in self.model.routes:
            first = self.link(article_path(self.lang, route.steps[0]))
            items.append(
                f"-   __[{route.title[self.lang]}]({self.link(route_path(self.lang, route.id))})__\n\n"
                f"    ---\n\n    {route.summary[self.lang]}\n\n"
                f"    {self.model.levels[route.level][self.lang]} · {ui(self.lang, 'steps', n=len(route.steps))}"
                f" · [{ui(self.lang, 'start')} →]({first})")
        return '<div class="grid cards" markdown>\n\n' + "\n\n".join(items) + "\n\n</div>"

    def route_steps(self, route_id: str) -> str:
        route = next(r for r in self.model.routes if r.id == route_id)
        lines = []
        for number, slug in enumerate(route.steps, start=1):
            article = self._article(slug)
            lines.append(f"{number}. **[{article.title}]({self.link(article_path(self.lang, slug))})** — "
                         f"{article.description} *({self._facts(article)})*")
        return "\n".join(lines)

    def newest_articles(self, count: int = 3) -> str:
        return "\n".join(f"- [{a.title}]({self.link(article_path(self.lang, a.slug))}) · {a.date.isoformat()}"
                         for a in self.model.newest(self.lang, count))

    def timeline(self) -> str:
        lines = []
        for article in self.model.newest(self.lang):
            lines.append(f"- **{article.date.isoformat()}** — [{article.title}]"
                         f"({self.link(article_path(self.lang, article.slug))}) · {self._facts(article)}")
        return "\n".join(lines)

    def tag_index(self) -> str:
        """Every tag an article carries, in the order of docs/_data/site.yml, each with its articles
        in reading order; each section's anchor is ``tag-<id>`` (the context block links there)."""
        order = {slug: i for i, slug in enumerate(s for route in self.model.routes for s in route.steps)}
        sections = []
        for tag, names in self.model.tags.items():
            tagged = sorted((a for a in self.model.articles[self.lang].values() if tag in a.tags),
                            key=lambda a: (order.get(a.slug, len(order)), a.slug))
            if not tagged:
                continue
            items = [f"- [{a.title}]({self.link(article_path(self.lang, a.slug))}){ui(self.lang, 'dash')}"
                     f"{a.description} *({self._facts(a)})*" for a in tagged]
            sections.append(f"## {names[self.lang]} {{ #tag-{tag} }}\n\n" + "\n".join(items))
        return "\n\n".join(sections)

    def resource_cards(self) -> str:
        return '<div class="grid cards" markdown>\n\n' + "\n\n".join(
            self._card(r) for r in self.model.resources) + "\n\n</div>"

    def _card(self, resource: Resource) -> str:
        size, digest = file_facts(self.docs_dir / resource.path[self.lang])
        kind = ui(self.lang, f"kind.{resource.kind}")
        return (f"-   {KIND_ICONS[resource.kind]} __{resource.title[self.lang]}__ · {kind}\n\n    ---\n\n"
                f"    {resource.description[self.lang]}\n\n"
                f"    [:material-download: {ui(self.lang, 'download')}]({self.link(resource.path[self.lang])})"
                f" · {human_size(size)}\n\n"
                f'    <span class="sha256" title="SHA-256">{ui(self.lang, "sha256")} '
                f"<code>{digest}</code></span>")

    # -- added to every article by the adapter -----------------------------------------------------
    def article_context(self, slug: str) -> str:
        """Route, step, neighbours, level, reading time, tags and resources of an article."""
        article = self._article(slug)
        parts = [self._facts(article)]
        route = self.model.route_of(slug)
        lines = []
        if route is not None:
            step = route.steps.index(slug)
            colon = ui(self.lang, "colon")  # full width in Chinese
            parts.insert(0, f"{ui(self.lang, 'route')}{colon}[{route.title[self.lang]}]"
                            f"({self.link(route_path(self.lang, route.id))}) · "
                            f"{ui(self.lang, 'step', i=step + 1, n=len(route.steps))}")
            neighbours = []
            if step > 0:
                previous = self._article(route.steps[step - 1])
                neighbours.append(f"← {ui(self.lang, 'previous')}{colon}[{previous.title}]"
                                  f"({self.link(article_path(self.lang, previous.slug))})")
            if step + 1 < len(route.steps):
                following = self._article(route.steps[step + 1])
                neighbours.append(f"{ui(self.lang, 'next')}{colon}[{following.title}]"
                                  f"({self.link(article_path(self.lang, following.slug))}) →")
            if neighbours:
                lines.append(" · ".join(neighbours))
        lines.insert(0, " · ".join(parts))
        colon, separator = ui(self.lang, "colon"), ui(self.lang, "separator")
        if article.tags:
            names = separator.join(f"[{self.model.tags[t][self.lang]}]({self.link(tag_link(self.lang, t))})"
                                   for t in article.tags)
            lines.append(f"{ui(self.lang, 'tags')}{colon}{names}")
        resources = self.model.resources_of(slug)
        if resources:
            links = separator.join(f"[{r.title[self.lang]}]({self.link(r.path[self.lang])})" for r in resources)
            lines.append(f"{ui(self.lang, 'resources')}{colon}{links}")
        body = "  \n".join(lines)  # two spaces: a Markdown line break
        return f'<div class="article-context" markdown data-search-exclude>\n\n{body}\n\n</div>\n\n'

    def reading_section(self, slug: str) -> str:
        """"Further reading": the sources the article builds on, as links (nothing is fetched)."""
        items = [f"- [{r.title[self.lang]}]({r.url}){ui(self.lang, 'dash')}{r.note[self.lang]}"
                 for r in self.model.reading_of(slug)]
        return f"\n\n## {ui(self.lang, 'reading.title')}\n\n" + "\n".join(items) + "\n" if items else ""

    def faq_section(self, faq: list[tuple[str, str]]) -> str:
        """The FAQ (question, answer) pairs, macros already rendered, as collapsible blocks."""
        if not faq:
            return ""
        blocks = []
        for question, answer in faq:
            indented = "\n".join(f"    {line}" if line else "" for line in answer.strip().splitlines())
            title = question.replace('"', "&quot;")
            blocks.append(f'??? question "{title}"\n{indented}')
        return f"\n\n## {ui(self.lang, 'faq')}\n\n" + "\n\n".join(blocks) + "\n"

    def faq_jsonld(self, faq: list[tuple[str, str]]) -> dict[str, Any] | None:
        if not faq:
            return None
        return {"@context": "https://schema.org", "@type": "FAQPage", "inLanguage": self.lang,
                "mainEntity": [{"@type": "Question", "name": q,
                                "acceptedAnswer": {"@type": "Answer", "text": a.strip()}}
                               for q, a in faq]}


def with_article_parts(markdown: str, context: str, faq: str, reading: str = "") -> str:
    """An article's Markdown with its context block right under the title, then its further reading
    and its FAQ at the end."""
    title = re.search(r"^# .*\n", markdown, re.M)
    at = title.end() if title else 0
    return markdown[:at] + "\n" + context + markdown[at:] + reading + faq
