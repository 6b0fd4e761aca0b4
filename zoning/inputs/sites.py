"""Proposed project sites: read, check and reproject them for ``zoning check``.

A site input is anything :func:`zoning.layers.read_vector` reads (GeoPackage, KML and
KMZ — every layer, or one with ``layer`` —, shapefile, zipped shapefile, GeoJSON, MapInfo
TAB/MIF, MicroStation DGN v7 with ``crs``), a GeoDataFrame, a table of coordinates as CSV
or Excel ``.xlsx`` (first sheet, or ``sheet``: ``lon``/``lat``, or projected ``x``/``y``
with ``crs``, or a ``wkt`` column), or one site given as a point or WKT text. Points,
lines and polygons.

Each site may carry ``name``, ``type`` (a project-type code, see ``zoning types``),
``exclusion`` (the code of an ND08 Appendix II exclusion of its type the project falls
under), ``capacity``, ``capacity_unit`` and ``upstream``; ``default_type``,
``default_exclusion`` and ``default_capacity`` fill missing ones.

Coordinates whose latitude and longitude (or northing and easting — Vietnamese survey
coordinates put the northing in X) are swapped are detected, corrected and reported.
Geometry checks and repairs are those of :func:`zoning.layers.check_layer`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from zoning.errors import InputError, Text, both
from zoning.files import check_input_file
from zoning.inputs.catalogue import LayerKind
from zoning.inputs.crs import WGS84, describe, tm3_crs
from zoning.inputs.layers import Repair, check_layer, file_digest, frame_digest, gdal_path, lonlat_in_range, read_vector

SITE_COLUMNS = ["site_id", "source_layer", "name", "name_en", "type", "exclusion", "capacity", "capacity_unit", "upstream", "illustrative", "input_note",
                "geometry"]
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx",)
MULTI_LAYER_SUFFIXES = (".gpkg", ".kml", ".kmz")  # every layer is read unless one is named
CSV_DELIMITERS = ",;\t|"
MAX_TABLE_BYTES = 2 << 30  # a table of sites larger than this is not a list of sites
LON_NAMES = ("lon", "lng", "long", "longitude", "kinh_do", "kinhdo", "kinh độ")
LAT_NAMES = ("lat", "latitude", "vi_do", "vido", "vĩ độ")
X_NAMES = ("x", "easting", "east")
Y_NAMES = ("y", "northing", "north")
WKT_NAMES = ("wkt", "geometry", "geom")
# Việt Nam, generously: a lon/lat pair outside these boxes but inside them once swapped was swapped
VN_LON = (100.0, 112.0)
VN_LAT = (7.0, 25.0)
# VN-2000 / TM-3 and UTM: easting 100–900 km, northing 900–2,700 km
TM_EASTING = (100_000.0, 900_000.0)
TM_NORTHING = (900_000.0, 2_700_000.0)
TRUE_WORDS = {"true", "1", "yes", "y", "có", "co", "x"}


@dataclass
class Sites:
    """Checked sites in the province CRS, where they came from and what was fixed."""

    frame: gpd.GeoDataFrame
    origin: str
    sha256: str
    notes: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)


def site_kind(types: Sequence[str] | None = None) -> LayerKind:
    """The layer kind of site inputs (any geometry; ``type`` restricted to ``types``)."""
    return LayerKind(
        name="sites",
        label_vi="Địa điểm dự án",
        label_en="Project sites",
        geometry=("polygon", "line", "point"),
        required=(),
        optional=("name", "name_en", "type", "exclusion", "capacity", "capacity_unit", "upstream"),
        values={"type": tuple(types)} if types else {},
    )


def read_sites(
    source: str | Path | gpd.GeoDataFrame | None,
    target_crs: CRS,
    *,
    layer: str | None = None,
    crs: str | CRS | None = None,
    point: str | Sequence[float] | None = None,
    wkt: str | None = None,
    default_type: str | None = None,
    types: Sequence[str] | None = None,
    default_capacity: float | None = None,
    default_exclusion: str | None = None,
    sheet: str | None = None,
) -> Sites:
    """Read sites from a file, a frame, a point or a WKT text, checked and reprojected.

    Parameters
    ----------
    source
        A vector file, a CSV or ``.xlsx`` table of coordinates, or a GeoDataFrame; None
        with ``point`` or ``wkt``.
    target_crs
        The build's province CRS.
    layer
        The GeoPackage layer to read; every layer when omitted.
    crs
        CRS of coordinates that carry none (CSV, ``point``, ``wkt``, a file without a
        .prj): anything pyproj reads (``EPSG:9215``) or ``tm3:107.25`` for a VN-2000 /
        TM-3 meridian. Lon/lat in WGS 84 by default.
    point
        One site as ``"lon,lat"`` (or ``"x,y"`` with ``crs``).
    wkt
        One site as WKT text.
    default_type
        Project type of sites that carry none.
    default_exclusion
        ND08 Appendix II exclusion of sites that carry none (checked against each site's type by the check).
    types
        Allowed project-type codes (unknown codes are an error naming the sites).
    default_capacity
        Capacity of sites that carry none (in the unit of their type).
        Capacity of sites that carry none, in the unit of their type (e.g. m³/day for a
        wastewater plant): it picks the class of a safety-distance table.
    sheet
        The sheet of an Excel workbook to read (the first by default).

    Returns
    -------
    Sites
        The sites in ``target_crs``, with where they came from and what was corrected.

    Examples
    --------
    >>> import zoning
    >>> from zoning.inputs.crs import tm3_crs
    >>> sites = zoning.read_sites(None, tm3_crs(105.75), point="106.25,22.66")
    >>> sites.frame["site_id"].tolist()
    ['point']
    """
    given = [s is not None for s in (source, point, wkt)]
    if sum(given) != 1:
        raise InputError(("cho đúng một trong ba: một tệp địa điểm, --point hoặc --wkt", "give exactly one of: a sites file, --point or --wkt"))
    user_crs = parse_crs(crs) if crs is not None else None
    notes: list[str] = []
    site_notes: dict[str, Text] = {}
    if point is not None or wkt is not None:
        frames = [(_single_site(point, wkt, user_crs, site_notes), "")]
        digest = hashlib.sha256(str(point if point is not None else wkt).encode()).hexdigest()
        origin = "--point" if point is not None else "--wkt"
    elif isinstance(source, gpd.GeoDataFrame):
        frames = [(source if source.crs is not None or user_crs is None else source.set_crs(user_crs), "")]
        digest, origin = frame_digest(source), str(source.attrs.get("origin", "<GeoDataFrame>"))  # a caller may name it (a web form field)
    else:
        assert source is not None  # exactly one of the three is given: checked above
        path = Path(source)
        if not path.exists():
            raise InputError((f"không tìm thấy tệp địa điểm: {path}", f"sites file not found: {path}"), ("kiểm tra đường dẫn", "check the path"))
        suffix = path.suffix.lower()
        check_input_file(path, ("tệp địa điểm", "sites file"), MAX_TABLE_BYTES if suffix in CSV_SUFFIXES + EXCEL_SUFFIXES else None)
        digest, origin = file_digest(path), str(path)
        if suffix in CSV_SUFFIXES:
            frames = [(_table_sites(_read_csv(path), path, user_crs or target_crs, site_notes, notes), "")]
        elif suffix in EXCEL_SUFFIXES:
            frames = [(_table_sites(_read_xlsx(path, sheet), path, user_crs or target_crs, site_notes, notes), "")]
        else:
            frames = _read_vector_layers(path, layer, user_crs, notes)
    kind = site_kind(types)
    checked, repairs = [], []
    for raw, layer_name in frames:
        where = origin + (f":{layer_name}" if layer_name else "")
        frame, fixed = check_layer(_integral_ids(raw), kind, where, target_crs, notes=notes)
        frame.insert(1, "source_layer", layer_name)
        checked.append(frame)
        repairs.extend(fixed)
    frame = pd.concat(checked, ignore_index=True)
    frame = _normalise_attributes(frame, origin)
    for repair in repairs:
        change = f"{repair.area_change_pct:g}"
        site_notes[repair.feature_id] = _join(site_notes.get(repair.feature_id), (
            f"đã sửa hình học không hợp lệ ({repair.reason}; diện tích thay đổi {change.replace('.', ',')} %)",
            f"invalid geometry repaired ({repair.reason}; area changed by {change} %)"))
    if site_notes:
        frame["input_note"] = frame["site_id"].astype(str).map({site: both(*note) for site, note in site_notes.items()}).fillna("").astype(object)
    else:
        frame["input_note"] = ""
    notes.extend(f"địa điểm {site}: {vi} / site {site}: {en}" for site, (vi, en) in site_notes.items())
    if not frame["site_id"].is_unique:
        frame["site_id"] = frame["source_layer"] + ":" + frame["site_id"]
        if not frame["site_id"].is_unique:
            raise InputError((f"{origin}: mã địa điểm bị trùng", f"{origin}: site ids are not unique"), ("cho mỗi địa điểm một 'id' riêng",
                                                                                                         "give each site its own 'id'"))
    sites = gpd.GeoDataFrame(frame[SITE_COLUMNS[:-1]], geometry=frame.geometry.to_numpy(), crs=target_crs)
    return apply_defaults(
        Sites(sites, origin, digest, notes, repairs),
        default_type=default_type,
        default_capacity=default_capacity,
        default_exclusion=default_exclusion,
        types=types,
    )


def apply_defaults(
    sites: Sites,
    *,
    default_type: str | None = None,
    default_capacity: float | None = None,
    default_exclusion: str | None = None,
    types: Sequence[str] | None = None,
) -> Sites:
    """The same sites with a project type, a capacity and an Appendix II exclusion where they carry none.

    Raises
    ------
    InputError
        If ``default_type`` is not one of ``types`` or ``default_capacity`` is negative.
    """
    frame = sites.frame.copy()
    if default_type is not None:
        if types and default_type not in types:
            known = ", ".join(types)
            raise InputError(
                (f"--type '{default_type}' không phải một loại hình dự án", f"--type '{default_type}' is not a project type"),
                (f"các loại hình: {known} (xem `zoning types`)", f"known types: {known} (see `zoning types`)"),
            )
        frame["type"] = frame["type"].where(frame["type"].notna(), default_type)
    if default_capacity is not None:
        if not (isinstance(default_capacity, (int, float)) and math.isfinite(default_capacity) and default_capacity >= 0):
            nan = default_capacity != default_capacity  # noqa: PLR0124 - NaN, whatever its type
            raise InputError(
                (
                    f"--capacity {default_capacity:g}: " + ("không phải là số" if nan else "công suất phải là số không âm"),
                    f"--capacity {default_capacity:g}: " + ("not a number" if nan else "the capacity must be a number, zero or more"),
                ),
                (
                    "nhập công suất theo đơn vị của loại hình dự án (xem `zoning types`), ví dụ --capacity 500",
                    "give it in the unit of the project type (see `zoning types`), e.g. --capacity 500",
                ),
            )
        frame["capacity"] = frame["capacity"].fillna(float(default_capacity))
    if default_exclusion is not None:
        frame["exclusion"] = frame["exclusion"].where(frame["exclusion"].notna(), default_exclusion)
    return replace(sites, frame=frame)


def parse_crs(text: str | CRS) -> CRS:
    """A CRS from ``EPSG:9215``, ``9215``, ``tm3:107.25`` or anything pyproj reads."""
    if isinstance(text, CRS):
        return text
    value = str(text).strip()
    match = re.fullmatch(r"(?i)(?:tm-?3|vn-?2000)[:/ ]\s*(\d+(?:\.\d+)?)", value)
    if match:
        meridian = float(match.group(1))
        if not 102 <= meridian <= 110:
            raise InputError(
                (
                    f"--crs {value}: kinh tuyến trục {meridian} không nằm trong Việt Nam (102–110°E)",
                    f"--crs {value}: central meridian {meridian} is not in Việt Nam (102–110°E)",
                ),
                (
                    "dùng kinh tuyến trục VN-2000 của tỉnh (lệnh `zoning provinces` liệt kê), ví dụ tm3:107.25 cho 107°15'",
                    "use the province's VN-2000 central meridian (`zoning provinces` lists them), e.g. tm3:107.25 for 107°15'",
                ),
            )
        return tm3_crs(meridian)
    try:
        return CRS.from_user_input(int(value) if value.isdigit() else value)
    except CRSError:
        raise InputError(
            (f"--crs '{value}' không phải một hệ tọa độ (CRS)", f"--crs '{value}' is not a coordinate reference system"),
            ("ví dụ EPSG:4326, EPSG:9215, hoặc tm3:107.25 cho VN-2000 / TM-3 107°15' (lệnh `zoning provinces` liệt kê kinh tuyến trục từng tỉnh)",
             "e.g. EPSG:4326, EPSG:9215, or tm3:107.25 for VN-2000 / TM-3 107°15' (`zoning provinces` lists each province's meridian)"),
        ) from None


# ------------------------------------------------------------------------------ inputs


def _looks_projected(geometry: np.ndarray) -> bool:
    """Coordinates in metres (any beyond ±360), not longitude/latitude."""
    coords = shapely.get_coordinates(geometry[~shapely.is_missing(geometry)])
    return bool(len(coords)) and bool((np.abs(coords) > 360).any())


def _single_site(point, wkt, crs: CRS | None, notes: dict[str, Text]) -> gpd.GeoDataFrame:
    crs = crs or WGS84
    if point is not None:
        values = re.split(r"[,;\s]+", point.strip()) if isinstance(point, str) else list(point)
        try:
            a, b = (float(v) for v in values if str(v) != "")
        except ValueError:
            raise InputError(
                (f"--point '{point}': cần hai số", f"--point '{point}': give two numbers"),
                ("ví dụ --point 106.25,22.66 (kinh độ,vĩ độ)", "e.g. --point 106.25,22.66 (lon,lat)"),
            ) from None
        x, y = _unswap(np.array([a]), np.array([b]), crs, ["point"], notes)
        return gpd.GeoDataFrame({"id": ["point"]}, geometry=shapely.points(x, y), crs=crs)
    try:
        geometry = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as exc:
        example = "--wkt 'POLYGON ((106.2 22.6, 106.3 22.6, 106.3 22.7, 106.2 22.6))'"
        raise InputError((f"--wkt: không phải WKT hợp lệ ({exc})", f"--wkt: not valid WKT ({exc})"), (f"ví dụ {example}", f"e.g. {example}")) from None
    return gpd.GeoDataFrame({"id": ["wkt"]}, geometry=[geometry], crs=crs)


def _read_vector_layers(path: Path, layer: str | None, crs: CRS | None, notes: list[str]) -> list[tuple[gpd.GeoDataFrame, str]]:
    suffix = path.suffix.lower()
    if suffix in MULTI_LAYER_SUFFIXES and layer is None:
        try:
            names = [name for name, geometry in pyogrio.list_layers(gdal_path(path)) if geometry]
            if suffix != ".gpkg":  # KML folders without placemarks are layers without features
                names = [name for name in names if pyogrio.read_info(gdal_path(path), layer=name)["features"]]
        except pyogrio.errors.DataSourceError as exc:
            what = "GeoPackage" if suffix == ".gpkg" else "KML/KMZ"
            raise InputError(
                (f"{path}: không đọc được tệp {what} ({exc})", f"{path}: not a readable {what} file ({exc})"),
                ("mở tệp bằng QGIS hoặc Google Earth để kiểm tra, rồi lưu lại", "open it in QGIS or Google Earth to check it, then save it again"),
            ) from None
        if not names:
            raise InputError(
                (f"{path}: không có lớp nào có hình học", f"{path}: no layer with geometries"),
                ("vẽ các địa điểm (điểm, đường hoặc vùng) trong tệp", "draw the sites (points, lines or polygons) in the file"),
            )
    else:
        names = [layer]
    frames = []
    for name in names:
        frame = read_vector(path, layer=name)
        where = f"{path.name}{':' + name if name else ''}"
        if frame.crs is None and crs is not None:
            frame = frame.set_crs(crs)
            notes.append(f"{where}: tệp không có hệ tọa độ; đã đọc theo {crs.name} (--crs) / no CRS in the file; read as {crs.name} (--crs)")
        elif frame.crs is not None and CRS(frame.crs).is_geographic and not lonlat_in_range(frame):
            if crs is None:
                span = f"x {frame.total_bounds[0]:.0f}–{frame.total_bounds[2]:.0f}"
                raise InputError(
                    (
                        f"{where}: tệp ghi tọa độ là kinh độ/vĩ độ ({CRS(frame.crs).name}) nhưng thực ra không phải ({span}); "
                        f"GeoJSON luôn được đọc theo WGS 84",
                        f"{where}: the file says its coordinates are longitude/latitude ({CRS(frame.crs).name}) but they are "
                        f"not ({span}); GeoJSON is always read as WGS 84",
                    ),
                    (
                        "cho hệ tọa độ của các tọa độ bằng --crs (ví dụ tm3:<kinh tuyến trục của tỉnh>, xem `zoning provinces`), "
                        "hoặc lưu tệp kèm hệ tọa độ dưới dạng GeoPackage",
                        "give the CRS of the coordinates with --crs (e.g. tm3:<the province's meridian>, see `zoning provinces`), "
                        "or save the file with its CRS as GeoPackage",
                    ),
                )
            frame = frame.set_crs(crs, allow_override=True)
            notes.append(
                f"{where}: tọa độ không phải kinh độ/vĩ độ; đã đọc theo {crs.name} (--crs) / coordinates are not longitude/latitude; read as {crs.name} (--crs)"
            )
        frames.append((frame, name or ""))
    return frames


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV table as text; its delimiter (``, ; tab |``) guessed from the first line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
        if not first.strip():
            raise InputError(
                (f"{path}: tệp CSV rỗng", f"{path}: the CSV is empty"),
                ("cho một dòng tiêu đề (ví dụ id,name,lon,lat) và mỗi địa điểm một dòng", "give a header line (e.g. id,name,lon,lat) and one line per site"),
            )
        counts = {d: first.count(d) for d in CSV_DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
        return pd.read_csv(path, sep=delimiter, dtype=str, encoding="utf-8-sig", keep_default_na=False, skipinitialspace=True)
    except UnicodeDecodeError as exc:
        raise InputError(
            (f"{path}: không phải văn bản UTF-8 ({exc.reason})", f"{path}: not UTF-8 text ({exc.reason})"),
            ("lưu lại dưới dạng CSV UTF-8 (Excel: Save as ▸ CSV UTF-8)", "save it as UTF-8 CSV (Excel: Save as ▸ CSV UTF-8)"),
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            (f"{path}: không đọc được tệp CSV ({str(exc).strip()})", f"{path}: cannot be read as CSV ({str(exc).strip()})"),
            (
                "lưu lại dưới dạng CSV UTF-8 với một dòng tiêu đề và cùng số cột trên mọi dòng",
                "save it as UTF-8 CSV with one header line and the same number of columns on every line",
            ),
        ) from None


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    """An Excel sheet (the first, or ``sheet``) as a table of text."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise InputError(
            (f"{path}: không đọc được tệp Excel ({type(exc).__name__})", f"{path}: cannot be read as an Excel workbook ({type(exc).__name__})"),
            ("lưu lại dưới dạng .xlsx (Excel Workbook), hoặc CSV UTF-8", "save it again as .xlsx (Excel Workbook), or as CSV UTF-8"),
        ) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            sheets = ", ".join(workbook.sheetnames)
            raise InputError((f"{path}: không có trang tính '{sheet}'", f"{path}: no sheet '{sheet}'"), (f"các trang tính: {sheets}", f"sheets: {sheets}"))
        rows = workbook[sheet or workbook.sheetnames[0]].iter_rows(values_only=True)
        header = next(rows, None)
        body = [["" if v is None else str(v) for v in row] for row in rows if any(v is not None for v in row)]
    finally:
        workbook.close()
    if header is None or all(v is None for v in header):
        raise InputError(
            (f"{path}: trang tính rỗng", f"{path}: the sheet is empty"),
            ("cho một hàng tiêu đề (ví dụ id, name, lon, lat) và mỗi địa điểm một hàng", "give a header row (e.g. id, name, lon, lat) and one row per site"),
        )
    columns = [str(v).strip() if v is not None else f"column_{i + 1}" for i, v in enumerate(header)]
    return pd.DataFrame([row[: len(columns)] + [""] * (len(columns) - len(row)) for row in body], columns=columns, dtype=object)


