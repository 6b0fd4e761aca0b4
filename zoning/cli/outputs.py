"""`zoning map`, `zoning raster` and `zoning siting`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zoning import terms
from zoning.cli.console import (
    LANG,
    DistanceOption,
    DistancesFileOption,
    Language,
    app,
    friendly,
    num,
    out,
    progress_steps,
    say,
    split_list,
)
from zoning.files import check_output

# ------------------------------------------------------------------------------- map


@app.command("map")
@friendly
def map_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    sites: Annotated[
        Path | None,
        typer.Option("--sites", help="Site-check results (from `zoning check --out results.gpkg`, .geojson, .json or .csv) to show, coloured by verdict."),
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="Candidate areas (the GeoPackage from `zoning "
            "siting --out`) to show with their rank, score, area and distances; the land left out can be switched on by "
            "reason.",
        ),
    ] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write (one file; replaced atomically if it exists).")] = Path("map.html"),
    offline: Annotated[
        bool, typer.Option("--offline", help="No basemap tiles: the file then opens with no network at all (zones and communes on a plain background).")
    ] = False,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the legend, popups and tools: vi (Vietnamese) or en (English).")] = Language.vi,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance", help="How much boundaries are simplified for display, in metres (the build keeps the exact geometry). 0 keeps every vertex."
        ),
    ] = 5.0,
    against: Annotated[
        Path | None, typer.Option("--against", help="An earlier build of the same province: show the land that changed zone since then, with why it moved.")
    ] = None,
) -> None:
    """Write an interactive map of a build (zones, units, communes, checked sites, candidate areas) as one HTML file
    that opens in any browser, with or without internet.
    """
    from zoning.outputs.map import MAP_SUFFIXES, write_map

    check_output(out_path, (build_path, sites, candidates, against), suffixes=MAP_SUFFIXES)
    with progress_steps(say("Bản đồ", "Map"), total=3 + (against is not None)) as advance:
        result = write_map(
            build_path, out_path, sites, lang=lang.value, offline=offline, tolerance_m=tolerance, progress=advance, candidates=candidates, against=against
        )
    counts = result.counts
    basemap = (
        say("không có nền, dùng không cần mạng", "offline, no basemap")
        if offline
        else say("nền OpenStreetMap khi có mạng", "OpenStreetMap basemap when online")
    )
    out.print(f"{say('Bản đồ', 'Map')}: {result.path} ({num(result.size_bytes / 1e6, 1)} MB; {basemap})", highlight=False)
    out.print(
        f"{say('Vùng', 'Zones')} {counts['zones']} · {say('khu vực', 'units')} {counts['units']} · {say('xã', 'communes')} {counts['communes']} · "
        f"{say('địa điểm', 'sites')} {counts['sites']} · {say('khu vực ứng viên', 'candidate areas')} {counts['candidates']}"
        + (f" · {say('phần thay đổi vùng', 'changed pieces')} {counts['transitions']}" if against is not None else ""),
        highlight=False,
    )


# ------------------------------------------------------------------------------ raster and siting


@app.command("raster")
@friendly
def raster_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    resolution: Annotated[float, typer.Option("--resolution", "-r", help="Cell size in metres (the grid's corners fall on whole multiples of it).")] = 10.0,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The GeoTIFF to write (replaced atomically if it exists).")] = Path("zones.tif"),
) -> None:
    """Write the zones as a GeoTIFF: 1 strict, 2 emission-limited, 3 other, 0 outside the province;
    compressed, tiled, with a colour table that GIS software shows as is.
    """
    from zoning.outputs.raster import RASTER_SUFFIXES, write_raster

    check_output(out_path, (build_path,), suffixes=RASTER_SUFFIXES)
    with progress_steps("Raster", total=3) as advance:
        result = write_raster(build_path, out_path, resolution, progress=advance)
    grid = result.grid
    out.print(
        f"Raster: {result.path} ({num(grid.width, 0)} × {num(grid.height, 0)} {say('ô', 'cells of')} {grid.resolution:g} m; {result.crs.name}; "
        f"build {result.build_id}; {num(result.seconds, 1)} s)",
        highlight=False,
    )
    table = Table(
        say("Vùng", "Zone"),
        say("Raster ha", "Raster ha"),
        say("Vector ha", "Vector ha"),
        say("Chênh lệch ha", "Difference ha"),
        say("Giới hạn sai số ha", "Bound ha"),
    )
    for zone in result.cells:
        diff = result.raster_ha[zone] - result.vector_ha[zone]
        table.add_row(
            terms.label("zones", zone, LANG["console"]),
            num(result.raster_ha[zone]),
            num(result.vector_ha[zone]),
            ("+" if diff >= 0 else "") + num(diff),
            num(result.bound_ha[zone], 1),
        )
    out.print(table)


@app.command("siting")
@friendly
def siting_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`), or with --provinces "
                                               "the output folder of `zoning national build`.")],
    facility: Annotated[
        str, typer.Option("--facility", "-f", help="Facility type, e.g. sanitary_landfill, incinerator, hazardous_waste (see `zoning types`).")
    ] = ...,  # type: ignore[assignment]  # required
    provinces: Annotated[
        str | None,
        typer.Option("--provinces", help="A regional site: these provinces of the national output folder searched as one study area "
                     "(slugs, names or codes separated by commas, e.g. bac-ninh,ha-noi; or all: every province built there); also writes the workbook "
                     "<out>.xlsx."),
    ] = None,
    min_area: Annotated[float, typer.Option("--min-area", help="Smallest candidate area in hectares.")] = 5.0,
    communes: Annotated[str | None, typer.Option("--communes", help="Only these communes: 2025 codes separated by commas, e.g. 01558,01795,01318.")] = None,
    dem: Annotated[Path | None, typer.Option("--dem", help="An elevation raster (GeoTIFF, any CRS); only the study area is read.")] = None,
    max_slope: Annotated[float | None, typer.Option("--max-slope", help="Leave out land steeper than this many degrees (needs --dem).")] = None,
    distance: DistanceOption = None,
    distances_file: DistancesFileOption = None,
    capacity: Annotated[float | None, typer.Option("--capacity", help="Capacity in the facility's unit (picks the class of a distance table).")] = None,
    upstream: Annotated[
        bool, typer.Option("--upstream", help="The facility must sit upstream of a water source or upwind of the town (× 1.5 where the table says so).")
    ] = False,
    zones: Annotated[
        str | None, typer.Option("--zones", help="Zones to search, replacing the rule file's policy: e.g. other or emission_limited,other.")
    ] = None,
    include_proposed: Annotated[
        bool,
        typer.Option(
            "--include-proposed", help="Also leave out proposed designations (no legal boundary yet) of the zones not searched, as if they were in force."
        ),
    ] = False,
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="The GeoPackage to write: candidates, exclusions (with reasons), study_area, siting_info.")
    ] = Path("candidates.gpkg"),
) -> None:
    """Find candidate areas for a new waste-treatment facility: allowed zones, away from homes and
    water sources, not too steep, large enough; ranked by a stated score. With --provinces, a
    regional site: several provinces searched as one, across their borders.
    """
    from zoning.law.safety import load_facilities, load_user_distances, parse_distance_option
    from zoning.outputs.candidates import CANDIDATE_SUFFIXES, write_candidates
    from zoning.siting import find_sites

    builds = _builds_read(build_path, provinces)
    check_output(out_path, (*builds, dem, distances_file), suffixes=CANDIDATE_SUFFIXES)
    regional = provinces is not None
    workbook = _workbook_path(out_path, (*builds, dem, distances_file)) if regional else out_path
    catalogue = load_facilities()
    user = dict(load_user_distances(distances_file, catalogue)) if distances_file else {}
    user.update(parse_distance_option(text, catalogue) for text in distance or [])
    with progress_steps(say("Tìm địa điểm", "Siting"), total=7 + bool(regional)) as advance:
        from zoning.siting.region import regional_study

        result = find_sites(
            regional_study(build_path, split_list(provinces) or []) if regional else build_path,
            facility,
            min_area_ha=min_area,
            communes=split_list(communes),
            dem=dem,
            max_slope=max_slope,
            user_distances=user,
            capacity=capacity,
            upstream=upstream,
            zones=split_list(zones),
            catalogue=catalogue,
            include_proposed=include_proposed,
            progress=advance,
        )
        advance(say("ghi", "writing"))
        path = write_candidates(result, out_path)
        if regional:
            from zoning.outputs.regional_siting import write_regional_workbook

            write_regional_workbook(result, workbook)
    info = result.info
    facility = info["facility_name_en"] if LANG["console"] == "en" else f"{info['facility_name_vi']} / {info['facility_name_en']}"
    out.print(
        f"{say('Khu vực ứng viên cho', 'Candidates for')} {facility}: {len(result.candidates)} {say('khu', 'area(s)')}, "
        f"{num(info['candidate_area_ha'], 1)} ha → {path}",
        highlight=False,
    )
    table = Table(
        say("Hạng", "Rank"),
        *([say("Tỉnh", "Province")] if regional else []),
        say("Diện tích ha", "Area ha"),
        say("Xã", "Communes"),
        say("Đến dân cư m", "To residential m"),
        say("Đến nguồn nước m", "To water m"),
        say("Độ dốc °", "Slope °"),
        say("Điểm", "Score"),
    )
    for row in result.candidates.head(20).itertuples():
        slope = getattr(row, "mean_slope_deg", float("nan"))
        table.add_row(
            str(row.rank), *([row.province_names] if regional else []), num(row.area_ha, 1), row.commune_names, num(row.dist_residential_m, 0),
            num(row.dist_water_m, 0), num(slope, 1), num(row.score, 3)
        )
    out.print(table)
    excl = Table(say("Đất loại trừ", "Land left out"), "ha", say("Trạng thái", "Status"))
    reason = "reason_en" if LANG["console"] == "en" or "reason_vi" not in result.exclusions else "reason_vi"
    for row in result.exclusions.itertuples():
        excl.add_row(getattr(row, reason), num(row.area_ha, 1), say(*terms.pair("statuses_short", row.status)))
    out.print(excl)
    if regional:
        _print_regional(result, workbook)
    out.print(f"{say('Điểm số', 'Score')}: {info['score_formula']}", highlight=False)
    for note in result.notes:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)




def _builds_read(folder: Path, provinces: str | None) -> tuple[Path, ...]:
    """What a siting reads and no output may replace: the build, or for a regional siting the builds' folder and the national file."""
    from zoning.errors import InputError

    if provinces is None:
        if folder.is_dir():
            raise InputError((f"{folder}: là một thư mục; với thư mục kết quả phân vùng cả nước, hãy chọn các tỉnh bằng --provinces",
                              f"{folder} is a folder; for a national output folder, choose the provinces with --provinces"),
                             ("ví dụ --provinces bac-ninh,ha-noi, hoặc chỉ ra tệp phân vùng của một tỉnh",
                              "e.g. --provinces bac-ninh,ha-noi, or give one province's build file"))
        return (folder,)
    return folder / "provinces", folder / "vietnam.gpkg"


def _workbook_path(out_path: Path, inputs: tuple) -> Path:
    """The workbook of a regional siting, beside ``--out``, checked before any work."""
    from zoning.outputs.regional_siting import REGIONAL_SUFFIXES

    return check_output(out_path.with_suffix(".xlsx"), inputs, suffixes=REGIONAL_SUFFIXES)


def _print_regional(result, workbook: Path) -> None:
    """The candidates of each province and of the region."""
    from zoning.siting.region import province_summary

    table = Table(say("Tỉnh", "Province"), say("Khu ứng viên", "Candidates"), say("Vắt qua ranh giới tỉnh", "Across a border"),
                  say("Diện tích ha", "Area ha"), title=say("Theo tỉnh và cả vùng", "By province and for the region"))
    for row in province_summary(result).itertuples():
        table.add_row(row.province_name if row.province else say("Cả vùng", "Region"), str(row.candidates), str(row.across_border),
                      num(row.area_ha, 1))
    out.print(table)
    out.print(f"{say('Bảng tính', 'Workbook')}: {workbook}", highlight=False)
    out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {result.info['crs_note']}", highlight=False)
