"""Numbers as a reader sees them, found the same way in a page's source and in the built HTML.

One tokenizer for every script and notation the site uses:

* Chinese text: a number written right against Han characters or full-width punctuation
  (``损失为0.5，而``) is found; CJK characters never join a number to a word.
* Full-width digits, decimal point, minus and percent sign (``０．５``) are read as their ASCII
  forms, so ``０．５`` is one number, 0.5.
* Names that contain digits are not numbers: ``float64``, ``W00``, ``β2``, ``ResNet-50``.
* Math: an integer in a subscript (``W_{12}``) is an index. Everything else is scanned, inside
  braces too (a fraction's numerator, an exponent); ``2.2 \\times 10^{-16}`` and ``10^{-7}`` are
  read as the single numbers 2.2e-16 and 1e-7.
* Dates (``2026-11-19``) and URLs are not quantities.

A number is *free* (needs no lab check and no allowlist) when it is a single-digit integer, a year
(1900-2099), or 10, 100 or 1000.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MINUS = "-−－﹣"  # hyphen-minus, minus sign, full-width and small hyphen-minus

_POWER = (r"(?:(?P<mant>\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×|·)\s*)?10\s*\^\s*"
          r"(?:\{\s*(?P<exp_braced>[-−+]?\s*\d+)\s*\}|(?P<exp_bare>\d))")
_PLAIN = (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)"  # 10,000 and 9,191.5 (not a list such as 1,2,3)
          r"|\d+(?:\.\d+)+(?:[eE][-−+]?\d+)?"  # 0.9191, 1.26.4 (a version), 2.5e-11
          r"|\d+(?:[eE][-−+]?\d+)?"  # 42, 1e-7
          r"|\.\d+")  # .5
_TOKEN = re.compile(rf"(?P<sign>[{MINUS}](?=[\d.]))?(?:(?P<power>{_POWER})|(?P<plain>{_PLAIN}))(?P<pct>\\?%)?")
_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d-[01]\d(?:-[0-3]\d)?(?!\d)")
_URL = re.compile(r"(?:https?://|www\.)[!#-;=?-~]+")  # ASCII only: a Chinese sentence may follow
_TEX_LENGTH = re.compile(r"\\(?:[hv]space\*?|kern|mkern|[hmv]skip|rule|raisebox)\s*(?:\{[^{}]*\}\s*|\[[^\]]*\]\s*)+"
                         r"|\\(?:kern|mkern|[hmv]skip)\s*[-+]?(?:\d*\.)?\d+\s*(?:em|ex|pt|mu|px|cm|mm|in|bp|pc|dd|cc|sp)"
                         r"|\\\\\s*\[[^\]]*\]")  # \hspace{1.5em}, \kern0.5em, a line break's spacing \\[2ex]
_INDEX = re.compile(r"_\{[^{}]*\}|_\d")  # TeX subscripts one character: x_9118 is x_9 then 118
_FREE = re.compile(r"-?\d|(?:19|20)\d\d|10{1,3}|1,000|1e[123]")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


@dataclass(frozen=True)
class Number:
    start: int  # offsets in the text it was found in
    end: int
    text: str  # as written (after full-width forms are read as ASCII)
    canonical: str  # for comparisons: ASCII minus, powers of ten as 1e-7, spaces removed

    @property
    def free(self) -> bool:
        return is_free(self.canonical)


def is_free(canonical: str) -> bool:
    return bool(_FREE.fullmatch(canonical))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x3000 <= code <= 0x303F or 0xAC00 <= code <= 0xD7AF or 0x20000 <= code <= 0x3FFFF)


def _joins(char: str) -> bool:
    """Whether ``char`` right before a digit makes the digit part of a name (``W0``, ``β2``, ``v1.2``)."""
    return (char.isalnum() and not _is_cjk(char)) or char in "_.\\"


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_WIDE_SIGNS = str.maketrans({"．": ".", "％": "%", "＋": "+", "﹪": "%"})


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (full-width, Arabic-Indic, ...) and the full-width point,
    plus and percent sign in ASCII; the same length, so offsets still hold."""
    if text.isascii():
        return text
    text = _POWER_RAISED.sub(lambda m: "1e" + m.group(1).translate(_SUPERSCRIPT), text)  # 10⁻⁷: 1e-7
    text = _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text)
    return text.translate(_WIDE_SIGNS).translate(_SUPERSCRIPT).translate(_SUBSCRIPT)


