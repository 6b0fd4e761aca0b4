"""A mapping file: the user's own data, mapped onto the layer kinds without editing it.

A YAML file accepted wherever a GeoPackage or a folder of layers is (``zoning build
--layers map.yaml``, ``zoning.build(layers="map.yaml")``, :func:`zoning.read_layers`).
Each top-level key is a layer kind (``zoning layers``); under it::

    nature_reserves:
      source: wdpa.gpkg:polygons      # file[:layer], relative to the mapping file
      id: WDPAID                      # the column of feature ids (optional)
      fields: {name: NAME, category: DESIG, decision_date: STATUS_YR}   # attribute: column
      values:                         # attribute: {value in the data: value of the catalogue}
        category: {"Vườn quốc gia": national_park, "Khu bảo tồn thiên nhiên": nature_reserve}
      where: {STATUS: [Designated]}   # keep only the features whose column takes one of these values
      set: {part: core}               # attribute: one value for every feature

Column names are those of the data as written (case and diacritics ignored); values in
``values`` and ``where`` are compared as text, with case, surrounding spaces and the form of
Unicode ignored. A value that ``values`` does not list is kept as it is (and must then be
one the catalogue allows). Columns the entry does not name are still recognised by their
usual names (:mod:`zoning.inputs.fields`). A mistake in the file is an
:class:`~zoning.errors.InputError` naming the file, the line, the key and what to write.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml

from zoning.errors import InputError
from zoning.files import check_input_file
from zoning.inputs.catalogue import Catalogue, LayerKind
from zoning.inputs.fields import field_key, recognise

KEYS = ("source", "id", "fields", "values", "where", "set")
EXAMPLE = "nature_reserves:\n  source: wdpa.gpkg:polygons\n  fields: {name: NAME, category: DESIG}"
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class MappedLayer:
    """One layer kind of a mapping file: where its data is and how it maps onto the kind."""

    kind: str
    mapping_file: Path
    line: int
    path: Path
    layer: str | None = None
    id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    set: dict[str, str] = field(default_factory=dict)
    attributes: tuple[str, ...] = ()  # the kind's
    spec: LayerKind | None = field(default=None, repr=False, compare=False)
    catalogue: Catalogue | None = field(default=None, repr=False, compare=False)

    @property
    def origin(self) -> str:
        """The data as named in messages: ``file[:layer]``."""
        return f"{self.path}:{self.layer}" if self.layer else str(self.path)

    def load(self) -> tuple[gpd.GeoDataFrame, str]:
        """The data read, its features selected (``where``) and its columns mapped; and a SHA-256 of
        the data file and of this entry (another mapping of the same data is another input).
        """
        from zoning.inputs.layers import file_digest, read_vector

        raw = read_vector(self.path, layer=self.layer)
        entry = json.dumps([self.layer, self.id, self.fields, self.values, self.where, self.set], ensure_ascii=False, sort_keys=True)
        return self.apply(raw), hashlib.sha256(f"{file_digest(self.path)}\n{entry}".encode()).hexdigest()

    def apply(self, raw: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``raw`` with the features ``where`` keeps, the columns ``fields`` names renamed, ``values`` translated, ``set`` given.

        Columns the entry does not name keep their names (recognised later, and reported,
        by :func:`zoning.inputs.fields.recognise`); ``values`` of such an attribute are
        translated in the column that recognition will take.
        """
        columns = {field_key(c): c for c in raw.columns if c != raw.geometry.name}
        frame = raw
        for column, wanted in self.where.items():
            source = self._column(columns, column, "where")
            keys = _text_key(frame[source])
            keep = keys.isin([_value_key(v) for v in wanted]).to_numpy(bool)
            if len(frame) and not keep.any():
                found = ", ".join(sorted(set(frame[source].dropna().astype(str)))[:12])
                raise InputError(
                    (f"{self.mapping_file}, dòng {self.line}, {self.kind}.where.{column}: không đối tượng nào của {self.origin} có giá trị "
                     f"{', '.join(wanted)} (có: {found})",
                     f"{self.mapping_file}, line {self.line}, {self.kind}.where.{column}: no feature of {self.origin} takes "
                     f"{', '.join(wanted)} (values found: {found})"),
                    ("viết các giá trị như trong dữ liệu (chữ hoa, chữ thường không phân biệt)", "write the values as the data has them (case is ignored)"),
                )
            frame = frame[keep]
        renamed: dict[str, pd.Series] = {}
        for attribute, column in self.fields.items():
            renamed[attribute] = frame[self._column(columns, column, f"fields.{attribute}")]
        if self.id is not None:
            renamed["id"] = frame[self._column(columns, self.id, "id")]
        for attribute, value in self.set.items():
            renamed[attribute] = pd.Series(value, index=frame.index, dtype=object)
        attribute_keys = {field_key(a) for a in self.attributes}
        selecting = [c for c in self.where if field_key(c) not in attribute_keys]  # used, to select
        used = {columns[field_key(c)] for c in [*self.fields.values(), *([self.id] if self.id else []), *selecting]}
        targets = {c for c in frame.columns if c != frame.geometry.name and field_key(c) in {field_key(a) for a in renamed}}
        frame = frame.drop(columns=sorted(used | targets))
        recognised = {}
        if self.spec is not None and self.catalogue is not None:
            recognised = {a: c for c, a in recognise(frame, self.spec, self.catalogue, "", frame.geometry.name).renames.items()}
        for attribute, table in self.values.items():
            lookup = {_value_key(k): v for k, v in table.items()}
            if attribute in renamed:
                renamed[attribute] = _translated(renamed[attribute], lookup)
            elif attribute in recognised:
                frame = frame.assign(**{recognised[attribute]: _translated(frame[recognised[attribute]], lookup)})
        return frame.assign(**renamed).reset_index(drop=True)

    def _column(self, columns: dict[str, str], name: str, key: str) -> str:
        if field_key(name) in columns:
            return columns[field_key(name)]
        raise InputError(
            (f"{self.mapping_file}, dòng {self.line}, {self.kind}.{key}: {self.origin} không có cột '{name}' (có: {', '.join(columns.values())})",
             f"{self.mapping_file}, line {self.line}, {self.kind}.{key}: {self.origin} has no column '{name}' (it has: {', '.join(columns.values())})"),
            ("viết đúng tên một cột của dữ liệu", "write the name of one of the data's columns"),
        )


