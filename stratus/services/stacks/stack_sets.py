"""StackSets with the SELF_MANAGED permission model: one template deployed as a stack in
each target account and region by the stacks service, as if that account had created it.

An operation (create, update or delete of instances, or a set update) is checked and
recorded RUNNING in the call, then carried out in this service's task group by the
:class:`OperationRunner`, targets ordered region by region (RegionOrder's first), each
region's accounts in the order given; concurrency preferences are stored, not acted on.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-concepts.html
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from stratus.services.scope import Scope
from stratus.services.stacks.errors import (
    InvalidOperation,
    NameAlreadyExists,
    OperationIdAlreadyExists,
    OperationInProgress,
    OperationNotFound,
    StackInstanceNotFound,
    StackSetNotEmpty,
    StackSetNotFound,
    StackValidationError,
)
from stratus.services.stacks.repository import StackSetRepository
from stratus.services.stacks.service import StacksService
from stratus.services.stacks.sources import StackRequest
from stratus.services.stacks.stack_set_model import (
    Operation,
    StackInstance,
    StackSet,
    instance_key,
)
from stratus.services.stacks.stack_set_operations import OperationRunner

__all__ = ["StackSetSpec", "StackSetsService"]

_ORGANIZATIONS = "You must enable organizations access to operate a service managed stack set"
_STOPPED_SERVER = "The server stopped while the operation was in progress"
#: AWS's rule for a stack set's name (not in botocore's model).
_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]{0,127}")


@dataclass(slots=True)
class StackSetSpec:
    """What CreateStackSet and UpdateStackSet give."""

    template_body: str | None = None
    template_url: str | None = None
    use_previous_template: bool = False
    parameters: dict[str, str] = field(default_factory=dict)
    use_previous: frozenset[str] = frozenset()
    capabilities: list[str] | None = None
    tags: dict[str, str] | None = None
    description: str | None = None
    administration_role: str | None = None
    execution_role: str | None = None
    permission_model: str | None = None


Targets = list[tuple[str, str]]  # (account, region) in deployment order


class StackSetsService:
    def __init__(
        self, store: StackSetRepository, stacks: StacksService, poll_s: float = 0.05
    ) -> None:
        self._store = store
        self._stacks = stacks
        self._runner = OperationRunner(stacks, self._save, poll_s)
        self._sets: dict[str, StackSet] = {}
        self._work: asyncio.Queue[Coroutine[Any, Any, None]] = asyncio.Queue()
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def load(self) -> None:
        """Operations the server stopped during end FAILED, their unfinished targets too
        (the stacks themselves end as the stacks service recovers them)."""
        for record in await self._store.load_stack_sets():
            stack_set = StackSet.from_record(record)
            operation = stack_set.active_operation()
            if operation is not None:
                operation.status, operation.reason = "FAILED", _STOPPED_SERVER
                operation.ended = time.time()
                for result in operation.results:
                    if result["Status"] in ("PENDING", "RUNNING"):
                        result["Status"], result["StatusReason"] = "FAILED", _STOPPED_SERVER
                for instance in stack_set.instances.values():
                    if instance.detailed in ("PENDING", "RUNNING"):
                        instance.status, instance.detailed = "OUTDATED", "FAILED"
                        instance.reason = _STOPPED_SERVER
                await self._save(stack_set)
            self._sets[stack_set.stack_set_id] = stack_set

    # -- background work ------------------------------------------------------------------
    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            while True:
                work = await self._work.get()
                tasks.create_task(self._guarded(work))

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def _save(self, stack_set: StackSet) -> None:
        await self._store.put_stack_set(stack_set.stack_set_id, stack_set.record())

    # -- lookups --------------------------------------------------------------------------
    def find(self, scope: Scope, name: str) -> StackSet:
        for stack_set in self._sets.values():
            if (
                stack_set.account == scope.account
                and stack_set.region == scope.region
                and stack_set.status == "ACTIVE"
                and name in (stack_set.name, stack_set.stack_set_id)
            ):
                return stack_set
        raise StackSetNotFound(name)

    def stack_sets(self, scope: Scope, status: str | None) -> list[StackSet]:
        return sorted(
            (
                s
                for s in self._sets.values()
                if s.account == scope.account
                and s.region == scope.region
                and (status is None or s.status == status)
            ),
            key=lambda s: s.created,
        )

    def instance(self, scope: Scope, name: str, account: str, region: str) -> StackInstance:
        stack_set = self.find(scope, name)
        instance = stack_set.instances.get(instance_key(account, region))
        if instance is None:
            raise StackInstanceNotFound(account, region, stack_set.name)
        return instance

    def operation(self, scope: Scope, name: str, operation_id: str) -> Operation:
        stack_set = self.find(scope, name)
        for operation in stack_set.operations:
            if operation.operation_id == operation_id:
                return operation
        raise OperationNotFound(operation_id)

    # -- the set --------------------------------------------------------------------------
    async def create_stack_set(self, scope: Scope, name: str, spec: StackSetSpec) -> StackSet:
        if not _NAME.fullmatch(name):
            raise StackValidationError(
                f"1 validation error detected: Value '{name}' at 'stackSetName' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                "[a-zA-Z][-a-zA-Z0-9]*"
            )
        if spec.permission_model == "SERVICE_MANAGED":
            raise StackValidationError(_ORGANIZATIONS)
        with contextlib.suppress(StackSetNotFound):
            self.find(scope, name)
            raise NameAlreadyExists(name)
        text = await self._stacks.template_text(
            scope,
            StackRequest(name, template_body=spec.template_body, template_url=spec.template_url),
        )
        with contextlib.suppress(StackSetNotFound):
            self.find(scope, name)  # again: another call may have made it meanwhile
            raise NameAlreadyExists(name)
        stack_set = StackSet(
            f"{name}:{uuid.uuid4()}",
            name,
            scope.account,
            scope.region,
            time.time(),
            text,
            parameters=dict(spec.parameters),
            capabilities=list(spec.capabilities or []),
            tags=dict(spec.tags or {}),
            description=spec.description or "",
            administration_role=spec.administration_role
            or f"arn:aws:iam::{scope.account}:role/AWSCloudFormationStackSetAdministrationRole",
            execution_role=spec.execution_role or "AWSCloudFormationStackSetExecutionRole",
        )
        self._sets[stack_set.stack_set_id] = stack_set
        await self._save(stack_set)
        return stack_set

    async def update_stack_set(
        self,
        scope: Scope,
        name: str,
        spec: StackSetSpec,
        targets: Targets | None,
        preferences: dict[str, Any],
        operation_id: str,
    ) -> str:
        stack_set = self.find(scope, name)
        if spec.permission_model == "SERVICE_MANAGED":
            raise StackValidationError(_ORGANIZATIONS)
        self._check_new_operation(stack_set, operation_id)
        if spec.use_previous_template:
            if spec.template_body is not None or spec.template_url is not None:
                raise StackValidationError(
                    "UsePreviousTemplate cannot be used with TemplateBody or TemplateURL"
                )
            text = stack_set.template_body
        else:
            text = await self._stacks.template_text(
                scope,
                StackRequest(
                    name, template_body=spec.template_body, template_url=spec.template_url
                ),
            )
        self._check_new_operation(stack_set, operation_id)  # again, after the wait
        if targets is None:
            targets = [(i.account, i.region) for i in stack_set.instances.values()]
        for account, region in targets:
            if instance_key(account, region) not in stack_set.instances:
                raise StackInstanceNotFound(account, region, stack_set.name)
        stack_set.template_body = text
        stack_set.parameters = {
            **{k: v for k, v in stack_set.parameters.items() if k in spec.use_previous},
            **spec.parameters,
        }
        if spec.capabilities is not None:
            stack_set.capabilities = list(spec.capabilities)
        if spec.tags is not None:
            stack_set.tags = dict(spec.tags)
        if spec.description is not None:
            stack_set.description = spec.description
        if spec.administration_role:
            stack_set.administration_role = spec.administration_role
        if spec.execution_role:
            stack_set.execution_role = spec.execution_role
        wanted = {instance_key(a, r) for a, r in targets}
        for key, instance in stack_set.instances.items():
            if key not in wanted:  # no longer what the set describes
                instance.status = "OUTDATED"
        return await self._start(stack_set, "UPDATE", targets, preferences, operation_id)

    async def delete_stack_set(self, scope: Scope, name: str) -> None:
        stack_set = self.find(scope, name)
        if stack_set.active_operation() is not None:
            raise OperationInProgress(stack_set.arn)
        if stack_set.instances:
            raise StackSetNotEmpty()
        stack_set.status = "DELETED"
        await self._save(stack_set)

    # -- instances ------------------------------------------------------------------------
    async def create_instances(
        self,
        scope: Scope,
        name: str,
        targets: Targets,
        overrides: dict[str, str],
        preferences: dict[str, Any],
        operation_id: str,
    ) -> str:
        stack_set = self.find(scope, name)
        self._check_new_operation(stack_set, operation_id)
        for account, region in targets:
            instance = stack_set.instances.setdefault(
                instance_key(account, region), StackInstance(account, region)
            )
            instance.overrides.update(overrides)
        return await self._start(stack_set, "CREATE", targets, preferences, operation_id)

    async def update_instances(
        self,
        scope: Scope,
        name: str,
        targets: Targets,
        overrides: dict[str, str] | None,
        keep: frozenset[str],
        preferences: dict[str, Any],
        operation_id: str,
    ) -> str:
        stack_set = self.find(scope, name)
        self._check_new_operation(stack_set, operation_id)
        for account, region in targets:
            if instance_key(account, region) not in stack_set.instances:
                raise StackInstanceNotFound(account, region, stack_set.name)
        if overrides is not None:  # given: they replace the instances' (UsePreviousValue keeps)
            for account, region in targets:
                instance = stack_set.instances[instance_key(account, region)]
                kept = {k: v for k, v in instance.overrides.items() if k in keep}
                instance.overrides = {**kept, **overrides}
        return await self._start(stack_set, "UPDATE", targets, preferences, operation_id)

    async def delete_instances(
        self,
        scope: Scope,
        name: str,
        targets: Targets,
        retain: bool,
        preferences: dict[str, Any],
        operation_id: str,
    ) -> str:
        stack_set = self.find(scope, name)
        self._check_new_operation(stack_set, operation_id)
        present = [t for t in targets if instance_key(*t) in stack_set.instances]
        return await self._start(
            stack_set, "DELETE", present, preferences, operation_id, retain=retain
        )

    async def stop_operation(self, scope: Scope, name: str, operation_id: str) -> None:
        operation = self.operation(scope, name, operation_id)
        if operation.status not in ("RUNNING", "STOPPING"):
            raise InvalidOperation(f"Operation {operation_id} is not in a stoppable state")
        operation.status = "STOPPING"
        await self._save(self.find(scope, name))

    # -- operations -----------------------------------------------------------------------
    def _check_new_operation(self, stack_set: StackSet, operation_id: str) -> None:
        if any(o.operation_id == operation_id for o in stack_set.operations):
            raise OperationIdAlreadyExists(operation_id)
        if stack_set.active_operation() is not None:
            raise OperationInProgress(stack_set.arn)

    async def _start(
        self,
        stack_set: StackSet,
        action: str,
        targets: Targets,
        preferences: dict[str, Any],
        operation_id: str,
        *,
        retain: bool | None = None,
    ) -> str:
        ordered = _ordered(targets, preferences.get("RegionOrder") or [])
        operation = Operation(
            operation_id,
            action,
            "RUNNING",
            time.time(),
            preferences=dict(preferences),
            retain_stacks=retain,
            results=[
                {"Account": a, "Region": r, "Status": "PENDING", "StatusReason": ""}
                for a, r in ordered
            ],
        )
        stack_set.operations.append(operation)
        for account, region in ordered:
            instance = stack_set.instances[instance_key(account, region)]
            instance.status, instance.detailed, instance.reason = "OUTDATED", "PENDING", ""
            instance.last_operation_id = operation_id
        await self._save(stack_set)
        self._busy += 1
        self._idle.clear()
        self._work.put_nowait(self._runner.carry_out(stack_set, operation))
        return operation_id


def _ordered(targets: Targets, region_order: list[str]) -> Targets:
    """Region by region (RegionOrder's first, then as given), each region's accounts in
    the order given; duplicates once."""
    regions = list(
        dict.fromkeys(
            [
                *[r for r in region_order if any(t[1] == r for t in targets)],
                *[r for _, r in targets],
            ]
        )
    )
    seen: set[tuple[str, str]] = set()
    out: Targets = []
    for region in regions:
        for account, r in targets:
            if r == region and (account, r) not in seen:
                seen.add((account, r))
                out.append((account, r))
    return out
