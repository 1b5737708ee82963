"""The layout is the architecture: imports point downward only (DESIGN.md, "Layout").

Every ``stratus`` module is parsed (not imported) and each of its imports of another
``stratus`` module is checked against the layer order below. The worker, which runs inside
execution environments on any Python, may import nothing of the server at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "stratus"

# Higher layers first; a module may import its own layer and any layer after it.
ORDER = [
    "cli",
    "platform",
    "serving",
    "console",
    "aws",
    "gateway",  # users' endpoints; their doors are built by components (aws) from services
    "app",
    "workflows",
    "services",
    "runtime",
    "store",
]
WORKER = "runtime.worker"


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return [name for name in found if name == "stratus" or name.startswith("stratus.")]


def _modules() -> list[tuple[str, Path]]:
    result = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        result.append((".".join(relative.parts), path))
    return result


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_imports_point_downward(module: str, path: Path) -> None:
    own = _layer(module)
    if own in ("", "__main__"):
        return
    for imported in _imports(path):
        if module.startswith(f"stratus.{WORKER}"):
            assert imported.startswith(f"stratus.{WORKER}"), (
                f"{module} runs inside execution environments and must not import {imported}"
            )
            continue
        target = _layer(imported)
        if target == own or target == "":
            continue
        assert ORDER.index(target) > ORDER.index(own), f"{module} imports {imported}: upward"
