"""An update expression applied to an item (a pure function: old item in, new item out).

Every right-hand side is evaluated on the item as it was before the update, as DynamoDB
does; REMOVEs of several elements of one list apply from the highest index down.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from stratus.services.tables.errors import ValidationError
from stratus.services.tables.expressions import ast
from stratus.services.tables.expressions.evaluate import resolve
from stratus.services.tables.values import AttributeValue, Item, arithmetic, equal, number_text

LABEL = "Invalid UpdateExpression"
_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
    "M": "MAP",
    "L": "LIST",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
}
INVALID_PATH = "The document path provided in the update expression is invalid for update"


def apply_update(item: Item, actions: list[ast.UpdateAction]) -> Item:
    old = item
    new = copy.deepcopy(item)
    values: list[tuple[ast.UpdateAction, AttributeValue | None]] = [
        (a, _set_value(old, a.value) if a.kind == "SET" and a.value is not None else None)
        for a in actions
    ]
    removes = [a for a in actions if a.kind == "REMOVE"]
    for action, value in values:
        if action.kind == "SET":
            assert value is not None
            _assign(new, action.path, value)
        elif action.kind == "ADD":
            assert isinstance(action.value, ast.Value)
            _add(new, action.path, action.value.value)
        elif action.kind == "DELETE":
            assert isinstance(action.value, ast.Value)
            _delete(new, action.path, action.value.value)
    # list elements removed highest index first, so earlier indexes stay valid
    for action in sorted(removes, key=_remove_order, reverse=True):
        _remove(new, action.path)
    return new


def _remove_order(action: ast.UpdateAction) -> tuple[Any, ...]:
    return tuple((0, e) if isinstance(e, int) else (1, e) for e in action.path.elements)


def _set_value(item: Item, value: ast.SetValue) -> AttributeValue:
    if isinstance(value, ast.Value):
        return value.value
    if isinstance(value, ast.Path):
        found = resolve(item, value)
        if found is None:
            raise ValidationError(
                "The provided expression refers to an attribute that does not exist in the item"
            )
        return found
    if isinstance(value, ast.IfNotExists):
        found = resolve(item, value.path)
        return found if found is not None else _set_value(item, value.default)
    if isinstance(value, ast.ListAppend):
        left = _set_value(item, value.left)
        right = _set_value(item, value.right)
        for operand in (left, right):
            if "L" not in operand:
                raise ValidationError(
                    f"{LABEL}: Incorrect operand type for operator or function; operator or "
                    f"function: list_append, operand type: {next(iter(operand))}"
                )
        return {"L": [*left["L"], *right["L"]]}
    left = _set_value(item, value.left)
    right = _set_value(item, value.right)
    if "N" not in left or "N" not in right:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    result = arithmetic(value.op, Decimal(left["N"]), Decimal(right["N"]))
    return {"N": number_text(result)}


def _parent(item: Item, path: ast.Path) -> tuple[Any, str | int]:
    """The container holding ``path``'s last element (a dict of attributes, a map's
    dict, or a list) and that element; raises when the path cannot exist."""
    elements = path.elements
    if len(elements) == 1:
        return item, path.top
    current: Any = item.get(path.top)
    for element in elements[1:-1]:
        current = _step(current, element)
    last = elements[-1]
    if current is None:
        raise ValidationError(INVALID_PATH)
    if isinstance(last, int):
        if "L" not in current:
            raise ValidationError(INVALID_PATH)
        return current["L"], last
    if "M" not in current:
        raise ValidationError(INVALID_PATH)
    return current["M"], last


def _step(current: Any, element: str | int) -> Any:
    if current is None:
        raise ValidationError(INVALID_PATH)
    if isinstance(element, int):
        items = current.get("L")
        if items is None or element >= len(items):
            raise ValidationError(INVALID_PATH)
        return items[element]
    members = current.get("M")
    if members is None or element not in members:
        raise ValidationError(INVALID_PATH)
    return members[element]


def _assign(item: Item, path: ast.Path, value: AttributeValue) -> None:
    container, last = _parent(item, path)
    if isinstance(last, int):
        if last >= len(container):
            container.append(copy.deepcopy(value))
        else:
            container[last] = copy.deepcopy(value)
    else:
        container[last] = copy.deepcopy(value)


def _remove(item: Item, path: ast.Path) -> None:
    try:
        container, last = _parent(item, path)
    except ValidationError:
        return  # removing what is not there is no error
    if isinstance(last, int):
        if last < len(container):
            del container[last]
    else:
        container.pop(last, None)


def _current(item: Item, path: ast.Path) -> tuple[Any, str | int, AttributeValue | None]:
    container, last = _parent(item, path)
    if isinstance(last, int):
        return container, last, container[last] if last < len(container) else None
    return container, last, container.get(last)


def _operand_error(op: str, value: AttributeValue) -> ValidationError:
    return ValidationError(
        f"{LABEL}: Incorrect operand type for operator or function; operator: {op}, operand "
        f"type: {_TYPE_NAMES[next(iter(value))]}"
    )


def _add(item: Item, path: ast.Path, value: AttributeValue) -> None:
    kind = next(iter(value))
    if kind not in ("N", "SS", "NS", "BS"):
        raise _operand_error("ADD", value)
    container, last, existing = _current(item, path)
    if existing is None:
        result = copy.deepcopy(value)
    elif kind == "N" and "N" in existing:
        total = arithmetic("+", Decimal(existing["N"]), Decimal(value["N"]))
        result = {"N": number_text(total)}
    elif kind in existing and kind != "N":
        members = list(existing[kind])
        for member in value[kind]:
            if not any(equal({kind[0]: m}, {kind[0]: member}) for m in members):
                members.append(member)
        result = {kind: members}
    else:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    if isinstance(last, int) and last >= len(container):
        container.append(result)
    else:
        container[last] = result


def _delete(item: Item, path: ast.Path, value: AttributeValue) -> None:
    kind = next(iter(value))
    if kind not in ("SS", "NS", "BS"):
        raise _operand_error("DELETE", value)
    container, last, existing = _current(item, path)
    if existing is None:
        return
    if kind not in existing:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    members = [
        m for m in existing[kind] if not any(equal({kind[0]: m}, {kind[0]: x}) for x in value[kind])
    ]
    if members:
        container[last] = {kind: members}
    elif isinstance(last, int):
        del container[last]
    else:
        del container[last]
