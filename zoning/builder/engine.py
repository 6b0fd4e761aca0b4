"""The build: criterion polygons → named units → three zones covering the province.

1. Each criterion selects features of its layer kind and turns them into polygons (as
   drawn, or buffered by a width from the feature or a default flagged as assumption),
   clipped to the province.
2. Plan conflicts (a feature taken as drawn by criteria of both zones) are reported as
   unresolved; until they are resolved, the zone the national criteria give applies.
3. Precedence: designations in force before proposed ones; strict before
   emission-limited; within a zone, rule-file order, then the legal rank of the
   designation, the most recent decision and the file order. Each polygon keeps only what
   no earlier one covers: the result is a set of disjoint **units**, one per source
   feature and criterion.
4. The zones are dissolved from the criterion polygons in force, tile by tile: strict is
   the union of the strict polygons, emission-limited the union of its polygons minus
   strict, other the province minus both. Proposed designations (no legal boundary yet)
   are units of their own, outside the zones. Every criterion a place meets is kept in
   the lineage.
5. QA proves the coverage with computed areas: the units (carved) add up to the zones
   (dissolved), the zones do not overlap, and the three areas add up to the province.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import shapely

from zoning.builder.communes import PROVINCE_EXTENTS, by_commune, province_communes
from zoning.builder.dissolve import dissolve_zones
from zoning.builder.memory import limit_arenas, release
from zoning.builder.model import Build, assemble
from zoning.builder.overlay import carve, polygonal
from zoning.builder.polygons import criterion_polygons
from zoning.builder.qa import coverage_qa
from zoning.builder.units import carved_units, held_lineage, plan_conflicts, unit_lineage
from zoning.errors import InputError
from zoning.inputs.layers import LayerSet
from zoning.law.criteria import RuleSet
from zoning.terms import M2_PER_HA

REQUIRED_KINDS = ("province", "communes")


def build_zones(layers: LayerSet, rules: RuleSet, progress: Callable[[str], None] | None = None, province_extent: str = "province") -> Build:
    """Build the three zones of a province from checked layers and rules.

    Parameters
    ----------
    layers
        Layers from :func:`zoning.layers.read_layers`, in the province CRS; must hold
        ``province`` and ``communes``.
    rules
        Rule set from :func:`zoning.rules.load_rules`.
    progress
        Called with the name of each step as it starts.
    province_extent
        ``"province"``: the zones cover the province polygon, and the slivers of it
        outside every commune are given to communes (see :mod:`zoning.builder.communes`);
        ``"communes"``: the province is the union of the communes.
    """
    missing = [k for k in REQUIRED_KINDS if k not in layers]
    if layers.crs is None:
        raise InputError(("các lớp chưa được chuyển về hệ tọa độ của tỉnh", "the layers are not in the province CRS"),
                         ("đọc các lớp với hệ tọa độ của tỉnh (read_layers(..., tm3_crs(kinh tuyến trục)))",
                          "read the layers in the province CRS (read_layers(..., tm3_crs(meridian)))"))
    if missing:
        raise InputError((f"dữ liệu đầu vào thiếu lớp {' hoặc '.join(missing)}", f"the input has no {' or '.join(missing)} layer"),
                         ("phân vùng cần lớp ranh giới tỉnh (province) và lớp xã (communes)", "a build needs the province and its communes"))
    if province_extent not in PROVINCE_EXTENTS:
        raise InputError((f"--province-extent {province_extent}: không rõ giá trị này", f"--province-extent {province_extent}: unknown value"),
                         (f"dùng {' hoặc '.join(PROVINCE_EXTENTS)}", f"use {' or '.join(PROVINCE_EXTENTS)}"))
    timings: dict[str, float] = {}
    clock = _Clock(timings, progress)
    limit_arenas()

    with clock("criteria"):
        province = shapely.union_all(layers[province_extent].geometry.values)
        candidates, skipped = criterion_polygons(layers, rules, province)
        conflicts, held = plan_conflicts(candidates, rules)
        candidates, held_back = candidates[~held].reset_index(drop=True), pd.DataFrame(candidates[held].drop(columns="geometry"))
    with clock("units and zones"), ThreadPoolExecutor(1) as background:
        # independent: the zones are dissolved while the units are carved
        zoned = ~candidates["proposed"].to_numpy(bool)
        dissolving = background.submit(dissolve_zones, candidates.geometry.to_numpy()[zoned], candidates["zone"].to_numpy()[zoned], province, layers.crs)
        carved, pairs = carve(candidates.geometry.to_numpy())
        candidates["unit_geometry"] = polygonal(carved)
        del carved
        units = carved_units(candidates)
        zones, protected_m2 = dissolving.result()
    with clock("lineage"):
        lineage = held_lineage(unit_lineage(candidates, *pairs, units), held_back)
    with clock("communes"):
        communes, reconciliation = province_communes(layers["communes"], province)
        units["commune_codes"], summary = by_commune(units, zones, communes)
    with clock("qa"):
        qa = coverage_qa(zones, protected_m2, units, province, summary)
        qa["communes"] = {"province_extent": province_extent, **reconciliation}
        if province_extent == "communes":
            qa["communes"]["province_layer_ha"] = float(shapely.union_all(layers["province"].geometry.values).area / M2_PER_HA)
    parts = {"zones": zones, "units": units, "lineage": lineage, "communes": communes, "commune_summary": summary,
             "conflicts": conflicts, "skipped": skipped}
    with clock("manifest"):  # the same dict as the manifest's timings: this step's time lands there too
        return assemble(parts, layers, rules, qa, timings)


class _Clock:
    def __init__(self, timings: dict[str, float], progress: Callable[[str], None] | None) -> None:
        self.timings, self.progress = timings, progress

    def __call__(self, step: str) -> _Clock:
        self.step = step
        return self

    def __enter__(self) -> None:
        if self.progress:
            self.progress(self.step)
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.step] = round(time.perf_counter() - self.start, 3)
        release()


# ------------------------------------------------------------------ criterion polygons










# ------------------------------------------------------------------------ units, zones










# ---------------------------------------------------------------------------- communes








# ---------------------------------------------------------------------------------- QA


