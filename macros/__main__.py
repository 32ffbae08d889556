"""``python -m macros check``: check every page of every language against the lab, without MkDocs.

Prints each problem as ``file:line: message`` and exits 1 if there is any, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab.outputs import write_lab_assets
from macros.lab_results import CACHE_DIR, lab_results
from macros.page_macros import LAB_ASSETS
from macros.render import check_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m macros", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="verify every lab number on every page")
    check.add_argument("--docs", type=Path, default=Path("docs"), help="docs folder (default: docs)")
    args = parser.parse_args(argv)
    if not args.docs.is_dir():
        parser.error(f"no docs folder at {args.docs}; run from the project root or pass --docs")
    root = args.docs.resolve().parent
    results, errors = lab_results(root / CACHE_DIR)
    if not errors:  # the resource files the pages offer are generated, as in a build
        write_lab_assets(args.docs / LAB_ASSETS, results)
    report = check_site(args.docs, results, errors, root=root)
    print(report.summary(), file=sys.stderr if report.problems else sys.stdout)
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
