"""The functions a page may call, bound to one page. Free of MkDocs: the mkdocs-macros adapter
and the standalone checker both render pages through this class.

Macros never raise: a problem becomes an ``error`` claim with its line and a visible marker in
the page, so one build can report every problem at once.
"""

from __future__ import annotations

import bisect
import functools
import importlib
import inspect
import re
import sys
import textwrap
import typing
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from lab.runner.failures import LAB_DIR, locate
from lab.runner.guard import no_writes
from macros.check.lab_results import LabFailure, LabRunError
from macros.engine.claims import APPROX, BELOW, CHECK, OK, STALE, VALUE, Claim, error_claim
from macros.engine.coverage import prose
from macros.engine.directions import DirectionError, oriented, rising, sentence_around, sentence_problem
from macros.engine.keys import LabKeyError, parse_key, resolve
from macros.engine.literals import (
    Literal,
    LiteralError,
    Tolerance,
    ToleranceError,
    bound_limit,
    matches,
    parse_literal,
    rounded_like,
)
from macros.engine.macro_names import LAB_MACROS
from macros.features.modules import MODULES, module_html
from macros.features.search_text import plain_math
from macros.features.ui_text import UI, ui
from macros.files import LAB_ASSETS

if TYPE_CHECKING:  # NumPy is imported inside the functions that use it, so a warm build that
    import numpy as np  # renders no page never loads it.



_FORMAT = re.compile(r"\+?(?:\.\d{1,2})?[fe%]|d|g")
_SOURCE_NAME = re.compile(r"lab(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
SOURCE_COLUMNS = 72
"""The widest line lab_source shows: 74 characters fill the code column at 1280 px (beside line
numbers, in a 0.6 em monospace font); 2 are left for slightly wider fonts."""


def template_line() -> int:
    """Line of the template currently calling a macro, found from the Jinja frame on the stack."""
    frame = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return corresponding_line(template, frame_line(frame))
        frame = frame.f_back
    return 0


_code_lines: dict[Any, tuple[list[int], list[int]]] = {}


def frame_line(frame: Any) -> int:
    """``frame.f_lineno``, by binary search in a table built once per code object.

    Python finds ``f_lineno`` by walking the code's line table from its start, and a page's
    template compiles to one function as long as the page: for a page with n macro calls that walk
    made claim work grow with n².
    """
    code = frame.f_code
    table = _code_lines.get(code)
    if table is None:
        ranges = sorted((start, line) for start, _, line in code.co_lines() if line is not None)
        table = ([start for start, _ in ranges], [line for _, line in ranges])
        if len(_code_lines) > 256:  # templates of earlier builds under `mkdocs serve`
            _code_lines.clear()
        _code_lines[code] = table
    at = bisect.bisect_right(table[0], frame.f_lasti) - 1
    return table[1][at] if at >= 0 else frame.f_lineno


_line_tables: weakref.WeakKeyDictionary[Any, tuple[list[int], list[int]]] = weakref.WeakKeyDictionary()


def corresponding_line(template: Any, code_line: int) -> int:
    """``template.get_corresponding_lineno``, by binary search in a table parsed once per template.

    Jinja's own method parses the template's whole debug table on every call, so a page with n
    macro calls cost n² steps: a page with 4,500 checks spent minutes there.
    """
    table = _line_tables.get(template)
    if table is None:
        pairs = sorted(template.debug_info, key=lambda pair: pair[1])  # (template line, code line)
        table = ([code for _, code in pairs], [line for line, _ in pairs])
        _line_tables[template] = table
    codes, lines = table
    at = bisect.bisect_right(codes, code_line) - 1
    return lines[at] if at >= 0 else 1


class Blank:
    """What an undefined name stands for once it is reported: prints nothing, and any use of it
    (a call, an attribute, an index, arithmetic) is another blank, so the rest of the line is checked."""

    def __str__(self) -> str:
        return ""

    def __html__(self) -> str:
        return ""

    def __call__(self, *args: Any, **kwargs: Any) -> Blank:
        return self._same(*args, *kwargs.values())

    def __getattr__(self, name: str) -> Blank:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key: Any) -> Blank:
        return self

    def __iter__(self) -> Any:
        return iter(())

    def __bool__(self) -> bool:
        return False

    def _same(self, *args: Any) -> Blank:
        for arg in args:  # another undefined name in the same expression is reported too
            if isinstance(arg, jinja2.Undefined):
                arg._fail_with_undefined_error()
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _same
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = _same


