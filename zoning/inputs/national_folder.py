"""The layout of a national output folder (``zoning national build --out DIR``), as the commands that read it see it.

``DIR/provinces/<slug>.gpkg`` is a province's build; ``<slug>.national.json`` beside it is
written last, so a build without it was cut short.
"""

from __future__ import annotations

from pathlib import Path

from zoning.errors import InputError
from zoning.inputs.reference import Province, find_province

SUFFIX = ".national.json"
REBUILD_HINT = ("chạy lại `zoning national build --layers ROOT --out THƯ-MỤC` (chỉ tỉnh thiếu hoặc hỏng được xây dựng lại), và không sửa tay "
                "thư mục provinces/", "run `zoning national build --layers ROOT --out DIR` again (only the missing or damaged provinces are built "
                "again), and do not edit the provinces/ folder by hand")


def manifest_path(build_path: Path) -> Path:
    """``provinces/lang-son.gpkg`` → ``provinces/lang-son.national.json``."""
    return build_path.with_name(build_path.stem + SUFFIX)


def is_national(path: str | Path) -> bool:
    """Whether ``path`` is a national output folder: one with a ``provinces/`` folder (its reader says what is wrong in it)."""
    return (Path(path) / "provinces").is_dir()


def built_provinces(folder: str | Path) -> list[Province]:
    """The provinces whose build in ``folder/provinces`` is whole (its national manifest written), in code order."""
    found = []
    for path in sorted((Path(folder) / "provinces").glob("*.gpkg")):
        if manifest_path(path).is_file():
            try:
                found.append(find_province(path.stem))
            except InputError:
                continue
    return sorted(found, key=lambda p: p.code)
