"""What decides the last bits of the lab's arithmetic on this machine, read without importing NumPy.

OpenBLAS picks its kernels from the CPU's features (or from ``OPENBLAS_CORETYPE``), NumPy picks
its SIMD loops from them too (``NPY_DISABLE_CPU_FEATURES`` turns some off), and a chaotic
quantity amplifies the last-bit differences between kernels. The lab's result cache and the stamp
of its written files include this signature, so results computed on one kind of machine are never
reused on another (a restored CI cache, a shared ``.cache``): there they are simply computed again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
from pathlib import Path

ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
               "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")
"""Variables that change which kernels run, or how a product is split between threads."""


@functools.cache
def _cpu_features(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The feature flags of the first CPU (Linux; ``Features`` on Arm), sorted; else the processor name."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() in ("flags", "Features"):
                return " ".join(sorted(value.split()))
    except OSError:
        pass
    return platform.processor()


def signature(environ: dict[str, str] | None = None) -> str:
    """A short hash of the CPU architecture and features, the core count and the kernel settings."""
    environ = os.environ if environ is None else environ
    parts = [platform.machine(), _cpu_features(), str(os.cpu_count())]
    parts += [f"{name}={environ.get(name, '')}" for name in ENVIRONMENT]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
