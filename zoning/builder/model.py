"""A build: one value in memory and one GeoPackage on disk.

A :class:`Build` holds everything downstream work needs, so a check, a map or an annex
never reads the raw inputs again: the three ``zones``, the disjoint ``units`` with their
criterion and citation, the ``lineage`` (every criterion the land of a unit meets), the
2025 ``communes`` clipped to the province and the ``commune_summary``, the ``criteria``
in force, the plan ``conflicts``, the features ``skipped``, the geometry ``repairs``, the
``manifest`` (inputs, rules, software, timings, QA) and every input layer.

On disk it is one GeoPackage in the province CRS with those layers (inputs as
``input_<kind>``) and the QGIS styles of zones, units and communes (``layer_styles``, see
:mod:`zoning.builder.styles`), and a sidecar ``<name>.manifest.json``. :func:`read_build` reads it
back; input layers are then read on first use.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

import zoning
from zoning import terms
from zoning.builder.styles import layer_styles
from zoning.builder.urban import readings_differ, readings_text, urban_readings
from zoning.errors import BuildError
from zoning.files import atomic_path, check_output, input_paths, layer_names, write_layers, write_text
from zoning.inputs.layers import LayerSet
from zoning.inputs.reference import KINDS, province_by_code
from zoning.law.criteria import RuleSet
from zoning.terms import Lang

UNIT_COLUMNS = [
    "unit_id", "zone", "name", "name_en", "criterion", "citation_vi", "citation_en", "status", "assumption",
    "assumption_en", "source_layer", "source_id", "commune_codes", "area_ha", "illustrative",
]
CRITERIA_COLUMNS = ["id", "zone", "layer", "title_vi", "title_en", "citation_vi", "citation_en", "status", "legal_status", "op", "note"]
OLD_COLUMNS = {"designation": "legal_status"}  # the names of builds made before the rename, read under the new one
CRITERIA_SPECS = ["selection", "geometry_spec"]  # JSON: the attribute filter (urban classes resolved), the geometry and widths
REPAIR_COLUMNS = ["kind", "origin", "feature_id", "reason", "area_change_pct"]
INPUT_PREFIX = "input_"
BUILD_SUFFIXES = (".gpkg",)  # a build is one GeoPackage
STYLES_TABLE = "layer_styles"  # QGIS applies the default style of a layer from this table
SPATIAL = ("zones", "units", "communes")
TABLES = ("lineage", "commune_summary", "criteria", "conflicts", "skipped", "repairs")
# What every reader of a build (check, map, diff, annex, siting, raster, the web application) relies on, checked once on reading
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "zones": ("zone", "area_ha"),
    "units": tuple(UNIT_COLUMNS),
    "communes": ("code", "name", "area_ha"),
    "lineage": ("unit_id", "criterion", "zone", "status", "source_layer", "source_id", "name", "prevails", "overlap_ha"),
    "commune_summary": ("commune_code", "commune_name", "strict_ha", "emission_limited_ha", "other_ha", "total_ha"),
    "criteria": tuple(CRITERIA_COLUMNS),
    "conflicts": (),
    "skipped": (),
    "repairs": (),
    "manifest": ("key", "value"),
}
REQUIRED_MANIFEST = ("build_id", "crs", "qa")


class InputLayers(Mapping[str, gpd.GeoDataFrame]):
    """The input layers a build carries, by layer kind; read from the file on first use."""

    def __init__(self, frames: Mapping[str, gpd.GeoDataFrame] | None = None, path: Path | None = None, kinds: tuple[str, ...] = ()) -> None:
        self._frames = dict(frames or {})
        self._path = path
        self._kinds = tuple(self._frames) or kinds

    def __getitem__(self, kind: str) -> gpd.GeoDataFrame:
        if kind not in self._kinds:
            raise KeyError(kind)
        if kind not in self._frames:
            assert self._path is not None  # frames not given in memory are read from the build file
            frame = _read_layer(self._path, INPUT_PREFIX + kind, True)
            if "source_id" not in frame.columns or not isinstance(frame, gpd.GeoDataFrame):
                raise _damaged(self._path, (f"lớp dữ liệu '{INPUT_PREFIX + kind}' thiếu cột source_id hoặc hình học",
                                            f"layer '{INPUT_PREFIX + kind}' lacks its source_id column or its geometry"))
            self._frames[kind] = frame.rename(columns=OLD_COLUMNS) if not OLD_COLUMNS.keys().isdisjoint(frame.columns) else frame
        return self._frames[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)


@dataclass
class Build:
    """A zoning build of one province (see the module notes).

    Make one with :func:`zoning.build`, read one with :func:`zoning.read_build`, save it
    with :meth:`write`. ``path`` is the file it was read from or last written to (None for
    a build that lives only in memory).
    """

    zones: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    lineage: pd.DataFrame
    communes: gpd.GeoDataFrame
    commune_summary: pd.DataFrame
    criteria: pd.DataFrame
    conflicts: pd.DataFrame
    skipped: pd.DataFrame
    repairs: pd.DataFrame
    manifest: dict[str, Any]
    inputs: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    path: Path | None = None

    @property
    def crs(self) -> pyproj.CRS:
        """The province's VN-2000 / TM-3 CRS."""
        crs = self.zones.crs
        return crs if isinstance(crs, pyproj.CRS) else pyproj.CRS(crs)  # the zones' own: a check reads it often

    @property
    def land(self) -> shapely.Geometry:
        """The province's land, which the zones cover: the union of its communes as the build
        reconciled them to the province polygon (a few hundred polygons, where the union of the
        zones would unite millions of vertices).
        """
        return shapely.union_all(self.communes.geometry.to_numpy())

    @property
    def build_id(self) -> str:
        """A short hash of the inputs, rule files and package version."""
        return str(self.manifest["build_id"])

    @property
    def qa(self) -> dict[str, Any]:
        """The coverage checks of the build (see :func:`zoning.builder.qa.coverage_qa`)."""
        return dict(self.manifest["qa"])

    @property
    def province_word(self) -> tuple[str, str]:
        """("tỉnh", "province"), or ("thành phố", "city") for a thành phố trực thuộc trung ương."""
        province = self.manifest.get("province") or {}
        kind = province.get("kind")
        if kind not in KINDS:
            known = province_by_code(province.get("code"))
            named = str(province.get("full_name_vi") or province.get("name_vi") or "").lower().startswith("thành phố")
            kind = known.kind if known else "thanh_pho" if named else "tinh"
        return KINDS[kind]

    @property
    def province_title(self) -> str:
        """The province's name as a decision names it: "Lạng Sơn" for a tỉnh, "Thành phố Hà Nội" for a city."""
        province = self.manifest.get("province") or {}
        name = str(province.get("name_vi") or "")
        if not name:
            layer = self.input_layer("province")
            name = str(layer["name"].iloc[0]).strip() if layer is not None and "name" in layer and len(layer) else ""
        name = name[5:] if name.lower().startswith("tỉnh ") else name
        if name and self.province_word[0] == "thành phố" and not name.lower().startswith("thành phố "):
            name = f"Thành phố {name}"
        return name

    @property
    def name(self) -> str:
        """The file name when the build has one, else its id."""
        return self.path.name if self.path is not None else f"build {self.build_id}"

    def notices(self, lang: Lang = "vi") -> list[str]:
        """What every output of the build must say about the law it applies: the urban
        classes (and why the reading is provisional), the unresolved plan conflicts with
        both readings and the area at stake, the proposed designations kept apart.
        """
        manifest = self.manifest
        out = []
        urban = manifest.get("urban_classes") or {}
        if urban.get(f"text_{lang}"):
            out.append(urban[f"text_{lang}"])
        if urban.get(f"conflict_{lang}"):  # both readings with their areas: the question the UBND decides
            out.append(urban[f"conflict_{lang}"])
        elif urban.get(f"provisional_{lang}"):
            out.append(terms.message("urban_classes", f"provisional_{lang}", text=urban[f"provisional_{lang}"]))
        column = f"message_{lang}"
        if self.conflicts is not None and column in self.conflicts:
            out += [str(m) for m in self.conflicts[column] if isinstance(m, str) and m]
        draft = manifest.get("draft_source") or {}
        if draft.get("units"):
            zones = ", ".join(f"{terms.zone_name(z, lang).lower()} {terms.quantity(a, 'area_ha', lang)}" for z, a in draft["area_ha_by_zone"].items())
            out.append(terms.message("draft_source", f"resting_{lang}", count=draft["units"], area=terms.quantity(draft["area_ha"], "area_ha", lang),
                                     zones=zones, plan=draft.get(f"approved_plan_{lang}") or "—"))
        if draft.get("left_out"):
            out.append(terms.message("draft_source", f"left_out_{lang}", count=len(draft["left_out"])))
        proposed = manifest.get("proposed") or {}
        if proposed.get("units"):
            zones = ", ".join(f"{terms.zone_name(z, lang).lower()} {terms.quantity(a, 'area_ha', lang)}" for z, a in proposed["area_ha_by_zone"].items())
            out.append(
                terms.message("proposed", f"summary_{lang}", count=proposed["units"], area=terms.quantity(proposed["area_ha"], "area_ha", lang), zones=zones)
            )
        return out

    def sources(self) -> tuple[Path, ...]:
        """The files this build was made from (layers, rule files) and the file it was read from.

        No output may replace them (see :func:`zoning.files.check_output`).
        """
        origins = [source["origin"] for source in self.manifest.get("inputs", [])]
        rule_files = [rule_file["path"] for rule_file in self.manifest.get("rule_files", [])]
        return input_paths([*origins, *rule_files, self.path])

    def input_layer(self, kind: str) -> gpd.GeoDataFrame | None:
        """An input layer carried in the build (None when the build has none)."""
        return self.inputs[kind] if kind in self.inputs else None

    def layers(self) -> dict[str, pd.DataFrame]:
        """Every layer of the build file, by layer name."""
        layers: dict[str, pd.DataFrame] = {
            "zones": self.zones,
            "units": self.units,
            "lineage": self.lineage,
            "commune_summary": self.commune_summary,
            "communes": self.communes,
            "criteria": self.criteria,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
            "repairs": self.repairs,
            "manifest": pd.DataFrame({"key": list(self.manifest), "value": [json.dumps(v, ensure_ascii=False) for v in self.manifest.values()]}),
        }
        for kind in self.inputs:
            layers[INPUT_PREFIX + kind] = self.inputs[kind]
        return layers

    def write(self, path: str | Path) -> Path:
        """Write the build to a GeoPackage (and ``<name>.manifest.json`` beside it), atomically.

        Examples
        --------
        >>> import zoning
        >>> build = zoning.build(**zoning.demo_paths().build_args())  # doctest: +SKIP
        >>> build.write("cao-bang-build.gpkg")  # doctest: +SKIP
        PosixPath('cao-bang-build.gpkg')
        """
        sources = self.sources()
        path = check_output(path, sources, suffixes=BUILD_SUFFIXES)
        manifest = check_output(path.with_suffix(".manifest.json"), sources)
        with atomic_path(path, sources) as tmp:
            write_layers(tmp, {**self.layers(), STYLES_TABLE: layer_styles()})
        write_text(manifest, json.dumps(self.manifest, ensure_ascii=False, indent=2), sources)
        self.path = path
        return path


