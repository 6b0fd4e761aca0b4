"""Site checks over a national output folder (``zoning national build --out DIR``).

Each site is sent to the province(s) it lies in, found with the provinces' own zones in the
national CRS (EPSG:4756), and checked by the ordinary checker against that province's build
in its own CRS. The answer has **one row per site and province**: the province's verdict
on the site, with the site's area in each of its zones (each province decides on its own
land), and beside it ``verdict_combined``, the most serious verdict of all the site's
provinces, and ``site_provinces``, their names. A site in more than one province gets the
row id ``<id>@<slug>`` (``input_site_id`` keeps the id given); the finding that part of it
lies outside the province names the other provinces and their rows. A site in no province
built is answered "Ngoài phạm vi các tỉnh đã lập / Outside the provinces built" (checked
against the nearest province, whose check says where it lies by the reference boundaries).

    import zoning

    result = zoning.check("sites.gpkg", "national-out")   # a national folder instead of a build
    result.sites[["site_id", "province_name", "verdict", "verdict_combined"]]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning import terms
from zoning.builder.model import Build, read_build
from zoning.checker import BuildIndex, CheckResult, check, index_build
from zoning.checker.result import TABLES, VERDICT_ORDER
from zoning.errors import BuildError, InputError
from zoning.files import input_paths
from zoning.inputs.crs import made_valid, reproject
from zoning.inputs.national_folder import REBUILD_HINT, SUFFIX
from zoning.inputs.reference import find_province
from zoning.inputs.sites import CSV_SUFFIXES, EXCEL_SUFFIXES, Sites, read_sites
from zoning.law.project_types import CheckRules, load_check_rules
from zoning.national.mosaic import NATIONAL_CRS

OUTSIDE = "outside_provinces_built"
PROVINCE_COLUMNS = ["province", "province_name"]


ON_BORDER_DEG = 1e-9  # about 0.1 mm: a site this close to a province's land is on its border, not outside it


@dataclass
class ProvinceBuild:
    """One province of a national folder: its build and its outline in the national CRS."""

    slug: str
    name_vi: str
    build: Build
    outline: shapely.Geometry
    indexes: dict[Any, BuildIndex] = field(default_factory=dict, repr=False)

    @staticmethod
    def index_key(rules: CheckRules, tolerance=None) -> tuple[str, str]:
        """What a check index depends on besides the build."""
        return rules.id, json.dumps(tolerance, sort_keys=True)

    def index(self, rules: CheckRules, tolerance=None) -> BuildIndex:
        """The build's check index, made once per rules and tolerance."""
        key = self.index_key(rules, tolerance)
        if key not in self.indexes:
            self.indexes[key] = index_build(self.build, rules, tolerance)
        return self.indexes[key]


