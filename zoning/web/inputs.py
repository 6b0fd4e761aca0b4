"""What a planner sends, turned into sites the check reads, safely.

- GeoJSON (a geometry, a Feature or a FeatureCollection; WGS 84 unless a CRS is given)
  → a GeoDataFrame;
- typed coordinates, one point per line: WGS 84 decimal degrees, degrees-minutes-seconds
  (``22°39′56″B 106°15′08″Đ``), or VN-2000 X (northing) and Y (easting) in metres on a
  central meridian; points, a line or a polygon; a boundary-marker table pasted from Word
  or Excel (``Mốc | X (m) | Y (m)``) is the polygon case → a GeoDataFrame;
- an uploaded file → a path in a temporary folder that is removed after the request:
  the name is fixed by the server (only the suffix is taken from the upload, from a
  fixed list); zip, KMZ and Excel archives are checked for path traversal, links,
  encryption, member count and decompression bombs (ratio and total size, counted on
  the bytes actually inflated) before anything reads them.

Every mistake is a :class:`RequestError` with a Vietnamese and an English message that
names what is wrong.
"""

from __future__ import annotations

import json
import math
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning.inputs.crs import WGS84, tm3_crs

# Site attributes the check reads (see zoning.inputs.sites); other properties are dropped
SITE_PROPERTIES = ("id", "name", "name_en", "type", "capacity", "capacity_unit", "upstream")
UPLOAD_KINDS = {
    ".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML", ".kmz": "KMZ", ".zip": "zipped shapefile",
    ".gpkg": "GeoPackage", ".csv": "CSV", ".txt": "CSV", ".xlsx": "Excel",
}
GEOJSON_TYPES = {kind: "coordinates" for kind in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")} | {
    "GeometryCollection": "geometries"
}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
CHUNK = 1 << 16
SQLITE_MAGIC = b"SQLite format 3\x00"
UPLOAD_PREFIX = "zoning-upload-"


class RequestError(Exception):
    """A request that cannot be used as it is: an HTTP status and a message in both languages."""

    def __init__(self, status: int, vi: str, en: str) -> None:
        super().__init__(en)
        self.status, self.vi, self.en = status, vi, en

    def payload(self) -> dict:
        """The error as the JSON body of the answer, in both languages."""
        return {"error": {"vi": self.vi, "en": self.en}}


@dataclass(frozen=True)
class Limits:
    """How much one request may carry."""

    upload_bytes: int = 50 * 1024 * 1024
    unzipped_bytes: int = 200 * 1024 * 1024  # total inflated from one archive
    zip_ratio: float = 100.0  # inflated / compressed, for members over ``ratio_floor`` bytes
    ratio_floor: int = 1024 * 1024
    zip_members: int = 1000
    sites: int = 100_000
    vertices: int = 2_000_000
    text_chars: int = 2_000_000


# ----------------------------------------------------------------------------- GeoJSON


def _features(value: object, limits: Limits) -> list:
    """The features of a GeoJSON object (a bare geometry as one feature), within the limit of sites."""
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise RequestError(
            422,
            "'sites' phải là GeoJSON: một hình học, một Feature hoặc một FeatureCollection.",
            "'sites' must be GeoJSON: a geometry, a Feature or a FeatureCollection.",
        )
    kind = value["type"]
    if kind == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or not features:
            raise RequestError(422, "FeatureCollection không có đối tượng nào ('features' rỗng).", "The FeatureCollection has no features.")
    elif kind == "Feature":
        features = [value]
    else:
        features = [{"type": "Feature", "geometry": value, "properties": {}}]
    if len(features) > limits.sites:
        raise RequestError(
            413,
            f"Quá nhiều địa điểm trong một yêu cầu ({len(features):,}; tối đa {limits.sites:,}).",
            f"Too many sites in one request ({len(features):,}; at most {limits.sites:,}).",
        )
    return features


