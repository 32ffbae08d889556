"""``python -m tools.benchmark``: how much the lab costs a build, measured side by side in one run.

Each figure is the median wall time of ``--runs`` whole ``mkdocs build`` processes, in scratch
copies of the project:

* cold:  empty lab cache, no generated figures, cards or downloads;
* warm:  the same build again, everything cached;
* floor: the same pages with every macro already expanded into plain Markdown, macros plugin off;
* peer:  the lab run the usual MkDocs way, markdown-exec executing Python blocks in each page.

Then the time from saving a prose edit to ``mkdocs serve`` serving the updated page, a warm
``python -m macros check`` against ``python -m macros diff`` of a prose edit, and a scaling run
with N synthetic articles per language (20 checked numbers and a figure each).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from lab.registry import run_all
from macros.check.render import render_full
from macros.engine.front_matter import split_front_matter
from macros.features.model import load_site
from macros.features.pages import SiteMacros, with_article_parts
from tools.project import FIXTURES, ROOT, copy_project

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1764000000", "PYTHONDONTWRITEBYTECODE": "1"}


COLD = (".cache", "docs/assets/lab", "docs/assets/cards", "site")
"""Everything a build generates: removed before a cold build."""
DRAWN = ("docs/assets/lab", "docs/assets/cards")
"""The drawn files (figures, CSV files, downloads, share cards), without the cached lab results."""


def build_seconds(project: Path, reset: tuple[str, ...] = ()) -> float:
    for generated in reset:
        shutil.rmtree(project / generated, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=ENV,
                            capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"build failed in {project}:\n{result.stderr[-2000:]}")
    return elapsed


def median_build(project: Path, runs: int, reset: tuple[str, ...] = ()) -> float:
    return statistics.median(build_seconds(project, reset) for _ in range(runs))


def _without_macros_plugin(config: Path, extra_plugin: str | None = None) -> None:
    text = config.read_text()
    text = re.sub(r"  - macros:\n(?:      .*\n)+", f"  - {extra_plugin}\n" if extra_plugin else "", text)
    config.write_text(text)


def expanded_pages(project: Path) -> dict[Path, str]:
    """Every page with its macros expanded, as the build renders it (context block and FAQ included)."""
    results = run_all()
    docs = project / "docs"
    model, _ = load_site(docs, project)
    pages = {}
    for path in sorted(docs.glob("*/**/*.md")):
        text = path.read_text(encoding="utf-8")
        docs_path = path.relative_to(docs).as_posix()
        site = SiteMacros(model, docs_path, docs) if model else None
        rendered = render_full(path.as_posix(), docs_path, text, results, None, site)
        body = rendered.markdown
        front = text[: len(text) - len(split_front_matter(text)[0])]
        slug = path.stem
        if site is not None and slug in model.articles.get(site.lang, {}):
            body = with_article_parts(body, site.article_context(slug), site.faq_section(rendered.faq),
                                      site.reading_section(slug))
        pages[path] = front + body
    return pages


def floor_project(source: Path, target: Path, plugin: str | None = None) -> Path:
    """A copy whose pages are already expanded and whose build has no macros plugin (``plugin``
    takes its place in the plugin list)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("site", ".cache"))
    for path, text in expanded_pages(target).items():
        path.write_text(text, encoding="utf-8")
    _without_macros_plugin(target / "mkdocs.yml", plugin)
    return target


