"""The lab tables as the pages show them: every column titled in both languages, none in snake_case
on a Chinese page; the CSV downloads keep the lab's names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lab.registry import run_all
from lab.tables import TABLES
from lab.tables.columns import TITLES, title


@pytest.fixture(scope="module")
def headers() -> dict[str, list[str]]:
    results = run_all()
    return {name: build(results)[0] for name, build in TABLES.items()}


def test_every_column_of_every_table_has_a_title_in_both_languages(headers: dict[str, list[str]]) -> None:
    used = set()
    for name, header in headers.items():
        for column in header:
            english, chinese = title(column, "en"), title(column, "zh")
            assert english, (name, column)
            assert chinese, (name, column)
            outside_math = re.sub(r"\\\(.*?\\\)", "", chinese)
            assert not re.search(r"[a-z]_[a-z]", outside_math), (column, chinese)  # no snake_case
            assert "|" not in english + chinese  # it would end the Markdown table cell
            used.add(next(n for n in TITLES if n == column or ("{n}" in n and re.fullmatch(
                re.escape(n).replace(r"\{n\}", r"\d+"), column))))
    assert used == set(TITLES), f"titles no table uses: {set(TITLES) - used}"


def test_a_number_in_a_column_name_is_carried_into_its_title() -> None:
    assert title("loss_after_50", "en") == "loss after 50 steps"
    assert title("loss_after_50", "zh") == "50 步后的损失"
    assert title("GiB_gqa8", "zh") == "GiB（GQA，8 个 KV 头）"
    assert title("no_such_column", "zh") is None


def test_chinese_pages_show_chinese_column_titles_and_the_csv_keeps_the_lab_names(built_site: Path) -> None:
    page = (built_site / "zh" / "mse-gradient" / "index.html").read_text(encoding="utf-8")
    tables = [t.group() for t in re.finditer(r"<table>.*?</table>", page, re.S)
              if re.match(r"\s*(?:</div>\s*)?<p><a [^>]*gradient-check-results\.csv", page[t.end():])]
    assert len(tables) == 1, "the MSE page shows its gradient-check table, then its download link"
    heads = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", tables[0], re.S)]
    assert heads == ["参数", "元素", "解析梯度", "数值梯度", "绝对误差", "该参数的误差范数"]
    english = (built_site / "mse-gradient" / "index.html").read_text(encoding="utf-8")
    assert "<th" in english
    assert "absolute error" in english
    csv = (built_site / "assets" / "lab" / "gradient-check-results.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "parameter,entry,analytic,numeric,abs_error,param_error_norm"
    for lang_page in sorted((built_site / "zh").glob("*/index.html")):
        # a table header, not the file name Material puts above a code block (lab/attention_study.py)
        for head in re.findall(r"<th(?![^>]*filename)[^>]*>(.*?)</th>", lang_page.read_text(encoding="utf-8"), re.S):
            text = re.sub(r'<span class="arithmatex">.*?</span>', "", head, flags=re.S)
            assert not re.search(r"\b[a-z]+_[a-z]+\b", re.sub(r"<[^>]+>", "", text)), (lang_page, head)