def geojson_sites(value: object, crs: CRS | None, limits: Limits, name: str | None = None) -> gpd.GeoDataFrame:
    """Sites from a GeoJSON geometry, Feature or FeatureCollection (WGS 84 unless ``crs``)."""
    features = _features(value, limits)
    texts, rows = [], []
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(geometry, Mapping) or not isinstance(geometry.get("type"), str):
            raise RequestError(422, f"Đối tượng thứ {number} không có hình học GeoJSON hợp lệ.", f"Feature {number} has no valid GeoJSON geometry.")
        if geometry["type"] not in GEOJSON_TYPES or GEOJSON_TYPES[geometry["type"]] not in geometry:
            raise RequestError(
                422,
                f"Đối tượng thứ {number}: hình học '{_clip(geometry['type'])}' không hợp lệ (cần "
                f"Point, LineString, Polygon… có '{GEOJSON_TYPES.get(geometry['type'], 'coordinates')}').",
                f"Feature {number}: geometry '{_clip(geometry['type'])}' is not valid (a Point, LineString, "
                f"Polygon… with '{GEOJSON_TYPES.get(geometry['type'], 'coordinates')}' is needed).",
            )
        try:
            texts.append(json.dumps(geometry, allow_nan=False))
        except ValueError:
            raise RequestError(
                422, f"Đối tượng thứ {number} có tọa độ không phải là số hữu hạn.", f"Feature {number} has a coordinate that is not a finite number."
            ) from None
        properties = feature.get("properties") if isinstance(feature.get("properties"), Mapping) else {}
        row = {key: properties[key] for key in SITE_PROPERTIES if key in properties and _scalar(properties[key])}
        if "id" not in row and _scalar(feature.get("id")) and feature.get("id") is not None:
            row["id"] = feature["id"]
        rows.append(row)
    try:
        geometries = shapely.from_geojson(texts)
    except (shapely.errors.GEOSException, ValueError) as exc:
        raise RequestError(422, f"Hình học GeoJSON không đọc được ({exc}).", f"A GeoJSON geometry cannot be read ({exc}).") from None
    _check_geometries(geometries, limits)
    table = pd.DataFrame(rows, index=pd.RangeIndex(len(rows)))
    if name and len(table) == 1 and "name" not in table:
        table["name"] = [name]
    return gpd.GeoDataFrame(table, geometry=geometries, crs=crs or WGS84)


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _check_geometries(geometries: np.ndarray, limits: Limits) -> None:
    empty = shapely.is_empty(geometries) | shapely.is_missing(geometries)
    if empty.any():
        number = int(np.flatnonzero(empty)[0]) + 1
        raise RequestError(422, f"Địa điểm thứ {number} có hình học rỗng.", f"Site {number} has an empty geometry.")
    coordinates = shapely.get_coordinates(geometries)
    if len(coordinates) > limits.vertices:
        raise RequestError(
            413,
            f"Quá nhiều đỉnh trong một yêu cầu ({len(coordinates):,}; tối đa {limits.vertices:,}).",
            f"Too many vertices in one request ({len(coordinates):,}; at most {limits.vertices:,}).",
        )
    if not np.isfinite(coordinates).all():
        raise RequestError(422, "Có tọa độ không phải là số hữu hạn.", "A coordinate is not a finite number.")


# ------------------------------------------------------------------------- coordinates


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_CELL_SPLIT = re.compile(r"\t|\||;")
_DMS = re.compile(
    r"(?P<h1>[NSEWBĐDT])?\s*(?P<deg>\d{1,3}(?:[.,]\d+)?)\s*°\s*"
    r"(?:(?P<min>\d{1,2}(?:[.,]\d+)?)\s*'\s*)?(?:(?P<sec>\d{1,2}(?:[.,]\d+)?)\s*\"\s*)?(?P<h2>[NSEWBĐDT](?![a-zà-ỹ]))?",
    re.IGNORECASE,
)
_QUOTES = str.maketrans({"′": "'", "’": "'", "‘": "'", "`": "'", "´": "'", "″": '"', "“": '"', "”": '"', "º": "°", "˚": "°"})
_LATITUDE = set("NSB")  # B: Bắc (north)
_NEGATIVE = set("SWT")  # T: Tây (west)


