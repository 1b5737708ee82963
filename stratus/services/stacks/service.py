"""The stacks service: CloudFormation's operations over stacks, change sets and exports.

Every operation that changes resources checks and prepares the template in the call (a
template error is the caller's ValidationError), stores the stack in its
``*_IN_PROGRESS`` status, and hands the work to the service's task group; the caller
polls DescribeStacks (or boto3's waiters) as on AWS.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import string
import time
import uuid
from collections.abc import Coroutine
from typing import Any

from stratus.services.aws_calls import AwsCaller
from stratus.services.scope import Scope
from stratus.services.stacks.changes import check_name, imports, resource_changes
from stratus.services.stacks.custom import CustomResponses
from stratus.services.stacks.deployer import Deployer
from stratus.services.stacks.errors import (
    AlreadyExists,
    ChangeSetNotFound,
    NoUpdates,
    ResourceFailed,
    StackNotFound,
    StackValidationError,
    TemplateError,
)
from stratus.services.stacks.model import ChangeSet, ResourceState, Stack, StackEvent
from stratus.services.stacks.policy import StackPolicy
from stratus.services.stacks.repository import StackRepository
from stratus.services.stacks.sources import StackRequest, TemplateSources
from stratus.services.stacks.template.loader import parse_template
from stratus.services.stacks.template.prepare import Prepared, check_sections, prepare

__all__ = ["StackRequest", "StacksService"]

# How long an answer to CreateStack, UpdateStack, ExecuteChangeSet, DeleteStack or
# ContinueUpdateRollback waits for its operation to end (``_answer_when_quick``).
QUICK_OPERATION_S = 1.0
_NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."


class StacksService:
    def __init__(
        self,
        store: StackRepository,
        caller: AwsCaller,
        responses: CustomResponses | None = None,
    ) -> None:
        self._store = store
        self._caller = caller
        self.responses = responses
        self._stacks: dict[str, Stack] = {}
        self._change_sets: dict[str, ChangeSet] = {}
        self._events: dict[str, list[StackEvent]] = {}
        self._deployer = Deployer(caller, self, responses, self)
        self._sources = TemplateSources(caller)
        self._work: asyncio.Queue[tuple[str, Coroutine[Any, Any, Any], asyncio.Event]] = (
            asyncio.Queue()
        )
        self._locks: dict[str, asyncio.Lock] = {}
        self._pending: dict[str, int] = {}  # stack id -> operations accepted, not ended
        self._deleting: set[str] = set()
        self._cancelling: set[str] = set()  # stacks whose update CancelUpdateStack stops
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def load(self) -> None:
        if self.responses is not None:
            await self.responses.load()
        resume: list[Stack] = []
        for record in await self._store.load("cfn_stacks"):
            stack = Stack.from_record(record)
            if self._resumable(stack):
                resume.append(stack)
            elif stack.in_progress:  # the server stopped during the operation
                stack.status = {"CREATE": "CREATE_FAILED", "DELETE": "DELETE_FAILED"}.get(
                    stack.status.split("_", 1)[0], "UPDATE_ROLLBACK_FAILED"
                )
                stack.status_reason = "The server stopped while the operation was in progress"
            self._stacks[stack.stack_id] = stack
        for record in await self._store.load("cfn_change_sets"):
            change_set = ChangeSet.from_record(record)
            self._change_sets[change_set.change_set_id] = change_set
        for record in await self._store.load_events():
            event = StackEvent(**record)
            self._events.setdefault(event.stack_id, []).append(event)
        for stack in resume:
            self._resume(stack)
        if self.responses is not None:
            await self.responses.close_others({stack.stack_id for stack in resume})

    def _resumable(self, stack: Stack) -> bool:
        """A stack that was creating or deleting while it waited for a custom resource's
        answer carries on (the answer may come to the same URL after the restart)."""
        return (
            stack.status in ("CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS")
            and not stack.parent_id  # a nested stack's parent is not resumed
            and self.responses is not None
            and self.responses.waiting(stack.stack_id)
        )

    def _resume(self, stack: Stack) -> None:
        """Run the interrupted operation again: resources already made are kept (their
        properties match), and the waiting custom resource waits on its first request."""
        self._stacks[stack.stack_id] = stack
        if stack.status == "CREATE_IN_PROGRESS":
            self._claim(stack)
            self._submit(
                stack,
                self._deployer.deploy(stack, stack.processed, stack.parameters, creating=True),
            )
            return
        self._deleting.add(stack.stack_id)
        self._pending[stack.stack_id] = self._pending.get(stack.stack_id, 0) + 1

        async def delete() -> None:
            try:
                await self._deployer.delete(stack)
            finally:
                self._deleting.discard(stack.stack_id)

        self._submit(stack, delete())

    # -- background work ------------------------------------------------------------------
    async def run(self) -> None:
        """Carries out stack operations, each its own task in this group."""
        async with asyncio.TaskGroup() as tasks:
            while True:
                stack_id, work, done = await self._work.get()
                tasks.create_task(self._guarded(stack_id, work, done))

    async def _guarded(
        self, stack_id: str, work: Coroutine[Any, Any, Any], done: asyncio.Event
    ) -> None:
        try:
            async with self._locks.setdefault(stack_id, asyncio.Lock()):
                await work  # one operation of a stack at a time, in the order accepted
        finally:
            done.set()
            self._cancelling.discard(stack_id)
            self._release(stack_id)
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    def _submit(self, stack: Stack, work: Coroutine[Any, Any, Any]) -> asyncio.Event:
        """Run ``work`` for ``stack`` (claimed by the caller) in the task group; the event
        is set when it has ended."""
        self._busy += 1
        self._idle.clear()
        done = asyncio.Event()
        self._work.put_nowait((stack.stack_id, work, done))
        return done

    @staticmethod
    async def _answer_when_quick(done: asyncio.Event) -> None:
        """Hold the answer of an operation that may be over in a moment until it is, for
        at most ``QUICK_OPERATION_S``. The CLIs poll a stack after a delay unless their first
        look finds it done (``aws cloudformation deploy`` waits 30 s, the SAM CLI 5 s), and
        most stacks here take milliseconds. AWS's answer says nothing of the operation's
        progress, so a caller sees the same answer, only sooner in its state."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(QUICK_OPERATION_S):
                await done.wait()

    def _claim(self, stack: Stack) -> None:
        """An operation was accepted for ``stack``: no update may start until it ends."""
        if self._pending.get(stack.stack_id):
            status = stack.status if stack.in_progress else "UPDATE_IN_PROGRESS"
            raise StackValidationError(
                f"Stack:{stack.stack_id} is in {status} state and can not be updated."
            )
        self._pending[stack.stack_id] = 1

    def _release(self, stack_id: str) -> None:
        left = self._pending.get(stack_id, 0) - 1
        if left > 0:
            self._pending[stack_id] = left
        else:
            self._pending.pop(stack_id, None)

    async def wait_idle(self) -> None:
        """Until no operation runs, or every one left only waits for custom resources'
        answers (those resume at the next start, so a stop need not wait an hour)."""
        while not self._idle.is_set() and not self._only_waiting():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.1):
                    await self._idle.wait()

    def _only_waiting(self) -> bool:
        if self.responses is None:
            return False
        waiting = {
            stack_id
            for stack_id in self.responses.active_stacks()
            if stack_id in self._stacks and self._resumable(self._stacks[stack_id])
        }
        return bool(self._pending) and all(s in waiting for s in self._pending)

    # -- the journal the deployer writes ---------------------------------------------------
    async def save(self, stack: Stack) -> None:
        if (
            stack.stack_id in self._deleting
            and not stack.in_progress
            and not stack.status.startswith("DELETE_")
        ):
            # A delete is queued behind the operation that just ended: that is what the
            # stack does next, and what a waiter polling it must see.
            stack.status, stack.status_reason = "DELETE_IN_PROGRESS", "User Initiated"
        await self._store.put_stack(stack.stack_id, stack.record())

    async def event(
        self,
        stack: Stack,
        logical_id: str,
        physical_id: str,
        kind: str,
        status: str,
        reason: str = "",
    ) -> None:
        event = StackEvent(
            str(uuid.uuid4()),
            stack.stack_id,
            stack.name,
            logical_id,
            physical_id,
            kind,
            status,
            reason,
            time.time(),
        )
        self._events.setdefault(stack.stack_id, []).append(event)
        await self._store.add_event(stack.stack_id, dataclasses.asdict(event))

    def import_value(self, stack: Stack, name: str) -> str:
        for other in self._live(Scope(stack.account, stack.region)):
            for output in other.outputs:
                if output.get("ExportName") == name:
                    return output["OutputValue"]
        raise TemplateError(f"No export named {name} found. Rollback requested by user.")

    def cancelled(self, stack: Stack) -> bool:
        return stack.stack_id in self._cancelling

    async def publish_exports(self, stack: Stack) -> None:
        for output in stack.outputs:
            name = output.get("ExportName")
            if not name:
                continue
            for other in self._live(Scope(stack.account, stack.region)):
                if other.stack_id != stack.stack_id and any(
                    o.get("ExportName") == name for o in other.outputs
                ):
                    raise StackValidationError(
                        f"Export with name {name} is already exported by stack {other.name}"
                    )

    # -- lookups --------------------------------------------------------------------------
    def _live(self, scope: Scope) -> list[Stack]:
        return [
            s
            for s in self._stacks.values()
            if s.account == scope.account
            and s.region == scope.region
            and s.status != "DELETE_COMPLETE"
        ]

    def find(self, scope: Scope, name: str) -> Stack:
        stack = self._stacks.get(name)
        if stack is not None and stack.account == scope.account and stack.region == scope.region:
            return stack
        for stack in self._live(scope):
            if stack.name == name:
                return stack
        raise StackNotFound(name)

    def stacks(self, scope: Scope, name: str | None = None) -> list[Stack]:
        if name:
            return [self.find(scope, name)]
        return sorted(self._live(scope), key=lambda s: -s.created)

    def all_stacks(self, scope: Scope) -> list[Stack]:
        return sorted(
            (
                s
                for s in self._stacks.values()
                if s.account == scope.account and s.region == scope.region
            ),
            key=lambda s: -s.created,
        )

    def resource(self, stack: Stack, logical_id: str) -> ResourceState:
        state = stack.resources.get(logical_id)
        if state is None:
            raise StackValidationError(
                f"Resource {logical_id} does not exist for stack {stack.name}"
            )
        return state

    def events(self, scope: Scope, name: str) -> list[StackEvent]:
        stack = self.find(scope, name)
        return list(reversed(self._events.get(stack.stack_id, [])))

    def exports(self, scope: Scope) -> list[tuple[Stack, dict[str, str]]]:
        return [(s, o) for s in self._live(scope) for o in s.outputs if o.get("ExportName")]

    def importers(self, scope: Scope, export: str) -> list[str]:
        found = [s for s, o in self.exports(scope) if o["ExportName"] == export]
        if not found:
            raise StackValidationError(f"Export '{export}' is not imported by any stack.")
        names = []
        for stack in self._live(scope):
            if imports(stack.processed, export):
                names.append(stack.name)
        if not names:
            raise StackValidationError(f"Export '{export}' is not imported by any stack.")
        return names

    # -- templates ------------------------------------------------------------------------
    async def _prepare(
        self,
        scope: Scope,
        request: StackRequest,
        current: Stack | None,
        *,
        check_capabilities: bool,
    ) -> tuple[str, Prepared]:
        text = await self._sources.text(scope, request, current)

        async def include(location: str) -> str:
            return await self._sources.fetch(scope, location)

        async def lookup(name: str) -> str:
            return await self._sources.parameter(scope, name)

        prepared = await prepare(
            text,
            request.parameters,
            region=scope.region,
            fetch=include,
            account=scope.account,
            capabilities=request.capabilities if check_capabilities else None,
            use_previous=request.use_previous,
            previous=current.parameters if current else None,
            lookup=lookup,
        )
        return text, prepared

    async def validate(self, scope: Scope, request: StackRequest) -> Prepared:
        return await self._validate_only(scope, await self._sources.text(scope, request, None))

    async def template_text(self, scope: Scope, request: StackRequest) -> str:
        """The template a request gives (body or our S3), checked as ValidateTemplate
        does: what a stack set keeps to deploy in each of its instances."""
        text = await self._sources.text(scope, request, None)
        await self._validate_only(scope, text)
        return text

    async def _validate_only(self, scope: Scope, text: str) -> Prepared:
        template = await asyncio.to_thread(parse_template, text)
        check_sections(template)
        return Prepared(template, template, {}, [])

    # -- stacks ---------------------------------------------------------------------------
    def _new_stack(self, scope: Scope, request: StackRequest, status: str) -> Stack:
        if any(s.name == request.name for s in self._live(scope)):
            raise AlreadyExists(f"Stack [{request.name}] already exists")
        stack_id = f"arn:aws:cloudformation:{scope.region}:{scope.account}:stack/{request.name}/{uuid.uuid4()}"
        return Stack(
            stack_id,
            request.name,
            scope.account,
            scope.region,
            status,
            time.time(),
            capabilities=list(request.capabilities),
            tags=dict(request.tags),
            disable_rollback=request.disable_rollback,
        )

    async def create_stack(self, scope: Scope, request: StackRequest) -> Stack:
        check_name(request.name)
        if any(s.name == request.name for s in self._live(scope)):
            raise AlreadyExists(f"Stack [{request.name}] already exists")
        text, prepared = await self._prepare(scope, request, None, check_capabilities=True)
        policy = await self._policy_text(scope, request.policy_body, request.policy_url)
        stack = self._new_stack(scope, request, "CREATE_IN_PROGRESS")
        self._adopt(stack, text, prepared, request)
        stack.policy = policy or ""
        self._stacks[stack.stack_id] = stack
        await self.save(stack)
        self._claim(stack)
        done = self._submit(
            stack,
            self._deployer.deploy(stack, prepared.processed, prepared.parameters, creating=True),
        )
        await self._answer_when_quick(done)
        return stack

    def _adopt(self, stack: Stack, text: str, prepared: Prepared, request: StackRequest) -> None:
        stack.template_body = text
        stack.template = prepared.template
        stack.parameter_overrides = dict(request.parameters)
        stack.description = str(prepared.template.get("Description", ""))

    def _settled(self, stack: Stack) -> None:
        if stack.in_progress:
            raise StackValidationError(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )
        if stack.status in (
            "ROLLBACK_COMPLETE",
            "ROLLBACK_FAILED",
            "CREATE_FAILED",
            "REVIEW_IN_PROGRESS",
            "UPDATE_ROLLBACK_FAILED",  # ContinueUpdateRollback first
        ):
            raise StackValidationError(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )

    async def update_stack(self, scope: Scope, request: StackRequest) -> Stack:
        stack = self.find(scope, request.name)
        self._settled(stack)
        self._claim(stack)  # held while the template is read, so two updates cannot race
        try:
            text, prepared = await self._prepare(scope, request, stack, check_capabilities=True)
            policy = await self._policy_text(scope, request.policy_body, request.policy_url)
            during = await self._policy_text(
                scope, request.during_update_body, request.during_update_url, during=True
            )
            if prepared.processed == stack.processed and prepared.parameters == stack.parameters:
                raise NoUpdates()
        except BaseException:
            self._release(stack.stack_id)
            raise
        self._adopt(stack, text, prepared, request)
        if policy is not None:  # the new policy is the stack's from now on
            stack.policy = policy
        # The during-update policy overrides the stack's for this update only.
        effective = during if during is not None else stack.policy
        stack.updated = time.time()
        stack.status, stack.status_reason = "UPDATE_IN_PROGRESS", "User Initiated"
        done = self._submit(
            stack,
            self._deployer.deploy(
                stack,
                prepared.processed,
                prepared.parameters,
                creating=False,
                policy=StackPolicy.parse(effective) if effective else None,
            ),
        )
        await self._answer_when_quick(done)
        return stack

    # -- stack policies and the update's lifecycle ------------------------------------------
    async def _policy_text(
        self, scope: Scope, body: str | None, url: str | None, *, during: bool = False
    ) -> str | None:
        """The policy a request gives (in the call or in our S3), checked; ``None`` when
        it gives none."""
        if body is not None and url is not None:
            names = (
                ("StackPolicyDuringUpdateBody", "StackPolicyDuringUpdateURL")
                if during
                else ("StackPolicyBody", "StackPolicyURL")
            )
            raise StackValidationError(f"You cannot specify both {names[1]} and {names[0]}")
        if url is not None:
            body = await self._sources.fetch(scope, url)
        if body is None:
            return None
        StackPolicy.parse(body)
        return body

    async def set_stack_policy(
        self, scope: Scope, name: str, body: str | None, url: str | None
    ) -> None:
        stack = self.find(scope, name)
        policy = await self._policy_text(scope, body, url)
        if policy is None:
            raise StackValidationError("Either StackPolicyBody or StackPolicyURL must be specified")
        stack.policy = policy
        await self.save(stack)

    def stack_policy(self, scope: Scope, name: str) -> str:
        """The stack's policy document, or ``""`` when it has none."""
        return self.find(scope, name).policy

    def cancel_update(self, scope: Scope, name: str) -> None:
        """CancelUpdateStack: the running update stops before its next resources and
        rolls back."""
        stack = self.find(scope, name)
        if stack.status != "UPDATE_IN_PROGRESS":
            raise StackValidationError(
                "CancelUpdateStack cannot be called from current stack status"
            )
        self._cancelling.add(stack.stack_id)

    async def continue_update_rollback(self, scope: Scope, name: str, skip: frozenset[str]) -> None:
        stack = self.find(scope, name)
        if stack.status != "UPDATE_ROLLBACK_FAILED":
            raise StackValidationError(
                "ContinueUpdateRollback cannot be called from current stack status"
            )
        for logical in sorted(skip):
            state = stack.resources.get(logical)
            if state is None or state.status != "UPDATE_FAILED":
                raise StackValidationError(
                    f"Resource [{logical}] cannot be skipped: only resources in the UPDATE_FAILED state can be skipped"
                )
        self._claim(stack)
        stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
        await self._answer_when_quick(
            self._submit(stack, self._deployer.continue_rollback(stack, skip))
        )

    async def delete_stack(self, scope: Scope, name: str, retain: frozenset[str]) -> None:
        try:
            stack = self.find(scope, name)
        except StackNotFound:
            return  # deleting a stack that is not there succeeds
        if (
            stack.status in ("DELETE_COMPLETE", "DELETE_IN_PROGRESS")
            or stack.stack_id in self._deleting
        ):
            return
        for _, output in self.exports(scope):
            if output.get("ExportName") and any(o is output for o in stack.outputs):
                users = [
                    s.name
                    for s in self._live(scope)
                    if s is not stack and imports(s.processed, output["ExportName"])
                ]
                if users:
                    raise StackValidationError(
                        f"Export {output['ExportName']} cannot be deleted as it is in use by {', '.join(users)}"
                    )
        if stack.status == "REVIEW_IN_PROGRESS":
            stack.status = "DELETE_COMPLETE"
            stack.deleted = time.time()
            await self.save(stack)
            return
        # Queued behind an operation still running on the stack; no update starts after it.
        if not self._pending.get(stack.stack_id):
            stack.status, stack.status_reason = "DELETE_IN_PROGRESS", "User Initiated"
        self._deleting.add(stack.stack_id)
        self._pending[stack.stack_id] = self._pending.get(stack.stack_id, 0) + 1

        async def delete() -> None:
            try:
                await self._deployer.delete(stack, retain)
            finally:
                self._deleting.discard(stack.stack_id)

        await self._answer_when_quick(self._submit(stack, delete()))

    # -- nested stacks (the deployer's AWS::CloudFormation::Stack resources) ----------------
    async def create_child(
        self, parent_id: str, logical_id: str, props: dict[str, Any]
    ) -> tuple[str, list[dict[str, str]]]:
        parent = self._stacks[parent_id]
        scope = Scope(parent.account, parent.region)
        suffix = "".join(random.choices(string.ascii_uppercase + string.digits, k=12))
        name = f"{parent.name}-{logical_id}"[: 128 - 13] + f"-{suffix}"
        request = self._child_request(name, props, parent)
        text, prepared = await self._prepare(scope, request, None, check_capabilities=False)
        child = self._new_stack(scope, request, "CREATE_IN_PROGRESS")
        child.parent_id, child.root_id = parent.stack_id, parent.root_id or parent.stack_id
        self._adopt(child, text, prepared, request)
        self._stacks[child.stack_id] = child
        await self.save(child)
        async with self._locks.setdefault(child.stack_id, asyncio.Lock()):
            ok = await self._deployer.deploy(
                child, prepared.processed, prepared.parameters, creating=True
            )
            if not ok:
                reason = child.status_reason
                if child.status == "ROLLBACK_COMPLETE":
                    await self._deployer.delete(child)  # nothing of it is left behind
                raise ResourceFailed(
                    f"Embedded stack {child.stack_id} was not successfully created: {reason}"
                )
        return child.stack_id, list(child.outputs)

    async def update_child(
        self, child_id: str, props: dict[str, Any]
    ) -> tuple[str, list[dict[str, str]]]:
        child = self._stacks[child_id]
        scope = Scope(child.account, child.region)
        request = self._child_request(child.name, props, child)
        text, prepared = await self._prepare(scope, request, child, check_capabilities=False)
        if prepared.processed == child.processed and prepared.parameters == child.parameters:
            return child.stack_id, list(child.outputs)
        async with self._locks.setdefault(child.stack_id, asyncio.Lock()):
            self._adopt(child, text, prepared, request)
            child.updated = time.time()
            ok = await self._deployer.deploy(
                child, prepared.processed, prepared.parameters, creating=False
            )
        if not ok:
            raise ResourceFailed(
                f"Embedded stack {child.stack_id} was not successfully updated. "
                f"Currently in {child.status} with reason: {child.status_reason}"
            )
        return child.stack_id, list(child.outputs)

    async def delete_child(self, child_id: str) -> None:
        child = self._stacks.get(child_id)
        if child is None or child.status == "DELETE_COMPLETE":
            return
        async with self._locks.setdefault(child.stack_id, asyncio.Lock()):
            if child.status != "DELETE_COMPLETE" and not await self._deployer.delete(child):
                raise ResourceFailed(
                    f"Embedded stack {child.stack_id} was not successfully deleted: "
                    f"{child.status_reason}"
                )

    @staticmethod
    def _child_request(name: str, props: dict[str, Any], like: Stack) -> StackRequest:
        url = props.get("TemplateURL")
        if not isinstance(url, str) or not url:
            raise ResourceFailed("Property TemplateURL cannot be empty.")
        parameters = props.get("Parameters") or {}
        if not isinstance(parameters, dict):
            raise ResourceFailed("Property Parameters must be an object.")
        return StackRequest(
            name=name,
            template_url=url,
            parameters={
                str(k): ",".join(map(str, v)) if isinstance(v, list) else str(v)
                for k, v in parameters.items()
            },
            capabilities=list(like.capabilities),
            tags=dict(like.tags),
            disable_rollback=like.disable_rollback,
        )

    # -- change sets ----------------------------------------------------------------------
    def change_set(self, scope: Scope, name: str, stack_name: str | None) -> ChangeSet:
        found = self._change_sets.get(name)
        if found is None and stack_name:
            try:
                stack = self.find(scope, stack_name)
            except StackNotFound:
                raise ChangeSetNotFound(name) from None
            found = next(
                (
                    c
                    for c in self._change_sets.values()
                    if c.stack_id == stack.stack_id and c.name == name
                ),
                None,
            )
        if found is None or not found.change_set_id.split(":")[4] == scope.account:
            raise ChangeSetNotFound(name)
        return found

    def change_sets(self, scope: Scope, stack_name: str) -> list[ChangeSet]:
        stack = self.find(scope, stack_name)
        return [c for c in self._change_sets.values() if c.stack_id == stack.stack_id]

    async def create_change_set(
        self, scope: Scope, request: StackRequest, name: str, kind: str
    ) -> ChangeSet:
        if kind == "CREATE":
            check_name(request.name)
            existing = [s for s in self._live(scope) if s.name == request.name]
            if existing and existing[0].status != "REVIEW_IN_PROGRESS":
                raise AlreadyExists(
                    f"Stack [{request.name}] already exists and cannot be created again with the changeSet [{name}]."
                )
            stack = (
                existing[0] if existing else self._new_stack(scope, request, "REVIEW_IN_PROGRESS")
            )
            current = None
        else:
            stack = self.find(scope, request.name)
            if stack.status == "REVIEW_IN_PROGRESS":
                raise StackValidationError(f"Stack [{request.name}] does not exist")
            current = stack
        if any(c.stack_id == stack.stack_id and c.name == name for c in self._change_sets.values()):
            raise AlreadyExists(f"ChangeSet {name} already exists")
        text, prepared = await self._prepare(scope, request, current, check_capabilities=False)
        if kind == "CREATE" and stack.stack_id not in self._stacks:
            self._stacks[stack.stack_id] = stack
            await self.event(
                stack,
                stack.name,
                stack.stack_id,
                "AWS::CloudFormation::Stack",
                "REVIEW_IN_PROGRESS",
                "User Initiated",
            )
            await self.save(stack)
        change_set = ChangeSet(
            f"arn:aws:cloudformation:{scope.region}:{scope.account}:changeSet/{name}/{uuid.uuid4()}",
            name,
            stack.stack_id,
            stack.name,
            kind,
            "CREATE_COMPLETE",
            "AVAILABLE",
            time.time(),
            text,
            prepared.template,
            prepared.processed,
            prepared.parameters,
            dict(request.parameters),
            list(request.capabilities),
            dict(request.tags),
            request.description,
        )
        change_set.changes = resource_changes(current, prepared)
        if (
            current is not None
            and not change_set.changes
            and prepared.parameters == current.parameters
        ):
            change_set.status, change_set.execution_status, change_set.status_reason = (
                "FAILED",
                "UNAVAILABLE",
                _NO_CHANGES,
            )
        self._change_sets[change_set.change_set_id] = change_set
        await self._store.put_change_set(change_set.change_set_id, change_set.record())
        return change_set

    async def execute_change_set(
        self, scope: Scope, name: str, stack_name: str | None, disable_rollback: bool
    ) -> None:
        change_set = self.change_set(scope, name, stack_name)
        if change_set.execution_status != "AVAILABLE":
            raise StackValidationError(
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of [{change_set.execution_status}]"
                if change_set.status != "FAILED"
                else f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status of [FAILED]"
            )
        stack = self._stacks[change_set.stack_id]
        if change_set.change_set_type == "UPDATE":
            self._settled(stack)
        self._claim(stack)
        creating = change_set.change_set_type == "CREATE"
        stack.template_body, stack.template = change_set.template_body, change_set.template
        stack.parameter_overrides = change_set.parameter_overrides
        stack.description = str(change_set.template.get("Description", ""))
        stack.capabilities, stack.tags = change_set.capabilities, change_set.tags or stack.tags
        stack.disable_rollback = disable_rollback
        stack.change_set_id = change_set.change_set_id
        if not creating:
            stack.updated = time.time()
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        stack.status = "CREATE_IN_PROGRESS" if creating else "UPDATE_IN_PROGRESS"
        await self._store.put_change_set(change_set.change_set_id, change_set.record())

        async def run() -> None:
            ok = await self._deployer.deploy(
                stack,
                change_set.processed,
                change_set.parameters,
                creating=creating,
                policy=StackPolicy.parse(stack.policy) if stack.policy and not creating else None,
            )
            change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"
            await self._store.put_change_set(change_set.change_set_id, change_set.record())
            # AWS removes the stack's other change sets once one is executed.
            for other in [
                c
                for c in self._change_sets.values()
                if c.stack_id == stack.stack_id and c is not change_set
            ]:
                self._change_sets.pop(other.change_set_id)
                await self._store.delete_change_set(other.change_set_id)

        await self._answer_when_quick(self._submit(stack, run()))

    async def delete_change_set(self, scope: Scope, name: str, stack_name: str | None) -> None:
        """As on AWS, deleting a change set by name succeeds while its stack exists even
        when no change set has that name (the CDK deletes one before it creates it)."""
        try:
            change_set = self.change_set(scope, name, stack_name)
        except ChangeSetNotFound:
            if stack_name and not name.startswith("arn:"):
                try:
                    self.find(scope, stack_name)
                except StackNotFound:
                    raise ChangeSetNotFound(name) from None
                return
            raise
        if change_set.execution_status == "EXECUTE_IN_PROGRESS":
            raise StackValidationError(
                f"Cannot delete ChangeSet {change_set.change_set_id} while it is in status EXECUTE_IN_PROGRESS"
            )
        self._change_sets.pop(change_set.change_set_id)
        await self._store.delete_change_set(change_set.change_set_id)
