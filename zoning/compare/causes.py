"""Causes: what changed in the rules and in the inputs between two builds.

Rule changes come from the builds' criteria tables (criterion added, removed, or one of
its zone, layer, feature selection, geometry and widths, status, titles, citations,
note changed) and from the rule files' versions and SHA-256 hashes in the manifests.
Input changes come from the input layers the builds carry, feature by feature, matched
by ``source_id`` (the n-th feature of an id repeated in a layer with the n-th): added,
removed, geometry changed (with how far it moved: the Hausdorff distance) or attributes
changed (each one with its old and new value).

Each change carries a short bilingual ``detail_vi`` / ``detail_en``: the cause a changed
piece of land cites.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.model import Build

RULE_FIELDS = ("zone", "layer", "selection", "geometry_spec", "status", "title_vi", "title_en", "citation_vi", "citation_en", "note")
RULE_CHANGE_COLUMNS = ["kind", "id", "change", "fields", "details", "title_vi", "title_en", "detail_vi", "detail_en"]
INPUT_CHANGE_COLUMNS = ["layer", "source_id", "name", "change", "fields", "details", "shift_m", "used_by", "detail_vi", "detail_en"]
LONG_TEXT = 80  # longer values are cut in the details


# ------------------------------------------------------------------------------ rules


def rule_changes(old: Build, new: Build) -> pd.DataFrame:
    """Rule files and criteria added, removed or changed (see the module notes)."""
    files = _rule_file_changes(old.manifest.get("rule_files") or [], new.manifest.get("rule_files") or [])
    criteria = _criterion_changes(old.criteria, new.criteria)
    return pd.DataFrame(files + criteria, columns=RULE_CHANGE_COLUMNS)


def _rule_file_changes(old: list[dict], new: list[dict]) -> list[dict]:
    before, after = {f["id"]: f for f in old}, {f["id"]: f for f in new}
    rows = []
    for file_id in sorted(before.keys() | after.keys()):
        a, b = before.get(file_id), after.get(file_id)
        if a is None or b is None:
            change = "added" if a is None else "removed"
            version = (a if b is None else b)["version"]  # type: ignore[index]  # one of the two is there
            rows.append(_rule_row("rule_file", file_id, change, [], "", f"tệp quy tắc {file_id} {version}", f"rule file {file_id} {version}"))
            continue
        fields = [f for f in ("version", "sha256") if a.get(f) != b.get(f)]
        if fields:
            details = "; ".join(f"{f}: {_short(a.get(f), f)} → {_short(b.get(f), f)}" for f in fields)
            rows.append(_rule_row("rule_file", file_id, "changed", fields, details, f"tệp quy tắc {file_id}", f"rule file {file_id}"))
    return rows


def _criterion_changes(old: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    before = {r["id"]: r for r in old.to_dict("records")} if len(old) else {}
    after = {r["id"]: r for r in new.to_dict("records")} if len(new) else {}
    fields = [f for f in RULE_FIELDS if f in old.columns and f in new.columns]
    rows = []
    for criterion in list(before) + [c for c in after if c not in before]:
        a, b = before.get(criterion), after.get(criterion)
        if a is None or b is None:
            row = b if a is None else a
            assert row is not None  # one of the two is there
            rows.append(_rule_row("criterion", criterion, "added" if a is None else "removed", [], "", row["title_vi"], row["title_en"]))
            continue
        changed: list[str] = []
        details: list[str] = []
        for field in fields:
            if _text(a[field]) == _text(b[field]):
                continue
            changed.append(field)
            if field in ("selection", "geometry_spec"):
                details += _json_details(a[field], b[field], prefix="" if field == "geometry_spec" else "selection.")
            else:
                details.append(f"{field}: {_short(a[field])} → {_short(b[field])}")
        if changed:
            rows.append(_rule_row("criterion", criterion, "changed", changed, "; ".join(details), b["title_vi"], b["title_en"]))
    return rows


def _rule_row(kind: str, rule_id: str, change: str, fields: list[str], details: str, title_vi: str, title_en: str) -> dict:
    what = {"rule_file": ("tệp quy tắc", "rule file"), "criterion": ("tiêu chí", "criterion")}[kind]
    texts = {}
    for lang, noun in zip(terms.LANGUAGES, what):
        if change == "changed":
            names = ", ".join(terms.label("rule_fields", f, lang) for f in fields)
            texts[lang] = f"{noun} {rule_id}: {terms.label('changes', 'changed', lang)} {names} ({details})"
        else:
            texts[lang] = f"{noun} {rule_id}: {terms.label('changes', change, lang)}"
    return {"kind": kind, "id": rule_id, "change": change, "fields": ", ".join(fields), "details": details,
            "title_vi": title_vi, "title_en": title_en, "detail_vi": texts["vi"], "detail_en": texts["en"]}


def _json_details(old: Any, new: Any, prefix: str) -> list[str]:
    """``key: old → new`` for each leaf of two JSON objects that differs."""
    a, b = _flat(json.loads(old or "{}")), _flat(json.loads(new or "{}"))
    return [f"{prefix}{k}: {_short(a.get(k))} → {_short(b.get(k))}" for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


# ----------------------------------------------------------------------------- inputs


def input_changes(old: Build, new: Build) -> pd.DataFrame:
    """Input features added, removed or changed, layer by layer (see the module notes)."""
    criteria = pd.concat([old.criteria, new.criteria], ignore_index=True)
    used = criteria.groupby("layer")["id"].agg(lambda ids: ", ".join(dict.fromkeys(ids))) if len(criteria) else pd.Series(dtype=object)
    frames = []
    for kind in sorted(set(old.inputs) | set(new.inputs)):
        table = _layer_changes(old.input_layer(kind), new.input_layer(kind))
        if len(table):
            table.insert(0, "layer", kind)
            table["used_by"] = used.get(kind, "")
            frames.append(table)
    if not frames:
        return pd.DataFrame(columns=INPUT_CHANGE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[INPUT_CHANGE_COLUMNS]


def _layer_changes(old: pd.DataFrame | None, new: pd.DataFrame | None) -> pd.DataFrame:
    """The changed features of one layer kind (either side may be missing)."""
    either = new if old is None else old
    assert either is not None  # a layer kind of one of the two builds
    empty = either.iloc[:0]
    old, new = _keyed(empty if old is None else old), _keyed(empty if new is None else new)
    attributes = sorted((set(old.columns) | set(new.columns)) - {"source_id", "occurrence", "geometry"})
    columns = ["source_id", "occurrence", "geometry", *attributes]
    merged = old.reindex(columns=columns).merge(new.reindex(columns=columns), on=["source_id", "occurrence"], how="outer",
                                                 suffixes=("_old", "_new"), indicator=True)
    side = merged["_merge"].to_numpy().astype(str)
    both = side == "both"
    geometry_old, geometry_new = merged["geometry_old"].to_numpy(), merged["geometry_new"].to_numpy()
    moved = np.zeros(len(merged), dtype=bool)
    moved[both] = ~_same_geometry(geometry_old[both], geometry_new[both])
    shift = np.full(len(merged), np.nan)
    shift[moved] = shapely.hausdorff_distance(geometry_old[moved], geometry_new[moved])

    fields = np.where(moved, "geometry", "").astype(object)
    details = np.full(len(merged), "", dtype=object)
    for column in attributes:
        a, b = _comparable(merged[f"{column}_old"]), _comparable(merged[f"{column}_new"])
        rows = np.flatnonzero(both & ~_equal(a, b))
        if len(rows):
            fields[rows] = _appended(fields[rows], np.full(len(rows), column, dtype=object))
            details[rows] = _appended(details[rows], np.array([f"{column}: {_short(x)} → {_short(y)}" for x, y in zip(a[rows], b[rows])], dtype=object))
    change = np.select([side == "left_only", side == "right_only", fields != ""], ["removed", "added", "changed"], "")
    keep = change != ""
    name = merged["name_new"].fillna(merged["name_old"]) if "name" in attributes else merged["source_id"]
    table = pd.DataFrame({
        "source_id": merged["source_id"].to_numpy()[keep],
        "name": name.fillna(merged["source_id"]).astype(str).to_numpy()[keep],
        "change": change[keep],
        "fields": fields[keep],
        "details": details[keep],
        "shift_m": shift[keep],
    })
    table["detail_vi"], table["detail_en"] = _input_details(table)
    return table


def _keyed(layer: pd.DataFrame) -> pd.DataFrame:
    """The layer with ``occurrence``: the n-th feature of its ``source_id``."""
    frame = pd.DataFrame(layer).copy()
    frame["source_id"] = frame["source_id"].astype(str)
    frame["occurrence"] = frame.groupby("source_id").cumcount()
    return frame


def _same_geometry(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exactly the same vertices, or the same point set (a polygon read back as a one-part multipolygon)."""
    same = shapely.equals_exact(a, b, tolerance=0.0)
    rest = np.flatnonzero(~same)
    if len(rest):
        same[rest] = shapely.equals(a[rest], b[rest])
    return same