def coordinate_sites(text: str, system: str, shape: str, limits: Limits, *, meridian: float | None = None, name: str | None = None) -> gpd.GeoDataFrame:
    """Sites from typed coordinates, one point per line (an optional name may start a line).

    Parameters
    ----------
    text
        The coordinates as typed or pasted (tabs, ``|`` or ``;`` may separate cells; a
        line without numbers, such as a table header, is skipped).
    system
        ``wgs84`` (latitude, longitude in decimal degrees), ``dms`` (degrees, minutes,
        seconds with ° ′ ″ and N/S/E/W or B/Đ/T), or ``vn2000`` (X northing, Y easting in
        metres on ``meridian``).
    shape
        ``point`` (each line a site), ``line`` or ``polygon`` (the points in order form
        one site).
    """
    if len(text) > limits.text_chars:
        raise RequestError(
            413, f"Văn bản tọa độ quá dài (tối đa {limits.text_chars:,} ký tự).", f"The coordinate text is too long (at most {limits.text_chars:,} characters)."
        )
    if system not in ("wgs84", "dms", "vn2000"):
        raise RequestError(
            422, f"Hệ tọa độ '{system}' không được hỗ trợ: dùng wgs84, dms hoặc vn2000.", f"Unknown coordinate system '{system}': use wgs84, dms or vn2000."
        )
    if shape not in ("point", "line", "polygon"):
        raise RequestError(422, f"Dạng '{shape}' không được hỗ trợ: dùng point, line hoặc polygon.", f"Unknown shape '{shape}': use point, line or polygon.")
    crs = WGS84 if system != "vn2000" else meridian_crs(meridian)
    labels: list[str] = []
    first: list[float] = []
    second: list[float] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parsed = _dms_line(line, number) if system == "dms" else _number_line(line, number, system)
        if parsed is None:
            continue  # a header or a note
        label, a, b = parsed
        labels.append(label or str(len(labels) + 1))
        first.append(a)
        second.append(b)
    if not first:
        raise RequestError(422, "Không tìm thấy cặp tọa độ nào trong văn bản.", "No coordinate pair was found in the text.")
    # latitude before longitude; VN-2000 X (northing) before Y (easting), the survey convention
    x, y = np.array(second), np.array(first)
    if len(x) > limits.sites:
        raise RequestError(413, f"Quá nhiều điểm ({len(x):,}; tối đa {limits.sites:,}).", f"Too many points ({len(x):,}; at most {limits.sites:,}).")
    if shape == "point":
        frame = {"id": _unique(labels), "name": [name] * len(labels) if name and len(labels) == 1 else labels}
        return gpd.GeoDataFrame(frame, geometry=shapely.points(x, y), crs=crs)
    xy = np.column_stack([x, y])
    if len(xy) > 1 and (xy[0] == xy[-1]).all():
        xy = xy[:-1]  # a table that repeats the first marker to close the ring
    distinct = len(np.unique(xy, axis=0))
    needed = 3 if shape == "polygon" else 2
    if distinct < needed:
        what_vi, what_en = ("vùng", "an area") if shape == "polygon" else ("tuyến", "a line")
        raise RequestError(
            422,
            f"Cần ít nhất {needed} điểm khác nhau để tạo {what_vi} (có {distinct}).",
            f"{needed} distinct points are needed for {what_en} ({distinct} given).",
        )
    geometry = shapely.polygons(xy) if shape == "polygon" else shapely.linestrings(xy)
    return gpd.GeoDataFrame({"id": ["1"], "name": [name or None]}, geometry=[geometry], crs=crs)


