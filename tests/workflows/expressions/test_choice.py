"""Choice rules: every operator, its Path form, boolean combinations and errors."""

from __future__ import annotations

from typing import Any

import pytest

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.choice import COMPARISONS, matches, parse_timestamp

DATA = {
    "type": "Private",
    "value": 20,
    "float": 1.5,
    "flag": True,
    "none": None,
    "name": "log-2024-01.txt",
    "star": "a*b",
    "slash": "a\\b",
    "ts": "2016-03-14T01:59:00Z",
    "ts_offset": "2016-03-14T02:59:00+01:00",
    "ts_frac": "2016-03-14T01:59:00.123Z",
    "other_value": 20,
    "other_name": "log",
}

RULES: list[tuple[str, dict[str, Any], bool]] = [
    ("StringEquals", {"Variable": "$.type", "StringEquals": "Private"}, True),
    ("StringEquals type mismatch", {"Variable": "$.value", "StringEquals": "20"}, False),
    ("StringLessThan", {"Variable": "$.type", "StringLessThan": "Public"}, True),
    ("StringGreaterThan", {"Variable": "$.type", "StringGreaterThan": "Public"}, False),
    ("StringLessThanEquals", {"Variable": "$.type", "StringLessThanEquals": "Private"}, True),
    ("StringGreaterThanEquals", {"Variable": "$.type", "StringGreaterThanEquals": "Q"}, False),
    ("StringMatches", {"Variable": "$.name", "StringMatches": "log-*.txt"}, True),
    ("StringMatches no", {"Variable": "$.name", "StringMatches": "*.csv"}, False),
    ("StringMatches escaped star", {"Variable": "$.star", "StringMatches": "a\\*b"}, True),
    (
        "StringMatches escaped star literal only",
        {"Variable": "$.name", "StringMatches": "log\\*"},
        False,
    ),
    ("StringMatches escaped backslash", {"Variable": "$.slash", "StringMatches": "a\\\\b"}, True),
    ("NumericEquals", {"Variable": "$.value", "NumericEquals": 20}, True),
    ("NumericEquals float", {"Variable": "$.value", "NumericEquals": 20.0}, True),
    ("NumericEquals bool is not a number", {"Variable": "$.flag", "NumericEquals": 1}, False),
    ("NumericLessThan", {"Variable": "$.float", "NumericLessThan": 2}, True),
    ("NumericGreaterThan", {"Variable": "$.value", "NumericGreaterThan": 30}, False),
    ("NumericLessThanEquals", {"Variable": "$.value", "NumericLessThanEquals": 20}, True),
    ("NumericGreaterThanEquals", {"Variable": "$.value", "NumericGreaterThanEquals": 21}, False),
    ("BooleanEquals", {"Variable": "$.flag", "BooleanEquals": True}, True),
    ("BooleanEquals number", {"Variable": "$.value", "BooleanEquals": True}, False),
    (
        "TimestampEquals offset",
        {"Variable": "$.ts", "TimestampEquals": "2016-03-14T02:59:00+01:00"},
        True,
    ),
    (
        "TimestampLessThan",
        {"Variable": "$.ts", "TimestampLessThan": "2016-03-14T01:59:00.5Z"},
        True,
    ),
    (
        "TimestampGreaterThan",
        {"Variable": "$.ts_frac", "TimestampGreaterThan": "2016-03-14T01:59:00Z"},
        True,
    ),
    (
        "TimestampLessThanEquals",
        {"Variable": "$.ts", "TimestampLessThanEquals": "2016-03-14T01:59:00Z"},
        True,
    ),
    (
        "TimestampGreaterThanEquals not a timestamp",
        {"Variable": "$.name", "TimestampGreaterThanEquals": "2016-03-14T01:59:00Z"},
        False,
    ),
    ("StringEqualsPath", {"Variable": "$.other_name", "StringEqualsPath": "$.other_name"}, True),
    ("NumericEqualsPath", {"Variable": "$.value", "NumericEqualsPath": "$.other_value"}, True),
    ("NumericLessThanPath", {"Variable": "$.float", "NumericLessThanPath": "$.value"}, True),
    ("BooleanEqualsPath", {"Variable": "$.flag", "BooleanEqualsPath": "$.flag"}, True),
    ("TimestampEqualsPath", {"Variable": "$.ts", "TimestampEqualsPath": "$.ts_offset"}, True),
    ("StringGreaterThanPath", {"Variable": "$.type", "StringGreaterThanPath": "$.name"}, False),
    ("IsNull", {"Variable": "$.none", "IsNull": True}, True),
    ("IsNull false", {"Variable": "$.value", "IsNull": True}, False),
    ("IsPresent", {"Variable": "$.none", "IsPresent": True}, True),
    ("IsPresent missing", {"Variable": "$.missing", "IsPresent": True}, False),
    ("IsPresent false missing", {"Variable": "$.missing", "IsPresent": False}, True),
    ("IsNumeric", {"Variable": "$.float", "IsNumeric": True}, True),
    ("IsNumeric bool", {"Variable": "$.flag", "IsNumeric": True}, False),
    ("IsString", {"Variable": "$.name", "IsString": True}, True),
    ("IsBoolean", {"Variable": "$.flag", "IsBoolean": False}, False),
    ("IsTimestamp", {"Variable": "$.ts_offset", "IsTimestamp": True}, True),
    ("IsTimestamp plain string", {"Variable": "$.name", "IsTimestamp": True}, False),
    (
        "And",
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ]
        },
        True,
    ),
    (
        "Or",
        {
            "Or": [
                {"Variable": "$.value", "NumericLessThan": 20},
                {"Variable": "$.value", "NumericGreaterThanEquals": 30},
            ]
        },
        False,
    ),
    ("Not", {"Not": {"Variable": "$.type", "StringEquals": "Private"}}, False),
    (
        "nested",
        {
            "Not": {
                "And": [
                    {"Variable": "$.flag", "BooleanEquals": True},
                    {"Or": [{"Variable": "$.none", "IsNull": False}]},
                ]
            }
        },
        True,
    ),
    ("context variable", {"Variable": "$$.Execution.Name", "StringEquals": "exec"}, True),
    ("assign variable", {"Variable": "$limit", "NumericGreaterThan": 19}, True),
]


