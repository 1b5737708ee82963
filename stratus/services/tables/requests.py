"""The expressions of one request, compiled once: placeholders resolved, unused ones
refused, legacy parameters (Expected, AttributesToGet, KeyConditions, QueryFilter,
ScanFilter, AttributeUpdates) turned into the same ASTs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stratus.services.tables.errors import ValidationError
from stratus.services.tables.expressions import ast
from stratus.services.tables.expressions.parser import (
    parse_condition,
    parse_projection,
    parse_update,
)
from stratus.services.tables.expressions.placeholders import Placeholders
from stratus.services.tables.values import normalize_value


@dataclass(slots=True)
class Compiled:
    condition: ast.Condition | None = None
    key_condition: ast.Condition | None = None
    filter: ast.Condition | None = None
    projection: list[ast.Path] | None = None
    update: list[ast.UpdateAction] | None = None
    used: set[str] = field(default_factory=set)


def compile_request(
    params: Mapping[str, Any],
    *,
    condition: str | None = None,
    key_condition: str | None = None,
    filter: str | None = None,
    projection: str | None = None,
    update: str | None = None,
    null_message: str = "",
) -> Compiled:
    """Parse the request's expressions (given as text) against its placeholders."""
    names = params.get("ExpressionAttributeNames")
    values = params.get("ExpressionAttributeValues")
    ph = Placeholders(names, values)
    compiled = Compiled()
    any_expression = any(
        e is not None for e in (condition, key_condition, filter, projection, update)
    )
    if not any_expression:
        if names is not None:
            raise ValidationError(
                f"ExpressionAttributeNames can only be specified when using expressions"
                f"{null_message}"
            )
        if values is not None:
            raise ValidationError(
                f"ExpressionAttributeValues can only be specified when using expressions"
                f"{null_message}"
            )
    if update is not None:
        compiled.update = parse_update(update, ph)
    if key_condition is not None:
        compiled.key_condition = parse_condition(key_condition, "KeyConditionExpression", ph)
    if condition is not None:
        compiled.condition = parse_condition(condition, "ConditionExpression", ph)
    if filter is not None:
        compiled.filter = parse_condition(filter, "FilterExpression", ph)
    if projection is not None:
        compiled.projection = parse_projection(projection, ph)
    ph.check_unused()
    return compiled


# -- legacy parameters -----------------------------------------------------------------
_LEGACY_OPS = {"EQ": "=", "NE": "<>", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}


def legacy_condition(
    conditions: Mapping[str, Any], operator: str = "AND", *, expected: bool = False
) -> ast.Condition | None:
    """Expected / KeyConditions / QueryFilter / ScanFilter as one condition."""
    parts: list[ast.Condition] = []
    for name, spec in conditions.items():
        path = ast.Path((name,))
        if expected and "ComparisonOperator" not in spec:
            if spec.get("Exists") is False:
                parts.append(ast.Function("attribute_not_exists", (path,)))
                continue
            if "Value" not in spec:
                raise ValidationError(
                    "One or more parameter values were invalid: Value must be provided when "
                    "Exists is true for Attribute: " + name
                )
            value = ast.Value(normalize_value(spec["Value"]), ":v")
            parts.append(ast.Compare("=", path, value))
            continue
        op = spec.get("ComparisonOperator", "EQ")
        raw = spec.get("AttributeValueList") or ([spec["Value"]] if "Value" in spec else [])
        values = [ast.Value(normalize_value(v), ":v") for v in raw]
        parts.append(_legacy_part(path, op, values))
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result = ast.Or(result, part) if operator == "OR" else ast.And(result, part)
    return result


def _legacy_part(path: ast.Path, op: str, values: list[ast.Value]) -> ast.Condition:
    if op in _LEGACY_OPS:
        _arity(op, values, 1)
        return ast.Compare(_LEGACY_OPS[op], path, values[0])
    if op == "NULL":
        return ast.Function("attribute_not_exists", (path,))
    if op == "NOT_NULL":
        return ast.Function("attribute_exists", (path,))
    if op == "BETWEEN":
        _arity(op, values, 2)
        return ast.Between(path, values[0], values[1])
    if op == "IN":
        return ast.In(path, tuple(values))
    if op == "BEGINS_WITH":
        _arity(op, values, 1)
        return ast.Function("begins_with", (path, values[0]))
    if op == "CONTAINS":
        _arity(op, values, 1)
        return ast.Function("contains", (path, values[0]))
    if op == "NOT_CONTAINS":
        _arity(op, values, 1)
        return ast.Not(ast.Function("contains", (path, values[0])))
    raise ValidationError(f"Unsupported operator on legacy condition: {op}")


def _arity(op: str, values: list[ast.Value], count: int) -> None:
    if len(values) != count:
        raise ValidationError(
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            f"{op} ComparisonOperator"
        )


def legacy_projection(names: list[str] | None) -> list[ast.Path] | None:
    if not names:
        return None
    return [ast.Path((n,)) for n in names]


def legacy_update(updates: Mapping[str, Any]) -> list[ast.UpdateAction]:
    actions: list[ast.UpdateAction] = []
    for name, spec in updates.items():
        action = spec.get("Action", "PUT")
        path = ast.Path((name,))
        if action == "DELETE" and "Value" not in spec:
            actions.append(ast.UpdateAction("REMOVE", path))
            continue
        value = ast.Value(normalize_value(spec["Value"]), ":v")
        if action == "PUT":
            actions.append(ast.UpdateAction("SET", path, value))
        else:
            actions.append(ast.UpdateAction(action, path, value))
    return actions
