"""Render a page's template to the end, whatever it contains: every problem is found in one build.

Jinja stops at the first error. ``render_text`` sets each failure aside and renders again, until the
text renders: an undefined name gets a blank stand-in, an expression that fails otherwise is blanked
on its own, a broken, stray or unclosed block tag is set aside with its block's tags, and a syntax
error blanks its line when that is safe. Each failure becomes an error claim at its page line.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import traceback

import jinja2

from lab.runner.limits import TimeLimitError
from macros.check.page_macros import Blank, PageMacros, corresponding_line
from macros.engine.claims import Claim, error_claim
from macros.engine.macro_names import LAB_MACROS


def render_text(env: jinja2.Environment, macros: PageMacros, text: str) -> tuple[str, list[Claim]]:
    """Render ``text``, whose lines ``macros.page_line`` places on the page; failures become claims.

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
                problems.append(_template_error(macros.page, macros.page_line(culprit), error))
                continue
            problems.append(_template_error(macros.page, macros.page_line(opened or line), error))
            if opened or not 1 <= line <= len(lines) or not _self_contained(lines[line - 1]):
                return _unfinished(macros, text, problems)
            lines[line - 1] = ""
            continue
        line = _error_line(error)
        if isinstance(error, TimeLimitError):  # the page's time is up: no second pass
            problems.append(error_claim(macros.page, macros.page_line(line), f"{error}; the page stopped here"))
            return _unfinished(macros, text, problems)
        names = [name for name in env.globals if not name.startswith("_")]
        problems.append(_template_error(macros.page, macros.page_line(line), error, names))
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


def _template(env: jinja2.Environment, text: str) -> jinja2.Template:
    """The compiled template for ``text``, named by its hash so the bytecode cache can find it."""
    name = hashlib.sha256(text.encode()).hexdigest()
    env.globals["__sources__"][name] = text
    return env.get_template(name)

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


def _template_error(page: str, line: int, error: Exception, names: list[str] | None = None) -> Claim:
    hint = ""
    if isinstance(error, jinja2.UndefinedError):
        hint = f"; only {', '.join(LAB_MACROS)} are defined"
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