@pytest.mark.parametrize(("rule", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule(rule: dict[str, Any], expected: bool) -> None:
    context = {"Execution": {"Name": "exec"}}
    assert matches(rule, DATA, context, {"limit": 20}) is expected


def test_every_operator_is_covered() -> None:
    used = {key for _, rule, _ in RULES for key in rule}
    missing = {name for name in COMPARISONS if name not in used and f"{name}Path" not in used}
    assert not missing


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.missing", "StringEquals": "x"},
        {"Variable": "$.missing", "IsNull": True},
        {"Variable": "$.value", "NumericEqualsPath": "$.missing"},
    ],
    ids=["Variable missing", "type test on missing", "Path operand missing"],
)
def test_missing_path_is_runtime_error(rule: dict[str, Any]) -> None:
    with pytest.raises(StatesError) as info:
        matches(rule, DATA, {})
    assert info.value.error == "States.Runtime"
    assert "The choice state's condition path references an invalid value." in info.value.cause


@pytest.mark.parametrize(
    "rule", [{"StringEquals": "x"}, {"Variable": "$.value"}, {"Variable": "$.value", "Foo": 1}]
)
def test_malformed_rules(rule: dict[str, Any]) -> None:
    with pytest.raises(StatesError):
        matches(rule, DATA, {})


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("2016-03-14T01:59:00Z", True),
        ("2016-03-14T01:59:00.123456789Z", True),
        ("2016-03-14T01:59:00-05:30", True),
        ("2016-03-14t01:59:00z", False),  # AWS wants uppercase T and Z
        ("2016-03-14T01:59:00", False),  # no offset
        ("2016-03-14", False),
        ("2016-13-14T01:59:00Z", False),
        ("2016-03-14T25:59:00Z", False),
    ],
)
def test_timestamps(text: str, valid: bool) -> None:
    assert (parse_timestamp(text) is not None) is valid