def _short(text: str, limit: int = 40) -> str:
    """``text`` as a message quotes it: a long literal is cut, so one line stays readable."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


_EXAMPLES = {"key": '"mse.loss"', "written": '"0.801"', "fmt": '".6f"', "times": '"shorter"', "by": '"falls"',
             "name": '"mse-outer-product"', "caption": '"The caption"'}


@functools.cache
def _text_parameters(name: str) -> dict[str, bool]:
    """The parameters of macro ``name`` that take text, each with whether it may be left out (None)."""
    hints = typing.get_type_hints(getattr(PageMacros, name))
    return {parameter: hint is not str for parameter, hint in hints.items()
            if parameter != "return" and str in (typing.get_args(hint) or (hint,))}


class LabDownError(LabKeyError):
    """No key has a value: the whole lab failed to load (reported once, at the lab's file and line)."""


class PageMacros:
    """Macros for the page at ``page`` (a path shown in messages).

    ``docs_path`` is the page's path inside the docs folder, used to build relative links;
    ``line_offset`` is the number of lines (front matter) before the rendered text starts.
    """

    def __init__(self, page: str, docs_path: str, line_offset: int, results: dict[str, Any],
                 lab_errors: dict[str, LabFailure] | None = None, source: str = "") -> None:
        self.page = page
        self.source = source  # the page's whole text, for the words around a claim (times=, by=)
        self._prose_lines: list[str] | None = None
        self.line_offset = line_offset
        self.results = results
        self.lab_errors = lab_errors or {}
        self.claims: list[Claim] = []
        self.incomplete = False  # set when a template error stopped rendering part of the page
        self.printed: list[str] = []  # every text a lab macro put on the page (macros/check/built_scan.py)
        self.to_root = "../" * docs_path.count("/")

    def functions(self) -> dict[str, Any]:
        """Name -> callable, as exposed to Jinja: each refuses an argument of the wrong type (a number
        where text in quotes belongs) with a message naming the macro, the argument and its value."""
        return {name: self._typed(name) for name in LAB_MACROS}

    def _typed(self, name: str) -> Any:
        method = getattr(self, name)
        texts = _text_parameters(name)

        def call(*args: Any, **kwargs: Any) -> str:
            try:
                bound = inspect.signature(method).bind(*args, **kwargs)
            except TypeError:
                return method(*args, **kwargs)  # wrong arguments: Jinja reports the TypeError at its line
            if any(isinstance(arg, Blank) for arg in (*args, *kwargs.values())):
                return ""  # an undefined name in the call, already reported: nothing more to say
            for parameter, optional in texts.items():
                given = bound.arguments.get(parameter)
                if parameter in bound.arguments and not isinstance(given, str) and not (optional and given is None):
                    key = bound.arguments.get("key")
                    return self._error(key if isinstance(key, str) else "", "",
                                       f"{name}(): {parameter} must be text in quotes, like {_EXAMPLES[parameter]}; "
                                       f"got {given!r} ({type(given).__name__})")
            return method(*args, **kwargs)

        call.__name__ = name
        return call

    # -- recording ---------------------------------------------------------------------------
    def page_line(self, line: int) -> int:
        """The page line of line ``line`` of the text being rendered (the body after the front
        matter, or one FAQ text): the one place the offset is added."""
        return line + self.line_offset

    def _line(self) -> int:
        return self.page_line(template_line())

    def _error(self, key: str, written: str, message: str | Exception) -> str:
        if not isinstance(message, LabDownError):  # the lab failure itself is reported once, at its lab line
            self.claims.append(error_claim(self.page, self._line(), str(message), key, written))
        return f"**⚠ {message}**"

    def _lookup(self, key: str) -> Any:
        import numpy as np

        parsed = parse_key(key)
        if "*" in self.lab_errors:
            raise LabDownError(f"the lab could not be loaded ({self.lab_errors['*'].describe()})")
        failure = self.lab_errors.get(parsed.experiment)
        if failure is not None:
            raise LabKeyError(f"experiment '{parsed.experiment}' failed, so {key} has no value "
                              f"({failure.describe()})")
        try:
            value = resolve(parsed, self.results)
        except LabRunError as error:
            raise LabKeyError(f"{error}, so {key} has no value; fix the lab") from None
        if not np.all(np.isfinite(np.asarray(value, dtype=float))):
            raise LabKeyError(f"lab value {key} is not finite ({value}); fix the experiment")
        return value

    # -- numbers -------------------------------------------------------------------------------
    def value(self, key: str, fmt: str = ".6f") -> str:
        """Print a lab value in a format such as ``.6f``, ``.2e``, ``.1%``, ``d`` or ``g``."""
        import numpy as np

        try:
            value = self._lookup(key)
        except LabKeyError as error:
            return self._error(key, "", error)
        if not _FORMAT.fullmatch(fmt):
            return self._error(key, "", f"format '{fmt}' is not one of .Nf, .Ne, .N%, d, g")
        if fmt == "d":
            value = np.rint(value).astype(int)
        text = _format_array(np.asarray(value), fmt)
        self.claims.append(Claim(self.page, self._line(), VALUE, key, "", _computed(value), OK,
                                 f"printed {key} as {text}"))
        self.printed.append(text)
        return text

    def check(self, key: str, written: str, tol: float | None = None, times: str | None = None,
              by: str | None = None) -> str:
        """Print the author's ``written`` number after checking it against the lab value ``key``:
        at its written precision, or within ``tol`` when one is given. With ``times="shorter"`` or
        ``by="falls"`` the number is a ratio or a change in the direction of that word, which the
        sentence must contain (see macros/engine/directions.py)."""
        return self._compare(CHECK, key, written, tol, None, times, by)

    def approx(self, key: str, written: str, tol: float | None = None, rel: float | None = None,
               times: str | None = None, by: str | None = None) -> str:
        """An honestly approximate number ("about 2,200"): the lab value must lie within ``tol``
        of ``written`` (percentage points for a percentage), or within ``rel`` times it."""
        if (tol is None) == (rel is None):
            return self._error(key, written, f"approx(\"{key}\", \"{written}\") needs exactly one of tol= "
                                             "(an absolute bound) or rel= (a share of the written number)")
        return self._compare(APPROX, key, written, tol, rel, times, by)

    def _orient(self, key: str, value: np.ndarray, times: str | None, by: str | None) -> tuple[np.ndarray, str]:
        """The lab value as a direction word states it (macros/engine/directions.py); raises DirectionError."""
        import numpy as np

        word = times if times is not None else by
        if word is None:
            return value, ""
        if value.size != 1:
            raise DirectionError(f"times=/by= state one ratio or change, but {key} has shape {value.shape}")
        rising(word)  # a word the site knows, before looking for it in the sentence
        line = self._line()
        lines = self._prose()
        source_line = self.source.split("\n")[line - 1] if 0 < line <= self.source.count("\n") + 1 else ""
        call = re.search(rf"""(?:times|by)\s*=\s*["']{re.escape(word)}["']""", source_line)
        problem = sentence_problem(word, *sentence_around(lines, line, call.start() if call else 0))
        if problem:
            raise DirectionError(f"{problem}: write the sentence so that it says '{word}' and nothing against it, "
                                 "or correct the word")
        oriented_value, problem = oriented(float(value.reshape(())), times, by)
        return np.asarray(oriented_value), problem

    def _prose(self) -> list[str]:
        if self._prose_lines is None:
            self._prose_lines = prose(self.source, attributes=False).split("\n")
        return self._prose_lines

    def below(self, key: str, written: str) -> str:
        """An upper bound on a size ("relative errors below 5e-8"): every entry of the lab value
        must be smaller than ``written`` in absolute value. For quantities that are rounding noise,
        whose digits differ from machine to machine while their size does not."""
        import numpy as np

        try:
            value = np.asarray(self._lookup(key), dtype=float)
            limit = bound_limit(written)
        except LiteralError as error:
            return self._error(key, written, f'below("{key}", "{_short(written)}"): {error}')
        except LabKeyError as error:
            return self._error(key, written, error)
        if not 0 < limit < float("inf"):
            return self._error(key, written, f"below(\"{key}\", \"{written}\"): the bound must be a finite number "
                                             "above 0")
        largest = float(np.max(np.abs(value)))
        if not largest < limit:
            shown = f"{largest * 100:.3g}%" if written.strip().endswith("%") else f"{largest:.3g}"
            message = f"written below {written}, lab {shown} ({key}): raise the bound or fix the lab"
            self.claims.append(Claim(self.page, self._line(), BELOW, key, written, _computed(value), STALE,
                                     message, f"<{written}"))
            return f"**⚠ {written} (stale: lab says {shown})**"
        self.claims.append(Claim(self.page, self._line(), BELOW, key, written, _computed(value), OK,
                                 f"{key} is below {written}", f"<{written}"))
        self.printed.append(written)
        return written

    def _compare(self, kind: str, key: str, written: str, tol: float | None, rel: float | None,
                 times: str | None = None, by: str | None = None) -> str:
        import numpy as np

        try:
            value = np.asarray(self._lookup(key), dtype=float)
            literal = parse_literal(written)
            bound = Tolerance.of(tol, rel)
            value, wrong_way = self._orient(key, value, times, by)
        except (LiteralError, ToleranceError) as error:
            return self._error(key, written, f'{kind}("{key}", "{_short(written)}"): {error}')
        except (LabKeyError, DirectionError) as error:
            return self._error(key, written, error)
        if wrong_way:
            message = f"{wrong_way} ({key}); correct the word, or the lab"
            self.claims.append(Claim(self.page, self._line(), kind, key, written, _computed(value), STALE,
                                     message, bound.text()))
            return f"**⚠ {written} ({wrong_way})**"
        if (times or by) and any(literal[i].value < 0 for i in np.ndindex(literal.shape)):
            return self._error(key, written, f"with times=/by= the word carries the direction; write '{written}' "
                                             "without its sign")
        if literal.shape != value.shape and literal.shape != np.squeeze(value).shape:
            return self._error(key, written, f"'{written}' has shape {literal.shape} but {key} "
                                             f"has shape {value.shape}; write one number per entry")
        value = value.reshape(literal.shape)
        stated = f"{written}{bound.describe()}"
        largest_written = max(abs(literal[i].value) for i in np.ndindex(literal.shape))
        if bound.absolute is not None and bound.absolute >= largest_written:
            return self._error(key, written, f"tol={bound.text()} is as large as '{written}' itself, so it checks "
                                             f"nothing; write a smaller tolerance, or a bound with below()")
        stale = [i for i in np.ndindex(literal.shape) if not matches(literal[i], value[i], bound)]
        if stale:
            lab_text = _bracket([_lab_text(kind, literal[i], value[i]) for i in np.ndindex(literal.shape)],
                                literal.shape)
            message = f"written {stated}, lab {lab_text} ({key})"
            self.claims.append(Claim(self.page, self._line(), kind, key, written,
                                     _computed(value), STALE, message, bound.text()))
            return f"**⚠ {written} (stale: lab says {lab_text})**"
        said = f" ({times or by})" if times or by else ""
        self.claims.append(Claim(self.page, self._line(), kind, key, written, _computed(value), OK,
                                 f"{stated}{said} agrees with {key}", bound.text()))
        self.printed.append(written)
        return written

    # -- figures, tables, code -------------------------------------------------------------------
    def figure(self, name: str, caption: str) -> str:
        """A lab figure with a Markdown caption: the light drawing, and its dark twin for the dark
        palette (Material shows an image whose address ends in #only-light or #only-dark in that
        palette only)."""
        from lab.figures import FIGURES

        if name not in FIGURES:
            return self._error(name, "", f"no figure '{name}'; known: {', '.join(FIGURES)}")
        folder = f"{self.to_root}{LAB_ASSETS}/figures"
        alt = _plain(caption)
        return (f'<figure markdown="span">\n  ![{alt}]({folder}/{name}.svg#only-light)'
                f'![{alt}]({folder}/{name}.dark.svg#only-dark)\n'
                f'  <figcaption markdown="span">{caption}</figcaption>\n</figure>')

    def table(self, name: str) -> str:
        """A lab CSV file as a Markdown table, followed by a link to download it."""
        from lab.tables import TABLES
        from lab.tables.columns import title as column_title

        if name not in TABLES:
            return self._error(name, "", f"no table '{name}'; known: {', '.join(TABLES)}")
        try:
            with no_writes(f"table '{name}'"):
                header, *rows = TABLES[name](self.results)
        except (Exception, SystemExit, KeyboardInterrupt) as error:  # the table's lab code failed here
            failed = [f"'{n}'" for n in self.lab_errors if n != "*"]
            why = f" (experiment {', '.join(failed)} failed; see its own message)" if failed else ""
            return self._error(name, "", f"table '{name}' could not be built for this page: "
                                         f"{locate(error).describe()}{why}; fix the lab")
        titles = [column_title(column, self._lang()) or f"`{column}`" for column in header]
        lines = ["| " + " | ".join(titles) + " |", "|" + " ---: |" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        varies = self._varies(name)
        self.printed.extend([*titles, *(cell for row in rows for cell in row), name, varies])
        return "\n".join(lines) + f"\n\n[:material-download: {name}]({self.to_root}{LAB_ASSETS}/{name})" + varies

    def _lang(self) -> str:
        """The page's language, from its folder (docs/zh/... is Chinese); English otherwise."""
        match = re.search(r"docs/([^/]+)/", self.page)
        return match.group(1) if match and match.group(1) in UI else "en"

    def _varies(self, table: str) -> str:
        """A note under a table whose columns may differ between machines (lab/tables/ TOLERANCES)."""
        from lab.tables import TOLERANCES
        stated = TOLERANCES.get(table)
        if not stated:
            return ""
        lang = self._lang()
        separator, opening, closing = ("；", "（", "）") if lang == "zh" else ("; ", " (", ")")

        def bound_text(bound: str) -> str:
            return ui(lang, "varies.below", bound=bound[1:]) if bound.startswith("<") else bound

        from lab.tables.columns import title as column_title

        comma = "，" if lang == "zh" else ", "

        def described(column: str, bound: str) -> str:  # the title, and the CSV's name for the download's reader
            named = column_title(column, lang)
            if named is None:
                return f"`{column}`{opening}{bound_text(bound)}{closing}"
            return f"{named}{opening}`{column}`{comma}{bound_text(bound)}{closing}"

        columns = separator.join(described(column, bound) for column, bound in stated.items())
        return f"\n\n{ui(lang, 'varies', columns=columns)}"

    def lab_source(self, name: str) -> str:
        """The source of a lab function or class, e.g. ``lab.gradcheck.numeric_gradient``."""
        if not _SOURCE_NAME.fullmatch(name):
            return self._error(name, "", f"'{name}' is not a lab name like lab.module.function")
        try:
            obj = _find_lab_object(name)
            path = inspect.getsourcefile(obj) or ""
            if not Path(path).resolve().is_relative_to(LAB_DIR):
                return self._error(name, "", f"{name} is not defined in lab/; only the lab's own code can be shown")
            lines, first = inspect.getsourcelines(obj)
        except (ImportError, AttributeError, TypeError, OSError) as error:
            return self._error(name, "", f"cannot show source of {name}: {error}")
        except BaseException as error:  # importing the module ran lab code that failed (sys.exit() included)
            failure = locate(error, stage="import")
            return self._error(name, "", f"cannot show source of {name}: importing it failed at "
                                         f"{failure.describe()}; fix the lab")
        relative = path[path.rfind("/lab/") + 1:]
        code = textwrap.dedent("".join(lines)).rstrip()
        wide = [f"{relative}:{first + i} ({len(line)})" for i, line in enumerate(code.splitlines())
                if len(line) > SOURCE_COLUMNS]
        if wide:
            return self._error(name, "", f"{name} is wider than the {SOURCE_COLUMNS} characters a page shows "
                                         f"at 1280 px without scrolling: {', '.join(wide)}; rewrap it")
        return f'```python title="{relative}" linenums="{first}"\n{code}\n```'


    def module(self, name: str) -> str:
        """An interactive module that starts from the lab's numbers (see macros/features/modules.py)."""
        if name not in MODULES:
            return self._error(name, "", f"no module '{name}'; known: {', '.join(MODULES)}")
        try:
            return module_html(name, self.results)
        except KeyError as error:
            return self._error(name, "", f"module '{name}' needs experiment {error}, which failed")


def _lab_text(kind: str, literal: Literal, value: float) -> str:
    """The lab value for a stale message: at the written precision for a checked number, with four
    significant digits for an approximate one (its written precision says nothing)."""
    if kind == CHECK:
        return rounded_like(literal, value)
    return f"{value * 100:.4g}%" if literal.percent else f"{value:.4g}"


def _find_lab_object(name: str) -> Any:
    parts = name.split(".")
    for cut in range(len(parts), 1, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"no module for {name}")


def _format_array(value: np.ndarray, fmt: str) -> str:
    if value.ndim == 0:
        return format(value.item(), fmt)
    return _bracket([format(v, fmt) for v in value.ravel().tolist()], value.shape)


def _bracket(items: list[str], shape: tuple[int, ...]) -> str:
    if not shape:
        return items[0]
    step = len(items) // shape[0]
    return "[" + ", ".join(_bracket(items[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])) + "]"


def _computed(value: Any) -> str:
    import numpy as np

    array = np.asarray(value)
    return repr(array.item()) if array.ndim == 0 else repr(array.tolist())


_INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)(.+?)(?<!\$)\$(?!\$)", re.S)


def _plain(caption: str) -> str:
    """A caption as alt text, in words a screen reader can say: each formula as the text KaTeX
    shows (``$\\partial L/\\partial W_{10}$`` -> ``∂L/∂W_10``, as in search results), no Markdown;
    underscores escaped so that Markdown keeps a subscript's ``_``."""
    text = plain_math(_INLINE_MATH.sub(lambda match: f"\\({match.group(1)}\\)", caption))
    return re.sub(r"[\[\]*`$\\]", "", text).replace("_", "\\_")