_POWER_RAISED = re.compile("10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")


def canonical(text: str) -> str:
    """The comparable form of a written number: ``−1.5`` -> ``-1.5``, ``10^{-7}`` -> ``1e-7``."""
    found = find_numbers(text)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text.strip()):
        return found[0].canonical
    return re.sub(r"\s", "", ascii_digits(text)).translate({ord(m): "-" for m in MINUS[1:]})


def find_numbers(text: str) -> list[Number]:
    """Every number a reader of ``text`` sees, in order (see the module's docstring)."""
    squeezed, positions = _squeezed(text)
    if positions is None:
        return _find(text)
    found = []
    for number in _find(squeezed):
        start, end = positions[number.start], positions[number.end - 1] + 1
        found.append(Number(start, end, text[start:end], number.canonical))
    return found


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\u00ad\ufeff]")
_GLUE = [  # what joins digits on screen though the source writes them apart
    _INVISIBLE,
    re.compile(r"\{\}"),  # an empty TeX group: 4{}8 shows 48
    re.compile(r"(?<=\d)\\[!,;: ](?=[\d.])"),  # thin spaces between digits: 1\,000 shows 1 000, one number
]
_UNWRAP = re.compile(r"\{([\d.])\}|\\(?:mathrm|mathbf|mathit|mathsf|text|textrm|textbf|texttt|boldsymbol)"
                     r"\{([-−\d.,]+)\}")  # 0{.}5 and \mathrm{4}2 show 0.5 and 42
_NUMERIC = re.compile(r"[\u2150-\u218f\u2460-\u24ff\u2776-\u2793\u3251-\u32bf]")  # Ⅻ, ⑫, ㉑


def _squeezed(text: str) -> tuple[str, list[int] | None]:
    """``text`` as the reader sees its digits run together, with the offset in ``text`` of each of
    its characters; ``None`` for the offsets when nothing needed squeezing (the usual case)."""
    if not (_INVISIBLE.search(text) or "{" in text or "\\" in text or _NUMERIC.search(text)):
        return text, None
    chars = list(text)
    positions = list(range(len(text)))
    changed = False
    for pattern in [*_GLUE, _UNWRAP, _NUMERIC]:
        joined = "".join(chars)
        matches = list(pattern.finditer(joined))
        if not matches:
            continue
        out, out_positions, at = [], [], 0
        for match in matches:
            out += chars[at:match.start()]
            out_positions += positions[at:match.start()]
            replacement = _replacement(pattern, match)
            out += list(replacement)
            out_positions += [positions[match.start()]] * len(replacement)
            at = match.end()
        chars, positions = out + chars[at:], out_positions + positions[at:]
        changed = True
    return ("".join(chars), positions) if changed else (text, None)


def _replacement(pattern: re.Pattern[str], match: re.Match[str]) -> str:
    if pattern is _UNWRAP:
        return match.group(1) or match.group(2)
    if pattern is _NUMERIC:
        value = unicodedata.numeric(match.group(), None)
        return str(int(value)) if value is not None and value == int(value) else match.group()
    return ""


