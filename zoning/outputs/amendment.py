"""The annex of an amending decision: what a revision of the zoning changes, and why.

After the plan is approved, a province revises its zoning by a decision amending the one
that fixed the zones (ND08 Art. 23(3)). Its annex is written from the comparison of the
two builds (:func:`zoning.diff`) in the style of the decision annexes
(:mod:`zoning.outputs.annex`, Decree 30/2020/NĐ-CP):

- Phụ lục I: the 3 × 3 table of the land moved between the zones (hectares, the
  unchanged land on the diagonal), the area moved per 2025 commune, and a map of the
  changes;
- Phụ lục II: the units (khu vực) taken out of a zone, added to it, or whose boundary
  changed, with their areas before and after, communes and legal basis;
- Phụ lục III: the reasons, in Vietnamese legal prose: which data or criterion changed,
  what land it moved, on which legal basis;
- Phụ lục IV: the boundary points of the units added or changed, by the coordinate policy
  of the map scale (:class:`~zoning.outputs.annex.CoordinatePolicy`), exactly as the annex
  of the revised build lists them; the revised build's full boundaries go out beside it
  as its digital dataset (:mod:`zoning.outputs.dataset`), whose SHA-256 the annex prints.

An annex of a revised build that can only give a draft (the reasons of
:func:`zoning.outputs.annex.draft_reasons`) is marked "DỰ THẢO" on every page with the
reasons on the first, as the annex of the decision it amends; ``final=True`` refuses it.

Units are matched between the builds by what makes them: their zone, criterion and source
feature (their codes are the builds' own). A unit whose boundary moved by less than the
diff's noise threshold is not listed as changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.model import Build, BuildLike, as_build
from zoning.builder.units import in_force
from zoning.compare import diff as compare
from zoning.compare.align import aligned
from zoning.compare.model import ZoningDiff
from zoning.compare.transitions import GRID_M, TRANSITIONS, transition_key
from zoning.files import atomic_path, check_output
from zoning.inputs.catalogue import load_catalogue
from zoning.inputs.text import clean_option
from zoning.outputs.annex import (
    ANNEX_ZONES,
    DECISION_BLANK,
    AnnexData,
    AnnexResult,
    AnnexTable,
    CoordinatePolicy,
    Laps,
    annex_data,
    annex_path,
    draft_reasons,
    province_title,
    refuse_draft,
    write_annex_dataset,
    write_beside,
)
from zoning.outputs.annex_model import DRAFT_MARK, ROMAN, STATUS_MARKS
from zoning.outputs.annex_workbook import coordinate_sheet, draft_lines
from zoning.outputs.dataset import dataset_paths
from zoning.outputs.docx import AREA_UNIT_LINE, OfficialDocument, annex_document, coordinate_table
from zoning.outputs.unchanged import check_changes
from zoning.outputs.xlsx import Sheet, marked
from zoning.terms import M2_PER_HA, ZONE_ORDER

UNIT_KEY = ["zone", "criterion", "source_layer", "source_id"]  # what a unit is, in either build
CHANGE_ORDER = ("removed", "added", "changed")
CHANGE_GROUPS = {
    "removed": "Khu vực đưa ra khỏi vùng",
    "added": "Khu vực bổ sung vào vùng",
    "changed": "Khu vực điều chỉnh ranh giới, diện tích",
}
TITLES = {
    "I": "DIỆN TÍCH ĐIỀU CHỈNH GIỮA CÁC VÙNG VÀ SƠ ĐỒ VỊ TRÍ CÁC KHU VỰC ĐIỀU CHỈNH",
    "II": "DANH MỤC CÁC KHU VỰC ĐIỀU CHỈNH THUỘC VÙNG BẢO VỆ NGHIÊM NGẶT VÀ VÙNG HẠN CHẾ PHÁT THẢI",
    "III": "LÝ DO ĐIỀU CHỈNH VỊ TRÍ, RANH GIỚI CÁC VÙNG",
    "IV": "TỌA ĐỘ CÁC ĐIỂM RANH GIỚI CÁC KHU VỰC BỔ SUNG, ĐIỀU CHỈNH THUỘC VÙNG BẢO VỆ NGHIÊM NGẶT VÀ VÙNG HẠN CHẾ PHÁT THẢI",
}
LISTED_CHANGES = {"added": "bổ sung vào", "changed": "điều chỉnh ranh giới thuộc"}  # units whose boundary Phụ lục IV lists
UNIT_COLUMNS = ["STT", "Tên khu vực", "Mã khu vực", "Vị trí (xã, phường)", "Diện tích trước điều chỉnh (ha)",
                "Diện tích sau điều chỉnh (ha)", "Tăng (+), giảm (−) (ha)", "Tiêu chí và căn cứ"]
UNIT_WIDTHS_MM: list[float] = [11, 50, 17, 44, 24, 24, 21, 61]  # 252 mm: the landscape text width
VALUE_WORDS = {"special": "đặc biệt", "true": "có", "false": "không", "in_force": "đã có hiệu lực", "proposed": "đề xuất"}
MAX_NAMES = 20  # names listed in one reason; the rest counted


@dataclass
class AmendmentData:
    """Everything the annex of an amending decision shows, computed once from a diff and its builds."""

    province: str
    decision: str
    amends: str
    transitions: AnnexTable
    communes: AnnexTable
    units: AnnexTable
    reasons: AnnexTable
    unit_changes: pd.DataFrame  # one row per unit removed, added or changed (see :func:`unit_changes`)
    notices: list[str]  # illustrative data, unconfirmed criteria
    page_notices: list[str]  # those the draft box does not state: on the first page
    law_notices: list[str]  # what the new build says about the law it applies: after the reasons
    conventions: list[str]
    technical: list[str]
    illustrative: bool
    changed_ha: float
    crs_short: str
    draft_reasons: list[str]  # of the revised build (:func:`zoning.outputs.annex.draft_reasons`); none: it may be issued
    revised: AnnexData  # the annex of the revised build: its units, boundary points by the policy, digital dataset

    @property
    def boundaries(self) -> AnnexData:
        """The revised annex's points and simplification of the units added or changed only (Phụ lục IV)."""
        listed = self.unit_changes.loc[self.unit_changes["change"].isin(list(LISTED_CHANGES)), "unit_after"]
        revised = self.revised
        return replace(revised, units=revised.units[revised.units["unit_id"].isin(listed)],
                       coordinates=revised.coordinates[revised.coordinates["unit_id"].isin(listed)],
                       simplification=revised.simplification[revised.simplification["unit_id"].isin(listed)])

    @property
    def territory(self) -> str:
        """``tỉnh X`` (or ``thành phố X`` for a centrally governed city)."""
        return self.province if self.province.lower().startswith("thành phố ") else f"tỉnh {self.province}"

    @property
    def committee(self) -> str:
        """``Ủy ban nhân dân tỉnh X``: who issues the decision."""
        return f"Ủy ban nhân dân {self.territory}"


