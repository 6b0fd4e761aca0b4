"""Why each piece of land changed zone: what held it before and after, and the cause.

A piece is joined to the units of each build it lies in (units are disjoint and carry
the prevailing criterion and source feature). Comparing the (criterion, layer, feature)
that hold it before and after gives, per piece:

- **added**: holds it now, did not before;
- **removed**: held it before, does not now;
- **changed**: holds it in both, so its criterion changed zone.

Each is tied to its cause: the rule change of its criterion and the input change of its
feature (:mod:`zoning.compare.causes`). One with no cause of its own is unchanged, so its
land still meets it: an added one was met before and now prevails, a removed one is
still met but gives way to the stricter zone. The units' lineages (every criterion their
land meets) are listed beside, before and after.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoning import terms
from zoning.builder.model import Build
from zoning.builder.overlay import MIN_PIECE_M2
from zoning.checker.arrays import joined
from zoning.compare.transitions import overlap_areas
from zoning.terms import M2_PER_HA

KEY = ["piece", "criterion", "source_layer", "source_id"]
REASON_COLUMNS = ["piece_id", "change", "criterion", "source_layer", "source_id", "name", "name_en", "unit_before", "unit_after",
                  "overlap_ha", "cause_vi", "cause_en", "text_vi", "text_en"]
PIECE_WHY_COLUMNS = ["held_before", "held_after", "lineage_before", "lineage_after", "why_vi", "why_en"]
CHANGE_ORDER = {"added": 0, "changed": 1, "removed": 2}
NO_CAUSE = {
    "added": ("đã đáp ứng từ trước, nay là căn cứ chính", "already met before, now prevails"),
    "removed": ("vẫn đáp ứng nhưng nhường cho vùng nghiêm ngặt hơn", "still met, but gives way to the stricter zone"),
    "changed": ("không có thay đổi được ghi nhận", "no recorded change"),
}
NO_HOLDER = ("không có tiêu chí nào giữ phần đất này ở cả hai bản (ranh giới tỉnh thay đổi?)",
             "no criterion holds this land in either build (a changed province boundary?)")


def piece_reasons(pieces: pd.DataFrame, old: Build, new: Build, rules: pd.DataFrame, inputs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reasons of the given (real) pieces, and per piece its summary columns.

    Parameters
    ----------
    pieces
        Changed pieces with ``piece_id`` and geometry, in the new build's CRS.
    old, new
        The aligned builds.
    rules, inputs
        Their rule and input changes (:func:`~zoning.compare.causes.rule_changes`,
        :func:`~zoning.compare.causes.input_changes`).

    Returns
    -------
    reasons
        One row per piece and (criterion, layer, feature) added, removed or changed.
    summary
        Per piece (in the order given): :data:`PIECE_WHY_COLUMNS`.
    """
    held = {side: _holders(pieces, zone, build) for side, zone, build in (("before", "old_zone", old), ("after", "new_zone", new))}
    merged = held["before"].merge(held["after"], on=KEY, how="outer", suffixes=("_before", "_after"), indicator=True)
    change = merged["_merge"].astype(str).map({"left_only": "removed", "right_only": "added", "both": "changed"})
    reasons = pd.DataFrame({
        "piece": merged["piece"].to_numpy(int),
        "piece_id": pieces["piece_id"].to_numpy()[merged["piece"].to_numpy(int)],
        "change": change.to_numpy(),
        "criterion": merged["criterion"].to_numpy(),
        "source_layer": merged["source_layer"].to_numpy(),
        "source_id": merged["source_id"].to_numpy(),
        "name": merged["name_after"].fillna(merged["name_before"]).to_numpy(),
        "name_en": merged["name_en_after"].fillna(merged["name_en_before"]).to_numpy(),
        "unit_before": merged["unit_id_before"].fillna("").to_numpy(),
        "unit_after": merged["unit_id_after"].fillna("").to_numpy(),
        "overlap_ha": merged["overlap_ha_after"].fillna(merged["overlap_ha_before"]).to_numpy(float),
    })
    reasons = _with_causes(reasons, rules, inputs)
    reasons = reasons.sort_values(["piece", "change", "overlap_ha"], key=lambda c: c.map(CHANGE_ORDER) if c.name == "change" else c,
                                  ascending=[True, True, False], kind="stable").reset_index(drop=True)
    summary = _summary(len(pieces), reasons, held, old, new)
    return reasons[REASON_COLUMNS], summary