@dataclass
class NationalZoning:
    """The provinces built in a national folder, in code order."""

    root: Path
    provinces: dict[str, ProvinceBuild]

    def sources(self) -> tuple[Path, ...]:
        """The files the provinces' builds were made from and read from."""
        return tuple(p for province in self.provinces.values() for p in province.build.sources())

    def locate(self, geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (site, province position) of the sites (national CRS) and the provinces they meet
        (a point on a shared border, to floating-point rounding, meets both).
        """
        tree = shapely.STRtree([p.outline for p in self.provinces.values()])
        site, province = tree.query(geometry, predicate="dwithin", distance=ON_BORDER_DEG)
        order = np.lexsort((province, site))
        return site[order], province[order]

    def nearest(self, geometry: np.ndarray) -> np.ndarray:
        """The position of the nearest province of each site."""
        if not len(geometry):
            return np.zeros(0, int)
        site, province = shapely.STRtree([p.outline for p in self.provinces.values()]).query_nearest(geometry, all_matches=False)
        nearest = np.zeros(len(geometry), int)
        nearest[site] = province
        return nearest


def open_national(path: str | Path, progress: Callable[[str], None] | None = None) -> NationalZoning:
    """Read every province build of a national folder (those with a manifest, i.e. finished).

    Raises
    ------
    InputError
        When the folder holds no province build, or a build without its manifest (or the reverse).
    BuildError
        When a province's build is damaged (naming it; running the national build again mends it).
    """
    step = progress or (lambda _: None)
    root = Path(path)
    provinces: dict[str, ProvinceBuild] = {}
    folder = root / "provinces"
    names = {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.is_dir() else set()  # .…part: a run's temporaries
    slugs = sorted({n[: -len(SUFFIX)] for n in names if n.endswith(SUFFIX)} | {n[: -len(".gpkg")] for n in names if n.endswith(".gpkg")})
    unfinished = [f"{s}.gpkg" if f"{s}.gpkg" not in names else f"{s}{SUFFIX}" for s in slugs if {f"{s}.gpkg", f"{s}{SUFFIX}"} - names]
    if unfinished:
        raise InputError((f"{folder}: thiếu {', '.join(unfinished)} (bản phân vùng tỉnh chưa xong, hoặc đã bị xóa)",
                          f"{folder}: {', '.join(unfinished)} missing (a province build not finished, or deleted)"), REBUILD_HINT)
    if not slugs:
        raise InputError((f"{root}: không có bản phân vùng tỉnh nào trong thư mục provinces/", f"{root}: no province build in its provinces/ folder"),
                         ("chạy `zoning national build --layers ROOT --out THƯ-MỤC` trước", "run `zoning national build --layers ROOT --out DIR` first"))
    found = [(find_province(slug, f"{folder}/"), folder / f"{slug}.gpkg") for slug in slugs]
    for province, build_path in sorted(found, key=lambda item: item[0].code):
        step(f"đọc / reading {province.slug}")
        try:
            build = read_build(build_path)
        except BuildError as error:
            raise BuildError((error.message_vi, error.message_en), REBUILD_HINT) from None
        # its communes' union; a site on its border to rounding: ON_BORDER_DEG here, ON_BORDER_M in the province's check
        outline = made_valid(reproject(np.array([build.land]), build.crs, CRS(NATIONAL_CRS)))[0]
        provinces[province.slug] = ProvinceBuild(province.slug, province.name, build, outline)
    return NationalZoning(root, provinces)


def check_national(
    sites,
    national: NationalZoning | str | Path,
    *,
    rules: CheckRules | None = None,
    tolerance: dict[str, float] | float | None = None,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> CheckResult:
    """Check sites against the provinces of a national folder (see the module's text).

    ``sites`` and ``options`` are those of :func:`zoning.check` (``layer``, ``crs``,
    ``point``, ``wkt``, ``type``, ``capacity``, ``distances``, …; x/y coordinates need ``crs``).
    """
    step = progress or (lambda _: None)
    national = national if isinstance(national, NationalZoning) else open_national(national, step)
    rules = rules or load_check_rules()
    reading = {k: options.pop(k) for k in ("layer", "crs", "point", "wkt", "sheet") if k in options}
    defaults = {k: options.pop(k) for k in ("type", "capacity", "exclusion") if k in options}
    step("reading the sites")
    read = _read(sites, rules, reading, defaults)
    geometry = read.frame.geometry.to_numpy()
    site, position = national.locate(geometry)
    outside = np.setdiff1d(np.arange(len(read)), site)
    slugs = list(national.provinces)
    routes = pd.DataFrame({"site": np.r_[site, outside], "province": np.r_[position, national.nearest(geometry[outside])],
                           "outside": np.r_[np.zeros(len(site), bool), np.ones(len(outside), bool)]})
    parts = []
    for p, rows in routes.groupby("province", sort=True):
        province = national.provinces[slugs[int(p)]]
        step(f"checking {province.slug}")
        frame = read.frame.iloc[rows["site"].to_numpy()].to_crs(province.build.crs).reset_index(drop=True)
        sub = replace(read, frame=frame, rejected=[], notes=[])
        result = check(sub, province.build, rules=rules, index=province.index(rules, tolerance), **options)
        parts.append((province, result, rows))
    if not parts:
        raise InputError(("không có địa điểm nào để kiểm tra", "there is no site to check"), ("cho ít nhất một địa điểm", "give at least one site"))
    result = _merged(read, national, parts)
    result.sources = input_paths([sites if isinstance(sites, (str, Path)) else None, *result.sources])
    return result


def _read(sites, rules: CheckRules, reading: dict, defaults: dict) -> Sites:
    """The sites in the national CRS, read once."""
    if isinstance(sites, Sites):
        return replace(sites, frame=sites.frame.to_crs(NATIONAL_CRS))
    if isinstance(sites, shapely.Geometry):
        sites = gpd.GeoDataFrame({"id": ["site"]}, geometry=[sites], crs=reading.pop("crs", None) or "EPSG:4326")
    try:
        return read_sites(sites, CRS(NATIONAL_CRS), **reading, default_type=defaults.get("type"), types=rules.type_names,
                          default_capacity=defaults.get("capacity"), default_exclusion=defaults.get("exclusion"))
    except InputError as error:
        table = isinstance(sites, (str, Path)) and Path(sites).suffix.lower() in CSV_SUFFIXES + EXCEL_SUFFIXES
        about_coordinates = "tọa độ" in error.message_vi or "coordinate" in error.message_en.lower()
        if not table or reading.get("crs") is not None or not about_coordinates:
            raise
        hint = ("với thư mục cả nước, tọa độ x/y (VN-2000) cần --crs, ví dụ tm3:<kinh tuyến trục của tỉnh> (xem `zoning provinces`)",
                "over a national folder, x/y (VN-2000) coordinates need --crs, e.g. tm3:<the province's meridian> (see `zoning provinces`)")
        given = (f"{error.hint_vi}; {hint[0]}", f"{error.hint_en}; {hint[1]}") if error.hint_en else hint
        raise InputError((error.message_vi, error.message_en), given) from None


def _merged(read: Sites, national: NationalZoning, parts: list[tuple[ProvinceBuild, CheckResult, pd.DataFrame]]) -> CheckResult:
    """One result: a row per site and province, in site order, in the national CRS."""
    counts = pd.concat([rows for _, _, rows in parts])["site"].value_counts()
    outside_name = terms.message_pair(OUTSIDE, "province")
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in ("sites", *TABLES)}
    for province, result, rows in parts:
        ids = result.sites["site_id"].astype(str).to_numpy()
        shared = counts.reindex(rows["site"].to_numpy()).to_numpy() > 1
        keys = dict(zip(ids, np.where(shared, np.char.add(ids.astype(str), f"@{province.slug}"), ids)))
        outside = dict(zip(ids, rows["outside"].to_numpy()))
        name = {i: f"{outside_name[0]} / {outside_name[1]}" if outside[i] else province.name_vi for i in ids}
        slug = {i: "" if outside[i] else province.slug for i in ids}
        sites = result.sites.to_crs(NATIONAL_CRS)
        sites.insert(1, "province_name", [name[i] for i in ids])
        sites.insert(2, "province", [slug[i] for i in ids])
        sites.insert(3, "input_site_id", ids)
        sites["site_id"] = [keys[i] for i in ids]
        sites["_order"] = rows["site"].to_numpy()
        tables["sites"].append(sites)
        for table in TABLES:
            frame = result.table(table).copy()
            given = frame["site_id"].astype(str)
            frame.insert(1, "province", given.map(slug).fillna(""))
            frame["site_id"] = given.map(keys)
            if table == "findings":
                frame = _outside_texts(frame, given.map(outside).fillna(False).to_numpy(bool))
            tables[table].append(frame)
    sites = gpd.GeoDataFrame(pd.concat(tables["sites"], ignore_index=True), crs=NATIONAL_CRS)
    sites = sites.sort_values(["_order", "province"], kind="stable").drop(columns="_order").reset_index(drop=True)
    _combine(sites)
    long = {name: pd.concat(frames, ignore_index=True) for name, frames in tables.items() if name != "sites"}
    long["findings"] = _other_provinces(long["findings"], sites)
    meta = _meta(read, national, [r for _, r, _ in parts], sites)
    sources = tuple(dict.fromkeys(p for _, r, _ in parts for p in r.sources))
    return CheckResult(sites, long["zones"], long["units"], long["communes"], long["findings"], long["sensitive"], long["safety"], meta, sources)


def _outside_texts(findings: pd.DataFrame, outside: np.ndarray) -> pd.DataFrame:
    """The finding of a site in no province built says so (its detail, where the site lies, is kept)."""
    mine = outside & (findings["finding"] == "outside_province").to_numpy()
    if mine.any():
        title = terms.message_pair(OUTSIDE, "title")
        findings.loc[mine, "title_vi"], findings.loc[mine, "title_en"] = title
    return findings


def _combine(sites: gpd.GeoDataFrame) -> None:
    """The names of each site's provinces and its most serious verdict over them, on each of its rows."""
    rank = pd.Series(sites["verdict"].map({v: i for i, v in enumerate(VERDICT_ORDER)}).to_numpy(int))
    key = sites["input_site_id"].to_numpy()
    sites["site_provinces"] = sites.groupby("input_site_id", sort=False)["province_name"].transform(lambda names: ", ".join(dict.fromkeys(names)))
    sites["verdict_combined"] = np.array(VERDICT_ORDER, dtype=object)[rank.groupby(key, sort=False).transform("min").to_numpy(int)]


def _other_provinces(findings: pd.DataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """For a site in more than one province, the finding that part of it lies outside a province names the others and their rows."""
    rows = sites[sites["site_id"] != sites["input_site_id"]]
    if rows.empty:
        return findings
    findings = findings.copy()
    for row in rows.itertuples():
        others = rows[(rows["input_site_id"] == row.input_site_id) & (rows["site_id"] != row.site_id) & (rows["province"] != "")]
        mine = (findings["site_id"] == row.site_id) & (findings["finding"] == "partly_outside_province")
        if not mine.any() or others.empty:
            continue
        code = "partly_in_other_provinces"
        values = {"provinces": ", ".join(others["province_name"]), "rows": ", ".join(others["site_id"])}
        for lang in terms.LANGUAGES:
            share = terms.quantity(row.outside_pct, "share_pct", lang)
            findings.loc[mine, f"title_{lang}"] = terms.message(code, f"title_{lang}")
            findings.loc[mine, f"detail_{lang}"] = terms.message(code, f"detail_{lang}", share=share, **values)
    return findings


def _meta(read: Sites, national: NationalZoning, results: list[CheckResult], sites: gpd.GeoDataFrame) -> dict:
    """The metadata of the first province's check, with the builds, rules, notices and counts of all of them."""
    meta = {k: v for k, v in results[0].meta.items() if k != "timings_s"}

    def joined(key: str) -> list:
        return list(dict.fromkeys(item for r in results for item in r.meta.get(key, [])))

    meta.update(
        build_id=", ".join(f"{slug}:{p.build.build_id}" for slug, p in national.provinces.items()),
        build_path=national.root.name,
        ruleset=", ".join(dict.fromkeys(r.meta["ruleset"] for r in results)),
        crs={"name": "VN-2000 (EPSG:4756)", "epsg": 4756},
        sites=len(read),
        notes=list(read.notes) + joined("notes"),
        rejected_rows=[row.record() for row in read.rejected],
        illustrative_notice=" ".join(dict.fromkeys(r.meta["illustrative_notice"] for r in results if r.meta["illustrative_notice"])),
        unconfirmed_criteria=joined("unconfirmed_criteria"),
        input_layers=sorted(set(joined("input_layers"))),
        law_notices_vi=joined("law_notices_vi"),
        law_notices_en=joined("law_notices_en"),
        verdicts={v: int((sites["verdict"] == v).sum()) for v in VERDICT_ORDER},
        verdicts_combined={v: int((sites.drop_duplicates("input_site_id")["verdict_combined"] == v).sum()) for v in VERDICT_ORDER},
        national={"folder": str(national.root), "crs": NATIONAL_CRS,
                  "provinces": [{"province": slug, "name": p.name_vi, "build_id": p.build.build_id, "ruleset": p.build.manifest.get("ruleset", ""),
                                 "rows": int((sites["province"] == slug).sum())} for slug, p in national.provinces.items()]},
    )
    return meta


def builds_by_province(national: NationalZoning) -> Mapping[str, Build]:
    """Province slug → build (for the small maps of the site reports)."""
    return {slug: p.build for slug, p in national.provinces.items()}
