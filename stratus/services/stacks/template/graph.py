"""The dependency graph: which resources each resource needs, and an order to build them.

Edges come from ``DependsOn`` and from every ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub``
reference to another resource, as CloudFormation derives them. A cycle is refused with
CloudFormation's message before anything is provisioned.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any

from stratus.services.stacks.errors import TemplateError
from stratus.services.stacks.template.intrinsics import sub_names

__all__ = ["creation_order", "dependencies", "references"]


def references(value: Any, found: set[str] | None = None) -> set[str]:
    """Every name a value refers to with Ref, GetAtt or Sub (parameters included)."""
    found = set() if found is None else found
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if len(item) == 1:
                ((key, argument),) = item.items()
                if key == "Ref" and isinstance(argument, str):
                    found.add(argument)
                    continue
                if key == "Fn::GetAtt":
                    if isinstance(argument, str):
                        found.add(argument.split(".", 1)[0])
                    elif isinstance(argument, list) and argument and isinstance(argument[0], str):
                        found.add(argument[0])
                        stack.extend(argument[1:])
                    continue
                if key == "Fn::Sub":
                    text, variables = (
                        (argument, {})
                        if isinstance(argument, str)
                        else (
                            (argument[0], argument[1])
                            if isinstance(argument, list) and len(argument) == 2
                            else ("", {})
                        )
                    )
                    if isinstance(text, str):
                        local = set(variables) if isinstance(variables, dict) else set()
                        for name in sub_names(text):
                            head = name.split(".", 1)[0]
                            if name not in local and head not in local:
                                found.add(head)
                    if isinstance(variables, dict):
                        stack.extend(variables.values())
                    continue
            stack.extend(item.values())
    return found


def dependencies(
    resources: Mapping[str, Mapping[str, Any]], parameters: Iterable[str]
) -> dict[str, set[str]]:
    """Logical id -> the logical ids it needs; refuses names that are nothing."""
    known_params = set(parameters)
    graph: dict[str, set[str]] = {}
    unresolved: set[str] = set()
    for logical, resource in resources.items():
        needs = references(resource.get("Properties", {}))
        depends_on = resource.get("DependsOn", [])
        if isinstance(depends_on, str):
            depends_on = [depends_on]
        for name in depends_on:
            if name not in resources:
                raise TemplateError(
                    f"Template format error: Unresolved resource dependencies [{name}] in the "
                    "Resources block of the template"
                )
        edges = set(depends_on)
        for name in needs:
            if name in resources:
                edges.add(name)
            elif name not in known_params and not name.startswith("AWS::"):
                unresolved.add(name)
        graph[logical] = edges
    if unresolved:
        raise TemplateError(
            f"Template format error: Unresolved resource dependencies [{', '.join(sorted(unresolved))}] "
            "in the Resources block of the template"
        )
    return graph


def creation_order(graph: Mapping[str, set[str]]) -> list[str]:
    """Dependencies first (ties in name order, so a deployment is reproducible)."""
    waiting = {name: len(needs) for name, needs in graph.items()}
    users: dict[str, list[str]] = {name: [] for name in graph}
    for name, needs in graph.items():
        for need in needs:
            users[need].append(name)
    ready = [name for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for user in users[name]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    if len(order) != len(graph):
        cycle = sorted(name for name, count in waiting.items() if count > 0)
        raise TemplateError(f"Circular dependency between resources: [{', '.join(cycle)}]")
    return order
