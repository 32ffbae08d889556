"""Share cards: 1200×630 PNGs, identical bytes for identical input, real glyphs for Chinese."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from PIL import Image

from macros.features.cards import FALLBACK_FAMILY, Card, _wrap, cjk_font, draw, write_cards
from macros.features.model import load_site
from tests.conftest import ROOT

ZH = Card("zh", "demo", "深度学习数学实验室", "神经网络中的矩阵微积分：推导均方误差的梯度",
          "为单个线性层推导 dL/dW = e xᵀ，再分别用手算和有限差分加以验证。", "进阶 · 阅读约 3 分钟")


def test_card_is_1200_by_630_and_deterministic() -> None:
    first, second = draw(ZH), draw(ZH)
    assert first == second
    with Image.open(io.BytesIO(first)) as image:
        assert image.size == (1200, 630)


def test_every_character_drawn_has_a_real_glyph_in_the_cjk_font_or_its_fallback() -> None:
    fallback = findfont(FontProperties(family=FALLBACK_FAMILY), fallback_to_default=False)
    fonts = [FT2Font(str(cjk_font())), FT2Font(fallback)]
    model, _ = load_site(ROOT / "docs", ROOT)
    text = "".join(a.title + a.description for articles in model.articles.values() for a in articles.values())
    text += "".join(r.title["zh"] + r.summary["zh"] for r in model.routes) + ZH.site + ZH.footer
    missing = [c for c in set(text) if not c.isspace() and all(f.get_char_index(ord(c)) == 0 for f in fonts)]
    assert missing == []
    assert FT2Font(str(cjk_font())).get_char_index(ord("梯")) != 0  # the CJK font itself draws Chinese


def test_chinese_wrapping_keeps_latin_words_and_punctuation_in_place() -> None:
    lines = _wrap("Transformer 注意力的数学：分数、softmax、掩码、梯度与 KV 缓存", "zh", 30)
    assert "".join(lines).replace(" ", "") == "Transformer注意力的数学：分数、softmax、掩码、梯度与KV缓存"
    assert all(not re.match(r"[，。：、]", line) for line in lines)
    assert all("softmax" in line or "soft" not in line for line in lines)


def test_write_cards_draws_once_and_removes_stale_cards(tmp_path: Path) -> None:
    names = write_cards(tmp_path, [ZH])
    path = tmp_path / names[("zh", "demo")]
    stamp = path.stat().st_mtime_ns
    (tmp_path / "zh-old-0000000000.png").write_bytes(b"stale")
    assert write_cards(tmp_path, [ZH]) == names
    assert path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("page", ["mse-gradient/index.html", "zh/attention-math/index.html",
                                  "routes/deep-learning-math/index.html", "zh/routes/deep-learning-math/index.html"])
def test_pages_point_open_graph_and_twitter_at_their_card(built_site: Path, page: str) -> None:
    html = (built_site / page).read_text(encoding="utf-8")
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert re.search(rf'<meta name="twitter:image" content="{re.escape(image)}">', html)
    assert 'name="twitter:card" content="summary_large_image"' in html
    name = image.removeprefix("https://dl-math-lab.example.org/")
    with Image.open(built_site / name) as card:
        assert card.size == (1200, 630)
    slug = page.removeprefix("zh/").split("/index.html")[0].replace("routes/", "route-")
    assert Path(name).name.startswith(("zh-" if page.startswith("zh/") else "en-") + slug + "-")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_long_card_text_ends_with_an_ellipsis_and_never_cuts_a_number(lang: str) -> None:
    from macros.features.cards import clip

    words = {"en": "the gradient of a loss over {n} samples moves", "zh": "在 {n} 个样本上损失的梯度随之变化，"}[lang]
    numbers = [f"{n:,}" for n in range(1000, 60000, 997)]
    for start in range(12):
        text = "".join(words.format(n=n) + " " for n in numbers[start:])
        lines = clip(text, lang, 40, 2)
        assert len(lines) == 2
        assert lines[-1].endswith("…")
        assert all(len(line) <= 40 for line in lines)
        shown = re.findall(r"[0-9][0-9,]*[0-9]|[0-9]", "".join(lines))
        assert shown
        assert set(shown) <= set(numbers), shown  # each number whole, never 2,2… or a split 2, / 200
    assert clip("short text", lang, 40, 2) == ["short text"]
