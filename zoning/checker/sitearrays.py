"""The sites of a check as arrays: geometry, dimension, measure, ids and project-type flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from zoning.errors import InputError
from zoning.inputs.sites import Sites
from zoning.law.project_types import CheckRules

M2_PER_HA = 10_000.0


@dataclass(frozen=True)
class SiteArrays:
    """One entry per site, in site order; what every stage of the check reads.

    ``dim`` is 0 for points, 1 for lines, 2 for polygons; ``measure`` the area (m²) of a
    polygon, the length (m) of a line, 0 for a point. ``types`` holds the row of
    :meth:`CheckRules.type_table` of each site's project type. ``excluded`` sites fall
    under an Appendix II exclusion of their type: they are not ``listed``.
    """

    sites: Sites
    frame: pd.DataFrame
    geometry: np.ndarray
    ids: np.ndarray
    dim: np.ndarray
    measure: np.ndarray
    tree: STRtree
    types: pd.DataFrame
    has_type: np.ndarray
    facility: np.ndarray
    listed: np.ndarray
    excluded: np.ndarray
    discharges: np.ndarray
    in_watercourse: np.ndarray
    upstream: np.ndarray

    @property
    def n(self) -> int:
        """The number of sites."""
        return len(self.geometry)

    def hectares(self, measure: np.ndarray, site: np.ndarray | None = None) -> np.ndarray:
        """``measure`` (m²) in hectares for polygon sites, 0 for the others (rounded to 4 decimals)."""
        dim = self.dim if site is None else self.dim[site]
        return np.round(np.where(dim == 2, measure / M2_PER_HA, 0.0), 4)

    def metres(self, measure: np.ndarray, site: np.ndarray | None = None) -> np.ndarray:
        """``measure`` (m) for line sites, 0 for the others (rounded to 2 decimals)."""
        dim = self.dim if site is None else self.dim[site]
        return np.round(np.where(dim == 1, measure, 0.0), 2)

    def applies(self, applies_to: str | Sequence[str]) -> np.ndarray:
        """Which sites a rule's ``applies_to`` selects (``all``, ``facility``, a project type, …)."""
        values = (applies_to,) if isinstance(applies_to, str) else tuple(applies_to)
        flags = {"pollution_risk": self.listed, "facility": pd.notna(self.facility), "discharges_wastewater": self.discharges,
                 "in_watercourse": self.in_watercourse}
        mask = np.zeros(self.n, bool)
        for value in values:
            if value == "all":
                mask |= True
            elif value in flags:
                mask |= flags[value]
            else:
                mask |= (self.frame["type"] == value).to_numpy()
        return mask


def site_arrays(sites: Sites, crs, rules: CheckRules, upstream: bool) -> SiteArrays:
    """The arrays of ``sites`` (which must be in ``crs``, the CRS of the build).

    ``upstream`` is the default of sites without an ``upstream`` attribute.
    """
    if sites.frame.crs is not None and crs != sites.frame.crs:
        raise InputError(("các địa điểm không ở hệ tọa độ của bản phân vùng", "the sites are not in the CRS of the build"),
                         ("đọc lại bằng zoning.read_sites(…, target_crs=build.crs)", "read them with zoning.sites.read_sites(…, target_crs=build.crs)"))
    frame = sites.frame.reset_index(drop=True)
    geometry = frame.geometry.to_numpy()
    type_id = shapely.get_type_id(geometry)
    dim = np.select([np.isin(type_id, (0, 4)), np.isin(type_id, (1, 2, 5))], [0, 1], 2)
    info = frame[["type"]].merge(rules.type_table(), on="type", how="left")
    excluded = _excluded(frame, rules)
    info.loc[excluded, "pollution_risk"] = "excluded"
    return SiteArrays(
        sites=sites, frame=frame, geometry=geometry, ids=frame["site_id"].astype(str).to_numpy(object), dim=dim,
        measure=np.where(dim == 2, shapely.area(geometry), np.where(dim == 1, shapely.length(geometry), 0.0)),
        tree=STRtree(geometry), types=info, has_type=frame["type"].notna().to_numpy(),
        facility=info["facility"].where(info["facility"].notna(), None).to_numpy(object),
        listed=(info["pollution_risk"] == "listed").to_numpy(),
        excluded=excluded,
        discharges=info["discharges_wastewater"].fillna(False).astype(bool).to_numpy(),
        in_watercourse=info["in_watercourse"].fillna(False).astype(bool).to_numpy(),
        upstream=frame["upstream"].fillna(False).astype(bool).to_numpy() | upstream,
    )


def _excluded(frame: pd.DataFrame, rules: CheckRules) -> np.ndarray:
    """Which sites fall under an Appendix II exclusion of their type.

    Raises
    ------
    InputError
        When a site's ``exclusion`` is not an exclusion of its project type.
    """
    given = frame["exclusion"].notna().to_numpy() & (frame["exclusion"].astype(str).str.strip() != "").to_numpy()
    wrong = [(site, kind, code) for site, kind, code in zip(frame["site_id"][given], frame["type"][given], frame["exclusion"][given])
             if rules.exclusion(str(kind), str(code).strip()) is None]
    if wrong:
        site, kind, code = wrong[0]
        known = rules.types[kind].pollution_risk.excludes if kind in rules.types else []
        more = len(wrong) - 1
        codes = ", ".join(e.code for e in known)
        raise InputError(
            (f"địa điểm {site}: '{code}' không phải trường hợp loại trừ theo Phụ lục II Nghị định 08/2022/NĐ-CP của loại hình dự án '{kind}'"
             + (f" (và {more} địa điểm khác)" if more else ""),
             f"site {site}: '{code}' is not an ND08 Appendix II exclusion of project type '{kind}'" + (f" (and {more} more)" if more else "")),
            (f"các trường hợp loại trừ của '{kind}': {codes}", f"exclusions of '{kind}': {codes}") if known
            else (f"loại hình '{kind}' không có trường hợp loại trừ nào (xem `zoning types`)", f"type '{kind}' has no exclusion (see `zoning types`)"),
        )
    return given