# ------------------------------------------------------------------------------ units


def unit_changes(old: Build, new: Build, min_area_ha: float = 0.01, min_width_m: float = 1.0) -> pd.DataFrame:
    """The units in force of the strict and emission-limited zones removed, added or changed.

    Parameters
    ----------
    old, new
        The two builds, on the same grid (``old`` aligned to ``new``: see
        :func:`zoning.compare.align.aligned`).
    min_area_ha, min_width_m
        A unit in both builds is changed when the land it gained and lost is at least
        ``min_area_ha`` and not thinner than ``min_width_m`` everywhere (the diff's noise
        threshold).

    Returns
    -------
    pandas.DataFrame
        ``change`` (removed, added, changed), ``zone``, ``criterion``, ``source_layer``,
        ``source_id``, ``name``, ``unit_before``, ``unit_after``, ``area_before_ha``,
        ``area_after_ha`` (NaN where the unit is not in that build), ``delta_ha``,
        ``commune_codes`` (of the new unit, else of the old), ``citation_vi`` and ``status``;
        in the order of the annex: zone, change, criterion as the new build lists them, name.
    """
    columns = [*UNIT_KEY, "unit_id", "name", "citation_vi", "status", "commune_codes", "area_ha", "geometry"]
    before, after = (pd.DataFrame(b.units[in_force(b.units) & b.units["zone"].isin(ANNEX_ZONES).to_numpy()][columns]) for b in (old, new))
    for side in (before, after):
        side["source_id"] = side["source_id"].astype(str)
    merged = before.merge(after, on=UNIT_KEY, how="outer", suffixes=("_before", "_after"), indicator=True)
    side = merged["_merge"].astype(str).to_numpy()
    shapes = merged["geometry_before"].to_numpy(), merged["geometry_after"].to_numpy()
    moved = np.zeros(len(merged), dtype=bool)
    both = np.flatnonzero(side == "both")
    both = both[~shapely.equals_exact(shapes[0][both], shapes[1][both], tolerance=0.0)]
    if len(both):
        delta = shapely.symmetric_difference(shapes[0][both], shapes[1][both], grid_size=GRID_M)
        real = shapely.area(delta) >= min_area_ha * M2_PER_HA
        if min_width_m > 0 and real.any():
            real[real] = ~shapely.is_empty(shapely.buffer(delta[real], -min_width_m / 2))
        moved[both[real]] = True
    change = np.select([side == "left_only", side == "right_only", moved], ["removed", "added", "changed"], "")

    def latest(name: str) -> pd.Series:
        return merged[f"{name}_after"].where(merged[f"{name}_after"].notna(), merged[f"{name}_before"])

    table = pd.DataFrame({
        "change": change,
        **{key: merged[key].to_numpy() for key in UNIT_KEY},
        "name": latest("name").to_numpy(),
        "unit_before": merged["unit_id_before"].fillna("").to_numpy(),
        "unit_after": merged["unit_id_after"].fillna("").to_numpy(),
        "area_before_ha": merged["area_ha_before"].to_numpy(float),
        "area_after_ha": merged["area_ha_after"].to_numpy(float),
        "commune_codes": latest("commune_codes").fillna("").to_numpy(),
        "citation_vi": latest("citation_vi").to_numpy(),
        "status": latest("status").to_numpy(),
    })[change != ""]
    table["delta_ha"] = table["area_after_ha"].fillna(0.0) - table["area_before_ha"].fillna(0.0)
    order = {c: i for i, c in enumerate(new.criteria["id"])} if len(new.criteria) else {}
    keys = pd.DataFrame({
        "zone": table["zone"].map({z: i for i, z in enumerate(ANNEX_ZONES)}),
        "change": table["change"].map({c: i for i, c in enumerate(CHANGE_ORDER)}),
        "criterion": table["criterion"].map(order).fillna(len(order)),
        "name": table["name"],
    })
    return table.loc[keys.sort_values(list(keys.columns), kind="stable").index].reset_index(drop=True)


# ----------------------------------------------------------------------------- tables


