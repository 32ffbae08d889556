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
                         "or add it to macros/directions.py")


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


def written_near(word: str, lines: list[str], line: int) -> bool:
    """Whether ``word`` is written on file line ``line`` (1-based) or the line before it; a Latin
    word as a whole word ("less" is not in "nevertheless")."""
    pattern = re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" if word.isascii() else re.escape(word))
    return any(pattern.search(lines[at - 1]) for at in (line, line - 1) if 1 <= at <= len(lines))
