"""The builds a server answers for: each read and indexed once, at start.

A request never reads a file: the build, its check index, its display geometry and its
map configuration (per language, made on first use) stay in memory and are shared by all
requests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zoning.builder.model import Build, as_build
from zoning.checker import BuildIndex, index_build
from zoning.inputs.crs import describe
from zoning.inputs.national_folder import is_national
from zoning.law.project_types import CheckRules
from zoning.national.sitecheck import NationalZoning, open_national
from zoning.outputs.display import DEFAULT_TOLERANCE_M, DisplayLayers, display_layers
from zoning.outputs.map import map_config
from zoning.terms import Lang
from zoning.web.inputs import RequestError
from zoning.web.nation import NATION_KEY, ServedNation

BuildSource = Build | str | Path


@dataclass
class ServedBuild:
    """One build as the server holds it."""

    key: str
    build: Build
    index: BuildIndex
    layers: DisplayLayers
    origin: str
    date: str
    in_nation: bool = False  # one province of a national folder
    _maps: dict[tuple[str, bool], bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def crs(self):
        """The CRS sites are read in: the build's."""
        return self.build.crs

    def report_build(self, province: str = "") -> Build:
        """The build a site report's map is drawn from."""
        return self.build

    def criteria(self):
        """The build's criteria with their number of units."""
        counts = self.build.units["criterion"].value_counts()
        return self.build.criteria.assign(units=lambda t: t["id"].map(counts).fillna(0).astype(int))

    @property
    def crs_text(self) -> str:
        """The build CRS as text the check reads back (``EPSG:9210``, or WKT)."""
        code = self.build.crs.to_epsg()
        return f"EPSG:{code}" if code else self.build.crs.to_wkt()

    def info(self) -> dict:
        """What a planner needs to choose a zoning: province, rules, date, honesty notices."""
        manifest = self.build.manifest
        province = manifest.get("province") or {}
        zones = {str(z): round(float(a), 4) for z, a in zip(self.build.zones["zone"], self.build.zones["area_ha"])}
        return {
            "id": self.key,
            "build_id": self.build.build_id,
            "province_vi": province.get("name_vi") or "",
            "province_en": province.get("name_en") or "",
            "central_meridian": province.get("central_meridian"),
            "ruleset": manifest.get("ruleset", ""),
            "date": self.date,
            "origin": self.origin,
            "crs": describe(self.build.crs),
            "illustrative": bool(manifest.get("illustrative_layers")),
            "illustrative_layers": list(manifest.get("illustrative_layers") or []),
            "unconfirmed_criteria": list(manifest.get("unconfirmed_criteria") or []),
            "zones_ha": zones,
            "units": int(len(self.build.units)),
        }

    def map_json(self, lang: Lang, offline: bool) -> bytes:
        """The map configuration of ``zoning.js`` as JSON bytes, made once per language."""
        key = (lang, offline)
        with self._lock:
            if key not in self._maps:
                config = map_config(self.build, lang, offline, layers=self.layers)
                self._maps[key] = json.dumps(config, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
            return self._maps[key]


class ServedBuilds:
    """The served builds by key, in the order given (the first is the default).

    A national output folder among them is served as "Toàn quốc / Whole country" (first
    of its entries) and each of its provinces, keyed by slug (:mod:`zoning.web.nation`).
    """

    def __init__(self, builds: Sequence[BuildSource], rules: CheckRules, progress: Callable[[str], None] | None = None) -> None:
        if not builds:
            raise ValueError("serve at least one build")
        step = progress or (lambda _: None)
        self.entries: dict[str, ServedBuild | ServedNation] = {}
        for source in builds:
            if isinstance(source, (str, Path)) and Path(source).is_dir() and is_national(source):
                self._add_nation(open_national(source, step), rules, step)
            else:
                self._add(as_build(source), rules, step)

    def _add(self, build: Build, rules: CheckRules, step: Callable[[str], None], key: str | None = None) -> ServedBuild:
        on_disk = build.path is not None and build.path.exists()
        origin = str(build.path) if on_disk else "in memory"
        stamp = dt.datetime.fromtimestamp(build.path.stat().st_mtime) if build.path is not None and on_disk else dt.datetime.now()  # built now
        key = self._key(key or str(build.build_id))
        step(f"indexing {key}")
        index = index_build(build, rules)
        step(f"display geometry of {key}")
        layers = display_layers(build, DEFAULT_TOLERANCE_M)
        entry = self.entries[key] = ServedBuild(key, build, index, layers, origin, stamp.date().isoformat())
        return entry

    def _add_nation(self, national: NationalZoning, rules: CheckRules, step: Callable[[str], None]) -> None:
        """The whole country first, then each province; a province's index serves both."""
        key = self._key(NATION_KEY)
        self.entries[key] = nation = ServedNation(national, {}, key)
        for slug, province in national.provinces.items():
            entry = self._add(province.build, rules, step, key=slug)
            entry.in_nation = True
            province.indexes[province.index_key(rules)] = entry.index
            nation.members[slug] = entry

    def _key(self, name: str) -> str:
        base = re.sub(r"[^0-9A-Za-z_-]+", "-", name) or "build"
        key, n = base, 2
        while key in self.entries:
            key, n = f"{base}-{n}", n + 1
        return key

    def get(self, key: str | None) -> ServedBuild | ServedNation:
        """A served build by key; the first one when ``key`` is None or empty."""
        if not key:
            return next(iter(self.entries.values()))
        if key not in self.entries:
            known = ", ".join(self.entries)
            raise RequestError(404, f"Không có bản phân vùng '{key}' trên máy chủ này (có: {known}).", f"No zoning '{key}' is served here (served: {known}).")
        return self.entries[key]

    def __iter__(self):
        return iter(self.entries.values())
