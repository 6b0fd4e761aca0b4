"""The one front door for input layers: read, check, repair and reproject.

Every entry point (build, check, the Python API) reads its inputs here, so every input
gets the same checks and the same clear errors:

- a GeoPackage whose layer names are layer kinds, or a folder of files named by kind
  (GeoPackage, shapefile, zipped shapefile, GeoJSON), or a mapping kind → GeoDataFrame;
- a missing CRS, an empty layer, a wrong geometry type, a missing or unknown attribute
  value, or legacy TCVN3/VNI text is an :class:`~zoning.errors.InputError` naming the
  file, layer, feature ids and what to do;
- invalid geometries are repaired when that is safe, and every repair is reported;
- everything is reprojected to the province CRS with the pinned VN-2000 transformation.

Inputs are only ever read, never written.
"""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from zoning.errors import InputError
from zoning.files import check_input_file
from zoning.inputs import crs as _crs
from zoning.inputs.catalogue import Catalogue, LayerKind, load_catalogue
from zoning.inputs.dates import DateError, parse_date
from zoning.inputs.encoding import decode_legacy, detect_legacy_encoding
from zoning.inputs.fields import recognise
from zoning.inputs.problems import LayerStopped, Problem, Report
from zoning.inputs.text import clean_column, clean_text, has_control, has_format_codes, invisible_codes, visible

VECTOR_SUFFIXES = (".gpkg", ".shp", ".zip", ".geojson", ".json", ".kml", ".kmz", ".tab", ".mif", ".dgn")
SIDECARS = {".shp": None, ".tab": None, ".mif": (".mid",)}  # files read with the main one (None: every <stem>.*)
NUMERIC_ATTRIBUTES = {"width_m", "corridor_m", "buffer_m", "capacity_m3d", "protection_m", "population"}
DATE_SUFFIX = "_date"  # attributes read by zoning.inputs.dates (decision_date, …); kept as ISO text (a year alone as the year)
FAMILY_TYPES = {
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString"},
    "point": {"Point", "MultiPoint"},
}
MAX_REPAIR_CHANGE = 0.01  # a repair that changes an area by more than 1 % is not "safe"
# A polygon part whose area is below this × its perimeter² has its vertices on one line (floating-point dust, not land):
# a 100 km ring 0.4 mm wide; a 1 m wide road 100 km long is 2.5e-6. Unit-free, so judged the same in degrees and in metres
DEGENERATE_RATIO = 1e-9
MAX_LISTED_IDS = 8
SHAPEFILE_NAME_LENGTH = 10
DIGEST_BLOCK = 1 << 20
MAPPING_SUFFIXES = (".yaml", ".yml")  # a mapping file: see zoning.inputs.mapping
DGN_ELEMENT_COLUMNS = ("Type", "Level", "GraphicGroup", "ColorIndex", "Weight", "Style", "EntityNum", "MSLink", "ULink")


@dataclass(frozen=True)
class Repair:
    """One geometry repaired on reading."""

    kind: str
    origin: str
    feature_id: str
    reason: str
    area_change_pct: float


@dataclass(frozen=True)
class Source:
    """Where a layer came from."""

    kind: str
    origin: str
    sha256: str
    features: int


@dataclass
class LayerSet:
    """Checked layers in one CRS, with where they came from and what was repaired.

    ``crs`` is None only for layers read each in its own CRS (a layer check without a province).
    """

    crs: CRS | None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extents: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)  # per kind: lon/lat bounds as read

    def __contains__(self, kind: object) -> bool:
        return kind in self.layers

    def __getitem__(self, kind: str) -> gpd.GeoDataFrame:
        return self.layers[kind]


InputLike = str | Path | Mapping[str, "gpd.GeoDataFrame | str | Path"]


