"""Every way an author or a pull request can break the site, as one table.

Each case breaks a copy of a site after a good build, then builds again and asserts: a non-zero
exit; a message naming the file and line and saying what to do, reported exactly once; no Python
traceback; and the previous site/ still byte for byte as it was. A last case makes every
tiny-site mistake at once and expects all of them in one failed build.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_project, edit, mkdocs, snapshot


def append(project: Path, text: str, lang: str = "en") -> None:
    page = project / "docs" / lang / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + text + "\n", encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found exactly once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def lab_line(project: Path, file: str, starts: str) -> int:
    """The first line of ``file`` that starts with ``starts`` (leading spaces ignored)."""
    lines = (project / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip().startswith(starts))


def raise_in_mse(project: Path) -> None:
    at = lab_line(project, "lab/mse.py", "e, loss = forward(")
    lines = (project / "lab" / "mse.py").read_text(encoding="utf-8").splitlines()
    lines.insert(at - 1, "    raise ZeroDivisionError('the lab broke here')")
    (project / "lab" / "mse.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def nan_loss(project: Path) -> None:
    at = lab_line(project, "lab/mse.py", "e, loss = forward(")
    lines = (project / "lab" / "mse.py").read_text(encoding="utf-8").splitlines()
    indent = lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip())]
    lines.insert(at, f"{indent}loss = float('nan')")
    (project / "lab" / "mse.py").write_text("\n".join(lines) + "\n", encoding="utf-8")


def broken_figure(project: Path) -> None:
    figures = project / "lab" / "figures" / "mse.py"
    figures.write_text(figures.read_text(encoding="utf-8")
                       + "\n\ndef broken(results):\n    return 1 / 0\n\n\nFIGURES['broken'] = broken\n",
                       encoding="utf-8")


def figure_line(project: Path) -> int:
    return lab_line(project, "lab/figures/mse.py", "return 1 / 0")


@dataclass(frozen=True)
class Case:
    name: str
    breaks: Callable[[Path], None]
    where: Callable[[Path], str]  # "file:line" of the expected message, worked out on the broken copy
    says: tuple[str, ...]  # what the message must contain: the problem and the fix


TINY = "docs/en/index.md"


def appended(name: str, text: str, says: tuple[str, ...]) -> Case:
    """A case that adds ``text`` as a new last line of the tiny English page."""
    return Case(name, lambda p: append(p, text), lambda p: f"{TINY}:{lab_line(p, TINY, text)}", says)


TINY_CASES = [
    appended("unknown lab key", '{{ value("mse.grad_w[0,0]") }}',
             ("'mse' has no value 'grad_w'", "Did you mean mse.grad_b, mse.grad_W")),
    appended("malformed literal", '{{ check("mse.grad_W[0,1]", "0.8o1") }}',
             ("'0.8o1' is not a number", "write it like 0.300")),
    appended("literal of the wrong shape", '{{ check("mse.grad_W[1]", "1.875") }}',
             ("has shape ()", "has shape (3,)", "write one number per entry")),
    appended("undefined variable", "{{ undefined_thing }}",
             ("'undefined_thing' is undefined", "only value, check, approx, below, figure")),
    appended("undefined macro", '{{ chek("mse.loss", "0.801") }}', ("'chek' is undefined", "did you mean check?")),
    appended("broken internal link", "See [the next page](next.md).",
             ("link to 'next.md' leads nowhere", "there is no docs/en/next.md", "correct the path")),
    Case("experiment that raises", raise_in_mse,
         lambda p: f"lab/mse.py:{lab_line(p, 'lab/mse.py', 'raise ZeroDivisionError')}",
         ("experiment 'mse' raised ZeroDivisionError: the lab broke here", "fix the lab")),
    Case("lab value that is NaN", nan_loss,
         lambda p: f"{TINY}:8", ("lab value mse.loss is not finite (nan)", "fix the experiment")),
    Case("missing translation", lambda p: (p / "docs" / "en" / "more.md").write_text("# More\n", encoding="utf-8"),
         lambda p: "docs/en/more.md:1", ("no translation in 'zh'", "create docs/zh/more.md")),
    Case("figure that fails to draw", broken_figure,
         lambda p: f"lab/figures/mse.py:{figure_line(p)}",
         ("figure 'broken' failed to draw: ZeroDivisionError", "fix the figure code")),
    Case("symbolic link out of the project",
         lambda p: (p / "docs" / "en" / "environment.txt").symlink_to("/proc/self/environ"),
         lambda p: "docs/en/environment.txt:1",
         ("a symbolic link to /proc/self/environ, outside the project", "remove the link")),
    appended("javascript: link", "Run [this](javascript:alert(document.cookie)).",
             ("a javascript: link", "runs code in the reader's browser", "link to a page or file")),
    appended("data: address in raw HTML", '<img alt="x" src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
             ("a data: address ('data:image/svg+xml", "link to a page or file")),
    appended("event-handler attribute", '<img alt="plot" src="x.png" onerror="fetch(1)">',
             ("an event-handler attribute onerror=, which runs code", "pages carry no scripts")),
    Case("static HTML file in the docs",
         lambda p: (p / "docs" / "en" / "notes.html").write_text("<script>alert(1)</script>", encoding="utf-8"),
         lambda p: "docs/en/notes.html:1", ("a static HTML file is published as it is", "write it as a Markdown page")),
    Case("front matter that is not YAML",
         lambda p: replace(p / "docs" / "zh" / "index.md", "title: 小站", "title: [小站"),
         lambda p: "docs/zh/index.md:2", ("front matter is not valid YAML", "fix it")),
]


def insert_in_mse(statement: str) -> Callable[[Path], None]:
    """Put ``statement`` on its own line before the forward pass of the mse experiment."""
    def breaks(project: Path) -> None:
        at = lab_line(project, "lab/mse.py", "e, loss = forward(")
        lines = (project / "lab" / "mse.py").read_text(encoding="utf-8").splitlines()
        lines.insert(at - 1, f"    {statement}")
        (project / "lab" / "mse.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return breaks


def change(file: str, old: str, new: str) -> Callable[[Path], None]:
    def breaks(project: Path) -> None:
        edit(project / file, old, new)
    return breaks


def add_to(file: str, text: str) -> Callable[[Path], None]:
    def breaks(project: Path) -> None:
        path = project / file
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return breaks


def at_line(file: str, starts: str) -> Callable[[Path], str]:
    return lambda p: f"{file}:{lab_line(p, file, starts)}"


LAB_CASES = [
    Case("syntax error in a lab module", add_to("lab/mse.py", "\ndef broken(:\n    pass\n"),
         at_line("lab/mse.py", "def broken(:"),
         ("experiment 'mse' could not be imported: SyntaxError", "fix the lab")),
    Case("import of a package that is not installed", insert_in_mse("import package_not_installed_here"),
         at_line("lab/mse.py", "import package_not_installed_here"),
         ("experiment 'mse' raised ModuleNotFoundError: No module named 'package_not_installed_here'",
          "fix the lab")),
    Case("sys.exit() in an experiment", insert_in_mse("raise SystemExit(0)"),
         at_line("lab/mse.py", "raise SystemExit(0)"),
         ("experiment 'mse' raised SystemExit", "must return, not exit", "fix the lab")),
    Case("KeyboardInterrupt raised in an experiment", insert_in_mse("raise KeyboardInterrupt"),
         at_line("lab/mse.py", "raise KeyboardInterrupt"),
         ("experiment 'mse' raised KeyboardInterrupt", "fix the lab")),
    Case("experiment whose result type is not stated", change("lab/mse.py", "def run() -> MSEResult:", "def run():"),
         at_line("lab/mse.py", "def run():"),
         ("experiment 'mse': annotate what it returns with its result dataclass", "never cached")),
    Case("syntax error in code only the downloadable lab runs", add_to("lab/runner/compare.py", "\ndef broken(:\n"),
         at_line("lab/runner/compare.py", "def broken(:"), ("the lab could not be loaded: SyntaxError", "fix the lab")),
    Case("table that raises",
         add_to("lab/tables/mse.py", "\n\ndef bad(results):\n    return [[str(1 / 0)]]\n\n\nTABLES['bad.csv'] = bad\n"),
         at_line("lab/tables/mse.py", "return [[str(1 / 0)]]"),
         ("table 'bad.csv' failed to build: ZeroDivisionError", "fix the table code")),
    Case("figure that exits",
         add_to("lab/figures/mse.py",
                "\n\ndef quits(results):\n    raise SystemExit(1)\n\n\nFIGURES['quits'] = quits\n"),
         at_line("lab/figures/mse.py", "raise SystemExit(1)"), ("figure 'quits' failed to draw: SystemExit",)),
    Case("figure name used twice",
         add_to("lab/figures/neuron.py", "\nFIGURES['mse-outer-product'] = FIGURES['neuron-relu']\n"),
         at_line("lab/figures/neuron.py", "FIGURES['mse-outer-product']"),
         ("FIGURES entry 'mse-outer-product' is already defined in lab.figures.mse", "give one of them another name")),
    Case("experiment that writes into the project", insert_in_mse("open('site/planted.txt', 'w').close()"),
         at_line("lab/mse.py", "open('site/planted.txt', 'w').close()"),
         ("experiment 'mse' raised PermissionError: experiment 'mse' tried to write", "site/planted.txt",
          "never writes files")),
    Case("figure that writes outside the temporary folder",
         add_to("lab/figures/mse.py", "\n\ndef writes(results):\n    open('/root/planted-by-a-figure.txt', 'w')\n"
                                      "\n\nFIGURES['writes'] = writes\n"),
         at_line("lab/figures/mse.py", "open('/root/planted-by-a-figure.txt', 'w')"),
         ("figure 'writes' failed to draw: PermissionError", "/root/planted-by-a-figure.txt")),
    Case("os._exit() in an experiment", insert_in_mse("__import__('os')._exit(0)"),
         at_line("lab/mse.py", "__import__('os')._exit(0)"),
         ("experiment 'mse' raised SystemExit: experiment 'mse' called os._exit(0), which would end the build's "
          "process", "fix the lab")),
    Case("os._exit() while a lab module is imported",
         lambda p: replace(p / "lab" / "mse.py", "import numpy as np\n",
                           "import numpy as np\n\n__import__('os')._exit(3)\n"),
         at_line("lab/mse.py", "__import__('os')._exit(3)"),
         ("experiment 'mse' could not be imported: SystemExit: importing experiment 'mse' called os._exit(3)",)),
    Case("os._exit() in a table",
         add_to("lab/tables/mse.py", "\n\ndef quits(results):\n    __import__('os')._exit(0)\n\n\n"
                                     "TABLES['quits.csv'] = quits\n"),
         at_line("lab/tables/mse.py", "__import__('os')._exit(0)"),
         ("table 'quits.csv' failed to build: SystemExit: table 'quits.csv' called os._exit(0)",)),
    Case("os._exit() while the registry is imported",
         lambda p: replace(p / "lab" / "registry.py", "import importlib\n",
                           "import importlib\nimport os\n\nos._exit(0)\n"),
         at_line("lab/registry.py", "os._exit(0)"),
         ("the lab could not be loaded: SystemExit: importing lab.registry called os._exit(0)",)),
    Case("os._exit() while a figure module is imported",
         add_to("lab/figures/mse.py", "\n__import__('os')._exit(0)\n"),
         at_line("lab/figures/mse.py", "__import__('os')._exit(0)"),
         ("the lab's figures and tables could not be loaded: SystemExit: importing lab.figures.mse called "
          "os._exit(0)",)),
    Case("experiment that writes while it is imported",
         lambda p: replace(p / "lab" / "mse.py", "import numpy as np\n",
                           "import numpy as np\n\nopen(__file__ + '.scratch', 'w').close()\n"),
         at_line("lab/mse.py", "open(__file__ + '.scratch', 'w').close()"),
         ("could not be imported: PermissionError: importing experiment 'mse' tried to write",)),
    Case("experiment that starts a program", insert_in_mse("__import__('subprocess').Popen(['sleep', '1000'])"),
         at_line("lab/mse.py", "__import__('subprocess').Popen(['sleep', '1000'])"),
         ("experiment 'mse' raised PermissionError: experiment 'mse' tried to start another process",)),
    Case("registry that does not compile",
         lambda p: replace(p / "lab" / "registry.py", '"mse": "lab.mse:run",', '"mse": lab.mse:run",'),
         at_line("lab/registry.py", '"mse": lab.mse:run",'),
         ("the lab could not be loaded: SyntaxError", "fix the lab")),
    Case("module-level import of a package that is not installed",
         lambda p: replace(p / "lab" / "mse.py", "import numpy as np\n",
                           "import numpy as np\nimport not_installed_pkg\n"),
         at_line("lab/mse.py", "import not_installed_pkg"),
         ("experiment 'mse' could not be imported: ModuleNotFoundError: No module named 'not_installed_pkg'",
          "fix the lab")),
]


def processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is inside ``folder`` (a build's leftover workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and Path(os.readlink(proc / "cwd")).is_relative_to(folder):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def good_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("good") / "tiny", docs_from=FIXTURES / "tiny")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return project


def fresh_copy(good: Path, target: Path) -> Path:
    shutil.copytree(good, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def assert_located(stderr: str, where: str, says: tuple[str, ...]) -> None:
    lines = [line for line in stderr.splitlines() if line.split(" -  ", 1)[-1].startswith(f"{where}: ")]
    assert len(lines) == 1, f"expected one message at {where}, got {lines}:\n{stderr[-3000:]}"
    for text in says:
        assert text in lines[0], f"{text!r} missing from: {lines[0]}"
    assert "Traceback (most recent call last)" not in stderr


@pytest.mark.parametrize("case", TINY_CASES, ids=[c.name for c in TINY_CASES])
def test_bad_input_fails_once_at_its_file_and_line(good_tiny: Path, tmp_path: Path, case: Case) -> None:
    build_fails_at(good_tiny, tmp_path, case)


def build_fails_at(good_tiny: Path, tmp_path: Path, case: Case) -> Path:
    """Break a copy of the good tiny site by ``case`` and build it: the build fails once at the case's
    line, leaves site/ as it was, no temporary folder and no process. Returns the broken copy."""
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    before = snapshot(project / "site")
    case.breaks(project)
    result = mkdocs(project, "build", "--strict")
    assert result.returncode != 0
    assert_located(result.stderr, case.where(project), case.says)
    assert snapshot(project / "site") == before
    assert not list(project.glob(".site.building-*"))
    assert processes_in(project) == []
    return project


def test_every_problem_of_one_build_is_reported_together(good_tiny: Path, tmp_path: Path) -> None:
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    before = snapshot(project / "site")
    # A raising experiment has no NaN value to report: all cases but that one, in one build.
    cases = [c for c in TINY_CASES if c.name != "experiment that raises"]
    for case in cases:
        case.breaks(project)
    result = mkdocs(project, "build", "--strict")
    assert result.returncode != 0
    for case in cases:
        assert_located(result.stderr, case.where(project), case.says)
    assert snapshot(project / "site") == before


SITE_YML = "docs/_data/site.yml"
REAL_CASES = [
    Case("missing resource file",
         lambda p: replace(p / SITE_YML, "path: assets/lab/neuron-data.csv", "path: assets/lab/neuron-data-v2.csv"),
         lambda p: f"{SITE_YML}:{lab_line(p, SITE_YML, 'path: assets/lab/neuron-data-v2.csv')}",
         ("file docs/assets/lab/neuron-data-v2.csv does not exist", "fix the path or make the lab write it")),
    Case("invalid route data",
         lambda p: replace(p / SITE_YML, "- convolution-receptive-field\n", "- convolution-receptive-fields\n"),
         lambda p: f"{SITE_YML}:{lab_line(p, SITE_YML, '- convolution-receptive-fields')}",
         ("lists 'convolution-receptive-fields', which is not an article",
          "did you mean 'convolution-receptive-field'?")),
    Case("invalid article front matter",
         lambda p: replace(p / "docs" / "zh" / "mse-gradient.md", "level: intermediate", "level: expert"),
         lambda p: f"docs/zh/mse-gradient.md:{lab_line(p, 'docs/zh/mse-gradient.md', 'level: expert')}",
         ("level 'expert' is not one of beginner, intermediate, advanced", "use one of them")),
]


def test_site_data_and_front_matter_problems_fail_the_real_site_together(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    for case in REAL_CASES:
        case.breaks(project)
    result = mkdocs(project, "build", "--strict", timeout=600)
    assert result.returncode != 0
    for case in REAL_CASES:
        assert_located(result.stderr, case.where(project), case.says)
    problems = [line for line in result.stderr.splitlines() if line.startswith("ERROR") and ".md:" in line]
    assert problems == [line for line in problems if "mse-gradient.md" in line]  # no knock-on errors elsewhere
    assert not (project / "site").exists()


@pytest.mark.parametrize("case", LAB_CASES, ids=[c.name for c in LAB_CASES])
def test_lab_code_failure_is_one_located_message(good_tiny: Path, tmp_path: Path, case: Case) -> None:
    project = build_fails_at(good_tiny, tmp_path, case)
    check = subprocess.run([sys.executable, "-m", "macros", "check"], cwd=project, capture_output=True, text=True,
                           timeout=300, check=False, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert check.returncode == 1
    assert_located(check.stderr, case.where(project), case.says)


def test_renamed_experiment_is_reported_at_every_line_citing_it(good_tiny: Path, tmp_path: Path) -> None:
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    replace(project / "lab" / "registry.py", '"mse": "lab.mse:run",', '"mse_v2": "lab.mse:run",')
    result = mkdocs(project, "build", "--strict")
    assert result.returncode != 0
    assert "Traceback (most recent call last)" not in result.stderr
    for lang in ("en", "zh"):
        page = project / "docs" / lang / "index.md"
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            for key in re.findall(r'"(mse\.[^"]+)"', line):
                assert f"docs/{lang}/index.md:{number}: {key}: no experiment 'mse' in lab/registry.py. " \
                       "Did you mean mse_v2?" in result.stderr, (key, result.stderr[-3000:])
    assert "table 'gradient-check-results.csv' failed to build: KeyError: \"no experiment 'mse'" in result.stderr


@pytest.mark.parametrize(("fault", "says"), [
    ("site-unwritable", "the new site could not replace"),
    ("disk-full", "the build could not read or write a file: No space left on device"),
])
def test_a_machine_fault_is_one_message_and_the_site_stays_as_it_was(good_tiny: Path, tmp_path: Path,
                                                                     fault: str, says: str) -> None:
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    before = snapshot(project / "site")
    append(project, "One more line.")  # so that the build has something new to write
    result = mkdocs(project, "build", "--strict", fault=fault, timeout=300)
    assert result.returncode != 0
    assert "Traceback (most recent call last)" not in result.stderr
    assert [line for line in result.stderr.splitlines() if says in line], result.stderr[-2000:]
    assert "was left as it was" in result.stderr
    assert snapshot(project / "site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def test_a_full_cache_slows_the_next_build_but_never_fails_this_one(good_tiny: Path, tmp_path: Path) -> None:
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    shutil.rmtree(project / ".cache")
    append(project, "One more line.")
    result = mkdocs(project, "build", "--strict", fault="cache-full", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if "under .cache could not be written" in line]
    assert len(notes) == 1
    assert "No space left on device" in notes[0]
    assert "One more line." in (project / "site" / "index.html").read_text(encoding="utf-8")
    assert [p for p in (project / ".cache").rglob("*") if p.is_file()] == []


def test_killing_a_build_leaves_no_lab_worker_running(good_tiny: Path, tmp_path: Path) -> None:
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    for module in ("mse", "neuron"):  # two experiments to run, so they run in worker processes
        path = project / "lab" / f"{module}.py"
        head, _, body = path.read_text(encoding="utf-8").partition("\ndef run(")
        signature, _, rest = body.partition(":\n")
        path.write_text(f"{head}\ndef run({signature}:\n    __import__('time').sleep(120)\n{rest}", encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    deadline = time.monotonic() + 120
    while len(processes_in(project)) < 3 and time.monotonic() < deadline:  # the build and its two workers
        time.sleep(0.2)
    assert len(processes_in(project)) >= 3
    build.kill()
    build.wait(timeout=30)
    deadline = time.monotonic() + 20
    while processes_in(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_in(project) == []


@pytest.mark.parametrize(("breaks", "where", "says"), [
    (insert_in_mse("while True: pass"), at_line("lab/mse.py", "while True: pass"),
     ("experiment 'mse' ran longer than 3 s", "LAB_CODE_SECONDS", "fix the lab")),
    (lambda p: append(p, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
     lambda p: f"{TINY}:10", ("page docs/en/index.md ran longer than 6 s", "LAB_PAGE_SECONDS")),
    (lambda p: append(p, "{{ 7 ** (10 ** 9) }}"), lambda p: f"{TINY}:10", ("is too large to compute in a page",)),
    (lambda p: replace(p / "lab" / "mse.py", "import numpy as np\n", "import numpy as np\n\nwhile True: pass\n"),
     at_line("lab/mse.py", "while True: pass"), ("importing experiment 'mse' ran longer than 3 s",)),
    (add_to("lab/tables/mse.py", "\nwhile True: pass\n"), at_line("lab/tables/mse.py", "while True: pass"),
     ("importing lab.tables.mse ran longer than 3 s",)),
    (insert_in_mse("while True:\n        try: __import__('time').sleep(0.05)\n        except BaseException: continue"),
     at_line("lab/mse.py", "def run("), ("running experiment 'mse': it ran past its time limit and did not stop",)),
])
def test_work_without_end_is_stopped_and_located(good_tiny: Path, tmp_path: Path, breaks, where, says) -> None:
    project = fresh_copy(good_tiny, tmp_path / "tiny")
    before = snapshot(project / "site")
    breaks(project)
    started = time.monotonic()
    result = mkdocs(project, "build", "--strict", env={"LAB_CODE_SECONDS": "3", "LAB_PAGE_SECONDS": "6"})
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    assert_located(result.stderr, where(project), says)
    assert snapshot(project / "site") == before