def meridian_crs(meridian: float | None) -> CRS:
    """The VN-2000 / TM-3 CRS of a central meridian, checked."""
    if meridian is None or not isinstance(meridian, (int, float)) or not math.isfinite(meridian):
        raise RequestError(
            422, "Tọa độ VN-2000 cần kinh tuyến trục (ví dụ 107.25 cho 107°15′).", "VN-2000 coordinates need their central meridian (e.g. 107.25 for 107°15′)."
        )
    if not 102 <= meridian <= 110:
        raise RequestError(422, f"Kinh tuyến trục {meridian} không thuộc Việt Nam (102–110°).", f"Central meridian {meridian} is not in Việt Nam (102–110°).")
    return tm3_crs(float(meridian))


def parse_number(text: str) -> float | None:
    """A number written the Vietnamese or the English way: ``2.506.123,45``, ``2 506 123,45``, ``2,506,123.45``, ``2506123.45``."""
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if not re.fullmatch(r"[-+]?[\d.,]*\d[\d.,]*", value):
        return None
    commas, dots = value.count(","), value.count(".")
    if commas and dots:  # the last separator marks the decimals
        decimal, thousands = (",", ".") if value.rfind(",") > value.rfind(".") else (".", ",")
        value = value.replace(thousands, "").replace(decimal, ".")
    elif commas > 1 or dots > 1:  # thousands only
        value = value.replace(",", "").replace(".", "")
    else:
        value = value.replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None


def _number_line(line: str, number: int, system: str) -> tuple[str, float, float] | None:
    cells = [c.strip() for c in _CELL_SPLIT.split(line) if c.strip()]
    if len(cells) == 1:  # no tab, | or ;: split on commas followed by a space, else on spaces
        cells = [c for c in re.split(r",\s+|\s+", cells[0]) if c]
        if len(cells) == 1 and cells[0].count(",") == 1 and system == "wgs84":
            cells = cells[0].split(",")  # "22.66,106.25"
    values = [parse_number(c) for c in cells]
    if not any(v is not None for v in values):
        return None
    label = cells[0] if values[0] is None else ""
    numbers = [v for v in values if v is not None]
    if values[0] is None and any(v is None for v in values[1:]) or len(numbers) != 2:
        raise RequestError(
            422,
            f"Dòng {number} ('{_clip(line)}'): cần đúng hai số ({'X, Y' if system == 'vn2000' else 'vĩ độ, kinh độ'}); "
            "nếu số có dấu cách hàng nghìn, hãy ngăn các cột bằng Tab, ';' hoặc '|'.",
            f"Line {number} ('{_clip(line)}'): two numbers are needed ({'X, Y' if system == 'vn2000' else 'latitude, longitude'}); "
            "if numbers have spaces between thousands, separate the columns with a tab, ';' or '|'.",
        )
    return label, numbers[0], numbers[1]


def _dms_line(line: str, number: int) -> tuple[str, float, float] | None:
    text = line.translate(_QUOTES).replace("''", '"')
    matches = [m for m in _DMS.finditer(text)]
    if not matches:
        if not _NUMBER.search(text):
            return None
        raise RequestError(
            422,
            f"Dòng {number} ('{_clip(line)}'): không đọc được độ, phút, giây – ví dụ 22°39′56″B 106°15′08″Đ.",
            f"Line {number} ('{_clip(line)}'): degrees, minutes, seconds not recognised – e.g. 22°39′56″N 106°15′08″E.",
        )
    if len(matches) != 2:
        raise RequestError(
            422,
            f"Dòng {number} ('{_clip(line)}'): cần hai tọa độ (vĩ độ và kinh độ), tìm thấy {len(matches)}.",
            f"Line {number} ('{_clip(line)}'): two coordinates are needed (latitude and longitude), {len(matches)} found.",
        )
    values, hemispheres = [], []
    for match in matches:
        degrees, minutes, seconds = (float((match.group(k) or "0").replace(",", ".")) for k in ("deg", "min", "sec"))
        if minutes >= 60 or seconds >= 60:
            raise RequestError(
                422,
                f"Dòng {number} ('{_clip(line)}'): phút và giây phải nhỏ hơn 60.",
                f"Line {number} ('{_clip(line)}'): minutes and seconds must be below 60.",
            )
        hemisphere = (match.group("h1") or match.group("h2") or "").upper()
        value = degrees + minutes / 60 + seconds / 3600
        values.append(-value if hemisphere in _NEGATIVE else value)
        hemispheres.append(hemisphere)
    label = text[: matches[0].start()].strip(" \t,;|:")
    if hemispheres[1] in _LATITUDE and hemispheres[0] not in _LATITUDE:  # longitude written first
        values.reverse()
    return label, values[0], values[1]


