"""From a pattern's JSON to clauses of field rules, refusing what Event Ruler refuses.

The pattern is read in document order, as Event Ruler's streaming compiler reads it, so
the first problem found is the one reported, in its words. Nested objects become dotted
paths (``{"detail": {"state": [...]}}`` is the field ``detail.state``); ``$or`` forks the
pattern into alternatives, so the result is a disjunction of clauses, each a conjunction
of fields (what ``JsonRuleCompiler`` returns as a list of maps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratus.services.patterns.cidr import AddressRange, exact_address, parse_cidr
from stratus.services.patterns.conditions import (
    FieldRule,
    Negation,
    not_folded,
    not_numbers,
    not_prefixed,
    not_strings,
    not_suffixed,
    not_wildcards,
)
from stratus.services.patterns.dialect import Dialect
from stratus.services.patterns.errors import Refusal
from stratus.services.patterns.numeric import NumericRange, is_number, parse_numeric
from stratus.services.patterns.wildcard import Wildcard, complexity, parse

Clause = tuple[FieldRule, ...]

# Beyond this many alternatives a pattern is refused rather than expanded further.
MAX_CLAUSES = 1024
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating "
    "character sequences after a wildcard character"
)


@dataclass(slots=True)
class _Field:
    """A field's values while they are being read."""

    path: str
    strings: set[str] = field(default_factory=set)
    numbers: set[int | float] = field(default_factory=set)
    null: bool = False
    true: bool = False
    false: bool = False
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    folded: set[str] = field(default_factory=set)
    folded_prefixes: list[str] = field(default_factory=list)
    folded_suffixes: list[str] = field(default_factory=list)
    wildcards: list[Wildcard] = field(default_factory=list)
    ranges: list[NumericRange] = field(default_factory=list)
    addresses: list[AddressRange] = field(default_factory=list)
    negations: list[Negation] = field(default_factory=list)
    negated_wildcards: list[Wildcard] = field(default_factory=list)
    exists: bool = False
    absent: bool = False
    exists_needs_content: bool = False

    def freeze(self) -> FieldRule:
        return FieldRule(
            path=self.path,
            strings=frozenset(self.strings),
            numbers=frozenset(self.numbers),
            null=self.null,
            true=self.true,
            false=self.false,
            prefixes=tuple(self.prefixes),
            suffixes=tuple(self.suffixes),
            folded=frozenset(self.folded),
            folded_prefixes=tuple(self.folded_prefixes),
            folded_suffixes=tuple(self.folded_suffixes),
            wildcards=tuple(self.wildcards),
            ranges=tuple(self.ranges),
            addresses=tuple(self.addresses),
            negations=tuple(self.negations),
            exists=self.exists,
            absent=self.absent,
            exists_needs_content=self.exists_needs_content,
        )


@dataclass(frozen=True, slots=True)
class Compiled:
    clauses: tuple[Clause, ...]
    # For the complexity check: every wildcard (plain or negated) per path.
    wildcards: dict[str, list[Wildcard]]


def compile_pattern(pattern: dict[str, Any], dialect: Dialect) -> Compiled:
    """Compile a parsed pattern object; raise Refusal with Event Ruler's reason."""
    compiler = _Compiler(dialect)
    clauses = compiler.object(pattern, "", [{}], inside_or=False, depth=1)
    for wildcards in compiler.wildcards.values():
        if complexity(wildcards, dialect.wildcard_complexity) > dialect.wildcard_complexity:
            raise Refusal(TOO_COMPLEX)
    return Compiled(
        clauses=tuple(tuple(clause.values()) for clause in clauses),
        wildcards=compiler.wildcards,
    )


