"""SNS subscription filter policies, on message attributes or on the message body.

The same engine as EventPattern, in the SNS dialect (dialect.py): fewer operators, at
most 5 top-level keys and 150 value combinations, 256 KB of text, and errors worded
"Invalid parameter: FilterPolicy: ...". An empty policy (``{}``) accepts every message.

Attributes are typed (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html):
a ``String`` is a string value, a ``Number`` a number (so it matches ``numeric`` and
numbers, never strings), a ``String.Array`` holds a JSON array whose elements are each a
value (any of them may match), and ``Binary`` attributes are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stratus.services.patterns.compiler import Clause, compile_pattern
from stratus.services.patterns.dialect import SNS_ATTRIBUTES, SNS_BODY, Dialect
from stratus.services.patterns.errors import InvalidPattern, Refusal
from stratus.services.patterns.matcher import Found, Paths, clause_holds, gather
from stratus.services.patterns.source import load

SCOPES = ("MessageAttributes", "MessageBody")
MAX_POLICY_BYTES = 256 * 1024


class FilterPolicy:
    """A compiled SNS filter policy for one scope."""

    __slots__ = ("_clauses", "_paths", "scope", "source")

    def __init__(self, source: Any, scope: str, clauses: tuple[Clause, ...]) -> None:
        self.source = source
        self.scope = scope
        self._clauses = clauses
        self._paths = Paths(frozenset(rule.path for clause in clauses for rule in clause))

    @classmethod
    def compile(
        cls, policy: str | Mapping[str, Any], scope: str = "MessageAttributes"
    ) -> FilterPolicy:
        """Compile ``policy`` for ``scope`` or raise InvalidPattern (SNS's wording)."""
        if scope not in SCOPES:
            reason = f"Invalid value [{scope}]. Please use either MessageBody or MessageAttributes"
            raise InvalidPattern(f"Invalid parameter: FilterPolicyScope: {reason}", reason)
        dialect = SNS_BODY if scope == "MessageBody" else SNS_ATTRIBUTES
        try:
            parsed = _parse(policy, dialect)
            if not parsed:
                return cls(parsed, scope, ((),))
            compiled = compile_pattern(parsed, dialect)
            limit = dialect.max_combinations
            if limit is not None and combinations(parsed) > limit:
                raise Refusal("Filter policy is too complex")
        except Refusal as refusal:
            raise InvalidPattern(dialect.word(refusal.reason), refusal.reason) from None
        return cls(parsed, scope, compiled.clauses)

    def matches_attributes(self, message_attributes: Mapping[str, Mapping[str, Any]]) -> bool:
        """Whether SNS message attributes ({"Type": ..., "Value": ...}) match."""
        if not message_attributes:
            # "exists": false needs at least one attribute to be present (AWS's note).
            return not self._paths.leaves
        found: Found = {}
        leaves = self._paths.leaves
        for name, attribute in message_attributes.items():
            if name in leaves:
                values = _attribute_values(attribute)
                if values is not None:
                    found[name] = [(value, ()) for value in values]
        return any(clause_holds(clause, found, False) for clause in self._clauses)

    def matches_body(self, body: Mapping[str, Any]) -> bool:
        """Whether a message body (parsed JSON object) matches."""
        if not body:
            return not self._paths.leaves
        found, in_arrays = gather(body, self._paths)
        return any(clause_holds(clause, found, in_arrays) for clause in self._clauses)

    def __repr__(self) -> str:
        return f"FilterPolicy({self.source!r}, scope={self.scope!r})"


def _parse(policy: str | Mapping[str, Any], dialect: Dialect) -> dict[str, Any]:
    if isinstance(policy, str):
        if dialect.max_bytes is not None and len(policy.encode("utf-8")) > dialect.max_bytes:
            raise Refusal("Filter policy is too long")
        if not policy.strip():
            return {}
    parsed = load(policy)
    if not isinstance(parsed, dict):
        raise Refusal("Filter is not an object")
    if dialect.max_keys is not None and len(parsed) > dialect.max_keys:
        raise Refusal(f"Filter policy can not have more than {dialect.max_keys} keys")
    return parsed


def combinations(policy: dict[str, Any], depth: int = 1, carried: int = 1) -> int:
    """SNS's complexity measure: the product of each value array's length times the
    depth of its key, with ``$or`` branches added up.
    https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
    (3 x 4 x 2 x 3 = 72 for four values three levels down and three two levels down).
    """
    total = carried
    for key, value in policy.items():
        if isinstance(value, dict):
            total = combinations(value, depth + 1, total)
        elif isinstance(value, list):
            if key == "$or":
                total = sum(
                    combinations(branch, depth, total)
                    for branch in value
                    if isinstance(branch, dict)
                )
            else:
                total = total * len(value) * depth
    return total


def _attribute_values(attribute: Mapping[str, Any]) -> list[Any] | None:
    kind = attribute.get("Type") or attribute.get("DataType") or "String"
    raw = attribute.get("Value", attribute.get("StringValue"))
    if kind.startswith("Binary") or raw is None:
        return None
    if kind.split(".", 1)[0].endswith("Array") or ".Array" in kind:
        try:
            elements = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return []
        if not isinstance(elements, list):
            return []
        return [e for e in elements if not isinstance(e, (dict, list))]
    if kind.startswith("Number"):
        number = raw if isinstance(raw, (int, float)) else _number(str(raw))
        return [number] if number is not None else []
    return [raw]


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None
