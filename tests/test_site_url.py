"""The site's public address (canonical links, og:image, sitemap) and the 404 page at its root."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from macros.plugin.site_url import pages_url, repository
from tests.conftest import FIXTURES, copy_project, edit, mkdocs


@pytest.mark.parametrize(("repo", "url"), [
    ("Someone/dl-math-lab", "https://someone.github.io/dl-math-lab/"),
    ("someone/someone.github.io", "https://someone.github.io/"),
    ("Org/Site.Repo", "https://org.github.io/Site.Repo/"),
])
def test_the_pages_address_of_a_repository(repo: str, url: str) -> None:
    assert pages_url(repo) == url


@pytest.mark.parametrize(("origin", "found"), [
    ("https://github.com/Someone/dl-math-lab.git", "Someone/dl-math-lab"),
    ("git@github.com:Someone/dl-math-lab.git", "Someone/dl-math-lab"),
    ("ssh://git@github.com/Someone/dl-math-lab", "Someone/dl-math-lab"),
    ("https://gitlab.com/Someone/dl-math-lab.git", None),
    ("/work/elsewhere", None),
])
def test_the_repository_is_read_from_the_origin_remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        origin: str, found: str | None) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "remote", "add", "origin", origin], cwd=tmp_path, check=True)
    assert repository(tmp_path) == found
    monkeypatch.setenv("GITHUB_REPOSITORY", "Actions/repo")  # in GitHub Actions, the running repository
    assert repository(tmp_path) == "Actions/repo"


def test_a_build_points_canonical_links_and_cards_at_the_pages_address_or_site_url(tmp_path: Path) -> None:
    tiny = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    edit(tiny / "mkdocs.yml", "site_url: https://tiny.example.org/\n",
         'site_url: !ENV [SITE_URL, "https://tiny.example.org/"]\n')
    edit(tiny / "mkdocs.yml", "  - macros/plugin/build_log.py\n",
         "  - macros/plugin/build_log.py\n  - macros/plugin/site_url.py\n")
    built = mkdocs(tiny, "build", "--strict", env={"GITHUB_REPOSITORY": "Someone/tiny-lab", "SITE_URL": ""})
    assert built.returncode == 0, built.stderr
    page = (tiny / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://someone.github.io/tiny-lab/"' in page
    assert "<loc>https://someone.github.io/tiny-lab/zh/</loc>" in (tiny / "site" / "sitemap.xml").read_text()
    custom = mkdocs(tiny, "build", "--strict", env={"GITHUB_REPOSITORY": "Someone/tiny-lab",
                                                    "SITE_URL": "https://lab.example.net/"})
    assert custom.returncode == 0, custom.stderr
    assert '<link rel="canonical" href="https://lab.example.net/"' in (tiny / "site" / "index.html").read_text()


def test_the_404_page_at_the_root_is_the_default_language(built_site: Path) -> None:
    page = (built_site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in page
    assert "Deep Learning Math Lab" in page
    assert not (built_site / "zh" / "404.html").exists()  # one 404 page is served for the whole site


def test_each_page_links_to_its_source_when_the_repository_is_known(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from macros.plugin.site_url import on_config

    monkeypatch.setenv("GITHUB_REPOSITORY", "Someone/dl-math-lab")
    monkeypatch.delenv("SITE_URL", raising=False)
    config = {"config_file_path": str(tmp_path / "mkdocs.yml"), "site_url": "https://placeholder.example/",
              "edit_uri": None}
    on_config(config)
    assert config["site_url"] == "https://someone.github.io/dl-math-lab/"
    # A full address, without repo_url: Material would otherwise ask GitHub's API on every view.
    assert config["edit_uri"] == "https://github.com/Someone/dl-math-lab/edit/main/docs/"
    assert "repo_url" not in config


def test_reader_conventions_are_on_and_instant_navigation_is_explained(built_site: Path) -> None:
    import json
    import re

    page = (built_site / "zh" / "mse-gradient" / "index.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', page).group(1))
    for feature in ("search.suggest", "toc.follow", "navigation.top", "content.action.edit"):
        assert feature in config["features"], feature
    assert "navigation.instant" in config["features"]  # within a language (tests/browser/test_instant.py)
    assert "navigation.instant.prefetch" not in config["features"]
    assert 'class="md-top' in page  # the back-to-top button
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "`navigation.instant.prefetch` stays off" in readme
    assert "a language change is a full page load" in readme