def amendment_data(change: ZoningDiff, old: Build, new: Build, decision: str | None = None, amends: str | None = None,
                   province_name: str | None = None, policy: CoordinatePolicy | None = None) -> AmendmentData:
    """Compute every table of the amending annex (no file is written).

    ``old`` must be aligned to ``new`` (as :func:`zoning.diff` does). ``policy``: how the
    boundary points are listed (:func:`zoning.outputs.annex.annex_data`).
    """
    threshold = change.meta["threshold"]
    units = unit_changes(old, new, threshold["min_area_ha"], threshold["min_width_m"])
    names = _commune_names(old, new)
    criteria = pd.concat([new.criteria, old.criteria], ignore_index=True).drop_duplicates("id").set_index("id")
    illustrative = sorted(set(old.manifest.get("illustrative_layers") or []) | set(new.manifest.get("illustrative_layers") or []))
    notices = _notices(illustrative, units, criteria)
    reasons = draft_reasons(new)
    stated = {"illustrative": bool(new.manifest.get("illustrative_layers")),
              "unconfirmed": bool(new.manifest.get("unconfirmed_criteria"))} if reasons else {}  # in the draft box
    return AmendmentData(
        province=province_title(new, province_name),
        decision=_decision(decision),
        amends=_decision(amends),
        transitions=_transition_table(change),
        communes=_commune_table(change, names, new.province_word[0]),
        units=_unit_table(units, names, change),
        reasons=_reason_table(change, criteria, names),
        unit_changes=units,
        notices=list(notices.values()),
        page_notices=[text for kind, text in notices.items() if not stated.get(kind)],
        law_notices=new.notices("vi"),
        conventions=_conventions(change),
        technical=_technical(change),
        illustrative=bool(illustrative),
        changed_ha=change.changed_ha,
        crs_short=str(change.meta.get("crs", "")),
        draft_reasons=reasons,
        revised=annex_data(new, decision, province_name, policy, describe_by_rule=False),  # an amendment lists every boundary it changes
    )


def _transition_table(change: ZoningDiff) -> AnnexTable:
    """The 3 × 3 table: a row per zone before, a column per zone after, totals of both."""
    matrix = change.matrix().fillna(0.0)
    rows: list[list] = []
    for number, zone in enumerate(ZONE_ORDER, start=1):
        rows.append([str(number), terms.zone_name(zone), *[round(float(matrix.loc[zone, z]), 2) for z in ZONE_ORDER],
                     round(float(matrix.loc[zone].sum()), 2)])
    rows.append(["", "Tổng diện tích sau điều chỉnh", *[round(float(matrix[z].sum()), 2) for z in ZONE_ORDER],
                 round(float(matrix.to_numpy().sum()), 2)])
    columns = ["STT", "Vùng trước điều chỉnh", *[f"{terms.zone_name(z)} sau điều chỉnh (ha)" for z in ZONE_ORDER], "Tổng diện tích trước điều chỉnh (ha)"]
    notes = [
        "Mỗi dòng là diện tích của một vùng trước điều chỉnh, chia theo vùng mà phần diện tích đó thuộc về sau điều chỉnh; "
        "ô trên đường chéo là diện tích giữ nguyên vùng, các ô còn lại là diện tích chuyển vùng.",
        f"Tổng diện tích chuyển vùng: {terms.quantity(change.changed_ha, 'area_ha')} "
        f"({change.meta['changed_pieces']} khu đất).",
    ]
    return AnnexTable("Diện tích chuyển đổi giữa các vùng trước và sau điều chỉnh", columns, [12, 60, 45, 45, 45, 45],
                      rows, ["transition"] * 3 + ["total"], "I", notes)


def _moved_transitions(change: ZoningDiff) -> list[tuple[str, str]]:
    table = change.table.set_index(["old_zone", "new_zone"])
    return [(a, b) for a, b in TRANSITIONS if table.loc[(a, b), "area_ha"] > 0]


def _transition_label(old_zone: str, new_zone: str) -> str:
    return f"Từ {terms.zone_name(old_zone).lower()} sang {terms.zone_name(new_zone).lower()}"


def _commune_table(change: ZoningDiff, names: dict[str, str], word: str) -> AnnexTable:
    """The area moved in each 2025 commune, by transition (the diff's commune table)."""
    moved = _moved_transitions(change)
    rows: list[list] = []
    kinds: list[str] = []
    records = change.communes.assign(outside=change.communes["commune_code"].fillna("").astype(str) == "")
    for record in records.sort_values("outside", kind="stable").to_dict("records"):  # what lies in no commune last
        code = str(record["commune_code"] or "")
        name = names.get(code, record["commune_name"]) if code else str(record["commune_name"]).split(" / ")[0]
        rows.append([str(len(rows) + 1) if code else "", name, *[round(float(record[f"{transition_key(a, b)}_ha"]), 2) for a, b in moved],
                     round(float(record["moved_ha"]), 2)])
        kinds.append("commune" if code else "outside")
    matrix = change.matrix()
    rows.append(["", f"Toàn {word}", *[round(float(matrix.loc[a, b]), 2) for a, b in moved], round(change.changed_ha, 2)])
    kinds.append("total")
    columns = ["STT", "Xã, phường", *[f"{_transition_label(a, b)} (ha)" for a, b in moved], "Tổng diện tích chuyển vùng (ha)"]
    widths = [12, 60, *[min(50.0, 145 / max(len(moved), 1))] * len(moved), 35]  # at most the 252 mm of the page
    notes = ["Xã, phường theo đơn vị hành chính cấp xã sau sắp xếp năm 2025; chỉ liệt kê xã, phường có diện tích chuyển vùng."]
    if "outside" in kinds:
        notes.append("Dòng không đánh số là phần diện tích chuyển vùng nằm ngoài các đa giác xã, phường (sai lệch giữa dữ liệu "
                     f"ranh giới {word} và ranh giới xã); cần hiệu chỉnh dữ liệu ranh giới trước khi ban hành.")
    body = np.array([r[2:] for r, k in zip(rows, kinds) if k != "total"], dtype=float).reshape(-1, len(moved) + 1)
    gap = float(np.abs(body.sum(axis=0) - np.array(rows[-1][2:], dtype=float)).max()) if len(body) else 0.0
    if gap >= 0.005:
        notes.append(f"Do làm tròn từng dòng, tổng các dòng chênh tối đa {terms.quantity(gap, 'area_ha')} so với dòng Toàn {word}.")
    return AnnexTable("Diện tích chuyển vùng theo xã, phường", columns, widths, rows, kinds, "I", notes)


