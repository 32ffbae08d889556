"""Pins: every dependency is pinned, and pyproject agrees with the lock file."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def requirement_lines(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [line for line in lines if line and not line.startswith(("#", "-r"))]


def test_every_requirement_is_pinned_exactly() -> None:
    for name in ("requirements.txt", "requirements-test.txt"):
        for line in requirement_lines(name):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9.+\-]*", line), (name, line)


def test_pyproject_pins_match_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = {line.split("==")[0].lower(): line for line in
            requirement_lines("requirements.txt") + requirement_lines("requirements-test.txt")}
    for pin in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert lock[pin.split("==")[0].lower()].lower() == pin.lower(), pin
