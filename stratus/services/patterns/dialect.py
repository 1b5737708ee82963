"""The two dialects of one pattern language: EventBridge event patterns and SNS policies.

Both are Event Ruler underneath (the same operators, the same sentences for malformed
input); they differ in which operators exist, in the limits, in how an error is worded
and in what an empty pattern means. Everything dialect-specific is a field here, so the
compiler and the matcher have no ``if sns`` branches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    # Operators allowed as a match expression ({"prefix": ...}), and inside anything-but.
    operators: frozenset[str]
    anything_but_operators: frozenset[str]
    # {"prefix": {"equals-ignore-case": ...}} and the same for suffix.
    affix_ignore_case: bool
    # Whether a policy may nest objects (SNS's MessageAttributes scope may not).
    nesting: bool
    # An empty pattern ({} or ""): EventBridge refuses it, SNS treats it as "no filter".
    empty_matches_all: bool
    # Top-level keys allowed (SNS: 5) and value combinations (SNS: 150); None = no limit.
    max_keys: int | None
    max_combinations: int | None
    # Size of the pattern text in bytes (SNS: 256 KiB); None = left to the API model.
    max_bytes: int | None
    # SNS: "exists": true needs "a non-null and non-empty value"; EventBridge counts null.
    exists_needs_content: bool
    # Event Ruler's wildcard complexity budget (EventBridge: 10 reachable prefixes).
    wildcard_complexity: int
    # How the API words a refusal, given Event Ruler's bare reason.
    word: Callable[[str], str]


_RULER_OPERATORS = frozenset(
    {
        "prefix",
        "suffix",
        "equals-ignore-case",
        "wildcard",
        "anything-but",
        "numeric",
        "exists",
        "cidr",
    }
)


def _eventbridge_words(reason: str) -> str:
    return f"Event pattern is not valid. Reason: {reason}"


def _sns_words(reason: str) -> str:
    # One sentence of SNS's is about the attribute itself, not the policy's content.
    if reason.startswith("Filter policy scope"):
        return f"Invalid parameter: {reason}"
    return f"Invalid parameter: FilterPolicy: {reason}"


EVENTBRIDGE = Dialect(
    name="eventbridge",
    operators=_RULER_OPERATORS,
    anything_but_operators=frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"}),
    affix_ignore_case=True,
    nesting=True,
    empty_matches_all=False,
    max_keys=None,
    max_combinations=None,
    max_bytes=None,
    exists_needs_content=False,
    wildcard_complexity=10,
    word=_eventbridge_words,
)

# SNS documents exact, prefix, suffix, equals-ignore-case, anything-but (values, prefix,
# suffix), numeric, exists, cidr (IP address matching) and $or; no wildcard.
# https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
_SNS_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}
)

SNS_ATTRIBUTES = Dialect(
    name="sns-attributes",
    operators=_SNS_OPERATORS,
    anything_but_operators=frozenset({"prefix", "suffix"}),
    affix_ignore_case=False,
    nesting=False,
    empty_matches_all=True,
    max_keys=5,
    max_combinations=150,
    max_bytes=256 * 1024,
    exists_needs_content=True,
    wildcard_complexity=10,
    word=_sns_words,
)

# The body scope is the attributes dialect over a nested document.
SNS_BODY = replace(SNS_ATTRIBUTES, name="sns-body", nesting=True)
