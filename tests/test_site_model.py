"""The site model: routes, resources, article front matter, with located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from macros.features.model import (
    CHARS_PER_MINUTE,
    CODE_LINE_SECONDS,
    DISPLAY_SECONDS,
    FIGURE_SECONDS,
    INLINE_SECONDS,
    NUMBER_SECONDS,
    SOURCE_LINES,
    TABLE_SECONDS,
    WORDS_PER_MINUTE,
    load_site,
    reading_minutes,
    reading_seconds,
)
from tests.conftest import ROOT, edit


def test_reading_time_counts_prose_math_code_and_lab_material() -> None:
    english = " ".join(["word"] * 400) + "\n\\[ x = y \\]\n```python\nsome code\nmore code\n```\n"
    assert reading_seconds(english, "en") == 400 / WORDS_PER_MINUTE * 60 + DISPLAY_SECONDS + 2 * CODE_LINE_SECONDS
    chinese = "字" * 800 + " `code` 其中 \\(a_i\\) 和 {{ value('a.b') }}，见 {{ figure('f', 'c') }}"
    assert reading_seconds(chinese, "zh") == pytest.approx(
        804 / CHARS_PER_MINUTE * 60 + INLINE_SECONDS + NUMBER_SECONDS + FIGURE_SECONDS)
    table = "| a | b |\n| --- | ---: |\n| 1 | 2 |\n\n{{ table('t.csv') }}\n{{ lab_source('lab.x.f') }}\n"
    assert reading_seconds(table, "en") == pytest.approx(
        4 / WORDS_PER_MINUTE * 60 + 2 * TABLE_SECONDS + SOURCE_LINES * CODE_LINE_SECONDS)
    assert reading_minutes("short", "en") == 1


def test_every_article_shows_one_reading_time_in_both_languages() -> None:
    model, problems = load_site(ROOT / "docs", ROOT)
    assert not problems
    for slug, english in model.articles["en"].items():
        chinese = model.articles["zh"][slug]
        assert english.minutes == chinese.minutes == max(1, round((english.seconds + chinese.seconds) / 120))
    # A worked derivation with a score of checked numbers is not a three-minute read.
    assert model.articles["en"]["mse-gradient"].minutes >= 5


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A copy of the real docs folder, with placeholder files for the generated resources."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("lab"))
    model, _ = load_site(docs, tmp_path)
    for path in [path for resource in model.resources for path in resource.files()]:
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text("placeholder")
    return docs


def test_the_real_site_data_is_valid(docs: Path) -> None:
    model, problems = load_site(docs, docs.parent)
    assert problems == []
    assert model.routes[0].steps[0] == "mse-gradient"
    article = model.articles["zh"]["mse-gradient"]
    assert article.level == "intermediate"
    assert len(article.faq) == len(model.articles["en"]["mse-gradient"].faq) >= 3


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    level: intermediate\n", "    level: expert\n", "docs/_data/site.yml:20: route 'deep-learning-math': level"),
    ("      - mse-gradient\n", "      - no-such-article\n",
     "docs/_data/site.yml:27: route 'deep-learning-math' lists 'no-such-article', which is not an article"),
    ("    path: assets/lab/figures.zip", "    path: assets/lab/nope.zip",
     "resource 'figure-set': file docs/assets/lab/nope.zip does not exist"),
    ("    kind: tool\n    path: assets/lab/dl-math-lab.zip", "    kind: toy\n    path: assets/lab/dl-math-lab.zip",
     "resource 'lab-bundle': kind must be one of"),
    ("routes:\n", "routes: [\n", "docs/_data/site.yml:"),
])
def test_bad_site_data_is_reported_with_file_and_line(docs: Path, old: str, new: str, expected: str) -> None:
    edit(docs / "_data" / "site.yml", old, new)
    _, problems = load_site(docs, docs.parent)
    assert any(expected in str(p) for p in problems), problems


# The line of the resource path the tests below break.
PATH_LINE = (ROOT / "docs" / "_data" / "site.yml").read_text(encoding="utf-8").splitlines().index(
    "    path: assets/lab/gradient-check-results.csv") + 1


@pytest.mark.parametrize(("path", "says"), [('"assets/lab/x.csv\\0"', "holds a control character"),
                                           ("assets/" + "a" * 300 + ".txt", "is longer than a file name can be")])
def test_a_resource_path_that_names_no_file_is_a_located_error(docs: Path, path: str, says: str) -> None:
    edit(docs / "_data" / "site.yml", "    path: assets/lab/gradient-check-results.csv", f"    path: {path}")
    _, problems = load_site(docs, docs.parent)
    assert [(p.file, p.line) for p in problems if says in p.message] == [("docs/_data/site.yml", PATH_LINE)], problems


@pytest.mark.parametrize("path", ["/etc/hostname", "../../etc/hostname", "assets/../../mkdocs.yml",
                                  "assets\\..\\..\\x", "C:/Windows/win.ini", "assets/lab/escape.txt"])
def test_a_resource_path_that_leads_out_of_the_docs_folder_is_refused(docs: Path, path: str) -> None:
    (docs / "assets" / "lab" / "escape.txt").symlink_to("/etc/hostname")  # a link out, for the last case
    edit(docs / "_data" / "site.yml", "    path: assets/lab/gradient-check-results.csv", f"    path: {path}")
    _, problems = load_site(docs, docs.parent)
    assert [(p.file, p.line) for p in problems if "leads outside the docs folder" in p.message] == \
        [("docs/_data/site.yml", PATH_LINE)], problems
    assert not [p for p in problems if "does not exist" in p.message]  # never looked up outside


def test_a_resource_may_name_a_file_per_language(docs: Path) -> None:
    readme = next(r for r in load_site(docs, docs.parent)[0].resources if r.id == "lab-readme")
    assert readme.path["en"] != readme.path["zh"]
    edit(docs / "_data" / "site.yml", readme.path["zh"], "assets/lab/README.xx.txt")
    _, problems = load_site(docs, docs.parent)
    assert [p.message for p in problems] == ["resource 'lab-readme': file docs/assets/lab/README.xx.txt does not "
                                             "exist; fix the path or make the lab write it"]
    edit(docs / "_data" / "site.yml", ", zh: assets/lab/README.xx.txt", "")
    _, problems = load_site(docs, docs.parent)
    assert any("resource 'lab-readme': path needs a non-empty text for each of en, zh" in p.message
               for p in problems), problems


def test_front_matter_facts_must_agree_across_languages(docs: Path) -> None:
    edit(docs / "zh" / "mse-gradient.md", "date: 2026-11-02", "date: 2026-11-03")
    _, problems = load_site(docs, docs.parent)
    assert any(str(p).startswith("docs/zh/mse-gradient.md:1: date is") for p in problems), problems


def test_unknown_tags_are_reported(docs: Path) -> None:
    edit(docs / "en" / "mse-gradient.md", "tags: [matrix-calculus,", "tags: [no-such-tag, matrix-calculus,")
    _, problems = load_site(docs, docs.parent)
    assert any(str(p).startswith("docs/en/mse-gradient.md:6: unknown tag(s) ['no-such-tag']")
               for p in problems), problems


def test_a_tag_listed_twice_is_reported(docs: Path) -> None:
    edit(docs / "en" / "mse-gradient.md", "tags: [matrix-calculus,", "tags: [matrix-calculus, matrix-calculus,")
    _, problems = load_site(docs, docs.parent)
    assert any(str(p).startswith("docs/en/mse-gradient.md:6: tag(s) ['matrix-calculus'] listed more than once")
               for p in problems), problems


def test_tags_in_another_order_are_reported_as_such(docs: Path) -> None:
    text = (docs / "zh" / "mse-gradient.md").read_text(encoding="utf-8")
    tags = text.split("tags: [", 1)[1].split("]", 1)[0]
    edit(docs / "zh" / "mse-gradient.md", f"tags: [{tags}]", "tags: [" + ", ".join(reversed(tags.split(", "))) + "]")
    _, problems = load_site(docs, docs.parent)
    assert any(str(p).startswith("docs/zh/mse-gradient.md:1: tags is") and "the same tags in another order" in
               p.message for p in problems), problems


def test_allowlists_must_agree_across_languages(docs: Path) -> None:
    edit(docs / "zh" / "attention-math.md", 'allow_numbers:\n', 'allow_numbers:\n  "77": 只在中文版里列出\n')
    _, problems = load_site(docs, docs.parent)
    assert any(str(p).startswith("docs/zh/attention-math.md:1: allow_numbers is") for p in problems), problems


def test_a_prose_edit_reaches_the_route_page_through_the_page_cache(tmp_path: Path) -> None:
    """The route page shows each article's reading time, so a longer article must re-render it."""
    from lab.registry import run_all
    from macros.check.site import check_site

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("lab"))
    from lab.runner.outputs import write_lab_assets

    results = run_all()
    write_lab_assets(docs / "assets" / "lab", results)
    cache = tmp_path / ".cache"
    route = "docs/en/routes/deep-learning-math.md"
    before = check_site(docs, results, root=tmp_path, cache_dir=cache).rendered[route].markdown
    assert any((cache / "pages").iterdir())
    with (docs / "en" / "mse-gradient.md").open("a", encoding="utf-8") as page:
        page.write("\n" + "More words to read. " * 2000 + "\n")
    after = check_site(docs, results, root=tmp_path, cache_dir=cache).rendered[route].markdown
    assert before != after


