"""What a dead-lettered delivery carries: AWS's message attributes for rules and schedules.

EventBridge (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html):
the event as the body; ``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``,
``RETRY_ATTEMPTS`` and, when a retry limit ended the delivery,
``EXHAUSTED_RETRY_CONDITION`` (``MaximumRetryAttempts`` or ``MaximumEventAgeInSeconds``).

EventBridge Scheduler (configuring-schedule-dlq.html): ``ERROR_CODE``, ``ERROR_MESSAGE``,
``EXECUTION_ID``, ``EXHAUSTED_RETRY_CONDITION``, ``IS_PAYLOAD_TRUNCATED``,
``RETRY_ATTEMPTS``, ``SCHEDULED_TIME``, ``SCHEDULE_ARN``, ``TARGET_ARN``.

``ERROR_CODE`` names the kind of failure as AWS does (``NO_RESOURCE``, ``NO_PERMISSIONS``,
``THROTTLING``); other failures carry the target's own error code. ``ERROR_MESSAGE`` is
the target's message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stratus.services.events.outbox import Delivery

MAXIMUM_RETRY_ATTEMPTS = "MaximumRetryAttempts"
MAXIMUM_EVENT_AGE = "MaximumEventAgeInSeconds"

_KINDS = {
    "ResourceNotFoundException": "NO_RESOURCE",
    "QueueDoesNotExist": "NO_RESOURCE",
    "AWS.SimpleQueueService.NonExistentQueue": "NO_RESOURCE",
    "NotFound": "NO_RESOURCE",
    "StateMachineDoesNotExist": "NO_RESOURCE",
    "AccessDenied": "NO_PERMISSIONS",
    "AccessDeniedException": "NO_PERMISSIONS",
    "AuthorizationError": "NO_PERMISSIONS",
    "TooManyRequestsException": "THROTTLING",
    "ThrottlingException": "THROTTLING",
    "RequestThrottled": "THROTTLING",
    "Throttled": "THROTTLING",
}


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def error_kind(code: str) -> str:
    return _KINDS.get(code, code or "UNKNOWN")


def dead_letter_attributes(delivery: Delivery, condition: str | None) -> dict[str, Any]:
    """``condition``: the retry limit that ended the delivery, or None (not retryable)."""
    code, message = delivery.last_error or ("", "")
    attributes = {
        "ERROR_CODE": _string(error_kind(code)),
        "ERROR_MESSAGE": _string(message or code or "Unknown"),
        "RETRY_ATTEMPTS": _string(str(max(delivery.attempts - 1, 0))),
        "TARGET_ARN": _string(delivery.target_arn),
    }
    if condition:
        attributes["EXHAUSTED_RETRY_CONDITION"] = _string(condition)
    if delivery.origin == "schedule":
        scheduled = dt.datetime.fromtimestamp(delivery.created, dt.UTC)
        attributes |= {
            "EXECUTION_ID": _string(delivery.delivery_id),
            "IS_PAYLOAD_TRUNCATED": _string("false"),
            "SCHEDULED_TIME": _string(scheduled.strftime("%Y-%m-%dT%H:%M:%SZ")),
            "SCHEDULE_ARN": _string(delivery.source_arn),
        }
    else:
        attributes["RULE_ARN"] = _string(delivery.source_arn)
    return dict(sorted(attributes.items()))
