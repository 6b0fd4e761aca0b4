"""The tables of Phụ lục I and II: each unit under the heading of its criterion, every other
criterion its land meets (referred to by the group heading that cites it, or by a marker
whose note cites it once) and the land it shares with other features.
"""

from __future__ import annotations

import pandas as pd

from zoning import terms
from zoning.outputs.annex_model import (
    ANNEX_NUMBERS,
    ANNEX_ZONES,
    AREA_COLUMN,
    NOTE_ILLUSTRATIVE,
    NOTE_UNCONFIRMED,
    ROMAN,
    STATUS_MARKS,
    AnnexTable,
)

UNIT_UNCONFIRMED = "(tiêu chí chưa xác nhận)"
GROUP_BY_READING = "Vùng của các khu vực đô thị theo cách xếp loại đô thị tạm chọn (chưa xác nhận), xem mâu thuẫn về loại đô thị."
UNIT_BY_READING = "(tiêu chí chưa xác nhận: vùng theo cách xếp loại đô thị tạm chọn, xem mâu thuẫn về loại đô thị)"


def _group_number(index: int) -> str:
    """The number of the index-th criterion group of a zone table (I, II, and so on)."""
    return ROMAN[index] if index < len(ROMAN) else str(index + 1)


def group_headings(units: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Criterion → (annex, group number) of the group heading that cites it, for the units in force in table order."""
    headings = {}
    for zone in ANNEX_ZONES:
        criteria = units.loc[units["zone"] == zone, "criterion"].unique()
        headings.update({criterion: (ANNEX_NUMBERS[zone], _group_number(i)) for i, criterion in enumerate(criteria)})
    return headings


def all_criteria(
    units: pd.DataFrame, others: pd.DataFrame, criteria: pd.DataFrame, headings: dict[str, tuple[str, str]]
) -> tuple[list[str], list[str], dict[str, str]]:
    """Per unit, the other criteria in force its land also meets, and its overlaps with other
    features, proposed designations included (``Trong đó … ha trùng với …``); a feature with
    no unit of its own (all its land credited to others) is said to have no row.

    A criterion that heads a group of the annexes is referred to by it (``mục II``, or
    ``mục II Phụ lục II`` in the other annex): its citation is printed once, in the group
    heading. Any other by a marker ``[n]`` whose note under the table cites it once, marked
    when unconfirmed or proposed: the third result maps each marker to its note.
    """
    cited: dict[str, str] = {}

    def reference(criterion: str, status: str, annex: str) -> str:
        if status != "proposed" and criterion in headings:
            heading_annex, number = headings[criterion]
            return f"mục {number}" if heading_annex == annex else f"mục {number} Phụ lục {heading_annex}"
        known = criterion in criteria.index
        title = criteria.loc[criterion, "title_vi"] if known else criterion
        citation = criteria.loc[criterion, "citation_vi"] if known else ""
        note = f"{title} ({citation}){STATUS_MARKS.get(status, '')}" if citation else f"{title}{STATUS_MARKS.get(status, '')}"
        marker = next((m for m, n in cited.items() if n == note), f"[{len(cited) + 1}]")
        cited[marker] = note
        return marker

    by_unit = dict(tuple(others.groupby("unit_id", sort=False)))
    key = [units["source_layer"], units["source_id"].astype(str), units["criterion"]]
    credited = units[units["status"] != "proposed"].groupby(key)["zone"].agg(set).to_dict()
    credited.update({k: set() for k in units[units["status"] == "proposed"].groupby(key).groups})  # a row in no zone: its own list
    citations, overlaps = [], []
    for unit in units.itertuples():
        cited_here: dict[str, str | None] = {unit.criterion: None}  # its own: in its group heading
        shared: dict[tuple, tuple[str, list[str], list[str], list[bool]]] = {}  # one line per feature and area shared, whatever the criteria
        for other in by_unit.get(unit.unit_id, others.iloc[:0]).itertuples():
            text = reference(other.criterion, other.status, unit.annex)
            if other.status != "proposed":
                cited_here.setdefault(other.criterion, text)
            if (other.source_layer, str(other.source_id)) == (unit.source_layer, str(unit.source_id)):
                continue  # the same feature under another criterion: cited, not an overlap
            area = terms.quantity(other.overlap_ha, "area_ha")
            feature = (other.source_layer, str(other.source_id))
            _, refs, zones, rows = shared.setdefault((*feature, area), (other.name, [], [], []))
            refs.append(text)
            zones += credited.get((*feature, other.criterion), set())  # where the feature's land under that criterion is credited
            rows.append((*feature, other.criterion) in credited)
        citations.append(";\n".join(text for text in cited_here.values() if text is not None))
        overlaps.append("\n".join(_overlap_line(area, name, refs, set(zones), unit.zone, any(rows))
                                  for (_, _, area), (name, refs, zones, rows) in shared.items()))
    return citations, overlaps, cited


def _overlap_line(area: str, name: str, refs: list[str], zones: set[str], zone: str, has_row: bool) -> str:
    """``Trong đó 26,68 ha trùng với X [3] (mục IV; vùng …).``: markers ``[n]`` (their notes cite the criterion) after the
    name, the groups citing the others (``mục …``), and the zone the feature's units in force are in when it is another; a
    feature with no unit under these criteria (all its land credited to others) has no row of its own.
    """
    markers = " ".join(dict.fromkeys(r for r in refs if r.startswith("[")))
    other_zones = [] if zone in zones else [terms.zone_name(z).lower() for z in ("strict", "emission_limited", "other") if z in zones]
    within = "; ".join([*dict.fromkeys(r for r in refs if not r.startswith("[")), *other_zones])
    where = " ".join(part for part in (markers, f"({within})" if within else "") if part)
    absorbed = "" if has_row else "; khu vực này không có dòng riêng vì toàn bộ diện tích đã được tính cho các khu vực khác"
    return f"Trong đó {area} trùng với {name} {where}{absorbed}."


def zone_table(zone: str, units: pd.DataFrame, criteria: pd.DataFrame, zone_area_ha: float, cited: dict[str, str]) -> AnnexTable:
    """The table of a zone's units in force, grouped by criterion, with the zone's total and the notes under it."""
    rows: list[list] = []
    kinds: list[str] = []
    notes: list[str] = []
    for number, (criterion, group) in enumerate(units.groupby("criterion", sort=False)):
        known = criterion in criteria.index
        title = criteria.loc[criterion, "title_vi"] if known else criterion
        citation = criteria.loc[criterion, "citation_vi"] if known else group["citation_vi"].iloc[0]
        status = criteria.loc[criterion, "status"] if known else group["status"].iloc[0]
        rows.append(
            [
                _group_number(number),
                "",
                f"{title} ({citation})",
                "",
                round(float(group["area_ha"].sum()), 2),
                "",
                NOTE_UNCONFIRMED if status != "confirmed" else GROUP_BY_READING if group["by_reading"].any() else "",
            ]
        )
        kinds.append("group")
        for unit in group.itertuples():
            rows.append([str(unit.stt), unit.unit_id, unit.name, unit.location, round(float(unit.area_ha), 2), unit.citations, _unit_notes(unit)])
            kinds.append("unit")
    total = round(zone_area_ha, 2)
    rows.append(["", "", "Tổng cộng", "", total, "", ""])
    kinds.append("total")
    text = "\n".join(str(cell) for row in rows for cell in row)
    notes += [f"{marker} {note}." for marker, note in cited.items() if marker in text]
    unit_sum = round(sum(r[AREA_COLUMN] for r, k in zip(rows, kinds) if k == "unit"), 2)
    group_sum = round(sum(r[AREA_COLUMN] for r, k in zip(rows, kinds) if k == "group"), 2)
    notes.append(f"Tổng cộng là diện tích {terms.zone_name(zone).lower()} trong kết quả phân vùng, làm tròn đến 0,01 ha.")
    if unit_sum != total or group_sum != total:
        notes.append(
            f"Do làm tròn từng dòng, tổng các dòng là {terms.number(unit_sum)} ha (các dòng cộng theo tiêu chí: "
            f"{terms.number(group_sum)} ha), chênh {terms.number(abs(unit_sum - total))} ha so với tổng cộng."
        )
    caption = f"Danh mục các khu vực thuộc {terms.zone_name(zone).lower()}"
    columns = ["STT", "Mã khu vực", "Tên khu vực (nhóm: tiêu chí và căn cứ)", "Vị trí (xã, phường)", "Diện tích (ha)", "Đồng thời thuộc tiêu chí", "Ghi chú"]
    return AnnexTable(caption, columns, [11, 17, 52, 44, 23, 40, 65], rows, kinds, ANNEX_NUMBERS[zone], notes)


def _unit_notes(unit) -> str:
    """The notes of a unit row: what it rests on that is not confirmed, its overlaps, assumptions, illustrative data."""
    notes = []
    if unit.status != "confirmed":  # its criterion (in its group heading too)
        notes.append(UNIT_UNCONFIRMED)
    elif unit.by_reading:  # a confirmed criterion, the zone given by the urban classification chosen
        notes.append(UNIT_BY_READING)
    if unit.overlaps:
        notes.append(unit.overlaps)
    if unit.assumption:
        notes.append(f"{unit.assumption[:1].upper()}{unit.assumption[1:]}.")
    if unit.illustrative:
        notes.append(NOTE_ILLUSTRATIVE)
    return "\n".join(notes)
