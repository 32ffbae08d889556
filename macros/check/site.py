"""Check a whole site: every page of every language rendered with the lab, in one report.

``check_project`` is the one way in: the build (macros/plugin/adapter.py), ``python -m macros
check``, ``mkdocs serve`` and the mutation tool all call it. It prepares the lab, renders every page
(on all cores, reusing pages whose inputs did not change) and adds what no single page shows: pages
missing a translation, the two languages citing different keys, pages outside the language
folders, links leaving the project, failures in lab code and in the site data.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml

from lab.runner.failures import LabFailure
from lab.runner.limits import seconds
from lab.runner.parallel import ended, run_parallel
from lab.runner.stamp import fingerprint
from macros.check.lab_results import prepare_lab
from macros.check.page_cache import PageCache, RenderedPage
from macros.check.render import coverage_claims, render_full, template_cache
from macros.engine.claims import CITING, ERROR, Claim, Report, error_claim
from macros.engine.coverage import scan_site_data
from macros.engine.front_matter import FRONT_MATTER, load_yaml, split_front_matter
from macros.engine.links import broken_links
from macros.features.model import SiteModel, load_site, outside_docs
from macros.features.pages import SiteMacros
from macros.files import TEMPLATE_CACHE_DIR, project_path, source_fingerprint

_LANGUAGE = re.compile(r"[a-z]{2}(?:[-_][A-Za-z]{2,4})?")


@dataclass
class Checked:
    """A checked site: the report, and the lab results and failures its pages were rendered with."""

    report: Report
    results: Mapping[str, Any]
    errors: dict[str, LabFailure] = field(default_factory=dict)


def check_project(root: Path, docs_dir: Path | None = None, *, keep: bool = True) -> Checked:
    """Run the lab (or load its cached results), write its files into the docs, and check every
    page of every language against it: what a build does before MkDocs writes anything. With
    ``keep``, compiled templates and rendered pages are kept under .cache for the next check."""
    docs_dir = docs_dir if docs_dir is not None else root / "docs"
    results, errors, figure_failures = prepare_lab(root, docs_dir)
    report = check_site(docs_dir, results, errors, root=root, cache_dir=root / TEMPLATE_CACHE_DIR if keep else None)
    report.claims.extend(figure_failures)
    return Checked(report, results, errors)


def check_site(docs_dir: Path, results: Mapping[str, Any], lab_errors: dict[str, LabFailure] | None = None,
               root: Path | None = None, cache_dir: Path | None = None) -> Report:
    """Check every page under ``docs_dir`` against ``results``; pages are named relative to ``root``
    in messages. With ``cache_dir``, pages whose inputs did not change come from there (never use
    it with results other than the lab's own: the cache is keyed by the lab's sources)."""
    root = root or docs_dir.parent
    report = Report()
    model, site_problems = load_site(docs_dir, root)
    report.site = model
    report.claims.extend(error_claim(p.file, p.line, p.message) for p in site_problems)
    site_data = docs_dir / "_data" / "site.yml"
    if site_data.is_file():
        scanned = scan_site_data(site_data.read_text(encoding="utf-8-sig"))
        report.claims.extend(coverage_claims(project_path(site_data, root), scanned))
        report.allowlisted[project_path(site_data, root)] = scanned.allowlisted
        report.site_allowed = sorted(scanned.allowed)
    texts = {}
    for path in sorted(docs_dir.rglob("*.md")):
        try:
            texts[path] = path.read_text(encoding="utf-8-sig")  # as MkDocs reads it: a BOM is dropped
        except UnicodeDecodeError as error:
            report.claims.append(error_claim(project_path(path, root), 1, f"not UTF-8: {error}"))
        except OSError as error:  # a broken link is reported by links_out_of_project, once
            if not path.is_symlink():
                report.claims.append(error_claim(project_path(path, root), 1, f"cannot be read: {error.strerror}"))
    cache = PageCache(cache_dir / "pages", _context_key(docs_dir, model, lab_errors)) if cache_dir else None
    pages = {path: project_path(path, root) for path in texts}
    keys = {path: cache.key(pages[path], text) if cache else "" for path, text in texts.items()}
    rendered_pages = {path: cache.load(keys[path]) if cache else None for path in texts}
    missing = [path for path, rendered in rendered_pages.items() if rendered is None]
    shared = Shared(results, lab_errors or {}, model if not site_problems else None, docs_dir, bool(site_problems),
                    template_cache(cache_dir) if cache_dir else None)
    jobs = [(pages[path], path.relative_to(docs_dir).as_posix(), texts[path], shared) for path in missing]
    # Many pages to render (a cold build, an edit to the lab or the macros): on all cores.
    outputs = run_parallel(_render_job, jobs, died=_render_died, deadline=_page_deadline())
    for path, rendered in zip(missing, outputs, strict=True):
        rendered_pages[path] = rendered
        if cache:
            cache.store(keys[path], rendered)
    for path, text in texts.items():
        page, rendered = pages[path], rendered_pages[path]
        report.rendered[page] = rendered
        report.titles[page] = _titles(text)
        report.claims.extend(rendered.claims)
        report.claims.extend(broken_links(path, text, docs_dir, page))
        if rendered.allowlisted is not None:
            report.allowlisted[page] = rendered.allowlisted
    report.claims.extend(check_translations(docs_dir, root))
    report.claims.extend(outside_languages(docs_dir, root))
    report.claims.extend(links_out_of_project(docs_dir, root))
    unfinished = {page for page, rendered in report.rendered.items() if not rendered.complete}
    report.claims.extend(check_key_parity(report.claims, unfinished))
    report.claims.extend(lab_failure_claims(lab_errors or {}))
    return report


@dataclass(frozen=True)
class Shared:
    """What every page of one check renders with. Each job names it; forked workers inherit it, so
    nothing of it is copied between processes."""

    results: Mapping[str, Any]
    errors: dict[str, LabFailure]
    model: SiteModel | None  # None when there is no site data, or when it has problems (reported once)
    docs_dir: Path
    silent_site: bool
    compiled: jinja2.BytecodeCache | None


def _render_job(page: str, docs_path: str, text: str, shared: Shared) -> RenderedPage:
    if "{" in text:  # its macros need NumPy: loaded before the page's time limit starts (slow on a busy machine)
        import numpy  # noqa: F401

    site = SiteMacros(shared.model, docs_path, shared.docs_dir) if shared.model is not None else None
    return render_full(page, docs_path, text, shared.results, shared.errors, site, silent_site=shared.silent_site,
                       compiled=shared.compiled)


def _page_deadline() -> float | None:
    """When a worker rendering a page is killed: the page's limit, the lab's (a page may make an
    experiment run), and a margin to stop by itself."""
    return seconds("page") + seconds("lab") + 10 if seconds("page") > 0 else None


def _render_died(job: tuple[str, str, str, Shared], code: int) -> RenderedPage:
    """A page whose rendering ended its worker: lab code a macro ran (a table, a module lab_source
    imported) called os._exit() or crashed."""
    page, _, text, _ = job
    return RenderedPage(text, [], [error_claim(page, 1, f"rendering this page: {ended(code)}; lab code that a macro "
                                                        "ran exited, crashed or looped: fix the lab")],
                        complete=False)


def lab_failure_claims(lab_errors: dict[str, LabFailure]) -> list[Claim]:
    """One claim per failure in lab code, at its file and line: experiments that fail at the same
    line (a module they all import) are named together, not reported once each."""
    grouped: dict[tuple[str, int, str, str], list[str]] = {}
    for name, failure in lab_errors.items():
        grouped.setdefault((failure.file, failure.line, failure.summary, failure.stage), []).append(name)
    claims = []
    for (file, line, summary, stage), names in grouped.items():
        failure = lab_errors[names[0]]
        which = ", ".join(f"'{n}'" for n in names)
        if names == ["*"]:
            what = f"the lab could not be loaded: {summary}"
        elif stage == "complete":  # the summary says it all (a time limit, a process that ended)
            what = summary
        elif stage == "import":
            what = f"experiment{'s' if len(names) > 1 else ''} {which} could not be imported: {summary}"
        else:
            what = f"experiment{'s' if len(names) > 1 else ''} {which} raised {summary}"
        frames = f" Lab frames:\n{failure.trace.rstrip()}" if failure.trace.strip() else ""
        claims.append(error_claim(file, line, f"{what}; fix the lab.{frames}", key=",".join(names)))
    return claims


def _titles(text: str) -> list[str]:
    """A page's title as the navigation and the previous and next links show it: the front matter's
    ``title``, and the first heading (MkDocs falls back to it)."""
    found = []
    match = FRONT_MATTER.match(text)
    if match:
        try:
            meta = load_yaml(match.group(1))
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict) and meta.get("title") is not None:
            found.append(str(meta["title"]))
    heading = re.search(r"^#[ \t]+(.+)$", split_front_matter(text)[0], re.M)
    return found + ([heading.group(1)] if heading else [])


def _context_key(docs_dir: Path, model: Any, lab_errors: Any) -> str:
    """Everything besides a page's own text that its rendered output depends on."""
    # fingerprint() covers the NumPy and Matplotlib versions without importing either.
    digest = hashlib.sha256(f"{source_fingerprint()}|{fingerprint()}|{sorted(lab_errors or {})}".encode())
    site_data = docs_dir / "_data" / "site.yml"
    if site_data.exists():
        digest.update(site_data.read_bytes())
    # Titles, descriptions, dates and reading times of every article appear on other pages.
    digest.update(repr(model.articles if model is not None else None).encode())
    for path in [path for resource in model.resources for path in resource.files()] if model is not None else []:
        target = docs_dir / path
        readable = target.is_file() and not outside_docs(docs_dir, path)  # outside: reported, never read
        digest.update(target.read_bytes() if readable else b"missing")
    return digest.hexdigest()