def _table_sites(table: pd.DataFrame, path: Path, xy_crs: CRS, notes: dict[str, Text], file_notes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Sites from a table of text: lon/lat (WGS 84), x/y in ``xy_crs`` (``--crs``, else the build's), or a wkt column."""
    if table.empty:
        raise InputError(
            (f"{path}: bảng không có dòng nào", f"{path}: the table has no rows"),
            ("dưới dòng tiêu đề, mỗi địa điểm một dòng", "give one row per site under the header"),
        )
    table.columns = [str(c) for c in table.columns]
    columns = {c.strip().lower(): c for c in table.columns}
    given = table[columns["id"]].astype(str) if "id" in columns else None
    ids = given.tolist() if given is not None and given.is_unique and (given != "").all() else [str(i + 1) for i in range(len(table))]
    pick = lambda names: next((columns[n] for n in names if n in columns), None)  # noqa: E731
    lon, lat, x, y, wkt = pick(LON_NAMES), pick(LAT_NAMES), pick(X_NAMES), pick(Y_NAMES), pick(WKT_NAMES)
    attributes = table.drop(columns=[c for c in (lon, lat, x, y, wkt) if c is not None])
    if wkt is not None:
        try:
            geometry = shapely.from_wkt(table[wkt].replace("", None).to_numpy())
        except shapely.errors.GEOSException as exc:
            raise InputError(
                (f"{path}: cột '{wkt}' có nội dung không phải WKT ({exc})", f"{path}: column '{wkt}' holds text that is not WKT ({exc})"),
                ("viết hình học dạng WKT, ví dụ POINT (106.25 22.66)", "write the geometries as WKT, e.g. POINT (106.25 22.66)"),
            ) from None
        return gpd.GeoDataFrame(attributes, geometry=geometry, crs=xy_crs if _looks_projected(geometry) else WGS84)
    if lon is not None and lat is not None:
        first, second, source_crs, label = table[lon], table[lat], WGS84, ("lon", "lat")
    elif x is not None and y is not None:
        if file_notes is not None:
            file_notes.append(f"{path.name}: tọa độ x/y đọc theo {describe(xy_crs, 'vi')} / x/y read as {describe(xy_crs)}")
        first, second, source_crs, label = table[x], table[y], xy_crs, ("x", "y")
    else:
        found = ", ".join(table.columns)
        raise InputError(
            (f"{path}: không có cột tọa độ (các cột: {found})", f"{path}: no coordinate columns (found: {found})"),
            (
                "đặt tên cột là lon và lat (WGS 84), hoặc x và y kèm --crs, hoặc cho một cột wkt",
                "name them lon and lat (WGS 84), or x and y with --crs, or give a wkt column",
            ),
        )
    a, b = _numbers(first, path, label[0], ids), _numbers(second, path, label[1], ids)
    a, b = _unswap(a, b, source_crs, ids, notes)
    return gpd.GeoDataFrame(attributes, geometry=shapely.points(a, b), crs=source_crs)


def _numbers(column: pd.Series, path: Path, name: str, ids: list[str]) -> np.ndarray:
    try:  # the usual case, in C: plain decimal numbers
        values = np.asarray(pd.to_numeric(column.to_numpy(object)), dtype=float)
    except (ValueError, TypeError):
        text = column.astype(str).str.strip().str.replace(",", ".", regex=False)  # decimal commas, spaces
        values = pd.to_numeric(text, errors="coerce").to_numpy(float)
    bad = np.isnan(values)
    if bad.any():
        rows = ", ".join(str(ids[i]) for i in np.flatnonzero(bad)[:8])
        raise InputError(
            (f"{path}: '{name}' không phải là số ở các địa điểm {rows}", f"{path}: '{name}' is not a number for site(s) {rows}"),
            ("ghi tọa độ bằng số thập phân, ví dụ 106.25", "write the coordinates as decimal numbers, e.g. 106.25"),
        )
    return values


def _unswap(a: np.ndarray, b: np.ndarray, crs: CRS, ids: Sequence[str], notes: dict[str, Text]) -> tuple[np.ndarray, np.ndarray]:
    """Swap coordinate pairs given in the wrong order, and say so (a note per site id)."""
    if crs.is_geographic:
        inside = _between(a, VN_LON) & _between(b, VN_LAT)
        swapped = ((np.abs(b) > 90) & (np.abs(a) <= 90)) | (~inside & _between(b, VN_LON) & _between(a, VN_LAT))
        what = (
            "vĩ độ và kinh độ bị đổi chỗ cho nhau (đã đọc là kinh độ {a:g}, vĩ độ {b:g})",
            "latitude and longitude were swapped (read as lon {a:g}, lat {b:g})",
        )
    elif crs.is_projected:
        inside = _between(a, TM_EASTING) & _between(b, TM_NORTHING)
        swapped = ~inside & _between(b, TM_EASTING) & _between(a, TM_NORTHING)
        what = (
            "x (hướng Đông) và y (hướng Bắc) bị đổi chỗ cho nhau — trong tọa độ đo đạc của Việt Nam, X là tọa độ hướng Bắc (đã đọc là x {a:.2f}, y {b:.2f})",
            "x (easting) and y (northing) were swapped — Vietnamese survey coordinates put the northing in X (read as x {a:.2f}, y {b:.2f})",
        )
    else:
        return a, b
    if not swapped.any():
        return a, b
    a, b = np.where(swapped, b, a), np.where(swapped, a, b)
    for index in np.flatnonzero(swapped):
        vi, en = (t.format(a=a[index], b=b[index]) for t in what)
        notes[str(ids[int(index)])] = _join(notes.get(str(ids[int(index)])), (vi, en))
    return a, b


def _join(first: Text | None, second: Text) -> Text:
    """Two notes on one site, in each language."""
    return (f"{first[0]}; {second[0]}", f"{first[1]}; {second[1]}") if first else second


def _between(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


def _integral_ids(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Whole-number ids stored as floats (1.0) read as ``1``, not ``1.0``."""
    column = next((c for c in frame.columns if c.lower() == "id" and c != frame.geometry.name), None)
    if column is None or frame[column].dtype.kind != "f":
        return frame
    values = frame[column].to_numpy(float)
    if np.isnan(values).any() or (values != np.round(values)).any():
        return frame
    return frame.assign(**{column: values.astype(np.int64).astype(str)})


def _normalise_attributes(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    frame = frame.copy()
    frame = frame.rename(columns={"source_id": "site_id"})
    for column in ("name", "name_en", "type", "exclusion", "capacity", "capacity_unit", "upstream"):
        if column not in frame:
            frame[column] = None
    given = frame["capacity"].notna()
    if given.any():
        capacity = pd.to_numeric(frame["capacity"].astype("string").str.replace(",", ".", regex=False), errors="coerce")
        bad = given & (frame["capacity"].astype("string").str.strip() != "") & (capacity.isna() | np.isinf(capacity.astype(float)))
    else:  # no capacity at all: nothing to parse (a million sites read in a blink)
        capacity, bad = pd.Series(np.nan, index=frame.index), given
    hint = (
        "ghi công suất bằng số không âm theo đơn vị của loại hình dự án, hoặc để trống",
        "give the capacity as a number, zero or more, in the unit of the project type, or leave it empty",
    )
    if bad.any():
        sites = ", ".join(frame.loc[bad, "site_id"].astype(str)[:8])
        raise InputError((f"{origin}: 'capacity' không phải là số ở các địa điểm {sites}", f"{origin}: 'capacity' is not a number for site(s) {sites}"), hint)
    if (capacity < 0).any():
        sites = ", ".join(frame.loc[capacity < 0, "site_id"].astype(str)[:8])
        raise InputError((f"{origin}: 'capacity' là số âm ở các địa điểm {sites}", f"{origin}: 'capacity' is negative for site(s) {sites}"), hint)
    frame["capacity"] = capacity.astype(float)
    if frame["upstream"].notna().any():
        upstream = frame["upstream"].astype("string").str.strip().str.lower()
        frame["upstream"] = upstream.isin(TRUE_WORDS).fillna(False).astype(bool)
    else:
        frame["upstream"] = False
    # a layer without the column is not illustrative (blank is not "true")
    frame["illustrative"] = frame["illustrative"].fillna(False).astype(bool) if "illustrative" in frame else False
    frame["name"] = frame["name"].where(frame["name"].notna(), frame["site_id"]).astype(object)
    return frame
