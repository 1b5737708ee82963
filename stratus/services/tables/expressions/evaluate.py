"""Conditions and projections evaluated on an item (a pure function of the item).

A comparison with a missing attribute is false (``<>`` is true), as on DynamoDB; so is
a comparison of different types (``a < :v`` with a string and a number).
"""

from __future__ import annotations

import copy
from typing import Any

from stratus.services.tables.expressions import ast
from stratus.services.tables.values import AttributeValue, Item, compare, equal


def resolve(item: Item, path: ast.Path) -> AttributeValue | None:
    """The value at ``path``, or None when any step is missing."""
    current: Any = item.get(path.top)
    for element in path.elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            items = current.get("L")
            if items is None or element >= len(items):
                return None
            current = items[element]
        else:
            members = current.get("M")
            if members is None:
                return None
            current = members.get(element)
    return current  # type: ignore[no-any-return]


def operand_value(item: Item, operand: ast.Operand) -> AttributeValue | None:
    if isinstance(operand, ast.Value):
        return operand.value
    if isinstance(operand, ast.Path):
        return resolve(item, operand)
    target = resolve(item, operand.path)
    if target is None:
        return None
    kind, inner = next(iter(target.items()))
    if kind in ("S",):
        return {"N": str(len(inner))}
    if kind == "B":
        return {"N": str(len(inner))}
    if kind in ("SS", "NS", "BS", "L", "M"):
        return {"N": str(len(inner))}
    return None


def matches(item: Item, condition: ast.Condition) -> bool:
    if isinstance(condition, ast.And):
        return matches(item, condition.left) and matches(item, condition.right)
    if isinstance(condition, ast.Or):
        return matches(item, condition.left) or matches(item, condition.right)
    if isinstance(condition, ast.Not):
        return not matches(item, condition.operand)
    if isinstance(condition, ast.Compare):
        left = operand_value(item, condition.left)
        right = operand_value(item, condition.right)
        if left is None or right is None:
            return condition.op == "<>" and (left is not None or right is not None)
        if condition.op == "=":
            return equal(left, right)
        if condition.op == "<>":
            return not equal(left, right)
        order = compare(left, right)
        if order is None:
            return False
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[condition.op]
    if isinstance(condition, ast.Between):
        subject = operand_value(item, condition.subject)
        low = operand_value(item, condition.low)
        high = operand_value(item, condition.high)
        if subject is None or low is None or high is None:
            return False
        lo, hi = compare(subject, low), compare(subject, high)
        return lo is not None and hi is not None and lo >= 0 and hi <= 0
    if isinstance(condition, ast.In):
        subject = operand_value(item, condition.subject)
        if subject is None:
            return False
        for option in condition.options:
            value = operand_value(item, option)
            if value is not None and equal(subject, value):
                return True
        return False
    return _function(item, condition)


def _function(item: Item, call: ast.Function) -> bool:
    name = call.name
    first = call.args[0]
    assert isinstance(first, ast.Path)
    target = resolve(item, first)
    if name == "attribute_exists":
        return target is not None
    if name == "attribute_not_exists":
        return target is None
    second = operand_value(item, call.args[1])
    if target is None or second is None:
        return False
    kind, inner = next(iter(target.items()))
    other_kind, other = next(iter(second.items()))
    if name == "attribute_type":
        return bool(kind == other)
    if name == "begins_with":
        if kind == "S" and other_kind == "S":
            return bool(inner.startswith(other))
        if kind == "B" and other_kind == "B":
            return bool(bytes(inner).startswith(bytes(other)))
        return False
    # contains
    if kind == "S" and other_kind == "S":
        return other in inner
    if kind == "B" and other_kind == "B":
        return bytes(other) in bytes(inner)
    if kind in ("SS", "NS", "BS") and other_kind == kind[0]:
        return any(equal({other_kind: m}, second) for m in inner)
    if kind == "L":
        return any(equal(member, second) for member in inner)
    return False


def project(item: Item, paths: list[ast.Path]) -> Item:
    """The item reduced to ``paths`` (list elements keep their order, compacted)."""
    result: Item = {}
    for path in paths:
        value = resolve(item, path)
        if value is None:
            continue
        _place(result, item, path, value)
    _compact(result)
    return result


def _place(result: Item, source: Item, path: ast.Path, value: AttributeValue) -> None:
    elements = path.elements
    if len(elements) == 1:
        result[path.top] = copy.deepcopy(value)
        return
    container: Any = result
    original: Any = source
    for depth, element in enumerate(elements[:-1]):
        nxt = elements[depth + 1]
        original = original[element] if depth == 0 else _child(original, element)
        empty: AttributeValue = {"L": {}} if isinstance(nxt, int) else {"M": {}}
        if depth == 0:
            container = container.setdefault(element, empty)
        else:
            holder = container["L"] if isinstance(element, int) else container["M"]
            container = holder.setdefault(element, empty)
    last = elements[-1]
    holder = container["L"] if isinstance(last, int) else container["M"]
    holder[last] = copy.deepcopy(value)


def _child(value: AttributeValue, element: str | int) -> AttributeValue:
    if isinstance(element, int):
        return value["L"][element]  # type: ignore[no-any-return]
    return value["M"][element]  # type: ignore[no-any-return]


def _compact(value: Any) -> None:
    """Lists built as {index: value} during projection become real lists, in index order."""
    if isinstance(value, dict):
        for key, inner in list(value.items()):
            if key == "L" and isinstance(inner, dict):
                value["L"] = [inner[i] for i in sorted(inner)]
                for member in value["L"]:
                    _compact(member)
            elif isinstance(inner, dict | list):
                _compact(inner)
    elif isinstance(value, list):
        for member in value:
            _compact(member)
