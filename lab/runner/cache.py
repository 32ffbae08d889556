"""A content-addressed disk cache for experiment results.

An entry's key hashes the experiment's source file, every lab module it imports (transitively),
the run function's name, the NumPy version, the machine's arithmetic signature (lab/runner/machine.py: a
result computed with another CPU's kernels is never reused) and this cache's format. So an edit to ``lab/mse.py``
or to ``lab/gradcheck.py`` invalidates ``mse`` and nothing else, and an upgrade invalidates all.

Entries are ``.npz`` data sealed with their SHA-256 (lab/runner/sealed.py) and read with
``allow_pickle=False``: a corrupt, truncated, edited or foreign entry fails the checksum, fails to
load or fails validation, and is then deleted and recomputed, never trusted. Writes go to a unique
temporary file first and are renamed into place, so concurrent builds are safe.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import io
import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lab.runner.machine import signature
from lab.runner.sealed import read_sealed, write_sealed

FORMAT = 2
_SCALARS = {"float": float, "int": int, "bool": bool, "str": str}


_LAB_ROOT = Path(__file__).resolve().parent.parent


def _module_path(module: str) -> Path | None:
    """The file of a lab module (``lab.a.b`` -> ``lab/a/b.py``), found without importing it."""
    base = _LAB_ROOT.joinpath(*module.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _lab_imports(path: Path) -> set[str]:
    """Names of the lab modules the file at ``path`` imports, in any form: ``import lab.x as y``,
    ``from lab import x``, ``from .x import f``, ``from . import x``, and ``importlib.import_module``
    or ``__import__`` with a literal name. An import whose name is computed could be any lab module,
    so it stands for all of them."""
    stat = path.stat()
    return set(_parsed_imports(path, stat.st_mtime_ns, stat.st_size))


def _package_of(path: Path) -> str:
    """The dotted package a lab file belongs to (``lab/figures/mse.py`` -> ``lab.figures``)."""
    parts = path.resolve().relative_to(_LAB_ROOT).parts
    return ".".join(["lab", *parts[:-1]])


def _absolute(name: str, level: int, package: str) -> str:
    """``name`` imported ``level`` dots up from ``package``, as an absolute module name."""
    if level == 0:
        return name
    base = package.split(".")
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, name] if name else base)


def _all_lab_modules() -> frozenset[str]:
    found = set()
    for file in _LAB_ROOT.rglob("*.py"):
        parts = file.relative_to(_LAB_ROOT).with_suffix("").parts
        found.add(".".join(["lab", *(parts[:-1] if parts[-1] == "__init__" else parts)]))
    return frozenset(found)


def _is_lab(name: str) -> bool:
    return name == "lab" or name.startswith("lab.")


@functools.lru_cache(maxsize=256)
def _parsed_imports(path: Path, mtime_ns: int, size: int) -> frozenset[str]:
    """Parse once per file version (mtime and size are part of the cache key)."""
    package = _package_of(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    loaders = {"import_module", "__import__"}  # names that import a module given as text, aliases included
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "importlib":
            loaders |= {a.asname or a.name for a in node.names if a.name == "import_module"}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if _is_lab(a.name)}
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module or "", node.level, package)
            if _is_lab(module):
                found.add(module)
                # `from lab import mse` imports a module; `from lab.x import f` imports a name.
                found |= {f"{module}.{a.name}" for a in node.names if _module_path(f"{module}.{a.name}") is not None}
        elif isinstance(node, ast.Call) and _call_name(node.func) in loaders:
            arguments = {**dict(enumerate(node.args)), **{k.arg: k.value for k in node.keywords if k.arg}}
            first, anchor = arguments.get(0, arguments.get("name")), arguments.get(1, arguments.get("package"))
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                return _all_lab_modules()  # a computed module name: it could be any of them
            base = anchor.value if isinstance(anchor, ast.Constant) and isinstance(anchor.value, str) else package
            name = first.value.lstrip(".")
            module = _absolute(name, len(first.value) - len(name), base)
            if _is_lab(module):
                found.add(module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _is_lab(node.value) \
                and _module_path(node.value) is not None:
            found.add(node.value)  # a lab module named as text, however it is then imported
    return frozenset(found)


def _call_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def lab_data_files(root: Path) -> list[Path]:
    """Every file under the lab folder ``root`` that is not Python source, a compiled file or prose: the
    data lab code may read (a CSV of inputs, a text of settings)."""
    return sorted(path for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts
                  and path.suffix not in (".py", ".pyc", ".md"))


def source_key(run: Callable[[], Any]) -> str:
    """Hash of everything that decides what ``run()`` returns: its module, every lab module that one
    imports, and every data file in the lab (which files a run reads is not known beforehand)."""
    parts = f"{FORMAT}|{np.__version__}|{signature()}|{run.__module__}.{run.__qualname__}"
    digest = hashlib.sha256(parts.encode())
    for path in lab_data_files(_LAB_ROOT):
        digest.update(path.relative_to(_LAB_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    seen: set[str] = set()
    todo = [run.__module__]
    while todo:
        module = todo.pop()
        path = _module_path(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        digest.update(module.encode() + b"\0" + path.read_bytes())
        todo.extend(sorted(_lab_imports(path)))
    return digest.hexdigest()


def _encode(value: Any) -> tuple[np.ndarray, str] | None:
    """An array and a kind tag for a field value, or None when it cannot be stored safely."""
    if isinstance(value, np.ndarray):
        return (value, "array") if value.dtype.kind in "biufcU" else None
    if isinstance(value, np.generic):
        return (np.asarray(value), "numpy") if value.dtype.kind in "biufc" else None
    for kind, python_type in _SCALARS.items():
        if type(value) is python_type:  # exact type: a bool is not stored as an int
            return np.asarray(value), kind
    return None


def unstorable(result: Any) -> str:
    """Why ``result`` cannot be kept in the cache (a field that is not an array, a number or text), or ''."""
    if not dataclasses.is_dataclass(result):
        return f"it returned a {type(result).__name__}, not its result dataclass"
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if _encode(value) is None:
            return f"its field '{field.name}' is a {type(value).__name__}, not an array, a number or text"
    return ""


def _decode(array: np.ndarray, kind: str) -> Any:
    if kind == "array":
        return array
    if kind == "numpy":
        return array[()]
    return _SCALARS[kind](array.item())


def load(path: Path, key: str, result_type: type) -> Any | None:
    """The cached result at ``path`` if it is intact and valid for ``key``, else None (a damaged
    entry is deleted: lab/runner/sealed.py)."""
    payload = read_sealed(path)
    if payload is None:
        return None
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as data:
            meta = json.loads(str(data["__meta__"]))
            names = [f.name for f in dataclasses.fields(result_type)]
            if meta.get("key") != key or sorted(meta.get("fields", {})) != sorted(names):
                return None
            return result_type(**{n: _decode(data[n], meta["fields"][n]) for n in names})
    except Exception:  # BadZipFile, EOFError, KeyError, ValueError...: any unreadable entry is a miss
        return None


def store(path: Path, key: str, result: Any) -> bool:
    """Write ``result`` atomically; return False (and write nothing) if a field cannot be stored."""
    arrays, kinds = {}, {}
    for field in dataclasses.fields(result):
        encoded = _encode(getattr(result, field.name))
        if encoded is None:
            return False
        arrays[field.name], kinds[field.name] = encoded
    arrays["__meta__"] = np.asarray(json.dumps({"key": key, "fields": kinds}))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return write_sealed(path, buffer.getvalue())


def result_type(run: Callable[[], Any]) -> type | None:
    """The dataclass ``run`` is annotated to return, to rebuild a stored result with (None: none)."""
    try:
        kind = typing.get_type_hints(run)["return"]
    except Exception:
        return None  # no usable return annotation: nothing to rebuild a result with
    return kind if dataclasses.is_dataclass(kind) else None


def _entry(name: str, run: Callable[[], Any], cache_dir: Path) -> tuple[Path, str, type | None]:
    """Where ``run``'s entry lives, its key, and the dataclass to rebuild it with (None: not cacheable)."""
    key = source_key(run)
    return cache_dir / f"{name}-{key[:20]}.npz", key, result_type(run)


def cached(name: str, run: Callable[[], Any], cache_dir: Path) -> Any | None:
    """The cached result of ``run()`` if the sources it depends on are unchanged, else None."""
    path, key, kind = _entry(name, run, cache_dir)
    return load(path, key, kind) if kind is not None else None


def cached_run(name: str, run: Callable[[], Any], cache_dir: Path,
               guard: Callable[[str], Any] | None = None) -> Any:
    """``run()``, or its cached result when the sources it depends on are unchanged. ``guard`` (for
    example lab.runner.guard.no_writes) wraps the run itself, not the cache's own reads and writes."""
    path, key, kind = _entry(name, run, cache_dir)
    hit = load(path, key, kind) if kind is not None else None
    if hit is not None:
        return hit
    if guard is None:
        result = run()
    else:
        with guard(f"experiment '{name}'"):
            result = run()
    if kind is not None and type(result) is kind and store(path, key, result):
        for stale in cache_dir.glob(f"{name}-*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)
    return result
