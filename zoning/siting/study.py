"""The land a siting run searches: one province's build, or several provinces' builds as one study area.

One province is searched in its own VN-2000 / TM-3 CRS, as built. Several provinces are searched
in one **equal-area** CRS: a Lambert azimuthal equal-area projection on the VN-2000 datum
(EPSG:4756, the datum of every TM-3 build, so no datum shift is applied) centred on the provinces'
land. Areas in it are the ellipsoid's own; lengths within 200 km of its centre are true to
about 1 in 20,000, so the safety buffers keep their distance across the border. Each candidate's
area in each province is then measured in that province's own TM-3 CRS, as the province's build
measures its zones, and a candidate's ``area_ha`` is the sum of those areas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj.crs import GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion

from zoning.builder.model import Build, as_build
from zoning.errors import both
from zoning.inputs.crs import describe, made_valid, reproject

VN2000 = 4756
CLOSE_M = 0.01  # hairline gaps where two provinces' borders meet after the change of CRS are closed by this much
MIN_PIECE_M2 = 1.0  # a candidate's piece in a province below this is numerical noise


def study_crs(outline_lonlat: shapely.Geometry) -> pyproj.CRS:
    """The Lambert azimuthal equal-area CRS on the VN-2000 datum centred (to 0.01°) on ``outline_lonlat`` (VN-2000 degrees)."""
    xmin, ymin, xmax, ymax = shapely.bounds(outline_lonlat)
    lon, lat = round((xmin + xmax) / 2, 2), round((ymin + ymax) / 2, 2)
    conversion = LambertAzimuthalEqualAreaConversion(latitude_natural_origin=lat, longitude_natural_origin=lon)
    return ProjectedCRS(conversion=conversion, name=f"VN-2000 / LAEA {lat:.2f}N {lon:.2f}E", geodetic_crs=GeographicCRS.from_epsg(VN2000))


@dataclass
class Study:
    """The builds searched together (province slug → build) and the CRS of the search.

    With one build in its own CRS, every layer is the build's own, unchanged.
    """

    builds: Mapping[str, Build]
    crs: pyproj.CRS
    names: Mapping[str, str] = field(default_factory=dict)  # slug → the province's Vietnamese name
    path: Path | None = None  # the national output folder of a regional study

    @property
    def regional(self) -> bool:
        """Whether the layers are those of several builds (or of one build in another CRS)."""
        return len(self.builds) > 1 or next(iter(self.builds.values())).crs != self.crs

    @property
    def single(self) -> Build:
        """The first (or only) build."""
        return next(iter(self.builds.values()))

    def _joined(self, frames: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
        """The frames of the builds in the study CRS, with their province."""
        parts = []
        for slug, frame in frames.items():
            geometry = made_valid(reproject(frame.geometry.to_numpy(), pyproj.CRS(frame.crs), self.crs))
            parts.append(gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name).assign(province=slug), geometry=geometry, crs=self.crs))
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=self.crs)

    def zone_land(self, zone: str) -> shapely.Geometry | None:
        """A zone's land in every province (None where no province has it)."""
        if not self.regional:
            rows = self.single.zones[self.single.zones["zone"] == zone]
            return rows.geometry.iloc[0] if len(rows) else None
        parts = [made_valid(reproject(b.zones.geometry.to_numpy()[(b.zones["zone"] == zone).to_numpy()], b.crs, self.crs)) for b in self.builds.values()]
        found = np.concatenate(parts)
        return shapely.union_all(found) if len(found) else None

    @cached_property
    def units(self) -> gpd.GeoDataFrame:
        """The units of every build."""
        return self.single.units if not self.regional else self._joined({slug: b.units for slug, b in self.builds.items()})

    @cached_property
    def communes(self) -> gpd.GeoDataFrame:
        """The communes of every build."""
        return self.single.communes if not self.regional else self._joined({slug: b.communes for slug, b in self.builds.items()})

    @cached_property
    def land(self) -> shapely.Geometry:
        """The study area: the union of the zones (of every province, hairline gaps between them closed)."""
        if not self.regional:
            return self.single.land
        land = shapely.union_all(list(self.provinces_land.values()))
        return shapely.buffer(shapely.buffer(land, CLOSE_M, join_style="mitre"), -CLOSE_M, join_style="mitre")

    @cached_property
    def provinces_land(self) -> dict[str, shapely.Geometry]:
        """Each province's land (:attr:`Build.land`, made in its own CRS) in the study CRS."""
        return {slug: made_valid(reproject(np.array([b.land]), b.crs, self.crs))[0] for slug, b in self.builds.items()}

    def input_layer(self, kind: str) -> gpd.GeoDataFrame | None:
        """An input layer of every build that has it, in the study CRS; a feature given to two provinces counts once."""
        if not self.regional:
            return self.single.input_layer(kind)
        given = {slug: layer for slug, b in self.builds.items() if (layer := b.input_layer(kind)) is not None}
        if not given:
            return None
        joined = self._joined(given)
        if "source_id" not in joined:
            return joined
        where = shapely.get_coordinates(shapely.point_on_surface(joined.geometry.to_numpy()))  # the same id, at the same place
        key = joined["source_id"].astype(str) + "@" + pd.Series(np.round(where[:, 0]).astype(int).astype(str)) + "," + \
            pd.Series(np.round(where[:, 1]).astype(int).astype(str))
        return joined[~key.duplicated().to_numpy()].reset_index(drop=True)

    def lacking(self, kind: str) -> list[str]:
        """The provinces whose build has no layer of ``kind``."""
        return [self.names.get(slug, slug) for slug, b in self.builds.items() if b.input_layer(kind) is None]

    def split(self, parts: np.ndarray) -> pd.DataFrame:
        """Each part's pieces in each province: ``part`` (index), ``province``, ``area_ha`` in the province's TM-3 CRS, ``geometry`` (study CRS)."""
        rows = []
        for slug, land in self.provinces_land.items():
            pieces = shapely.intersection(parts, land)
            crs = self.builds[slug].crs
            areas = shapely.area(reproject(pieces, self.crs, crs)) / 10_000
            for i in np.flatnonzero(areas * 10_000 > MIN_PIECE_M2):
                rows.append({"part": int(i), "province": slug, "area_ha": float(areas[i]), "geometry": pieces[i]})
        if not rows:
            return pd.DataFrame({"part": pd.Series(dtype="int64"), "province": pd.Series(dtype=object), "area_ha": pd.Series(dtype="float64"),
                                 "geometry": pd.Series(dtype=object)})
        return pd.DataFrame(rows)

    @property
    def build_ids(self) -> str | dict[str, str]:
        """The build's id, or each province's."""
        return self.single.build_id if not self.regional else {slug: b.build_id for slug, b in self.builds.items()}

    @property
    def source(self) -> str:
        """The build file, or the national output folder."""
        return str(self.path if self.regional and self.path is not None else self.single.path)

    def proposed_ha(self) -> float:
        """The area of proposed designations (no legal boundary yet) in every build."""
        return float(sum((b.manifest.get("proposed") or {}).get("area_ha", 0.0) for b in self.builds.values()))

    def illustrative_notices(self) -> list[str]:
        """The builds' notices that their data are illustrative, each once."""
        return list(dict.fromkeys(n for b in self.builds.values() if (n := b.manifest.get("illustrative_notice"))))

    def describe(self) -> dict:
        """The provinces and the CRS of a regional search (for ``siting_info``)."""
        return {
            "provinces": [{"slug": slug, "name": self.names.get(slug, slug), "area_crs": describe(b.crs)} for slug, b in self.builds.items()],
            "search_crs": self.crs.name,
            "search_crs_wkt": self.crs.to_wkt(),
            "crs_note": both(
                "Tìm trên một vùng nghiên cứu chung, trong hệ tọa độ đồng diện tích Lambert phương vị trên mốc VN-2000 đặt tâm giữa các tỉnh "
                "(diện tích đúng, khoảng cách sai không quá khoảng 1/20.000); diện tích (area_ha) của một khu ứng viên là tổng diện tích "
                "của nó trong từng tỉnh, mỗi phần đo trong hệ VN-2000 / TM-3 của tỉnh; area_equal_area_ha là diện tích trong hệ tìm kiếm",
                "Searched as one study area in a Lambert azimuthal equal-area CRS on the VN-2000 datum centred on the provinces "
                "(areas true, distances true to about 1:20,000); a candidate's area_ha is the sum of its areas in each province, "
                "each measured in the province's own VN-2000 / TM-3 CRS; area_equal_area_ha is its area in the search CRS",
            ),
        }

    def sources(self) -> tuple[Path, ...]:
        """Every file the builds were made from, and the builds."""
        return tuple(dict.fromkeys(p for b in self.builds.values() for p in b.sources()))