BuildLike = Build | str | Path


def as_build(build: BuildLike) -> Build:
    """The build itself, or the build read from a path: what every output function takes."""
    return build if isinstance(build, Build) else read_build(build)


def read_build(path: str | Path) -> Build:
    """Read a build GeoPackage, with a clear error if it is not one.

    Parameters
    ----------
    path
        A file written by :meth:`Build.write` (``zoning build``, ``zoning demo``).

    Returns
    -------
    Build
        Its input layers are read on first use.

    Raises
    ------
    BuildError
        When the file is missing, unreadable or not a zoning build.

    Examples
    --------
    >>> build = read_build("demo-output/cao-bang-build.gpkg")  # doctest: +SKIP
    >>> build.zones[["zone", "area_ha"]]  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise BuildError((f"không tìm thấy tệp phân vùng: {path}", f"build file not found: {path}"),
                         ("tạo tệp bằng `zoning build` hoặc `zoning demo`", "make one with `zoning build` or `zoning demo`"))
    hint = ("chỉ ra tệp GeoPackage do `zoning build` hoặc `zoning demo` ghi ra", "give the GeoPackage that `zoning build` or `zoning demo` wrote")
    if path.is_dir():
        raise BuildError((f"{path}: là một thư mục, không phải tệp phân vùng (thư mục cả nước thì có thư mục con provinces/)",
                          f"{path} is a folder, not a build file (a national output folder holds a provinces/ folder)"),
                         (f"{hint[0]}, hoặc thư mục --out của `zoning national build`", f"{hint[1]}, or the --out folder of `zoning national build`"))
    try:
        names = layer_names(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the same user mistake
        raise BuildError((f"{path}: tệp không phải GeoPackage đọc được ({exc})", f"{path} cannot be read as a GeoPackage ({exc})"), hint) from None
    if not any(n in names for n in ("zones", "units", "manifest")):
        missing = ", ".join(n for n in ("zones", "units", "manifest") if n not in names)
        raise BuildError((f"{path}: không phải tệp phân vùng (thiếu lớp dữ liệu {missing})", f"{path} is not a zoning build "
            f"(missing layer(s): {missing})"), hint)
    if "provinces" in names and "criteria" not in names:  # the national mosaic (vietnam.gpkg): its folder is what checks read
        raise BuildError((f"{path}: là bản ghép cả nước, không phải bản phân vùng của một tỉnh", f"{path} is the national mosaic, "
                          "not one province's build"), (f"chỉ ra thư mục chứa nó ({path.parent}) hoặc một tệp {path.parent / 'provinces'}/<tỉnh>.gpkg",
                                                        f"give its folder ({path.parent}) or one {path.parent / 'provinces'}/<slug>.gpkg"))
    tables = {name: _read_layer(path, name, name in SPATIAL) for name in REQUIRED_COLUMNS if name in names}
    if "criteria" in tables:  # a build made before the rename
        tables["criteria"] = tables["criteria"].rename(columns=OLD_COLUMNS)
    _check_layers(path, names, tables)
    rows = tables["manifest"]
    try:
        manifest = {k: json.loads(v) for k, v in zip(rows["key"], rows["value"])}
    except (TypeError, ValueError) as exc:
        raise _damaged(path, (f"bảng manifest không đọc được ({exc})", f"its manifest table cannot be read ({exc})")) from None
    absent = [key for key in REQUIRED_MANIFEST if key not in manifest]
    if absent:
        raise _damaged(path, (f"bảng manifest thiếu mục {', '.join(absent)}", f"its manifest lacks the key(s) {', '.join(absent)}"))
    kinds = tuple(n.removeprefix(INPUT_PREFIX) for n in names if n.startswith(INPUT_PREFIX))
    lost = sorted({str(source.get("kind")) for source in manifest.get("inputs", [])} - set(kinds))  # a check would miss their features
    if lost:
        listed = ", ".join(INPUT_PREFIX + kind for kind in lost)
        raise _damaged(path, (f"thiếu lớp dữ liệu {listed} mà bản phân vùng được tạo từ đó", f"the layer(s) {listed} it was built from are missing"))
    return Build(
        **{name: tables[name] for name in SPATIAL + TABLES},
        manifest=manifest,
        inputs=InputLayers(path=path, kinds=kinds),
        path=path,
    )


def _read_layer(path: Path, name: str, spatial: bool) -> pd.DataFrame:
    try:
        return pyogrio.read_dataframe(path, layer=name, read_geometry=spatial)
    except Exception as exc:  # noqa: BLE001 - a layer GDAL cannot read is a damaged build, whatever the reason
        raise _damaged(path, (f"lớp dữ liệu '{name}' không đọc được ({exc})", f"layer '{name}' cannot be read ({exc})")) from None


def _check_layers(path: Path, names: list[str], tables: dict[str, pd.DataFrame]) -> None:
    """Every layer and column the readers of a build use is there, or a :class:`BuildError` naming what is missing."""
    absent = [name for name in REQUIRED_COLUMNS if name not in names]
    if absent:
        listed = ", ".join(absent)
        raise _damaged(path, (f"thiếu lớp dữ liệu {listed} (có thể đã bị xóa hoặc đổi tên trong QGIS)",
                              f"the layer(s) {listed} are missing (deleted or renamed in QGIS?)"))
    for name, columns in REQUIRED_COLUMNS.items():
        lacking = [c for c in columns if c not in tables[name].columns]
        if lacking:
            listed = ", ".join(lacking)
            raise _damaged(path, (f"lớp dữ liệu '{name}' thiếu cột {listed}", f"layer '{name}' lacks the column(s) {listed}"))
        if name in SPATIAL and not isinstance(tables[name], gpd.GeoDataFrame):
            raise _damaged(path, (f"lớp dữ liệu '{name}' không có hình học", f"layer '{name}' has no geometry"))


def _damaged(path: Path, what: tuple[str, str]) -> BuildError:
    """The error of a build file changed by hand since it was written: what is wrong, and how to make it again."""
    return BuildError(
        (f"{path}: tệp phân vùng bị hỏng hoặc đã bị sửa tay: {what[0]}", f"{path}: the build file is damaged or was edited by hand: {what[1]}"),
        ("tạo lại tệp phân vùng bằng `zoning build` từ cùng dữ liệu đầu vào và tệp quy tắc (xem tệp .manifest.json bên cạnh), "
         "không sửa tay tệp phân vùng",
         "make the build again with `zoning build` from the same input layers and rule files (listed in the .manifest.json beside it); "
         "do not edit a build by hand"),
    )


# ------------------------------------------------------------------------- assembly


def assemble(
    parts: dict[str, pd.DataFrame],
    layers: LayerSet,
    rules: RuleSet,
    qa: dict[str, Any],
    timings: dict[str, float],
) -> Build:
    """A build from the engine's tables, the layers read and the rules applied."""
    units = parts["units"]
    criteria = criteria_table(rules)
    repairs = pd.DataFrame([asdict(r) for r in layers.repairs], columns=REPAIR_COLUMNS)
    manifest = manifest_of(layers, rules, units, parts["conflicts"], parts["skipped"], qa, timings)
    return Build(
        zones=parts["zones"],
        units=units[UNIT_COLUMNS + ["geometry"]],
        lineage=parts["lineage"],
        communes=parts["communes"],
        commune_summary=parts["commune_summary"],
        criteria=criteria,
        conflicts=parts["conflicts"],
        skipped=parts["skipped"],
        repairs=repairs,
        manifest=manifest,
        inputs=InputLayers(layers.layers),
    )


