"""Render one page with the lab macros, outside MkDocs, in a sandbox: its Markdown, its FAQ and its claims.

``render_full`` runs the page's body and FAQ through Jinja with the page's ``PageMacros`` (and the
site macros), then scans the source for numbers tied to nothing (macros/engine/coverage.py).
macros/check/repair.py keeps rendering past each failure; macros/check/site.py renders every page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox
import yaml
from jinja2.sandbox import SandboxedEnvironment

from lab.runner.limits import time_limit
from lab.runner.sealed import read_sealed, write_sealed
from macros.check.lab_results import LabFailure
from macros.check.page_cache import RenderedPage
from macros.check.page_macros import PageMacros
from macros.check.repair import render_text
from macros.engine.claims import NUMBER, UNVERIFIED, Claim, error_claim
from macros.engine.coverage import Scan, scan
from macros.engine.front_matter import FRONT_MATTER, compose_yaml, file_line, front_matter_problem, split_front_matter
from macros.engine.numbers import canonical_numbers
from macros.features.pages import SiteMacros, silent_site_functions


def render_page(page: str, docs_path: str, text: str, results: Mapping[str, Any],
                lab_errors: dict[str, LabFailure] | None = None,
                site: SiteMacros | None = None) -> tuple[str, list[Claim]]:
    """Render one page's macros; template errors become ``error`` claims with their line."""
    rendered = render_full(page, docs_path, text, results, lab_errors, site)
    return rendered.markdown, rendered.claims


def render_full(page: str, docs_path: str, text: str, results: Mapping[str, Any],
                lab_errors: dict[str, LabFailure] | None = None,
                site: SiteMacros | None = None, silent_site: bool = False,
                compiled: jinja2.BytecodeCache | None = None) -> RenderedPage:
    """Body and FAQ of one page with their macros run, and the page's claims. With ``silent_site``
    (the site data has problems, reported elsewhere) the site macros print nothing; ``compiled``
    keeps compiled templates for the next build (template_cache)."""
    body, offset = split_front_matter(text)
    macros = PageMacros(page, docs_path, offset, results, lab_errors, source=text)
    env = _environment(macros, compiled)
    if site is not None:
        env.globals.update(site.functions())
    elif silent_site:
        env.globals.update(silent_site_functions())
    with time_limit("page", f"page {page}"):  # an endless template loop is stopped and located
        output, problems = render_text(env, macros, body)
        faq = render_faq(macros, text, compiled) if not macros.incomplete else []  # FAQ numbers are claims too
    scanned = scan(text)
    bad_front = front_matter_problem(text)  # depends on the text alone, so it is cached with the page
    printed = [*macros.printed, *(site.printed if site is not None else [])]
    allowed = sorted(scanned.allowed) if scanned is not None else []
    return RenderedPage(output, faq, [*macros.claims, *problems, *coverage_claims(page, scanned),
                                      *([error_claim(page, *bad_front)] if bad_front else [])],
                        scanned.allowlisted if scanned is not None else None, printed, allowed,
                        sorted(canonical_numbers([*printed, *allowed])), complete=not macros.incomplete)


def template_cache(directory: Path) -> SealedBytecodeCache:
    """Compiled templates kept on disk under ``directory``: a warm build reuses them."""
    return SealedBytecodeCache(directory / "jinja")


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


def _environment(macros: PageMacros, compiled: jinja2.BytecodeCache | None) -> jinja2.Environment:
    sources: dict[str, str] = {}
    # Sandboxed: a page can call the macros we expose, not reach Python through attributes such as
    # ''.__class__.__mro__ (mkdocs-macros never renders a page itself; it gets our output).
    env = BoundedSandbox(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                         loader=jinja2.FunctionLoader(lambda name: (sources[name], None, lambda: True)),
                         bytecode_cache=compiled)
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
    """File line of a scalar's first character; a block scalar (``|``) starts on the line after its indicator."""
    return file_line(node.start_mark.line) + (1 if node.style in ("|", ">") else 0)


def render_faq(macros: PageMacros, text: str,
               compiled: jinja2.BytecodeCache | None = None) -> list[tuple[str, str]]:
    """The page's FAQ with its macros rendered (and their claims recorded on ``macros``)."""
    env = _environment(macros, compiled)
    rendered, body_offset = [], macros.line_offset
    try:
        for question, q_line, answer, a_line in faq_fragments(text):
            pair = []
            for fragment, line in ((question, q_line), (answer, a_line)):
                macros.line_offset = line - 1  # claims inside the fragment get file lines
                output, problems = render_text(env, macros, fragment)
                macros.claims.extend(problems)
                pair.append(output)
            rendered.append((pair[0], pair[1]))
    finally:
        macros.line_offset = body_offset
    return rendered


_MACRO_ADVICE = ("if it is a lab result write it with check(key, \"{n}\") (or approx/below); if it is a setting or "
                 "convention, add it to allow_numbers in the front matter with the reason")
_ADVICE = {
    "text": _MACRO_ADVICE,  # the body and the FAQ go through the macros: a number there can be checked
    "faq": _MACRO_ADVICE,
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
    claims = [Claim(page, u.line, NUMBER, "", u.number, "", UNVERIFIED,
                    f"unverified number {u.number}{'' if u.where == 'text' else f' in the {u.where}'}: "
                    + _ADVICE.get(u.where, _FIELD_ADVICE).format(n=u.number, where=u.where))
              for u in scanned.unverified]
    return claims + [error_claim(page, line, message) for line, message in scanned.problems]


