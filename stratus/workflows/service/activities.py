"""Activities: tasks that workers outside Stratus poll for with GetActivityTask.

A Task state whose Resource is an activity ARN queues the task durably (the queue row is
keyed by the task token, so a re-issue after a crash does not queue it twice) and waits
for SendTaskSuccess/SendTaskFailure. GetActivityTask long-polls up to 60 seconds, as
Step Functions does, and never hands out a task whose execution no longer waits for it.

Activities are keyed by ARN, which carries the account and region: every call takes the
caller's :class:`Scope`, and an activity of another scope does not exist for it (so no
worker can poll, and thus answer, another account's tasks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.base import AWAIT_CALLBACK, TaskRequest
from stratus.workflows.service.errors import ActivityNotFound
from stratus.workflows.service.names import activity_arn, check_name, parse_arn
from stratus.workflows.service.repository import WorkflowStore

LONG_POLL_S = 60.0


def is_activity(resource: str) -> bool:
    return ":activity:" in resource and resource.startswith("arn:")


class ActivityService:
    def __init__(self, store: WorkflowStore) -> None:
        self._store = store
        self._activities: dict[str, dict[str, Any]] = {}
        self._signals: dict[str, asyncio.Condition] = {}
        self.is_pending: Callable[[str], bool] = lambda _token: True
        self._stopping = False

    async def load(self) -> None:
        for record in await self._store.load_activities():
            self._activities[record["arn"]] = record

    def _signal(self, arn: str) -> asyncio.Condition:
        condition = self._signals.get(arn)
        if condition is None:
            condition = self._signals[arn] = asyncio.Condition()
        return condition

    async def create(
        self, name: str, scope: Scope, tags: dict[str, str] | None = None
    ) -> dict[str, Any]:
        check_name(name)
        arn = activity_arn(scope, name)
        existing = self._activities.get(arn)
        if existing is not None:
            return existing  # CreateActivity is idempotent
        record = {"arn": arn, "name": name, "creation_date": time.time(), "tags": dict(tags or {})}
        await self._store.put_activity(arn, name, record)
        self._activities[arn] = record
        return record

    def get(self, arn: str, scope: Scope) -> dict[str, Any]:
        parse_arn(arn, "activity")
        record = self._activities.get(arn) if scope.owns(arn) else None
        if record is None:
            raise ActivityNotFound(f"Activity Does Not Exist: '{arn}'")
        return record

    def all(self, scope: Scope) -> list[dict[str, Any]]:
        """The scope's activities, oldest first (ListActivities)."""
        return sorted(
            (r for r in self._activities.values() if scope.owns(r["arn"])),
            key=lambda r: (r["creation_date"], r["name"]),
        )

    async def delete(self, arn: str, scope: Scope) -> None:
        parse_arn(arn, "activity")
        if arn in self._activities and scope.owns(arn):
            await self._store.delete_activity(arn)
            del self._activities[arn]

    async def set_tags(self, arn: str, scope: Scope, tags: dict[str, str]) -> None:
        record = self.get(arn, scope)
        record["tags"] = dict(tags)
        await self._store.put_activity(arn, record["name"], record)

    # -- the integration ---------------------------------------------------------------
    def unavailable(self, arn: str, execution_arn: str) -> str | None:
        """Why the execution cannot schedule a task on activity `arn` now (it was deleted,
        or never existed in the execution's account and region), in AWS's words; the
        interpreter fails the Task state with it (States.Runtime) before scheduling."""
        # An execution reaches only the activities of its own account and region.
        if arn in self._activities and parse_arn(execution_arn).scope.owns(arn):
            return None
        return f"The activity {arn} does not exist."

    async def schedule(self, request: TaskRequest) -> Any:
        arn = request.resource
        # Deleted between the state's check and now: the scheduled task fails instead.
        missing = self.unavailable(arn, request.execution_arn)
        if missing is not None:
            raise StatesError("States.Runtime", missing)
        await self._store.enqueue_activity_task(
            request.task_token, arn, json.dumps(request.input, separators=(",", ":"))
        )
        condition = self._signal(arn)
        async with condition:
            condition.notify_all()
        return AWAIT_CALLBACK

    async def get_task(
        self, arn: str, scope: Scope, wait_s: float = LONG_POLL_S
    ) -> tuple[str, str] | None:
        """(task token, input) of the oldest waiting task, waiting up to ``wait_s``."""
        self.get(arn, scope)
        deadline = time.monotonic() + wait_s
        condition = self._signal(arn)
        # Take under the condition's lock, so a task queued between a miss and the wait
        # still wakes this poller (schedule notifies under the same lock).
        async with condition:
            while not self._stopping:
                while (task := await self._store.take_activity_task(arn)) is not None:
                    if self.is_pending(task[0]):
                        return task
                    await self._store.remove_activity_task(task[0])  # its execution moved on
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await condition.wait()
            return None  # the server is stopping: answer the poll empty, as a timeout would

    async def stop_polling(self) -> None:
        """Answer every open GetActivityTask now (shutdown must not wait 60 s for them)."""
        self._stopping = True
        for condition in list(self._signals.values()):
            async with condition:
                condition.notify_all()

    async def finished(self, token: str) -> None:
        await self._store.remove_activity_task(token)