def _find(text: str) -> list[Number]:
    written = text
    text = ascii_digits(text)
    hidden = _spans(text, (_DATE, _URL, _TEX_LENGTH))
    indices = _spans(text, (_INDEX,))
    found = []
    for match in _TOKEN.finditer(text):
        start = match.start("power") if match.group("power") else match.start("plain")
        sign_start = match.start("sign") if match.group("sign") else start
        before = text[sign_start - 1] if sign_start > 0 else " "
        if match.group("sign") and (before.isalnum() or before in ")]}"):
            sign_start, before = start, text[start - 1]  # x-1, 2183-2253: a hyphen, not a sign
        if written[start] in _SUBSCRIPTS:
            continue  # β₁, x₁₂: an index
        if match.group("plain") and "." not in match.group("plain") and _inside(indices, start):
            if text[start - 1] == "_" and match.end() - start > 1:  # x_9118: only the 9 is subscript
                found += [Number(n.start + start + 1, n.end + start + 1, n.text, n.canonical)
                          for n in find_numbers(written[start + 1:match.end()])]
            continue  # an index: W_{12}
        raised = written[start] in _SUPERSCRIPTS  # x⁹¹: an exponent, not part of a name
        if not raised and (_joins_before(text, sign_start) or (
                before in MINUS and start >= 2 and "." not in match.group() and _joins_name(text, start - 1))):
            continue
        if _inside(hidden, start):
            continue
        negative = bool(match.group("sign")) and sign_start < start
        found.append(Number(sign_start, match.end(), text[sign_start:match.end()], _canonical(match, negative)))
    return found


_SUPERSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPTS = frozenset("₀₁₂₃₄₅₆₇₈₉")


def _spans(text: str, patterns: tuple[re.Pattern[str], ...]) -> list[tuple[int, int]]:
    return sorted((m.start(), m.end()) for pattern in patterns for m in pattern.finditer(text))


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether ``at`` lies in one of ``spans`` (sorted by start; they may overlap)."""
    index = bisect.bisect_right(spans, (at, float("inf"))) - 1
    return any(a <= at < b for a, b in spans[max(0, index - 3):index + 1])


def _joins_before(text: str, at: int) -> bool:
    """Whether the characters before offset ``at`` make the number there part of a name.

    A letter does (``W00``, ``float64``), unless the letters are a TeX command (``\\times0.5``,
    ``\\le9``); a backslash does, unless it ends a TeX line break (``\\\\0.5``)."""
    before = text[at - 1] if at > 0 else " "
    if not _joins(before):
        return False
    if before == "\\":
        return not (at >= 2 and text[at - 2] == "\\")
    if before.isalpha():
        word = at - 1
        while word > 0 and text[word - 1].isalpha() and not _is_cjk(text[word - 1]):
            word -= 1
        if word > 0 and text[word - 1] == "\\":  # a TeX command; \\frac12 is \\frac{1}{2}, two digits
            return text[word:at - 1 + 1] in _DIGIT_ARGUMENTS
        return True
    return True


_DIGIT_ARGUMENTS = frozenset({"frac", "tfrac", "dfrac", "cfrac", "binom", "tbinom", "dbinom"})


def _joins_name(text: str, hyphen: int) -> bool:
    """``ResNet-50``, ``float-32``, ``GPT-2``: a hyphen right after a word of two letters or more
    makes an integer a name; ``x-0.5`` and ``x-1`` are subtractions."""
    word = hyphen
    while word > 0 and text[word - 1].isalpha() and not _is_cjk(text[word - 1]):
        word -= 1
    return hyphen - word >= 2 and (word == 0 or text[word - 1] != "\\")


def _canonical(match: re.Match[str], negative: bool) -> str:
    sign = "-" if negative else ""
    percent = "%" if match.group("pct") else ""
    if match.group("power"):
        exponent = re.sub(r"\s", "", match.group("exp_braced") or match.group("exp_bare"))
        exponent = exponent.translate({ord(m): "-" for m in MINUS[1:]}).lstrip("+")
        return f"{sign}{match.group('mant') or '1'}e{exponent}{percent}"
    plain = match.group("plain").translate({ord(m): "-" for m in MINUS[1:]}).replace("E", "e")
    plain = re.sub(r"e\+", "e", plain)
    return f"{sign}{plain}{percent}"


_PLAIN_NUMBER = re.compile(r"-?(?:[1-9]\d{0,2}|0)(?:\.\d+)?%?")  # what most checks print: 0.300, -2.5, 97.3%


def canonical_numbers(texts: Iterable[str]) -> set[str]:
    """Every number in ``texts``, in comparable form; a bare canonical number passes unchanged."""
    found = set()
    for text in texts:
        text = str(text).strip()
        found.add(text)
        if not _PLAIN_NUMBER.fullmatch(text):  # anything else is read by the tokenizer
            found.update(n.canonical for n in find_numbers(text))
    return found
