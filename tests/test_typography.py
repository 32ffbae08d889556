"""Chinese typography: no space where a source line breaks between two Chinese characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from macros.features.typography import CJK, join_cjk_lines

BREAK = re.compile(rf"[{CJK}](?:<[^<>]*>)*[ \t]*\n[ \t]*(?:<[^<>]*>)*[{CJK}]")


@pytest.mark.parametrize(("html", "joined"), [
    ("雅可比\n矩阵", "雅可比矩阵"),
    ("感受\n  野", "感受野"),
    ("链式法则，\n再乘", "链式法则，再乘"),  # full-width punctuation counts as Chinese
    ("的\n<strong>梯度</strong>\n是", "的<strong>梯度</strong>是"),  # across inline tags
    ('见<a href="x">\n图</a>', '见<a href="x">图</a>'),
    ("梯度\nW 的形状", "梯度\nW 的形状"),  # Chinese then Latin: the space stays
    ("shape\n梯度", "shape\n梯度"),
    ("<pre><code>梯度\n矩阵</code></pre>", "<pre><code>梯度\n矩阵</code></pre>"),  # code is left alone
    ("<code>梯度\n矩阵</code>和\n矩阵", "<code>梯度\n矩阵</code>和矩阵"),
    ("<script>s = '梯度\n矩阵'</script>", "<script>s = '梯度\n矩阵'</script>"),
    ("梯度\n\n矩阵", "梯度\n\n矩阵"),  # a blank line is a paragraph break, not a soft break
])
def test_line_breaks_between_chinese_characters_are_joined(html: str, joined: str) -> None:
    assert join_cjk_lines(html) == joined


def test_no_chinese_page_shows_a_space_from_a_source_line_break(built_site: Path) -> None:
    pages = sorted((built_site / "zh").rglob("*.html"))
    assert len(pages) > 10
    kept = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.S)
    found = {}
    for page in pages:
        text = kept.sub("\x00", page.read_text(encoding="utf-8"))  # code stays in the way of a join
        breaks = BREAK.findall(text)
        if breaks:
            found[page.relative_to(built_site).as_posix()] = breaks[:3]
    assert not found
    sources = sorted(Path(built_site.parent / "docs" / "zh").rglob("*.md"))
    assert any(BREAK.search(s.read_text(encoding="utf-8")) for s in sources)  # the sources do break lines there


def test_the_chinese_context_block_uses_full_width_punctuation(built_site: Path) -> None:
    pages = sorted((built_site / "zh").glob("*/index.html"))
    blocks = [re.search(r'<div class="article-context">(.*?)</div>', p.read_text(encoding="utf-8"), re.S)
              for p in pages]
    texts = [re.sub(r"<[^>]+>", "", block.group(1)) for block in blocks if block]
    assert len(texts) >= 8
    for text in texts:
        assert "学习路线：" in text or "标签：" in text
        assert ":" not in text
        assert ", " not in text
    english = (built_site / "mse-gradient" / "index.html").read_text(encoding="utf-8")
    assert "Tags: " in re.sub(r"<[^>]+>", "", english)
