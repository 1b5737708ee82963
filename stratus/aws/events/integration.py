"""Step Functions' optimized EventBridge integration: ``arn:aws:states:::events:putEvents``
and ``events:putEvents.waitForTaskToken``.

Parameters are PutEvents' (``Entries``; an entry's ``Detail`` may be an object, sent as
its JSON text). The result is PutEvents' answer (``Entries``, ``FailedEntryCount``), as
recorded on AWS (``test_events_put_events``). An entry that fails fails the task with
``EventBridge.FailedEntry`` and the whole answer as its cause
(``test_put_events_malformed_detail``).
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.events.errors import EventsError
from stratus.services.events.service import EventsService
from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import WAIT_FOR_TASK_TOKEN, parse_service_resource
from stratus.workflows.integrations.base import Submitted, TaskRequest

__all__ = ["PutEventsIntegration", "is_put_events"]


def is_put_events(resource: str) -> bool:
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "events"
        and parsed.action == "putEvents"
        and parsed.pattern in ("", WAIT_FOR_TASK_TOKEN)
    )


def _entry(given: Any) -> dict[str, Any]:
    if not isinstance(given, dict):
        return {}
    entry: dict[str, Any] = {str(k): v for k, v in given.items()}
    detail = entry.get("Detail")
    if detail is not None and not isinstance(detail, str):
        entry["Detail"] = json.dumps(detail, separators=(",", ":"))
    return entry


class PutEventsIntegration:
    def __init__(self, events: EventsService) -> None:
        self._events = events

    async def __call__(self, request: TaskRequest) -> Any:
        params = request.input if isinstance(request.input, dict) else {}
        entries = [_entry(e) for e in params.get("Entries") or []]
        scope = Scope.of_arn(request.execution_arn) or Scope()
        try:
            answer = await self._events.put_events(scope, entries)
        except EventsError as error:
            raise StatesError(
                "EventBridge.ValidationException", f"{error.message} (Service: EventBridge)"
            ) from error
        failed = sum(1 for e in answer if "ErrorCode" in e)
        result = {"Entries": answer, "FailedEntryCount": failed}
        if failed:
            raise StatesError("EventBridge.FailedEntry", json.dumps(result, separators=(",", ":")))
        if request.resource.endswith(f".{WAIT_FOR_TASK_TOKEN}"):
            return Submitted(result)
        return result
