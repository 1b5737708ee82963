"""Parsing definitions into typed, frozen records."""

from __future__ import annotations

import dataclasses
import json

import pytest

from stratus.workflows.definition import parse_definition
from stratus.workflows.states import (
    ChoiceState,
    MapState,
    ParallelState,
    PassState,
    TaskState,
)


def test_records_carry_fields_and_defaults() -> None:
    sm = parse_definition(
        json.dumps(
            {
                "Comment": "c",
                "Version": "1.0",
                "TimeoutSeconds": 30,
                "StartAt": "T",
                "States": {
                    "T": {
                        "Type": "Task",
                        "Resource": "r",
                        "ResultPath": None,
                        "TimeoutSecondsPath": "$.t",
                        "Retry": [
                            {"ErrorEquals": ["E"], "BackoffRate": 1.5, "JitterStrategy": "FULL"}
                        ],
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "P"}],
                        "Next": "P",
                    },
                    "P": {"Type": "Pass", "Result": None, "End": True},
                },
            }
        )
    )
    assert (sm.comment, sm.version, sm.timeout_seconds) == ("c", "1.0", 30)
    task = sm.program.states["T"]
    assert isinstance(task, TaskState)
    assert task.result_path is None and task.input_path == "$" and task.output_path == "$"
    assert task.timeout_seconds_path == "$.t"
    assert task.retry[0].backoff_rate == 1.5 and task.retry[0].max_attempts == 3
    assert task.retry[0].jitter_strategy == "FULL"
    assert task.catch[0].result_path == "$" and task.catch[0].next == "P"
    passed = sm.program.states["P"]
    assert isinstance(passed, PassState) and passed.has_result and passed.result is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.name = "X"  # type: ignore[misc]


def test_nested_programs_are_indexed_by_location_and_inherit_the_machine_language() -> None:
    sm = parse_definition(
        json.dumps(
            {
                "StartAt": "M",
                "States": {
                    "M": {
                        "Type": "Map",
                        "QueryLanguage": "JSONata",
                        "Items": "{% [1] %}",
                        "ItemProcessor": {
                            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                            "StartAt": "X",
                            "States": {"X": {"Type": "Pass", "End": True}},
                        },
                        "MaxConcurrency": 4,
                        "ToleratedFailurePercentage": 10,
                        "Next": "Par",
                    },
                    "Par": {
                        "Type": "Parallel",
                        "Branches": [
                            {
                                "StartAt": "C",
                                "States": {
                                    "C": {
                                        "Type": "Choice",
                                        "Choices": [
                                            {"Variable": "$.a", "IsPresent": True, "Next": "D"}
                                        ],
                                        "Default": "D",
                                    },
                                    "D": {"Type": "Succeed"},
                                },
                            }
                        ],
                        "End": True,
                    },
                },
            }
        )
    )
    assert set(sm.programs) == {"", "/States/M/ItemProcessor", "/States/Par/Branches/0"}
    mapped = sm.program.states["M"]
    assert isinstance(mapped, MapState)
    assert mapped.distributed and mapped.execution_type == "EXPRESS"
    assert mapped.is_jsonata and mapped.max_concurrency == 4
    assert mapped.tolerated_failure_percentage == 10
    assert not sm.programs["/States/M/ItemProcessor"].states["X"].is_jsonata
    parallel = sm.program.states["Par"]
    assert isinstance(parallel, ParallelState) and len(parallel.branches) == 1
    choice = sm.state("/States/Par/Branches/0", "C")
    assert isinstance(choice, ChoiceState) and choice.default == "D"


def test_legacy_iterator_and_parameters_read_as_item_processor_and_selector() -> None:
    sm = parse_definition(
        json.dumps(
            {
                "StartAt": "M",
                "States": {
                    "M": {
                        "Type": "Map",
                        "Parameters": {"v.$": "$$.Map.Item.Value"},
                        "Iterator": {
                            "StartAt": "X",
                            "States": {"X": {"Type": "Pass", "End": True}},
                        },
                        "End": True,
                    }
                },
            }
        )
    )
    mapped = sm.program.states["M"]
    assert isinstance(mapped, MapState)
    assert mapped.has_item_selector and not mapped.has_parameters
    assert mapped.processor.key == "/States/M/Iterator"
