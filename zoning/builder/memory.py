"""Memory the build's steps free, given back for the next step (glibc only; elsewhere nothing).

GEOS allocates through ``malloc``. With glibc each thread may take a malloc arena of its
own, and memory freed in one arena is not reused by another thread nor returned to the
system: the peak grows with the threads and the steps. A build limits the arenas (see
``settings.malloc_arenas``) and trims the heap after each step. Neither changes a result.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import sys
from functools import cache
from pathlib import Path

from zoning.settings import settings

M_ARENA_MAX = -8  # glibc's mallopt parameter


@cache
def _libc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


@cache
def limit_arenas() -> None:
    """Cap the malloc arenas of the threads started from now on (once per process)."""
    libc = _libc()
    if libc is not None and settings.malloc_arenas > 0:
        libc.mallopt(M_ARENA_MAX, settings.malloc_arenas)


def release() -> None:
    """Return the freed heap memory to the system."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def peak_mb() -> float:
    """The peak resident memory of the running process in MB, since it started its program.

    On Linux, the high-water mark of its own memory (``VmHWM``): ``ru_maxrss`` also counts the
    memory of the process it was forked from, before it started its program (a Dask worker
    spawned by a parent holding 4 GB reported 4 GB). Elsewhere, ``ru_maxrss``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, kB elsewhere
