"""mkdocs-macros adapter: with macros/plugin/site_swap.py, the only code here that knows MkDocs.

Per ``mkdocs build`` (one build per language with mkdocs-static-i18n):

1. First language build: check the whole site (macros/check/site.py: the lab runs, its files are
   written into the docs, every page of every language is rendered and checked) and stop with every
   problem logged before anything is written to ``site/``. Under ``mkdocs serve`` the build goes on
   and each page shows its own problems.
2. Hand each page the output the check rendered (in a sandboxed Jinja environment) and mark it
   ``render_macros: false``, so mkdocs-macros never renders a page itself.
3. After the first language, write ``verification.json``; after the last, read every built page
   for numbers nothing accounts for (macros/check/built_scan.py).
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort

from lab.runner.sealed import UNWRITTEN
from macros.check.built_scan import Ledger, built_page_of, ledger_of, unaccounted
from macros.check.render import render_full
from macros.check.site import Checked, check_project
from macros.engine.claims import NUMBER, OK, Claim
from macros.features.cards import Card, card_source, site_cards, write_cards
from macros.features.pages import SiteMacros, with_article_parts
from macros.files import BUILT_NUMBERS_CACHE, CARDS

log = logging.getLogger("mkdocs.plugins.dl_math_lab")


@dataclass
class Page:
    """The page MkDocs is rendering: its claims, its site macros and its rendered FAQ."""

    claims: list[Claim]
    site: SiteMacros | None
    faq: list[tuple[str, str]]


@dataclass
class Build:
    """One ``mkdocs build`` (all its languages): made by the first language's ``define_env``."""

    checked: Checked
    project: Path
    docs_dir: Path
    site_dir: Path
    ledger: Ledger
    site_wide: list[Claim]  # problems located outside the pages (a lab file, the site data): shown on every page
    started: float  # time.monotonic() when the first language's build began checking
    site_url: str = ""
    cards: list[Card] = field(default_factory=list)
    card_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (language, slug) -> file name
    page: Page | None = None


_build: list[Build] = []
"""The build in progress: mkdocs-macros calls the functions below one by one, so it is kept here."""


def serving() -> bool:
    return len(sys.argv) > 1 and sys.argv[1] == "serve"


def _is_first_build(env: Any) -> bool:
    i18n = env.conf.plugins.get("i18n")
    # mkdocs-static-i18n sets current_language in its own (later) on_config, so it is still
    # unset while the first language's build is configuring.
    return i18n is None or i18n.current_language is None


def define_env(env: Any) -> None:
    if not _is_first_build(env):
        return
    started = time.monotonic()
    project, docs_dir = Path(env.project_dir), Path(env.conf["docs_dir"])
    checked = check_project(project, docs_dir)
    report = checked.report
    if report.problems and not serving():
        for claim in report.problems:
            log.error(claim.describe())
        raise Abort(f"{len(report.problems)} problem(s) in {len(report.claims)} lab number(s): "
                    "the lab and the pages disagree, so nothing was written.")
    for claim in report.problems:  # under serve: in the terminal, and in the pages (see below)
        log.warning(claim.describe())
    build = Build(checked, project, docs_dir, Path(env.conf["site_dir"]), ledger_of(report, docs_dir),
                  [c for c in report.problems if not c.page.endswith(".md")], started)
    if report.site is not None:
        build.cards = site_cards(report)
        build.card_names = write_cards(docs_dir / CARDS, build.cards)
        build.site_url = env.conf.get("site_url") or ""
    _build[:] = [build]


def _own_card(build: Build, env: Any) -> str | None:
    """The file name of this page's own share card (articles and routes have one), or None."""
    src = Path(env.page.file.src_uri)
    slug = f"route-{src.stem}" if src.parent.name == "routes" else src.stem
    return build.card_names.get((src.parts[0], slug)) if build.card_names else None


def _card_url(build: Build, env: Any) -> str | None:
    """The share card of this page: its own for articles and routes, the first route's for others."""
    if not build.card_names:
        return None
    lang = Path(env.page.file.src_uri).parts[0]
    fallback = (name for (card_lang, card_slug), name in build.card_names.items()
                if card_lang == lang and card_slug.startswith("route-"))
    name = _own_card(build, env) or next(fallback, None)
    return f"{build.site_url}{CARDS}/{name}" if name else None


def on_pre_page_macros(env: Any) -> None:
    build, file = _build[0], env.page.file
    page = Path(file.abs_src_path).resolve().relative_to(build.project.resolve()).as_posix()
    report = build.checked.report
    site = SiteMacros(report.site, file.src_uri, build.docs_dir) if report.site else None
    rendered = report.rendered.get(page)
    if rendered is not None:  # the whole-site check already ran this page's macros: reuse its output
        claims = report.for_page(page)
    else:  # a page the check did not see (added by another plugin): render it the same way now
        source = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
        rendered = render_full(page, file.src_uri, source, build.checked.results, build.checked.errors, site)
        claims = rendered.claims
    # Every page is rendered by our sandboxed renderer; mkdocs-macros must not render it again.
    env.markdown = rendered.markdown
    env.page.meta["render_macros"] = False
    build.page = Page(claims, site, rendered.faq)


