"""History events in the shapes GetExecutionHistory returns.

Event types and detail member names follow the Step Functions API (`HistoryEvent`):
`PassStateEntered` carries `stateEnteredEventDetails`, `TaskScheduled` carries
`taskScheduledEventDetails`, and so on. Payloads inside details are JSON text, as on AWS.
"""

from __future__ import annotations

from typing import Any

from stratus.workflows.expressions.values import to_compact_json

#: Event type -> the HistoryEvent member holding its details.
_DETAIL_KEYS = {
    "ExecutionStarted": "executionStartedEventDetails",
    "ExecutionSucceeded": "executionSucceededEventDetails",
    "ExecutionFailed": "executionFailedEventDetails",
    "ExecutionAborted": "executionAbortedEventDetails",
    "ExecutionTimedOut": "executionTimedOutEventDetails",
    "ExecutionRedriven": "executionRedrivenEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
    "ActivityStarted": "activityStartedEventDetails",
    "ActivitySucceeded": "activitySucceededEventDetails",
    "ActivityFailed": "activityFailedEventDetails",
    "ActivityTimedOut": "activityTimedOutEventDetails",
    "TaskScheduled": "taskScheduledEventDetails",
    "TaskStarted": "taskStartedEventDetails",
    "TaskSubmitted": "taskSubmittedEventDetails",
    "TaskSucceeded": "taskSucceededEventDetails",
    "TaskFailed": "taskFailedEventDetails",
    "TaskTimedOut": "taskTimedOutEventDetails",
    "LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
    "LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
    "LambdaFunctionTimedOut": "lambdaFunctionTimedOutEventDetails",
    "MapStateStarted": "mapStateStartedEventDetails",
    "MapIterationStarted": "mapIterationStartedEventDetails",
    "MapIterationSucceeded": "mapIterationSucceededEventDetails",
    "MapIterationFailed": "mapIterationFailedEventDetails",
    "MapIterationAborted": "mapIterationAbortedEventDetails",
    "MapRunStarted": "mapRunStartedEventDetails",
    "MapRunRedriven": "mapRunRedrivenEventDetails",
    "MapRunFailed": "mapRunFailedEventDetails",
    "EvaluationFailed": "evaluationFailedEventDetails",
}


def detail_key(event_type: str) -> str | None:
    """The details member of `event_type`; state Entered/Exited events share two."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return _DETAIL_KEYS.get(event_type)


def to_json_text(value: Any) -> str:
    """Payloads in history are compact JSON text."""
    return to_compact_json(value)


def payload(name: str, value: Any) -> dict[str, Any]:
    """`{name: json, nameDetails: {truncated: false}}`, the pair AWS writes for payloads."""
    return {name: to_json_text(value), f"{name}Details": {"truncated": False}}


def make_event(
    event_type: str, event_id: int, previous_id: int, at: float, details: dict[str, Any] | None
) -> dict[str, Any]:
    """One HistoryEvent as a dict (timestamp in epoch seconds)."""
    event: dict[str, Any] = {
        "timestamp": at,
        "type": event_type,
        "id": event_id,
        "previousEventId": previous_id,
    }
    key = detail_key(event_type)
    if details is not None and key is not None:
        event[key] = details
    return event


def task_resource(resource: str) -> tuple[str, str] | None:
    """(resourceType, resource) of a Task resource; None for a Lambda function ARN, which
    records LambdaFunction* events instead of Task* ones.

    `arn:aws:states:::lambda:invoke` -> ("lambda", "invoke");
    `arn:aws:states:::aws-sdk:s3:getObject` -> ("aws-sdk:s3", "getObject");
    an activity ARN -> ("activity", arn); anything else -> ("", resource).
    """
    parts = resource.split(":")
    if len(parts) > 2 and parts[0] == "arn" and parts[2] == "lambda":
        return None
    if ":::" in resource:
        head, _, action = resource.split(":::", 1)[1].rpartition(":")
        return head, action
    if ":activity:" in resource:
        return "activity", resource
    return "", resource
