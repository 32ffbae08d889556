"""``python -m lab --out DIR [--compare EXPECTED]``: run every experiment, write its CSV files and
figures to DIR, and optionally compare them with a folder of expected outputs at the published
precision (lab/runner/compare.py: digit for digit, except where a column or a figure states otherwise)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from lab.runner.compare import AGREES, DIFFERS, IDENTICAL, VARIES, compare_folders
from lab.runner.failures import locate
from lab.runner.outputs import FigureError, write_outputs
from lab.runner.stamp import figure_files
from lab.tables import TABLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("lab-output"),
                        help="folder for the CSV files and figures (default: lab-output)")
    parser.add_argument("--compare", type=Path, metavar="EXPECTED",
                        help="folder of expected outputs to compare with, at the published precision")
    args = parser.parse_args(argv)
    if args.compare is not None and not args.compare.is_dir():
        parser.error(f"--compare: no folder {args.compare}")
    try:
        drawn = write_outputs(args.out)
    except FigureError as error:
        print(error, file=sys.stderr)
        return 1
    except (Exception, SystemExit) as error:  # an experiment that raised: its lab file and line, no traceback
        print(f"{locate(error).describe()}; the lab did not finish, so nothing was compared", file=sys.stderr)
        return 1
    produced = [*TABLES, *(path for name in drawn for path in figure_files(name))]
    for name in produced:
        print(args.out / name)
    if args.compare is None:
        return 0
    verdicts = compare_folders(args.out, args.compare, produced)
    for verdict in verdicts:
        if verdict.verdict != IDENTICAL:
            print(f"{verdict.verdict}: {verdict.name}: {'; '.join(verdict.notes[:5])}")
    counts = Counter(verdict.verdict for verdict in verdicts)
    if counts[DIFFERS]:
        print(f"{counts[DIFFERS]} file(s) differ from {args.compare}")
        return 1
    if counts[IDENTICAL] == len(verdicts):
        print("identical")
    else:
        print(f"agrees at the published precision: {counts[IDENTICAL]} file(s) identical, {counts[AGREES]} within "
              f"their stated tolerances, {counts[VARIES]} figure(s) of chaotic runs drawn differently")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
