"""The layout of a national output folder (``zoning national build --out DIR``), as the commands that read it see it.

``DIR/provinces/<slug>.gpkg`` is a province's build; ``<slug>.national.json`` beside it is
written last, so a build without it was cut short.
"""

from __future__ import annotations

from pathlib import Path

from zoning.errors import InputError
from zoning.inputs.reference import Province, find_province

SUFFIX = ".national.json"


def manifest_path(build_path: Path) -> Path:
    """``provinces/lang-son.gpkg`` → ``provinces/lang-son.national.json``."""
    return build_path.with_name(build_path.stem + SUFFIX)


def is_national(path: str | Path) -> bool:
    """Whether ``path`` is a national output folder: ``provinces/`` holding builds with their manifest."""
    folder = Path(path) / "provinces"
    return folder.is_dir() and any(folder.glob(f"*{SUFFIX}"))


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
