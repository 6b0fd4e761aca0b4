"""Locate the data folders (`rules/`, `layers/`, `maps/`) shipped with the package.

In a wheel they live inside the package; in a source checkout beside it.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource(*parts: str) -> Path:
    """Return the path of a shipped data file, e.g. ``resource("rules", "nd08.yaml")``."""
    for root in (_PACKAGE, _PACKAGE.parent):
        path = root.joinpath(*parts)
        if path.exists():
            return path
    raise FileNotFoundError(f"shipped data file not found: {'/'.join(parts)}")