def _unit_table(units: pd.DataFrame, names: dict[str, str], change: ZoningDiff) -> AnnexTable:
    """The units removed, added or changed, by zone and change, with the zone's area before and after."""
    matrix = change.matrix().fillna(0.0)
    rows: list[list] = []
    kinds: list[str] = []
    for letter, zone in zip("AB", ANNEX_ZONES):
        in_zone = units[units["zone"] == zone]
        before, after = float(matrix.loc[zone].sum()), float(matrix[zone].sum())
        rows.append([letter, terms.zone_name(zone).upper(), "", "", round(before, 2), round(after, 2), round(after - before, 2), ""])
        kinds.append("zone")
        if not len(in_zone):
            rows.append(["", "Không có khu vực điều chỉnh", "", "", None, None, None, ""])
            kinds.append("none")
        groups = [(kind, in_zone[in_zone["change"] == kind]) for kind in CHANGE_ORDER]
        for number, (kind, group) in enumerate((kind, group) for kind, group in groups if len(group)):
            rows.append([ROMAN[number], CHANGE_GROUPS[kind], "", "", _sum(group["area_before_ha"]), _sum(group["area_after_ha"]),
                         round(float(group["delta_ha"].sum()), 2), ""])
            kinds.append("group")
            for stt, unit in enumerate(group.itertuples(), start=1):
                rows.append([str(stt), unit.name, _codes(unit.unit_before, unit.unit_after), _location(unit.commune_codes, names),
                             _area(unit.area_before_ha), _area(unit.area_after_ha), round(float(unit.delta_ha), 2),
                             f"{unit.citation_vi}{STATUS_MARKS.get(unit.status, '')}"])
                kinds.append("unit")
    notes = [
        "Khu vực là phần diện tích của một vùng được xác định theo một tiêu chí và một đối tượng (đô thị, khu bảo tồn, di tích, "
        "nguồn nước…); diện tích trước và sau điều chỉnh là diện tích của khu vực đó trong kết quả phân vùng trước và sau điều chỉnh.",
        "Dòng chữ in hoa là diện tích của vùng trước và sau điều chỉnh (bằng các tổng tương ứng tại Bảng 1).",
        "Mã khu vực là mã trong kết quả phân vùng; khu vực có mã khác nhau trước và sau điều chỉnh được ghi cả hai mã.",
    ]
    return AnnexTable("Danh mục các khu vực điều chỉnh", UNIT_COLUMNS, UNIT_WIDTHS_MM, rows, kinds, "II", notes)


def _sum(values: pd.Series) -> float | None:
    return round(float(values.sum()), 2) if values.notna().any() else None


def _area(value: float) -> float | None:
    return None if value != value else round(float(value), 2)


def _codes(before: str, after: str) -> str:
    if before and after and before != after:
        return f"{after} (trước: {before})"
    return after or before


