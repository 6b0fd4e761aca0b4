"""The national layer set cut into provinces: each province gets the features of the whole
country that reach it, within a halo of the largest distance any rule applies.

ROOT is either a national layer set (a GeoPackage whose layer names are layer kinds, or a
folder of files named by kind: each kind once for the country) or one folder per province,
named by its slug (``ROOT/lang-son/``, ``ROOT/cao-bang/``), each a folder of files named by
kind or holding GeoPackages whose layers are kinds. The features of every province folder
are pooled (a feature given in two folders with the same id and geometry counts once), so a
river a neighbour drew still reaches across the border.

The ``province`` and ``communes`` layers are the boundaries, not features: in a national set
they are split by province code (``code`` of ``province``, ``province_code`` of
``communes``); in a province folder they are that province's. Where none is given, the
reference boundaries stand for them (see :mod:`zoning.inputs.reference`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from zoning import __version__
from zoning.errors import InputError
from zoning.inputs.catalogue import load_catalogue
from zoning.inputs.layers import VECTOR_SUFFIXES, file_digest, frame_digest, read_vector
from zoning.inputs.reference import Province, find_province, provinces, reference_layer, reference_path
from zoning.law.criteria import RuleSet, Width

BOUNDARY_KINDS = ("province", "communes")
LONLAT = "EPSG:4326"
# Metres in one degree of longitude at 23.4° N (the north of Vietnam): the fewest anywhere in the
# country, so a halo in degrees made with it reaches at least as far as the halo in metres.
METRES_PER_DEGREE = 111_320 * math.cos(math.radians(23.4))
ID = "id"
FOLDER = "_province_folder"


@dataclass
class NationalInputs:
    """Every feature of the country by kind (as read, with a WGS 84 copy for selection) and the
    boundaries each province was given.
    """

    root: Path
    form: str  # "national" or "provinces"
    features: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    lonlat: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    boundaries: dict[str, dict[str, gpd.GeoDataFrame]] = field(default_factory=dict)  # slug → kind → frame
    notes: list[str] = field(default_factory=list)
    trees: dict[str, shapely.STRtree] = field(default_factory=dict, repr=False)

    def available(self) -> list[Province]:
        """The provinces that have boundaries: given ones, or communes in the reference boundaries."""
        with_reference = set(reference_layer("communes")["province_code"].astype(str))
        return [p for p in provinces() if p.slug in self.boundaries or p.code in with_reference]

    def outline(self, province: Province) -> shapely.Geometry:
        """The province's outline in WGS 84: its given province (or communes) layer, else the reference one."""
        given = self.boundaries.get(province.slug, {})
        for kind in BOUNDARY_KINDS:
            if kind in given:
                return shapely.union_all(given[kind].to_crs(LONLAT).geometry.to_numpy())
        frame = reference_layer("provinces")
        rows = frame[frame["code"].astype(str) == province.code]
        if rows.empty:
            raise InputError((f"{province.full_name}: không có ranh giới tỉnh trong dữ liệu đầu vào hay dữ liệu tham chiếu",
                              f"{province.full_name_en}: no boundary in the inputs nor in the reference boundaries"),
                             ("đưa lớp province và communes của tỉnh vào thư mục của tỉnh", "give the province and communes layers in its folder"))
        return shapely.union_all(rows.geometry.to_numpy())

    def province_layers(self, province: Province, halo_m: float) -> dict[str, gpd.GeoDataFrame]:
        """The layers of one province's build: the features within ``halo_m`` metres of it (as read) and its
        given boundaries.
        """
        outline = self.outline(province)
        reach = halo_m / METRES_PER_DEGREE
        layers: dict[str, gpd.GeoDataFrame] = {}
        for kind, frame in self.features.items():
            tree = self.trees.get(kind)
            if tree is None:
                tree = self.trees[kind] = shapely.STRtree(self.lonlat[kind].geometry.to_numpy())
            index = np.unique(tree.query(outline, predicate="dwithin", distance=reach)) if reach > 0 else tree.query(outline, predicate="intersects")
            if len(index):
                layers[kind] = frame.iloc[np.sort(index)].reset_index(drop=True)
                layers[kind].attrs["origin"] = frame.attrs.get("origin", kind)  # the file(s) it came from, for the build's messages
        layers.update(self.boundaries.get(province.slug, {}))
        return layers