def _unique(labels: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}-{seen[label]}")
    return out


def _clip(text: str, width: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 1] + "…"


# ----------------------------------------------------------------------------- uploads


@contextmanager
def saved_upload(stream: BinaryIO, filename: str | None, limits: Limits) -> Iterator[Path]:
    """Copy an upload into a fresh temporary folder and yield the path the check reads.

    The folder and everything in it are removed when the block ends, whatever happens.
    """
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix not in UPLOAD_KINDS:
        known = ", ".join(sorted(UPLOAD_KINDS))
        raise RequestError(
            415,
            f"Không đọc được loại tệp '{suffix or '(không có đuôi)'}'; dùng một trong: {known}.",
            f"Files of type '{suffix or '(no suffix)'}' cannot be read; use one of: {known}.",
        )
    with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as work:
        folder = Path(work)
        saved = folder / f"upload{suffix}"
        with saved.open("wb") as out:
            total = 0
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limits.upload_bytes:
                    raise _too_large(limits.upload_bytes)
                out.write(chunk)
        if total == 0:
            raise RequestError(422, "Tệp tải lên rỗng.", "The uploaded file is empty.")
        if suffix == ".zip":
            yield _unzip_shapefile(saved, folder / "shapefile", limits)
        elif suffix == ".kmz":
            yield _unzip_kml(saved, folder / "kml", limits)
        else:
            if suffix == ".xlsx":
                _check_archive(saved, limits, "Excel")  # a workbook is a zip archive
            elif suffix == ".gpkg" and saved.read_bytes()[: len(SQLITE_MAGIC)] != SQLITE_MAGIC:
                raise RequestError(422, "Tệp .gpkg không phải là GeoPackage (SQLite).", "The .gpkg file is not a GeoPackage (SQLite).")
            yield saved


def _too_large(limit: int) -> RequestError:
    mb = limit / 1024 / 1024
    return RequestError(413, f"Tệp quá lớn: tối đa {mb:.3g} MB cho mỗi lần tải lên.", f"The file is too large: at most {mb:.3g} MB per upload.")