def check_translations(docs_dir: Path, root: Path) -> list[Claim]:
    """Every page must exist in every language folder (``docs/en``, ``docs/zh``, ...)."""
    languages = sorted(p for p in docs_dir.iterdir() if p.is_dir() and _LANGUAGE.fullmatch(p.name))
    pages = {lang: {p.relative_to(lang).as_posix() for p in lang.rglob("*.md")} for lang in languages}
    problems = []
    for lang in languages:
        for other in languages:
            for missing in sorted(pages[lang] - pages[other]):
                problems.append(error_claim(project_path(lang / missing, root), 1,
                                            f"no translation in '{other.name}': "
                                            f"create {project_path(other / missing, root)}"))
    return problems


def outside_languages(docs_dir: Path, root: Path) -> list[Claim]:
    """A Markdown page outside the language folders is built in no language, or in one by accident,
    and the build's checks do not know which page it becomes."""
    languages = {p.name for p in docs_dir.iterdir() if p.is_dir() and _LANGUAGE.fullmatch(p.name)}
    if not languages:
        return []
    problems = []
    for path in sorted(docs_dir.rglob("*")):
        parts = path.relative_to(docs_dir).parts
        if path.suffix.lower() in MARKDOWN_SUFFIXES and parts[0] not in languages and not parts[0].startswith("_"):
            problems.append(error_claim(project_path(path, root), 1, "a page outside the language folders: move it "
                                        f"into {', '.join(f'docs/{lang}/' for lang in sorted(languages))}"))
        elif path.suffix.lower() in (".html", ".htm", ".xhtml", ".xht") and not parts[0].startswith("_"):
            problems.append(error_claim(project_path(path, root), 1, "a static HTML file is published as it is, "
                                        "without the theme or any check (its numbers, scripts and links are read by "
                                        "none): "
                                        f"write it as a Markdown page, {path.stem}.md, in each language folder"))
        elif path.suffix.lower() in MARKDOWN_SUFFIXES - {".md"}:
            problems.append(error_claim(project_path(path, root), 1, f"a page named *{path.suffix}: rename it to "
                                        f"{path.stem}.md, the only kind of page the lab check reads"))
    return problems


