"""The lab README the resources page offers, opened in the browser: readable in its language even
from a server that names no character set (as `python -m http.server` serves .txt files)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(("download", "source"), [("README.txt", "README.md"), ("README.zh.txt", "README.zh.md")])
def test_the_lab_readme_reads_as_written_in_the_browser(watched, site_url: str, download: str, source: str) -> None:
    page = watched.page
    response = page.goto(f"{site_url}assets/lab/{download}")
    assert "charset" not in response.headers["content-type"]  # the server leaves the encoding open
    title = (ROOT / "lab" / source).read_text(encoding="utf-8").splitlines()[0]
    assert page.inner_text("body").splitlines()[0] == title
