"""Every cache the build keeps under .cache, damaged by hand: an edited, truncated or deleted entry
is noticed and computed again, so the published number is the lab's, never the damaged one."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from lab.runner.sealed import MAGIC
from macros.check.built_scan import Ledger, unaccounted
from tests.conftest import FIXTURES, copy_project, mkdocs

RIGHT, WRONG = "W11=-2.500000", "W11=-9.500000"


@pytest.fixture(scope="module")
def good_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("good") / "tiny", docs_from=FIXTURES / "tiny")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert RIGHT in (project / "site" / "index.html").read_text(encoding="utf-8")
    return project


def edit_sealed(path: Path, change) -> None:
    """Change an entry's payload as a hand edit would: the stored checksum stays as it was."""
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    head = len(MAGIC) + 32
    path.write_bytes(data[:head] + change(data[head:]))


def edited_lab_entry(payload: bytes) -> bytes:
    with np.load(io.BytesIO(payload), allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["grad_W"] = arrays["grad_W"].copy()
    arrays["grad_W"][1, 1] = -9.5
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def damage(entries: list[Path], how: str, edit) -> None:
    assert entries
    for entry in entries:
        if how == "edited":
            edit_sealed(entry, edit)
        elif how == "truncated":
            entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
        else:
            entry.unlink()


KINDS = {
    # kind: (entries to damage, the hand edit, caches removed so that the damaged one is read)
    "lab result": (lambda p: list((p / ".cache" / "lab").glob("mse-*.npz")), edited_lab_entry, ["render"]),
    "rendered page": (lambda p: list((p / ".cache" / "render" / "pages").glob("*.json")),
                      lambda b: b.replace(RIGHT.encode(), WRONG.encode()), []),
    "compiled template": (lambda p: list((p / ".cache" / "render" / "jinja").glob("*.cache")),
                          lambda b: b[:-40] + bytes(40), ["render/pages"]),
}


@pytest.mark.parametrize("how", ["edited", "truncated", "deleted"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_damaged_cache_entry_never_reaches_the_page(good_tiny: Path, tmp_path: Path, kind: str, how: str) -> None:
    project = tmp_path / "tiny"
    shutil.copytree(good_tiny, project)
    entries, edit, removed = KINDS[kind]
    for folder in removed:
        shutil.rmtree(project / ".cache" / folder)
    if how == "edited" and kind == "rendered page":  # only the entries that hold the number
        entries = lambda p: [e for e in KINDS[kind][0](p) if RIGHT.encode() in e.read_bytes()]  # noqa: E731
    damage(entries(project), how, edit)
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert RIGHT in html
    assert WRONG not in html
    assert entries(project), "the damaged entries are written again"  # and sealed: the next build reads them
    again = mkdocs(project, "build", "--strict")
    assert again.returncode == 0
    assert RIGHT in (project / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("how", ["edited", "truncated", "deleted"])
def test_a_damaged_built_numbers_cache_cannot_hide_a_number(tmp_path: Path, how: str) -> None:
    site, docs = tmp_path / "site", tmp_path / "docs" / "en"
    (site / "p").mkdir(parents=True)
    docs.mkdir(parents=True)
    (site / "p" / "index.html").write_text("<p>by hand 0.25</p>")
    (docs / "p.md").write_text("# P\n\nby hand 0.25\n")
    cache = tmp_path / ".cache" / "built-numbers.json"

    def scan() -> list[str]:
        found = unaccounted(site, Ledger(), {"p/index.html": "docs/en/p.md"}, [docs / "p.md"], tmp_path, cache=cache)
        return [claim.written for claim in found]

    assert scan() == ["0.25"]
    damage([cache], how, lambda b: b.replace(b"0.25", b"0.00"))  # as if the page showed no such number
    assert scan() == ["0.25"]
    assert scan() == ["0.25"]  # the rewritten cache is read back correctly


def test_an_edit_reached_through_a_relative_import_is_published(good_tiny: Path, tmp_path: Path) -> None:
    project = tmp_path / "tiny"
    shutil.copytree(good_tiny, project)
    mse = project / "lab" / "mse.py"
    text = mse.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("TARGET_ERROR = "))
    (project / "lab" / "mse_setup.py").write_text(f"import numpy as np\n\n{line}\n", encoding="utf-8")
    mse.write_text(text.replace(line, "from .mse_setup import TARGET_ERROR  # noqa: E402"), encoding="utf-8")
    first = mkdocs(project, "build", "--strict")
    assert first.returncode == 0, first.stderr
    assert RIGHT in (project / "site" / "index.html").read_text(encoding="utf-8")
    setup = project / "lab" / "mse_setup.py"
    setup.write_text(setup.read_text(encoding="utf-8").replace("[1.25]", "[1.5]"), encoding="utf-8")
    second = mkdocs(project, "build", "--strict")  # e = [0.2, 1.5]: L = (0.04 + 2.25) / 2 = 1.145
    assert second.returncode != 0
    assert "docs/en/index.md:8: written 0.801, lab 1.145 (mse.loss)" in second.stderr


@pytest.mark.parametrize("how", ["edited", "truncated", "deleted"])
def test_a_damaged_stored_figure_is_drawn_again_not_copied(tmp_path: Path, how: str) -> None:
    from lab.runner import figure_store

    svg = b'<svg><text x="1" y="2">loss 0.801</text></svg>'
    figure_store.save(tmp_path, "mse-loss", "k" * 64, svg)
    assert figure_store.load(tmp_path, "mse-loss", "k" * 64) == svg
    (entry,) = tmp_path.glob("mse-loss-*.svg")
    if how == "edited":
        entry.write_bytes(svg.replace(b"0.801", b"0.901"))
    elif how == "truncated":
        entry.write_bytes(svg[:10])
    else:
        entry.unlink()
    assert figure_store.load(tmp_path, "mse-loss", "k" * 64) is None  # so the figure is drawn again
    assert list(tmp_path.glob("mse-loss-*.svg")) == []


def test_an_edit_to_a_data_file_the_lab_reads_is_published(good_tiny: Path, tmp_path: Path) -> None:
    project = tmp_path / "tiny"
    shutil.copytree(good_tiny, project)
    (project / "lab" / "mse_target.txt").write_text("1.25\n", encoding="utf-8")
    mse = project / "lab" / "mse.py"
    text = mse.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("TARGET_ERROR = "))
    mse.write_text(text.replace(line, "TARGET_ERROR = np.array([[0.2], [float((__import__('pathlib').Path(__file__)"
                                      ".with_name('mse_target.txt')).read_text())]])"), encoding="utf-8")
    first = mkdocs(project, "build", "--strict")
    assert first.returncode == 0, first.stderr
    (project / "lab" / "mse_target.txt").write_text("1.5\n", encoding="utf-8")
    second = mkdocs(project, "build", "--strict")
    assert second.returncode != 0
    assert "docs/en/index.md:8: written 0.801, lab 1.145 (mse.loss)" in second.stderr


@pytest.mark.parametrize("how", ["edited", "deleted", "stored copy edited"])
def test_a_damaged_dark_twin_is_written_again(good_tiny: Path, tmp_path: Path, how: str) -> None:
    """The dark palette's figure is published from the lab too: an edited or missing twin beside an
    intact light figure, or a damaged stored twin, is drawn again, never shown."""
    project = tmp_path / "tiny"
    shutil.copytree(good_tiny, project)
    twins = sorted((project / "docs" / "assets" / "lab" / "figures").glob("*.dark.svg"))
    assert twins
    twin, original = twins[0], twins[0].read_bytes()
    if how == "edited":
        twin.write_bytes(original.replace(b"</svg>", b"<text>0.801</text></svg>"))
    elif how == "deleted":
        twin.unlink()
    else:  # the light figure and the outputs' stamp gone, so the build restores both from the store
        stored = list((project / ".cache" / "lab" / "figures").glob(twin.name.removesuffix(".svg") + "-*.svg"))
        assert stored
        for entry in stored:
            entry.write_bytes(entry.read_bytes().replace(b"</svg>", b"<text>0.801</text></svg>"))
        shutil.rmtree(project / "docs" / "assets" / "lab")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert twin.read_bytes() == original
    assert (project / "site" / "assets" / "lab" / "figures" / twin.name).read_bytes() == original
