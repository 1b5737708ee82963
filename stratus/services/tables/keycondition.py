"""A KeyConditionExpression turned into a key range: the partition's encoded hash key and
bounds on the encoded sort key (``keys.py`` makes byte order DynamoDB's order)."""

from __future__ import annotations

from dataclasses import dataclass

from stratus.services.tables.errors import ValidationError, invalid
from stratus.services.tables.expressions import ast
from stratus.services.tables.keys import encode_key, prefix_successor
from stratus.services.tables.model import KeySchema
from stratus.services.tables.values import AttributeValue, compare

LABEL = "KeyConditionExpression"


@dataclass(frozen=True, slots=True)
class KeyRange:
    hash_key: bytes
    low: bytes | None = None
    low_inclusive: bool = True
    high: bytes | None = None
    high_inclusive: bool = True


def _conjuncts(condition: ast.Condition) -> list[ast.Condition]:
    if isinstance(condition, ast.And):
        return [*_conjuncts(condition.left), *_conjuncts(condition.right)]
    if isinstance(condition, ast.Or):
        raise ValidationError(f"Invalid operator used in {LABEL}: OR")
    if isinstance(condition, ast.Not):
        raise ValidationError(f"Invalid operator used in {LABEL}: NOT")
    if isinstance(condition, ast.In):
        raise ValidationError(f"Invalid operator used in {LABEL}: IN")
    return [condition]


def _attribute(condition: ast.Condition) -> str | None:
    subject: ast.Operand | None = None
    if isinstance(condition, ast.Compare):
        subject = condition.left if isinstance(condition.left, ast.Path) else condition.right
    elif isinstance(condition, ast.Between):
        subject = condition.subject
    elif isinstance(condition, ast.Function):
        subject = condition.args[0]
    if isinstance(subject, ast.Path) and len(subject.elements) == 1:
        return subject.top
    return None


def key_range(condition: ast.Condition, keys: KeySchema, types: dict[str, str]) -> KeyRange:
    parts = _conjuncts(condition)
    if len(parts) > 2:
        raise ValidationError("Conditions can be of length 1 or 2 only")
    by_name: dict[str, ast.Condition] = {}
    for part in parts:
        if isinstance(part, ast.Compare) and part.op == "<>":
            raise ValidationError(f"Invalid operator used in {LABEL}: <>")
        if isinstance(part, ast.Function) and part.name != "begins_with":
            raise ValidationError(f"Invalid operator used in {LABEL}: {part.name}")
        name = _attribute(part)
        if name is None:
            raise ValidationError("Query key condition not supported")
        if name in by_name:
            raise ValidationError("KeyConditionExpressions must only contain one condition per key")
        by_name[name] = part
    if keys.hash_key not in by_name:
        raise ValidationError(f"Query condition missed key schema element: {keys.hash_key}")
    for name in by_name:
        if name not in keys.names:
            missing = keys.range_key or keys.hash_key
            raise ValidationError(f"Query condition missed key schema element: {missing}")
    hash_part = by_name[keys.hash_key]
    if not isinstance(hash_part, ast.Compare) or hash_part.op != "=":
        raise ValidationError("Query key condition not supported")
    hash_value = _value_of(hash_part, types[keys.hash_key])
    result = KeyRange(encode_key(hash_value))
    if keys.range_key is None or keys.range_key not in by_name:
        return result
    part = by_name[keys.range_key]
    kind = types[keys.range_key]
    if isinstance(part, ast.Between):
        low = _operand_value(part.low, kind)
        high = _operand_value(part.high, kind)
        order = compare(low, high)
        if order is not None and order > 0:
            raise ValidationError(
                f"Invalid {LABEL}: The BETWEEN operator requires upper bound to be greater than "
                f"or equal to lower bound; lower bound operand: AttributeValue: {{{kind}:"
                f"{_shown(low)}}}, upper bound operand: AttributeValue: {{{kind}:{_shown(high)}}}"
            )
        return KeyRange(result.hash_key, encode_key(low), True, encode_key(high), True)
    if isinstance(part, ast.Function):  # begins_with
        if kind == "N":
            raise ValidationError(
                f"Invalid {LABEL}: Incorrect operand type for operator or function; operator or "
                "function: begins_with, operand type: N"
            )
        prefix = encode_key(_operand_value(part.args[1], kind))
        return KeyRange(result.hash_key, prefix, True, prefix_successor(prefix), False)
    assert isinstance(part, ast.Compare)
    op = part.op
    if not isinstance(part.left, ast.Path):  # :v < sk is sk > :v
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[op]
    bound = encode_key(_value_of(part, kind))
    if op == "=":
        return KeyRange(result.hash_key, bound, True, bound, True)
    if op in ("<", "<="):
        return KeyRange(result.hash_key, None, True, bound, op == "<=")
    return KeyRange(result.hash_key, bound, op == ">=", None, True)


def _shown(value: AttributeValue) -> str:
    return str(next(iter(value.values())))


def _value_of(part: ast.Compare, kind: str) -> AttributeValue:
    other = part.right if isinstance(part.left, ast.Path) else part.left
    return _operand_value(other, kind)


def _operand_value(operand: ast.Operand, kind: str) -> AttributeValue:
    if not isinstance(operand, ast.Value):
        raise ValidationError("Query key condition not supported")
    if next(iter(operand.value)) != kind:
        raise invalid("Condition parameter type does not match schema type")
    return operand.value
