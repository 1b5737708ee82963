"""The ASL engine in `stratus.workflows` is pure: it imports nothing else of Stratus.

Only the service around it (`service/`: storage, runners) and the task integrations
(`integrations/`: Lambda, aws-sdk ...) reach the layers below; the global layering test
(`tests/test_layering.py`) checks those import downward only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import stratus.workflows

PACKAGE = Path(stratus.workflows.__file__).parent


_AROUND_THE_ENGINE = ("service", "integrations")


def test_workflows_imports_only_itself() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in _AROUND_THE_ENGINE:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("stratus.") and not name.startswith("stratus.workflows"):
                    upward.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert upward == []


def test_the_interpreter_core_does_no_io() -> None:
    """The pure core never touches asyncio, files, sockets or clocks."""
    forbidden = {"asyncio", "socket", "time", "os", "subprocess", "random"}
    found = []
    for path in sorted((PACKAGE / "interpreter").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [f"{path.name}: {a.name}" for a in node.names if a.name in forbidden]
            elif isinstance(node, ast.ImportFrom) and node.module in forbidden:
                found.append(f"{path.name}: {node.module}")
    assert found == []