def _open_archive(path: Path, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise RequestError(422, f"Tệp {kind} không phải là tệp nén zip đọc được.", f"The {kind} file is not a readable zip archive.") from None


def _check_archive(path: Path, limits: Limits, kind: str) -> list[zipfile.ZipInfo]:
    """The members of an archive, refused when any is unsafe or the whole would inflate too much."""
    with _open_archive(path, kind) as archive:
        members = archive.infolist()
    if len(members) > limits.zip_members:
        raise RequestError(
            422,
            f"Tệp {kind} có quá nhiều thành phần ({len(members)}; tối đa {limits.zip_members}).",
            f"The {kind} archive has too many members ({len(members)}; at most {limits.zip_members}).",
        )
    declared = 0
    for info in members:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\x00" in name:
            raise RequestError(
                422,
                f"Tệp {kind} bị từ chối: thành phần '{_clip(name)}' trỏ ra ngoài thư mục giải nén.",
                f"The {kind} archive is refused: member '{_clip(name)}' points outside the folder it unpacks into.",
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise RequestError(
                422,
                f"Tệp {kind} bị từ chối: thành phần '{_clip(name)}' là liên kết (symlink).",
                f"The {kind} archive is refused: member '{_clip(name)}' is a link.",
            )
        if info.flag_bits & 0x1:
            raise RequestError(
                422, f"Tệp {kind} có mật khẩu (mã hóa): hãy nén lại không mật khẩu.", f"The {kind} archive is encrypted: zip it again without a password."
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.zip_ratio * max(info.compress_size, 1):
            raise _bomb(kind)
        declared += info.file_size
    if declared > limits.unzipped_bytes:
        raise _bomb(kind)
    return members


def _bomb(kind: str) -> RequestError:
    return RequestError(
        422,
        f'Tệp {kind} bị từ chối: khi giải nén sẽ quá lớn (nghi là "bom nén").',
        f"The {kind} archive is refused: it would inflate to too much data (a decompression bomb).",
    )


def _extract(path: Path, members: dict[str, zipfile.ZipInfo], folder: Path, limits: Limits, kind: str) -> None:
    """Inflate chosen members to fixed names in ``folder``, counting the bytes really written."""
    folder.mkdir()
    total = 0
    with _open_archive(path, kind) as archive:
        for target, info in members.items():
            written = 0
            try:
                with archive.open(info) as source, (folder / target).open("wb") as out:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > max(info.file_size, 0) or total > limits.unzipped_bytes:
                            raise _bomb(kind)
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:  # a damaged or unsupported member
                raise RequestError(
                    422,
                    f"Tệp {kind} bị hỏng: không giải nén được thành phần '{_clip(info.filename)}' ({exc}); hãy nén hoặc xuất lại tệp.",
                    f"The {kind} archive is damaged: member '{_clip(info.filename)}' cannot be unpacked ({exc}); zip or export the file again.",
                ) from None


def _unzip_shapefile(path: Path, folder: Path, limits: Limits) -> Path:
    members = _check_archive(path, limits, "zip")
    shapes = [m for m in members if not m.is_dir() and m.filename.lower().endswith(".shp")]
    if len(shapes) != 1:
        found = ", ".join(PurePosixPath(m.filename).name for m in shapes[:5])
        vi = "Tệp zip không chứa shapefile (.shp) nào." if not shapes else f"Tệp zip chứa {len(shapes)} shapefile ({found}): mỗi tệp zip chỉ một shapefile."
        en = "The zip holds no shapefile (.shp)." if not shapes else f"The zip holds {len(shapes)} shapefiles ({found}): one shapefile per zip."
        raise RequestError(422, vi, en)
    stem = shapes[0].filename[: -len(".shp")]
    parts = {
        f"site{m.filename[len(stem) :].lower()}": m for m in members if m.filename[: len(stem)] == stem and m.filename[len(stem) :].lower() in SHAPEFILE_PARTS
    }
    if "site.dbf" not in parts or "site.shx" not in parts:
        raise RequestError(422, "Shapefile trong tệp zip thiếu tệp .dbf hoặc .shx đi kèm.", "The shapefile in the zip lacks its .dbf or .shx file.")
    _extract(path, parts, folder, limits, "zip")
    return folder / "site.shp"


def _unzip_kml(path: Path, folder: Path, limits: Limits) -> Path:
    members = _check_archive(path, limits, "KMZ")
    kml = [m for m in members if not m.is_dir() and m.filename.lower().endswith(".kml")]
    if not kml:
        raise RequestError(422, "Tệp KMZ không chứa tệp .kml nào.", "The KMZ holds no .kml file.")
    chosen = next((m for m in kml if m.filename.lower() == "doc.kml"), kml[0])  # the KMZ convention: doc.kml at the root
    _extract(path, {"doc.kml": chosen}, folder, limits, "KMZ")
    return folder / "doc.kml"
