"""EventPattern semantics beyond the conformance files: AWS's documented examples and
the rules behind them (arrays, exists on leaves, dotted names, wildcards, CIDR, $or)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stratus.services.patterns import EventPattern, InvalidPattern

# (id, pattern, event, expected)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("number-is-not-string", {"n": [5]}, {"n": "5"}, False),
    ("string-is-not-number", {"n": ["5"]}, {"n": 5}, False),
    ("bool-is-not-number", {"n": [1]}, {"n": True}, False),
    ("true", {"b": [True]}, {"b": True}, True),
    ("null-is-not-missing", {"b": [None]}, {}, False),
    ("exists-true-null", {"b": [{"exists": True}]}, {"b": None}, True),
    ("exists-true-object", {"b": [{"exists": True}]}, {"b": {"c": 1}}, False),
    ("exists-false-object", {"b": [{"exists": False}]}, {"b": {"c": 1}}, True),
    ("exists-false-empty-array", {"b": [{"exists": False}]}, {"b": []}, True),
    ("array-any", {"r": ["x"]}, {"r": ["a", "x"]}, True),
    ("nested-arrays", {"r": ["x"]}, {"r": [["a"], ["x"]]}, True),
    (
        "array-consistency-same-element",
        {"a": {"b": [1], "c": [2]}},
        {"a": [{"b": 1, "c": 2}, {"b": 3}]},
        True,
    ),
    ("array-consistency-split", {"a": {"b": [1], "c": [2]}}, {"a": [{"b": 1}, {"c": 2}]}, False),
    (
        "array-consistency-second",
        {"a": {"b": [3], "c": [4]}},
        {"a": [{"b": 1, "c": 2}, {"b": 3, "c": 4}]},
        True,
    ),
    (
        "prefix-ignore-case",
        {"s": [{"prefix": {"equals-ignore-case": "EventB"}}]},
        {"s": "eventbridge"},
        True,
    ),
    (
        "prefix-ignore-case-miss",
        {"s": [{"prefix": {"equals-ignore-case": "EventB"}}]},
        {"s": "lambda"},
        False,
    ),
    (
        "suffix-ignore-case",
        {"s": [{"suffix": {"equals-ignore-case": "tBridge"}}]},
        {"s": "EVENTBRIDGE"},
        True,
    ),
    ("prefix-number", {"s": [{"prefix": "1"}]}, {"s": 12}, False),
    ("wildcard-escaped-star", {"s": [{"wildcard": "a\\*b"}]}, {"s": "a*b"}, True),
    ("wildcard-escaped-star-miss", {"s": [{"wildcard": "a\\*b"}]}, {"s": "axb"}, False),
    ("wildcard-middle", {"s": [{"wildcard": "*/lib/*"}]}, {"s": "usr/lib/x"}, True),
    ("wildcard-no-star-exact", {"s": [{"wildcard": "abc"}]}, {"s": "abc"}, True),
    ("wildcard-overlap", {"s": [{"wildcard": "*ab*ab"}]}, {"s": "xabab"}, True),
    ("wildcard-overlap-miss", {"s": [{"wildcard": "*ab*ab"}]}, {"s": "xab"}, False),
    (
        "cidr-v6",
        {"ip": [{"cidr": "2001:db8:1234:1a00::/64"}]},
        {"ip": "2001:db8:1234:1a00::1"},
        True,
    ),
    ("cidr-v4-not-v6", {"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "::ffff:10.0.0.1"}, False),
    (
        "ip-literal-normalised",
        {"ip": ["2001:db8::1"]},
        {"ip": "2001:0db8:0000:0000:0000:0000:0000:0001"},
        True,
    ),
    ("numeric-open-range", {"n": [{"numeric": [">=", 10, "<", 20]}]}, {"n": 20}, False),
    ("numeric-negative-float", {"n": [{"numeric": ["<", -1.5]}]}, {"n": -2}, True),
    ("anything-but-array-any", {"s": [{"anything-but": "a"}]}, {"s": ["a", "b"]}, True),
    ("anything-but-array-all", {"s": [{"anything-but": "a"}]}, {"s": ["a", "a"]}, False),
    (
        "or-nested-in-or",
        {"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]},
        {"c": "3"},
        True,
    ),
    (
        "or-nested-miss",
        {"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]},
        {"d": "4"},
        False,
    ),
    ("or-and-outer", {"x": ["1"], "$or": [{"a": ["1"]}, {"b": ["1"]}]}, {"b": "1"}, False),
    ("unicode-ignore-case", {"s": [{"equals-ignore-case": "ÉTÉ"}]}, {"s": "été"}, True),
]


@pytest.mark.parametrize(
    ("pattern", "event", "expected"), [pytest.param(p, e, x, id=i) for i, p, e, x in CASES]
)
def test_match(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert EventPattern.compile(pattern).matches(event) is expected


# (id, pattern text, Event Ruler's reason)
INVALID: list[tuple[str, str, str]] = [
    ("not-json", "{", "Expecting property name enclosed in double quotes at line 1 column 2"),
    ("not-object", "[1]", "Filter is not an object"),
    ("empty-object", "{}", "Empty objects are not allowed"),
    ("empty-nested", '{"a": {}}', "Empty objects are not allowed"),
    ("unknown-operator", '{"a": [{"contains": "x"}]}', "Unrecognized match type contains"),
    (
        "two-keys",
        '{"a": [{"prefix": "x", "suffix": "y"}]}',
        "Only one key allowed in match expression",
    ),
    ("empty-expression", '{"a": [{}]}', "Match expression name not found"),
    (
        "numeric-too-many",
        '{"a": [{"numeric": [">", 0, "<", 5, "<", 6]}]}',
        "Too many terms in numeric range expression",
    ),
    (
        "numeric-empty-range",
        '{"a": [{"numeric": [">=", 5, "<", 5]}]}',
        "Bottom must be less than top",
    ),
    (
        "numeric-bad-op",
        '{"a": [{"numeric": ["!=", 0]}]}',
        "Unrecognized numeric range operator: !=",
    ),
    ("numeric-first-not-op", '{"a": [{"numeric": [5]}]}', "Invalid member in numeric match: 5"),
    (
        "anything-but-mixed",
        '{"a": [{"anything-but": ["x", 1]}]}',
        "Inside anything but list, either all values are number or string, mixed type is not supported",
    ),
    (
        "anything-but-empty-list",
        '{"a": [{"anything-but": []}]}',
        "Inside anything but list, either all values are number or string, mixed type is not supported",
    ),
    (
        "anything-but-unsupported",
        '{"a": [{"anything-but": {"numeric": [">", 1]}}]}',
        "Unsupported anything-but pattern: numeric",
    ),
    (
        "anything-but-bool",
        '{"a": [{"anything-but": true}]}',
        "Value of anything-but must be an array or single string/number value.",
    ),
    (
        "anything-but-ignore-case-number",
        '{"a": [{"anything-but": {"equals-ignore-case": 5}}]}',
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    ),
    (
        "prefix-ignore-case-other",
        '{"a": [{"prefix": {"wildcard": "x"}}]}',
        "Unsupported prefix pattern: wildcard",
    ),
    (
        "exists-string",
        '{"a": [{"exists": "true"}]}',
        "exists match pattern must be either true or false.",
    ),
    (
        "equals-ignore-case-number",
        '{"a": [{"equals-ignore-case": 5}]}',
        "equals-ignore-case match pattern must be a string",
    ),
    ("wildcard-bad-escape", '{"a": [{"wildcard": "a\\\\b"}]}', "Invalid escape character at pos 2"),
    ("cidr-v4-32", '{"a": [{"cidr": "10.0.0.1/32"}]}', "IPv4 mask bits must be < 32"),
    (
        "cidr-negative",
        '{"a": [{"cidr": "10.0.0.1/-1"}]}',
        "Malformed CIDR, mask bits must not be negative",
    ),
    ("nan", '{"a": [NaN]}', "Unrecognized token 'NaN': was expecting a JSON value"),
    (
        "four-wildcards-one-field",
        json.dumps(
            {"k": [{"wildcard": f"*/datasync/*.{ext}"} for ext in ("bif", "tif", "tiff", "svs")]}
        ),
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    ),
]


@pytest.mark.parametrize(("text", "reason"), [pytest.param(t, r, id=i) for i, t, r in INVALID])
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(InvalidPattern) as refused:
        EventPattern.compile(text)
    assert refused.value.reason == reason
    assert refused.value.message == f"Event pattern is not valid. Reason: {reason}"


def test_wildcards_within_the_budget_compile() -> None:
    EventPattern.compile(
        {"k": [{"wildcard": "*/datasync/*.bif"}, {"wildcard": "*/datasync/*.tif"}]}
    )
    EventPattern.compile({"k": [{"wildcard": f"*.{ext}"} for ext in ("bif", "tif", "tiff", "svs")]})


def test_hostile_values_stay_linear() -> None:
    # Many stars over a long value without a match: no backtracking blow-up.
    pattern = EventPattern.compile({"s": [{"wildcard": "*a*b*c*d"}]})
    assert not pattern.matches({"s": "a" * 200_000})
    assert pattern.matches({"s": "a" * 100_000 + "bcd"})


def test_deep_and_wide_events_only_walk_named_paths() -> None:
    event: dict[str, Any] = {"noise": [{"x": list(range(1000))} for _ in range(100)]}
    event["detail"] = {"state": "on"}
    assert EventPattern.compile({"detail": {"state": ["on"]}}).matches(event)


def test_mappings_and_text_compile_alike() -> None:
    pattern = {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": ["a", "b"]}]}}
    event = {"source": "aws.ec2", "detail": {"state": "c"}}
    assert EventPattern.compile(pattern).matches(event)
    assert EventPattern.compile(json.dumps(pattern)).matches(event)


def test_any_mapping_and_sequence_is_an_event() -> None:
    from types import MappingProxyType

    pattern = EventPattern.compile({"detail": {"ids": [2]}})
    assert pattern.matches(MappingProxyType({"detail": MappingProxyType({"ids": (1, 2)})}))