def read_layers(
    source: InputLike,
    target_crs: CRS | None,
    *,
    catalogue: Catalogue | None = None,
    legacy_encoding: str | None = None,
    progress: Callable[[str], None] | None = None,
    problems: list[Problem] | None = None,
) -> LayerSet:
    """Read every layer kind found in ``source``, checked and in ``target_crs``.

    Parameters
    ----------
    source
        A GeoPackage, a folder of files named by kind, a mapping file (``.yaml``: see
        :mod:`zoning.inputs.mapping`), or a mapping kind → GeoDataFrame or path.
    target_crs
        The province CRS (see :func:`zoning.crs.tm3_crs`); None (a layer check without a
        province) keeps each layer in its own CRS.
    legacy_encoding
        ``"TCVN3"`` or ``"VNI"`` to convert text from those legacy encodings; without it
        such text is an error that says which encoding was detected.
    progress
        Called with each kind's name before it is read.
    problems
        When given, every problem of every layer is appended to it (a layer check) instead
        of the first being raised (a build); the layers without problems are returned.

    Returns
    -------
    LayerSet
        The layers by kind, with where each came from and the repairs made.

    Raises
    ------
    InputError
        Naming the file, layer, features and what to do.

    Examples
    --------
    >>> import zoning
    >>> from zoning.inputs.crs import tm3_crs
    >>> demo = zoning.demo_paths()
    >>> layers = zoning.read_layers(demo.layers, tm3_crs(demo.province.central_meridian))
    >>> layers["communes"].crs.to_epsg(), len(layers["communes"])
    (9210, 56)
    """
    catalogue = catalogue or load_catalogue()
    result = LayerSet(crs=target_crs)
    found = 0
    try:
        for kind, origin, load in _discover(source, catalogue, result.notes):
            found += 1
            if progress:
                progress(kind)
            before = len(problems) if problems is not None else 0
            try:
                raw, digest = load()
                layer, repairs = check_layer(raw, catalogue[kind], origin, target_crs, legacy_encoding, result.notes,
                                             catalogue=catalogue, problems=problems)
            except InputError as exc:
                if problems is None:
                    raise
                problems.append(Problem(kind, origin, (exc.message_vi, exc.message_en), exc.hint_pair or ("", "")))
                continue
            except LayerStopped:
                continue
            if problems is not None and len(problems) > before:
                continue
            result.extents[kind] = _crs.lonlat_bounds(tuple(raw.total_bounds), CRS(raw.crs))
            result.layers[kind] = layer
            result.repairs.extend(repairs)
            result.sources.append(Source(kind, origin, digest, len(layer)))
    except InputError as exc:  # the input as a whole cannot be read
        if problems is None:
            raise
        problems.append(Problem("", str(source) if not isinstance(source, Mapping) else "", (exc.message_vi, exc.message_en), exc.hint_pair or ("", "")))
        return result
    if not found:
        known = ", ".join(catalogue.kinds)
        nothing = (f"{source}: không có lớp dữ liệu nào mang tên một loại lớp dữ liệu", f"{source}: no layer named after a layer kind")
        Report(problems, "", str(source))(nothing, (f"đặt tên lớp hoặc tệp theo các loại: {known}", f"name layers or files after the kinds: {known}"))
    return result


def gdal_path(path: Path) -> str:
    """The name GDAL opens ``path`` by: a zip through ``/vsizip/``, and a KMZ as the KML
    document inside it when this GDAL lacks the LIBKML driver (its plain KML driver
    reads no KMZ).
    """
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return f"/vsizip/{path}"
    if suffix == ".kmz" and "LIBKML" not in pyogrio.list_drivers():
        try:
            with zipfile.ZipFile(path) as kmz:
                documents = sorted((n for n in kmz.namelist() if n.lower().endswith(".kml")), key=lambda n: (n != "doc.kml", n.count("/"), n))
        except (zipfile.BadZipFile, OSError):
            return str(path)
        if documents:
            return f"/vsizip/{path}/{documents[0]}"
    return str(path)


