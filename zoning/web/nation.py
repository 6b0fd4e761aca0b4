"""The whole country as the web application serves it: the provinces of a national output
folder, each served as a build of its own, and one more choice, "Toàn quốc / Whole country",
whose checks send each site to the province(s) it lies in (:mod:`zoning.national.sitecheck`)
and whose map draws every province's zones.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field

import pandas as pd
from pyproj import CRS

from zoning.builder.model import Build
from zoning.national.mosaic import NATIONAL_CRS
from zoning.national.sitecheck import NationalZoning
from zoning.terms import Lang

NATION_KEY = "toan-quoc"
NATION_NAME = ("Toàn quốc", "Whole country")
COMMUNES_NOTICE = {"vi": "Toàn quốc: ranh giới xã, phường hiện khi chọn một tỉnh / Whole country: commune boundaries are shown when one province is picked",
                   "en": "Whole country: commune boundaries are shown when one province is picked"}


@dataclass
class ServedNation:
    """The "whole country" choice over the served provinces (``members``, ServedBuild each, keyed by slug)."""

    national: NationalZoning
    members: dict
    key: str = NATION_KEY
    _maps: dict[tuple[str, bool], bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def crs(self) -> CRS:
        """The CRS sites are read in before each goes to its province (VN-2000 geographic)."""
        return CRS(NATIONAL_CRS)

    @property
    def build(self) -> Build:
        """The first province's build: the zone names and styles the page's results use (the same in every province)."""
        return next(iter(self.members.values())).build

    def report_build(self, province: str) -> Build | None:
        """The build of the province of a result row (None for a site in no province built)."""
        member = self.members.get(province)
        return member.build if member is not None else None

    def criteria(self) -> pd.DataFrame:
        """The criteria of every province, with the province and its number of units."""
        return pd.concat([m.criteria().assign(province=slug) for slug, m in self.members.items()], ignore_index=True)

    def info(self) -> dict:
        """What a planner needs to choose the whole country: the provinces, their rules and zones added up."""
        infos = [m.info() for m in self.members.values()]
        zones: dict[str, float] = {}
        for info in infos:
            for zone, area in info["zones_ha"].items():
                zones[zone] = round(zones.get(zone, 0.0) + area, 4)
        dates = [i["date"] for i in infos]
        return {
            "id": self.key,
            "build_id": self.national.root.name,
            "province_vi": NATION_NAME[0],
            "province_en": NATION_NAME[1],
            "central_meridian": None,
            "ruleset": ", ".join(dict.fromkeys(i["ruleset"] for i in infos)),
            "date": max(dates) if dates else dt.date.today().isoformat(),
            "origin": str(self.national.root),
            "crs": "VN-2000 (EPSG:4756)",
            "illustrative": any(i["illustrative"] for i in infos),
            "illustrative_layers": sorted({layer for i in infos for layer in i["illustrative_layers"]}),
            "unconfirmed_criteria": sorted({c for i in infos for c in i["unconfirmed_criteria"]}),
            "zones_ha": zones,
            "units": sum(i["units"] for i in infos),
            "provinces": [{"id": slug, "province_vi": i["province_vi"], "province_en": i["province_en"]} for slug, i in zip(self.members, infos)],
        }

    def map_json(self, lang: Lang, offline: bool) -> bytes:
        """The provinces' map configurations as one: every province's zones, units and communes."""
        key = (lang, offline)
        with self._lock:
            if key not in self._maps:
                configs = [json.loads(m.map_json(lang, offline)) for m in self.members.values()]
                self._maps[key] = json.dumps(merged_config(configs, self.national.root.name), ensure_ascii=False, separators=(",", ":"),
                                             allow_nan=False).encode("utf-8")
            return self._maps[key]


def merged_config(configs: list[dict], name: str) -> dict:
    """One ``zoning.js`` configuration from several provinces' (the first gives the texts and styles)."""
    merged = dict(configs[0])
    for layer in ("zones", "units"):
        merged[layer] = {"type": "FeatureCollection", "features": [f for c in configs for f in c[layer]["features"]]}
    # the communes are most of a province's map (3,321 in the country): each province's own view shows them
    merged["communes"] = {"type": "FeatureCollection", "features": []}
    criteria: dict[str, dict] = {}
    for config in configs:
        for item in config["criteria"]:
            if item["id"] in criteria:
                criteria[item["id"]] = {**criteria[item["id"]], "count": criteria[item["id"]]["count"] + item["count"]}
            else:
                criteria[item["id"]] = dict(item)
    merged["criteria"] = list(criteria.values())
    areas: dict[str, float] = {}
    for config in configs:
        for zone in config["zone_info"]:
            areas[zone["zone"]] = areas.get(zone["zone"], 0.0) + zone["area_ha"]
    total = sum(areas.values()) or 1.0
    merged["zone_info"] = [{**z, "area_ha": round(areas[z["zone"]], 4), "share_pct": round(100 * areas[z["zone"]] / total, 4)} for z in configs[0]["zone_info"]]
    south = min(c["bounds"][0][0] for c in configs)
    west = min(c["bounds"][0][1] for c in configs)
    north = max(c["bounds"][1][0] for c in configs)
    east = max(c["bounds"][1][1] for c in configs)
    merged["bounds"] = [[south, west], [north, east]]
    merged["build"] = {**configs[0]["build"], "id": name, "ruleset": ", ".join(dict.fromkeys(c["build"]["ruleset"] for c in configs)),
                       "notices": list(dict.fromkeys(n for c in configs for n in c["build"]["notices"])) + [COMMUNES_NOTICE[merged["lang"]]]}
    merged["counts"] = {k: sum(c["counts"].get(k, 0) for c in configs) for k in configs[0]["counts"]}
    return merged
