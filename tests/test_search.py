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
    (r"with \(\eta=0.18\) and a \(3 \times 3\) kernel", "with η = 0.18 and a 3 × 3 kernel"),  # spaced as shown
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


def test_each_language_gets_its_own_index_beside_the_shared_one(tmp_path: Path) -> None:
    from macros.features.search_text import clean_index

    docs = [{"location": "", "title": "Home", "text": r"\(x^\top\)"},
            {"location": "mse-gradient/", "title": "MSE", "text": "gradient"},
            {"location": "zh/", "title": "首页", "text": "梯度"},
            {"location": "zh/mse-gradient/", "title": "均方误差", "text": r"\(\sqrt{d_k}\)"}]
    path = tmp_path / "search_index.json"
    path.write_text(json.dumps({"config": {"lang": ["en", "zh"]}, "docs": docs}), encoding="utf-8")
    clean_index(path)
    every = json.loads(path.read_text(encoding="utf-8"))
    english = json.loads((tmp_path / "search_index.en.json").read_text(encoding="utf-8"))
    chinese = json.loads((tmp_path / "search_index.zh.json").read_text(encoding="utf-8"))
    assert [d["location"] for d in english["docs"]] == ["", "mse-gradient/"]
    assert [d["location"] for d in chinese["docs"]] == ["zh/", "zh/mse-gradient/"]
    assert every["docs"] == english["docs"] + chinese["docs"]
    assert chinese["docs"][1]["text"] == "√(d_k)"
    assert english["config"] == every["config"]


def test_every_page_loads_the_index_of_its_language(built_site: Path) -> None:
    for page in ("index.html", "zh/mse-gradient/index.html"):
        html = (built_site / page).read_text(encoding="utf-8")
        script = re.search(r'<script src="([^"]*search-language\.js)"></script>', html)
        assert script, page
        assert html.index(script.group()) < html.index("assets/javascripts/bundle.")  # before Material's search
        assert ((built_site / page).parent / script.group(1)).resolve().is_file()
    for lang in ("en", "zh"):
        assert (built_site / "search" / f"search_index.{lang}.json").is_file()


def test_results_show_each_tag_by_its_name_in_the_page_language(built_site: Path) -> None:
    """Material shows a result's tags as the index holds them: the front matter's ids (gradient-check),
    English on Chinese pages. The index holds each tag's name in the page's language instead."""
    import yaml

    names = yaml.safe_load((ROOT / "docs" / "_data" / "site.yml").read_text(encoding="utf-8"))["tags"]
    for lang in ("en", "zh"):
        index = json.loads((built_site / "search" / f"search_index.{lang}.json").read_text(encoding="utf-8"))
        shown = {tag for doc in index["docs"] for tag in doc.get("tags") or []}
        assert shown, lang
        assert shown <= {name[lang] for name in names.values()}, (lang, shown)
    shared = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    chinese = {tag for doc in shared["docs"] if doc["location"].startswith("zh/") for tag in doc.get("tags") or []}
    assert chinese
    assert chinese <= {name["zh"] for name in names.values()}
    assert "gradient-check" not in {tag for doc in shared["docs"] for tag in doc.get("tags") or []}
