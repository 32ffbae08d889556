"""Run ``mkdocs`` with one fault of the machine injected: ``python tests/faults.py FAULT mkdocs-args...``.

Faults: ``site-unwritable`` (the finished site cannot be moved into place; the old one can), ``disk-full`` (every
file MkDocs writes fails with ENOSPC), ``cache-full`` (every cache entry under .cache fails with
ENOSPC). The process runs as root in CI, so permissions alone cannot make a folder unwritable.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path


def _fail(name: str) -> OSError:
    return OSError(errno.ENOSPC if "full" in FAULT else errno.EACCES,
                   os.strerror(errno.ENOSPC if "full" in FAULT else errno.EACCES), name)


FAULT = sys.argv[1]


def main() -> None:
    if FAULT == "site-unwritable":
        rename = Path.rename

        def refuse(self: Path, target: str | Path) -> Path:
            if Path(target).name == "site" and not self.name.endswith("-previous"):  # the old site may go back
                raise _fail(str(target))
            return rename(self, target)

        Path.rename = refuse  # type: ignore[method-assign]
    elif FAULT == "disk-full":
        import mkdocs.utils

        def full(*args: object, **kwargs: object) -> None:
            raise _fail(str(args[-1]))

        mkdocs.utils.write_file = full
        mkdocs.utils.copy_file = full
    elif FAULT == "cache-full":
        mkstemp = tempfile.mkstemp

        def no_space(*args: object, **kwargs: object) -> tuple[int, str]:
            if ".cache" in str(kwargs.get("dir", "")):
                raise _fail(str(kwargs["dir"]))
            return mkstemp(*args, **kwargs)

        tempfile.mkstemp = no_space
    else:
        raise SystemExit(f"unknown fault {FAULT}")
    from mkdocs.__main__ import cli

    sys.argv = ["mkdocs", *sys.argv[2:]]
    cli()


if __name__ == "__main__":
    main()