def on_post_page_macros(env: Any) -> None:
    build = _build[0]
    page = build.page
    env.page.meta["lab_numbers"] = sum(1 for c in page.claims if c.verdict == OK)
    problems = [c for c in page.claims if c.verdict != OK] + build.site_wide
    _add_article_parts(env, page)
    env.page.meta["card_url"] = _card_url(build, env)
    own = _own_card(build, env)
    env.page.meta["card_path"] = f"{CARDS}/{own}" if own else None
    if problems:  # only reachable under `mkdocs serve`: a build has already stopped
        items = "\n".join(f"    - `{c.page}:{c.line}` {c.message}" for c in problems)
        title = f"Lab check failed: {len(problems)} problem(s)"
        env.markdown = f'!!! failure "{title}"\n\n{items}\n\n' + env.markdown


def _add_article_parts(env: Any, page: Page) -> None:
    """The context block under an article's title, its FAQ at the end, and the FAQ as JSON-LD."""
    site = page.site
    slug = Path(env.page.file.src_uri).stem
    if site is None or slug not in site.model.articles.get(site.lang, {}):
        return
    env.markdown = with_article_parts(env.markdown, site.article_context(slug), site.faq_section(page.faq),
                                      site.reading_section(slug))
    env.page.meta["faq_jsonld"] = site.faq_jsonld(page.faq)


def on_post_build(env: Any) -> None:
    build = _build[0]
    i18n = env.conf.plugins.get("i18n")
    if i18n is None or i18n.current_language == i18n.default_language:
        (build.site_dir / "verification.json").write_text(build.checked.report.to_json(), encoding="utf-8")
    if _last_language(i18n):
        _check_built_site(build, i18n.default_language if i18n is not None else "")
        _say_unwritten_cache()
        log.info(summary(build, i18n))


def summary(build: Build, i18n: Any) -> str:
    """The one line a finished build ends with."""
    report = build.checked.report
    numbers = sum(1 for claim in report.claims if claim.verdict == OK)
    languages = len(i18n.build_languages) if i18n is not None else 1
    problems = f"; {len(report.problems)} problem(s) shown on the pages" if report.problems else ""
    return (f"{numbers} lab numbers checked on {len(report.rendered)} pages in {languages} language(s){problems}; "
            f"{time.monotonic() - build.started:.1f} s")


def _say_unwritten_cache() -> None:
    """One line when cache entries could not be written: the build is whole, only slower next time."""
    if UNWRITTEN:
        error = UNWRITTEN[0]
        log.info(f"{len(UNWRITTEN)} cache entr{'y' if len(UNWRITTEN) == 1 else 'ies'} under .cache could not be "
                 f"written ({error.strerror or error}{f': {error.filename}' if error.filename else ''}); this "
                 "build is complete, and the next one recomputes what could not be kept")
        UNWRITTEN.clear()


def _last_language(i18n: Any) -> bool:
    """Whether this build is the last language mkdocs-static-i18n builds (or there is no i18n)."""
    if i18n is None:
        return True
    others = [lang for lang in i18n.build_languages if lang != i18n.default_language]
    return i18n.current_language == (others[-1] if others else i18n.default_language)


def _check_built_site(build: Build, default_language: str) -> None:
    """Every number on every built page, in every language, accounted for (macros/check/built_scan.py)."""
    project, docs_dir, report = build.project, build.docs_dir, build.checked.report
    if serving() and report.problems:  # each page shows its problems in a red box, whose own line numbers
        return  # and lab values nothing accounts for; the scan runs again once the problems are fixed
    sources = {built_page_of(page, default_language): page for page in report.rendered}
    written_in = [*sorted(docs_dir.rglob("*.md")), docs_dir / "_data" / "site.yml", project / "mkdocs.yml",
                  *sorted((project / "overrides").rglob("*.html"))]
    cards = [(f"the share card {CARDS}/{build.card_names.get((card.lang, card.slug), card.slug)}",
              card_source(card), "share card", text)
             for card in build.cards
             for text in (card.title, card.subtitle, card.footer)]
    found = unaccounted(build.site_dir, build.ledger, sources, written_in, project,
                        cache=project / BUILT_NUMBERS_CACHE, extra=cards)
    if not found:
        return
    for claim in found:
        (log.warning if serving() else log.error)(claim.describe())
    if not serving():
        numbers = sum(1 for claim in found if claim.kind == NUMBER)
        others = len(found) - numbers
        what = " and ".join(part for part in (f"{numbers} number(s) accounted for by nothing" if numbers else "",
                                              f"{others} address(es) or script(s) that would run" if others else "")
                            if part)
        raise Abort(f"the built pages show {what}: nothing was published.")
