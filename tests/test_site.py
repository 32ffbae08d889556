"""The real site: strict build, the lab's numbers in both languages, offline assets."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from lab.registry import run_all
from tests.conftest import ROOT, chinese_share


def html_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


ARTICLE = {"en": "mse-gradient/index.html", "zh": "zh/mse-gradient/index.html"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_article_shows_the_lab_values(built_site: Path, lang: str) -> None:
    html = (built_site / ARTICLE[lang]).read_text(encoding="utf-8")
    mse = run_all()["mse"]
    assert f"W00={mse.grad_W[0, 0]:.6f}" in html
    assert f"W11={mse.grad_W[1, 1]:.6f}" in html
    # the finite-difference error is rounding noise: the page states a bound, checked against the lab
    source = (ROOT / "docs" / lang / "mse-gradient.md").read_text(encoding="utf-8")
    bound = re.search(r'below\("mse\.error_norm_W", "([^"]+)"\)', source).group(1)
    assert bound in html
    assert 0 < mse.error_norm_W < float(bound)
    assert f"{mse.error_norm_W:.6f}" in html  # and prints as 0.000000 at six decimals
    assert "[0.300, −0.400, 0.100]" in html
    assert "[1.875, −2.500, 0.625]" in html
    assert 'src="../../assets/lab/figures/mse-outer-product.svg#only-light"' in html or \
        'src="../assets/lab/figures/mse-outer-product.svg#only-light"' in html
    text = html_text(html)
    assert "def numeric_gradient(loss: Callable[[], float]" in text  # code shown from the lab source
    assert "def backward(e: np.ndarray," in text
    assert "⚠" not in html
    assert "lab-badge" in html


def test_both_articles_count_the_same_recomputed_numbers(built_site: Path) -> None:
    counts = [re.search(r'data-lab-numbers="(\d+)"', (built_site / ARTICLE[lang]).read_text()).group(1)
              for lang in ("en", "zh")]
    assert counts[0] == counts[1]
    assert int(counts[0]) >= 10


def test_verification_report_lists_every_claim_ok(built_site: Path) -> None:
    report = json.loads((built_site / "verification.json").read_text(encoding="utf-8"))
    assert report["problems"] == 0
    keys = {lang: sorted((c["key"], c["written"]) for c in report["claims"]
                         if c["page"] == f"docs/{lang}/mse-gradient.md") for lang in ("en", "zh")}
    assert keys["en"] == keys["zh"]
    assert len(keys["en"]) >= 10
    assert all(c["verdict"] == "ok" and c["line"] > 0 for c in report["claims"])


def test_lab_outputs_are_published(built_site: Path) -> None:
    csv = (built_site / "assets" / "lab" / "gradient-check-results.csv").read_text()
    assert csv.splitlines()[0] == "parameter,entry,analytic,numeric,abs_error,param_error_norm"
    svg = (built_site / "assets" / "lab" / "figures" / "mse-outer-product.svg").read_text()
    assert svg.startswith("<?xml")
    assert "<dc:date>" not in svg


def test_math_and_fonts_are_vendored_and_nothing_points_off_site(built_site: Path) -> None:
    assert (built_site / "assets" / "katex" / "katex.min.js").stat().st_size > 200_000
    assert list((built_site / "assets" / "katex" / "fonts").glob("KaTeX_Main-Regular.woff2"))
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        external = [url for url in external if not url.startswith("https://dl-math-lab.example.org/")]
        assert external == [], page
        assert "fonts.googleapis" not in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_language_switcher_links_to_the_same_article(built_site: Path, lang: str) -> None:
    html = (built_site / ARTICLE[lang]).read_text(encoding="utf-8")
    other = {"en": "../zh/mse-gradient/", "zh": "../../mse-gradient/"}[lang]
    assert f'href="{other}"' in html


@pytest.mark.parametrize(("lang", "words"), [("en", ("Route:", "step 1 of")), ("zh", ("学习路线：", "第 1 步，共"))])
def test_article_context_block_names_route_step_and_level(built_site: Path, lang: str, words: tuple) -> None:
    text = html_text((built_site / ARTICLE[lang]).read_text(encoding="utf-8"))
    for word in words:
        assert word in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_faq_is_a_section_and_faqpage_json_ld(built_site: Path, lang: str) -> None:
    html = (built_site / ARTICLE[lang]).read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "FAQPage"
    questions = [item["name"] for item in data["mainEntity"]]
    assert len(questions) >= 3
    assert html.count('<details class="question"') == len(questions)
    text = html_text(html)
    for question in questions:  # each JSON-LD question is also on the page (math is typeset there)
        for words in re.split(r"\$[^$]*\$", question):
            assert words.strip() in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_resource_cards_state_the_real_size_and_checksum(built_site: Path, lang: str) -> None:
    import hashlib

    html = (built_site / ("resources/index.html" if lang == "en" else "zh/resources/index.html")).read_text()
    links = re.findall(r'href="((?:\.\./)+assets/(?:lab|modules)/[^"]+)"', html)
    resources = yaml.safe_load((ROOT / "docs" / "_data" / "site.yml").read_text())["resources"]
    assert len(links) == len(resources)
    digests = re.findall(r"<code>([0-9a-f]{64})</code>", html)
    for link, digest in zip(links, digests, strict=True):
        path = built_site / re.sub(r"^(\.\./)+", "", link)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(("lang", "page"), [("en", "resources/index.html"), ("zh", "zh/resources/index.html")])
def test_the_resources_page_offers_the_lab_readme_in_its_language(built_site: Path, lang: str, page: str) -> None:
    html = (built_site / page).read_text(encoding="utf-8")
    [link] = re.findall(r'href="((?:\.\./)+assets/lab/README[^"]*)"', html)
    readme = ((built_site / page).parent / link).resolve()
    text = readme.read_text(encoding="utf-8")
    assert "python -m lab --out output --compare expected" in text
    share = chinese_share(text)
    assert share > 0.5 if lang == "zh" else share == 0, (readme, share)


def test_timeline_lists_newest_first(built_site: Path) -> None:
    text = html_text((built_site / "timeline" / "index.html").read_text(encoding="utf-8"))
    dates = re.findall(r"\b(20\d\d-\d\d-\d\d)\b", text)
    assert dates
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("slug", ["mse-gradient", "attention-math"])
def test_further_reading_closes_each_article_with_the_same_links_in_both_languages(built_site: Path,
                                                                                  slug: str) -> None:
    links = {}
    for lang, page, heading in (("en", f"{slug}/index.html", "Further reading"),
                                ("zh", f"zh/{slug}/index.html", "延伸阅读")):
        html = (built_site / page).read_text(encoding="utf-8")
        section = re.search(rf">{heading}<.*?</ul>", html, re.S)
        assert section, (lang, slug)
        links[lang] = re.findall(r'href="(https://[^"]+)"', section.group())
        assert links[lang]
        faq = re.search(r"<h2[^>]*>" + {"en": "FAQ", "zh": "常见问题"}[lang], html)
        assert section.start() < faq.start()  # before the FAQ
    assert links["en"] == links["zh"]


@pytest.mark.parametrize(("page", "words"), [("mse-gradient/index.html", "Download this page's share card (PNG)"),
                                             ("zh/mse-gradient/index.html", "下载本页的分享卡片（PNG）"),
                                             ("routes/deep-learning-math/index.html", "share card")])
def test_each_article_and_route_links_its_own_share_card(built_site: Path, page: str, words: str) -> None:
    html = (built_site / page).read_text(encoding="utf-8")
    link = re.search(r'<p class="share-card-link">\s*<a href="([^"]+)" download>([^<]+)</a>', html)
    assert link, page
    assert words in link.group(2)
    card = (built_site / page).parent / link.group(1)
    assert card.resolve().is_file()
    assert card.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert image.endswith(link.group(1).split("/")[-1])  # the card the page shares is the one offered
    assert "share-card-link" not in (built_site / "resources" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tag_index_lists_each_tag_with_its_articles_and_article_tags_link_there(built_site: Path,
                                                                                  lang: str) -> None:
    names = yaml.safe_load((ROOT / "docs" / "_data" / "site.yml").read_text(encoding="utf-8"))["tags"]
    tagged: dict[str, set[str]] = {}
    for source in (ROOT / "docs" / lang).glob("*.md"):
        meta = yaml.safe_load(source.read_text(encoding="utf-8").split("---")[1])
        for tag in meta.get("tags") or []:
            tagged.setdefault(tag, set()).add(source.stem)
    prefix = "" if lang == "en" else "zh/"
    index = (built_site / prefix / "tags" / "index.html").read_text(encoding="utf-8")
    index = index.split("<article", 1)[1].split("</article>", 1)[0]
    sections = re.split(r'<h2 id="tag-', index)[1:]
    found = {section.split('"', 1)[0]: section for section in sections}
    assert set(found) == set(tagged)
    for tag, slugs in tagged.items():
        assert names[tag][lang] in found[tag]  # the tag's name in the page's language
        linked = set(re.findall(r'href="\.\./([a-z0-9-]+)/"', found[tag]))
        assert linked == slugs, tag
    for slug in {s for slugs in tagged.values() for s in slugs}:
        html = (built_site / prefix / slug / "index.html").read_text(encoding="utf-8")
        context = html.split('class="article-context"', 1)[1].split("</div>", 1)[0]
        targets = re.findall(r'href="\.\./tags/#tag-([a-z0-9-]+)"', context)
        assert targets, slug
        assert set(targets) <= set(found), slug
        assert {t for t, slugs in tagged.items() if slug in slugs} == set(targets)
