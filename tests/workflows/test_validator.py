"""Definition validation: every problem named by code, field and location, as AWS does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stratus.workflows.definition import parse_definition
from stratus.workflows.errors import DefinitionError
from stratus.workflows.validator import validate_definition

from .conformance import MATERIAL

PASS_END = {"Type": "Pass", "End": True}


def problems(states: dict[str, Any], start: str = "A", **top: Any) -> list[str]:
    return validate_definition({"StartAt": start, "States": states, **top})


def test_a_minimal_definition_is_valid() -> None:
    assert problems({"A": PASS_END}) == []


@pytest.mark.parametrize(
    ("states", "start", "expected"),
    [
        (
            {"A": {"Type": "Pass", "Next": "B"}},
            "A",
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next",
        ),
        (
            {"A": PASS_END, "B": PASS_END},
            "A",
            'MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B',
        ),
        (
            {"A": PASS_END},
            "Z",
            "MISSING_TRANSITION_TARGET: Missing 'StartAt' target: Z at /StartAt",
        ),
        (
            {"A": {"Type": "Pass"}},
            "A",
            "SCHEMA_VALIDATION_FAILED: One of 'Next' or 'End' is required at /States/A",
        ),
        (
            {"A": {"Type": "Pass", "End": True, "Next": "A"}},
            "A",
            "SCHEMA_VALIDATION_FAILED: Only one of 'Next' or 'End' may be set at /States/A",
        ),
        (
            {"A": {"End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: These fields are required: [Type] at /States/A",
        ),
        (
            {"A": {"Type": "Bogus", "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: Value is not a valid state type: Bogus at /States/A/Type",
        ),
        (
            {"A": {"Type": "Pass", "End": True, "Resource": "x"}},
            "A",
            "SCHEMA_VALIDATION_FAILED: Field 'Resource' is not supported at /States/A",
        ),
        (
            {"A": {"Type": "Pass", "End": True, "Retry": []}},
            "A",
            "SCHEMA_VALIDATION_FAILED: Field 'Retry' is not supported at /States/A",
        ),
        (
            {"A": {"Type": "Wait", "Seconds": "ten", "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: Expected value of type Integer at /States/A/Seconds",
        ),
        (
            {"A": {"Type": "Pass", "InputPath": "not a path", "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: The value for the field 'InputPath' must be a valid JSONPath "
            "at /States/A/InputPath",
        ),
        (
            {"A": {"Type": "Pass", "Output": {}, "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' "
            "is only supported for the 'JSONata' QueryLanguage at /States/A",
        ),
        (
            {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "InputPath": "$", "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONata', but field "
            "'InputPath' is only supported for the 'JSONPath' QueryLanguage at /States/A",
        ),
        (
            {"A": {"Type": "Choice", "Choices": []}},
            "A",
            "SCHEMA_VALIDATION_FAILED: These fields are required: [Choices] at /States/A",
        ),
        (
            {"A": {"Type": "Task", "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: These fields are required: [Resource] at /States/A",
        ),
        (
            {
                "A": {
                    "Type": "Task",
                    "Resource": "r",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}],
                    "End": True,
                }
            },
            "A",
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Catch[0]/Next",
        ),
        (
            {"A": {"Type": "Wait", "End": True}},
            "A",
            "SCHEMA_VALIDATION_FAILED: A Wait state must have exactly one of Seconds, SecondsPath, "
            "Timestamp, TimestampPath at /States/A",
        ),
        (
            {"A": {"Type": "Pass", "Next": "A"}},
            "A",
            "MISSING_END_STATE: No terminal state found in the workflow at /",
        ),
        (
            {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 + %}", "End": True}},
            "A",
            "INVALID_JSONATA_EXPRESSION",
        ),
    ],
)
def test_bad_definitions_name_the_problem(states: dict, start: str, expected: str) -> None:
    found = problems(states, start)
    assert any(p.startswith(expected) for p in found), found


def test_nested_programs_are_checked_with_their_location() -> None:
    found = problems(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}},
                "End": True,
            }
        },
        start="M",
    )
    assert found == [
        "MISSING_TRANSITION_TARGET: Missing 'Next' target: Y at /States/M/ItemProcessor/States/X/Next",
        "MISSING_END_STATE: No terminal state found in the workflow at /States/M/ItemProcessor",
    ]


def test_top_level_fields_and_types() -> None:
    assert validate_definition([]) == [
        "SCHEMA_VALIDATION_FAILED: Expected value of type Object at /"
    ]
    found = validate_definition({"StartAt": "A", "States": {"A": PASS_END}, "Extra": 1})
    assert found == ["SCHEMA_VALIDATION_FAILED: Field 'Extra' is not supported at /"]
    assert "These fields are required: [StartAt, States]" in validate_definition({})[0]


def test_parse_definition_raises_with_every_problem() -> None:
    text = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass"}, "B": PASS_END}})
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith("Invalid State Machine Definition: '")


def test_parse_definition_rejects_bad_json() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition("{not json")
    assert caught.value.problems[0].startswith("INVALID_JSON_DESCRIPTION")


def test_every_definition_aws_ran_is_valid() -> None:
    folder = MATERIAL / "definitions"
    if not folder.exists():
        pytest.skip(f"ASL conformance material not found at {MATERIAL}")
    rejected = {
        path.name: validate_definition(json.loads(path.read_text()))
        for path in sorted(folder.glob("*.json"))
    }
    assert {name: found for name, found in rejected.items() if found} == {}
