"""Candidate areas of a siting run as a file: the GeoPackage ``zoning siting`` writes, and
its reader (for maps).

Layers: ``candidates`` (rank, score, area, communes, distances), ``exclusions`` (the land
left out, one row per reason), ``study_area`` and ``siting_info`` (the basis, as JSON); for
several provinces, ``province_split`` (each candidate's piece and area in each province).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from zoning.errors import InputError
from zoning.files import atomic_path, check_output, write_layers
from zoning.inputs.layers import read_vector
from zoning.siting.search import SitingResult


@dataclass
class SitingLayers:
    """What a ``zoning siting`` GeoPackage holds for a map."""

    candidates: gpd.GeoDataFrame
    exclusions: gpd.GeoDataFrame | None
    info: dict


CANDIDATE_COLUMNS = ("rank", "area_ha")
CANDIDATE_SUFFIXES = (".gpkg",)


def read_candidates(path: str | Path) -> SitingLayers:
    """The candidate areas, exclusions and basis written by ``zoning siting``.

    Reads the ``candidates`` layer (``rank``, ``area_ha``, ``score``, ``commune_names``,
    ``dist_*_m``, ``nearest_*``, ``safety_*_m``), the ``exclusions`` layer (``reason_*``,
    ``status``, ``area_ha``) and the ``siting_info`` table (JSON values), when present.

    Raises
    ------
    InputError
        If the file has no ``candidates`` layer, no CRS or no ``rank``/``area_ha``.
    """
    path = Path(path)
    listed = _list_layers(path)
    names = [str(name) for name, _ in listed]
    if "candidates" not in names:
        raise InputError(
            (f"{path}: không có lớp 'candidates' — đây có phải kết quả của `zoning siting`?", f"{path}: no 'candidates' layer "
                "— is this the output of `zoning siting`?"),
            (f"chỉ ra tệp GeoPackage do `zoning siting --out` ghi ra; các lớp có trong tệp: {', '.join(names) or 'không có'}",
             f"give the GeoPackage that `zoning siting --out` wrote; layers found: {', '.join(names) or 'none'}"),
        )
    frame = read_vector(path, "candidates")
    missing = [c for c in CANDIDATE_COLUMNS if c not in frame]
    if frame.crs is None or missing:
        what_vi, what_en = (
            ("không có hệ tọa độ", "no coordinate reference system")
            if frame.crs is None
            else (f"thiếu cột {', '.join(missing)}", f"no column(s) {', '.join(missing)}")
        )
        raise InputError(
            (f"{path}: các khu vực ứng viên {what_vi}", f"{path}: the candidates have {what_en}"),
            ("ghi lại các khu vực ứng viên bằng `zoning siting --out`", "write the candidates again with `zoning siting --out`"),
        )
    frame = frame[~frame.geometry.is_empty & frame.geometry.notna()].sort_values("rank", kind="stable").reset_index(drop=True)
    exclusions = read_vector(path, "exclusions") if "exclusions" in names else None
    info: dict = {}
    if "siting_info" in names:
        table = pyogrio.read_dataframe(path, layer="siting_info", read_geometry=False)
        for key, value in zip(table["key"], table["value"]):
            try:
                info[str(key)] = json.loads(value)
            except (TypeError, ValueError):
                info[str(key)] = value
    return SitingLayers(frame, exclusions, info)


def _list_layers(path: Path) -> list:
    try:
        return list(pyogrio.list_layers(path))
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same error for the user
        raise InputError(
            (f"{path}: không đọc được tệp khu vực ứng viên ({error})", f"{path}: cannot read the candidates file ({error})"),
            ("chỉ ra tệp GeoPackage do `zoning siting --out` ghi ra", "give the GeoPackage that `zoning siting --out` wrote"),
        ) from error


def write_candidates(result: SitingResult, out: str | Path) -> Path:
    """Write the candidates, exclusions, study area and basis of a siting to one GeoPackage, atomically.

    Parameters
    ----------
    result
        What :func:`zoning.find_sites` found.
    out
        The GeoPackage to write.

    Returns
    -------
    Path
        ``out``.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.find_sites("build.gpkg", "sanitary_landfill", user_distances={"sanitary_landfill": 1000})  # doctest: +SKIP
    >>> zoning.write_candidates(result, "candidates.gpkg")  # doctest: +SKIP
    PosixPath('candidates.gpkg')
    """
    out = check_output(out, result.sources, suffixes=CANDIDATE_SUFFIXES)
    info = result.info
    table = pd.DataFrame({"key": list(info), "value": [json.dumps(v, ensure_ascii=False) for v in info.values()]})
    with atomic_path(out, result.sources) as tmp:
        layers = {"candidates": result.candidates, "exclusions": result.exclusions, "study_area": result.study_area, "siting_info": table}
        if result.split is not None:
            layers["province_split"] = result.split
        write_layers(tmp, layers)
    return out
