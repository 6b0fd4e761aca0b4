"""Engine settings: how the work is spread over the CPU cores and cut into tiles.

They change speed, never results. Change them for a process with attribute assignment
(``zoning.settings.settings.workers = 1``) or, before the first import, with the
environment variables ``ZONING_WORKERS``, ``ZONING_TILE_M`` and ``ZONING_MALLOC_ARENAS``.

Examples
--------
>>> from zoning.settings import settings
>>> settings.workers >= 1
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Settings:
    """The engine's tunable settings (see the module notes)."""

    workers: int = field(default_factory=lambda: int(os.environ.get("ZONING_WORKERS", 0)) or _cores())
    """Threads for vectorised geometry work (GEOS releases Python's lock)."""
    tile_m: float = field(default_factory=lambda: float(os.environ.get("ZONING_TILE_M", 5_000.0)))
    """Side of the tiles in which the zones are dissolved, in metres."""
    threaded_min: int = 2_000
    """Shorter vectorised calls run on one thread: splitting them costs more than it saves."""
    chunks_per_worker: int = 4
    """Smaller chunks even out the load between threads."""
    malloc_arenas: int = field(default_factory=lambda: int(os.environ.get("ZONING_MALLOC_ARENAS", 1)))
    """glibc malloc arenas shared by the build's threads: fewer keep the peak memory down (0: as glibc chooses)."""


settings = Settings()
