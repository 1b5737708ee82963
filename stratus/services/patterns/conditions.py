"""What one field of a pattern accepts, compiled so that testing a value is a few lookups.

A field's list of match values is an OR: ``["a", {"prefix": "b"}, {"numeric": [">", 3]}]``
accepts a value any of them accepts. Compilation groups them by kind (a frozenset of
exact strings, one tuple of prefixes for ``str.startswith``, ranges ...) so that a value
is tested by its JSON type against only the tests that can accept that type.

Values are JSON scalars as Python holds them: ``str``, ``int``/``float`` (never ``bool``:
it is tested by identity first), ``True``/``False`` and ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stratus.services.patterns.cidr import AddressRange
from stratus.services.patterns.numeric import NumericRange
from stratus.services.patterns.wildcard import Wildcard

Negation = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class FieldRule:
    """The accepted values at one flattened path (``detail.state``)."""

    path: str
    strings: frozenset[str] = frozenset()
    numbers: frozenset[int | float] = frozenset()
    null: bool = False
    true: bool = False
    false: bool = False
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    folded: frozenset[str] = frozenset()  # equals-ignore-case, lowered
    folded_prefixes: tuple[str, ...] = ()
    folded_suffixes: tuple[str, ...] = ()
    wildcards: tuple[Wildcard, ...] = ()
    ranges: tuple[NumericRange, ...] = ()
    addresses: tuple[AddressRange, ...] = ()
    negations: tuple[Negation, ...] = ()  # anything-but, each a predicate
    exists: bool = False  # {"exists": true}: any leaf value
    absent: bool = False  # {"exists": false}: no value at all
    exists_needs_content: bool = False  # SNS: null and "" do not exist

    def accepts(self, value: Any) -> bool:
        cls = value.__class__
        if cls is str:
            if value in self.strings:
                return True
            if self.prefixes and value.startswith(self.prefixes):
                return True
            if self.suffixes and value.endswith(self.suffixes):
                return True
            if self.folded or self.folded_prefixes or self.folded_suffixes:
                lowered = value.lower()
                if lowered in self.folded:
                    return True
                if self.folded_prefixes and lowered.startswith(self.folded_prefixes):
                    return True
                if self.folded_suffixes and lowered.endswith(self.folded_suffixes):
                    return True
            for wildcard in self.wildcards:
                if wildcard.matches(value):
                    return True
            for block in self.addresses:
                if block.contains(value):
                    return True
        elif cls is int or cls is float:
            if value in self.numbers:
                return True
            for numeric in self.ranges:
                if numeric.contains(value):
                    return True
        elif value is None:
            if self.null:
                return True
        elif value is True:
            if self.true:
                return True
        elif value is False and self.false:
            return True
        for negation in self.negations:
            if negation(value):
                return True
        if self.exists_needs_content:
            return self.exists and value is not None and value != ""
        return self.exists


def exact_only(rule: FieldRule) -> bool:
    """Whether ``rule`` accepts exactly its listed strings and nothing else."""
    return bool(rule.strings) and not (
        rule.numbers
        or rule.null
        or rule.true
        or rule.false
        or rule.prefixes
        or rule.suffixes
        or rule.folded
        or rule.folded_prefixes
        or rule.folded_suffixes
        or rule.wildcards
        or rule.ranges
        or rule.addresses
        or rule.negations
        or rule.exists
        or rule.absent
    )


def not_strings(excluded: frozenset[str]) -> Negation:
    return lambda value: value.__class__ is not str or value not in excluded


def not_numbers(excluded: frozenset[int | float]) -> Negation:
    def accepts(value: Any) -> bool:
        cls = value.__class__
        return (cls is not int and cls is not float) or value not in excluded

    return accepts


def not_folded(excluded: frozenset[str]) -> Negation:
    return lambda value: value.__class__ is not str or value.lower() not in excluded


def not_prefixed(prefixes: tuple[str, ...]) -> Negation:
    return lambda value: value.__class__ is not str or not value.startswith(prefixes)


def not_suffixed(suffixes: tuple[str, ...]) -> Negation:
    return lambda value: value.__class__ is not str or not value.endswith(suffixes)


def not_wildcards(wildcards: tuple[Wildcard, ...]) -> Negation:
    def accepts(value: Any) -> bool:
        if value.__class__ is not str:
            return True
        return not any(wildcard.matches(value) for wildcard in wildcards)

    return accepts
