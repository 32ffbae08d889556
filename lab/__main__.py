"""``python -m lab --out DIR [--compare EXPECTED]``: run every experiment, write its CSV files and
figures to DIR, and optionally compare them byte for byte with a folder of expected outputs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab.outputs import FigureError, write_outputs
from lab.tables import TABLES


def compare(out: Path, expected: Path) -> list[str]:
    """Names of expected files that are missing from ``out`` or differ from it."""
    differ = []
    for path in sorted(p for p in expected.rglob("*") if p.is_file()):
        name = path.relative_to(expected).as_posix()
        produced = out / name
        if not produced.is_file() or produced.read_bytes() != path.read_bytes():
            differ.append(name)
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("lab-output"),
                        help="folder for the CSV files and figures (default: lab-output)")
    parser.add_argument("--compare", type=Path, metavar="EXPECTED",
                        help="folder of expected outputs to compare with, byte for byte")
    args = parser.parse_args(argv)
    if args.compare is not None and not args.compare.is_dir():
        parser.error(f"--compare: no folder {args.compare}")
    try:
        drawn = write_outputs(args.out)
    except FigureError as error:
        print(error, file=sys.stderr)
        return 1
    for path in [*(args.out / name for name in TABLES), *(args.out / "figures" / f"{name}.svg" for name in drawn)]:
        print(path)
    if args.compare is None:
        return 0
    differ = compare(args.out, args.compare)
    for name in differ:
        print(f"differs: {name}")
    print("identical" if not differ else f"{len(differ)} file(s) differ from {args.compare}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