def test_an_article_whose_front_matter_is_wrong_is_not_reported_again_by_the_site_data(docs: Path) -> None:
    edit(docs / "en" / "attention-math.md", "faq:\n", "faq:\n  - a: 42\n    b: |\n      x\n")
    _, problems = load_site(docs, docs.parent)
    assert [p.file for p in problems] == ["docs/en/attention-math.md"], problems


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    articles: [optimizer-geometry]\n  - id: goh-momentum",
     "    articles: [optimiser-geometry]\n  - id: goh-momentum",
     "reading 'kingma-ba-adam' names unknown article 'optimiser-geometry'"),
    ("    url: https://arxiv.org/abs/1706.03762", "    url: http://arxiv.org/abs/1706.03762",
     "reading 'vaswani-attention': url must be an https:// address"),
])
def test_bad_further_reading_is_reported_with_file_and_line(docs: Path, old: str, new: str, expected: str) -> None:
    edit(docs / "_data" / "site.yml", old, new)
    _, problems = load_site(docs, docs.parent)
    found = [p for p in problems if expected in str(p)]
    assert found, problems
    assert found[0].file == "docs/_data/site.yml"
    lines = (docs / "_data" / "site.yml").read_text(encoding="utf-8").splitlines()
    assert lines[found[0].line - 1].startswith("  - id: ")  # the entry's own line


def test_every_article_has_further_reading_in_both_languages() -> None:
    model, problems = load_site(ROOT / "docs", ROOT)
    assert not problems
    for slug in model.articles["en"]:
        assert model.reading_of(slug), slug
    for reading in model.reading:
        assert reading.title["en"]
        assert reading.title["zh"]
        assert reading.note["en"]
        assert reading.note["zh"]
