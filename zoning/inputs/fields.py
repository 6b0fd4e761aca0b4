"""Field names of real data recognised without a mapping file.

Provincial data and international data sets name the same attribute many ways: ``TEN``,
``Tên`` or ``ten`` for ``name``, ``fullName`` for ``full_name``, WDPA's ``NAME``,
``DESIG``, ``STATUS_YR`` and ``WDPAID``. A column is recognised when its name, with
diacritics, case, spaces and underscores ignored, is an attribute of the layer kind, the
first 10 characters of one (a shapefile cuts names there), or one of the attribute's
``aliases`` in ``layers/catalogue.yaml``; the feature id is taken from the first id-like
column (``id_columns``) whose values are all given and unique. Every recognition is
reported, and every column left unused is named once per layer.

Examples
--------
>>> field_key("Tên_xã"), field_key("fullName"), field_key("STATUS_YR")
('tenxa', 'fullname', 'statusyr')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from zoning.inputs.catalogue import Catalogue, LayerKind

SHAPEFILE_NAME_LENGTH = 10
NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]")
OLD_NAMES = {"designation": "legal_status"}  # renamed attributes: the old name is read with a notice


def field_key(name: str) -> str:
    """A field name without diacritics (đ → d), case, spaces or punctuation, for matching."""
    decomposed = unicodedata.normalize("NFD", str(name).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return NOT_ALPHANUMERIC.sub("", plain.lower())


@dataclass
class Recognised:
    """The columns of one layer renamed to the kind's attributes, and what was noticed."""

    renames: dict[str, str] = field(default_factory=dict)  # column as read → attribute
    unused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def recognise(frame: pd.DataFrame, kind: LayerKind, catalogue: Catalogue, where: str, geometry: str = "geometry") -> Recognised:
    """Which column of ``frame`` holds which attribute of ``kind`` (see the module's description)."""
    columns = [c for c in frame.columns if c != geometry]
    wanted = [a for a in kind.attributes if a != "id"]
    found = Recognised()
    taken: set[str] = set()

    def take(column: str, attribute: str) -> None:
        found.renames[column] = attribute
        taken.add(column)

    for attribute in wanted:
        column = _own_name(columns, taken, attribute)
        if column is not None:
            take(column, attribute)
    recognised: list[tuple[str, str]] = []
    for attribute in wanted:
        if attribute in found.renames.values():
            continue
        keys = [field_key(a) for a in catalogue.aliases.get(attribute, ())]
        column = next((c for key in keys for c in columns if c not in taken and field_key(c) == key), None)
        if column is not None:
            take(column, attribute)
            recognised.append((column, attribute))
    _old_names(frame, columns, taken, found, where)
    id_column = _id_column(frame, columns, taken, catalogue)
    if id_column is not None:
        take(id_column, "id")
        if id_column != "id":
            recognised.append((id_column, "id"))
    else:
        given = next((c for c in columns if c not in taken and field_key(c) == "id"), None)
        if given is not None:  # ids missing or repeated: the features are numbered instead
            take(given, "id")
            found.notes.append(f"{where}: cột '{given}' có mã trống hoặc trùng; các đối tượng được đánh số từ 1 / "
                               f"column '{given}' has missing or repeated ids; the features are numbered from 1")
    if recognised:
        pairs = ", ".join(f"{c} → {a}" for c, a in recognised)
        found.notes.append(f"{where}: đã nhận cột {pairs} / recognised column(s) {pairs}")
    found.unused = [c for c in columns if c not in taken]
    if found.unused:
        names = ", ".join(found.unused)
        found.notes.append(f"{where}: cột không dùng: {names} (đặt tên theo `zoning layers` hoặc dùng tệp ánh xạ nếu cần) / "
                           f"column(s) not used: {names} (name them as `zoning layers` lists, or use a mapping file, if they are needed)")
    return found


def _own_name(columns: list[str], taken: set[str], attribute: str) -> str | None:
    """The column of the attribute's own name, in any case or spelling, or cut to 10 characters by a shapefile."""
    own = next((c for c in columns if c not in taken and field_key(c) == field_key(attribute)), None)
    if own is not None or len(attribute) <= SHAPEFILE_NAME_LENGTH:
        return own
    cut = field_key(attribute[:SHAPEFILE_NAME_LENGTH])
    return next((c for c in columns if c not in taken and len(c) == SHAPEFILE_NAME_LENGTH and field_key(c) == cut), None)


def _old_names(frame: pd.DataFrame, columns: list[str], taken: set[str], found: Recognised, where: str) -> None:
    """An attribute under its old name (``designation`` for ``legal_status``), read with a notice when its values fit."""
    for old, new in OLD_NAMES.items():
        if new in found.renames.values():
            continue
        column = next((c for c in columns if c not in taken and field_key(c) == field_key(old)), None)
        if column is None:
            continue
        values = set(frame[column].dropna().astype(str).str.strip().str.lower()) - {""}
        if values <= {"in_force", "proposed"}:
            found.renames[column] = new
            taken.add(column)
            found.notes.append(f"{where}: cột '{column}' được đọc là '{new}' (tên cũ; hãy đổi tên cột thành '{new}', giá trị in_force, proposed) / "
                               f"column '{column}' read as '{new}' (its old name; rename the column '{new}', values in_force, proposed)")


def _id_column(frame: pd.DataFrame, columns: list[str], taken: set[str], catalogue: Catalogue) -> str | None:
    """The first id-like column whose values are all given and unique."""
    for key in (field_key(c) for c in ("id", *catalogue.id_columns)):
        for column in columns:
            if column not in taken and field_key(column) == key:
                values = frame[column]
                if values.notna().all() and values.astype(str).is_unique:
                    return column
    return None
