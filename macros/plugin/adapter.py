"""mkdocs-macros adapter: the only module here that knows about MkDocs.

Per ``mkdocs build`` (one build per language with mkdocs-static-i18n):

1. First language build: run the lab, check every page of every language with the standalone
   renderer, and stop with ONE error listing every problem before anything is written to
   ``site/``. Under ``mkdocs serve`` the build goes on and each page shows its own problems.
2. Write the lab's CSV files and figures into ``docs/assets/lab`` (only files whose bytes changed).
3. Hand each page the output the check rendered (in a sandboxed Jinja environment) and mark it
   ``render_macros: false``, so mkdocs-macros never renders a page itself.
4. After the last build, write ``verification.json`` into the site.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort

from macros.check.built_scan import built_page_of, ledger_of, unaccounted
from macros.check.lab_results import prepare_lab
from macros.check.page_macros import MACRO_NAMES, PageMacros
from macros.check.render import check_site, render_full, use_template_cache
from macros.engine.claims import OK, Report
from macros.engine.front_matter import split_front_matter
from macros.features.cards import Card, write_cards
from macros.features.pages import SITE_FUNCTIONS, SiteMacros, with_article_parts
from macros.features.ui_text import ui
from macros.files import BUILT_NUMBERS_CACHE, CARDS, TEMPLATE_CACHE_DIR

log = logging.getLogger("mkdocs.plugins.dl_math_lab")
_state: dict[str, Any] = {}
"""This process's current report and page macros; reset at each first-language build."""

def serving() -> bool:
    return len(sys.argv) > 1 and sys.argv[1] == "serve"


def _is_first_build(env: Any) -> bool:
    i18n = env.conf.plugins.get("i18n")
    # mkdocs-static-i18n sets current_language in its own (later) on_config, so it is still
    # unset while the first language's build is configuring.
    return i18n is None or i18n.current_language is None


def define_env(env: Any) -> None:
    docs_dir = Path(env.conf["docs_dir"])
    if _is_first_build(env):
        results, errors, figure_failures = prepare_lab(Path(env.project_dir), docs_dir)
        use_template_cache(Path(env.project_dir) / TEMPLATE_CACHE_DIR)
        report = check_site(docs_dir, results, errors, root=Path(env.project_dir))
        report.claims.extend(figure_failures)
        _state.clear()
        _state.update(report=report, results=results, errors=errors)
        if report.problems and not serving():
            for claim in report.problems:
                log.error(claim.describe())
            raise Abort(f"{len(report.problems)} problem(s) in {len(report.claims)} lab number(s): "
                        "the lab and the pages disagree, so nothing was written.")
        for claim in report.problems:  # under serve: in the terminal, and in the pages (see below)
            log.warning(claim.describe())
        # Problems located outside the pages (a lab file, the site data) show on every page.
        _state["site_wide"] = [c for c in report.problems if not c.page.endswith(".md")]
        if report.site is not None:
            _state["card_list"] = _cards(report)
            _state["cards"] = write_cards(docs_dir / CARDS, _state["card_list"])
            _state["site_url"] = env.conf.get("site_url") or ""
        _state.update(site_root=Path(env.conf["site_dir"]), project=Path(env.project_dir), docs_dir=docs_dir,
                      ledger=ledger_of(report, docs_dir))

    for name in MACRO_NAMES:
        env.macro(_dispatch("page", name), name)
    for name in SITE_FUNCTIONS:
        env.macro(_dispatch("site_page", name), name)


def _cards(report: Report) -> list[Card]:
    """A share card for every article and every route, in every language."""
    model, cards = report.site, []
    for lang, articles in model.articles.items():
        site = ui(lang, "site")
        for slug, article in articles.items():
            route = model.route_of(slug)
            facts = [model.levels[article.level][lang], ui(lang, "reading", minutes=article.minutes),
                     ui(lang, "recomputed", n=report.recomputed(f"docs/{lang}/{slug}.md"))]
            if route is not None:
                facts.insert(0, route.title[lang])
            cards.append(Card(lang, slug, site, article.title, article.description, " · ".join(facts)))
        for route in model.routes:
            footer = f"{model.levels[route.level][lang]} · {ui(lang, 'steps', n=len(route.steps))}"
            cards.append(Card(lang, f"route-{route.id}", site, route.title[lang], route.summary[lang], footer))
    return cards


def _card_url(env: Any) -> str | None:
    """The share card of this page: its own for articles and routes, the first route's for others."""
    cards = _state.get("cards")
    if not cards:
        return None
    src = Path(env.page.file.src_uri)
    lang = src.parts[0]
    slug = f"route-{src.stem}" if src.parent.name == "routes" else src.stem
    fallback = (name for (card_lang, card_slug), name in cards.items()
                if card_lang == lang and card_slug.startswith("route-"))
    name = cards.get((lang, slug)) or next(fallback, None)
    return f"{_state['site_url']}{CARDS}/{name}" if name else None


def _dispatch(target: str, name: str) -> Any:
    """A macro that calls ``name`` on the current page's PageMacros or SiteMacros."""
    def call(*args: Any, **kwargs: Any) -> str:
        return getattr(_state[target], name)(*args, **kwargs)

    call.__name__ = name
    return call