def criteria_table(rules: RuleSet) -> pd.DataFrame:
    """The criteria in force, so downstream outputs can cite them without the rule files.

    ``selection`` and ``geometry_spec`` hold, as JSON, what selects a criterion's
    features and how it draws them: two builds can then be compared rule by rule.
    """
    rows = [
        {
            **{f: c.geometry.op if f == "op" else getattr(c, f) for f in CRITERIA_COLUMNS},
            "selection": json.dumps(rules.selection(c), ensure_ascii=False, sort_keys=True),
            "geometry_spec": json.dumps(c.geometry.model_dump(exclude_none=True), ensure_ascii=False, sort_keys=True),
        }
        for c in rules.criteria
    ]
    return pd.DataFrame(rows, columns=CRITERIA_COLUMNS + CRITERIA_SPECS)


def manifest_of(
    layers: LayerSet,
    rules: RuleSet,
    units: pd.DataFrame,
    conflicts: pd.DataFrame,
    skipped: pd.DataFrame,
    qa: dict[str, Any],
    timings: dict[str, float],
) -> dict[str, Any]:
    """The manifest: what went in, which rules, which software, how long, QA."""
    crs = layers.crs
    assert crs is not None  # a build's layers are read in the province CRS (checked by build_zones)
    inputs = [asdict(s) for s in layers.sources]
    rule_files = [
        {"id": f.id, "version": f.version, "path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for f, p in zip(rules.files, rules.paths)
    ]
    identity = {"inputs": [(s["kind"], s["sha256"]) for s in inputs], "rules": rule_files, "version": zoning.__version__}
    extent = qa.get("communes", {}).get("province_extent", "province")
    if extent != "province":  # the default leaves the ids of earlier builds as they were
        identity["province_extent"] = extent
    identity_text = json.dumps(identity, sort_keys=True)
    illustrative = sorted(
        kind for kind, layer in layers.layers.items() if "illustrative" in layer and layer["illustrative"].astype(bool).any()
    )
    unconfirmed = sorted(set(units["criterion"]) & {c.id for c in rules.criteria if c.status == "unconfirmed"})
    proposed = units[units["status"] == "proposed"]
    return {
        "build_id": hashlib.sha256(identity_text.encode()).hexdigest()[:16],
        "package": f"zoning {zoning.__version__}",
        "ruleset": rules.id,
        "rule_files": rule_files,
        "province": rules.province.model_dump() if rules.province else None,
        "crs": {"name": crs.name, "epsg": crs.to_epsg(), "wkt": crs.to_wkt()},
        "inputs": inputs,
        "illustrative_layers": illustrative,
        "illustrative_notice": ("Layers " + ", ".join(illustrative) + " are illustrative (drawn, not surveyed): not for decisions." if illustrative else ""),
        "unconfirmed_criteria": unconfirmed,
        "urban_classes": urban_classes(rules, layers),
        "proposed": {
            "units": len(proposed),
            "area_ha": float(proposed["area_ha"].sum()),
            "area_ha_by_zone": {z: float(a) for z, a in proposed.groupby("zone")["area_ha"].sum().items()},
        },
        "draft_source": draft_source(rules, units),
        "assumed_units": int((units["assumption"] != "").sum()),
        "repairs": [asdict(r) for r in layers.repairs],
        "notes": layers.notes,
        "software": software_versions(),
        "timings_s": timings,
        "qa": qa,
        "counts": {"units": len(units), "conflicts": len(conflicts), "skipped": len(skipped)},
    }


def draft_source(rules: RuleSet, units: pd.DataFrame) -> dict[str, Any]:
    """The rule files whose source is a draft, and the units in force that rest only on their
    criteria (a decision cannot cite a draft); which criteria were left out, if any.
    """
    files = [f for f in rules.files if f.source_status is not None and f.source_status.status == "draft"]
    resting = units[(units["status"] != "proposed") & units["criterion"].isin(rules.draft)]
    approved = [(f.source_status.approved_plan_vi, f.source_status.approved_plan_en) for f in files
                if f.source_status is not None and f.source_status.approved_plan_vi]
    return {
        "files": [f.id for f in files],
        "sources": [f.source for f in files],
        "criteria": sorted(set(resting["criterion"])),
        "units": len(resting),
        "area_ha": float(resting["area_ha"].sum()),
        "area_ha_by_zone": {z: float(a) for z, a in resting.groupby("zone")["area_ha"].sum().items()},
        "left_out": sorted(rules.left_out),
        "approved_plan_vi": approved[0][0] if approved else "",
        "approved_plan_en": approved[0][1] if approved else "",
    }


def urban_classes(rules: RuleSet, layers: LayerSet | None = None) -> dict[str, Any]:
    """The urban classification the rules apply, from what date and on what basis, with its
    texts; with the layers, both readings (applied and alternative) and the areas each puts
    in each zone, and the conflict text when they differ.
    """
    mapping = rules.urban_classes
    year, month, day = mapping.in_force_from.split("-")
    texts = terms.message_pair(
        "urban_classes",
        "text",
        classification=(mapping.classification_vi, mapping.classification_en),
        attribute=mapping.field,
        citation=(mapping.citation_vi, mapping.citation_en),
        date=(f"{day}/{month}/{year}", mapping.in_force_from),
    )
    out = {**mapping.model_dump(), "text_vi": texts[0], "text_en": texts[1]}
    if layers is not None:
        readings = urban_readings(layers, rules)
        out["readings"] = readings
        if readings_differ(readings):
            out["conflict_vi"], out["conflict_en"] = readings_text(readings)
    return out


def software_versions() -> dict[str, str]:
    """Versions of Python and the geospatial stack."""
    return {
        "python": platform.python_version(),
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "pyogrio": pyogrio.__version__,
        "gdal": pyogrio.__gdal_version_string__,
        "geopandas": gpd.__version__,
        "pandas": pd.__version__,
    }
