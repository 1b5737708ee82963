"""Carrying out a StackSet operation: one target after another, each a stack created,
updated or deleted by the stacks service in the target's account and region, waited
on until it settles.

FailureToleranceCount/Percentage are honoured per region, as AWS counts them (past a
region's tolerance the rest of it and every later region are CANCELLED and the
operation FAILED); StopStackSetOperation cancels the targets not started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from stratus.services.scope import Scope
from stratus.services.stacks.errors import NoUpdates, StacksError
from stratus.services.stacks.model import Stack
from stratus.services.stacks.service import StacksService
from stratus.services.stacks.sources import StackRequest
from stratus.services.stacks.stack_set_model import (
    Operation,
    StackInstance,
    StackSet,
    instance_key,
)

__all__ = ["OperationRunner"]

log = logging.getLogger(__name__)

_DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
#: What a create that did not finish leaves (CREATE_FAILED: the server stopped during it).
_UNUSABLE = ("ROLLBACK_COMPLETE", "CREATE_FAILED")
#: What of the set's name goes into its stacks' names: StackSet-<name>-<uuid> within a
#: stack name's 128 characters.
_NAME_IN_STACK = 128 - len("StackSet--") - 36


class OperationRunner:
    def __init__(
        self,
        stacks: StacksService,
        save: Callable[[StackSet], Awaitable[None]],
        poll_s: float,
    ) -> None:
        self._stacks = stacks
        self._save = save
        self._poll_s = poll_s

    async def carry_out(self, stack_set: StackSet, operation: Operation) -> None:
        """Region by region: past a region's failure tolerance the rest of that region and
        every later region are cancelled, as AWS stops the operation."""
        per_region: dict[str, int] = {}
        for result in operation.results:
            per_region[result["Region"]] = per_region.get(result["Region"], 0) + 1
        failures: dict[str, int] = {}
        exceeded = False
        for result in operation.results:
            region = result["Region"]
            instance = stack_set.instances[instance_key(result["Account"], region)]
            if operation.status == "STOPPING" or exceeded:
                result["Status"], result["StatusReason"] = (
                    "CANCELLED",
                    "Cancelled since failure tolerance has exceeded"
                    if exceeded
                    else "Operation stopped",
                )
                instance.status, instance.detailed = "OUTDATED", "CANCELLED"
                continue
            result["Status"] = instance.detailed = "RUNNING"
            await self._save(stack_set)
            try:
                reason = await self._target(stack_set, instance, operation)
            except StacksError as exc:
                reason = exc.message
            except Exception as exc:  # a bug: the target fails, the operation goes on
                log.exception("stack set %s: target failed", stack_set.name)
                reason = f"Internal error: {exc}"
            if reason:
                failures[region] = failures.get(region, 0) + 1
                exceeded = failures[region] > _tolerance(operation.preferences, per_region[region])
                result["Status"], result["StatusReason"] = "FAILED", reason
                if instance_key(instance.account, region) in stack_set.instances:
                    instance.reason = reason
                    if operation.action == "DELETE":
                        instance.status = instance.detailed = "INOPERABLE"
                    else:
                        instance.status, instance.detailed = "OUTDATED", "FAILED"
            else:
                result["Status"] = "SUCCEEDED"
                instance.status, instance.detailed, instance.reason = "CURRENT", "SUCCEEDED", ""
            await self._save(stack_set)
        if operation.status == "STOPPING":
            operation.status = "STOPPED"
        else:
            operation.status = "FAILED" if exceeded else "SUCCEEDED"
        operation.ended = time.time()
        await self._save(stack_set)

    async def _target(self, stack_set: StackSet, instance: StackInstance, op: Operation) -> str:
        """Carry out ``op`` on one instance; the failure's reason, or ``""``."""
        scope = Scope(instance.account, instance.region)
        stack = None
        if instance.stack_id:
            with contextlib.suppress(StacksError):
                stack = self._stacks.find(scope, instance.stack_id)
        if stack is not None and stack.status == "DELETE_COMPLETE":
            stack = None
        if stack is not None and op.action != "DELETE" and stack.status in _UNUSABLE:
            # A create that failed leaves a stack nothing can update: it is replaced.
            await self._stacks.delete_stack(scope, stack.stack_id, frozenset())
            await self._settled(scope, stack.stack_id)
            stack = None
        if op.action == "DELETE":
            if not op.retain_stacks and stack is not None:
                await self._stacks.delete_stack(scope, stack.stack_id, frozenset())
                stack = await self._settled(scope, stack.stack_id)
                if stack.status != "DELETE_COMPLETE":
                    return stack.status_reason or f"Stack {stack.name} is {stack.status}"
            del stack_set.instances[instance_key(instance.account, instance.region)]
            return ""
        request = StackRequest(
            stack.stack_id
            if stack
            else f"StackSet-{stack_set.name[:_NAME_IN_STACK]}-{uuid.uuid4()}",
            template_body=stack_set.template_body,
            parameters={**stack_set.parameters, **instance.overrides},
            capabilities=list(stack_set.capabilities),
            tags=dict(stack_set.tags),
        )
        start: Callable[[Scope, StackRequest], Awaitable[Any]]
        start = self._stacks.update_stack if stack else self._stacks.create_stack
        try:
            created = await start(scope, request)
        except NoUpdates:
            return ""
        instance.stack_id = created.stack_id
        settled = await self._settled(scope, created.stack_id)
        if settled.status in _DONE:
            return ""
        return settled.status_reason or f"Stack {settled.name} is {settled.status}"

    async def _settled(self, scope: Scope, stack_id: str) -> Stack:
        while True:
            stack = self._stacks.find(scope, stack_id)
            if not stack.in_progress:
                return stack
            await asyncio.sleep(self._poll_s)


def _tolerance(preferences: dict[str, Any], accounts: int) -> int:
    """Failures a region may have (the percentage of its accounts, rounded down)."""
    if "FailureToleranceCount" in preferences:
        return int(preferences["FailureToleranceCount"])
    if "FailureTolerancePercentage" in preferences:
        return math.floor(accounts * int(preferences["FailureTolerancePercentage"]) / 100)
    return 0
