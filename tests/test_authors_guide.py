"""The author's guide's examples, copied as a reader would copy them, must build and fail as shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_project, mkdocs

BLOCK = re.compile(r'```(\w+) title="([^"]+)"\n(.*?)```', re.S)


def guide_blocks(lang: str) -> list[tuple[str, str]]:
    text = (ROOT / "docs" / lang / "authors-guide.md").read_text(encoding="utf-8")
    return [(title, body) for _, title, body in BLOCK.findall(text)]


def apply_examples(project: Path) -> None:
    for title, body in guide_blocks("en"):
        if title.endswith(" (append)"):
            path = project / title.removesuffix(" (append)")
            path.write_text(path.read_text(encoding="utf-8") + "\n\n" + body, encoding="utf-8")
        else:
            (project / title).write_text(body, encoding="utf-8")


@pytest.fixture(scope="module")
def guide_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("guide"))
    apply_examples(project)
    return project


def test_both_guides_show_the_same_code() -> None:
    assert guide_blocks("en") == guide_blocks("zh")


def test_guide_examples_are_the_expected_files() -> None:
    titles = [title for title, _ in guide_blocks("en")]
    assert titles == ["lab/line.py", "lab/registry.py (append)", "docs/en/line.md",
                      "lab/figures/line.py", "lab/tables/line.py", "docs/zh/line.md"]


def test_guide_examples_build_in_both_languages(guide_project: Path) -> None:
    result = mkdocs(guide_project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    for page in ("line/index.html", "zh/line/index.html"):
        html = (guide_project / "site" / page).read_text(encoding="utf-8")
        assert "dL/dw=-4.000000" in html
        assert "−4.0" in html
        assert "0.75" in html
        assert "assets/lab/figures/line-loss.svg" in html
        assert "line-fit.csv" in html
    assert (guide_project / "site" / "assets" / "lab" / "figures" / "line-loss.svg").exists()
    assert (guide_project / "site" / "assets" / "lab" / "line-fit.csv").read_text().startswith("w,loss,grad")


def test_guide_failure_example_is_what_the_build_prints(guide_project: Path) -> None:
    line_py = guide_project / "lab" / "line.py"
    line_py.write_text(line_py.read_text().replace("w: float = 1.5", "w: float = 1.6"))
    result = mkdocs(guide_project, "build")
    assert result.returncode != 0
    text = (ROOT / "docs" / "en" / "authors-guide.md").read_text(encoding="utf-8")
    promised = re.search(r"```text\n(.*?)```", text, re.S).group(1).splitlines()
    printed = [line for line in result.stderr.splitlines() if ": written " in line]
    assert printed == promised
    assert "nothing was written" in result.stdout + result.stderr


def test_the_guide_states_the_limits_the_code_has() -> None:
    from lab.runner.limits import LIMITS
    from macros.engine.literals import MAX_DIGITS

    code, page = (f"{LIMITS[what][1]:g}" for what in ("lab", "page"))
    expected = {"en": [f"more than {MAX_DIGITS} significant digits", f"`LAB_CODE_SECONDS` ({code} s)",
                       f"`LAB_PAGE_SECONDS` ({page} s)"],
                "zh": [f"有效数字超过 {MAX_DIGITS} 位", f"`LAB_CODE_SECONDS`（{code} 秒）",
                       f"`LAB_PAGE_SECONDS`（{page} 秒）"]}
    for lang, phrases in expected.items():
        text = (ROOT / "docs" / lang / "authors-guide.md").read_text(encoding="utf-8")
        for phrase in phrases:
            assert phrase in text, (lang, phrase)
