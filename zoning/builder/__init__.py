"""The build: layers and rules in, the three zones of a province out (see :mod:`zoning.builder.engine`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from zoning.builder.engine import build_zones
from zoning.builder.model import Build, BuildLike, as_build, read_build
from zoning.errors import InputError, ZoningError
from zoning.inputs.crs import tm3_crs
from zoning.inputs.layers import InputLike, LayerSet, file_digest, read_layers
from zoning.inputs.meridian import check_meridian, own_meridian
from zoning.inputs.reference import ATTRIBUTION, Province, find_province, format_meridian, province_by_code, province_layers, reference_path
from zoning.law.criteria import load_rules


def build(
    layers: InputLike | None = None,
    rules: str | Path | None = None,
    province_rules: str | Path | None = None,
    *,
    province: str | None = None,
    central_meridian: float | None = None,
    legacy_encoding: str | None = None,
    province_extent: str = "province",
    progress: Callable[[str], None] | None = None,
    without_draft: bool = False,
) -> Build:
    """Read the layers and the rules and build the three zones of a province, in memory.

    Parameters
    ----------
    layers
        A GeoPackage whose layer names are layer kinds, a folder of files named by kind,
        a mapping file, or a mapping kind → GeoDataFrame or path (see ``zoning layers``);
        None with ``province`` for a build of the reference boundaries alone.
    rules
        The national rule file; the shipped Decree 08 criteria by default.
    province_rules
        A province overlay (e.g. the shipped ``rules/provinces/cao-bang.yaml``); it also
        gives the province's central meridian.
    province
        The province (slug, Vietnamese name or 2-digit code; see ``zoning provinces``):
        its reference boundaries stand for the ``province`` and ``communes`` layers the
        input lacks, and the province table gives its central meridian and its kind.
    central_meridian
        The VN-2000 / TM-3 central meridian in decimal degrees; by default the overlay's,
        else the province table's. One that differs from the table's is noted and keeps
        the annex a draft.
    legacy_encoding
        ``"tcvn3"`` or ``"vni"`` to convert text in those old Vietnamese encodings.
    province_extent
        ``"province"`` (default): the zones cover the province polygon, and each sliver
        of it outside every commune is given to the commune sharing its longest edge;
        ``"communes"``: the province is taken as the union of the communes.
    progress
        Called with the name of each step as it starts.
    without_draft
        Leave out the criteria of rule files whose source is a draft (a decision cannot cite
        a draft); the build says which were left out.

    Returns
    -------
    Build
        Save it with :meth:`Build.write`.

    Examples
    --------
    >>> import zoning
    >>> demo = zoning.demo_paths()
    >>> build = zoning.build(demo.layers, province_rules=demo.province_rules)
    >>> sorted(build.zones["zone"])
    ['emission_limited', 'other', 'strict']
    """
    ruleset = load_rules(rules, province_rules, without_draft=without_draft)
    overlay = ruleset.province
    known = _province(province, overlay.code if overlay else None)
    if central_meridian is not None and not math.isfinite(central_meridian):
        raise InputError((f"--central-meridian {central_meridian}: không phải một kinh độ", f"--central-meridian {central_meridian}: not a longitude"),
                         (f"cho kinh tuyến trục VN-2000 / TM-3 của tỉnh bằng độ thập phân, {own_meridian(known)[0]}",
                          f"give the province's VN-2000 / TM-3 central meridian in decimal degrees, {own_meridian(known)[1]}"))
    meridian, source = next(((m, s) for m, s in ((central_meridian, "user"), (overlay.central_meridian if overlay else None, "overlay"),
                                                 (known.central_meridian if known else None, "table")) if m is not None), (None, ""))
    if meridian is None:
        raise ZoningError(
            ("chưa biết hệ tọa độ của tỉnh", "the province CRS is unknown"),
            ("cho --province (tên tỉnh, xem `zoning provinces`: bảng tỉnh cho kinh tuyến trục), --province-rules hoặc --central-meridian",
             "give --province (its name, see `zoning provinces`: the table gives its meridian), --province-rules or --central-meridian"),
        )
    if legacy_encoding and legacy_encoding.upper() not in ("TCVN3", "VNI"):
        raise ZoningError(
            (f"không có bảng mã cũ '{legacy_encoding}'", f"unknown legacy encoding '{legacy_encoding}'"), ("dùng tcvn3 hoặc vni", "use tcvn3 or vni")
        )
    step = progress or (lambda _: None)
    crs = tm3_crs(meridian)
    layer_set = read_layers(layers, crs, legacy_encoding=legacy_encoding, progress=lambda k: step(f"reading {k}")) if layers is not None else None
    if known is not None:
        layer_set = with_reference(layer_set, known, crs, step)
    elif layer_set is None:
        raise ZoningError(("chưa có dữ liệu đầu vào", "no input layers"), ("cho --layers, hoặc --province để dùng ranh giới tham chiếu",
                                                                          "give --layers, or --province to use the reference boundaries"))
    check_meridian(meridian, layer_set, known, source)
    for other, label in ((overlay.central_meridian if overlay else None, ("tệp quy tắc tỉnh", "the province overlay")),
                         (known.central_meridian if known else None, ("bảng tỉnh", "the province table"))):
        if source == "user" and other is not None and other != meridian:
            layer_set.notes.append(
                f"Cảnh báo: kinh tuyến trục {format_meridian(meridian)} (--central-meridian) khác {format_meridian(other)} của {label[0]}; "
                f"bản phân vùng dùng VN-2000 / TM-3 {format_meridian(meridian)} / Warning: --central-meridian {format_meridian(meridian)} "
                f"differs from {label[1]}'s {format_meridian(other)}: the build is in VN-2000 / TM-3 {format_meridian(meridian)}")
            break
    layer_set.notes.extend(ruleset.notes)
    result = build_zones(layer_set, ruleset, progress=step, province_extent=province_extent)
    result.manifest["province"] = province_manifest(overlay.model_dump() if overlay else None, known, meridian, source)
    return result


def _province(given: str | None, overlay_code: str | None) -> Province | None:
    """The province of the table that ``--province`` or the overlay names (they must agree)."""
    known = find_province(given) if given else province_by_code(overlay_code)
    if given and overlay_code and known is not None and known.code != str(overlay_code).zfill(2):
        other = province_by_code(overlay_code)
        raise InputError((f"--province {given}: tệp quy tắc tỉnh là của {other.full_name if other else overlay_code}, không phải {known.full_name}",
                          f"--province {given}: the province overlay is for {other.full_name_en if other else overlay_code}, not {known.full_name_en}"),
                         ("cho --province và --province-rules của cùng một tỉnh", "give --province and --province-rules of one province"))
    return known


def province_manifest(overlay: dict | None, known: Province | None, meridian: float, source: str) -> dict | None:
    """What the manifest records of the province: the overlay's and the table's, the meridian applied and where it came from."""
    if overlay is None and known is None:
        return {"central_meridian": meridian, "meridian_source": source}
    record = {**(known.as_manifest() if known else {}), **(overlay or {})}
    record.update({"central_meridian": meridian, "meridian_source": source})
    if known is not None:
        record["meridian_note_vi"], record["meridian_note_en"] = known.meridian_note
    return record


def with_reference(layer_set: LayerSet | None, known: Province, crs, step: Callable[[str], None]) -> LayerSet:
    """``layer_set`` with the reference ``province`` and ``communes`` where it lacks them (a new set when None)."""
    missing = [kind for kind in ("province", "communes") if layer_set is None or kind not in layer_set]
    if not missing:
        return layer_set  # type: ignore[return-value]
    reference = province_layers(known, crs)
    read = read_layers({kind: reference[kind] for kind in missing}, crs, progress=lambda k: step(f"reading {k}"))
    digest = file_digest(reference_path())
    read.sources = [replace(s, origin=f"{reference_path().name} ({ATTRIBUTION[1]})", sha256=digest) for s in read.sources]
    note = (f"{', '.join(missing)}: ranh giới tham chiếu 2025 của {known.full_name} ({ATTRIBUTION[0]}); ranh giới địa chính của tỉnh, "
            f"khi có, thay thế / reference 2025 boundaries of {known.full_name_en}; the province's own cadastral boundaries replace them")
    if layer_set is None:
        read.notes.append(note)
        return read
    layer_set.layers.update(read.layers)
    layer_set.sources += read.sources
    layer_set.extents.update(read.extents)
    layer_set.repairs += read.repairs
    layer_set.notes.append(note)
    return layer_set


__all__ = ["Build", "BuildLike", "as_build", "build", "build_zones", "read_build"]
