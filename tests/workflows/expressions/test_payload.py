"""Payload templates (Parameters, ResultSelector, ItemSelector)."""

from __future__ import annotations

from typing import Any

import pytest

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.jsonpath import VariableNotFound
from stratus.workflows.expressions.payload import render

CONTEXT = {"Execution": {"Id": "arn:exec", "Name": "exec"}, "Map": {"Item": {"Index": 2}}}

# The developer guide's "Parameters" example.
GUIDE_INPUT = {
    "flagged": 7,
    "vals": [0, 10, 20, 30, 40, 50],
    "comment": "Example for Parameters.",
    "product": {
        "details": {"color": "blue", "size": "small", "material": "cotton"},
        "availability": "in stock",
        "sku": "2317",
        "cost": "$23",
    },
}


def test_guide_parameters_example() -> None:
    template = {
        "comment": "Selecting what I care about.",
        "MyDetails": {
            "size.$": "$.product.details.size",
            "exists.$": "$.product.availability",
            "StaticValue": "foo",
        },
    }
    assert render(template, GUIDE_INPUT, CONTEXT) == {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
    }


CASES: list[tuple[str, Any, Any]] = [
    ("literal", {"a": 1, "b": [True, None]}, {"a": 1, "b": [True, None]}),
    ("scalar", "plain", "plain"),
    (
        "context",
        {"id.$": "$$.Execution.Id", "index.$": "$$.Map.Item.Index"},
        {"id": "arn:exec", "index": 2},
    ),
    ("variable", {"v.$": "$counter", "w.$": "$cfg.limit"}, {"v": 3, "w": 10}),
    ("whole input", {"all.$": "$"}, {"all": GUIDE_INPUT}),
    ("indefinite path", {"big.$": "$.vals[?(@ > 25)]"}, {"big": [30, 40, 50]}),
    ("slice", {"first.$": "$.vals[0:2]"}, {"first": [0, 10]}),
    ("intrinsic", {"msg.$": "States.Format('{} flagged', $.flagged)"}, {"msg": "7 flagged"}),
    ("nested in arrays", {"list": [{"c.$": "$.product.sku"}, "x"]}, {"list": [{"c": "2317"}, "x"]}),
    ("dollar in literal value", {"price": "$23"}, {"price": "$23"}),
]


@pytest.mark.parametrize(
    ("template", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_render(template: Any, expected: Any) -> None:
    variables = {"counter": 3, "cfg": {"limit": 10}}
    assert render(template, GUIDE_INPUT, CONTEXT, variables) == expected


def test_missing_path_names_field_and_input() -> None:
    with pytest.raises(StatesError) as info:
        render({"x": {"deep.$": "$.nope"}}, {"a": 1}, CONTEXT)
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The JSONPath '$.nope' specified for the field 'deep.$' could not be found in the "
        "input '{\"a\":1}'"
    )


def test_missing_path_inside_intrinsic() -> None:
    with pytest.raises(StatesError) as info:
        render({"x.$": "States.Array($.gone)"}, {}, CONTEXT)
    assert info.value.error == "States.Runtime"
    assert "'$.gone' specified for the field 'x.$'" in info.value.cause


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ({"x.$": 5}, "States.Runtime"),
        ({"x.$": "not a path"}, "States.IntrinsicFailure"),
        ({"x.$": "States.Nope()"}, "States.IntrinsicFailure"),
        ({"x.$": "States.ArrayGetItem($.vals, 99)"}, "States.IntrinsicFailure"),
    ],
    ids=["non-string", "neither path nor intrinsic", "unknown function", "bad argument"],
)
def test_bad_templates(template: Any, error: str) -> None:
    with pytest.raises(StatesError) as info:
        render(template, GUIDE_INPUT, CONTEXT)
    assert info.value.error == error


def test_undefined_variable() -> None:
    with pytest.raises(VariableNotFound):
        render({"x.$": "$nobody"}, {}, CONTEXT, {})


def test_template_is_not_mutated() -> None:
    template = {"a.$": "$.flagged", "b": {"c.$": "$.vals[1]"}}
    render(template, GUIDE_INPUT, CONTEXT)
    assert template == {"a.$": "$.flagged", "b": {"c.$": "$.vals[1]"}}
