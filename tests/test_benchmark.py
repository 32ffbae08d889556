"""The benchmark's projects are what it says they are (the timings themselves are not tested).

The floor must be the same pages as the real build, with no macros left to run; the peer must
compute the lab inside its pages; the synthetic site must have the claims it counts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import ROOT, mkdocs
from tools.benchmark import floor_project, peer_project, synthetic_project


def body_text(html: str) -> str:
    """The article's text without tags and without the lab badge and the share-card link, which only
    our plugin adds."""
    article = re.search(r"<article.*?</article>", html, re.S).group()
    article = re.sub(r'<p class="(?:lab-badge|share-card-link)".*?</p>', "", article, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article))


def test_the_floor_shows_the_same_articles_without_the_macros_plugin(built_site: Path, tmp_path: Path) -> None:
    floor = floor_project(built_site.parent, tmp_path / "floor")
    assert "  - macros:" not in (floor / "mkdocs.yml").read_text()
    result = mkdocs(floor, "build")
    assert result.returncode == 0, result.stderr
    for page in ("mse-gradient/index.html", "zh/attention-math/index.html"):
        expected = body_text((built_site / page).read_text(encoding="utf-8"))
        got = body_text((floor / "site" / page).read_text(encoding="utf-8"))
        assert "article-context" in (floor / "site" / page).read_text(encoding="utf-8")
        assert got == expected


def test_the_peer_runs_the_lab_in_every_page_that_shows_lab_numbers(built_site: Path, tmp_path: Path) -> None:
    peer = peer_project(built_site.parent, tmp_path / "peer")
    assert "markdown-exec" in (peer / "mkdocs.yml").read_text()
    for lang in ("en", "zh"):
        for source in sorted((ROOT / "docs" / lang).glob("*.md")):
            cites = re.search(r'(check|value)\("[a-z_]+\.', source.read_text(encoding="utf-8"))
            page = (peer / "docs" / lang / source.name).read_text(encoding="utf-8")
            assert ('```python exec="on"' in page) == bool(cites), source.name


def test_the_synthetic_site_has_the_claims_it_counts(tmp_path: Path) -> None:
    project, claims = synthetic_project(tmp_path / "synth", 2)
    assert claims == 2 * 2 * 20
    result = mkdocs(project, "build")
    assert result.returncode == 0, result.stderr
    report = json.loads((project / "site" / "verification.json").read_text())
    synthetic = [c for c in report["claims"] if "/synth-" in c["page"] and c["kind"] == "check"]
    assert len(synthetic) == claims
    assert all(c["verdict"] == "ok" for c in synthetic)


def test_the_long_page_checks_every_number_it_writes() -> None:
    from lab.registry import run_all
    from tools.benchmark import long_page, long_page_seconds

    results = run_all()
    assert long_page(results, 30).count('check("') == 30
    _, megabytes = long_page_seconds(results, 40)  # raises unless all 40 checks are found and agree
    assert 0.005 < megabytes < 0.02
