"""Message move tasks: redrive a dead-letter queue's messages back to their sources (or to
one destination), as StartMessageMoveTask does.

A task moves the messages that were in the dead-letter queue when it started and are
visible as it goes (in-flight ones stay), in batches, each batch one store write, at most
MaxNumberOfMessagesPerSecond when given. Moved messages start afresh in their new queue
(receive count zero). Tasks run in the service's own task group; their records live in
memory (a restart forgets them: a task cut short by a restart is simply not listed, and
the messages it had not moved yet are still in the dead-letter queue).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from stratus.services.queues.errors import (
    InvalidParameterValue,
    ResourceNotFound,
    UnsupportedOperation,
)
from stratus.services.queues.model import MessageMeta
from stratus.services.queues.queue import Queue

if TYPE_CHECKING:
    from stratus.services.queues.service import QueueService

__all__ = ["MoveTask", "MoveTasks"]

log = logging.getLogger(__name__)

_BATCH = 100
_KEPT_PER_SOURCE = 10


@dataclass(slots=True)
class MoveTask:
    task_id: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started_ms: int
    to_move: int
    status: str = "RUNNING"
    moved: int = 0
    failure_reason: str | None = None
    cancel: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def handle(self) -> str:
        raw = orjson.dumps({"taskId": self.task_id, "sourceArn": self.source_arn})
        return base64.b64encode(raw).decode()


class MoveTasks:
    def __init__(self, service: QueueService) -> None:
        self._service = service
        self._tasks: dict[str, list[MoveTask]] = {}  # by source ARN, oldest first
        self._starts: asyncio.Queue[MoveTask] = asyncio.Queue()

    async def run(self) -> None:
        """Run started tasks in a task group of our own; runs until cancelled."""
        async with asyncio.TaskGroup() as group:
            while True:
                task = await self._starts.get()
                group.create_task(self._run(task), name=f"sqs-move-task:{task.task_id}")

    def start(self, source_arn: str, destination_arn: str | None, rate: int | None) -> MoveTask:
        registry = self._service.registry
        try:
            source = registry.by_arn(source_arn)
        except Exception:
            raise ResourceNotFound(
                "The resource that you specified for the SourceArn parameter doesn't exist."
            ) from None
        if not registry.dead_letter_sources(source):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn is not None:
            try:
                registry.by_arn(destination_arn)
            except Exception:
                raise ResourceNotFound(
                    "The resource that you specified for the DestinationArn parameter doesn't "
                    "exist."
                ) from None
        if rate is not None and not 1 <= rate <= 500:
            raise InvalidParameterValue(
                f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: "
                "Must be between 1 and 500."
            )
        history = self._tasks.setdefault(source_arn, [])
        if any(t.status == "RUNNING" for t in history):
            raise UnsupportedOperation(
                "There is already a task running. Only one active task is allowed for a "
                "source queue arn at a given time."
            )
        task = MoveTask(
            task_id=str(uuid.uuid4()),
            source_arn=source_arn,
            destination_arn=destination_arn,
            rate=rate,
            started_ms=self._service.now_ms(),
            to_move=len(source.index),
        )
        history.append(task)
        del history[:-_KEPT_PER_SOURCE]
        self._starts.put_nowait(task)
        return task

    def cancel(self, handle: str) -> MoveTask:
        try:
            document = orjson.loads(base64.b64decode(handle))
            task_id, source_arn = document["taskId"], document["sourceArn"]
        except (ValueError, KeyError, TypeError):
            raise ResourceNotFound("Task does not exist.") from None
        for task in self._tasks.get(source_arn, []):
            if task.task_id == task_id:
                if task.status != "RUNNING":
                    raise ResourceNotFound("Task does not exist.")
                task.status = "CANCELLING"
                task.cancel.set()
                return task
        raise ResourceNotFound("Task does not exist.")

    def list(self, source_arn: str) -> list[MoveTask]:
        """Most recent first."""
        try:
            self._service.registry.by_arn(source_arn)
        except Exception:
            raise ResourceNotFound(
                "The resource that you specified for the SourceArn parameter doesn't exist."
            ) from None
        return list(reversed(self._tasks.get(source_arn, [])))

    async def _run(self, task: MoveTask) -> None:
        try:
            await self._move_all(task)
            if task.status == "RUNNING":
                task.status = "COMPLETED"
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("message move task %s failed", task.task_id)
            task.status = "FAILED"
            task.failure_reason = (
                getattr(error, "message", None) or "AWS.SimpleQueueService.InternalError"
            )
        if task.status == "CANCELLING":
            task.status = "CANCELLED"

    async def _move_all(self, task: MoveTask) -> None:
        service = self._service
        registry = service.registry
        source = registry.by_arn(task.source_arn)
        up_to = service.last_seq
        while not task.cancel.is_set() and not source.deleted:
            now = service.now_ms()
            batch = [
                m
                for m in list(source.index.messages.values())
                if m.seq <= up_to and m.visible_at_ms <= now
            ][: _BATCH if task.rate is None else min(_BATCH, task.rate)]
            if not batch:
                return
            began = time.monotonic()
            targets: dict[str, list[MessageMeta]] = {}
            for meta in batch:
                arn = task.destination_arn or meta.dead_letter_source
                if arn is None:
                    raise InvalidParameterValue(
                        "The source queue of a message is unknown: give a DestinationArn."
                    )
                targets.setdefault(arn, []).append(meta)
            for arn, metas in targets.items():
                target: Queue = registry.by_arn(arn)
                for meta in metas:
                    source.index.remove(meta)
                await service.move(metas, source, target, reset_receives=True)
                task.moved += len(metas)
            if task.rate is not None:
                pause = len(batch) / task.rate - (time.monotonic() - began)
                if pause > 0:
                    try:
                        async with asyncio.timeout(pause):
                            await task.cancel.wait()
                    except TimeoutError:
                        pass
