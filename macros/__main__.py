"""``python -m macros check``: check every page of every language against the lab, without MkDocs.

Formats: ``text`` (``file:line: written X, lab Y (key)``, one per problem), ``github`` (workflow
annotations that show on the pull request's diff, and the whole report in Markdown appended to
``$GITHUB_STEP_SUMMARY`` when it is set) and ``json`` (the full report). ``--fix``
rewrites stale checked numbers in place at their written precision, prints a diff, and checks
again. ``--twice`` runs every experiment twice more and reports one whose result changes from run
to run. ``--portable`` also reruns the lab with its arithmetic perturbed (macros/check/portable.py) and
reports every number whose written digits another CPU would change. Exit status: 0 when every
number agrees, 1 when anything is stale or wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from macros.files import located


def _github(claim: Any) -> str:
    """A workflow command; % and newlines are escaped as GitHub requires."""
    from macros.engine.claims import PORTABILITY

    message = claim.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    title = {"stale": "Stale lab number"}.get(claim.verdict, "Lab check error")
    if claim.kind == PORTABILITY:
        title = "Number differs between machines"
    return f"::error file={claim.page},line={max(claim.line, 1)},title={title}::{message}"


def _print(report: Any, fmt: str) -> None:
    if fmt == "json":
        print(report.to_json(), end="")
    elif fmt == "github":
        for claim in report.problems:
            print(_github(claim))
        print(f"{len(report.problems)} problem(s) in {len(report.claims)} lab number(s).")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:  # the run's page shows every problem, where the diff shows only the first annotations
            with open(summary, "a", encoding="utf-8") as page:
                page.write(report.markdown())
    else:
        print(report.summary(), file=sys.stderr if report.problems else sys.stdout)
        print(report.coverage_summary())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m macros", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="verify every lab number on every page")
    check.add_argument("--docs", type=Path, default=Path("docs"), help="docs folder (default: docs)")
    check.add_argument("--format", choices=("text", "github", "json"), default="text")
    check.add_argument("--fix", action="store_true", help="rewrite stale checked numbers in place")
    check.add_argument("--twice", action="store_true",
                       help="also run every experiment twice more (once in a fresh process) and report any "
                            "whose result changes: an unseeded generator, the clock, state kept between runs")
    check.add_argument("--portable", action="store_true",
                       help="also rerun the lab with perturbed arithmetic and report every number another "
                            "CPU would change (slow: the lab runs several times)")
    diff = commands.add_parser("diff", help="what a change does to the published numbers and lab files",
                               description="Every published lab number, figure, table and download that differs "
                                           "between two commits (or a commit and the working tree), in both "
                                           "languages. Markdown on standard output; --html and --json write files.")
    diff.add_argument("base", metavar="BASE", help="the commit before: a branch, tag or commit id")
    diff.add_argument("head", metavar="HEAD", nargs="?", help="the commit after (default: the working tree)")
    diff.add_argument("--html", type=Path, help="also write an HTML report here (figures shown side by side)")
    diff.add_argument("--json", type=Path, help="also write the diff as JSON here")
    args = parser.parse_args(argv)
    if args.command == "diff":
        return _diff(args)
    if not args.docs.is_dir():
        parser.error(f"no docs folder at {args.docs}; run from the project root or pass --docs")
    try:  # the checker and the lab are loaded and run here: an error in their own code is one located line
        return _check(args)
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        print(located(error), file=sys.stderr)
        return 1


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Point file descriptor 1 at stderr (worker processes inherit it), then restore it."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _check(args: argparse.Namespace) -> int:
    from macros.check.site import check_project
    from macros.engine.claims import error_claim
    from macros.engine.fix import fix_claims

    root = args.docs.resolve().parent
    if args.format == "json":  # standard output is the report alone: whatever lab code prints goes to stderr
        with _stdout_to_stderr():
            checked = check_project(root, args.docs)
    else:
        checked = check_project(root, args.docs)  # as a build does
    report, results, errors = checked.report, checked.results, checked.errors
    if args.fix and report.problems:
        diffs, unfixable = fix_claims(report.problems, results, root)
        for diff in diffs:
            print(diff, end="")
        for line in unfixable:
            print(f"cannot fix: {line}", file=sys.stderr)
        report = check_project(root, args.docs).report
    if args.twice:
        from lab.runner.determinism import rerun_differences

        report.claims.extend(error_claim(d.file, d.line, d.describe().split(": ", 1)[1], key=d.experiment)
                             for d in rerun_differences([n for n in results if n not in errors]))
    if args.portable and not report.problems:
        from macros.check.portable import check_portable

        report.claims.extend(check_portable(args.docs, root, report, results,
                                            progress=lambda line: print(line, file=sys.stderr, flush=True)))
    elif args.portable:
        print("--portable: skipped until the problems below are fixed", file=sys.stderr)
    _print(report, args.format)
    return 1 if report.problems else 0


def _diff(args: argparse.Namespace) -> int:
    from macros.diff.compare import compare
    from macros.diff.report import markdown, to_html, to_json
    from macros.diff.sides import SideError, both
    from macros.files import ROOT, what_to_do

    for path in (args.html, args.json):  # before the run, not after it
        if path is not None and not path.resolve().parent.is_dir():
            print(f"python -m macros diff: cannot write {path}: its folder does not exist; create it or name "
                  "another file", file=sys.stderr)
            return 1
    try:
        result = compare(*both(ROOT, args.base, args.head))
    except SideError as error:
        print(f"python -m macros diff: {error}", file=sys.stderr)
        return 1
    except (Exception, KeyboardInterrupt) as error:  # a bug of the diff's own: one located line
        print(located(error), file=sys.stderr)
        return 1
    print(markdown(result), end="")
    for path, text in ((args.html, to_html), (args.json, to_json)):
        if path is not None:
            try:
                path.write_text(text(result), encoding="utf-8")
            except OSError as error:
                print(f"python -m macros diff: cannot write {path}: {error.strerror}; {what_to_do(error)}",
                      file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
