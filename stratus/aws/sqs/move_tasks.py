"""StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.queues.errors import InvalidParameterValue
from stratus.services.queues.move_tasks import MoveTask
from stratus.services.queues.service import QueueService

__all__ = ["MoveTaskOperations"]


class MoveTaskOperations:
    def __init__(self, service: QueueService) -> None:
        self._tasks = service.move_tasks

    async def start_message_move_task(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        task = self._tasks.start(
            params["SourceArn"],
            params.get("DestinationArn"),
            params.get("MaxNumberOfMessagesPerSecond"),
        )
        return {"TaskHandle": task.handle}

    async def cancel_message_move_task(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        task = self._tasks.cancel(params["TaskHandle"])
        return {"ApproximateNumberOfMessagesMoved": task.moved}

    async def list_message_move_tasks(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        limit = params.get("MaxResults")
        if limit is not None and not 1 <= limit <= 10:
            raise InvalidParameterValue(
                f"Value {limit} for parameter MaxResults is invalid. Reason: You must enter a "
                "number that's between 1 and 10."
            )
        tasks = self._tasks.list(params["SourceArn"])[: limit or 1]
        return {"Results": [_task_output(task) for task in tasks]}


def _task_output(task: MoveTask) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if task.status == "RUNNING":
        out["TaskHandle"] = task.handle
    out.update(
        {
            "Status": task.status,
            "SourceArn": task.source_arn,
            "ApproximateNumberOfMessagesMoved": task.moved,
            "ApproximateNumberOfMessagesToMove": task.to_move,
            "StartedTimestamp": task.started_ms,
        }
    )
    if task.destination_arn:
        out["DestinationArn"] = task.destination_arn
    if task.rate is not None:
        out["MaxNumberOfMessagesPerSecond"] = task.rate
    if task.failure_reason:
        out["FailureReason"] = task.failure_reason
    return out