class _Compiler:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.wildcards: dict[str, list[Wildcard]] = {}

    def object(
        self,
        node: dict[str, Any],
        prefix: str,
        clauses: list[dict[str, FieldRule]],
        *,
        inside_or: bool,
        depth: int,
    ) -> list[dict[str, FieldRule]]:
        if not node:
            raise Refusal("Empty objects are not allowed")
        for key, value in node.items():
            if key == "$or" and self.is_alternatives(value):
                clauses = self.alternatives(value, prefix, clauses, depth)
                continue
            if inside_or and key in self.dialect.operators:
                raise Refusal(f"{key} is Ruler reserved fieldName which cannot be used inside $or.")
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                if not self.dialect.nesting:
                    raise Refusal(
                        "Filter policy scope MessageAttributes does not support nested filter policy"
                    )
                clauses = self.object(value, path, clauses, inside_or=inside_or, depth=depth + 1)
            elif isinstance(value, list):
                rule = self.field(path, value)
                for clause in clauses:
                    clause[path] = rule
            else:
                raise Refusal(f'"{key}" must be an object or an array')
        return clauses

    def is_alternatives(self, value: Any) -> bool:
        """Whether ``$or`` is the operator here, not a field named "$or".

        AWS reads ``$or`` as OR only when it holds an array of at least two objects
        none of which names a reserved keyword; otherwise it is an ordinary field.
        https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html#or-operator
        """
        if not isinstance(value, list) or len(value) < 2:
            return False
        reserved = self.dialect.operators
        return all(
            isinstance(branch, dict) and not any(key in reserved for key in branch)
            for branch in value
        )

    def alternatives(
        self,
        value: Any,
        prefix: str,
        clauses: list[dict[str, FieldRule]],
        depth: int,
    ) -> list[dict[str, FieldRule]]:
        if not isinstance(value, list):
            raise Refusal("It must be an Array followed with $or.")
        forked: list[dict[str, FieldRule]] = []
        for branch in value:
            if not isinstance(branch, dict):
                raise Refusal("Only JSON object is allowed in array of $or relationship.")
            copies = [dict(clause) for clause in clauses]
            forked.extend(self.object(branch, prefix, copies, inside_or=True, depth=depth))
            if len(forked) > MAX_CLAUSES:
                raise Refusal(TOO_COMPLEX)
        if len(value) < 2:
            raise Refusal("There must have at least 2 Objects in $or relationship.")
        return forked

    def field(self, path: str, values: list[Any]) -> FieldRule:
        if not values:
            raise Refusal("Empty arrays are not allowed")
        accumulated = _Field(path, exists_needs_content=self.dialect.exists_needs_content)
        for value in values:
            if isinstance(value, dict):
                self.expression(accumulated, value)
            elif isinstance(value, str):
                accumulated.strings.add(value)
                address = exact_address(value)
                if address is not None:
                    accumulated.addresses.append(address)
            elif value is None:
                accumulated.null = True
            elif value is True:
                accumulated.true = True
            elif value is False:
                accumulated.false = True
            elif is_number(value):
                accumulated.numbers.add(value)
            else:
                raise Refusal("Match value must be String, number, true, false, or null")
        return accumulated.freeze()

    def expression(self, into: _Field, expression: dict[str, Any]) -> None:
        if not expression:
            raise Refusal("Match expression name not found")
        items = iter(expression.items())
        name, operand = next(items)
        extra = len(expression) > 1
        if name == "exactly":
            if not isinstance(operand, str):
                raise Refusal("exact match pattern must be a string")
            into.strings.add(operand)
        elif name not in self.dialect.operators:
            raise Refusal(f"Unrecognized match type {name}")
        elif name in ("prefix", "suffix"):
            self.affix(into, name, operand)
        elif name == "equals-ignore-case":
            if not isinstance(operand, str):
                raise Refusal("equals-ignore-case match pattern must be a string")
            into.folded.add(operand.lower())
        elif name == "wildcard":
            if not isinstance(operand, str):
                raise Refusal("wildcard match pattern must be a string")
            wildcard = parse(operand)
            into.wildcards.append(wildcard)
            self.wildcards.setdefault(into.path, []).append(wildcard)
        elif name == "numeric":
            into.ranges.append(parse_numeric(operand))
            if extra:
                raise Refusal("Too many elements in numeric expression")
        elif name == "exists":
            if operand is True:
                into.exists = True
            elif operand is False:
                into.absent = True
            else:
                raise Refusal("exists match pattern must be either true or false.")
        elif name == "cidr":
            if not isinstance(operand, str):
                raise Refusal("prefix match pattern must be a string")
            into.addresses.append(parse_cidr(operand))
        else:  # anything-but
            self.anything_but(into, operand)
            if extra:
                raise Refusal("Too many elements in numeric expression")
        if extra:
            raise Refusal("Only one key allowed in match expression")

    def affix(self, into: _Field, name: str, operand: Any) -> None:
        if isinstance(operand, dict) and self.dialect.affix_ignore_case:
            if not operand:
                raise Refusal(f"{name.capitalize()} expression name not found")
            inner, text = next(iter(operand.items()))
            if inner != "equals-ignore-case":
                raise Refusal(f"Unsupported {name} pattern: {inner}")
            if not isinstance(text, str):
                raise Refusal("equals-ignore-case match pattern must be a string")
            if len(operand) > 1:
                raise Refusal("Only one key allowed in match expression")
            target = into.folded_prefixes if name == "prefix" else into.folded_suffixes
            target.append(text.lower())
            return
        if not isinstance(operand, str):
            raise Refusal(f"{name} match pattern must be a string")
        (into.prefixes if name == "prefix" else into.suffixes).append(operand)

    def anything_but(self, into: _Field, operand: Any) -> None:
        inner: str | None = None
        if isinstance(operand, dict):
            if not operand:
                raise Refusal("Anything-But expression name not found")
            inner, operand = next(iter(operand.items()))
            if inner not in self.dialect.anything_but_operators:
                raise Refusal(f"Unsupported anything-but pattern: {inner}")
        if not (isinstance(operand, (list, str)) or is_number(operand)):
            raise Refusal("Value of anything-but must be an array or single string/number value.")
        if inner is None:
            into.negations.append(self.excluded_values(operand))
            return
        candidates = operand if isinstance(operand, list) else [operand]
        texts: list[str] = []
        for candidate in candidates:
            if not isinstance(candidate, str):
                if inner == "equals-ignore-case":
                    raise Refusal(
                        "Inside anything-but/equals-ignore-case list, "
                        "number|start|null|boolean is not supported."
                    )
                if inner == "wildcard":
                    raise Refusal("wildcard match pattern must be a string")
                raise Refusal("prefix/suffix match pattern must be a string")
            if inner in ("prefix", "suffix") and not candidate:
                raise Refusal("Null prefix/suffix not allowed")
            texts.append(candidate)
        if inner == "equals-ignore-case":
            into.negations.append(not_folded(frozenset(t.lower() for t in texts)))
        elif inner == "prefix":
            into.negations.append(not_prefixed(tuple(texts)))
        elif inner == "suffix":
            into.negations.append(not_suffixed(tuple(texts)))
        else:
            wildcards = tuple(parse(text) for text in texts)
            into.negations.append(not_wildcards(wildcards))
            self.wildcards.setdefault(into.path, []).extend(wildcards)

    @staticmethod
    def excluded_values(operand: Any) -> Negation:
        values = operand if isinstance(operand, list) else [operand]
        strings: set[str] = set()
        numbers: set[int | float] = set()
        for value in values:
            if isinstance(value, str):
                strings.add(value)
            elif is_number(value):
                numbers.add(value)
            else:
                raise Refusal("Inside anything but list, start|null|boolean is not supported.")
        if isinstance(operand, list) and bool(strings) == bool(numbers):
            raise Refusal(
                "Inside anything but list, either all values are number or string, "
                "mixed type is not supported"
            )
        if strings:
            return not_strings(frozenset(strings))
        return not_numbers(frozenset(numbers))