def on_pre_page_macros(env: Any) -> None:
    file = env.page.file
    source = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
    page = Path(file.abs_src_path).resolve().relative_to(Path(env.project_dir).resolve()).as_posix()
    model = _state["report"].site
    site = SiteMacros(model, file.src_uri, Path(env.conf["docs_dir"])) if model else None
    rendered = _state["report"].rendered.get(page)
    if rendered is not None:  # the whole-site check already ran this page's macros: reuse its output
        claims = _state["report"].for_page(page)
    else:  # a page the check did not see (added by another plugin): render it the same way now
        rendered = render_full(page, file.src_uri, source, _state["results"], _state["errors"], site)
        claims = rendered.claims
    # Every page is rendered by our sandboxed renderer; mkdocs-macros must not render it again.
    env.markdown = rendered.markdown
    env.page.meta["render_macros"] = False
    _, offset = split_front_matter(source)
    macros = PageMacros(page, file.src_uri, offset, _state["results"], _state["errors"], source=source)
    macros.claims = claims
    _state.update(page=macros, site_page=site, faq=rendered.faq)


def on_post_page_macros(env: Any) -> None:
    macros: PageMacros = _state["page"]
    recomputed = sum(1 for c in macros.claims if c.verdict == OK)
    env.page.meta["lab_numbers"] = recomputed
    problems = [c for c in macros.claims if c.verdict != OK] + _state.get("site_wide", [])
    _add_article_parts(env)
    env.page.meta["card_url"] = _card_url(env)
    if problems:  # only reachable under `mkdocs serve`: a build has already stopped
        items = "\n".join(f"    - `{c.page}:{c.line}` {c.message}" for c in problems)
        title = f"Lab check failed: {len(problems)} problem(s)"
        env.markdown = f'!!! failure "{title}"\n\n{items}\n\n' + env.markdown


def _add_article_parts(env: Any) -> None:
    """The context block under an article's title, its FAQ at the end, and the FAQ as JSON-LD."""
    site: SiteMacros | None = _state.get("site_page")
    slug = Path(env.page.file.src_uri).stem
    if site is None or slug not in site.model.articles.get(site.lang, {}):
        return
    faq = _state["faq"]
    env.markdown = with_article_parts(env.markdown, site.article_context(slug), site.faq_section(faq))
    env.page.meta["faq_jsonld"] = site.faq_jsonld(faq)


def on_post_build(env: Any) -> None:
    i18n = env.conf.plugins.get("i18n")
    report: Report = _state["report"]
    if i18n is None or i18n.current_language == i18n.default_language:
        (_state["site_root"] / "verification.json").write_text(report.to_json(), encoding="utf-8")
    if _last_language(i18n):
        _check_built_site(env, i18n.default_language if i18n is not None else "")
        _say_unwritten_cache()


def _say_unwritten_cache() -> None:
    """One line when cache entries could not be written: the build is whole, only slower next time."""
    from lab.runner.sealed import UNWRITTEN

    if UNWRITTEN:
        error = UNWRITTEN[0]
        log.info(f"{len(UNWRITTEN)} cache entr{'y' if len(UNWRITTEN) == 1 else 'ies'} under .cache could not be "
                 f"written ({error.strerror or error}{f': {error.filename}' if error.filename else ''}); this "
                 "build is complete, and the next one recomputes what could not be kept")
        UNWRITTEN.clear()


def _card_source(lang: str, slug: str) -> str | None:
    """The page a share card shows: an article's, or None for a route's (its texts are site data)."""
    return None if slug.startswith("route-") else f"docs/{lang}/{slug}.md"


def _last_language(i18n: Any) -> bool:
    """Whether this build is the last language mkdocs-static-i18n builds (or there is no i18n)."""
    if i18n is None:
        return True
    others = [lang for lang in i18n.build_languages if lang != i18n.default_language]
    return i18n.current_language == (others[-1] if others else i18n.default_language)


def _check_built_site(env: Any, default_language: str) -> None:
    """Every number on every built page, in every language, accounted for (macros/check/built_scan.py)."""
    project, docs_dir = _state["project"], _state["docs_dir"]
    report: Report = _state["report"]
    sources = {built_page_of(page, default_language): page for page in report.rendered}
    written_in = [*sorted(docs_dir.rglob("*.md")), docs_dir / "_data" / "site.yml", project / "mkdocs.yml",
                  *sorted((project / "overrides").rglob("*.html"))]
    names = _state.get("cards") or {}
    cards = [(f"the share card {CARDS}/{names.get((card.lang, card.slug), card.slug)}",
              _card_source(card.lang, card.slug), "share card", text)
             for card in _state.get("card_list", [])
             for text in (card.title, card.subtitle, card.footer)]
    found = unaccounted(_state["site_root"], _state["ledger"], sources, written_in, project,
                        cache=project / BUILT_NUMBERS_CACHE, extra=cards)
    if not found:
        return
    for claim in found:
        (log.warning if serving() else log.error)(claim.describe())
    if not serving():
        numbers = sum(1 for claim in found if claim.kind == "number")
        others = len(found) - numbers
        what = " and ".join(part for part in (f"{numbers} number(s) accounted for by nothing" if numbers else "",
                                              f"{others} address(es) or script(s) that would run" if others else "")
                            if part)
        raise Abort(f"the built pages show {what}: "
                    "nothing was published.")
