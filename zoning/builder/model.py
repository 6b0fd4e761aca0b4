"""A build as a file: one GeoPackage in the province CRS, written atomically.

Layers: ``zones`` (3 rows), ``units``, ``lineage``, ``commune_summary``, ``communes``,
``criteria`` (the criteria in force), ``conflicts``, ``skipped``, ``repairs``, ``manifest`` (key/value JSON), and every input
layer as ``input_<kind>`` so that checks, maps and annexes never read raw inputs again.
A sidecar ``<name>.manifest.json`` carries the same manifest for people and scripts.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

import zoning
from zoning.builder.zones import Build
from zoning.errors import BuildError
from zoning.law.criteria import RuleSet

FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"  # GeoPackage timestamps: same inputs → same file
UNIT_COLUMNS = [
    "unit_id", "zone", "name", "name_en", "criterion", "citation_vi", "citation_en", "status", "assumption",
    "assumption_en", "source_layer", "source_id", "commune_codes", "area_ha", "illustrative",
]
INPUT_PREFIX = "input_"


@dataclass
class BuildFile:
    """A build read back from its GeoPackage."""

    path: Path
    zones: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    lineage: pd.DataFrame
    communes: gpd.GeoDataFrame
    commune_summary: pd.DataFrame
    conflicts: pd.DataFrame
    criteria: pd.DataFrame
    manifest: dict

    @property
    def crs(self) -> pyproj.CRS:
        return pyproj.CRS(self.zones.crs)

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]

    def input_layer(self, kind: str) -> gpd.GeoDataFrame | None:
        """An input layer carried in the build (None when the build has none)."""
        name = INPUT_PREFIX + kind
        if name not in _layer_names(self.path):
            return None
        return pyogrio.read_dataframe(self.path, layer=name)


def manifest_of(build: Build) -> dict:
    """The manifest: what went in, which rules, which software, how long, QA."""
    inputs = [asdict(s) for s in build.layers.sources]
    rule_files = [
        {"id": f.id, "version": f.version, "path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for f, p in zip(build.rules.files, build.rules.paths)
    ]
    identity = json.dumps({"inputs": [(s["kind"], s["sha256"]) for s in inputs], "rules": rule_files, "version": zoning.__version__}, sort_keys=True)
    illustrative = sorted(
        kind for kind, layer in build.layers.layers.items() if "illustrative" in layer and layer["illustrative"].astype(bool).any()
    )
    unconfirmed = sorted(set(build.units.loc[build.units["status"] == "unconfirmed", "criterion"]))
    return {
        "build_id": hashlib.sha256(identity.encode()).hexdigest()[:16],
        "package": f"zoning {zoning.__version__}",
        "ruleset": build.rules.id,
        "rule_files": rule_files,
        "province": build.rules.province.model_dump() if build.rules.province else None,
        "crs": {"name": build.layers.crs.name, "epsg": build.layers.crs.to_epsg(), "wkt": build.layers.crs.to_wkt()},
        "inputs": inputs,
        "illustrative_layers": illustrative,
        "illustrative_notice": (
            "Layers " + ", ".join(illustrative) + " are illustrative (drawn, not surveyed): not for decisions."
            if illustrative else ""
        ),
        "unconfirmed_criteria": unconfirmed,
        "assumed_units": int((build.units["assumption"] != "").sum()),
        "repairs": [asdict(r) for r in build.layers.repairs],
        "notes": build.layers.notes,
        "software": software_versions(),
        "timings_s": build.timings,
        "qa": build.qa,
        "counts": {"units": len(build.units), "conflicts": len(build.conflicts), "skipped": len(build.skipped)},
    }


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


def criteria_table(rules: RuleSet) -> pd.DataFrame:
    """The criteria in force, so downstream outputs can cite them without the rule files."""
    fields = ["id", "zone", "layer", "title_vi", "title_en", "citation_vi", "citation_en", "status", "note"]
    return pd.DataFrame([{f: getattr(c, f) for f in fields} for c in rules.criteria], columns=fields)


def write_build(build: Build, path: str | Path) -> dict:
    """Write a build to a GeoPackage atomically; return its manifest."""
    path = Path(path)
    manifest = manifest_of(build)
    units = build.units
    layers: dict[str, pd.DataFrame] = {
        "zones": build.zones,
        "units": units[UNIT_COLUMNS + ["geometry"]],
        "lineage": build.lineage,
        "commune_summary": build.commune_summary,
        "communes": build.communes,
        "criteria": criteria_table(build.rules),
        "conflicts": build.conflicts,
        "skipped": build.skipped,
        "repairs": pd.DataFrame([asdict(r) for r in build.layers.repairs], columns=["kind", "origin", "feature_id", "reason", "area_change_pct"]),
        "manifest": pd.DataFrame({"key": list(manifest), "value": [json.dumps(v, ensure_ascii=False) for v in manifest.values()]}),
    }
    for kind, layer in build.layers.layers.items():
        layers[INPUT_PREFIX + kind] = layer
    with atomic_path(path) as tmp:
        write_layers(tmp, layers)
    sidecar = path.with_suffix(".manifest.json")
    with atomic_path(sidecar) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def write_layers(path: Path, layers: dict[str, pd.DataFrame]) -> None:
    """Write frames (spatial or not) as layers of one new GeoPackage."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists(), promote_to_multi=True)
            else:
                pyogrio.write_dataframe(pd.DataFrame(frame).reset_index(drop=True), path, layer=name, driver="GPKG", append=path.exists())
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


@contextmanager
def atomic_path(path: Path):
    """A temporary path beside ``path``, moved into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_build(path: str | Path) -> BuildFile:
    """Read a build GeoPackage, with a clear error if it is not one."""
    path = Path(path)
    if not path.exists():
        raise BuildError(f"build file not found: {path}", "make one with `zoning build` or `zoning demo`")
    names = _layer_names(path)
    missing = [n for n in ("zones", "units", "manifest") if n not in names]
    if missing:
        raise BuildError(f"{path} is not a zoning build (missing layer(s): {', '.join(missing)})")
    read = lambda name: pyogrio.read_dataframe(path, layer=name, read_geometry=name in ("zones", "units", "communes"))  # noqa: E731
    manifest_rows = read("manifest")
    manifest = {k: json.loads(v) for k, v in zip(manifest_rows["key"], manifest_rows["value"])}
    return BuildFile(
        path=path,
        zones=read("zones"),
        units=read("units"),
        lineage=read("lineage"),
        communes=read("communes"),
        commune_summary=read("commune_summary"),
        conflicts=read("conflicts"),
        criteria=read("criteria"),
        manifest=manifest,
    )


def _layer_names(path: Path) -> list[str]:
    try:
        return [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the same user mistake
        raise BuildError(f"{path} cannot be read as a GeoPackage ({exc})") from None

