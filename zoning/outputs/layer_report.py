"""The report of a check of input layers (``zoning layers check``): a workbook and a web page.

One row per problem and feature — layer, feature id, field, value, the problem and what to
do, each in Vietnamese with the English beside — then the layers read without problems and
the notes (columns recognised or not used, geometries repaired). The workbook has the
problems on its first sheet (one row each under the header) and the notes on the second.
No timestamps: the same layers give the same files.
"""

from __future__ import annotations

from pathlib import Path

from zoning.files import atomic_path, write_text
from zoning.inputs.crs import describe
from zoning.inputs.layercheck import LayerCheck
from zoning.outputs.report import environment
from zoning.outputs.xlsx import Sheet, write_workbook

HEADER = (
    "Lớp / Layer", "Mã đối tượng / Feature id", "Trường / Field", "Giá trị / Value", "Vấn đề", "Problem", "Cách sửa", "What to do",
    "Nguồn / Source",
)
ROW_KEYS = ("layer", "feature", "field", "value", "problem_vi", "problem_en", "hint_vi", "hint_en", "source")
PROBLEM_SHEET = "Vấn đề - Problems"
NOTE_SHEET = "Ghi chú - Notes"


def render_layer_report(check: LayerCheck) -> str:
    """The HTML text of the report of a layer check."""
    return environment().get_template("layer_check.html.j2").render(
        source=check.source,
        crs=describe(check.crs) if check.crs is not None else "",
        refused=check.refused,
        rows=check.rows(),
        layers=[{"kind": s.kind, "features": s.features, "origin": s.origin} for s in check.layers.sources],
        notes=check.notes,
    )


def write_layer_report(check: LayerCheck, xlsx: str | Path | None = None, html: str | Path | None = None, inputs=()) -> list[Path]:
    """Write the report of a layer check as a workbook and/or a web page (each atomically).

    Parameters
    ----------
    check
        From :func:`zoning.inputs.layercheck.check_layers`.
    xlsx, html
        The files to write (either may be None).
    inputs
        The files read (no output may replace one).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import zoning
    >>> check = zoning.check_layers("my-layers/")  # doctest: +SKIP
    >>> zoning.write_layer_report(check, "check.xlsx", "check.html")  # doctest: +SKIP
    [PosixPath('check.xlsx'), PosixPath('check.html')]
    """
    written = []
    if xlsx is not None:
        rows = [[row[key] for key in ROW_KEYS] for row in check.rows()]
        title = (f"Kiểm tra lớp dữ liệu / Layer check: {check.source} — "
                 + (f"{len(rows)} vấn đề, bản phân vùng sẽ không được xây dựng / {len(rows)} problem(s), a build would refuse"
                    if check.refused else "không có vấn đề / no problem"))
        sheets = [
            Sheet(PROBLEM_SHEET, rows, title=title, header=HEADER, wrap=True, widths=(18, 14, 16, 18, 50, 50, 45, 45, 40), freeze="A3"),
            Sheet(NOTE_SHEET, [[note] for note in check.notes], title="Ghi chú / Notes", header=("Ghi chú / Note",), wrap=True, widths=(160,)),
        ]
        with atomic_path(Path(xlsx), inputs) as tmp:
            write_workbook(tmp, sheets)
        written.append(Path(xlsx))
    if html is not None:
        written.append(write_text(Path(html), render_layer_report(check), inputs))
    return written
