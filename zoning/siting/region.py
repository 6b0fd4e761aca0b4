"""Regional siting: candidate land for a facility serving several provinces (a regional waste-treatment
site, *khu xử lý chất thải tập trung cấp vùng*), searched in the provinces' builds of a national
output folder (``zoning national build``) as one study area.

A candidate may straddle a border, and the safety distance around a home or a water source in
one province leaves out land in the next. The search CRS and the areas are those of
:mod:`zoning.siting.study`; each candidate's pieces in each province are the ``province_split``
layer of the result.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyproj
import shapely

from zoning.builder.model import read_build
from zoning.errors import BuildError, InputError
from zoning.inputs.crs import reproject
from zoning.inputs.national_folder import REBUILD_HINT, built_provinces
from zoning.inputs.reference import Province, find_province, refuse_all_with_names
from zoning.siting.search import SitingResult, find_sites
from zoning.siting.study import VN2000, Study, study_crs


def regional_study(folder: str | Path, provinces: list[str]) -> Study:
    """The builds of ``provinces`` (slugs, Vietnamese names or codes) in ``folder``, as one study area in its equal-area CRS."""
    folder = Path(folder)
    if not (folder / "provinces").is_dir():
        raise InputError((f"{folder}: không phải thư mục kết quả phân vùng cả nước (không có thư mục provinces/)",
                          f"{folder} is not a national output folder (no provinces/ folder)"),
                         ("chỉ ra thư mục --out của `zoning national build`", "give the --out folder of `zoning national build`"))
    built = built_provinces(folder)
    listed = ", ".join(f"{p.slug} ({p.name})" for p in built) or "không có / none"
    hint = (f"các tỉnh đã xây dựng trong {folder}: {listed}", f"provinces built in {folder}: {listed}")
    names = list(dict.fromkeys(n.strip() for n in provinces if n and n.strip()))
    if not names:
        raise InputError(("--provinces: chưa cho tỉnh nào", "--provinces: no province given"), hint)
    refuse_all_with_names(names)
    if names[0].lower() == "all":
        names = [p.slug for p in built]
    chosen: dict[str, Province] = {}
    for name in names:
        try:
            province = find_province(name, "--provinces")
        except InputError as error:  # the province's own message (unknown, or merged into another), the provinces built as the hint
            raise InputError((error.message_vi, error.message_en), hint) from None
        chosen[province.slug] = province
    missing = [p for p in chosen.values() if p.code not in {b.code for b in built}]
    if missing:
        named = ", ".join(f"{p.slug} ({p.name})" for p in missing)
        raise InputError((f"--provinces: chưa có bản phân vùng của {named} trong {folder}", f"--provinces: {named} not built in {folder}"),
                         (f"{hint[0]}; xây dựng thêm tỉnh bằng `zoning national build --provinces`",
                          f"{hint[1]}; build more with `zoning national build --provinces`"))
    ordered = sorted(chosen.values(), key=lambda p: p.code)
    try:
        builds = {p.slug: read_build(folder / "provinces" / f"{p.slug}.gpkg") for p in ordered}
    except BuildError as error:  # a damaged province build: the national build mends it
        raise BuildError((error.message_vi, error.message_en), REBUILD_HINT) from None
    lonlat = pyproj.CRS.from_epsg(VN2000)
    outline = shapely.union_all([reproject(shapely.box(*b.zones.total_bounds), b.crs, lonlat) for b in builds.values()])
    return Study(builds, study_crs(outline), names={p.slug: p.name for p in ordered}, path=folder)


def find_regional_sites(folder: str | Path, provinces: list[str], facility: str, **options) -> SitingResult:
    """Find candidate areas for a facility in several provinces of a national output folder, searched as one.

    Parameters
    ----------
    folder
        The output folder of ``zoning national build`` (its ``provinces/<slug>.gpkg``).
    provinces
        Slugs, Vietnamese names or 2-digit codes of provinces built there.
    facility, options
        As for :func:`zoning.find_sites` (``communes`` are 2025 codes of any of the provinces).

    Returns
    -------
    SitingResult
        ``candidates`` with ``provinces``, ``province_areas`` and ``area_ha`` (the sum of the areas in each province, each
        in its TM-3 CRS), and ``split``: one row per candidate and province.

    Raises
    ------
    InputError
        An unknown province, or one not built in ``folder`` (naming those built).

    Examples
    --------
    >>> import zoning.siting.region as region
    >>> result = region.find_regional_sites("national-out", ["bac-ninh", "ha-noi"], "sanitary_landfill",  # doctest: +SKIP
    ...                                     user_distances={"sanitary_landfill": 1000})
    """
    return find_sites(regional_study(folder, provinces), facility, **options)


def province_summary(result: SitingResult) -> pd.DataFrame:
    """Per province of the study: the candidates touching it, those across its border, their area in it (ha, its TM-3
    CRS); a last row for the region.
    """
    split = result.split if result.split is not None else pd.DataFrame(columns=["province", "candidate_id", "area_ha"])
    rows = []
    for province in result.info.get("provinces", []):
        mine = split[split["province"] == province["slug"]]
        across = mine["candidate_id"].isin(split.loc[split["province"] != province["slug"], "candidate_id"])
        rows.append({"province": province["slug"], "province_name": province["name"], "candidates": int(mine["candidate_id"].nunique()),
                     "across_border": int(mine.loc[across, "candidate_id"].nunique()), "area_ha": float(mine["area_ha"].sum())})
    candidates = result.candidates
    rows.append({"province": "", "province_name": "Cả vùng / Region", "candidates": len(candidates),
                 "across_border": int(candidates["provinces"].str.contains(",").sum()) if len(candidates) else 0,
                 "area_ha": float(candidates["area_ha"].sum()) if len(candidates) else 0.0})
    return pd.DataFrame(rows)
