"""Render pages with the lab macros outside MkDocs: the whole-site check behind every build.

``check_site`` reads every Markdown page of every language, renders its macros with the same
``PageMacros`` the MkDocs build uses, and returns one report of all claims and problems.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox
import yaml
from jinja2.sandbox import SandboxedEnvironment

from lab.runner.limits import TimeLimitError, time_limit
from lab.runner.parallel import run_parallel
from lab.runner.sealed import read_sealed, write_sealed
from macros.check.lab_results import LabFailure
from macros.check.page_cache import PageCache, RenderedPage
from macros.check.page_macros import MACRO_NAMES, Blank, PageMacros, corresponding_line
from macros.engine.claims import UNVERIFIED, Claim, Report, error_claim
from macros.engine.coverage import Scan, scan, scan_site_data
from macros.engine.front_matter import FRONT_MATTER, compose_yaml, front_matter_problem, load_yaml, split_front_matter
from macros.engine.links import broken_links
from macros.engine.numbers import canonical_numbers
from macros.features.model import load_site, outside_docs
from macros.features.pages import SiteMacros, silent_site_functions
from macros.files import shown

_LANGUAGE = re.compile(r"[a-z]{2}(?:[-_][A-Za-z]{2,4})?")


def render_page(page: str, docs_path: str, text: str, results: dict[str, Any],
                lab_errors: dict[str, LabFailure] | None = None,
                site: SiteMacros | None = None) -> tuple[str, list[Claim]]:
    """Render one page's macros; template errors become ``error`` claims with their line."""
    rendered = render_full(page, docs_path, text, results, lab_errors, site)
    return rendered.markdown, rendered.claims


def render_full(page: str, docs_path: str, text: str, results: dict[str, Any],
                lab_errors: dict[str, LabFailure] | None = None,
                site: SiteMacros | None = None, silent_site: bool = False) -> RenderedPage:
    """Body and FAQ of one page with their macros run, and the page's claims. With ``silent_site``
    (the site data has problems, reported elsewhere) the site macros print nothing."""
    body, offset = split_front_matter(text)
    macros = PageMacros(page, docs_path, offset, results, lab_errors, source=text)
    env = _environment(macros)
    if site is not None:
        env.globals.update(site.functions())
    elif silent_site:
        env.globals.update(silent_site_functions())
    with time_limit("page", f"page {page}"):  # an endless template loop is stopped and located
        output, problems = _render(env, macros, body, offset)
        faq = render_faq(macros, text) if not macros.incomplete else []  # FAQ numbers are claims too
    scanned = scan(text)
    bad_front = front_matter_problem(text)  # depends on the text alone, so it is cached with the page
    printed = [*macros.printed, *(site.printed if site is not None else [])]
    allowed = sorted(scanned.allowed) if scanned is not None else []
    return RenderedPage(output, faq, [*macros.claims, *problems, *coverage_claims(page, scanned),
                                      *([error_claim(page, *bad_front)] if bad_front else [])],
                        scanned.allowlisted if scanned is not None else None, printed, allowed,
                        sorted(canonical_numbers([*printed, *allowed])), complete=not macros.incomplete)


_bytecode: list[jinja2.BytecodeCache] = []
_page_cache_dir: list[Path] = []


def use_template_cache(directory: Path) -> None:
    """Keep compiled templates and rendered pages on disk: a warm build reuses them."""
    _bytecode[:] = [SealedBytecodeCache(directory / "jinja")]
    _page_cache_dir[:] = [directory / "pages"]


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates on disk, each entry sealed with its SHA-256 (lab/runner/sealed.py): a
    truncated or edited entry is deleted and the template compiled again, never run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.directory / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = read_sealed(self._path(bucket))
        if payload is not None:
            bucket.bytecode_from_string(payload)  # a foreign or stale entry resets the bucket

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        write_sealed(self._path(bucket), bucket.bytecode_to_string())


