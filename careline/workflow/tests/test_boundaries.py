from __future__ import annotations

import ast
from pathlib import Path

import careline.workflow

PACKAGE = Path(careline.workflow.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_workflow_core_imports_neither_django_nor_other_careline_apps() -> None:
    modules = [p for p in PACKAGE.glob("*.py")]
    assert len(modules) >= 6
    offending = {
        f"{path.name}: {name}"
        for path in modules
        for name in _imports(path)
        if name.split(".")[0] == "django"
        or (name.startswith("careline.") and not name.startswith("careline.workflow"))
    }
    assert offending == set()
