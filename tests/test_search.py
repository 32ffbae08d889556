"""The search index as a reader meets it: formulas as text, the site's Chinese terms whole, and no
boilerplate (the article context block) in the results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from macros.features.model import load_site_data
from macros.features.search_text import plain_math
from macros.plugin.search_terms import user_dictionary
from tests.conftest import ROOT


@pytest.mark.parametrize(("html", "text"), [
    (r"ReLU: \(a = \max(0, w^\top x + b)\).", "ReLU: a = max(0, w^⊤x + b)."),
    (r"\(\frac{\partial L}{\partial W} = e\,x^\top\)", "∂L/∂W = e x^⊤"),
    (r"\[ J = \operatorname{diag}(p) - p\,p^{\top} \]", "J = diag(p) - p p^⊤"),
    (r"scaled by \(\sqrt{d_k}\)", "scaled by √(d_k)"),
    ("no formula here", "no formula here"),
])
def test_formulas_become_the_text_a_reader_sees(html: str, text: str) -> None:
    assert plain_math(html) == text


def test_malformed_tex_never_leaves_its_source() -> None:
    assert "\\" not in plain_math(r"broken \(\frac{a}{\)")


def test_the_user_dictionary_holds_every_chinese_tag_and_term() -> None:
    site_data = ROOT / "docs" / "_data" / "site.yml"
    model = load_site_data(site_data, "docs/_data/site.yml")
    words = {line.split()[0] for line in user_dictionary(site_data).splitlines()}
    assert words == {names["zh"] for names in (*model.tags.values(), *model.glossary.values())}
    assert {"雅可比", "感受野"} <= words


def test_the_built_index_has_no_tex_no_context_block_and_whole_chinese_terms(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    assert len(docs) > 100
    assert "\\(" not in text
    assert "\\[" not in text
    assert "\\frac" not in text
    assert "第 2 步，共" not in text  # the context block is on every article: it is left out of the index
    assert "step 2 of" not in text
    chinese = " ".join(d["text"] for d in docs if d["location"].startswith("zh/"))
    for term in ("雅可比", "感受野", "反向传播"):
        assert chinese.count(term) > 0
        assert len(re.findall(f"\u200b{term}\u200b", chinese)) == chinese.count(term), term
