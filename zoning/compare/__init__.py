"""Comparing two zonings of one province: what moved, where, and why.

:func:`diff` aligns the builds (:mod:`~zoning.compare.align`), cuts the province into
pieces by (old zone, new zone) (:mod:`~zoning.compare.transitions`), lists what changed
in the rules and the inputs (:mod:`~zoning.compare.causes`) and ties each changed piece
to what held it before and after and to those causes (:mod:`~zoning.compare.reasons`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

import zoning
from zoning import terms
from zoning.builder.model import CRITERIA_SPECS, Build, BuildLike, as_build
from zoning.builder.overlay import MIN_PIECE_M2
from zoning.compare.align import aligned, province_name
from zoning.compare.causes import input_changes, rule_changes
from zoning.compare.model import SCHEMA, ZoningDiff
from zoning.compare.reasons import PIECE_WHY_COLUMNS, piece_reasons
from zoning.compare.sites import verdict_changes
from zoning.compare.transitions import by_commune, transitions
from zoning.errors import ZoningError
from zoning.inputs.crs import describe
from zoning.terms import M2_PER_HA


def diff(
    old: BuildLike,
    new: BuildLike,
    *,
    min_area_ha: float = 0.01,
    min_width_m: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> ZoningDiff:
    """Compare two builds of the same province: what moved, where, and why.

    Parameters
    ----------
    old, new
        The earlier and the later build: :class:`~zoning.Build` values or build files.
    min_area_ha, min_width_m
        The noise threshold: a piece smaller than ``min_area_ha``, or thinner than
        ``min_width_m`` everywhere, is a sliver of re-digitising, set aside (and its
        area reported), not a change.
    progress
        Called with the name of each step as it starts.

    Returns
    -------
    ZoningDiff
        Save it with :meth:`ZoningDiff.write`; report it with
        :func:`zoning.write_diff_report`.

    Raises
    ------
    ZoningError
        If the builds are of different provinces or on different grids.

    Examples
    --------
    >>> import zoning
    >>> change = zoning.diff("draft-build.gpkg", "approved-build.gpkg")  # doctest: +SKIP
    >>> change.matrix().round(2)  # doctest: +SKIP
    """
    if not (min_area_ha >= 0 and min_width_m >= 0):
        raise ZoningError(
            (f"Ngưỡng bỏ qua phải không âm (diện tích {min_area_ha} ha, bề rộng {min_width_m} m)",
             f"the noise threshold must not be negative (area {min_area_ha} ha, width {min_width_m} m)"),
            ("cho ngưỡng bằng 0 hoặc số dương", "give zero or a positive threshold"),
        )
    step = progress or (lambda _: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    step("reading the builds")
    old, new = as_build(old), as_build(new)
    before = old
    old, notes = aligned(old, new)
    lap("align")
    step("overlaying the zones")
    cut = transitions(old, new, min_area_ha, min_width_m)
    lap("transitions")
    step("comparing rules and inputs")
    rules, inputs = rule_changes(old, new), input_changes(old, new)
    if not all(c in b.criteria for b in (old, new) for c in CRITERIA_SPECS):
        notes.append(
            "Một bản được xây dựng bằng phiên bản cũ, không ghi điều kiện chọn và bề rộng của tiêu chí: các thay đổi đó không được so sánh. / "
            "A build made by an older version records no criterion selections and widths: changes to them are not compared."
        )
    lap("causes")
    step("explaining the changes")
    pieces = cut.pieces
    real = ~pieces["noise"].to_numpy(bool)
    reasons, why = piece_reasons(pieces[real], old, new, rules, inputs)
    communes, codes = by_commune(pieces, new.communes)
    pieces = pieces.assign(commune_codes=codes, **{c: "" for c in PIECE_WHY_COLUMNS})
    pieces.loc[real, PIECE_WHY_COLUMNS] = why.to_numpy()
    rules["moved_ha"] = _moved(reasons, pieces, ["criterion"], rules.rename(columns={"id": "criterion"})).where(rules["kind"] == "criterion")
    inputs["moved_ha"] = _moved(reasons, pieces, ["source_layer", "source_id"], inputs.rename(columns={"layer": "source_layer"}))
    lap("reasons")
    meta = _meta(before, new, cut, pieces, min_area_ha, min_width_m, notes, timings)
    return ZoningDiff(pieces, cut.table, reasons, rules, inputs, communes, meta)


def _moved(reasons: pd.DataFrame, pieces: pd.DataFrame, key: list[str], changes: pd.DataFrame) -> pd.Series:
    """Area of the changed pieces that each change's criterion or feature holds before or after (ha)."""
    area = reasons["piece_id"].map(pieces.set_index("piece_id")["area_ha"])
    per = reasons.assign(area=area).drop_duplicates(["piece_id", *key]).groupby(key)["area"].sum()
    wanted = pd.MultiIndex.from_frame(changes[key].astype(str)) if len(key) > 1 else pd.Index(changes[key[0]].astype(str))
    return pd.Series(per.reindex(wanted).fillna(0.0).to_numpy(float), index=changes.index)


def _meta(old: Build, new: Build, cut, pieces: pd.DataFrame, min_area_ha: float, min_width_m: float, notes: list[str], timings: dict) -> dict:
    real = pieces[~pieces["noise"].to_numpy(bool)]
    noise = pieces[pieces["noise"].to_numpy(bool)]
    land = cut.land
    if max(land["only_old_ha"], land["only_new_ha"]) * M2_PER_HA >= MIN_PIECE_M2:
        only = {lang: [terms.quantity(land[f"only_{side}_ha"], "area_ha", lang) for side in ("old", "new")] for lang in terms.LANGUAGES}
        notes = notes + [
            f"Ranh giới tỉnh của hai bản khác nhau: {only['vi'][0]} chỉ có ở bản cũ, {only['vi'][1]} chỉ có ở bản mới; chỉ so sánh phần đất chung. / "
            f"The province boundaries differ: {only['en'][0]} only in the old build, {only['en'][1]} only in the new one; only the land they share is compared."
        ]
    return {
        "schema": SCHEMA,
        "package": f"zoning {zoning.__version__}",
        "old": _build_info(old),
        "new": _build_info(new),
        "province": province_name(new),
        "crs": describe(new.crs),
        "epsg": new.crs.to_epsg(),
        "threshold": {"min_area_ha": min_area_ha, "min_width_m": min_width_m},
        "changed_ha": float(real["area_ha"].sum()),
        "changed_pieces": int(len(real)),
        "noise_ha": float(noise["area_ha"].sum()),
        "noise_pieces": int(len(noise)),
        "land": land,
        "notes": notes,
        "illustrative_notice": new.manifest.get("illustrative_notice") or old.manifest.get("illustrative_notice") or "",
        "timings_s": timings,
    }


def _build_info(build: Build) -> dict:
    return {
        "build_id": build.build_id,
        "name": build.name,
        "path": str(build.path) if build.path is not None else None,
        "ruleset": build.manifest.get("ruleset", ""),
        "zones_ha": {str(z): float(a) for z, a in zip(build.zones["zone"], build.zones["area_ha"])},
    }


__all__ = ["ZoningDiff", "diff", "verdict_changes"]