def links_out_of_project(docs_dir: Path, root: Path) -> list[Claim]:
    """Symbolic links in the docs folder (or in folders it links to) that lead outside the project,
    nowhere, or round in a loop: MkDocs follows links and would publish whatever they point at (on a
    CI build of a pull request, any file of the machine)."""
    project, problems, seen = root.resolve(), [], set()
    for folder, subfolders, files in os.walk(docs_dir, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a folder reached twice through links: walked once
            subfolders[:] = []
            continue
        seen.add(real)
        for name in sorted([*subfolders, *files]):
            path = Path(folder) / name
            problem = _link_problem(path, project)
            if problem:
                problems.append(error_claim(project_path(path, root), 1, problem))
                if name in subfolders:
                    subfolders.remove(name)
    return problems


def _link_problem(path: Path, project: Path) -> str:
    """What is wrong with ``path`` if it is, or lies behind, a link that leaves the project or leads nowhere."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return (f"a symbolic link to {os.readlink(path) if path.is_symlink() else path}, which does not exist: "
                "remove the link or restore its file") if path.is_symlink() else ""
    except (OSError, RuntimeError):
        return "a symbolic link that loops back on itself: remove the link"
    if target.is_relative_to(project):
        return ""
    shown = os.readlink(path) if path.is_symlink() else target
    return (f"a symbolic link to {shown}, outside the project: the build would publish it; copy the file into "
            "the project or remove the link")

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn"})


def check_key_parity(claims: list[Claim], unfinished: set[str] | frozenset[str] = frozenset()) -> list[Claim]:
    """The language versions of a page must cite the same lab keys (code and numbers are shared).
    A page whose template could not be rendered to the end (its syntax error is reported) is not
    compared: every key it cites after the error would look missing, blamed on the other language."""
    keys: dict[str, dict[str, dict[str, int]]] = {}  # page without language -> language -> key -> first line
    skip = {re.sub(r"docs/[a-z]{2}(?:[-_][A-Za-z]{2,4})?/", "docs/*/", page, count=1) for page in unfinished}
    broken: set[tuple[str, str]] = set()  # (page, language) whose version cites a key that is wrong
    for claim in claims:
        match = re.match(r"(.*?docs/)([a-z]{2}(?:[-_][A-Za-z]{2,4})?)/(.+)", claim.page)
        if match and match.group(1) + "*/" + match.group(3) in skip:
            continue
        if match and claim.kind == ERROR and claim.key:
            broken.add((match.group(1) + "*/" + match.group(3), match.group(2)))
        if match and claim.kind in CITING:
            base, lang, rest = match.groups()
            keys.setdefault(base + "*/" + rest, {}).setdefault(lang, {}).setdefault(claim.key, claim.line)
    languages = {lang for by_lang in keys.values() for lang in by_lang}
    problems = []
    for page, by_lang in sorted(keys.items()):
        for lang in languages:  # a version that cites nothing at all still has to agree
            by_lang.setdefault(lang, {})
        for lang, cited in sorted(by_lang.items()):
            for other, other_cited in sorted(by_lang.items()):
                if (page, other) in broken:  # its wrong key is reported there; this one may be right
                    continue
                for key in sorted(set(cited) - set(other_cited)):
                    problems.append(error_claim(page.replace("*", lang), cited[key],
                                                f"cites {key}, but the '{other}' version of this page does not; "
                                                "both languages must show the same lab numbers", key=key))
    return problems
