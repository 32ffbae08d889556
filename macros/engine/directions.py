"""Numbers whose meaning depends on a word: "4.8 times shorter", "falls by 0.3".

A bare ``check`` of 4.8 against a ratio holds whether the sentence says "longer" or "shorter". With
``times="shorter"`` or ``by="falls"`` the word is part of the claim:

* ``times=WORD``: the lab value is a ratio, new over old. A word that means larger checks the lab
  value against the written number; a word that means smaller checks its inverse. The ratio must be
  on the word's side of 1.
* ``by=WORD``: the lab value is a signed change, new minus old. A word that means up checks it, a
  word that means down checks its negative. The change must have the word's sign.
* The word must be written in the sentence, on the claim's line or the line before it, so the
  prose cannot say one thing while the check states another.
"""

from __future__ import annotations

import re

_UP_WORDS = """longer lengthens lengthen larger bigger more higher grows grow rises rise increases
    increase faster greater wider
    延长 变长 增大 变大 放大 上升 增加 加快 增长 更长 更大 更多 更快 提高"""
_DOWN_WORDS = """shorter shortens shorten smaller less fewer lower shrinks shrink falls fall drops drop
    decreases decrease slower narrower
    缩短 变短 减小 变小 缩小 下降 减少 减慢 降低 更短 更小 更少 更慢"""
UP = frozenset(_UP_WORDS.split())
DOWN = frozenset(_DOWN_WORDS.split())


class DirectionError(ValueError):
    """A direction word that is not in the vocabulary, or a missing one."""


def rising(word: str) -> bool:
    """True for a word that means larger or up, False for smaller or down."""
    if word in UP:
        return True
    if word in DOWN:
        return False
    raise DirectionError(f"'{word}' is not a direction word this site knows; use one of "
                         f"{', '.join(sorted(UP))} (larger, up) or {', '.join(sorted(DOWN))} (smaller, down), "
                         "or add it to macros/engine/directions.py")


def oriented(value: float, times: str | None, by: str | None) -> tuple[float, str]:
    """The lab value as the sentence states it, and a problem ('' if none) when the lab value is on
    the other side of the word."""
    if times is not None and by is not None:
        raise DirectionError("give times= (a ratio) or by= (a change), not both")
    if times is not None:
        up = rising(times)
        if not value > 0:
            raise DirectionError(f"times='{times}' needs a positive ratio (new over old), "
                                 f"but the lab value is {value:.4g}")
        if up != (value > 1):
            return value, (f"the sentence says '{times}', but the lab ratio (new over old) is {value:.4g}: "
                           f"{'above' if value > 1 else 'at or below'} 1, so the word is wrong")
        return (value if up else 1 / value), ""
    if by is not None:
        up = rising(by)
        if up != (value > 0):
            return value, (f"the sentence says '{by}', but the lab change (new minus old) is {value:.4g}: "
                           f"{'up' if value > 0 else 'down or none'}, so the word is wrong")
        return (value if up else -value), ""
    return value, ""


def _whole(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" if word.isascii() else re.escape(word))


_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|[。！？；]")
_NEGATION = re.compile(r"(?:\b(?:not|never|no)\s+(?:\w+\s+)?|n't\s+|[不未没]有?|并不|并未)$")


def sentence_around(lines: list[str], line: int, column: int) -> tuple[str, int]:
    """The sentence of the text (``lines``, macros blanked) that holds column ``column`` of file
    line ``line`` (1-based), from the last sentence end before it to the next one after it, and
    where in it that column is."""
    first = max(1, line - 2)
    window = "\n".join(lines[first - 1:line + 1])
    at = sum(len(text) + 1 for text in lines[first - 1:line - 1]) + column
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    start = max([end for end in ends if end <= at], default=0)
    stop = min([end for end in ends if end > at], default=len(window))
    return window[start:stop], at - start


_CLAUSE_END = re.compile(r"[,，、:：—]")


def sentence_problem(word: str, sentence: str, at: int) -> str:
    """Why ``sentence`` does not say ``word`` (a known direction word) for the claim at offset
    ``at``, or '' when it does: the word stands in the sentence, not negated, and neither the
    claim's own clause nor the words between it and the claim say the opposite."""
    found = _whole(word).search(sentence)
    if found is None:
        return f"the claim says '{word}', but its sentence does not"
    before = sentence[:found.start()]
    if _NEGATION.search(before.rstrip() + " " if word.isascii() else before):
        return f"the claim says '{word}', but its sentence negates it"
    ends = [m.start() for m in _CLAUSE_END.finditer(sentence)]
    clause = sentence[max([e + 1 for e in ends if e < at], default=0):min([e for e in ends if e >= at],
                                                                          default=len(sentence))]
    between = sentence[min(found.end(), at):max(found.start(), at)]  # from the word to the claim
    opposite = DOWN if rising(word) else UP
    against = sorted(other for other in opposite if _whole(other).search(clause + "\n" + between))
    if against:
        return f"the claim says '{word}', but its clause says '{against[0]}'"
    return ""
