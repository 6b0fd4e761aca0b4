"""A province's workspace (``zoning init``): everything an officer needs to start, in one folder.

- ``<slug>-layers.gpkg``: the province and its 2025 communes from the reference boundaries
  (when the reference holds them), and one empty layer per layer kind with its fields, its
  geometry type and, in the ``layer_styles`` table, a QGIS form whose drop-down lists give
  the allowed values: open it in QGIS and draw;
- ``<slug>-mapping.yaml``: a mapping-file template, for data that already exist under other
  field names;
- ``<slug>-overlay.yaml``: a template of the province's own plan items as an overlay rule file;
- ``HUONG-DAN.md``: what to fill in and in which order (Vietnamese, English beneath).

Nothing in an existing folder is replaced: the folder must be new or empty.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import pandas as pd
import pyogrio

from zoning.errors import InputError
from zoning.files import atomic_path
from zoning.inputs.catalogue import LayerKind, load_catalogue
from zoning.inputs.crs import describe, tm3_crs
from zoning.inputs.layers import NUMERIC_ATTRIBUTES
from zoning.inputs.reference import Province, format_meridian, province_layers

GEOMETRY_TYPES = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "Point"}
ADMIN_KINDS = ("province", "communes")


def write_workspace(province: Province, folder: str | Path) -> list[Path]:
    """Write the workspace of ``province`` into ``folder`` (new or empty); the files written.

    Raises
    ------
    InputError
        When ``folder`` exists and holds anything.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError((f"{folder}: đây là một tệp, không phải thư mục", f"{folder}: this is a file, not a folder"),
                         ("chọn một thư mục mới hoặc rỗng", "choose a new or empty folder"))
    if folder.exists() and any(folder.iterdir()):
        raise InputError((f"{folder}: thư mục đã có nội dung; không ghi đè", f"{folder}: the folder is not empty; nothing is replaced"),
                         ("chọn một thư mục mới hoặc rỗng", "choose a new or empty folder"))
    folder.mkdir(parents=True, exist_ok=True)
    written = [_geopackage(province, folder / f"{province.slug}-layers.gpkg")]
    for name, text in ((f"{province.slug}-mapping.yaml", mapping_template(province)),
                       (f"{province.slug}-overlay.yaml", overlay_template(province)),
                       ("HUONG-DAN.md", guide(province))):
        with atomic_path(folder / name) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def _geopackage(province: Province, path: Path) -> Path:
    """The layers GeoPackage: reference province and communes, and an empty layer per kind with its form."""
    catalogue = load_catalogue()
    crs = tm3_crs(province.central_meridian)
    try:
        reference = province_layers(province, crs)
    except InputError:
        reference = {}
    styles = []
    with atomic_path(path) as tmp:
        for kind in catalogue.kinds:
            spec = catalogue[kind]
            frame = reference.get(kind)
            if frame is None:
                frame = _empty(spec, crs)
            pyogrio.write_dataframe(frame, tmp, layer=kind, driver="GPKG", append=Path(tmp).exists(),
                                    geometry_type=GEOMETRY_TYPES[spec.geometry[0]] if frame.empty else None, promote_to_multi=True)
            styles.append(_style_row(kind, spec))
        pyogrio.write_dataframe(pd.DataFrame(styles), tmp, layer="layer_styles", driver="GPKG", append=True)
    return path


def _empty(spec: LayerKind, crs) -> gpd.GeoDataFrame:
    columns = {name: pd.Series(dtype="float64" if name in NUMERIC_ATTRIBUTES else "bool" if name == "illustrative" else "object")
               for name in spec.attributes}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _style_row(kind: str, spec: LayerKind) -> dict:
    return {"f_table_catalog": "", "f_table_schema": "", "f_table_name": kind, "f_geometry_column": "geom", "styleName": "zoning-form",
            "styleQML": form_qml(spec), "styleSLD": "", "useAsDefault": True, "description": f"{spec.label_vi} / {spec.label_en}",
            "owner": "", "ui": "", "update_time": pd.Timestamp("2000-01-01T00:00:00Z")}


def form_qml(spec: LayerKind) -> str:
    """A QGIS style with the attribute form of a layer kind: a drop-down list of the allowed values of each coded field."""
    fields = []
    for name in spec.attributes:
        allowed = spec.values.get(name)
        if allowed:
            entries = "".join(f'<Option type="Map"><Option type="QString" name={quoteattr(v)} value={quoteattr(v)}/></Option>' for v in allowed)
            widget = f'<editWidget type="ValueMap"><config><Option type="Map"><Option type="List" name="map">{entries}</Option></Option></config></editWidget>'
        else:
            widget = '<editWidget type="TextEdit"><config><Option/></config></editWidget>'
        fields.append(f"<field name={quoteattr(name)} configurationFlags=\"None\">{widget}</field>")
    required = "".join(f'<constraint field={quoteattr(n)} constraints="1" notnull_strength="1" unique_strength="0" exp_strength="0"/>'
                       for n in spec.required)
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="3.28.0" styleCategories="Fields|Forms"><fieldConfiguration>{"".join(fields)}</fieldConfiguration>'
            f"<constraints>{required}</constraints></qgis>")


