"""The national reference: the province table (``layers/provinces.yaml``) and the 2025
reference boundaries (``layers/reference/vietnam-2025.gpkg``, made by
``tools/make_reference.py``).

The table gives every province its code, names, kind (tỉnh or thành phố trực thuộc trung
ương), region and VN-2000 / TM-3 central meridian; :func:`find_province` takes a slug
(``lang-son``), a Vietnamese name with or without diacritics (``Lạng Sơn``, ``Tỉnh Lạng
Sơn``) or the 2-digit code. The reference boundaries give each province its 2025 communes
and the province as their union; a province's own cadastral boundaries, when given as the
``province`` and ``communes`` layers, replace them. ``ZONING_REFERENCE`` names another
reference file made by the same tool (e.g. the whole country).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import yaml

from zoning.errors import InputError
from zoning.resources import path as resource

REFERENCE_FILE = ("reference", "vietnam-2025.gpkg")
KINDS = {"tinh": ("tỉnh", "province"), "thanh_pho": ("thành phố", "city")}
ATTRIBUTION = ("Ranh giới hành chính 2025: Vietnamese Provinces Database (Thang Le Quoc, MIT), theo Bản đồ đơn vị hành chính "
               "(sapnhap.bando.com.vn), NXB Tài nguyên – Môi trường và Bản đồ Việt Nam",
               "2025 administrative boundaries: Vietnamese Provinces Database (Thang Le Quoc, MIT), from the Vietnam Administrative "
               "Units Reference Map (sapnhap.bando.com.vn)")


@dataclass(frozen=True)
class Province:
    """One row of the province table."""

    code: str
    slug: str
    name: str
    full_name: str
    name_en: str
    full_name_en: str
    kind: str
    region: str
    central_meridian: float
    former: tuple[tuple[str, float], ...]
    countries: tuple[tuple[str, str], ...]
    coast: bool

    @property
    def word(self) -> tuple[str, str]:
        """("tỉnh", "province") or ("thành phố", "city")."""
        return KINDS[self.kind]

    @property
    def meridian_note(self) -> tuple[str, str]:
        """Where the meridian comes from, in both languages (the former provinces when merged)."""
        basis = table()["meridian_basis"]
        vi = f"{format_meridian(self.central_meridian)} theo bảng tỉnh ({basis['citation_vi']}; chưa đối chiếu văn bản)"
        en = f"{format_meridian(self.central_meridian)} from the province table ({basis['citation_en']}; not checked against the text)"
        others = [(n, m) for n, m in self.former[1:] if m != self.central_meridian]
        if others:
            parts = ", ".join(f"{n} {format_meridian(m)}" for n, m in others)
            vi += f"; tỉnh hợp nhất năm 2025, các phần trước đây dùng {parts}"
            en += f"; merged in 2025, its former parts used {parts}"
        return vi, en

    def as_manifest(self) -> dict:
        """What a build's manifest records of its province."""
        return {"code": self.code, "slug": self.slug, "name_vi": self.name, "name_en": self.name_en, "full_name_vi": self.full_name,
                "full_name_en": self.full_name_en, "kind": self.kind, "table_meridian": self.central_meridian}


def format_meridian(degrees: float) -> str:
    """``107°15'`` for 107.25."""
    whole = int(degrees)
    return f"{whole}°{round((degrees - whole) * 60):02d}'"


