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
from collections.abc import Mapping, Sequence
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
from zoning.inputs.crs import WGS84, tm3_crs
from zoning.inputs.layers import Repair, check_layer, file_digest, frame_digest, gdal_path, lonlat_in_range, read_vector
from zoning.inputs.tables import BadRow, join_notes, plain, read_csv, read_xlsx, table_sites, type_names, unswap

SITE_COLUMNS = ["site_id", "source_layer", "name", "name_en", "type", "exclusion", "capacity", "capacity_unit", "upstream", "illustrative", "input_note",
                "geometry"]
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx",)
MULTI_LAYER_SUFFIXES = (".gpkg", ".kml", ".kmz")  # every layer is read unless one is named
MAX_TABLE_BYTES = 2 << 30  # a table of sites larger than this is not a list of sites
TRUE_WORDS = {"true", "1", "yes", "y", "có", "co", "x"}


@dataclass
class Sites:
    """Checked sites in the province CRS, where they came from and what was fixed."""

    frame: gpd.GeoDataFrame
    origin: str
    sha256: str
    notes: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    rejected: list[BadRow] = field(default_factory=list)  # rows of a table that could not be read

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
    types: Sequence[str] | Mapping[str, str] | None = None,
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
        Allowed project-type codes, or a mapping of each code to its names (``"vi | en"``):
        a table's type column may then give the name instead of the code. A table row
        with an unknown type is set aside (:attr:`Sites.rejected`); in other files an
        unknown type is an error naming the sites.
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
    >>> sites = zoning.read_sites(None, tm3_crs(zoning.demo_paths().province.central_meridian), point="106.25,22.66")
    >>> sites.frame["site_id"].tolist()
    ['point']
    """
    given = [s is not None for s in (source, point, wkt)]
    if sum(given) != 1:
        raise InputError(("cho đúng một trong ba: một tệp địa điểm, --point hoặc --wkt", "give exactly one of: a sites file, --point or --wkt"))
    user_crs = parse_crs(crs) if crs is not None else None
    notes: list[str] = []
    site_notes: dict[str, Text] = {}
    rejected: list[BadRow] = []
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
        if suffix in CSV_SUFFIXES + EXCEL_SUFFIXES:
            table = read_csv(path) if suffix in CSV_SUFFIXES else read_xlsx(path, sheet)
            frame, rejected = table_sites(table, path, user_crs or target_crs, site_notes, notes, types)
            frames = [(frame, "")]
        else:
            frames = _read_vector_layers(path, layer, user_crs, notes)
    kind = site_kind(list(types) if types is not None else None)
    checked, repairs = [], []
    if isinstance(types, Mapping):
        frames = [(_type_codes(raw, types), name) for raw, name in frames]
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
        site_notes[repair.feature_id] = join_notes(site_notes.get(repair.feature_id), (
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
        Sites(sites, origin, digest, notes, repairs, rejected),
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
    types: Sequence[str] | Mapping[str, str] | None = None,
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
        x, y = unswap(np.array([a]), np.array([b]), crs, ["point"], notes)
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


def _type_codes(frame: gpd.GeoDataFrame, types: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Project types given by their name (``Bãi chôn lấp chất thải rắn``) turned into their codes; unknown ones kept (the check names them)."""
    column = next((c for c in frame.columns if c.lower() == "type" and c != frame.geometry.name), None)
    if column is None or frame[column].dtype == bool:
        return frame
    names = type_names(types)
    codes = frame[column].map(lambda v: names.get(plain(v), v) if isinstance(v, str) and v.strip() else v)
    return frame.assign(**{column: codes})


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