def _comparable(column: pd.Series) -> np.ndarray:
    """Values that compare equal across a file round trip: numbers and booleans as float, missing as None."""
    numeric = pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column) or (
        pd.api.types.infer_dtype(column, skipna=True) in ("integer", "floating", "mixed-integer-float", "boolean", "decimal"))
    values = (pd.to_numeric(column.astype(object), errors="coerce") if numeric else column).to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return values


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    missing_a, missing_b = pd.isna(a), pd.isna(b)
    return (missing_a & missing_b) | (~missing_a & ~missing_b & (a == b))


def _appended(texts: np.ndarray, more: np.ndarray) -> np.ndarray:
    return np.where(texts == "", more, texts + "; " + more)


def _input_details(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The cause texts of input changes, in Vietnamese and English."""
    out: dict[str, list[str]] = {"vi": [], "en": []}
    moved = {"vi": "ranh giới dịch tối đa {shift} m", "en": "boundary moved by up to {shift} m"}
    feature = {"added": ("đối tượng mới", "new feature"), "removed": ("đối tượng bị xóa", "feature deleted")}
    for change, shift, details in zip(table["change"], table["shift_m"], table["details"]):
        for i, lang in enumerate(terms.LANGUAGES):
            if change != "changed":
                out[lang].append(feature[change][i])
                continue
            parts = [moved[lang].format(shift=terms.number(shift, 1, lang))] if shift == shift else []
            if details:
                parts.append(f"{terms.label('changes', 'attributes', lang)}: {details}")
            out[lang].append("; ".join(parts))
    return out["vi"], out["en"]


# ------------------------------------------------------------------------------ text


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _short(value: Any, field: str = "") -> str:
    """A value as short text: ``—`` when missing, whole numbers without decimals, long text cut."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if field == "sha256":
        return str(value)[:12] + "…"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, float, np.number)):
        return f"{float(value):g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…"
