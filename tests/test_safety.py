"""The safety-distance catalogue: QCVN 01:2021/BXD Table 2.22 as typed from the text,
unconfirmed rows without values, user values, and rule-file errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from zoning.errors import InputError, RuleError
from zoning.law.safety import (
    UserDistance,
    load_facilities,
    load_user_distances,
    parse_distance_option,
    safety_distance,
)
from zoning.resources import path as resource

# QCVN 01:2021/BXD Table 2.22 (zoning-law.md §4), metres by class:
# < 200 | 200–5,000 | > 5,000–50,000 | > 50,000 m³/day; None = '–'
TABLE_2_22 = {
    "wastewater_pumping_station": (15, 20, 25, 30),
    "sludge_drying_beds": (150, 200, 400, 500),
    "mechanical_sludge_treatment": (100, 150, 300, 400),
    "wastewater_treatment": (80, 100, 250, 350),
    "wastewater_treatment_enclosed": (10, 15, 30, 40),
    "infiltration_field": (200, 300, None, None),
    "irrigation_field": (150, 200, 400, None),
    "biological_ponds": (200, 300, 400, None),
    "oxidation_ditch": (150, 200, 400, None),
}
# a capacity in each class, and the class edges: 200 and 5,000 are in class 2, 50,000 in class 3
CAPACITIES = ((10, 0), (199.99, 0), (200, 1), (5000, 1), (5000.01, 2), (50000, 2), (50000.5, 3), (1e6, 3))
UNCONFIRMED = ("sanitary_landfill", "inorganic_landfill", "incinerator", "composting", "hazardous_waste",
               "transfer_station", "solid_waste_complex", "cemetery")


def test_catalogue_has_every_facility_type():
    assert set(load_facilities().codes) == set(TABLE_2_22) | set(UNCONFIRMED)


@pytest.mark.parametrize("facility", sorted(TABLE_2_22))
def test_table_2_22_values_by_capacity_class(facility):
    for capacity, klass in CAPACITIES:
        expected = TABLE_2_22[facility][klass]
        result = safety_distance(facility, "residential", capacity)
        assert result.distance_m == expected, (facility, capacity)
        assert result.status == "confirmed"
        assert result.citation_en == "QCVN 01:2021/BXD, Table 2.22"
        if expected is None:
            assert "no value" in result.missing and facility in result.missing
        else:
            assert result.missing == ""
            assert f"{expected:g} m" in result.basis


def test_upstream_factor_is_one_and_a_half():
    result = safety_distance("sludge_drying_beds", "residential", 6000, upstream=True)
    assert result.distance_m == pytest.approx(400 * 1.5)
    assert "× 1.5" in result.basis
    # the Vietnamese basis: the table row, Vietnamese numbers and the reason of the factor
    source = load_facilities().sources["qcvn-01-2021-bxd-t2.22"]
    assert result.basis_vi.startswith("Bảng 2.22 QCVN 01:2021/BXD, Sân phơi bùn, cấp công suất > 5.000–50.000 m³/ngày: ")  # the class's label_vi
    assert "400,0 m × 1,5 = 600,0 m" in result.basis_vi and source.upstream_vi in result.basis_vi
    assert safety_distance("sludge_drying_beds", "residential", 6000, upstream=False).distance_m == 400


@pytest.mark.parametrize("facility", UNCONFIRMED)
@pytest.mark.parametrize("receptor", ["residential", "water_intake"])
def test_unconfirmed_rows_carry_no_value(facility, receptor):
    result = safety_distance(facility, receptor, 50)
    assert result.distance_m is None
    assert result.status == "unconfirmed"
    assert f"{facility}:{receptor}" in result.missing
    assert result.citation_en  # the source is still cited


def test_distance_to_water_intakes_is_not_invented():
    result = safety_distance("wastewater_treatment", "water_intake", 1000)
    assert result.distance_m is None and result.status == "unconfirmed"


def test_missing_capacity_is_named():
    result = safety_distance("wastewater_treatment", "residential", None)
    assert result.distance_m is None
    assert "capacity" in result.missing and "80–350 m" in result.basis


def test_user_values():
    # a keyed value fills an unconfirmed row, for both receptors
    landfill = safety_distance("sanitary_landfill", "residential", user_distances={"sanitary_landfill": 1000})
    assert (landfill.distance_m, landfill.status) == (1000, "user")
    assert safety_distance("sanitary_landfill", "water_intake", user_distances={"sanitary_landfill": 1000}).distance_m == 1000
    # a receptor-specific value wins over the facility value
    both = {"sanitary_landfill": 1000, "sanitary_landfill:water_intake": 3000}
    assert safety_distance("sanitary_landfill", "water_intake", user_distances=both).distance_m == 3000
    # a bare value fills gaps only: it never replaces a confirmed value
    assert safety_distance("incinerator", "residential", user_distances={"*": 800}).distance_m == 800
    assert safety_distance("wastewater_treatment", "residential", 300, user_distances={"*": 800}).distance_m == 100
    # a keyed value may tighten a confirmed minimum but not lower it
    tighter = safety_distance("wastewater_treatment", "residential", 300, user_distances={"wastewater_treatment": 500})
    assert (tighter.distance_m, tighter.status) == (500, "user")
    lower = safety_distance("wastewater_treatment", "residential", 300, user_distances={"wastewater_treatment": 50})
    assert (lower.distance_m, lower.status) == (100, "confirmed")
    assert "below this minimum" in lower.basis
    # a '–' cell can be filled by the user
    filled = safety_distance("infiltration_field", "residential", 6000, user_distances={"infiltration_field": 600})
    assert (filled.distance_m, filled.status) == (600, "user")
    cited = safety_distance("cemetery", "residential", user_distances={"cemetery": UserDistance(500, "QĐ 1/QĐ-UBND", "Decision 1/QD-UBND")})
    assert cited.citation_en == "Decision 1/QD-UBND"


def test_parse_distance_option():
    assert parse_distance_option("1000")[0] == "*"
    key, value = parse_distance_option("sanitary_landfill:residential=1200 m")
    assert (key, value.distance_m) == ("sanitary_landfill:residential", 1200)
    for bad in ("landfil=100", "sanitary_landfill=-5", "sanitary_landfill=abc", "sanitary_landfill:school=100"):
        with pytest.raises(InputError):
            parse_distance_option(bad)


def test_unknown_facility_is_a_clear_error():
    with pytest.raises(InputError, match="unknown facility type 'landfill'"):
        safety_distance("landfill", "residential")


def _broken_copy(tmp_path: Path, edit) -> Path:
    path = tmp_path / "safety-distances.yaml"
    shutil.copy(resource("rules", "safety-distances.yaml"), path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_bad_key_names_file_and_key(tmp_path):
    path = _broken_copy(tmp_path, lambda d: d["facilities"]["incinerator"].update(distnce=5))
    with pytest.raises(RuleError) as error:
        load_facilities(path)
    message = str(error.value)
    assert str(path) in message and "facilities.incinerator.distnce" in message and " line " in message


def test_unconfirmed_source_may_not_ship_a_value(tmp_path):
    path = _broken_copy(tmp_path, lambda d: d["facilities"]["sanitary_landfill"]["distances"]["residential"][1].update(distance_m=500))
    with pytest.raises(RuleError, match=r"facilities.sanitary_landfill.distances.residential\[1\].*'qcvn-01-2021-bxd-solid-waste' is unconfirmed"):
        load_facilities(path)


def test_value_count_must_match_classes(tmp_path):
    path = _broken_copy(tmp_path, lambda d: d["facilities"]["oxidation_ditch"]["distances"]["residential"].update(values_m=[1, 2]))
    with pytest.raises(RuleError, match="values_m: 2 values for 4 capacity classes"):
        load_facilities(path)


def test_unknown_source_is_named(tmp_path):
    path = _broken_copy(tmp_path, lambda d: d["facilities"]["cemetery"]["distances"]["residential"].update(source="qcvn-99"))
    with pytest.raises(RuleError, match="unknown source 'qcvn-99'"):
        load_facilities(path)


def test_province_distance_file(tmp_path):
    path = tmp_path / "cao-bang-distances.yaml"
    path.write_text(
        "id: cb-distances\nversion: '1'\ndistances:\n"
        "  - {facility: sanitary_landfill, distance_m: 1000, citation_vi: 'QĐ số 1/QĐ-UBND', citation_en: 'Decision 1/QD-UBND'}\n"
        "  - {facility: hazardous_waste, receptor: water_intake, distance_m: 2000}\n",
        encoding="utf-8",
    )
    values = load_user_distances(path)
    assert set(values) == {"sanitary_landfill", "hazardous_waste:water_intake"}
    result = safety_distance("sanitary_landfill", "residential", user_distances=values)
    assert (result.distance_m, result.status) == (1000, "user")
    # the province's own citation first, then both legal sources the value stands in for
    assert result.citation_en.startswith("Decision 1/QD-UBND; QCVN 01:2025/BTNMT") and "QCVN 01:2021/BXD (solid-waste" in result.citation_en
    path.write_text("id: x\nversion: '1'\ndistances:\n  - {facility: sanitary_landfill, distance: 10}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"distances\[0\]\.distance"):
        load_user_distances(path)


BTNMT, BXD = "qcvn-01-2025-btnmt", "qcvn-01-2021-bxd-solid-waste"
SOLID_WASTE = UNCONFIRMED[:-1]


@pytest.mark.parametrize("facility", SOLID_WASTE)
def test_solid_waste_residential_has_both_sources(facility):
    refs = load_facilities().facilities[facility].distances
    assert [r.source for r in refs["residential"]] == [BTNMT, BXD]
    assert [r.source for r in refs["water_intake"]] == [BTNMT]
    # nothing given: unknown, both sources cited and both named as missing
    result = safety_distance(facility, "residential")
    assert result.distance_m is None and result.status == "unconfirmed" and result.source == ""
    assert result.missing.count(f"{facility}:residential") == 2
    assert "QCVN 01:2025/BTNMT" in result.missing and "QCVN 01:2021/BXD (solid-waste" in result.missing
    assert "QCVN 01:2025/BTNMT" in result.citation_vi and "QCVN 01:2021/BXD (cơ sở xử lý chất thải rắn" in result.citation_vi


def test_the_larger_source_governs():
    values = {f"sanitary_landfill@{BTNMT}": 500.0, f"sanitary_landfill@{BXD}": 1000.0}
    result = safety_distance("sanitary_landfill", "residential", user_distances=values)
    assert (result.distance_m, result.status, result.source) == (1000, "user", BXD)
    assert [(p.source, p.distance_m) for p in result.sources] == [(BTNMT, 500), (BXD, 1000)]
    assert result.basis_vi.startswith("áp dụng giá trị lớn nhất trong các nguồn, 1.000,0 m theo QCVN 01:2021/BXD")
    assert "500,0 m" in result.basis_vi  # the other source is listed with its value
    # the other way round, the BTNMT value governs
    swapped = safety_distance("sanitary_landfill", "residential", user_distances={f"sanitary_landfill@{BTNMT}": 1200, f"sanitary_landfill@{BXD}": 1000})
    assert (swapped.distance_m, swapped.source) == (1200, BTNMT)
    # a source-specific value answers only that facility's own source: water intakes keep only BTNMT
    assert safety_distance("sanitary_landfill", "water_intake", user_distances=values).distance_m == 500


def test_one_source_missing_keeps_the_distance_unknown():
    result = safety_distance("incinerator", "residential", user_distances={f"incinerator@{BTNMT}": 500})
    assert result.distance_m is None and result.status == "unconfirmed"
    assert "QCVN 01:2021/BXD" in result.missing and "QCVN 01:2025/BTNMT" not in result.missing
    assert "chưa có giá trị" in result.basis_vi and "500,0 m" in result.basis_vi
    assert [p.distance_m for p in result.sources] == [500, None]


def test_a_facility_value_answers_every_unread_source():
    result = safety_distance("sanitary_landfill", "residential", user_distances={"sanitary_landfill": 300})
    assert (result.distance_m, result.status) == (300, "user")
    assert [p.distance_m for p in result.sources] == [300, 300]
    assert result.basis_vi.startswith("giá trị do người dùng nhập (dòng lệnh: sanitary_landfill = 300,0 m) thay cho: QCVN 01:2025/BTNMT")
    assert result.basis.endswith("in place of: QCVN 01:2025/BTNMT; QCVN 01:2021/BXD")  # the sources by name; their citations are in citation_en
    # a source-specific value beside it wins for its own source only
    both = safety_distance("sanitary_landfill", "residential", user_distances={"sanitary_landfill": 300, f"sanitary_landfill@{BXD}": 800})
    assert (both.distance_m, both.source) == (800, BXD)


def test_source_keys_are_checked(tmp_path):
    key, value = parse_distance_option(f"sanitary_landfill:residential@{BXD}=1000")
    assert (key, value.distance_m) == (f"sanitary_landfill:residential@{BXD}", 1000)
    for bad in (f"sanitary_landfill:water_intake@{BXD}=5", f"wastewater_treatment@{BXD}=5", "sanitary_landfill@qcvn-99=5"):
        with pytest.raises(InputError, match="does not apply here"):
            parse_distance_option(bad)
    path = tmp_path / "distances.yaml"
    path.write_text(f"id: p\nversion: '1'\ndistances:\n  - {{facility: composting, source: {BXD}, distance_m: 700}}\n"
                    f"  - {{facility: composting, source: {BTNMT}, distance_m: 400}}\n", encoding="utf-8")
    values = load_user_distances(path)
    assert set(values) == {f"composting@{BXD}", f"composting@{BTNMT}"}
    result = safety_distance("composting", "residential", user_distances=values)
    assert (result.distance_m, result.source) == (700, BXD)
    path.write_text("id: p\nversion: '1'\ndistances:\n  - {facility: cemetery, source: qcvn-01-2025-btnmt, distance_m: 700}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"distances\[0\]\.source"):
        load_user_distances(path)


def test_a_single_source_is_unchanged():
    result = safety_distance("wastewater_treatment", "residential", 300, user_distances={"*": 800})
    assert (result.distance_m, result.status, result.source, result.sources) == (100, "confirmed", "qcvn-01-2021-bxd-t2.22", ())
    assert result.citation_en == "QCVN 01:2021/BXD, Table 2.22"


def test_a_source_listed_twice_is_refused(tmp_path):
    path = _broken_copy(tmp_path, lambda d: d["facilities"]["composting"]["distances"]["residential"].append({"source": BXD}))
    with pytest.raises(RuleError, match="composting.distances.residential: a source is listed twice"):
        load_facilities(path)
