"""The project's data folders: ``rules/`` (the law as data), ``layers/`` (the layer catalogue,
reference boundaries, demo data) and ``maps/`` (styles, templates, texts and web assets).

In a source checkout or an editable install they are the top-level folders beside the
package; an installed wheel carries them inside the package as ``zoning/_shipped/``.
"""

from __future__ import annotations

from pathlib import Path

FOLDERS = ("rules", "layers", "maps")
_PACKAGE = Path(__file__).resolve().parent


def folder(name: str) -> Path:
    """The root of one data folder (``"rules"``, ``"layers"`` or ``"maps"``)."""
    if name not in FOLDERS:
        raise ValueError(f"unknown data folder {name!r}; one of {', '.join(FOLDERS)}")
    for base in (_PACKAGE / "_shipped", _PACKAGE.parent):
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(f"data folder {name}/ not found beside the package nor inside it")


def path(top: str, *parts: str) -> Path:
    """The path of a shipped data file, e.g. ``path("rules", "nd08.yaml")``.

    Raises
    ------
    FileNotFoundError
        When the file is not part of the installed package.
    """
    target = folder(top).joinpath(*parts)
    if not target.exists():
        raise FileNotFoundError(f"shipped data file not found: {'/'.join((top, *parts))}")
    return target
