"""Site checks: where a proposed project or waste facility lies in the zoning, and what
follows from it (see :mod:`zoning.checker.engine`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, cast

import geopandas as gpd
import shapely

from zoning.builder.model import Build, BuildLike, as_build
from zoning.checker.engine import check_sites
from zoning.checker.index import BuildIndex, index_build
from zoning.checker.result import CheckResult
from zoning.errors import InputError
from zoning.files import input_paths
from zoning.inputs.sites import Sites, apply_defaults, read_sites
from zoning.law.project_types import CheckRules, load_check_rules
from zoning.law.safety import UserDistance

if TYPE_CHECKING:
    from zoning.national.sitecheck import NationalZoning

SitesLike: TypeAlias = str | Path | gpd.GeoDataFrame | shapely.Geometry | Sites
PART_SITES = 100_000  # sites per part of a check in parts: the results of a part take a few hundred MB


def check(
    sites: SitesLike | None,
    build: BuildLike | NationalZoning,
    *,
    layer: str | None = None,
    crs: str | None = None,
    point: str | None = None,
    wkt: str | None = None,
    type: str | None = None,
    capacity: float | None = None,
    exclusion: str | None = None,
    sheet: str | None = None,
    distances: Mapping[str, float | UserDistance] | None = None,
    upstream: bool = False,
    search_distance: float | None = None,
    tolerance: dict[str, float] | float | None = None,
    include_proposed: bool = False,
    rules: CheckRules | None = None,
    index: BuildIndex | None = None,
    progress: Callable[[str], None] | None = None,
) -> CheckResult:
    """Check project sites against a build.

    Parameters
    ----------
    sites
        A vector file (GeoPackage, shapefile, zipped shapefile, GeoJSON, KML), a CSV or
        Excel (.xlsx) table of coordinates, a GeoDataFrame, one shapely geometry (in
        ``crs``, WGS 84 by default), or sites already read with :func:`zoning.read_sites`
        in the build's CRS (only ``type`` and ``capacity`` then apply); None with
        ``point`` or ``wkt``.
    build
        A :class:`~zoning.Build` or the path of a build file; or a national output folder
        (``zoning national build --out DIR``): each site is then checked against the
        province(s) it lies in, one row per site and province
        (:mod:`zoning.national.sitecheck`).
    layer
        Only this layer of a sites GeoPackage.
    crs
        CRS of coordinates that carry none: ``EPSG:9215``, ``tm3:107.25``, … (x/y in the build's CRS when left out)
    point, wkt
        One site as ``"lon,lat"`` text, or as WKT.
    type
        Project type of the sites that carry none (see ``zoning types``).
    capacity
        Capacity of the sites that carry none, in the unit of their type (it picks the
        class of a safety-distance table and of ND08 Appendix II).
    exclusion
        The ND08 Appendix II exclusion of their type that the sites without an
        ``exclusion`` attribute fall under (see ``zoning types``).
    sheet
        The sheet of an Excel site list (the first by default).
    distances
        Safety distances given by the user, keyed ``facility[:receptor]``.
    upstream
        The facilities sit upstream of a water source or upwind of the town.
    search_distance, tolerance
        How far to list units (m), and the positional tolerance of the data (m).
    include_proposed
        Let proposed designations (no legal boundary yet) decide findings and verdicts as
        if they were in force; by default they are only reported.
    rules
        Check rules; the shipped ones by default.
    index
        A prepared index of the build (:func:`zoning.checker.index_build`), to reuse it
        across many checks.
    progress
        Called with the name of each step as it starts.

    Returns
    -------
    CheckResult
        Write it with :func:`zoning.write_results` and :func:`zoning.write_reports`.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.check(None, "build.gpkg", point="106.25,22.66")  # doctest: +SKIP
    >>> result.sites["verdict"].tolist()  # doctest: +SKIP
    ['needs_review']
    """
    if _national(build):  # a national output folder: each site checked against the province(s) it lies in
        from zoning.national.sitecheck import check_national

        return check_national(sites, cast("NationalZoning | str | Path", build), layer=layer, crs=crs, point=point, wkt=wkt, type=type,
                              capacity=capacity, exclusion=exclusion, sheet=sheet, distances=distances, upstream=upstream,
                              search_distance=search_distance, tolerance=tolerance, include_proposed=include_proposed, rules=rules,
                              progress=progress)
    read, build, index, rules = _prepare(sites, cast(BuildLike, build), layer=layer, crs=crs, point=point, wkt=wkt, type=type, capacity=capacity,
                                         exclusion=exclusion, sheet=sheet, tolerance=tolerance, search_distance=search_distance,
                                         rules=rules, index=index, progress=progress)
    (progress or (lambda _: None))("checking")
    result = check_sites(read, index, rules, user_distances=distances, upstream=upstream, search_distance=search_distance,
                         include_proposed=include_proposed)
    result.sources = input_paths([sites if isinstance(sites, (str, Path)) else None, *build.sources()])
    return result


def check_parts(sites: SitesLike | None, build: BuildLike, *, part_sites: int = PART_SITES, distances: Mapping[str, float | UserDistance] | None = None,
                upstream: bool = False, search_distance: float | None = None, include_proposed: bool = False,
                progress: Callable[[str], None] | None = None, **reading) -> tuple[int, Iterator[CheckResult]]:
    """The check of :func:`check`, in parts of ``part_sites`` sites (in site order), for
    more sites than the results of all of them at once may take in memory.

    The sites are read and the build indexed at the call, which returns the number of
    sites and an iterator of the parts: each is checked as it is taken. Each part is the result
    :func:`check` gives for those sites (a site's result does not depend on the others);
    its ``meta`` counts the part's sites and verdicts. ``reading`` takes the other
    keywords of :func:`check`.
    """
    read, build, index, rules = _prepare(sites, build, search_distance=search_distance, progress=progress, **reading)
    (progress or (lambda _: None))("checking")
    sources = input_paths([sites if isinstance(sites, (str, Path)) else None, *build.sources()])
    return len(read), _parts(read, build, index, rules, sources, part_sites, distances=distances, upstream=upstream,
                             search_distance=search_distance, include_proposed=include_proposed)


def _parts(read: Sites, build: Build, index: BuildIndex, rules: CheckRules, sources: tuple[Path, ...], part_sites: int, *,
           distances, upstream: bool, search_distance: float | None, include_proposed: bool) -> Iterator[CheckResult]:
    for start in range(0, len(read), part_sites):
        part = replace(read, frame=read.frame.iloc[start:start + part_sites], rejected=read.rejected if start == 0 else [])
        result = check_sites(part, index, rules, user_distances=distances, upstream=upstream, search_distance=search_distance,
                             include_proposed=include_proposed, every_site_outside=True)
        result.sources = sources
        yield result
        del part, result  # let the part go before the next is checked


def _prepare(sites: SitesLike | None, build: BuildLike, *, layer: str | None = None, crs: str | None = None, point: str | None = None,
             wkt: str | None = None, type: str | None = None, capacity: float | None = None, exclusion: str | None = None,
             sheet: str | None = None, tolerance: dict[str, float] | float | None = None, search_distance: float | None = None,
             rules: CheckRules | None = None, index: BuildIndex | None = None, progress: Callable[[str], None] | None = None,
             ) -> tuple[Sites, Build, BuildIndex, CheckRules]:
    """The sites read (with their defaults), the build, its index and the rules of a check."""
    step = progress or (lambda _: None)
    _check_metres(tolerance, "--tolerance")
    _check_metres(search_distance, "--search-distance")
    rules = rules or load_check_rules()
    step("reading the build")
    build = as_build(build)
    if isinstance(sites, shapely.Geometry):
        sites = gpd.GeoDataFrame({"id": ["site"]}, geometry=[sites], crs=crs or "EPSG:4326")
        crs = None
    step("reading the sites")
    if isinstance(sites, Sites):
        if sites.frame.crs != build.crs:
            raise InputError(
                ("các địa điểm được đọc theo hệ tọa độ khác với hệ tọa độ của bản phân vùng", "the sites were read in another CRS than the build's"),
                ("đọc lại bằng zoning.read_sites(path, build.crs)", "read them with zoning.read_sites(path, build.crs)"),
            )
        read = apply_defaults(sites, default_type=type, default_capacity=capacity, default_exclusion=exclusion, types=list(rules.types))
    else:
        read = read_sites(
            sites,
            build.crs,
            layer=layer,
            crs=crs,
            point=point,
            wkt=wkt,
            default_type=type,
            types=rules.type_names,
            default_capacity=capacity,
            default_exclusion=exclusion,
            sheet=sheet,
        )
    step("indexing the build")
    index = index if index is not None else index_build(build, rules, tolerance)
    return read, build, index, rules


def _national(build) -> bool:
    """Whether ``build`` is a national output folder (or one already opened)."""
    if isinstance(build, Build) or (isinstance(build, (str, Path)) and not Path(build).is_dir()):
        return False
    from zoning.inputs.national_folder import is_national
    from zoning.national.sitecheck import NationalZoning

    return isinstance(build, NationalZoning) or (isinstance(build, (str, Path)) and is_national(build))


def _check_metres(value: dict[str, float] | float | None, option: str) -> None:
    """Distances given by the user must be finite numbers of metres, zero or more (NaN fails every comparison)."""
    values = value.values() if isinstance(value, dict) else () if value is None else (value,)
    for number in values:
        if not (isinstance(number, (int, float)) and math.isfinite(number) and number >= 0):
            raise InputError(
                (f"{option} {number}: phải là số mét không âm", f"{option} {number}: must be a number of metres, zero or more"),
                (f"ví dụ {option} 25", f"e.g. {option} 25"),
            )


__all__ = ["BuildIndex", "CheckResult", "check", "check_parts", "check_sites", "index_build"]