@lru_cache(maxsize=1)
def table() -> dict:
    """The province table as read (``layers/provinces.yaml``)."""
    return yaml.safe_load(resource("layers", "provinces.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """Every province of the table, in code order."""
    rows = []
    for row in table()["provinces"]:
        rows.append(Province(
            code=row["code"], slug=row["slug"], name=row["name"], full_name=row["full_name"], name_en=row["name_en"],
            full_name_en=row["full_name_en"], kind=row["kind"], region=row["region"], central_meridian=float(row["central_meridian"]),
            former=tuple((f["name"], float(f["central_meridian"])) for f in row["former"]),
            countries=tuple((c["vi"], c["en"]) for c in row["countries"]), coast=bool(row["coast"])))
    return tuple(rows)


def plain(text: str) -> str:
    """Lower case without diacritics, spaces or hyphens: ``"Tỉnh Lạng Sơn"`` → ``"tinhlangson"``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).lower()


def find_province(text: str, option: str = "--province") -> Province:
    """The province named by a slug, a Vietnamese name (diacritics optional) or its 2-digit code
    (``option``: the option the errors name).

    Raises
    ------
    InputError
        When no province or more than one matches, listing the slugs.
    """
    key = plain(str(text))
    for prefix in ("tinh", "thanhpho", "tp"):
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            stripped = key[len(prefix):]
            if any(plain(p.name) == stripped for p in provinces()):
                key = stripped
    found = [p for p in provinces() if key in (plain(p.slug), plain(p.name), plain(p.name_en), p.code, p.code.lstrip("0"))]
    if len(found) == 1:
        return found[0]
    merged = [(name, p) for p in provinces() for name, _ in p.former[1:] if plain(name) == key]
    if merged:
        name, into = merged[0]
        raise InputError((f"{option} {text}: tỉnh {name} đã hợp nhất vào {into.full_name} từ ngày 01/07/2025",
                          f"{option} {text}: {name} was merged into {into.full_name_en} on 1 July 2025"),
                         (f"dùng {option} {into.slug}", f"use {option} {into.slug}"))
    slugs = ", ".join(p.slug for p in provinces())
    raise InputError((f"{option} {text}: không có tỉnh, thành phố này trong bảng 34 đơn vị hành chính cấp tỉnh năm 2025",
                      f"{option} {text}: no such province among the 34 provincial units of 2025"),
                     (f"dùng tên không dấu, tên tiếng Việt hoặc mã 2 chữ số (xem `zoning provinces`): {slugs}",
                      f"use the slug, the Vietnamese name or the 2-digit code (see `zoning provinces`): {slugs}"))


def refuse_all_with_names(names: list[str]) -> None:
    """``all`` stands alone: with province names beside it, which was meant is not clear."""
    if len(names) > 1 and any(str(n).strip().lower() == "all" for n in names):
        raise InputError((f"--provinces {','.join(names)}: 'all' (mọi tỉnh) cùng với tên tỉnh", f"--provinces {','.join(names)}: 'all' "
                          "(every province) together with province names"),
                         ("cho all một mình, hoặc chỉ các tên tỉnh cách nhau bởi dấu phẩy", "give all alone, or only province names separated by commas"))


def province_by_code(code: str | None) -> Province | None:
    """The province of a 2-digit code, or None."""
    return next((p for p in provinces() if p.code == str(code or "").zfill(2)), None)


# ------------------------------------------------------------------ reference boundaries


def reference_path() -> Path:
    """The reference boundaries in use: ``ZONING_REFERENCE`` when set, else the shipped file."""
    given = os.environ.get("ZONING_REFERENCE")
    if given:
        path = Path(given)
        if not path.is_file():
            raise InputError((f"ZONING_REFERENCE={given}: không có tệp này", f"ZONING_REFERENCE={given}: no such file"),
                             ("trỏ tới tệp do tools/make_reference.py tạo, hoặc bỏ biến này để dùng dữ liệu đi kèm",
                              "point it to a file made by tools/make_reference.py, or unset it to use the shipped data"))
        return path
    return resource("layers", *REFERENCE_FILE)


@lru_cache(maxsize=4)
def _layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(path, layer=layer)


def reference_layer(layer: str) -> gpd.GeoDataFrame:
    """A layer of the reference boundaries (``communes``, ``provinces``, ``outer_boundary``, ``neighbours``), WGS 84."""
    return _layer(reference_path(), layer).copy()


def province_layers(province: Province, crs=None) -> dict[str, gpd.GeoDataFrame]:
    """The province (the union of its communes) and its 2025 communes, from the reference boundaries,
    in ``crs`` (WGS 84 by default; the union is taken in that CRS).

    Raises
    ------
    InputError
        When the reference boundaries in use hold no communes of this province.
    """
    communes = reference_layer("communes")
    communes = communes[communes["province_code"] == province.code].reset_index(drop=True)
    if communes.empty:
        raise InputError(
            (f"dữ liệu ranh giới tham chiếu ({reference_path().name}) chưa có các xã, phường của {province.full_name}",
             f"the reference boundaries ({reference_path().name}) hold no communes of {province.full_name_en}"),
            ("đưa lớp province và communes của tỉnh vào --layers, hoặc tạo dữ liệu tham chiếu cả nước bằng tools/make_reference.py "
             "và đặt ZONING_REFERENCE", "give the province and communes layers in --layers, or make the national reference with "
             "tools/make_reference.py and set ZONING_REFERENCE"))
    communes = communes[["code", "name", "full_name", "name_en", "geometry"]]
    if crs is not None:
        communes = communes.to_crs(crs)
    union = shapely.union_all(communes.geometry.to_numpy())
    frame = gpd.GeoDataFrame({"code": [province.code], "name": [province.name], "full_name": [province.full_name]},
                             geometry=[union], crs=communes.crs)
    return {"province": frame, "communes": communes}


def surrounding_provinces() -> gpd.GeoDataFrame:
    """Every province of the reference (WGS 84) with ``name``, ``full_name``, ``neighbours_complete``,
    ``across_border_vi`` / ``_en`` (the countries beyond its boundary shared with no other
    province, from the table) and ``coast`` (whether the sea lies beyond it too).
    """
    frame = reference_layer("provinces")
    known = [province_by_code(code) for code in frame["code"]]
    frame["across_border_vi"] = [" – ".join(c[0] for c in p.countries) if p else "" for p in known]
    frame["across_border_en"] = [" – ".join(c[1] for c in p.countries) if p else "" for p in known]
    frame["coast"] = [bool(p and p.coast) for p in known]
    return frame


def locate(lon: np.ndarray, lat: np.ndarray) -> list[Province | None]:
    """The province each WGS 84 point lies in, by the reference boundaries (None outside every one)."""
    frame = reference_layer("provinces")
    frame = frame[frame["has_communes"].astype(bool)] if "has_communes" in frame else frame
    points = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
    where, index = shapely.STRtree(frame.geometry.to_numpy()).query(points, predicate="within")
    codes = pd.Series(frame["code"].to_numpy()[index], index=where).groupby(level=0).first()
    return [province_by_code(codes.get(i)) if i in codes.index else None for i in range(len(points))]
