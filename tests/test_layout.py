"""The package layout keeps its promises: no import cycles between modules, no module that
reaches into another module's private names, and data flowing one way
(inputs → law → builder → checker/siting → outputs; the faces on top)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zoning"
# a lower layer never imports a higher one
LAYERS = {
    "zoning.errors": 0, "zoning.resources": 0, "zoning.settings": 0, "zoning.terms": 1, "zoning.files": 1,
    "zoning.inputs": 2, "zoning.law": 3, "zoning.builder": 4, "zoning.checker": 5, "zoning.siting": 5,
    "zoning.compare": 5, "zoning.outputs": 6, "zoning.demo": 7, "zoning.national": 7, "zoning.web": 8, "zoning.cli": 9,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) imported at module level, outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zoning"):
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("zoning")]
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "_shipped" not in p.relative_to(PACKAGE).parts}


def resolve(module: str, name: str) -> str:
    """``from zoning.x import y``: y is a submodule when such a module exists."""
    return f"{module}.{name}" if f"{module}.{name}" in MODULES else module


def layer(module: str) -> int:
    return max((rank for prefix, rank in LAYERS.items() if module == prefix or module.startswith(prefix + ".")), default=-1)


GRAPH = {
    name: {resolve(m, n) for m, names in top_level_imports(path) for n in (names or [""])} - {name, "zoning"}
    for name, path in MODULES.items()
}


def test_no_import_cycle():
    seen: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for target in sorted(GRAPH.get(node, ())):
            target = target.rstrip(".")
            if seen.get(target) == 1:
                pytest.fail("import cycle: " + " → ".join(path[path.index(target):] + [target]))
            if target in GRAPH and target not in seen:
                visit(target, path + [target])
        seen[node] = 2

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module, [module])


def test_no_private_name_of_another_module():
    offenders = [
        f"{name} imports {module}.{n}"
        for name, path in MODULES.items() for module, names in top_level_imports(path) for n in names
        if n.startswith("_") and not n.startswith("__") and module != name
    ]
    assert offenders == []


def test_data_flows_one_way():
    every_module_placed = [m for m in MODULES if layer(m) < 0 and m not in ("zoning", "zoning.__main__")]
    assert every_module_placed == []
    upward = [f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})" for m, targets in GRAPH.items() for t in targets
              if layer(t) > layer(m) and m not in ("zoning", "zoning.__main__")]
    assert upward == []


def test_the_wheel_carries_the_data_folders(tmp_path):
    """`pip install .` (a wheel) finds rules/, layers/ and maps/ inside the package, as an editable install finds them beside it."""
    import subprocess
    import sys
    import zipfile

    root = PACKAGE.parent
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(root)], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip(f"no wheel could be built here (pip needs hatchling from the package index): {built.stderr[-300:]}")
    (wheel,) = tmp_path.glob("zoning-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("rules", "layers", "maps"):
        shipped = {str(p.relative_to(root)) for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        missing = sorted(f for f in shipped if f"zoning/_shipped/{f}" not in names)
        assert shipped and missing == [], missing
    assert not any(n.startswith("tools/") or "/tools/" in n for n in names)