def as_study(build: str | Path | Build | Study) -> Study:
    """A study of one build in its own CRS (or the study itself)."""
    if isinstance(build, Study):
        return build
    read = as_build(build)
    return Study({"": read}, read.crs)


def province_columns(frame: pd.DataFrame, pieces: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The candidates' provinces (largest share first) and areas: ``area_ha`` becomes the sum of the province areas
    (each in its TM-3 CRS), the area in the study CRS is kept as ``area_equal_area_ha``.
    """
    ordered = pieces.sort_values(["part", "area_ha"], ascending=[True, False])
    grouped = ordered.groupby("part")
    index = range(len(frame))
    out = frame.assign(area_equal_area_ha=frame["area_ha"].round(4), area_ha=grouped["area_ha"].sum().reindex(index, fill_value=0.0).to_numpy())
    out["provinces"] = grouped["province"].agg(",".join).reindex(index, fill_value="").to_numpy()
    out["province_names"] = grouped["province"].agg(lambda s: ", ".join(study.names.get(x, x) for x in s)).reindex(index, fill_value="").to_numpy()
    out["province_areas"] = ordered.assign(text=[f"{study.names.get(p, p)} {a:.2f} ha" for p, a in zip(ordered["province"], ordered["area_ha"])]) \
        .groupby("part")["text"].agg("; ".join).reindex(index, fill_value="").to_numpy()
    out["_part"] = list(index)
    return out


def split_layer(ranked: gpd.GeoDataFrame, pieces: pd.DataFrame, study: Study) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The ranked candidates (without their part index) and the ``province_split`` layer: one row per candidate and province,
    by rank, with the piece's area in the province's TM-3 CRS and its share of the candidate.
    """
    ids = ranked[["_part", "candidate_id", "rank", "area_ha"]].rename(columns={"_part": "part", "area_ha": "candidate_area_ha"})
    rows = pieces.merge(ids, on="part").sort_values(["rank", "area_ha"], ascending=[True, False])
    split = gpd.GeoDataFrame(
        {
            "candidate_id": rows["candidate_id"].to_numpy(),
            "rank": rows["rank"].to_numpy(),
            "province": rows["province"].to_numpy(),
            "province_name": [study.names.get(p, p) for p in rows["province"]],
            "area_ha": rows["area_ha"].round(4).to_numpy(),
            "share_pct": (100 * rows["area_ha"] / rows["candidate_area_ha"]).round(2).to_numpy(),
            "crs_of_area": [describe(study.builds[p].crs) for p in rows["province"]],
        },
        geometry=list(rows["geometry"]),
        crs=study.crs,
    )
    return ranked.drop(columns="_part"), split
