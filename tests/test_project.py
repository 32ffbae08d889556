"""Dependencies: pyproject.toml is the one list, uv.lock pins all of it with hashes, and the two agree."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from tests.conftest import ROOT

PIN = re.compile(r"([A-Za-z0-9_.\-]+)==([0-9][A-Za-z0-9.+\-]*)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _direct() -> list[str]:
    project = _pyproject()
    return [*project["project"]["dependencies"], *project["dependency-groups"]["test"]]


def test_every_direct_dependency_is_pinned_exactly_in_one_list() -> None:
    project = _pyproject()
    assert "optional-dependencies" not in project["project"]  # one list: the test group, not an extra too
    for pin in _direct():
        assert PIN.fullmatch(pin), pin
    for old in ("requirements.txt", "requirements-test.txt", "requirements.in"):
        assert not (ROOT / old).exists(), f"{old} would be a second list of dependencies"
    assert project["tool"]["uv"]["package"] is False  # a site, not a package: nothing to build from this folder


def test_the_lock_pins_every_direct_dependency_at_its_version_with_hashes() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = {_name(p["name"]): p for p in lock["package"]}
    for pin in _direct():
        name, version = PIN.fullmatch(pin).groups()
        assert packages[_name(name)]["version"] == version, pin
    for name, package in packages.items():
        if package.get("source", {}).get("virtual"):  # the project itself
            continue
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files, name
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", f["hash"]) for f in files), name


def test_the_lock_is_current_with_pyproject(tmp_path: Path) -> None:
    """uv lock --check fails when pyproject.toml changed and uv.lock was not made again."""
    uv = ROOT / ".uv" / "bin" / "uv"
    assert uv.exists(), "make installs uv into .uv/"
    env = {"UV_PYTHON_DOWNLOADS": "never", "UV_OFFLINE": "1", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    checked = subprocess.run([str(uv), "lock", "--check", "--offline", "--python", "python3"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stderr
    # Negative control: a pin changed in pyproject.toml alone is refused.
    for name in ("pyproject.toml", "uv.lock"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8").replace(
        '"ruff==0.17.6"', '"ruff==0.17.5"'), encoding="utf-8")
    stale = subprocess.run([str(uv), "lock", "--check", "--offline", "--python", "python3"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert stale.returncode != 0
    # With the index's metadata cached, uv names the stale pin; without it (a fresh machine, whose cache
    # holds only the wheels that were installed) it has to resolve again, which it cannot do offline.
    # Either way the lock no longer satisfied pyproject.toml: the current lock above needed no resolving.
    reasons = ("ruff", "lockfile needs to be updated", "when resolving dependencies")
    assert any(reason in stale.stderr for reason in reasons), stale.stderr


def test_the_installer_is_pinned_with_hashes() -> None:
    lines = (ROOT / "tools" / "uv-requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.split()[0] for line in lines if line and not line.startswith(("#", " "))]
    assert len(pins) == 1
    assert PIN.fullmatch(pins[0])
    assert sum("--hash=sha256:" in line for line in lines) >= 4  # one per wheel: Linux, macOS, Windows, …
    assert "tools/uv-requirements.txt" in (ROOT / "Makefile").read_text(encoding="utf-8")