def _location(codes: str, names: dict[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in str(codes).split(",") if code)


# ---------------------------------------------------------------------------- reasons


def _reason_table(change: ZoningDiff, criteria: pd.DataFrame, names: dict[str, str]) -> AnnexTable:
    """One row per group of like causes (a data change shared by several features, a criterion changed)."""
    pieces = change.changes.set_index("piece_id")
    reasons = change.reasons[change.reasons["cause_vi"] != ""]
    rows: list[list] = []
    explained: set[str] = set()
    idle: list[str] = []
    for what, held in _causes(change, criteria):
        cited = reasons[held(reasons)]
        ids = list(dict.fromkeys(cited["piece_id"]))
        if not ids:
            idle.append(what)
            continue
        explained.update(ids)
        affected = change.reasons[change.reasons["piece_id"].isin(ids)]
        rows.append([str(len(rows) + 1), f"{what}. {_effect(pieces.loc[ids], names)}", round(float(pieces.loc[ids, "area_ha"].sum()), 2),
                     _basis(affected, criteria)])
    rest = [p for p in pieces.index if p not in explained]
    if rest:
        rows.append([str(len(rows) + 1), "Thay đổi ranh giới không gắn với thay đổi dữ liệu hoặc tiêu chí đã được ghi nhận "
                     f"(ví dụ do thay đổi ranh giới tỉnh). {_effect(pieces.loc[rest], names)}", round(float(pieces.loc[rest, "area_ha"].sum()), 2),
                     _basis(change.reasons[change.reasons["piece_id"].isin(rest)], criteria)])
    if not rows:
        rows.append(["", "Không có diện tích chuyển vùng.", None, ""])
    notes = ["Diện tích ở mỗi dòng là diện tích chuyển vùng do nội dung điều chỉnh đó; một phần diện tích chịu tác động của nhiều "
             "nội dung điều chỉnh được tính ở mỗi dòng liên quan."]
    if idle:
        notes.append("Các nội dung sau đã được cập nhật nhưng không làm thay đổi ranh giới các vùng: " + "; ".join(idle) + ".")
    columns = ["STT", "Nội dung điều chỉnh và lý do", "Diện tích chuyển vùng (ha)", "Căn cứ xác định vùng"]
    return AnnexTable("Lý do điều chỉnh", columns, [12, 140, 28, 72], rows, ["reason"] * len(rows), "III", notes)


def _causes(change: ZoningDiff, criteria: pd.DataFrame) -> list[tuple[str, Callable[[pd.DataFrame], pd.Series]]]:
    """Each group of like causes: its sentence, and which reasons it holds (a mask over reasons)."""
    causes: list[tuple[str, Callable[..., pd.Series]]] = []
    inputs = change.input_changes
    if len(inputs):
        geometry = inputs["fields"].str.split(", ").map(lambda fields: "geometry" in fields)
        keys = inputs.assign(geometry=geometry, details=inputs["details"].fillna(""))
        for (layer, kind, moved, details), group in keys.groupby(["layer", "change", "geometry", "details"], sort=False):
            features = set(zip(group["layer"], group["source_id"].astype(str)))

            def held(reasons: pd.DataFrame, features=features) -> pd.Series:
                return pd.Series(list(zip(reasons["source_layer"], reasons["source_id"].astype(str))), index=reasons.index).isin(features)

            causes.append((_input_sentence(layer, kind, moved, details, group), held))
    rules = change.rule_changes
    for rule in rules[rules["kind"] == "criterion"].itertuples():
        causes.append((_rule_sentence(rule, criteria), lambda reasons, criterion=rule.id: reasons["criterion"] == criterion))
    return causes


def _input_sentence(layer: str, kind: str, moved: bool, details: str, group: pd.DataFrame) -> str:
    """What changed in the data, in legal prose: ``Xác định lại loại đô thị … từ III thành V đối với …``."""
    catalogue = load_catalogue()
    what = catalogue[layer].label_vi if layer in catalogue else "dữ liệu đầu vào"
    listed = _names(group["name"])
    features = f"{len(group)} đối tượng thuộc “{what}”: {listed}"
    if kind == "added":
        return f"Bổ sung {features}"
    if kind == "removed":
        return f"Loại bỏ {features}"
    parts = []
    if moved:
        shift = float(group["shift_m"].max())
        parts.append(f"cập nhật ranh giới (dịch chuyển tối đa {terms.quantity(shift, 'distance_m')})")
    for item in filter(None, details.split("; ")):
        attribute, _, values = item.partition(": ")
        old, _, new = values.partition(" → ")
        known = terms.catalogue()["input_attributes"].get(attribute, {})
        label, shown = known.get("vi", "thông tin thuộc tính"), known.get("value_vi", "{}")
        parts.append(f"xác định lại {label} từ {_value(old, shown)} thành {_value(new, shown)}")
    text = "; ".join(parts) or "cập nhật dữ liệu"
    return f"{text[0].upper()}{text[1:]} đối với {features}"


def _value(text: str, shown: str) -> str:
    """A value of an attribute as the prose writes it: ``loại V``, ``15``, ``2,5``."""
    if text in ("", "—"):
        return "(không có)"
    return shown.format(VALUE_WORDS.get(text, text.replace(".", ",") if text.replace(".", "").isdigit() else text))


def _rule_sentence(rule, criteria: pd.DataFrame) -> str:
    title = rule.title_vi or rule.id
    citation = f" ({criteria.loc[rule.id, 'citation_vi']})" if rule.id in criteria.index else ""
    if rule.change == "added":
        return f"Áp dụng tiêu chí “{title}”{citation}"
    if rule.change == "removed":
        return f"Không còn áp dụng tiêu chí “{title}”{citation}"
    fields = ", ".join(terms.label("rule_fields", f) for f in str(rule.fields).split(", ") if f in terms.labels("rule_fields"))
    return f"Sửa đổi {fields or 'nội dung'} của tiêu chí “{title}”{citation}"


def _names(values: pd.Series) -> str:
    names = list(dict.fromkeys(str(v) for v in values))
    listed = ", ".join(names[:MAX_NAMES])
    return listed + (f" và {len(names) - MAX_NAMES} khu vực khác" if len(names) > MAX_NAMES else "")


def _effect(pieces: pd.DataFrame, names: dict[str, str]) -> str:
    """``Theo đó, 3.262,73 ha chuyển từ … sang … tại 12 xã, phường: …``."""
    by = pieces.groupby(["old_zone", "new_zone"], sort=False)["area_ha"].sum()
    moved = "; ".join(f"{terms.quantity(float(area), 'area_ha')} chuyển từ {terms.zone_name(a).lower()} sang {terms.zone_name(b).lower()}"
                      for (a, b), area in by.items())
    codes = list(dict.fromkeys(c for codes in pieces["commune_codes"] for c in str(codes).split(",") if c))
    where = f" tại {len(codes)} xã, phường: {_location(','.join(codes), names)}" if codes else ""
    return f"Theo đó, {moved}{where}."


def _basis(reasons: pd.DataFrame, criteria: pd.DataFrame) -> str:
    """The legal basis of the land after the change (criteria that now hold it) and before (those that no longer do)."""
    lines = []
    for change, label in (("added", "Sau điều chỉnh"), ("removed", "Trước điều chỉnh")):
        ids = [c for c in dict.fromkeys(reasons.loc[reasons["change"] == change, "criterion"]) if c in criteria.index]
        marks: dict[str, str] = {}
        for criterion in ids:  # a citation once, marked if any criterion citing it is unconfirmed
            citation = criteria.loc[criterion, "citation_vi"]
            marks[citation] = marks.get(citation) or STATUS_MARKS.get(criteria.loc[criterion, "status"], "")
        citations = [f"{citation}{mark}" for citation, mark in marks.items()]
        if citations:
            lines.append(f"{label}: " + "; ".join(citations) + ".")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- texts


def _notices(illustrative: list[str], units: pd.DataFrame, criteria: pd.DataFrame) -> dict[str, str]:
    """Illustrative data (of either build) and the unconfirmed criteria of the units listed, by kind."""
    notices = {}
    if illustrative:
        catalogue = load_catalogue()
        labels = [catalogue[k].label_vi if k in catalogue else k for k in illustrative]
        notices["illustrative"] = ("DỮ LIỆU MINH HỌA – KHÔNG DÙNG ĐỂ RA QUYẾT ĐỊNH: các lớp dữ liệu sau là dữ liệu vẽ minh họa, "
                       "không phải số liệu điều tra, đo đạc: " + "; ".join(labels) + ".")
    unconfirmed = [c for c in dict.fromkeys(units["criterion"]) if c in criteria.index and criteria.loc[c, "status"] == "unconfirmed"]
    if unconfirmed:
        items = [f"{criteria.loc[c, 'title_vi']} ({criteria.loc[c, 'citation_vi']})" for c in unconfirmed]
        notices["unconfirmed"] = "TIÊU CHÍ CHƯA ĐƯỢC XÁC NHẬN (cần cơ quan có thẩm quyền xác nhận trước khi ban hành): " + "; ".join(items) + "."
    return notices


def _conventions(change: ZoningDiff) -> list[str]:
    threshold = change.meta["threshold"]
    return [
        "Số liệu viết theo quy ước Việt Nam: dấu chấm (.) phân cách hàng nghìn, dấu phẩy (,) phân cách phần thập phân.",
        f"Diện tích tính trên mặt phẳng chiếu của hệ tọa độ {change.meta.get('crs', '')}, đơn vị héc-ta (ha), làm tròn đến 0,01 ha.",
        f"Phần diện tích nhỏ hơn {terms.quantity(threshold['min_area_ha'], 'area_ha')} hoặc hẹp hơn "
        f"{terms.quantity(threshold['min_width_m'], 'distance_m')} ở mọi chỗ là sai lệch do số hóa lại ranh giới, không phải "
        f"điều chỉnh, và không được tính (tổng cộng {terms.quantity(change.meta['noise_ha'], 'area_ha')}).",
        "Vị trí ghi theo đơn vị hành chính cấp xã (xã, phường) sau sắp xếp năm 2025.",
    ]


def _technical(change: ZoningDiff) -> list[str]:
    """Provenance, kept out of the tables: the two builds and the software."""
    meta = change.meta
    lines = [f"Kết quả phân vùng trước điều chỉnh: mã {meta['old']['build_id']} (bộ tiêu chí {meta['old']['ruleset']}); "
             f"sau điều chỉnh: mã {meta['new']['build_id']} (bộ tiêu chí {meta['new']['ruleset']}); phần mềm {meta['package']}."]
    return lines + [note.split(" / ")[0] for note in meta.get("notes", [])]


def _commune_names(*builds: Build) -> dict[str, str]:
    """Commune code → full name (``Xã …``, ``Phường …``), the later build's first."""
    names: dict[str, str] = {}
    for build in reversed(builds):
        communes = build.communes
        full = communes["full_name"] if "full_name" in communes else pd.Series("", index=communes.index)
        names.update(zip(communes["code"].astype(str), full.where(full.fillna("") != "", communes["name"]).astype(str)))
    return names


def _decision(text: str | None) -> str:
    """``số 12/QĐ-UBND ngày …`` from what was typed (with or without ``Quyết định`` and ``số``)."""
    text = (text or "").strip()
    if text.lower().startswith("quyết định"):
        text = text[len("quyết định"):].strip()
    if not text:
        return DECISION_BLANK
    return text if text.lower().startswith("số") else f"số {text}"


# ------------------------------------------------------------------------------- map


def changes_map_png(build: Build, change: ZoningDiff, *, width_cm: float = 25.0, max_height_cm: float = 15.0, dpi: int = 200,
                    illustrative: bool = False) -> bytes:
    """A PNG of the land that changed zone, by transition, over the new zones (faded), the
    communes and what lies around: the location sketch of the annex
    (:func:`zoning.outputs.figure.location_sketch`, same round scale, grid, scale bar and
    north arrow).

    Each changed piece is also ringed, so that a piece too small to see at the map's
    scale can be found.
    """
    from geopandas import GeoSeries
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D

    from zoning.outputs.figure import location_sketch
    from zoning.outputs.map import load_style

    colours = load_style()["transitions"]["colours"]
    pieces = change.changes
    with location_sketch(build, width_cm=width_cm, max_height_cm=max_height_cm, dpi=dpi, zone_alpha=0.4) as sketch:
        handles: list[Artist] = []
        for old_zone, new_zone in _moved_transitions(change):
            key = transition_key(old_zone, new_zone)
            mine = pieces[pieces["transition"] == key]
            geometry = shapely.simplify(mine.geometry.to_numpy(), sketch.pixel_m / 2, preserve_topology=True)
            GeoSeries(geometry).plot(ax=sketch.ax, color=colours[key], edgecolor=colours[key], linewidth=0.6, zorder=4.5)
            centres = shapely.point_on_surface(mine.geometry.to_numpy())
            sketch.ax.scatter(shapely.get_x(centres), shapely.get_y(centres), s=150, facecolors="none", edgecolors=colours[key],
                              linewidths=1.2, zorder=4.6)
            area = terms.quantity(float(mine["area_ha"].sum()), "area_ha")
            name = _transition_label(old_zone, new_zone).replace(" sang ", "\nsang ")  # two lines: the legend column is narrow
            handles.append(Line2D([], [], marker="o", markersize=7, markerfacecolor=colours[key], markeredgecolor=colours[key], linewidth=0,
                                  label=f"{name}\n({area}, {len(mine)} khu đất)"))
        handles += sketch.base_handles(" (sau điều chỉnh)")
        sketch.legend(handles, sketch.base_notes(("Vòng tròn: vị trí khu đất chuyển vùng",), illustrative), fontsize=7)
        return sketch.png()


# ------------------------------------------------------------------------- documents


def write_amendment_docx(data: AmendmentData, path: Path, map_png: bytes | None) -> None:
    """Assemble the amending annex as a Word document at ``path`` (not atomic: pass a temporary path)."""
    doc = annex_document(data.draft_reasons)
    attached = f"Kèm theo Quyết định {data.decision} của {data.committee}"

    def header(number: str, landscape: bool = True) -> None:
        """Each appendix a section of its own, its pages numbered from 1 (ND 30/2020)."""
        if number != "I":
            doc.new_section(landscape=landscape, restart_numbering=True)
        doc.appendix_header(number, f"{TITLES[number]} TRÊN ĐỊA BÀN {data.territory.upper()}", attached)

    header("I")
    doc.paragraph(f"Điều chỉnh vị trí, ranh giới vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải trên địa bàn {data.territory} "
                  f"đã xác định tại Quyết định {data.amends} của {data.committee}; tổng diện tích chuyển vùng là "
                  f"{terms.quantity(data.changed_ha, 'area_ha')}.", indent_first=10, after=3)
    for notice in data.page_notices:
        doc.notice(notice)
    for table in (data.transitions, data.communes):
        _table(doc, table)
    if map_png is not None:
        doc.paragraph(page_break=True)
        doc.figure(map_png, 250, f"Sơ đồ vị trí các khu đất chuyển vùng trên địa bàn {data.territory} ({data.crs_short})")
    header("II")
    _table(doc, data.units)
    header("III")
    _table(doc, data.reasons)
    if data.law_notices:
        doc.paragraph("Căn cứ áp dụng của kết quả phân vùng sau điều chỉnh:", italic=True, bold=True, before=6)
        for notice in data.law_notices:
            doc.notice(notice)
    doc.paragraph("Quy ước chung cho các phụ lục:", italic=True, bold=True, before=6)
    doc.bullets(data.conventions)
    header("IV", landscape=False)
    _coordinates(doc, data)
    doc.paragraph("Ghi chú kỹ thuật:", italic=True, bold=True, before=12, keep_next=True)
    doc.bullets(data.technical)
    doc.properties(f"Phụ lục Quyết định điều chỉnh vị trí, ranh giới vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải {data.territory}",
                   "Điều chỉnh phân vùng môi trường theo Điều 22, 23 Nghị định số 08/2022/NĐ-CP", "điều chỉnh phân vùng môi trường")
    doc.save(path)


def _coordinates(doc: OfficialDocument, data: AmendmentData) -> None:
    """Phụ lục IV: how to read the points, then those of each unit added or changed, by zone, as the revised annex lists them."""
    boundaries = data.boundaries
    doc.bullets(boundaries.coordinate_conventions)
    per_unit = boundaries.simplification.set_index("unit_id")
    points = dict(tuple(boundaries.coordinates.groupby("unit_id", sort=False)))
    revised = {unit.unit_id: unit for unit in boundaries.units.itertuples()}
    listed = data.unit_changes[data.unit_changes["change"].isin(list(LISTED_CHANGES))]
    if not len(listed):
        doc.paragraph("Không có khu vực bổ sung hoặc điều chỉnh ranh giới.", italic=True, before=6)
    for index, zone in enumerate(ANNEX_ZONES):
        in_zone = listed[listed["zone"] == zone]
        if not len(in_zone):
            continue
        doc.paragraph(f"{chr(ord('A') + index)}. {terms.zone_name(zone).upper()}", bold=True, before=12, keep_next=True)
        for change in in_zone.itertuples():
            if per_unit.loc[change.unit_after, "listed"]:
                coordinate_table(doc, revised[change.unit_after], points[change.unit_after], per_unit.loc[change.unit_after], boundaries,
                                 f"khu vực {LISTED_CHANGES[change.change]} {terms.zone_name(zone).lower()}")


def _table(doc: OfficialDocument, table: AnnexTable) -> None:
    """A table of the annex: headings and totals in bold, a heading kept on the page of the row after it."""
    from docx.oxml.ns import qn

    bold = [kind in ("zone", "group", "total") for kind in table.kinds]
    doc.table(table.caption, table.columns, table.widths_mm, table.rows, bold, unit_line=AREA_UNIT_LINE, notes=table.notes)
    rows = doc.doc.element.body.findall(qn("w:tbl"))[-1].findall(qn("w:tr"))[1:]  # after the header row
    for row, kind in zip(rows, table.kinds):
        if kind in ("zone", "group"):
            for properties in row.iter(qn("w:pPr")):
                properties.insert(0, properties.makeelement(qn("w:keepNext"), {}))


def amendment_sheets(data: AmendmentData) -> list[Sheet]:
    """The tables of the amending annex as workbook sheets, and the notes."""
    tables = (data.transitions, data.communes, data.units, data.reasons)
    sheets = [
        Sheet(f"Bảng {number}", table.rows, title=f"Bảng {number}. {table.caption} ({table.sheet}, {data.territory})", header=table.columns,
              bold_rows=[kind in ("zone", "group", "total") for kind in table.kinds], wrap=True, notes=table.notes,
              widths=[max(8, width_mm / 2) for width_mm in table.widths_mm], freeze="A3")
        for number, table in enumerate(tables, start=1)
    ]
    sheets.append(coordinate_sheet(data.boundaries))
    notes = [*draft_lines(data.draft_reasons), f"(Kèm theo Quyết định {data.decision} của {data.committee})", "", *data.notices,
             *data.law_notices, "", *data.conventions, "", *data.boundaries.coordinate_conventions, "", *data.technical]
    sheets.append(Sheet("Ghi chú", [[line] for line in notes], number_columns=(), widths=(160,)))
    return marked(sheets, DRAFT_MARK if data.draft_reasons else "")


# --------------------------------------------------------------------------- the job


def write_amendment_annex(
    new: BuildLike,
    old: BuildLike,
    out: str | Path,
    *,
    amends: str | None = None,
    decision: str | None = None,
    province_name: str | None = None,
    pdf: bool = False,
    xlsx: bool = False,
    policy: CoordinatePolicy | None = None,
    map_figure: bool = True,
    final: bool = False,
    min_area_ha: float = 0.01,
    min_width_m: float = 1.0,
    progress: Callable[[str], None] | None = None,
    allow_empty: bool = False,
) -> AnnexResult:
    """Write the annex of a decision amending the zoning: what changed from ``old`` to ``new``, where, and why.

    Parameters
    ----------
    new, old
        The revised build and the build of the decision being amended (:class:`~zoning.Build`
        values or build files) of the same province.
    out
        The Word document to write (``.docx``); the .xlsx and .pdf go beside it.
    amends
        Number and date of the decision being amended, e.g. ``"số 5/QĐ-UBND ngày 2/1/2027"``;
        blank to fill in by default.
    decision
        Number and date of the amending decision; blank to fill in by default.
    province_name
        Province name in the headers; default: the builds' province.
    pdf, xlsx
        Also write ``<out>.pdf`` (LibreOffice headless) and ``<out>.xlsx``.
    policy
        How the boundary points of the units added or changed are listed (map scale,
        units listed); default: the map scale of the revised build's province rules, else
        1:50.000, every unit listed. The revised build's full boundaries are written beside
        ``out`` as its digital dataset (:func:`zoning.outputs.dataset.dataset_paths`),
        whose SHA-256 the annex prints.
    map_figure
        Embed the map of the changes.
    final
        Write the annex to be issued: refused (:class:`ZoningError` listing the reasons)
        while the revised build can only give a draft (:func:`zoning.outputs.annex.draft_reasons`,
        as for the annex of the decision it amends). Otherwise, a draft annex is marked
        "DỰ THẢO" on every page with its reasons on the first page.
    min_area_ha, min_width_m
        The noise threshold of the comparison (:func:`zoning.diff`).
    progress
        Called with the name of each step.
    allow_empty
        Write the annex even when it amends nothing (no land moved, no unit changed).

    Returns
    -------
    AnnexResult

    Raises
    ------
    ZoningError
        If ``out`` is not a .docx or would replace an input, the builds are of different
        provinces or on different grids, ``final`` is asked of a draft, or nothing changes without ``allow_empty``.

    Examples
    --------
    >>> import zoning
    >>> zoning.write_amendment_annex("build-2027.gpkg", "build-2026.gpkg", "amendment.docx",
    ...                              amends="số 5/QĐ-UBND ngày 2/1/2027")  # doctest: +SKIP
    """
    out = annex_path(out)
    step = progress or (lambda _: None)
    lap = Laps()

    step("reading the builds")
    new, old = as_build(new), as_build(old)
    if final:
        reasons = draft_reasons(new)
        if reasons:
            refuse_draft(reasons)
    sources = (*new.sources(), *old.sources())
    for path in (out, *dataset_paths(out), out.with_suffix(".xlsx") if xlsx else None, out.with_suffix(".pdf") if pdf else None):
        if path is not None:
            check_output(path, sources)
    lap("read")
    step("comparing the builds")
    change = compare(old, new, min_area_ha=min_area_ha, min_width_m=min_width_m)
    old, _ = aligned(old, new)
    lap("diff")
    step("tables")
    cleaned: list[str] = []
    texts = {option: clean_option(value, option, cleaned) for option, value in
             (("--decision", decision), ("--amends", amends), ("--province-name", province_name))}
    data = amendment_data(change, old, new, texts["--decision"], texts["--amends"], texts["--province-name"], policy)
    empty = check_changes(data.changed_ha, data.unit_changes, old.name, new.name, allow_empty=allow_empty)
    lap("tables")
    step("digital dataset")
    write_annex_dataset(data.revised, out, sources)
    lap("dataset")
    png = None
    if map_figure:
        step("map")
        png = changes_map_png(new, change, illustrative=data.illustrative)
        lap("map")
    step("Word document")
    with atomic_path(out, sources) as tmp:
        write_amendment_docx(data, tmp, png)
    lap("docx")
    result = AnnexResult(docx=out, dataset=data.revised.dataset, simplification=data.boundaries.simplification, draft_reasons=data.draft_reasons,
                         notices=[*empty, *cleaned, *data.notices, *data.law_notices], timings_s=lap.timings)
    return write_beside(result, lambda: amendment_sheets(data), sources, xlsx=xlsx, pdf=pdf, step=step, lap=lap)


__all__ = ["AmendmentData", "amendment_data", "amendment_sheets", "changes_map_png", "unit_changes", "write_amendment_annex",
           "write_amendment_docx"]
