"""The parsed forms of expressions: paths, operands, conditions and update actions.

Placeholders are already resolved: a :value is its attribute value, a #name its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathElement = str | int  # an attribute name or a list index


@dataclass(frozen=True, slots=True)
class Path:
    elements: tuple[PathElement, ...]

    def shown(self) -> str:
        """As DynamoDB writes paths in messages: ``[a, b, [1]]``."""
        parts = [f"[{e}]" if isinstance(e, int) else e for e in self.elements]
        return "[" + ", ".join(parts) + "]"

    @property
    def top(self) -> str:
        head = self.elements[0]
        assert isinstance(head, str)
        return head


@dataclass(frozen=True, slots=True)
class Value:
    value: dict[str, Any]  # an attribute value
    name: str  # the placeholder


@dataclass(frozen=True, slots=True)
class Size:
    path: Path


Operand = Path | Value | Size


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # = <> < <= > >=
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    subject: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Function:
    name: str  # attribute_exists, attribute_not_exists, attribute_type, begins_with, contains
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Condition = Compare | Between | In | Function | And | Or | Not


# -- update expressions --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IfNotExists:
    path: Path
    default: SetValue


@dataclass(frozen=True, slots=True)
class ListAppend:
    left: SetValue
    right: SetValue


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str  # + or -
    left: SetValue
    right: SetValue


SetValue = Path | Value | IfNotExists | ListAppend | Arithmetic


@dataclass(frozen=True, slots=True)
class UpdateAction:
    kind: str  # SET, REMOVE, ADD, DELETE
    path: Path
    value: SetValue | None = None
