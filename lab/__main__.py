"""``python -m lab --out DIR``: run every experiment and write its CSV files and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from lab.outputs import write_outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("lab-output"),
                        help="folder for the CSV files and figures (default: lab-output)")
    args = parser.parse_args(argv)
    for path in write_outputs(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
