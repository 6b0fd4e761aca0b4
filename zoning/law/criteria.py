"""Rules as data: the Decree 08 criteria and province overlays, typed and validated.

A rule file is YAML a lawyer can read. Each criterion says which zone it feeds, which
layer kind and attribute values it selects, how the geometry is made (as drawn, or
buffered by a width taken from the feature or from a default that is flagged as an
assumption), the exact citation in Vietnamese and English, and whether that wording is
confirmed. A province overlay extends a national rule set with the plan's own items.

Errors name the file, the line and the offending key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from string import Formatter
from typing import Literal

from pydantic import Field, field_validator, model_validator

from zoning.errors import RuleError
from zoning.inputs.catalogue import Catalogue, load_catalogue
from zoning.inputs.text import clean_text
from zoning.law.rulefile import RuleFileHeader, RuleModel, RuleValueError, read_yaml_model
from zoning.resources import path as resource

Zone = Literal["strict", "emission_limited", "other"]
UNIT_NAME_FIELDS = ("name",)  # what ``unit_name_vi`` / ``unit_name_en`` may name: the feature's name
Status = Literal["confirmed", "unconfirmed"]
LegalStatus = Literal["in_force", "proposed"]
OLD_KEYS = {"designation": "legal_status"}  # renamed keys: the old one is read, with a notice


class WiderWithin(RuleModel):
    """A wider default where a feature crosses land of other layer kinds (e.g. a supply
    river through urban or residential land), with its own basis.
    """

    layers: tuple[str, ...]
    default_m: float = Field(ge=0)
    basis: str
    basis_vi: str


class Width(RuleModel):
    """A distance in metres read from a feature attribute, or a default.

    A default is an assumption, not law: every unit made with it says so. With
    ``within``, the reaches of a feature that cross the land of those layers get the
    wider default instead.
    """

    field: str | None = None
    factor: float = Field(1.0, gt=0)
    default_m: float | None = Field(None, ge=0)
    basis: str = ""
    basis_vi: str = ""
    within: WiderWithin | None = None

    @model_validator(mode="after")
    def _some_source(self) -> Width:
        if self.field is None and self.default_m is None:
            raise RuleValueError("cần 'field', 'default_m', hoặc cả hai", "give a 'field', a 'default_m', or both")
        return self


class Geometry(RuleModel):
    """How a selected feature becomes a criterion polygon.

    ``as_drawn`` takes polygons as they are; lines get ``line_width`` (full width,
    centred) and points ``point_radius``. ``buffer`` then grows that area outward by
    ``distance`` (a corridor or a buffer zone measured from the edge).
    """

    op: Literal["as_drawn", "buffer"] = "as_drawn"
    line_width: Width | None = None
    point_radius: Width | None = None
    distance: Width | None = None

    @model_validator(mode="after")
    def _buffer_has_distance(self) -> Geometry:
        if self.op == "buffer" and self.distance is None:
            raise RuleValueError("op 'buffer' cần có 'distance'", "op 'buffer' needs a 'distance'")
        if self.op == "as_drawn" and self.distance is not None:
            raise RuleValueError("'distance' chỉ dùng với op 'buffer'", "'distance' is only for op 'buffer'")
        return self


class Criterion(RuleModel):
    """One legal criterion: a point of Art. 22(2), an item of Art. 22(3), or a plan item."""

    id: str
    zone: Literal["strict", "emission_limited"]
    layer: str
    where: dict[str, list[str]] = {}
    urban_zone: Literal["strict", "emission_limited", "other"] | None = None
    geometry: Geometry = Geometry()
    unit_name_vi: str = "{name}"
    unit_name_en: str = "{name}"
    title_vi: str
    title_en: str
    citation_vi: str
    citation_en: str
    status: Status
    legal_status: LegalStatus = "in_force"
    note: str = ""
    renamed_keys: tuple[str, ...] = Field(default=(), exclude=True)  # old key names read (set on reading, for the notice)

    @model_validator(mode="before")
    @classmethod
    def _old_keys(cls, data: object) -> object:
        """``designation`` (a criterion's or a filter's) read as ``legal_status``, remembered for the notice."""
        if not isinstance(data, dict):
            return data
        data, renamed = dict(data), []
        for old, new in OLD_KEYS.items():
            if old in data and new not in data:
                data[new] = data.pop(old)
                renamed.append(old)
            where = data.get("where")
            if isinstance(where, dict) and old in where and new not in where:
                data["where"] = {(new if k == old else k): v for k, v in where.items()}
                renamed.append(f"where.{old}")
        if renamed:
            data["renamed_keys"] = tuple(renamed)
        return data

    @field_validator("where", mode="after")
    @classmethod
    def _normalised(cls, where: dict[str, list[str]]) -> dict[str, list[str]]:
        """Filter values as the front door leaves the data (composed Unicode, no control or format characters)."""
        return {attribute: [str(clean_text(v)) for v in values] for attribute, values in where.items()}

    @model_validator(mode="after")
    def _known_placeholders(self) -> Criterion:
        for key in ("unit_name_vi", "unit_name_en"):
            template = getattr(self, key)
            try:
                fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
            except ValueError as exc:
                raise RuleValueError(f"{key} '{template}' không phải mẫu tên hợp lệ ({exc}); viết dấu ngoặc nhọn thành {{{{ và }}}}",
                                     f"{key} '{template}' is not a valid name template ({exc}); write braces as {{{{ and }}}}") from None
            unknown = sorted(fields - set(UNIT_NAME_FIELDS))
            if unknown:
                used, allowed = ", ".join("{" + f + "}" for f in unknown), ", ".join("{" + f + "}" for f in UNIT_NAME_FIELDS)
                raise RuleValueError(f"{key} '{template}' dùng {used}; tên đơn vị chỉ được dùng {allowed}",
                                     f"{key} '{template}' uses {used}; a unit name can only use {allowed}")
        return self


class UrbanReading(RuleModel):
    """One reading of the urban classes: the classification (the input field holding it)
    and which class falls in which zone under it.
    """

    field: Literal["urban_class", "class_2026"] = "urban_class"
    zone: dict[str, Zone]
    classification_vi: str
    classification_en: str
    label_vi: str = ""  # the reading named in the conflict ("Nghị định 08 với Nghị quyết 111/2025 …")
    label_en: str = ""
    citation_vi: str = ""
    citation_en: str = ""


class UrbanClasses(UrbanReading):
    """Which urban class falls in which zone: a choice of the rule file, never confirmed law.

    ND08 Art. 22 classes towns "theo quy định của pháp luật về phân loại đô thị"; from
    1 January 2026 that law is Resolution 111/2025/UBTVQH15, which abolishes classes IV
    and V. ``field`` holds the classification the file chooses (``urban_class``: the
    pre-2026 classes; ``class_2026``: Resolution 111/2025), ``alternative`` the other
    reading: every output shows both with their areas. ``status`` can only be
    ``unconfirmed`` while the question is open.
    """

    in_force_from: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    status: Status
    provisional_vi: str = ""
    provisional_en: str = ""
    alternative: UrbanReading | None = None

    @model_validator(mode="after")
    def _never_confirmed(self) -> UrbanClasses:
        if self.status == "confirmed":
            raise RuleValueError(
                "loại đô thị → vùng không thể 'confirmed': Điều 22 Nghị định 08/2022/NĐ-CP dẫn chiếu pháp luật về phân loại đô thị, "
                "từ 01/01/2026 là Nghị quyết 111/2025/UBTVQH15; cách xếp loại là lựa chọn của tỉnh, ghi status: unconfirmed",
                "the urban class → zone mapping cannot be 'confirmed': ND08 Art. 22 refers to the law on urban classification, "
                "Resolution 111/2025/UBTVQH15 from 1 January 2026; the classification is the province's choice: write status: unconfirmed",
            )
        if self.alternative is not None and self.alternative.field == self.field:
            raise RuleValueError("'alternative' phải dùng cách phân loại khác với 'field'", "'alternative' must use another classification than 'field'")
        return self

    def readings(self) -> tuple[UrbanReading, ...]:
        """The reading applied, then the alternative one (if the file states it)."""
        return (self, self.alternative) if self.alternative is not None else (self,)


class Province(RuleModel):
    """The province an overlay is for and its VN-2000 / TM-3 central meridian."""

    code: str
    name_vi: str
    name_en: str
    central_meridian: float = Field(ge=102, le=110)
    map_scale: int = Field(50_000, ge=500, le=1_000_000)  # of the map the zoning decision adopts: 1:map_scale


class SourceStatus(RuleModel):
    """The status of the text a rule file takes its criteria from: a decision cannot cite a draft.

    ``draft``: the text is a draft (its criteria are never confirmed, and an annex that
    rests on them stays a draft); ``issued``: with its number and date of issue.
    ``approved_plan_vi`` names the approved plan the zoning is to be cited from where the
    draft takes it from there (ND08 Art. 23(3): the zoning of the provincial plan).
    """

    status: Literal["draft", "issued"]
    number: str = ""
    date: str = Field("", pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    approved_plan_vi: str = ""
    approved_plan_en: str = ""

    @model_validator(mode="after")
    def _issued_has_number(self) -> SourceStatus:
        if self.status == "issued" and not (self.number and self.date):
            raise RuleValueError("văn bản đã ban hành cần 'number' và 'date'", "an issued source needs its 'number' and 'date'")
        return self


class RuleFile(RuleFileHeader):
    """The content of one rule file (national or province overlay)."""

    source: str
    source_status: SourceStatus | None = None
    extends: str | None = None
    province: Province | None = None
    urban_classes: UrbanClasses | None = None
    criteria: list[Criterion] = []


@dataclass(frozen=True)
class RuleSet:
    """National rules with an optional province overlay, merged and cross-checked."""

    files: tuple[RuleFile, ...]
    paths: tuple[Path, ...]
    criteria: tuple[Criterion, ...]
    urban_classes: UrbanClasses
    province: Province | None = None
    notes: tuple[str, ...] = ()  # e.g. old key names read under their new name
    left_out: frozenset[str] = frozenset()  # criteria of a draft source left out (:meth:`without_draft`)

    @property
    def draft(self) -> frozenset[str]:
        """Ids of the criteria taken from a draft source (never confirmed; a decision cannot cite them)."""
        return frozenset(c.id for f in self.files if f.source_status is not None and f.source_status.status == "draft" for c in f.criteria)

    def without_draft(self) -> RuleSet:
        """The same rules with every criterion of a draft source left out."""
        draft = self.draft
        return replace(self, criteria=tuple(c for c in self.criteria if c.id not in draft),
                       left_out=frozenset(c.id for c in self.criteria if c.id in draft))

    @property
    def national(self) -> frozenset[str]:
        """Ids of the criteria of the national rule file (the others come from overlays)."""
        return frozenset(c.id for c in self.files[0].criteria)

    @property
    def id(self) -> str:
        """E.g. ``nd08@2025.1+cao-bang@2026.03-draft``."""
        return "+".join(f"{f.id}@{f.version}" for f in self.files)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def selection(self, criterion: Criterion) -> dict[str, list[str]]:
        """Attribute filter of a criterion, with the urban-class mapping resolved."""
        where = dict(criterion.where)
        if criterion.urban_zone is not None:
            mapping = self.urban_classes
            where[mapping.field] = [c for c, z in mapping.zone.items() if z == criterion.urban_zone]
        return where


def load_rules(
    rules: str | Path | None = None,
    province_rules: str | Path | None = None,
    catalogue: Catalogue | None = None,
    without_draft: bool = False,
) -> RuleSet:
    """Load and validate a national rule file and an optional province overlay.

    Parameters
    ----------
    rules
        Path of the national rule file; the shipped ``rules/nd08.yaml`` by default.
    province_rules
        A province overlay: its path, or the name of one the package ships (``"cao-bang"``).
    catalogue
        Layer catalogue to check layer kinds and attributes against.
    without_draft
        Leave out every criterion taken from a draft source (``source_status: draft``).

    Returns
    -------
    RuleSet
        The criteria in force, in precedence order, with the urban-class table.

    Raises
    ------
    RuleError
        Naming the file, line and key of the first problem.

    Examples
    --------
    >>> import zoning
    >>> rules = zoning.load_rules(province_rules=zoning.demo_paths().province_rules)
    >>> rules.id
    'nd08@2025.1+cao-bang@2026.03-draft'
    >>> rules.criterion("nd08-22-2-c").citation_vi
    'điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP'
    """
    catalogue = catalogue or load_catalogue()
    national_path = Path(rules) if rules else resource("rules", "nd08.yaml")
    national = _read_rule_file(national_path)
    if national.extends is not None:
        raise RuleError(
            (f"{national_path}: là tệp quy tắc tỉnh (extends: {national.extends}), không phải tệp quy tắc quốc gia",
             f"{national_path}: is a province overlay (it extends '{national.extends}'), not a national rule file"),
            ("đưa tệp này vào --province-rules, và tệp quy tắc quốc gia (mặc định là nd08.yaml kèm theo) vào --rules",
             "give it with --province-rules, and the national rules (the shipped nd08.yaml by default) with --rules"),
        )
    files, paths = [national], [national_path]
    if province_rules:
        overlay_path = province_rule_file(province_rules)
        overlay = _read_rule_file(overlay_path)
        if overlay.extends is None:
            raise RuleError(
                (f"{overlay_path}: không nói bổ sung cho bộ quy tắc quốc gia nào (không có 'extends:'): có phải đây là tệp quy tắc quốc gia?",
                 f"{overlay_path}: does not say which national rules it extends (no 'extends:'): is it a national rule file?"),
                (f"tệp quy tắc tỉnh bắt đầu bằng 'extends: {national.id}'; tệp quy tắc quốc gia đưa vào --rules, không phải --province-rules",
                 f"a province overlay starts with 'extends: {national.id}'; give a national rule file with --rules, not --province-rules"),
            )
        if overlay.extends != national.id:
            raise RuleError(
                (f"{overlay_path}: 'extends: {overlay.extends}' nhưng bộ quy tắc quốc gia là '{national.id}'",
                 f"{overlay_path}: 'extends: {overlay.extends}' but the national rules are '{national.id}'"),
                ("dùng tệp quy tắc quốc gia mà tệp quy tắc tỉnh này được viết cho", "use the national rule file this overlay was written for"),
            )
        files.append(overlay)
        paths.append(overlay_path)
    criteria: list[Criterion] = []
    urban = national.urban_classes
    province = None
    for rule_file in files:
        criteria.extend(rule_file.criteria)
        if rule_file.urban_classes is not None:
            urban = rule_file.urban_classes
        province = rule_file.province or province
    if urban is None:
        raise RuleError((f"{national_path}: thiếu bảng 'urban_classes'", f"{national_path}: no 'urban_classes' mapping"),
                        ("thêm bảng loại đô thị → vùng", "add the urban class → zone table"))
    notes = tuple(f"{path}: tiêu chí {c.id}: khóa cũ {', '.join(c.renamed_keys)} được đọc là legal_status (hãy đổi tên thành legal_status, "
                  f"giá trị in_force, proposed) / criterion {c.id}: old key(s) {', '.join(c.renamed_keys)} read as legal_status "
                  "(rename to legal_status, values in_force, proposed)"
                  for rule_file, path in zip(files, paths) for c in rule_file.criteria if c.renamed_keys)
    ruleset = RuleSet(tuple(files), tuple(paths), tuple(criteria), urban, province, notes)
    _check_against_catalogue(ruleset, catalogue)
    _check_draft_sources(ruleset)
    return ruleset.without_draft() if without_draft else ruleset


def _check_draft_sources(ruleset: RuleSet) -> None:
    """A criterion taken from a draft is never confirmed."""
    for rule_file, path in zip(ruleset.files, ruleset.paths):
        if rule_file.source_status is None or rule_file.source_status.status != "draft":
            continue
        confirmed = [c.id for c in rule_file.criteria if c.status == "confirmed"]
        if confirmed:
            raise RuleError((f"{path}: nguồn là dự thảo nhưng tiêu chí {', '.join(confirmed)} ghi 'confirmed'",
                             f"{path}: the source is a draft but criteria {', '.join(confirmed)} say 'confirmed'"),
                            ("tiêu chí lấy từ dự thảo ghi status: unconfirmed", "a criterion from a draft is status: unconfirmed"))


def shipped_provinces() -> dict[str, Path]:
    """The province overlays shipped with the package, by name (``cao-bang`` → its YAML file)."""
    return {path.stem: path for path in sorted(resource("rules", "provinces").glob("*.yaml"))}


def province_rule_file(name_or_path: str | Path) -> Path:
    """A province overlay given as a path, or by the name of one the package ships (e.g. ``cao-bang``)."""
    path = Path(name_or_path)
    if not path.exists() and not path.suffix and str(name_or_path) in shipped_provinces():
        return shipped_provinces()[str(name_or_path)]
    return path


def _read_rule_file(path: Path) -> RuleFile:
    if not path.exists():
        raise RuleError((f"không tìm thấy tệp quy tắc: {path}", f"rule file not found: {path}"),
                        ("kiểm tra đường dẫn đưa vào --rules / --province-rules", "check the path given to --rules / --province-rules"))
    return read_yaml_model(path, RuleFile)[0]


def _check_against_catalogue(ruleset: RuleSet, catalogue: Catalogue) -> None:
    seen: set[str] = set()
    for criterion in ruleset.criteria:
        vi, en = f"tiêu chí '{criterion.id}'", f"criterion '{criterion.id}'"
        kinds = ", ".join(catalogue.kinds)
        if criterion.id in seen:
            raise RuleError((f"{vi} được khai báo hai lần", f"{en} is defined twice"),
                            ("mã tiêu chí phải khác nhau trong mọi tệp quy tắc", "criterion ids must be unique across rule files"))
        seen.add(criterion.id)
        if criterion.layer not in catalogue:
            raise RuleError((f"{vi}: không có loại lớp dữ liệu '{criterion.layer}'", f"{en}: unknown layer kind '{criterion.layer}'"),
                            (f"các loại lớp dữ liệu: {kinds}", f"known kinds: {kinds}"))
        kind = catalogue[criterion.layer]
        for attribute, values in ruleset.selection(criterion).items():
            if attribute not in kind.attributes:
                raise RuleError((f"{vi}: lớp '{kind.name}' không có thuộc tính '{attribute}'", f"{en}: layer '{kind.name}' has no attribute '{attribute}'"))
            allowed = kind.values.get(attribute)
            bad = [v for v in values if allowed is not None and v not in allowed]
            if bad:
                raise RuleError((f"{vi}: giá trị {bad} không được phép cho {kind.name}.{attribute}", f"{en}: value(s) {bad} not "
                    f"allowed for {kind.name}.{attribute}"),
                                (f"các giá trị được phép: {', '.join(allowed or ())}", f"allowed: {', '.join(allowed or ())}"))
        for width in (criterion.geometry.line_width, criterion.geometry.point_radius, criterion.geometry.distance):
            if width is not None and width.field is not None and width.field not in kind.attributes:
                raise RuleError((f"{vi}: lớp '{kind.name}' không có thuộc tính bề rộng '{width.field}'",
                                 f"{en}: layer '{kind.name}' has no width attribute '{width.field}'"))
            unknown = [k for k in (width.within.layers if width is not None and width.within else ()) if k not in catalogue]
            if unknown:
                raise RuleError((f"{vi}: không có loại lớp dữ liệu {unknown} trong 'within'", f"{en}: unknown layer kind(s) {unknown} in 'within'"),
                                (f"các loại lớp dữ liệu: {kinds}", f"known kinds: {kinds}"))
