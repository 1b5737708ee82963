"""What a change set would do, and the small rules stacks share: a stack's name, which
stacks import an export."""

from __future__ import annotations

import re
from typing import Any

from stratus.services.stacks.errors import StackValidationError
from stratus.services.stacks.model import Stack
from stratus.services.stacks.template.prepare import Prepared

__all__ = ["check_name", "imports", "resource_changes"]

_STACK_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]{0,127}")


def check_name(name: str) -> None:
    """The name rule AWS states for CreateStack's StackName (not in botocore's model)."""
    if not _STACK_NAME.fullmatch(name):
        raise StackValidationError(
            f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
        )


def imports(value: Any, export: str) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("Fn::ImportValue") == export:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def resource_changes(current: Stack | None, prepared: Prepared) -> list[dict[str, Any]]:
    new = prepared.processed.get("Resources") or {}
    old = (current.processed.get("Resources") or {}) if current else {}
    changes: list[dict[str, Any]] = []

    def change(action: str, logical: str, kind: str, physical: str = "") -> dict[str, Any]:
        detail: dict[str, Any] = {
            "Action": action,
            "LogicalResourceId": logical,
            "ResourceType": kind,
            "Scope": [],
            "Details": [],
        }
        if physical:
            detail["PhysicalResourceId"] = physical
        if action == "Modify":
            detail["Replacement"] = "Conditional"
        return {"Type": "Resource", "ResourceChange": detail}

    new = {k: v for k, v in new.items() if prepared.active(k)}
    if current is not None:
        old = {k: v for k, v in old.items() if k in current.resources}
    for logical, resource in new.items():
        if logical not in old:
            changes.append(change("Add", logical, resource["Type"]))
        elif old[logical] != resource:
            state = current.resources.get(logical) if current else None
            changes.append(
                change("Modify", logical, resource["Type"], state.physical_id if state else "")
            )
    for logical, resource in old.items():
        if logical not in new:
            state = current.resources.get(logical) if current else None
            changes.append(
                change("Remove", logical, resource["Type"], state.physical_id if state else "")
            )
    return changes
