"""Writing files safely: every output goes to a temporary file beside it and is moved into
place only when complete, so a failure never leaves a half-written file and never
damages the file that was there before.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"  # GeoPackage timestamps: same inputs → same file


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, moved into place only if the block succeeds.

    Examples
    --------
    >>> with atomic_path(Path("out.txt")) as tmp:  # doctest: +SKIP
    ...     tmp.write_text("done")
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> Path:
    """Write a UTF-8 text file atomically; return its path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_layers(path: Path, layers: Mapping[str, pd.DataFrame]) -> None:
    """Write frames (spatial or not) as the layers of one new GeoPackage.

    Not atomic by itself: write to the path given by :func:`atomic_path`.
    """
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists(), promote_to_multi=True)
            else:
                pyogrio.write_dataframe(pd.DataFrame(frame).reset_index(drop=True), path, layer=name, driver="GPKG", append=path.exists())
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def layer_names(path: Path) -> list[str]:
    """The layer names of a GeoPackage (or any file GDAL reads); an unreadable file raises."""
    return [str(name) for name, _ in pyogrio.list_layers(path)]