def peer_project(source: Path, target: Path) -> Path:
    """The floor's pages, plus the lab computed inside each page by markdown-exec blocks."""
    floor_project(source, target, plugin="markdown-exec")
    for path in sorted((target / "docs").glob("*/*.md")):
        original = (source / path.relative_to(target)).read_text(encoding="utf-8")
        experiments = sorted(set(re.findall(r'(?:check|value)\("([a-z_]+)\.', original)))
        figures = re.findall(r'figure\("([^"]+)"', original)
        if not experiments and not figures:
            continue
        blocks = ['```python exec="on" session="lab"\nfrom lab.registry import experiment\n'
                  f"results = {{name: experiment(name)() for name in {experiments!r}}}\n```\n"]
        blocks += [f'```python exec="on" session="lab" html="1"\nfrom lab.figures import FIGURES, to_svg\n'
                   f'from lab.registry import run_all\nprint(to_svg(FIGURES["{name}"](run_all())).decode())\n```\n'
                   for name in figures]
        text = path.read_text(encoding="utf-8")
        body, _ = split_front_matter(text)
        path.write_text(text[: len(text) - len(body)] + "\n".join(blocks) + "\n" + body, encoding="utf-8")
    return target


def serve_latency(project: Path, runs: int) -> float:
    """Seconds from saving a prose edit to `mkdocs serve` serving the page with it (median)."""
    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                              env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/mse-gradient/"
    page = project / "docs" / "en" / "mse-gradient.md"
    try:
        _wait_for(url, "Shapes first", 120)
        times = []
        for run in range(runs):
            marker = f"edit-marker-{run}-{time.time_ns()}"
            text = page.read_text(encoding="utf-8")
            start = time.perf_counter()
            page.write_text(text.replace("## Shapes first", f"## Shapes first\n\n{marker}", 1), encoding="utf-8")
            _wait_for(url, marker, 120)
            times.append(time.perf_counter() - start)
            page.write_text(text, encoding="utf-8")
            time.sleep(3)  # let the rebuild for the revert finish before the next edit
        return statistics.median(times)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _seconds(command: list[str], project: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=ENV, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {project}:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def check_and_diff(project: Path, runs: int) -> tuple[float, float]:
    """Median seconds of a warm ``python -m macros check`` and of ``python -m macros diff HEAD`` after a
    prose edit, both sides checked (the project is made a git repository for it)."""
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    shutil.copy(ROOT / ".gitignore", project / ".gitignore")  # the caches and generated files stay out
    for command in (["git", "init", "-q"], ["git", "add", "-A"], [*git, "commit", "-qm", "base"]):
        subprocess.run(command, cwd=project, check=True, capture_output=True)
    page = project / "docs" / "en" / "mse-gradient.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence added by the benchmark.\n", encoding="utf-8")
    check = [sys.executable, "-m", "macros", "check"]
    diff = [sys.executable, "-m", "macros", "diff", "HEAD"]
    _seconds(check, project)
    _seconds(diff, project)  # the base side's pages enter the page cache
    return (statistics.median(_seconds(check, project) for _ in range(runs)),
            statistics.median(_seconds(diff, project) for _ in range(runs)))