def _holders(pieces: pd.DataFrame, zone_column: str, build: Build) -> pd.DataFrame:
    """(piece, unit) pairs sharing land, with the unit's criterion and feature.

    A piece is held only by units of the zone it has in that build; they tile the zone.
    """
    units = build.units
    found = []
    for zone in ("strict", "emission_limited"):
        rows = np.flatnonzero((pieces[zone_column] == zone).to_numpy())
        candidates = np.flatnonzero((units["zone"] == zone).to_numpy())
        piece, unit, area = overlap_areas(pieces.geometry.to_numpy()[rows], units.geometry.to_numpy()[candidates], covering=True)
        found.append((rows[piece], candidates[unit], area))
    piece, unit, area = (np.concatenate(column) for column in zip(*found))
    real = area >= MIN_PIECE_M2
    piece, unit = piece[real], unit[real]

    def column(name: str) -> np.ndarray:
        return units[name].to_numpy()[unit] if name in units else np.full(len(unit), "", dtype=object)

    return pd.DataFrame({
        "piece": piece, "criterion": column("criterion"), "source_layer": column("source_layer"),
        "source_id": column("source_id").astype(str), "unit_id": column("unit_id"), "name": column("name"),
        "name_en": column("name_en"), "overlap_ha": area[real] / M2_PER_HA,
    })


def _with_causes(reasons: pd.DataFrame, rules: pd.DataFrame, inputs: pd.DataFrame) -> pd.DataFrame:
    """The cause of each reason (its criterion's rule change, its feature's input change) and its sentence."""
    criteria = rules[rules["kind"] == "criterion"].rename(columns={"id": "criterion", "detail_vi": "rule_vi", "detail_en": "rule_en"})
    features = inputs.rename(columns={"layer": "source_layer", "detail_vi": "input_vi", "detail_en": "input_en"})
    features = features.assign(source_id=features["source_id"].astype(str))
    out = reasons.merge(criteria[["criterion", "rule_vi", "rule_en"]], on="criterion", how="left")
    out = out.merge(features[["source_layer", "source_id", "input_vi", "input_en"]], on=["source_layer", "source_id"], how="left")
    for i, lang in enumerate(terms.LANGUAGES):
        rule, feature = out[f"rule_{lang}"].fillna(""), out[f"input_{lang}"].fillna("")
        cause = np.where((rule != "") & (feature != ""), rule + "; " + feature, rule + feature)
        out[f"cause_{lang}"] = cause
        fallback = out["change"].map({c: texts[i] for c, texts in NO_CAUSE.items()})
        because = np.where(cause != "", cause, fallback)
        name = out["name"] if lang == "vi" else out["name_en"].where(out["name_en"].fillna("") != "", out["name"])
        label = out["change"].map(terms.labels("changes", lang))
        out[f"text_{lang}"] = label + ": " + name.astype(str) + " (" + out["criterion"] + "; " + out["source_layer"] + "/" + out["source_id"] + ") — " + because
    return out


def _summary(n: int, reasons: pd.DataFrame, held: dict[str, pd.DataFrame], old: Build, new: Build) -> pd.DataFrame:
    """Per piece: who held it before and after, the lineages of those units, and why it changed."""
    out = {}
    for side, build in (("before", old), ("after", new)):
        h = held[side].sort_values(["piece", "overlap_ha"], ascending=[True, False], kind="stable")
        out[f"held_{side}"] = joined(
            h["piece"], (h["criterion"] + ": " + h["name"].astype(str) + " (" + h["source_layer"] + "/" + h["source_id"] + ")").to_numpy(object), n, "; "
        )
        lineage = h[["piece", "unit_id"]].merge(build.lineage[["unit_id", "criterion"]], on="unit_id") if len(build.lineage) else h.iloc[:0]
        out[f"lineage_{side}"] = joined(lineage["piece"], lineage["criterion"].to_numpy(object), n, ", ")
    for lang, fallback in zip(terms.LANGUAGES, NO_HOLDER):
        why = joined(reasons["piece"], reasons[f"text_{lang}"].to_numpy(object), n, "; ")
        out[f"why_{lang}"] = np.where(why == "", fallback, why)
    return pd.DataFrame(out)[PIECE_WHY_COLUMNS]
