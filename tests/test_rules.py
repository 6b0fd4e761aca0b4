"""Rules as data: the shipped rule sets load, and broken rule files say where they are wrong."""

from __future__ import annotations

import pytest
import yaml

from zoning.builder.engine import build_zones
from zoning.errors import RuleError
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules
from zoning.resources import path as resource

from .conftest import CRS, admin_layers, frame, square

NATIONAL = resource("rules", "nd08.yaml")
CAO_BANG = resource("rules", "provinces", "cao-bang.yaml")


def test_one_criterion_per_point_of_article_22():
    rules = load_rules()
    strict = {c.citation_en for c in rules.criteria if c.zone == "strict"}
    assert strict == {f"Decree 08/2022/ND-CP, Art. 22(2)({p})" for p in ("a", "b", "c", "d", "dd")}
    items = {c.citation_en.split("item ")[1][0] for c in rules.criteria if c.zone == "emission_limited"}
    assert items == {"1", "2", "3", "4", "5", "6"}
    assert all(c.status in ("confirmed", "unconfirmed") for c in rules.criteria)
    # items 5 and 6 are known in English only: never presented as confirmed
    assert {c.id for c in rules.criteria if "item 5" in c.citation_en or "item 6" in c.citation_en} <= {
        c.id for c in rules.criteria if c.status == "unconfirmed"
    }


def test_default_widths_are_documented_assumptions():
    for criterion in load_rules().criteria:
        spec = criterion.geometry
        for width in (spec.line_width, spec.point_radius, spec.distance):
            if width is not None and width.default_m is not None:
                assert width.basis and width.basis_vi, f"{criterion.id}: a default width needs its basis in English and Vietnamese"


def test_province_overlay_adds_plan_items_and_sets_the_crs():
    rules = load_rules(province_rules=CAO_BANG)
    assert rules.id == "nd08@2025.1+cao-bang@2026.03-draft"
    assert rules.province.central_meridian == 105.75
    plan = [c for c in rules.criteria if c.id.startswith("cb-")]
    assert {c.status for c in plan} == {"unconfirmed"}  # read in a draft plan only
    assert rules.selection(rules.criterion("cb-geopark-level-1")) == {"category": ["geopark_level_1"]}


def write_rules(tmp_path, mutate) -> str:
    data = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rule_error(path, **kwargs) -> str:
    with pytest.raises(RuleError) as caught:
        load_rules(path, **kwargs)
    return str(caught.value)


def test_schema_error_names_file_line_and_key(tmp_path):
    def bad_zone(data):
        data["criteria"][2]["zone"] = "very_strict"

    path = write_rules(tmp_path, bad_zone)
    message = rule_error(path)
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "very_strict" in text)
    assert f"{path} line {line}: criteria[2].zone" in message
    assert "'strict' or 'emission_limited'" in message


def test_unknown_key_is_rejected(tmp_path):
    path = write_rules(tmp_path, lambda d: d["criteria"][0].update(buffer="10 m"))
    assert "criteria[0].buffer: Extra inputs are not permitted" in rule_error(path)


def test_buffer_without_distance(tmp_path):
    path = write_rules(tmp_path, lambda d: d["criteria"][0].update(geometry={"op": "buffer"}))
    assert "op 'buffer' needs a 'distance'" in rule_error(path)


def test_unknown_layer_kind_and_attribute_value(tmp_path):
    path = write_rules(tmp_path, lambda d: d["criteria"][2].update(layer="forests"))
    assert "unknown layer kind 'forests'" in rule_error(path)
    path = write_rules(tmp_path, lambda d: d["criteria"][2].update(where={"part": ["middle"]}))
    assert "value(s) ['middle'] not allowed for nature_reserves.part" in rule_error(path)


def test_duplicate_ids(tmp_path):
    path = write_rules(tmp_path, lambda d: d["criteria"][1].update(id=d["criteria"][0]["id"]))
    assert "defined twice" in rule_error(path)


def test_invalid_yaml_and_missing_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ncriteria: [\n", encoding="utf-8")
    assert "not valid YAML" in rule_error(path)
    assert "rule file not found" in rule_error(tmp_path / "nope.yaml")


def test_overlay_for_another_national_rule_set(tmp_path):
    overlay = yaml.safe_load(CAO_BANG.read_text(encoding="utf-8"))
    overlay["extends"] = "nd99"
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump(overlay, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleError, match="extends: nd99"):
        load_rules(province_rules=path)


def test_urban_class_mapping_is_configuration(tmp_path):
    """After Resolution 111/2025 a province may read the 2026 class: an ex-class-IV town
    now class III moves from the emission-limited to the strict zone."""
    town = frame([{"name": "Thị trấn F", "urban_class": "IV", "class_2026": "III", "geometry": square(0, 0, 1000)}])
    layers = read_layers({**admin_layers(), "urban_areas": town}, CRS)

    def strict_ha(rules):
        zones = build_zones(layers, rules).zones.set_index("zone")
        return zones.loc["strict", "area_ha"], zones.loc["emission_limited", "area_ha"]

    assert strict_ha(load_rules()) == pytest.approx((0, 100))
    overlay = tmp_path / "after-2026.yaml"
    overlay.write_text(
        yaml.safe_dump({
            "id": "test-2026", "version": "1", "extends": "nd08", "title_vi": "t", "title_en": "t", "source": "test",
            "urban_classes": {"field": "class_2026", "zone": {"special": "strict", "I": "strict", "II": "strict", "III": "strict"},
                              "classification_vi": "phân loại đô thị từ ngày 01/01/2026", "classification_en": "urban classes from 1 January 2026",
                              "in_force_from": "2026-01-01", "citation_vi": "c", "citation_en": "c", "status": "unconfirmed"},
        }),
        encoding="utf-8",
    )
    assert strict_ha(load_rules(province_rules=overlay)) == pytest.approx((100, 0))


def test_a_shipped_overlay_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no file called "cao-bang" here
    by_name = load_rules(province_rules="cao-bang")
    assert by_name.id == load_rules(province_rules=CAO_BANG).id and by_name.paths[-1] == CAO_BANG
    with pytest.raises(RuleError, match="no-such-province"):
        load_rules(province_rules="no-such-province")