def _translated(series: pd.Series, lookup: dict[str, str]) -> pd.Series:
    """Values found in ``lookup`` (by text key) replaced, the others kept."""
    mapped = _text_key(series).map(lookup)
    return mapped.where(mapped.notna(), series)


def _value_key(value: object) -> str:
    text = str(value).strip()
    return unicodedata.normalize("NFC", text).casefold()


def _text_key(series: pd.Series) -> pd.Series:
    """Values as text keys (integral numbers without ``.0``), missing values as ``""``."""
    def key(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return _value_key(value)

    return series.map(key)


# ------------------------------------------------------------------------------ reading


def load_mapping(path: str | Path, catalogue: Catalogue) -> list[MappedLayer]:
    """Read and check a mapping file (see the module's description).

    Raises
    ------
    InputError
        Naming the file, the line and the key that is wrong, and what to write.
    """
    path = check_input_file(path, ("tệp ánh xạ", "mapping file"), MAX_BYTES)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError((f"{path}: tệp ánh xạ không phải văn bản UTF-8", f"{path}: the mapping file is not UTF-8 text"),
                         ("lưu tệp với bảng mã UTF-8", "save the file as UTF-8")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line_vi, line_en = (f", dòng {mark.line + 1}", f", line {mark.line + 1}") if mark else ("", "")
        problem = getattr(exc, "problem", exc)
        raise InputError((f"{path}{line_vi}: không đọc được YAML ({problem})", f"{path}{line_en}: not valid YAML ({problem})"),
                         ("kiểm tra thụt lề (dấu cách, không dùng tab) và dấu hai chấm; ví dụ:\n" + EXAMPLE,
                          "check the indentation (spaces, no tabs) and the colons; for example:\n" + EXAMPLE)) from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise _error(path, root, "", ("tệp ánh xạ phải là một bảng: loại lớp → nguồn dữ liệu", "a mapping file is a table: layer kind → data"),
                     ("viết ví dụ:\n" + EXAMPLE, "write, for example:\n" + EXAMPLE))
    entries = []
    _pairs(path, "", root)  # no kind twice
    for key_node, value_node in root.value:
        kind = str(key_node.value)
        if kind not in catalogue:
            known = ", ".join(catalogue.kinds)
            raise _error(path, key_node, kind, (f"không có loại lớp dữ liệu '{kind}'", f"unknown layer kind '{kind}'"),
                         (f"dùng một trong các loại: {known}", f"use one of the kinds: {known}"))
        entries.append(_entry(path, kind, catalogue, key_node, value_node))
    return entries


def input_files(path: str | Path) -> list[Path]:
    """The data files a mapping file names (for the guard that no output replaces an input); none when it cannot be read."""
    from zoning.inputs.catalogue import load_catalogue

    try:
        return [entry.path for entry in load_mapping(path, load_catalogue())]
    except InputError:
        return []


def _entry(path: Path, kind: str, catalogue: Catalogue, key_node: yaml.Node, node: yaml.Node) -> MappedLayer:
    spec = catalogue[kind]
    if isinstance(node, yaml.ScalarNode) and node.value:  # `urban_areas: do_thi.shp`
        return MappedLayer(kind, path, key_node.start_mark.line + 1, *_source(path, kind, node), attributes=spec.attributes, spec=spec, catalogue=catalogue)
    if not isinstance(node, yaml.MappingNode):
        raise _error(path, node, kind, ("cần một bảng có ít nhất 'source'", "a table with at least 'source' is needed"),
                     (f"viết ví dụ:\n{kind}:\n  source: du_lieu.gpkg:lop", f"write, for example:\n{kind}:\n  source: data.gpkg:layer"))
    items = _pairs(path, kind, node)
    for key, (key_node_, _) in items.items():
        if key not in KEYS:
            raise _error(path, key_node_, f"{kind}.{key}", (f"khóa không hợp lệ '{key}'", f"unknown key '{key}'"),
                         (f"các khóa được dùng: {', '.join(KEYS)}", f"the keys are: {', '.join(KEYS)}"))
    if "source" not in items:
        raise _error(path, key_node, kind, ("thiếu 'source'", "'source' is missing"),
                     ("thêm dòng 'source: tệp[:lớp]', ví dụ 'source: wdpa.gpkg:polygons'",
                      "add a line 'source: file[:layer]', e.g. 'source: wdpa.gpkg:polygons'"))
    source, layer = _source(path, kind, items["source"][1])
    attributes = [a for a in spec.attributes if a != "id"]
    fields = _table(path, kind, "fields", items.get("fields"))
    for attribute, (key_n, _) in fields.items():
        _known_attribute(path, kind, "fields", attribute, key_n, attributes)
    values: dict[str, dict[str, str]] = {}
    for attribute, (key_n, value_n) in _table(path, kind, "values", items.get("values")).items():
        _known_attribute(path, kind, "values", attribute, key_n, attributes)
        table = _table(path, kind, f"values.{attribute}", value_n)
        for _, target in table.values():
            _allowed(path, kind, spec, f"values.{attribute}", attribute, target)
        values[attribute] = {given: str(target.value) for given, (_, target) in table.items()}
    where = {column: _list(path, kind, f"where.{column}", value_n) for column, (_, value_n) in _table(path, kind, "where", items.get("where")).items()}
    fixed: dict[str, str] = {}
    for attribute, (key_n, value_n) in _table(path, kind, "set", items.get("set")).items():
        _known_attribute(path, kind, "set", attribute, key_n, attributes)
        _allowed(path, kind, spec, f"set.{attribute}", attribute, value_n)
        fixed[attribute] = str(value_n.value)
    id_node = items.get("id")
    ident = _scalar(path, kind, "id", id_node[1]) if id_node else None
    return MappedLayer(kind, path, key_node.start_mark.line + 1, source, layer, ident,
                       {a: _scalar(path, kind, f"fields.{a}", v) for a, (_, v) in fields.items()}, values, where, fixed, spec.attributes, spec, catalogue)


def _source(path: Path, kind: str, node: yaml.Node) -> tuple[Path, str | None]:
    """``file[:layer]`` relative to the mapping file; the file must exist."""
    from zoning.inputs.layers import VECTOR_SUFFIXES

    text = _scalar(path, kind, "source", node)
    file, layer = text, None
    head, sep, tail = text.rpartition(":")
    if sep and Path(head).suffix.lower() in VECTOR_SUFFIXES and tail:
        file, layer = head, tail
    full = Path(file) if Path(file).is_absolute() else path.parent / file
    if not full.is_file():
        raise _error(path, node, f"{kind}.source", (f"không tìm thấy tệp {full}", f"file {full} not found"),
                     ("viết đường dẫn tệp tính từ thư mục của tệp ánh xạ, ví dụ 'source: du_lieu/khu_bao_ton.shp' hoặc 'source: wdpa.gpkg:polygons'",
                      "write the file's path from the mapping file's folder, e.g. 'source: data/reserves.shp' or 'source: wdpa.gpkg:polygons'"))
    return full, layer


def _table(path: Path, kind: str, key: str, given: yaml.Node | tuple | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    node = given[1] if isinstance(given, tuple) else given
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        example = {"fields": "fields: {name: TEN, category: LOAI}", "where": "where: {STATUS: [Designated]}", "set": "set: {part: core}"}
        shown = example.get(key.split(".")[0], f"{key}: {{'giá trị trong dữ liệu': giá_trị_danh_mục}}")
        raise _error(path, node, f"{kind}.{key}", (f"'{key}' phải là một bảng khóa: giá trị", f"'{key}' must be a table of key: value"),
                     (f"viết ví dụ: {shown}", f"write, for example: {shown}"))
    return _pairs(path, f"{kind}.{key}", node)


def _pairs(path: Path, where: str, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The keys of a table with their nodes; a key written twice is an error (YAML would keep the last silently)."""
    pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in pairs:
            first = pairs[name][0].start_mark.line + 1
            at = f"{where}.{name}" if where else name
            raise _error(path, key, at, (f"'{name}' được viết hai lần (lần đầu ở dòng {first})", f"'{name}' is written twice (first on line {first})"),
                         ("gộp hai phần đó làm một", "merge the two into one"))
        pairs[name] = (key, value)
    return pairs


def _list(path: Path, kind: str, key: str, node: yaml.Node) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode):
        return (str(node.value),)
    if isinstance(node, yaml.SequenceNode) and all(isinstance(v, yaml.ScalarNode) for v in node.value):
        return tuple(str(v.value) for v in node.value)
    raise _error(path, node, f"{kind}.{key}", ("cần một giá trị hoặc một danh sách giá trị", "a value or a list of values is needed"),
                 ("viết ví dụ: STATUS: [Designated, Established]", "write, for example: STATUS: [Designated, Established]"))


def _scalar(path: Path, kind: str, key: str, node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode) and str(node.value).strip():
        return str(node.value).strip()
    raise _error(path, node, f"{kind}.{key}", (f"'{key}' phải là một tên hoặc giá trị", f"'{key}' must be a name or a value"),
                 ("viết một giá trị trên cùng dòng, ví dụ 'name: TEN'", "write one value on the same line, e.g. 'name: TEN'"))


def _known_attribute(path: Path, kind: str, key: str, attribute: str, node: yaml.Node, attributes: list[str]) -> None:
    if attribute not in attributes:
        raise _error(path, node, f"{kind}.{key}.{attribute}",
                     (f"lớp {kind} không có thuộc tính '{attribute}'", f"a {kind} layer has no attribute '{attribute}'"),
                     (f"các thuộc tính của lớp (bên trái dấu hai chấm): {', '.join(attributes)}",
                      f"the layer's attributes (left of the colon): {', '.join(attributes)}"))


def _allowed(path: Path, kind: str, spec: LayerKind, key: str, attribute: str, node: yaml.Node) -> None:
    allowed = spec.values.get(attribute)
    value = _scalar(path, kind, key, node)
    if allowed and value.lower() not in {v.lower() for v in allowed}:
        raise _error(path, node, f"{kind}.{key}",
                     (f"'{value}' không phải giá trị được phép của '{attribute}'", f"'{value}' is not an allowed value of '{attribute}'"),
                     (f"các giá trị được phép: {', '.join(allowed)}", f"allowed values: {', '.join(allowed)}"))


def _error(path: Path, node: yaml.Node | None, key: str, message: tuple[str, str], hint: tuple[str, str]) -> InputError:
    line = node.start_mark.line + 1 if node is not None else 1
    at_vi, at_en = f"{path}, dòng {line}" + (f", {key}" if key else ""), f"{path}, line {line}" + (f", {key}" if key else "")
    return InputError((f"{at_vi}: {message[0]}", f"{at_en}: {message[1]}"), hint)

