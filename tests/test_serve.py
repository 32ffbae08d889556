"""`mkdocs serve` stays up on a stale number, shows it in the page, and picks up edits to the lab
and to the macros (which Python would otherwise keep cached)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_project, edit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, text: str, server: subprocess.Popen[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "mkdocs serve exited"
        page = fetch(url)
        if text in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared at {url}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    project = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    with (project / "mkdocs.yml").open("a") as config:
        config.write("watch:\n  - lab\n  - macros\n")
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    with (tmp_path / "serve.log").open("w") as log:  # read by tests as the author's terminal
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
        try:
            yield project, f"http://127.0.0.1:{port}/", server
        finally:
            server.terminate()
            server.wait(timeout=20)


def test_serve_shows_problems_and_reloads_lab_and_macros(served) -> None:
    project, url, server = served
    wait_for(url, "W11=-2.500000", server)
    log = project.parent / "serve.log"
    builds = log.read_text(encoding="utf-8").count("Documentation built")

    edit(project / "docs" / "zh" / "index.md", '"0.300"', '"0.310"')
    page = wait_for(url + "zh/", "Lab check failed: 1 problem(s)", server)
    assert "docs/zh/index.md:7" in page
    assert "written 0.310" in page
    deadline = time.monotonic() + 60  # the whole rebuild, its last step (the built-page scan) included
    while log.read_text(encoding="utf-8").count("Documentation built") <= builds and time.monotonic() < deadline:
        time.sleep(0.3)
    terminal = log.read_text(encoding="utf-8")
    assert "docs/zh/index.md:7: written 0.310" in terminal
    assert "nothing accounts for it" not in terminal  # the red box's own numbers are not the author's

    # A lab edit: the error e = [0.2, 1.25] becomes [0.2, 1.5], so W11 = 1.5 * -2.0 = -3.0.
    edit(project / "lab" / "mse.py", "[[0.2], [1.25]]", "[[0.2], [1.5]]")
    page = wait_for(url, "W11=-3.000000", server)
    assert "written 0.801, lab 1.145 (mse.loss)" in page  # 1/2 (0.2² + 1.5²) = 1.145

    # A macros edit: the failure box title comes from macros/plugin/adapter.py.
    edit(project / "macros" / "plugin" / "adapter.py", '"Lab check failed:', '"The lab disagrees:')
    wait_for(url, "The lab disagrees: 2 problem(s)", server)  # loss and row 1 of grad_W

    # A problem located in the lab, not in a page, shows on every page.
    figures = project / "lab" / "figures" / "mse.py"
    figures.write_text(figures.read_text() + "\n\ndef broken(results):\n    return 1 / 0\n\n\n"
                       "FIGURES['broken'] = broken\n")
    page = wait_for(url + "zh/", "failed to draw", server)
    assert "lab/figures/mse.py:" in page
    assert server.poll() is None


def test_serve_shows_a_lab_failure_on_every_page_and_recovers_after_the_fix(served) -> None:
    project, url, server = served
    wait_for(url, "W11=-2.500000", server)
    mse = project / "lab" / "mse.py"
    good = mse.read_text(encoding="utf-8")
    mse.write_text(good + "\ndef broken(:\n    pass\n", encoding="utf-8")
    line = len(good.splitlines()) + 2
    for page in (url, url + "zh/"):
        shown = wait_for(page, "Lab check failed", server)
        assert f"lab/mse.py:{line}" in shown
        assert "could not be imported: SyntaxError" in shown
    mse.write_text(good, encoding="utf-8")
    recovered = wait_for(url, "W11=-2.500000", server)
    assert "Lab check failed" not in recovered
    assert "Lab check failed" not in wait_for(url + "zh/", "W11=-2.500000", server)
