"""Filter patterns compiled once, tested against messages (AWS's documented examples)."""

from __future__ import annotations

import pytest

from stratus.services.logs.errors import InvalidParameter
from stratus.services.logs.patterns import compile_pattern

CASES = [
    ("", "anything", True),
    ('""', "anything", True),
    ("ERROR", "[ERROR] disk", True),
    ("ERROR", "error lowercase", False),
    ("ERROR ARGUMENTS", "ERROR: bad ARGUMENTS", True),
    ("ERROR ARGUMENTS", "ERROR only", False),
    ('"Internal Server Error"', "500 Internal Server Error", True),
    ('"Internal Server Error"', "Internal Error", False),
    ("?ERROR ?WARN", "WARN x", True),
    ("?ERROR ?WARN", "INFO x", False),
    ("ERROR -Exiting", "ERROR Exiting now", False),
    ("ERROR -Exiting", "ERROR staying", True),
    ('{ $.eventType = "UpdateTrail" }', '{"eventType": "UpdateTrail"}', True),
    ('{ $.eventType = "UpdateTrail" }', '{"eventType": "Other"}', False),
    ('{ $.eventType = "Update*" }', '{"eventType": "UpdateTrail"}', True),
    ("{ $.bandwidth > 75 }", '{"bandwidth": 80}', True),
    ("{ $.bandwidth > 75 }", '{"bandwidth": "80"}', False),
    ("{ $.latency <= 10 }", '{"latency": 10}', True),
    ("{ $.code != 200 }", '{"code": 500}', True),
    ("{ $.user.id = 2 }", '{"user": {"id": 2}}', True),
    ("{ $.items[1] = 3 }", '{"items": [1, 3]}', True),
    ("{ $.a = 1 && $.b = 2 }", '{"a": 1, "b": 3}', False),
    ("{ $.a = 1 || $.b = 2 }", '{"a": 0, "b": 2}', True),
    ("{ $.x IS NULL }", '{"x": null}', True),
    ("{ $.x IS TRUE }", '{"x": true}', True),
    ("{ $.x EXISTS }", '{"y": 1}', False),
    ("{ $.x NOT EXISTS }", '{"y": 1}', True),
    ("{ $.a = 1 }", "not json", False),
]


@pytest.mark.parametrize(
    ("pattern", "message", "expected"), CASES, ids=[str(i) for i in range(len(CASES))]
)
def test_pattern_matches(pattern: str, message: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(message) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "[ip, user, ...]",
        "%ERROR%",
        "{ $.a = 1 && $.b = 2 || $.c = 3 }",
        "{ nonsense }",
        "{ $.a > x }",
    ],
)
def test_unsupported_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidParameter):
        compile_pattern(pattern)


def test_the_sieve_is_a_literal_every_match_holds() -> None:
    assert compile_pattern("ERROR timeout").sieve == "timeout"
    assert compile_pattern("?ERROR ?WARN").sieve is None
    assert compile_pattern("{ $.a = 1 }").sieve is None
