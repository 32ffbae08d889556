"""``python -m tools.kernels``: check, build and rerun the lab under other CPUs' BLAS kernels.

OpenBLAS picks its kernels from the CPU; ``OPENBLAS_CORETYPE`` forces another CPU's on this one.
For each kernel below, a fresh copy of the project (empty caches) is checked with
``python -m macros check``, built with ``mkdocs build --strict``, and its lab rerun with
``python -m lab --compare`` against the outputs of a build with this machine's own kernel: what a
contributor, a CI runner or a reader on that CPU would get. A command for a person to run, never
part of the tests or CI (some machines set ``OPENBLAS_CORETYPE`` because their CPU needs it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.project import copy_project

KERNELS = ("Prescott", "Nehalem", "Sandybridge", "Haswell")
ARCHITECTURE = ("import numpy; from threadpoolctl import threadpool_info; "
                "print(threadpool_info()[0].get('architecture'))")


def run(project: Path, kernel: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=1800, check=False)


def published(project: Path, into: Path) -> Path:
    """The CSV files and figures a build wrote, as the bundle's ``expected/`` holds them."""
    assets = project / "docs" / "assets" / "lab"
    for path in [*assets.glob("*.csv"), *assets.glob("figures/*.svg")]:
        target = into / path.relative_to(assets)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return into


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stdout + result.stderr).strip().splitlines()
    return lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.kernels", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kernels", nargs="*", default=list(KERNELS), help=f"default: {' '.join(KERNELS)}")
    args = parser.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="kernels-") as scratch:
        native = copy_project(Path(scratch) / "native")
        built = run(native, None, "-m", "mkdocs", "build", "--strict")
        if built.returncode != 0:
            print(built.stderr[-3000:], file=sys.stderr)
            return 1
        expected = published(native, Path(scratch) / "expected")
        print(f"{'kernel':12} {'runs as':12} {'check':6} {'build':6} lab rerun against this machine's outputs")
        for kernel in args.kernels:
            project = copy_project(Path(scratch) / kernel)
            architecture = last_line(run(project, kernel, "-c", ARCHITECTURE))
            check = run(project, kernel, "-m", "macros", "check")
            build = run(project, kernel, "-m", "mkdocs", "build", "--strict")
            rerun = run(project, kernel, "-m", "lab", "--out", "rerun", "--compare", str(expected))
            ok = check.returncode == build.returncode == rerun.returncode == 0
            failed += not ok
            print(f"{kernel:12} {architecture:12} {'ok' if check.returncode == 0 else 'FAIL':6} "
                  f"{'ok' if build.returncode == 0 else 'FAIL':6} {last_line(rerun)}", flush=True)
            for result in (check, build):
                if result.returncode != 0:
                    print("    " + "\n    ".join(result.stderr.strip().splitlines()[-8:]))
            for line in rerun.stdout.splitlines():
                if line.startswith(("differs:", "varies:", "agrees:")):
                    print(f"    {line[:160]}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
