"""Zip archives the site offers for download, with identical bytes from build to build.

The lab bundle holds the lab's sources, its README in each language, a requirements file and the outputs the site
was built with (``expected/``), so that ``python -m lab --out output --compare expected`` on
another machine reruns the lab and confirms the CSV files byte for byte.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent.parent
BUNDLE_ROOT = "dl-math-lab"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store: no build time leaks in
# The lab's README in each language, as named in lab/ and the bundle, and as the site offers it.
READMES = {"README.md": "README.txt", "README.zh.md": "README.zh.txt"}


def zip_bytes(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of ``(name, data)`` entries in name order, with fixed dates and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def lab_sources() -> list[tuple[str, bytes]]:
    return [(f"lab/{p.relative_to(LAB_DIR).as_posix()}", p.read_bytes())
            for p in sorted(LAB_DIR.rglob("*.py")) if "__pycache__" not in p.parts]


def requirements() -> bytes:
    pins = [f"{package}=={version(package)}" for package in ("numpy", "matplotlib", "threadpoolctl")]
    return ("\n".join(pins) + "\n").encode()


def lab_bundle(outputs: Path) -> bytes:
    """The runnable bundle: sources, READMEs, requirements and the outputs under ``expected/``."""
    entries = [(f"{BUNDLE_ROOT}/{name}", data) for name, data in lab_sources()]
    entries += [(f"{BUNDLE_ROOT}/{readme}", (LAB_DIR / readme).read_bytes()) for readme in READMES]
    entries += [(f"{BUNDLE_ROOT}/requirements.txt", requirements())]
    entries += [(f"{BUNDLE_ROOT}/expected/{p.relative_to(outputs).as_posix()}", p.read_bytes())
                for p in sorted(outputs.rglob("*")) if _is_output(p)]
    return zip_bytes(entries)


def figure_set(outputs: Path) -> bytes:
    return zip_bytes((f"figures/{p.name}", p.read_bytes()) for p in sorted((outputs / "figures").glob("*.svg")))


def _is_output(path: Path) -> bool:
    return path.is_file() and (path.suffix == ".csv" or (path.parent.name == "figures" and path.suffix == ".svg"))