def mapping_template(province: Province) -> str:
    """A mapping file listing every layer kind with its fields, for data under other names."""
    catalogue = load_catalogue()
    lines = [
        f"# Tệp ánh xạ dữ liệu của {province.full_name} / data mapping file of {province.full_name_en}",
        "# Bỏ dấu # trước các lớp bạn có; đường dẫn tính từ thư mục chứa tệp này.",
        "# Uncomment the layers you have; paths are relative to this file's folder.",
        "# Dùng / use: zoning build --layers THIS.yaml --province " + province.slug,
        "",
    ]
    for kind in catalogue.kinds:
        if kind in ADMIN_KINDS:
            continue
        spec = catalogue[kind]
        lines += [f"# {kind}:   # {spec.label_vi} / {spec.label_en}",
                  f"#   source: du-lieu/{kind}.shp          # tệp[:lớp] / file[:layer]",
                  "#   id: MA                               # cột mã đối tượng / id column",
                  "#   fields: {" + ", ".join(f"{a}: TEN_COT" for a in spec.required) + "}"]
        if spec.values:  # one `values:` table per kind (a key written twice is refused)
            lines.append("#   values:                              # giá trị trong dữ liệu: giá trị danh mục / value in the data: catalogue value")
        for attribute, allowed in spec.values.items():
            lines.append(f"#     {attribute}: {{\"giá trị trong dữ liệu\": {allowed[0]}}}   # {', '.join(allowed)}")
        lines.append("")
    return "\n".join(lines)


def overlay_template(province: Province) -> str:
    """An overlay rule file for the province's own plan items, with its province section filled."""
    return f"""# Quy tắc riêng của {province.full_name}: các tiêu chí do kế hoạch, quy hoạch của tỉnh bổ sung.
# The province's own rules: the criteria its plan adds to the national ones.
# Dùng / use: zoning build --layers ... --province-rules THIS.yaml
id: {province.slug}
version: "0.1-draft"
extends: nd08
title_vi: Phân vùng môi trường {province.full_name}
title_en: Environmental zoning of {province.full_name_en}
# Ghi văn bản làm căn cứ (số, ngày) và tình trạng: dự thảo hay đã ban hành.
# Name the text these items come from (number, date) and whether it is a draft or issued.
source: "… (dự thảo / draft)"

province:
  code: "{province.code}"
  name_vi: {province.name}
  name_en: {province.name_en}
  central_meridian: {province.central_meridian:g}   # {format_meridian(province.central_meridian)}, {describe(tm3_crs(province.central_meridian))}
  map_scale: 50000

criteria: []
# Ví dụ / example (xem rules/provinces/ của phần mềm / see the shipped overlays):
#  - id: {province.slug}-geopark-level-1
#    zone: strict
#    layer: other_sensitive
#    where: {{category: geopark_level_1}}
#    title_vi: Phân vùng bảo tồn nghiêm ngặt (mức 1) của công viên địa chất
#    title_en: Strict conservation (level 1) of the geopark
#    citation_vi: "… (văn bản của tỉnh)"
#    citation_en: "… (the province's text)"
#    status: unconfirmed
"""


def guide(province: Province) -> str:
    """The workspace's short guide: what to fill in and in which order."""
    slug = province.slug
    return f"""# Phân vùng môi trường {province.full_name} — bắt đầu từ đây

1. Mở `{slug}-layers.gpkg` trong QGIS. Lớp `province` và `communes` là ranh giới tham chiếu năm 2025
   (nếu có); thay bằng ranh giới địa chính của tỉnh khi có. Hệ tọa độ:
   {describe(tm3_crs(province.central_meridian), "vi")} (kinh tuyến trục {format_meridian(province.central_meridian)}).
2. Vẽ hoặc dán đối tượng vào các lớp (khu bảo tồn, di tích, đô thị, nguồn nước…). Các trường có danh sách
   giá trị chọn trong biểu mẫu. Dữ liệu có sẵn với tên trường khác: điền `{slug}-mapping.yaml`.
3. Kiểm tra: `zoning layers check {slug}-layers.gpkg --province {slug}` (báo cáo mọi lỗi một lần).
4. Phân vùng: `zoning build --layers {slug}-layers.gpkg --province {slug} -o {slug}-build.gpkg`.
5. Phụ lục: `zoning annex {slug}-build.gpkg -o {slug}-phu-luc.docx --xlsx`.
6. Tiêu chí riêng của tỉnh: điền `{slug}-overlay.yaml` rồi thêm `--province-rules {slug}-overlay.yaml` ở bước 4.

# {province.full_name_en}: start here

1. Open `{slug}-layers.gpkg` in QGIS: `province` and `communes` hold the 2025 reference boundaries (when
   available); replace them with the province's cadastral boundaries when you have them.
2. Draw or paste features into the layers; coded fields offer their allowed values in the form. For
   existing data under other field names, fill in `{slug}-mapping.yaml`.
3. Check: `zoning layers check {slug}-layers.gpkg --province {slug}`.
4. Build: `zoning build --layers {slug}-layers.gpkg --province {slug} -o {slug}-build.gpkg`.
5. Annex: `zoning annex {slug}-build.gpkg -o {slug}-phu-luc.docx --xlsx`.
6. The province's own criteria: fill in `{slug}-overlay.yaml` and add `--province-rules {slug}-overlay.yaml` to step 4.
"""
