"""The words the site itself writes: the same keys and placeholders in both languages, each key used."""

from __future__ import annotations

import re
import string

from macros.features.model import RESOURCE_KINDS
from macros.features.ui_text import UI
from tests.conftest import ROOT

_CALL = re.compile(r"""\bui\(\s*[\w.]+\s*,\s*(f?)(["'])(.*?)\2""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def used_keys() -> set[str]:
    """Every key a ui(...) call in macros/ names; an f-string key stands for each value it can take."""
    keys = set()
    for path in (ROOT / "macros").rglob("*.py"):
        for is_format, _, key in (m.group(1, 2, 3) for m in _CALL.finditer(path.read_text(encoding="utf-8"))):
            if is_format:
                assert key == "kind.{resource.kind}", f"{path}: add the values of the key {key} to this test"
                keys |= {f"kind.{kind}" for kind in RESOURCE_KINDS}
            else:
                keys.add(key)
    return keys


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert set(UI) == {"en", "zh"}
    assert set(UI["en"]) == set(UI["zh"])
    for key, text in UI["en"].items():
        assert _placeholders(text) == _placeholders(UI["zh"][key]), key


def test_every_key_is_used_and_every_used_key_exists() -> None:
    used = used_keys()
    assert used - set(UI["en"]) == set(), "ui() names keys that UI does not have"
    assert set(UI["en"]) - used == set(), "UI has keys that nothing shows"


def test_the_scan_finds_calls_in_every_form() -> None:
    """Negative control for the scan above: the call forms macros/ writes are all recognised."""
    sample = """ui(self.lang, 'tags') ui(lang, "site") ui(self.lang, f"kind.{resource.kind}")"""
    assert [m.group(3) for m in _CALL.finditer(sample)] == ["tags", "site", "kind.{resource.kind}"]