def _wait_for(url: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{text!r} never appeared at {url}")


SYNTH_KEYS = ["mse.grad_W[0,0]", "mse.grad_W[0,1]", "mse.grad_W[0,2]", "mse.grad_W[1,0]", "mse.grad_W[1,1]",
              "mse.grad_W[1,2]", "mse.loss", "mse.e[0]", "mse.e[1]", "mse.x[0]"]


def synthetic_project(target: Path, count: int) -> tuple[Path, int]:
    """The tiny fixture site plus ``count`` articles per language, each with 20 checks and a figure."""
    copy_project(target, docs_from=FIXTURES / "tiny")
    results = run_all()
    from macros.engine.keys import parse_key, resolve

    lines = []
    for key in SYNTH_KEYS * 2:
        value = float(np.asarray(resolve(parse_key(key), results)).item())
        lines.append(f'A checked number: {{{{ check("{key}", "{value:.3f}") }}}}.')
    body = "\n\n".join(lines) + '\n\n{{ figure("mse-outer-product", "A figure.") }}\n'
    for lang in ("en", "zh"):
        for number in range(count):
            (target / "docs" / lang / f"synth-{number}.md").write_text(f"# Synthetic page\n\n{body}",
                                                                     encoding="utf-8")
    return target, 2 * count * len(lines)


def long_page(results: dict, checks: int) -> str:
    """One article with ``checks`` checked numbers, each in a sentence of about 250 characters."""
    from macros.engine.keys import parse_key, resolve

    lines = []
    for number in range(checks):
        key = SYNTH_KEYS[number % len(SYNTH_KEYS)]
        value = float(np.asarray(resolve(parse_key(key), results)).item())
        lines.append(f'In this sentence the lab value is {{{{ check("{key}", "{value:.3f}") }}}}, written with '
                     "three decimals, and the rest of the line is prose of the length a real paragraph has, "
                     "so that the page grows the way a long article grows.")
    return "---\ntitle: Long\ndate: 2026-01-01\n---\n\n# Long\n\n" + "\n\n".join(lines) + "\n"


def long_page_seconds(results: dict, checks: int) -> tuple[float, float]:
    """Claim work for one long page: rendering its macros, locating every claim, scanning it."""
    text = long_page(results, checks)
    start = time.perf_counter()
    rendered = render_full("docs/en/long.md", "en/long.md", text, results)
    elapsed = time.perf_counter() - start
    if sum(1 for c in rendered.claims if c.kind == "check" and c.verdict == "ok") != checks:
        raise RuntimeError("the long page did not check every number")
    return elapsed, len(text.encode()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.benchmark", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="builds per figure; the median is reported")
    parser.add_argument("--scale", type=int, nargs="*", default=[10, 50, 200], help="synthetic article counts")
    parser.add_argument("--long", type=int, nargs="*", default=[1125, 2250, 4500],
                        help="checks on one long page (claim work only)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        project = copy_project(work / "site")
        cold = median_build(project, args.runs, reset=COLD)
        redraw = median_build(project, args.runs, reset=DRAWN)
        warm = median_build(project, args.runs)
        drawing = redraw - warm
        floor = median_build(floor_project(project, work / "floor"), args.runs)
        peer = median_build(peer_project(project, work / "peer"), args.runs)
        latency = serve_latency(project, args.runs)
        checking, diffing = check_and_diff(project, args.runs)
        print(f"cold build   {cold:7.2f} s   (empty cache)")
        print(f"redraw build {redraw:7.2f} s   (lab results cached; figures, downloads and share cards drawn)")
        print(f"warm build   {warm:7.2f} s")
        print(f"drawing      {drawing:7.2f} s   (redraw build - warm build)")
        print(f"floor        {floor:7.2f} s   (macros expanded, plugin off)")
        print(f"peer         {peer:7.2f} s   (markdown-exec runs the lab in the pages)")
        print(f"serve edit   {latency:7.2f} s   (save a prose edit -> updated page served)")
        print(f"warm/floor   {warm / floor:7.2f}   cold/floor {cold / floor:.2f}   peer/warm {peer / warm:.2f}"
              f"   serve/floor {latency / floor:.2f}")
        print(f"cold / (2 x floor + drawing) {cold / (2 * floor + drawing):.2f}")
        print(f"check        {checking:7.2f} s   (python -m macros check, warm)")
        print(f"diff         {diffing:7.2f} s   (python -m macros diff HEAD after a prose edit)   "
              f"diff/check {diffing / checking:.2f}")
        print("\nscaling: N articles per language, 20 checked numbers and one figure each")
        for count in args.scale:
            synth, claims = synthetic_project(work / f"synth-{count}", count)
            build_seconds(synth)  # fill the cache
            seconds = median_build(synth, args.runs)
            print(f"N={count:4d}   {seconds:7.2f} s   {claims:6d} claims   {claims / seconds:8.0f} claims/s"
                  f"   {seconds / (2 * count):.3f} s per page")
        print("\nscaling: one long page, N checked numbers (claim work: render, locate, scan)")
        results = run_all()
        for checks in args.long:
            seconds, megabytes = long_page_seconds(results, checks)
            per_check = seconds / checks * 1e6
            print(f"N={checks:5d}   {megabytes:5.2f} MB   {seconds:7.2f} s   {per_check:6.0f} µs per check")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