def _environment(macros: PageMacros) -> jinja2.Environment:
    sources: dict[str, str] = {}
    # Sandboxed: a page can call the macros we expose, not reach Python through attributes such as
    # ''.__class__.__mro__ (mkdocs-macros never renders a page itself; it gets our output).
    env = BoundedSandbox(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                               loader=jinja2.FunctionLoader(lambda name: (sources[name], None, lambda: True)),
                               bytecode_cache=_bytecode[0] if _bytecode else None)
    env.globals.update(macros.functions())
    env.globals["__sources__"] = sources
    return env


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with arithmetic a page cannot blow up: a power with a huge exponent, or text and
    lists repeated millions of times, is an error at its line instead of a build that never ends or
    fills the memory (Jinja's sandbox already caps range() at 100,000 items)."""

    intercepted_binops = frozenset({"**", "*"})
    LARGEST = 10**6

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 1000 \
                and isinstance(left, int | float) and abs(left) not in (0, 1):
            raise jinja2.sandbox.SecurityError(f"{left!r} ** {right!r} is too large to compute in a page; "
                                               "compute it in the lab")
        if operator == "*":
            for times, other in ((left, right), (right, left)):
                if isinstance(times, int) and isinstance(other, str | list | tuple) and \
                        times * max(len(other), 1) > self.LARGEST:
                    raise jinja2.sandbox.SecurityError(f"repeating a {type(other).__name__} {times:,} times is "
                                                       "too large for a page")
        return super().call_binop(context, operator, left, right)


def _template(env: jinja2.Environment, text: str) -> jinja2.Template:
    """The compiled template for ``text``, named by its hash so the bytecode cache can find it."""
    name = hashlib.sha256(text.encode()).hexdigest()
    env.globals["__sources__"][name] = text
    return env.get_template(name)


def _render(env: jinja2.Environment, macros: PageMacros, text: str, offset: int) -> tuple[str, list[Claim]]:
    """Render ``text`` whose first line is line ``offset + 1`` of the page; failures become claims.

    Jinja stops at the first error, so each failure is set aside and the text rendered again, until
    it renders: every problem of a page is reported in one build, not one per build. An undefined
    name is given a blank stand-in (so the rest of its line, and a second undefined name on it, are
    still checked); an expression that fails otherwise is blanked on its own; a syntax error blanks
    its line, unless that line opens or closes a block (then what follows would be knock-on errors).
    """
    if "{" not in text:  # no macro, no Jinja: skip compiling a template
        return text, []
    lines, problems, stand_ins, broke_block = text.split("\n"), [], {}, False
    env.globals["__stand_ins__"] = stand_ins
    for _ in range(len(lines) * 4 + 8):  # each pass removes one problem; bounded all the same
        start, printed = len(macros.claims), len(macros.printed)
        error = _attempt(env, lines)
        if isinstance(error, str):
            return error, problems
        del macros.claims[start:], macros.printed[printed:]  # the next pass makes them again
        if isinstance(error, jinja2.TemplateSyntaxError):
            if broke_block:  # blanking a line with a block tag broke the template: not the author's doing
                return _unfinished(macros, text, problems)
            line = error.lineno or 0
            opened = _open_construct(lines, line)  # a {{ left open on an earlier line is the real cause
            repaired = None if opened else _without_broken_block(lines, line, str(error))
            if repaired is not None:  # a block tag left open, stray or broken: set it aside and go on
                culprit, lines = repaired
                problems.append(_template_error(macros.page, culprit + offset, error))
                continue
            problems.append(_template_error(macros.page, (opened or line) + offset, error))
            if opened or not 1 <= line <= len(lines) or not _self_contained(lines[line - 1]):
                return _unfinished(macros, text, problems)
            lines[line - 1] = ""
            continue
        line = _error_line(error)
        if isinstance(error, TimeLimitError):  # the page's time is up: no second pass
            problems.append(error_claim(macros.page, line + offset, f"{error}; the page stopped here"))
            return _unfinished(macros, text, problems)
        names = [name for name in env.globals if not name.startswith("_")]
        problems.append(_template_error(macros.page, line + offset, error, names))
        undefined = re.match(r"'(\w+)' is undefined", str(error)) if isinstance(error, jinja2.UndefinedError) else None
        if undefined and undefined.group(1) not in stand_ins:
            stand_ins[undefined.group(1)] = env.globals[undefined.group(1)] = Blank()
            continue
        if not 1 <= line <= len(lines) or not lines[line - 1]:
            return _unfinished(macros, text, problems)
        original = lines[line - 1]
        lines[line - 1] = _without_failing_expression(env, macros, lines, line, error)
        broke_block = broke_block or (not lines[line - 1] and not _self_contained(original))
    return _unfinished(macros, text, problems)


def _unfinished(macros: PageMacros, text: str, problems: list[Claim]) -> tuple[str, list[Claim]]:
    """Give up on rendering ``text``: its problems so far, and the page marked as not fully checked
    (so its keys are not compared with the other language's: they would all look missing)."""
    macros.incomplete = True
    return text, problems


def _attempt(env: jinja2.Environment, lines: list[str]) -> str | BaseException:
    """The rendered text, or the exception rendering raised."""
    try:
        return _template(env, "\n".join(lines)).render()
    except (Exception, TimeLimitError, SystemExit, KeyboardInterrupt) as error:  # an undefined name, a macro
        return error  # called wrongly, a syntax error, lab code that exits while a macro runs it


_EXPRESSION = re.compile(r"\{\{.*?\}\}")


def _without_failing_expression(env: jinja2.Environment, macros: PageMacros, lines: list[str], line: int,
                                error: Exception) -> str:
    """Line ``line`` with the ``{{ ... }}`` that raised ``error`` blanked (found by trying each one
    when there are several), or blank entirely when no single expression is to blame."""
    text = lines[line - 1]
    spans = [m.span() for m in _EXPRESSION.finditer(text)]
    for begin, end in spans:
        trial = text[:begin] + text[end:]
        if len(spans) == 1:
            return trial
        start, printed = len(macros.claims), len(macros.printed)
        outcome = _attempt(env, [*lines[: line - 1], trial, *lines[line:]])
        del macros.claims[start:], macros.printed[printed:]  # a trial run's claims and output are not the page's
        if isinstance(outcome, str) or str(outcome) != str(error) or _error_line(outcome) != line:
            return trial
    return ""


_DELIMITER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


def _open_construct(lines: list[str], line: int) -> int:
    """The line of a ``{{``, ``{%`` or ``{#`` still open when line ``line`` begins, or 0."""
    opened_at, closer = 0, ""
    for number, text in enumerate(lines[: max(line - 1, 0)], start=1):
        for token in _DELIMITER.findall(text):
            if not closer and token in ("{{", "{%", "{#"):
                opened_at, closer = number, {"{{": "}}", "{%": "%}", "{#": "#}"}[token]
            elif token == closer:
                opened_at, closer = 0, ""
    return opened_at


_TAG = re.compile(r"\{%-?\s*(\w+)([^%]*?)-?%\}")
_OPENERS = {"if", "for", "block", "macro", "call", "filter", "with", "autoescape", "trans", "set"}
_MIDDLES = {"else": {"if", "for"}, "elif": {"if"}}


def _block_tags(lines: list[str]) -> list[tuple[int, int, int, str]] | None:
    """Every block tag of the template as ``(line, start, end, role)``, where role is ``open:NAME``,
    ``middle:NAME`` or ``close:NAME``; None when a tag spans lines or a raw block or comment does
    (then nothing is repaired)."""
    tags, in_raw = [], False
    for number, text in enumerate(lines, start=1):
        if "{#" in text and "#}" not in text[text.index("{#"):]:
            return None
        for match in _TAG.finditer(text):
            name, rest = match.group(1), match.group(2)
            if in_raw:
                in_raw = name != "endraw"
                continue
            if name == "raw":
                in_raw = True
            elif name in _OPENERS and not (name == "set" and "=" in rest):
                tags.append((number, *match.span(), f"open:{name}"))
            elif name in _MIDDLES:
                tags.append((number, *match.span(), f"middle:{name}"))
            elif name.startswith("end") and name[3:] in _OPENERS:
                tags.append((number, *match.span(), f"close:{name[3:]}"))
        if "{%" in _TAG.sub("", text) and not in_raw:
            return None  # a tag that continues on the next line
    return tags


def _matched(tags: list[tuple[int, int, int, str]]) -> tuple[dict[int, list[int]], list[int], list[int]]:
    """Which tags belong together: opener index -> its middles and closer; stray closers and middles;
    openers never closed."""
    groups: dict[int, list[int]] = {}
    stack, stray = [], []
    for index, (_, _, _, role) in enumerate(tags):
        kind, name = role.split(":")
        if kind == "open":
            stack.append(index)
            groups[index] = []
        elif kind == "middle":
            if stack and tags[stack[-1]][3].split(":")[1] in _MIDDLES[name]:
                groups[stack[-1]].append(index)
            else:
                stray.append(index)
        elif stack and tags[stack[-1]][3] == f"open:{name}":
            groups[stack.pop()].append(index)
        else:
            stray.append(index)
    return groups, stray, stack


def _without_broken_block(lines: list[str], line: int, message: str) -> tuple[int, list[str]] | None:
    """The line to blame and the template without the block tags a syntax error is about: an opener
    never closed (with its else/elif), a stray end tag or else, or a broken opener (with its else and
    end tag); None when the error is not about one block tag."""
    tags = _block_tags(lines)
    if not tags:
        return None
    groups, stray, unclosed = _matched(tags)
    if "unexpected end of template" in message.lower() and unclosed:
        chosen = [unclosed[-1], *groups[unclosed[-1]]]
    else:
        on_line = [i for i, tag in enumerate(tags) if tag[0] == line]
        if len(on_line) != 1 or _TAG.sub("", lines[line - 1]).count("{%"):
            return None
        index = on_line[0]
        chosen = [index, *groups.get(index, [])] if index in groups else [index] if index in stray else None
        if chosen is None:
            return None
    repaired = list(lines)
    for index in sorted(chosen, key=lambda i: (tags[i][0], -tags[i][1])):  # right to left on a line
        number, start, end, _ = tags[index]
        repaired[number - 1] = repaired[number - 1][:start] + repaired[number - 1][end:]
    return tags[chosen[0]][0], repaired


def _self_contained(line: str) -> bool:
    """Whether blanking ``line`` leaves the template's structure whole: no block tag on it, and every
    ``{{`` and ``{#`` it opens closed on it."""
    return "{%" not in line and "%}" not in line and line.count("{{") == line.count("}}") \
        and line.count("{#") == line.count("#}")


def faq_fragments(text: str) -> list[tuple[str, int, str, int]]:
    """``(question, line, answer, line)`` of each front-matter FAQ entry, with each text's first line."""
    match = FRONT_MATTER.match(text)
    if not match:
        return []
    try:
        root = compose_yaml(match.group(1))
    except yaml.YAMLError:
        return []  # reported by the site model with its line
    if not isinstance(root, yaml.MappingNode):
        return []
    faq = next((value for key, value in root.value if key.value == "faq"), None)
    fragments = []
    for item in faq.value if isinstance(faq, yaml.SequenceNode) else []:
        if not isinstance(item, yaml.MappingNode):
            continue  # reported by the site model: faq must be a list of {q: question, a: answer}
        fields = {key.value: value for key, value in item.value if isinstance(key, yaml.ScalarNode)}
        if isinstance(fields.get("q"), yaml.ScalarNode) and isinstance(fields.get("a"), yaml.ScalarNode):
            fragments.append((fields["q"].value, _first_line(fields["q"]), fields["a"].value, _first_line(fields["a"])))
    return fragments


def _first_line(node: yaml.ScalarNode) -> int:
    """File line of a scalar's first character: front matter starts on line 2; a block scalar
    (``|``) starts on the line after its indicator."""
    return node.start_mark.line + 2 + (1 if node.style in ("|", ">") else 0)


def render_faq(macros: PageMacros, text: str) -> list[tuple[str, str]]:
    """The page's FAQ with its macros rendered (and their claims recorded on ``macros``)."""
    env = _environment(macros)
    rendered, body_offset = [], macros.line_offset
    try:
        for question, q_line, answer, a_line in faq_fragments(text):
            pair = []
            for fragment, line in ((question, q_line), (answer, a_line)):
                macros.line_offset = line - 1  # claims inside the fragment get file lines
                output, problems = _render(env, macros, fragment, line - 1)
                macros.claims.extend(problems)
                pair.append(output)
            rendered.append((pair[0], pair[1]))
    finally:
        macros.line_offset = body_offset
    return rendered


def _template_error(page: str, line: int, error: Exception, names: list[str] | None = None) -> Claim:
    hint = ""
    if isinstance(error, jinja2.UndefinedError):
        hint = f"; only {', '.join(MACRO_NAMES)} are defined"
        undefined = re.match(r"'(\w+)' is undefined", str(error))
        close = difflib.get_close_matches(undefined.group(1), names or [], n=1) if undefined else []
        if close:
            hint += f" (did you mean {close[0]}?)"
    if isinstance(error, NameError) and re.search(r"name '(inf|nan)' is not defined", str(error)):
        hint = "; a number in a Jinja expression is beyond a float's range (such as 1e400): write a smaller one"
    message = f"{type(error).__name__}: {error}{hint}"
    return error_claim(page, line, message)


def _error_line(error: Exception) -> int:
    """The template line of the innermost template frame in the error's traceback.

    Jinja rewrites tracebacks so that template frames carry template line numbers already;
    a frame that still has the compiled module's globals is mapped back by hand.
    """
    line = 0
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            line = corresponding_line(template, lineno)
        elif frame.f_code.co_filename == "<template>":
            line = lineno
    return line


_job: dict[str, Any] = {}
"""What every page render of one check shares; forked workers inherit it instead of receiving it."""


def _render_job(page: str, docs_path: str, text: str) -> RenderedPage:
    if "{" in text:  # its macros need NumPy: loaded before the page's time limit starts (slow on a busy machine)
        import numpy  # noqa: F401

    site = SiteMacros(_job["model"], docs_path, _job["docs_dir"]) if _job["model"] is not None else None
    return render_full(page, docs_path, text, _job["results"], _job["errors"], site, silent_site=_job["silent"])


def _page_deadline() -> float | None:
    """When a worker rendering a page is killed: the page's limit, the lab's (a page may make an
    experiment run), and a margin to stop by itself."""
    from lab.runner.limits import seconds

    return seconds("page") + seconds("lab") + 10 if seconds("page") > 0 else None


def _render_died(job: tuple[str, str, str], code: int) -> RenderedPage:
    """A page whose rendering ended its worker: lab code a macro ran (a table, a module lab_source
    imported) called os._exit() or crashed."""
    from lab.runner.parallel import ended

    page, _, text = job
    return RenderedPage(text, [], [error_claim(page, 1, f"rendering this page: {ended(code)}; lab code that a macro "
                                                        "ran exited, crashed or looped: fix the lab")],
                        complete=False)


def check_site(docs_dir: Path, results: dict[str, Any], lab_errors: dict[str, LabFailure] | None = None,
               root: Path | None = None) -> Report:
    """Check every page under ``docs_dir``; pages are named relative to ``root`` in messages."""
    root = root or docs_dir.parent
    report = Report()
    model, site_problems = load_site(docs_dir, root)
    report.site = model
    report.claims.extend(_located_error(problem) for problem in site_problems)
    site_data = docs_dir / "_data" / "site.yml"
    if site_data.is_file():
        scanned = scan_site_data(site_data.read_text(encoding="utf-8-sig"))
        report.claims.extend(coverage_claims(shown(site_data, root), scanned))
        report.allowlisted[shown(site_data, root)] = scanned.allowlisted
        report.site_allowed = sorted(scanned.allowed)
    texts = {}
    for path in sorted(docs_dir.rglob("*.md")):
        try:
            texts[path] = path.read_text(encoding="utf-8-sig")  # as MkDocs reads it: a BOM is dropped
        except UnicodeDecodeError as error:
            report.claims.append(error_claim(shown(path, root), 1, f"not UTF-8: {error}"))
        except OSError as error:  # a broken link is reported by links_out_of_project, once
            if not path.is_symlink():
                report.claims.append(error_claim(shown(path, root), 1, f"cannot be read: {error.strerror}"))
    cache = PageCache(_page_cache_dir[0], _context_key(docs_dir, model, lab_errors)) if _page_cache_dir else None
    pages = {path: shown(path, root) for path in texts}
    keys = {path: cache.key(pages[path], text) if cache else "" for path, text in texts.items()}
    rendered_pages = {path: cache.load(keys[path]) if cache else None for path in texts}
    missing = [path for path, rendered in rendered_pages.items() if rendered is None]
    _job.update(results=results, errors=lab_errors, model=model if not site_problems else None,
                docs_dir=docs_dir, silent=bool(site_problems))
    jobs = [(pages[path], path.relative_to(docs_dir).as_posix(), texts[path]) for path in missing]
    try:  # many pages to render (a cold build, an edit to the lab or the macros): on all cores
        outputs = run_parallel(_render_job, jobs, died=_render_died, deadline=_page_deadline())
    finally:
        _job.clear()
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
    from lab.runner.stamp import fingerprint
    from macros.files import source_fingerprint

    # fingerprint() covers the NumPy and Matplotlib versions without importing either.
    digest = hashlib.sha256(f"{source_fingerprint()}|{fingerprint()}|{sorted(lab_errors or {})}".encode())
    site_data = docs_dir / "_data" / "site.yml"
    if site_data.exists():
        digest.update(site_data.read_bytes())
    # Titles, descriptions, dates and reading times of every article appear on other pages.
    digest.update(repr(model.articles if model is not None else None).encode())
    for resource in model.resources if model is not None else []:
        target = docs_dir / resource.path
        readable = target.is_file() and not outside_docs(docs_dir, resource.path)  # outside: reported, never read
        digest.update(target.read_bytes() if readable else b"missing")
    return digest.hexdigest()


_ADVICE = {
    "text": "if it is a lab result write it with check(key, \"{n}\") (or approx/below); if it is a setting or "
            "convention, add it to allow_numbers in the front matter with the reason",
    "faq": "if it is a lab result write it with check(key, \"{n}\") (or approx/below); if it is a setting or "
           "convention, add it to allow_numbers in the front matter with the reason",
    "site data": "site data is not checked against the lab: move a lab result into an article, or add the "
                 "number to allow_numbers at the top of docs/_data/site.yml with the reason",
}
_FIELD_ADVICE = ("the {where} is shown as written, without the lab macros: move a lab result into the text, "
                 "or add the number to allow_numbers in the front matter with the reason")


def coverage_claims(page: str, scanned: Scan | None) -> list[Claim]:
    """Numbers written by hand and tied to nothing, and problems with the allowlist
    (see macros/engine/coverage.py)."""
    if scanned is None:
        return []
    claims = [Claim(page, u.line, "number", "", u.number, "", UNVERIFIED,
                    f"unverified number {u.number}{'' if u.where == 'text' else f' in the {u.where}'}: "
                    + _ADVICE.get(u.where, _FIELD_ADVICE).format(n=u.number, where=u.where))
              for u in scanned.unverified]
    return claims + [error_claim(page, line, message) for line, message in scanned.problems]


def _located_error(problem: str) -> Claim:
    """A ``file:line: message`` string as an error claim."""
    match = re.match(r"(.+?):(\d+): (.*)", problem, re.S)
    page, line, message = match.groups() if match else ("", "0", problem)
    return error_claim(page, int(line), message)


def check_translations(docs_dir: Path, root: Path) -> list[Claim]:
    """Every page must exist in every language folder (``docs/en``, ``docs/zh``, ...)."""
    languages = sorted(p for p in docs_dir.iterdir() if p.is_dir() and _LANGUAGE.fullmatch(p.name))
    pages = {lang: {p.relative_to(lang).as_posix() for p in lang.rglob("*.md")} for lang in languages}
    problems = []
    for lang in languages:
        for other in languages:
            for missing in sorted(pages[lang] - pages[other]):
                problems.append(error_claim(shown(lang / missing, root), 1,
                                            f"no translation in '{other.name}': "
                                            f"create {shown(other / missing, root)}"))
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
            problems.append(error_claim(shown(path, root), 1, "a page outside the language folders: move it "
                                        f"into {', '.join(f'docs/{lang}/' for lang in sorted(languages))}"))
        elif path.suffix.lower() in (".html", ".htm", ".xhtml", ".xht") and not parts[0].startswith("_"):
            problems.append(error_claim(shown(path, root), 1, "a static HTML file is published as it is, without "
                                        "the theme or any check (its numbers, scripts and links are read by none): "
                                        f"write it as a Markdown page, {path.stem}.md, in each language folder"))
        elif path.suffix.lower() in MARKDOWN_SUFFIXES - {".md"}:
            problems.append(error_claim(shown(path, root), 1, f"a page named *{path.suffix}: rename it to "
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
                problems.append(error_claim(shown(path, root), 1, problem))
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
        if match and claim.kind == "error" and claim.key:
            broken.add((match.group(1) + "*/" + match.group(3), match.group(2)))
        if match and claim.kind in ("check", "approx", "below", "value"):
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