def read_national(root: str | Path) -> NationalInputs:
    """Read ROOT: a national layer set (GeoPackage or folder of files named by kind) or one folder per province.

    Raises
    ------
    InputError
        When ROOT is missing, holds no layer, a folder name is no province, or a layer has no CRS.
    """
    root = Path(root)
    if not root.exists():
        raise InputError((f"không tìm thấy dữ liệu đầu vào: {root}", f"input not found: {root}"),
                         ("chỉ ra một GeoPackage, một thư mục các lớp cả nước, hoặc một thư mục gồm các thư mục tỉnh (đặt tên theo mã tỉnh "
                          "không dấu, ví dụ lang-son)", "give a GeoPackage, a folder of national layers, or a folder of province folders "
                          "(named by slug, e.g. lang-son)"))
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    inputs = NationalInputs(root=root, form="provinces" if folders else "national")
    if folders:
        pooled: dict[str, list[tuple[str, gpd.GeoDataFrame]]] = {}
        for folder in folders:
            province = _folder_province(folder)
            for kind, frame in _layers_of(folder).items():
                if kind in BOUNDARY_KINDS:
                    inputs.boundaries.setdefault(province.slug, {})[kind] = frame
                else:
                    pooled.setdefault(kind, []).append((province.slug, _with_ids(frame, kind, prefix=f"{province.slug}:")))
        for kind, frames in pooled.items():
            inputs.features[kind] = _pool(frames, kind, inputs.notes)
    else:
        for kind, frame in _layers_of(root).items():
            if kind in BOUNDARY_KINDS:
                _split_boundaries(inputs, kind, frame)
            else:
                inputs.features[kind] = _with_ids(frame, kind)
    for kind, frame in inputs.features.items():
        inputs.lonlat[kind] = frame[[frame.geometry.name]].to_crs(LONLAT)
    if not inputs.features and not inputs.boundaries:
        raise InputError((f"{root}: không có lớp dữ liệu nào", f"{root}: no layer found"),
                         ("đặt tên tệp hoặc lớp theo loại lớp dữ liệu (xem `zoning layers`)", "name files or layers after layer kinds (see `zoning layers`)"))
    return inputs


def _folder_province(folder: Path) -> Province:
    """The province a folder of ROOT is named after."""
    try:
        return find_province(folder.name, "ROOT")
    except InputError as error:
        raise InputError((f"{folder}: tên thư mục không chỉ ra một tỉnh ({error.message_vi})",
                          f"{folder}: the folder's name names no province ({error.message_en})"),
                         ("đặt tên mỗi thư mục tỉnh theo tên không dấu của tỉnh năm 2025 (xem `zoning provinces`), ví dụ lang-son, "
                          "hoặc chuyển thư mục khác ra khỏi ROOT", "name each province folder by its 2025 slug (see `zoning provinces`), "
                          "e.g. lang-son, or move other folders out of ROOT")) from None


def _layers_of(path: Path) -> dict[str, gpd.GeoDataFrame]:
    """Kind → frame of a GeoPackage (layers named by kind) or a folder (files named by kind, GeoPackages of kinds)."""
    kinds = load_catalogue()
    found: dict[str, gpd.GeoDataFrame] = {}
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix.lower() in VECTOR_SUFFIXES)
    for file in files:
        kind = file.name.split(".")[0].lower()
        if kind in kinds:
            found[kind] = _with_crs(read_vector(file), file, kind)
        elif file.suffix.lower() == ".gpkg":
            for name, _ in pyogrio.list_layers(file):
                if name.lower() in kinds:
                    frame = read_vector(file, layer=name)
                    if not frame.empty:
                        found[name.lower()] = _with_crs(frame, file, name)
    return found


def _with_crs(frame: gpd.GeoDataFrame, file: Path, layer: str) -> gpd.GeoDataFrame:
    """The frame, if it has a CRS (every layer is cut by province in longitude/latitude), named by its file."""
    if frame.crs is None:
        raise InputError((f"{file}: lớp '{layer}' không có hệ tọa độ", f"{file}: layer '{layer}' has no CRS"),
                         ("gán hệ tọa độ cho lớp (trong QGIS: Gán hệ tọa độ) rồi lưu lại", "assign its CRS (in QGIS: Assign projection) and save it"))
    frame.attrs["origin"] = str(file) if file.suffix.lower() != ".gpkg" or file.stem.lower() == layer.lower() else f"{file}:{layer}"
    return frame