def read_vector(path: str | Path, layer: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read one vector layer from a file, with a clear error when it cannot be read.

    Anything GDAL reads: GeoPackage, shapefile (also zipped), GeoJSON, KML and KMZ,
    MapInfo TAB and MIF, MicroStation DGN v7 (which carries no CRS).
    """
    path = check_input_file(path, ("tệp dữ liệu vector", "vector file"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(gdal_path(path), layer=layer, encoding=encoding)
        if path.suffix.lower() == ".dgn":  # the element's drawing properties are not attributes (its 'Type' is not a project type)
            frame = frame.drop(columns=[c for c in DGN_ELEMENT_COLUMNS if c in frame])
        if getattr(frame, "crs", None) is not None and CRS(frame.crs).is_engineering:  # "Undefined Cartesian SRS": a GeoPackage saved without a CRS
            frame = frame.set_crs(None, allow_override=True)
        return frame
    except UnicodeDecodeError as exc:
        raise InputError(
            (f"{path}{_at(layer, 'vi')}: văn bản không đúng bảng mã đã khai báo ({exc.reason})", f"{path}{_at(layer)}: text is "
                f"not valid in its declared encoding ({exc.reason})"),
            ("sửa hoặc thêm tệp .cpg cạnh shapefile (ví dụ UTF-8 hoặc CP1258)", "fix or add the .cpg file next to the shapefile (e.g. UTF-8 or CP1258)"),
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputError((f"{path}{_at(layer, 'vi')}: không đọc được thành lớp dữ liệu vector ({exc})", f"{path}{_at(layer)}: cannot be "
            f"read as a vector layer ({exc})"),
                         ("mở tệp bằng QGIS để kiểm tra, rồi lưu lại dưới dạng GeoPackage", "open it in QGIS to check it, "
                             "then save it again as GeoPackage")) from None


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file and, for a shapefile, of its sidecar files."""
    path = Path(path)
    paths = [path]
    suffix = path.suffix.lower()
    if suffix in SIDECARS:
        wanted = SIDECARS[suffix]
        paths += sorted(p for p in path.parent.glob(path.stem + ".*") if p != path and (wanted is None or p.suffix.lower() in wanted))
    digest = hashlib.sha256()
    for part in paths:
        with check_input_file(part).open("rb") as handle:
            for block in iter(lambda: handle.read(DIGEST_BLOCK), b""):
                digest.update(block)
    return digest.hexdigest()


def check_layer(
    raw: gpd.GeoDataFrame,
    kind: LayerKind,
    origin: str,
    target_crs: CRS | None,
    legacy_encoding: str | None = None,
    notes: list[str] | None = None,
    *,
    catalogue: Catalogue | None = None,
    problems: list[Problem] | None = None,
) -> tuple[gpd.GeoDataFrame, list[Repair]]:
    """Check one layer against its kind and return it clean, in ``target_crs``.

    The result has a text ``source_id`` column, the kind's attributes that are present
    (lower-case names, normalised values), text in composed Unicode without control
    characters (``notes`` gets a line naming the features and columns cleaned), and valid
    geometries: repaired as drawn (in the layer's own CRS) when that is safe, then
    reprojected. With ``catalogue``, the columns are recognised by its other names
    (:mod:`zoning.inputs.fields`) and the columns left unused are named in ``notes``; with
    ``problems``, every problem is appended to it instead of the first being raised.
    """
    where = f"{origin} ({kind.name})"
    report = Report(problems, kind.name, origin)
    if len(raw) == 0:
        report((f"{where}: lớp dữ liệu rỗng", f"{where}: the layer is empty"),
               ("cho ít nhất một đối tượng, hoặc bỏ lớp này ra", "give at least one feature or leave the layer out"), stop=True)
    reprojectable = _check_crs(raw, where, origin, report)
    raw = _clean_names(raw, where, notes)
    if catalogue is not None:
        found = recognise(raw, kind, catalogue, where, raw.geometry.name)
        frame = raw.rename(columns=found.renames).drop(columns=found.unused)
        if notes is not None:
            notes.extend(found.notes)
    else:
        frame = raw.rename(columns={c: c.lower() for c in raw.columns if c != raw.geometry.name})
        frame = frame.rename(columns=_untruncated(frame.columns, kind))
    frame = frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame
    frame = _fix_text(frame, where, legacy_encoding, report)  # first: TCVN3 "ư" is byte 0xAD, read as the soft hyphen U+00AD
    frame, controlled = _clean_text(frame)
    ids = _feature_ids(frame)
    for column, (mask, codes) in controlled.items():
        if notes is not None:
            notes.append(_cleaned_note(where, f"cột '{column}' của các đối tượng {_listed(ids[mask], 'vi')}",
                                       f"column '{column}' of feature(s) {_listed(ids[mask])}", codes))
    usable = _check_geometry_types(frame.geometry, kind, ids, where, report)
    attributes = _check_attributes(frame, kind, ids, where, report)
    geometries = frame.geometry.to_numpy().copy()
    geometries[~usable] = None
    geometries, repairs = _repair(geometries, kind, ids, origin, report)  # as drawn
    geometries = _check_degenerate(geometries, kind, ids, origin, report)  # in the layer's own CRS, before reprojection bends a flat ring into land
    if target_crs is None:  # a layer check without a province: kept as drawn
        target_crs = CRS(frame.crs) if reprojectable else None
    elif reprojectable:
        drawn = ~shapely.is_missing(geometries)
        geometries[drawn] = _crs.reproject(geometries[drawn], CRS(frame.crs), target_crs)
        geometries, reprojected = _repair(geometries, kind, ids, origin, report)  # what reprojection made invalid
        repairs += reprojected
    out = gpd.GeoDataFrame(attributes, geometry=geometries, crs=target_crs)
    out.insert(0, "source_id", ids)
    return out.reset_index(drop=True), repairs


def _check_crs(raw: gpd.GeoDataFrame, where: str, origin: str, report: Report) -> bool:
    """Whether the layer has a CRS its coordinates fit (else a problem)."""
    if raw.crs is None:
        dgn = origin.lower().split(":")[0].endswith(".dgn")
        report(
            (f"{where}: lớp không có hệ tọa độ (CRS)" + (" (tệp MicroStation DGN không bao giờ mang hệ tọa độ)" if dgn else ""),
             f"{where}: the layer has no coordinate reference system" + (" (MicroStation DGN files never carry one)" if dgn else "")),
            ("thêm tệp .prj hoặc gán hệ tọa độ trong QGIS (Layer ▸ Set CRS) rồi lưu lại dưới dạng GeoPackage"
             + ("; với địa điểm, cho hệ tọa độ bằng --crs, ví dụ --crs tm3:107.25 cho VN-2000 / TM-3 107°15'"
               " (lệnh `zoning provinces` liệt kê kinh tuyến trục từng tỉnh)" if dgn else ""),
             "add the .prj file or set the CRS in QGIS (Layer ▸ Set CRS) and save again as GeoPackage"
             + ("; for sites give it with --crs, e.g. --crs tm3:107.25 for VN-2000 / TM-3 107°15'"
               " (`zoning provinces` lists each province's meridian)" if dgn else "")),
        )
        return False
    if CRS(raw.crs).is_geographic and not lonlat_in_range(raw):
        xmin, _, xmax, _ = raw.total_bounds
        report(
            (f"{where}: tệp ghi tọa độ là kinh độ/vĩ độ ({CRS(raw.crs).name}) nhưng thực ra không phải (x {xmin:.0f}–{xmax:.0f}); "
             "GeoJSON luôn được đọc theo WGS 84",
             f"{where}: the file says its coordinates are longitude/latitude ({CRS(raw.crs).name}) but they are not "
             f"(x {xmin:.0f}–{xmax:.0f}); GeoJSON is always read as WGS 84"),
            ("lưu lớp với đúng hệ tọa độ của nó (ví dụ EPSG:9215, VN-2000 / TM-3 107-15) dưới dạng GeoPackage, hoặc shapefile có tệp .prj",
             "save the layer with its real CRS (e.g. EPSG:9215, VN-2000 / TM-3 107-15) as a GeoPackage or shapefile with .prj"),
        )
        return False
    return True


# --------------------------------------------------------------------------- discovery


Loader = Callable[[], tuple[gpd.GeoDataFrame, str]]  # reads one layer: (raw frame, sha256)


def _discover(source: InputLike, catalogue: Catalogue, notes: list[str]) -> Iterator[tuple[str, str, Loader]]:
    """Yield (kind, origin, loader) for every layer kind in ``source``; a loader raises what is wrong with its layer."""
    if isinstance(source, Mapping):
        yield from _discover_mapping(source, catalogue)
        return
    path = Path(source)
    if not path.exists():
        raise InputError((f"không tìm thấy dữ liệu đầu vào: {path}", f"input not found: {path}"),
                         ("chỉ ra một GeoPackage, một thư mục chứa các tệp lớp dữ liệu hoặc một tệp ánh xạ (.yaml)",
                          "give a GeoPackage, a folder of layer files or a mapping file (.yaml)"))
    if path.is_dir():
        yield from _discover_folder(path, catalogue, notes)
        return
    check_input_file(path, ("tệp lớp dữ liệu đầu vào", "input layer file"))
    if path.suffix.lower() == ".gpkg":
        yield from _discover_geopackage(path, catalogue, notes)
    elif path.suffix.lower() in MAPPING_SUFFIXES:
        from zoning.inputs.mapping import load_mapping

        for entry in load_mapping(path, catalogue):
            yield entry.kind, entry.origin, entry.load
    else:
        kind = path.name.split(".")[0].lower()
        _known_kind(kind, catalogue, str(path))
        yield kind, str(path), partial(_read_file, path)


def _discover_mapping(source: Mapping, catalogue: Catalogue) -> Iterator[tuple[str, str, Loader]]:
    """Layers given as a mapping kind → GeoDataFrame or path."""
    for kind, value in source.items():
        _known_kind(kind, catalogue, "input mapping")
        if isinstance(value, gpd.GeoDataFrame):
            yield kind, str(value.attrs.get("origin", f"<{kind} GeoDataFrame>")), partial(_given_frame, value)  # a caller may name it
        else:
            yield kind, str(value), partial(_read_file, Path(value))


def _discover_folder(path: Path, catalogue: Catalogue, notes: list[str]) -> Iterator[tuple[str, str, Loader]]:
    """Layers of a folder whose files are named by kind (one file per kind)."""
    by_kind: dict[str, list[Path]] = {}
    for file in sorted(p for p in path.iterdir() if p.suffix.lower() in VECTOR_SUFFIXES):
        kind = _kind_name(file.name.split(".")[0], f"{path}: ", notes)
        if kind not in catalogue:
            notes.append(f"đã bỏ qua {file.name}: tên tệp không phải một loại lớp dữ liệu / ignored {file.name}: not named after a layer kind")
            continue
        by_kind.setdefault(kind, []).append(file)
    for kind, files in by_kind.items():
        if len(files) > 1:
            yield kind, str(path), _refused(InputError((f"{path}: có hai tệp cho loại lớp dữ liệu '{kind}': {files[0].name} và {files[1].name}",
                                                        f"{path}: two files for layer kind '{kind}': {files[0].name} and {files[1].name}"),
                                                       ("chỉ giữ lại một tệp", "keep one")))
        else:
            yield kind, str(files[0]), partial(_read_file, files[0])


def _read_file(path: Path) -> tuple[gpd.GeoDataFrame, str]:
    return read_vector(path), file_digest(path)


def _read_frame(frame: gpd.GeoDataFrame, digest: str) -> tuple[gpd.GeoDataFrame, str]:
    return frame, digest


def _given_frame(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    return frame, frame_digest(frame)


def _refused(error: InputError) -> Loader:
    def load() -> tuple[gpd.GeoDataFrame, str]:
        raise error

    return load


def _discover_geopackage(path: Path, catalogue: Catalogue, notes: list[str]) -> Iterator[tuple[str, str, Loader]]:
    """Layers of a GeoPackage whose layer names are kinds."""
    digest = file_digest(path)
    try:
        names = [name for name, _ in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as exc:
        raise InputError((f"{path}: không đọc được tệp GeoPackage ({exc})", f"{path}: not a readable GeoPackage ({exc})"),
                         ("mở tệp bằng QGIS để kiểm tra, rồi lưu lại dưới dạng GeoPackage", "open it in QGIS to check it, "
                             "then save it again as GeoPackage")) from None
    empty = []
    for name in names:
        kind = _kind_name(name, f"{path.name}: ", notes)
        if kind not in catalogue:
            if name != "layer_styles":  # QGIS's own table of styles
                shown = visible(name)
                notes.append(f"đã bỏ qua lớp '{shown}' trong {path.name}: không phải một loại lớp dữ liệu / "
                             f"ignored layer '{shown}' in {path.name}: not a layer kind")
            continue
        try:
            frame = read_vector(path, layer=name)
        except InputError as exc:
            yield kind, f"{path}:{name}", _refused(exc)
            continue
        if frame.empty:  # a workspace GeoPackage (``zoning init``) has one layer per kind, most of them not drawn yet
            empty.append(name)
            continue
        yield kind, f"{path}:{name}", partial(_read_frame, frame, digest)
    if empty:
        notes.append(f"{path.name}: các lớp rỗng, chưa dùng: {', '.join(empty)} / empty layers, not used: {', '.join(empty)}")


def _kind_name(name: str, where: str, notes: list[str]) -> str:
    """The layer kind a layer or file is named after: lower case, without invisible characters (each removal noted)."""
    kind = str(clean_text(name)).strip().lower()
    if has_control(name):
        notes.append(_cleaned_note(where.rstrip(": "), f"tên '{visible(name)}'", f"the name '{visible(name)}'", invisible_codes([name])))
    return kind


def _known_kind(kind: str, catalogue: Catalogue, where: str) -> None:
    if kind not in catalogue:
        known = ", ".join(catalogue.kinds)
        raise InputError((f"{where}: không có loại lớp dữ liệu '{kind}'", f"{where}: unknown layer kind '{kind}'"),
                         (f"các loại lớp dữ liệu: {known}", f"known kinds: {known}"))


def frame_digest(frame: gpd.GeoDataFrame) -> str:
    """SHA-256 of a GeoDataFrame's attributes and geometry (for frames given in memory)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame.drop(columns=frame.geometry.name), index=True).to_numpy().tobytes())
    digest.update(b"".join(shapely.to_wkb(frame.geometry.values, hex=False)))
    return digest.hexdigest()


def _at(layer: str | None, lang: str = "en") -> str:
    return f" {'lớp' if lang == 'vi' else 'layer'} '{layer}'" if layer else ""


# ----------------------------------------------------------------------------- checks


def lonlat_in_range(frame: gpd.GeoDataFrame) -> bool:
    """Whether a layer's coordinates can be longitude/latitude at all."""
    xmin, ymin, xmax, ymax = frame.total_bounds
    return bool(np.isnan(xmin) or (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90))


def _untruncated(columns: pd.Index, kind: LayerKind) -> dict[str, str]:
    """Shapefiles cut field names to 10 characters: map e.g. ``protection`` back."""
    return {a[:SHAPEFILE_NAME_LENGTH]: a for a in kind.attributes if a not in columns and a[:SHAPEFILE_NAME_LENGTH] in columns}


def _feature_ids(frame: gpd.GeoDataFrame) -> np.ndarray:
    if "id" in frame.columns and frame["id"].notna().all() and frame["id"].astype(str).is_unique:
        column = frame["id"]
        if pd.api.types.is_float_dtype(column) and (column == column.round()).all():  # 10723.0 from a float column: 10723
            column = column.astype("int64")
        return column.astype(str).to_numpy()
    return np.array([str(i) for i in range(1, len(frame) + 1)], dtype=object)


def _listed(ids: np.ndarray, lang: str = "en") -> str:
    """Feature ids, the first few (then how many more), for a message in ``lang``."""
    shown = ", ".join(map(str, ids[:MAX_LISTED_IDS]))
    more = len(ids) - MAX_LISTED_IDS
    if more <= 0:
        return shown
    return shown + (f" và {more} đối tượng khác" if lang == "vi" else f" and {more} more")


def _check_geometry_types(geometry: gpd.GeoSeries, kind: LayerKind, ids: np.ndarray, where: str, report: Report) -> np.ndarray:
    """Which features have a geometry of the kind's families with every coordinate given (the others are problems)."""
    missing = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    if missing.any():
        report(
            (f"{where}: các đối tượng {_listed(ids[missing], 'vi')} không có hình học", f"{where}: feature(s) {_listed(ids[missing])} have no geometry"),
            ("vẽ hoặc xóa các đối tượng đó", "draw them or delete them"), field="geometry", features=ids[missing],
        )
    coordinates, owner = shapely.get_coordinates(geometry.to_numpy(), return_index=True)
    broken = np.unique(owner[~np.isfinite(coordinates).all(axis=1)])
    if len(broken):
        report(
            (f"{where}: các đối tượng {_listed(ids[broken], 'vi')} có đỉnh không có tọa độ (NaN hoặc vô hạn)",
             f"{where}: feature(s) {_listed(ids[broken])} have a vertex with no coordinate (NaN or infinite)"),
            ("sửa hoặc xóa các đỉnh đó trong QGIS (Vertex Tool) rồi lưu lại", "fix or delete those vertices in QGIS (Vertex Tool) and save again"),
            field="geometry", features=ids[broken],
        )
    allowed = set().union(*(FAMILY_TYPES[f] for f in kind.geometry))
    types = geometry.geom_type.to_numpy()
    wrong = ~np.isin(types, list(allowed)) & ~missing
    if wrong.any():
        found, families = ", ".join(sorted(set(types[wrong]))), "/".join(kind.geometry)
        report(
            (f"{where}: các đối tượng {_listed(ids[wrong], 'vi')} có hình học {found}; lớp {kind.name} chỉ nhận hình học {families}",
             f"{where}: feature(s) {_listed(ids[wrong])} are {found}; a {kind.name} layer takes {families} geometries"),
            (f"chuyển các đối tượng đó sang lớp đúng loại, hoặc vẽ lại chúng dạng {families}",
             f"move those features to a layer of their kind, or redraw them as {families}"),
            field="geometry", features=ids[wrong], values=types[wrong],
        )
    usable = ~missing & ~wrong
    usable[broken] = False
    return usable


def _check_attributes(frame: gpd.GeoDataFrame, kind: LayerKind, ids: np.ndarray, where: str, report: Report) -> pd.DataFrame:
    missing = [a for a in kind.required if a not in frame.columns]
    if missing:
        present = ", ".join(c for c in frame.columns if c != "geometry")
        report((f"{where}: thiếu thuộc tính {', '.join(missing)} (đang có: {present or 'không có'})",
                f"{where}: missing attribute(s) {', '.join(missing)} (present: {present or 'none'})"),
               ("thêm các cột đó vào bảng thuộc tính của lớp (QGIS: Field Calculator) rồi lưu lại, hoặc chỉ ra cột nào chứa chúng "
                "trong tệp ánh xạ (fields:)",
                "add those columns to the layer's attribute table (QGIS: Field Calculator) and save again, or say which columns "
                "hold them in a mapping file (fields:)"), field=", ".join(missing))
    out = pd.DataFrame(index=frame.index)
    for attribute in kind.attributes:
        if attribute == "id" or (attribute not in frame.columns and attribute not in kind.defaults):
            continue
        column = frame[attribute] if attribute in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        if attribute in NUMERIC_ATTRIBUTES:
            out[attribute] = _numeric(column, ids, where, attribute, report)
            continue
        if attribute == "illustrative":
            out[attribute] = column.fillna(False).astype(str).str.lower().isin(["true", "1", "yes"])
            continue
        if attribute.endswith(DATE_SUFFIX):
            out[attribute] = _dates(column, ids, where, attribute, report)
            continue
        out[attribute] = _text_attribute(column, kind, attribute, ids, where, report)
    return out


def _text_attribute(column: pd.Series, kind: LayerKind, attribute: str, ids: np.ndarray, where: str, report: Report) -> pd.Series:
    """A text attribute stripped, required values given, coded values among those allowed (normalised), defaults filled in."""
    text = column.astype("string").str.strip()
    text = text.mask(text == "")
    if attribute in kind.required and text.isna().any():
        empty = ids[text.isna().to_numpy()]
        report((f"{where}: các đối tượng {_listed(empty, 'vi')} không có giá trị '{attribute}'",
                f"{where}: feature(s) {_listed(empty)} have no value for '{attribute}'"),
               (f"điền giá trị '{attribute}' cho các đối tượng đó", f"fill in '{attribute}' for those features"),
               field=attribute, features=empty)
    allowed = kind.values.get(attribute)
    if allowed:
        canonical = {v.lower(): v for v in allowed}
        normalised = text.str.lower().map(canonical)
        bad = (text.notna() & normalised.isna()).to_numpy(bool)
        if bad.any():
            values, features = ", ".join(visible(v) for v in sorted(set(text[bad].astype(str)))), ids[bad]
            report(
                (f"{where}: giá trị không hợp lệ của '{attribute}': {values} (các đối tượng {_listed(features, 'vi')})",
                 f"{where}: unknown value(s) of '{attribute}': {values} (features {_listed(features)})"),
                (f"các giá trị được phép: {', '.join(allowed)} (hoặc đổi giá trị bằng values: trong tệp ánh xạ)",
                 f"allowed values: {', '.join(allowed)} (or translate the values with values: in a mapping file)"),
                field=attribute, features=features, values=text[bad].astype(str).tolist(),
            )
        text = normalised
    if attribute in kind.defaults:
        text = text.fillna(kind.defaults[attribute])
    return text.astype(object).where(text.notna(), None)


def _numeric(column: pd.Series, ids: np.ndarray, where: str, attribute: str, report: Report) -> pd.Series:
    values = pd.to_numeric(column, errors="coerce")
    bad = (column.notna() & (column.astype(str).str.strip() != "") & values.isna()).to_numpy(bool)
    hint = ("nhập một số không âm, hoặc để trống để dùng giá trị mặc định", "give a number, zero or more, or leave it empty for the default")
    if bad.any():
        features = ids[bad]
        report((f"{where}: '{attribute}' không phải là số ở các đối tượng {_listed(features, 'vi')}",
                f"{where}: '{attribute}' is not a number for feature(s) {_listed(features)}"), hint,
               field=attribute, features=features, values=column[bad].tolist())
    negative = (values < 0).to_numpy(bool)
    if negative.any():
        features = ids[negative]
        report((f"{where}: '{attribute}' là số âm ở các đối tượng {_listed(features, 'vi')}",
                f"{where}: '{attribute}' is negative for feature(s) {_listed(features)}"), hint,
               field=attribute, features=features, values=values[negative].tolist())
    infinite = np.isinf(values.astype(float).to_numpy())
    if infinite.any():
        features = ids[infinite]
        report((f"{where}: '{attribute}' là vô hạn ở các đối tượng {_listed(features, 'vi')}",
                f"{where}: '{attribute}' is infinite for feature(s) {_listed(features)}"), hint,
               field=attribute, features=features, values=values[infinite].tolist())
    return values.astype(float)


def _dates(column: pd.Series, ids: np.ndarray, where: str, attribute: str, report: Report) -> pd.Series:
    """A date column read by :func:`zoning.inputs.dates.parse_date`: ISO text, a year alone kept as the year (approximate)."""
    out: list[str | None] = []
    for value, feature in zip(column.to_numpy(object), ids):
        try:
            parsed = parse_date(value)
        except DateError as error:
            report((f"{where}: đối tượng {feature}, '{attribute}' {error.vi}", f"{where}: feature {feature}, '{attribute}' {error.en}"),
                   error.hint, field=attribute, features=[feature], values=[value])
            out.append(None)
            continue
        out.append(None if parsed is None else str(parsed.date.year) if parsed.approximate else parsed.date.isoformat())
    return pd.Series(out, index=column.index, dtype=object)


def _text_columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [c for c in frame.columns if c != "geometry" and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]


def _clean_text(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, tuple[np.ndarray, list[str]]]]:
    """Text columns in composed Unicode without control or format characters; per column, the features that had some and which."""
    controlled = {}
    for column in _text_columns(frame):
        cleaned, mask = clean_column(frame[column])
        if mask.any():
            controlled[column] = (mask, invisible_codes(frame[column].to_numpy(object)[mask]))
        if cleaned is not frame[column]:
            frame = frame.assign(**{column: cleaned.to_numpy(object)})
    return frame, controlled


def _clean_names(raw: gpd.GeoDataFrame, where: str, notes: list[str] | None) -> gpd.GeoDataFrame:
    """Column names without control or format characters (a zero-width space hides a column named ``name``)."""
    dirty = [c for c in raw.columns if has_control(c)]
    if not dirty:
        return raw
    names = {c: str(clean_text(c)).strip() for c in dirty}
    if notes is not None:
        shown = ", ".join(f"'{visible(c)}' → '{names[c]}'" for c in dirty)
        notes.append(_cleaned_note(where, f"tên cột {shown}", f"column name(s) {shown}", invisible_codes(dirty)))
    return raw.rename(columns=names)


def _cleaned_note(where: str, vi: str, en: str, codes: list[str]) -> str:
    """The note of characters removed at the front door, naming them (``U+200B``)."""
    listed = ", ".join(codes)
    if has_format_codes(codes):
        return f"{where}: đã bỏ ký tự vô hình ({listed}) ở {vi} / invisible characters ({listed}) removed from {en}"
    return f"{where}: đã bỏ ký tự điều khiển ({listed}) ở {vi} / control characters removed from {en} ({listed})"


def _fix_text(frame: gpd.GeoDataFrame, where: str, legacy_encoding: str | None, report: Report) -> gpd.GeoDataFrame:
    text_columns = _text_columns(frame)
    texts = [v if isinstance(v, str) else str(v) for c in text_columns for v in frame[c].dropna().to_numpy(object).tolist()]
    detected = detect_legacy_encoding(texts)
    if detected is None:
        return frame
    if legacy_encoding is None:
        sample = next(t for t in texts if decode_legacy(t, detected) != t)
        decoded = decode_legacy(sample, detected)
        report(
            (f"{where}: văn bản có vẻ dùng bảng mã {detected} (bảng mã phông chữ tiếng Việt cũ): '{sample}' sẽ đọc là '{decoded}'",
             f"{where}: text looks {detected}-encoded (an old Vietnamese font encoding): '{sample}' would read '{decoded}'"),
            (f"chạy lại với --legacy-encoding {detected.lower()} để chuyển mã, hoặc chuyển tệp sang UTF-8",
             f"re-run with --legacy-encoding {detected.lower()} to convert it, or convert the file to UTF-8"),
            values=[sample],
        )
        return frame
    frame = frame.copy()
    for column in text_columns:
        frame[column] = frame[column].map(lambda v: decode_legacy(v, legacy_encoding.upper()) if isinstance(v, str) else v)
    return frame


def _repair(geometries: np.ndarray, kind: LayerKind, ids: np.ndarray, origin: str, report: Report) -> tuple[np.ndarray, list[Repair]]:
    invalid = ~shapely.is_valid(geometries) & ~shapely.is_missing(geometries)
    if not invalid.any():
        return geometries, []
    geometries = geometries.copy()
    reasons = shapely.is_valid_reason(geometries[invalid])
    fixed = shapely.make_valid(geometries[invalid], method="structure", keep_collapsed=False)
    repairs = []
    families = set().union(*(FAMILY_TYPES[f] for f in kind.geometry))
    for index, (before, after, reason) in zip(np.flatnonzero(invalid), zip(geometries[invalid], fixed, reasons)):
        after = _keep_family(after, families)
        area_before = shapely.area(before)  # shoelace area as drawn
        polygonal = "polygon" in kind.geometry and after is not None and after.geom_type.endswith("Polygon")
        change = abs(shapely.area(after) - area_before) / area_before if polygonal and area_before else 0.0
        zero = polygonal and not area_before  # e.g. a ring whose points lie on a line: reprojected, it would become land
        if after is None or shapely.is_empty(after) or zero or not change <= MAX_REPAIR_CHANGE:  # NaN fails too
            report(
                (f"{origin} ({kind.name}): đối tượng {ids[index]} có hình học không hợp lệ ({reason}), không sửa tự động an toàn được"
                 + ("; hình vẽ có diện tích bằng 0" if zero else ""),
                 f"{origin} ({kind.name}): feature {ids[index]} has an invalid geometry ({reason}) that cannot be repaired safely"
                 + ("; its area as drawn is zero" if zero else "")),
                ("sửa trong QGIS (Vector ▸ Geometry Tools ▸ Check Validity / Fix Geometries) rồi chạy lại",
                 "fix it in QGIS (Vector ▸ Geometry Tools ▸ Check Validity / Fix Geometries) and try again"),
                field="geometry", features=[ids[index]], values=[reason],
            )
            geometries[index] = None
            continue
        geometries[index] = after
        repairs.append(Repair(kind.name, origin, str(ids[index]), reason, round(100 * change, 4)))
    return geometries, repairs


def _check_degenerate(geometries: np.ndarray, kind: LayerKind, ids: np.ndarray, origin: str, report: Report) -> np.ndarray:
    """Refuse polygons with a part of zero area as drawn (its vertices on one line), which GEOS may still call valid (left out when collected)."""
    polygonal = np.flatnonzero(np.isin(shapely.get_type_id(geometries), (3, 6, 7)))  # a million points cost nothing here
    if not len(polygonal):
        return geometries
    parts, owner = shapely.get_parts(geometries[polygonal], return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    area, perimeter = shapely.area(parts[polygons]), shapely.length(parts[polygons])
    flat = polygonal[np.unique(owner[polygons][area <= DEGENERATE_RATIO * perimeter**2])]
    if len(flat):
        report(
            (f"{origin} ({kind.name}): các đối tượng {_listed(ids[flat], 'vi')} có diện tích bằng 0 trong hệ tọa độ của chính lớp "
             "(các đỉnh nằm trên một đường thẳng); chuyển hệ tọa độ sẽ biến chúng thành một vùng đất không có thật",
             f"{origin} ({kind.name}): feature(s) {_listed(ids[flat])}: their area as drawn is zero in the layer's own CRS (their vertices "
             "lie on one line); reprojected, they would become land that was never drawn"),
            ("vẽ lại các đối tượng đó thành vùng có diện tích, hoặc xóa chúng (QGIS: Vertex Tool)",
             "redraw them as areas or delete them (QGIS: Vertex Tool)"),
            field="geometry", features=ids[flat],
        )
        geometries = geometries.copy()
        geometries[flat] = None
    return geometries


def _keep_family(geometry, families: set[str]):
    """The parts of a repaired geometry of the wanted family (e.g. drop collapsed lines)."""
    if geometry.geom_type in families:
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in families or g.geom_type.removeprefix("Multi") in families]
    return shapely.union_all(parts) if parts else None
