"""JSONata templates with $states, variables and AWS's extra functions."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from stratus.workflows.expressions.jsonata import (
    QueryEvaluationError,
    evaluate_expression,
    evaluate_template,
    is_expression,
)

STATES = {
    "input": {"customer": {"name": "Ana", "orders": [3, 4]}, "nothing": None, "csv": "a,b"},
    "context": {"Execution": {"Id": "arn:exec"}, "State": {"Name": "Check"}},
    "result": {"Payload": {"ok": True}},
    "errorOutput": {"Error": "Boom", "Cause": "bad"},
}
VARIABLES = {"limit": 5, "cfg": {"mode": "fast"}, "empty": None}

CASES: list[tuple[str, Any, Any]] = [
    ("input", "{% $states.input.customer.name %}", "Ana"),
    ("sum", "{% $sum($states.input.customer.orders) %}", 7),
    ("context", "{% $states.context.Execution.Id %}", "arn:exec"),
    ("result", "{% $states.result.Payload.ok %}", True),
    ("errorOutput", "{% $states.errorOutput.Error %}", "Boom"),
    ("variable", "{% $limit * 2 %}", 10),
    ("variable member", "{% $cfg.mode %}", "fast"),
    ("null variable", "{% $empty %}", None),
    ("null member", "{% $states.input.nothing %}", None),
    ("literal string", "plain text", "plain text"),
    ("not quite an expression", "{% 1 + 1", "{% 1 + 1"),
    (
        "object",
        {"a": "{% 1 + 1 %}", "b": ["{% 'x' & 'y' %}", 3], "c": None},
        {"a": 2, "b": ["xy", 3], "c": None},
    ),
    ("whole double is an integer", "{% 6 / 2 %}", 3),
    ("fraction", "{% 1 / 4 %}", 0.25),
    ("object constructor drops undefined", "{% {'a': 1, 'b': $states.input.nope} %}", {"a": 1}),
    # AWS's extra functions (developer guide, "JSONata functions provided by Step Functions")
    ("$partition", "{% $partition([1,2,3,4,5,6,7], 3) %}", [[1, 2, 3], [4, 5, 6], [7]]),
    ("$partition one chunk", "{% $partition([0], 1) %}", [[0]]),
    ("$range", "{% $range(0, 10, 2) %}", [0, 2, 4, 6, 8, 10]),
    ("$range single", "{% $range(1, 9, 9) %}", 1),
    ("$range down", "{% $range(5, 1, -2) %}", [5, 3, 1]),
    ("$parse", "{% $parse('{\"a\": [1, null]}') %}", {"a": [1, None]}),
    ("$parse of input", "{% $parse('\"HelloWorld\"') %}", "HelloWorld"),
    ("$hash", "{% $hash('input data', 'SHA-1') %}", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("$hash default", "{% $hash('x') %}", hashlib.sha256(b"x").hexdigest()),
]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_evaluate_template(value: Any, expected: Any) -> None:
    assert evaluate_template(value, STATES, VARIABLES) == expected


def test_random_and_uuid() -> None:
    value = evaluate_expression("$random()", STATES, {})
    assert 0 <= value < 1
    assert evaluate_expression("$random(7)", STATES, {}) == evaluate_expression(
        "$random(7)", STATES, {}
    )
    assert uuid.UUID(evaluate_expression("$uuid()", STATES, {})).version == 4


def test_inputs_are_not_modified() -> None:
    states = {"input": {"a": None, "b": [None]}}
    evaluate_expression("$states.input", states, {})
    assert states == {"input": {"a": None, "b": [None]}}


def test_is_expression() -> None:
    assert is_expression("{% x %}")
    assert not is_expression(" {% x %}")
    assert not is_expression(5)


@pytest.mark.parametrize(
    ("value", "field", "cause"),
    [
        (
            "{% $doesNotExist %}",
            "Output",
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned "
            "nothing (undefined).",
        ),
        (
            {"result": "{% $doesNotExist %}"},
            "Output",
            "The JSONata expression '$doesNotExist' specified for the field 'Output/result' "
            "returned nothing (undefined).",
        ),
        (
            {"result": "{% $doesNotExist %}"},
            "Assign",
            "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' "
            "returned nothing (undefined).",
        ),
        (
            "{% $fn := function($x){$x} %}",
            "Items",
            "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
            "returned an unsupported result type.",
        ),
    ],
)
def test_recorded_error_causes(value: Any, field: str, cause: str) -> None:
    with pytest.raises(QueryEvaluationError) as info:
        evaluate_template(value, STATES, VARIABLES, field=field)
    assert info.value.error == "States.QueryEvaluationError"
    assert info.value.cause == cause


@pytest.mark.parametrize(
    "expression",
    [
        "1 + 'a'",
        "$foo(",
        "1 / 0",
        "$partition([1], 0)",
        "$range(1, 2, 0)",
        "$range(0, 5000, 1)",
        "$hash('x', 'SHA-3')",
        "$hash(1, 'MD5')",
        "$parse('{bad')",
        "$parse(1)",
        "$random('seed')",
    ],
)
def test_errors_are_query_evaluation_errors(expression: str) -> None:
    with pytest.raises(QueryEvaluationError) as info:
        evaluate_expression(expression, STATES, VARIABLES, field="Output")
    assert info.value.error == "States.QueryEvaluationError"
    assert f"The JSONata expression '{expression}' specified for the field 'Output'" in (
        info.value.cause
    )