def _with_ids(frame: gpd.GeoDataFrame, kind: str, prefix: str = "") -> gpd.GeoDataFrame:
    """The frame with an ``id`` unique in the country: its own ids when unique, else ``<kind>-<row>`` (with a prefix per folder)."""
    frame = frame.copy()
    if ID in frame and frame[ID].notna().all() and frame[ID].astype(str).is_unique:
        frame[ID] = frame[ID].astype(str)
    else:
        frame[ID] = [f"{prefix}{kind}-{i}" for i in range(1, len(frame) + 1)]
    return frame


def _pool(frames: list[tuple[str, gpd.GeoDataFrame]], kind: str, notes: list[str]) -> gpd.GeoDataFrame:
    """The features of every province folder (``(slug, frame)``) as one frame; a feature given twice (same id, same geometry)
    once; one id given to different features in two folders made ``<slug>:<id>`` in each, with a note.
    """
    origin = ", ".join(dict.fromkeys(str(f.attrs.get("origin", "")) for _, f in frames))
    crs = frames[0][1].crs
    parts = [(f.to_crs(crs) if f.crs != crs else f).assign(**{FOLDER: slug}) for slug, f in frames]
    pooled = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry=parts[0].geometry.name, crs=crs)
    key = pooled[ID].astype(str) + "|" + pd.Series([hashlib.sha256(w or b"").hexdigest() for w in shapely.to_wkb(pooled.geometry.values)])  # no geometry: None
    pooled = pooled[~key.duplicated()].reset_index(drop=True)
    clash = pooled[ID].duplicated(keep=False)
    if clash.any():
        pooled.loc[clash, ID] = pooled.loc[clash, FOLDER] + ":" + pooled.loc[clash, ID]
        said = ", ".join(sorted(set(pooled.loc[clash, ID])))
        notes.append(f"{kind}: cùng mã đối tượng cho các đối tượng khác nhau ở nhiều thư mục tỉnh; đọc thành {said} / "
                     f"{kind}: one id given to different features in several province folders; read as {said}")
    pooled = pooled.drop(columns=FOLDER)
    pooled.attrs["origin"] = origin
    return pooled


def _split_boundaries(inputs: NationalInputs, kind: str, frame: gpd.GeoDataFrame) -> None:
    """National province / communes layers split by province code (``code`` / ``province_code``)."""
    column = "code" if kind == "province" else "province_code"
    if column not in frame:
        inputs.notes.append(f"lớp {kind} cả nước không có trường '{column}': không dùng, dùng ranh giới tham chiếu / "
                            f"the national {kind} layer has no '{column}' field: not used, the reference boundaries stand for it")
        return
    codes = frame[column].astype(str).str.zfill(2)
    for code in sorted(codes.unique()):
        known = next((p for p in provinces() if p.code == code), None)
        if known is not None:
            inputs.boundaries.setdefault(known.slug, {})[kind] = frame[codes == code].reset_index(drop=True)


# ------------------------------------------------------------------------------ halo


def halo_metres(rules: RuleSet, features: dict[str, gpd.GeoDataFrame]) -> float:
    """The largest distance any criterion reaches beyond a feature as drawn, in metres.

    A line reaches half its width, a point its radius, then a buffer its distance; a width read
    from a feature attribute counts with its largest value in the data (times the rule's factor),
    a default with its value, a wider default ``within`` other land with that.
    """
    reach = 0.0
    for criterion in rules.criteria:
        frame = features.get(criterion.layer)
        geometry = criterion.geometry
        drawn = max(_largest(geometry.line_width, frame) / 2, _largest(geometry.point_radius, frame))
        reach = max(reach, drawn + _largest(geometry.distance, frame))
    return reach


def _largest(width: Width | None, frame: gpd.GeoDataFrame | None) -> float:
    if width is None:
        return 0.0
    values = [width.default_m or 0.0, width.within.default_m if width.within else 0.0]
    if width.field and frame is not None and width.field in frame:
        data = pd.to_numeric(frame[width.field], errors="coerce").max()
        if pd.notna(data):
            values.append(float(data) * width.factor)
    return max(values)


# ---------------------------------------------------------------------------- digests


def layers_digest(layers: dict[str, gpd.GeoDataFrame], uses_reference: bool) -> dict[str, str]:
    """SHA-256 of each layer a province's build reads (and of the reference boundaries when it reads them)."""
    digests = {kind: frame_digest(frame) for kind, frame in sorted(layers.items())}
    if uses_reference:
        digests["reference"] = file_digest(reference_path())
    return digests


def rules_digest(paths: list[Path]) -> str:
    """SHA-256 of the rule files' contents, with the software version."""
    digest = hashlib.sha256(__version__.encode())
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
