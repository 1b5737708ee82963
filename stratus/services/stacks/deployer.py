"""Carrying out a stack operation: resources created, updated or deleted in dependency
order, one event per step, and a rollback that undoes what a failed operation did.

The deployer is handed a :class:`Journal` (the service) that stores the stack and its
events before the deployer moves on, so what a client sees in DescribeStackEvents is
what happened, and a restarted server finds each resource it had provisioned.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

from stratus.services.aws_calls import AwsCaller
from stratus.services.stacks.custom import CustomResponses
from stratus.services.stacks.errors import (
    NothingApplied,
    PolicyDenied,
    StacksError,
    TemplateError,
    UpdateCancelled,
)
from stratus.services.stacks.model import ResourceState, Stack
from stratus.services.stacks.policy import StackPolicy
from stratus.services.stacks.resources.base import Provisioned, Provisioning
from stratus.services.stacks.resources.custom import FAILED_PHYSICAL_ID, CustomFailed, is_custom
from stratus.services.stacks.resources.nested import NestedStacks
from stratus.services.stacks.resources.registry import HANDLERS, NAME_PROPERTIES
from stratus.services.stacks.template.graph import creation_order, dependencies
from stratus.services.stacks.template.intrinsics import Evaluator, Names, evaluate_conditions
from stratus.services.stacks.template.prepare import pseudo_parameters

log = logging.getLogger(__name__)

__all__ = ["Deployer", "Journal"]

# Attributes computed from the physical id where the handler's set lacks them.
_STATIC_ATTRIBUTES = {"AWS::SQS::Queue": ("QueueUrl",), "AWS::Lambda::Function": ()}


class Journal(Protocol):
    async def save(self, stack: Stack) -> None: ...

    async def event(
        self,
        stack: Stack,
        logical_id: str,
        physical_id: str,
        kind: str,
        status: str,
        reason: str = "",
    ) -> None: ...

    def import_value(self, stack: Stack, name: str) -> str: ...

    async def publish_exports(self, stack: Stack) -> None: ...

    def cancelled(self, stack: Stack) -> bool:
        """Whether CancelUpdateStack asked the stack's running update to stop."""
        ...


class Deployer:
    def __init__(
        self,
        caller: AwsCaller,
        journal: Journal,
        responses: CustomResponses | None = None,
        nested: NestedStacks | None = None,
    ) -> None:
        self._caller = caller
        self._journal = journal
        self._responses = responses
        self._nested = nested

    async def _stack_event(self, stack: Stack, reason: str = "") -> None:
        """The stack's own event for its current status (the stack as a resource)."""
        await self._journal.event(
            stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", stack.status, reason
        )

    def _ctx(self, stack: Stack) -> Provisioning:
        return Provisioning(
            self._caller,
            stack.account,
            stack.region,
            stack.name,
            stack.stack_id,
            self._responses,
            self._nested,
            tuple(stack.tags.items()),
        )

    def _evaluator(
        self, stack: Stack, template: Mapping[str, Any], parameters: Mapping[str, Any]
    ) -> tuple[Evaluator, dict[str, bool]]:
        resources = template.get("Resources") or {}
        values = {
            **pseudo_parameters(stack.account, stack.region, stack.name, stack.stack_id),
            **parameters,
        }

        def ref(name: str) -> Any:
            state = stack.resources.get(name)
            if state is None or not state.physical_id:
                raise TemplateError(
                    f"Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template"
                )
            return state.physical_id

        def attribute(name: str, attr: str) -> Any:
            state = stack.resources.get(name)
            if state is None:
                raise TemplateError(
                    f"Template error: instance of Fn::GetAtt references undefined resource {name}"
                )
            if attr in state.attributes:
                return state.attributes[attr]
            raise TemplateError(
                f"Template error: resource {name} does not support attribute type {attr} in Fn::GetAtt"
            )

        names = Names(
            parameters=values,
            ref=ref,
            attribute=attribute,
            import_value=lambda export: self._journal.import_value(stack, export),
            resources=frozenset(resources),
            region=stack.region,
        )
        conditions = evaluate_conditions(
            template.get("Conditions") or {}, names, template.get("Mappings") or {}
        )
        return Evaluator(names, template.get("Mappings") or {}, conditions), conditions

    # -- create and update ---------------------------------------------------------------
    async def deploy(
        self,
        stack: Stack,
        new_template: dict[str, Any],
        parameters: dict[str, Any],
        *,
        creating: bool,
        policy: StackPolicy | None = None,
    ) -> bool:
        """Bring the stack to ``new_template``; on failure roll back (unless disabled).
        ``policy`` is the stack policy this update runs under (none for a create).
        Answers whether it succeeded."""
        prefix = "CREATE" if creating else "UPDATE"
        old_template = copy.deepcopy(stack.processed)
        old_parameters = dict(stack.parameters)
        old_resources = copy.deepcopy(stack.resources)
        stack.processed, stack.parameters = new_template, parameters
        stack.status, stack.status_reason = f"{prefix}_IN_PROGRESS", "User Initiated"
        await self._stack_event(stack, "User Initiated")
        await self._journal.save(stack)
        # (logical, action, previous state); a create resumed after a restart starts with
        # what the first attempt made, so a rollback removes that too.
        done: list[tuple[str, str, ResourceState | None]] = [
            (lid, "create", None) for lid, s in old_resources.items() if creating and s.physical_id
        ]
        replaced: list[ResourceState] = []
        try:
            if not creating:
                await self._check_deletions(stack, old_resources, new_template, policy)
            await self._converge(stack, new_template, parameters, done, replaced, policy)
            stack.outputs = self._outputs(stack, new_template, parameters)
            await self._journal.publish_exports(stack)
        except Exception as exc:
            reason = exc.message if isinstance(exc, StacksError) else f"Internal failure: {exc}"
            if not isinstance(exc, StacksError):
                log.exception("stack %s failed", stack.name)
            return await self._fail(
                stack,
                creating,
                reason,
                done,
                replaced,
                old_template,
                old_parameters,
                old_resources,
                cancelled=isinstance(exc, UpdateCancelled),
            )
        if not creating:
            stack.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
            await self._stack_event(stack)
            await self._journal.save(stack)
            await self._remove(
                stack,
                replaced,
                [
                    s
                    for lid, s in old_resources.items()
                    if lid not in (new_template.get("Resources") or {}) and s.physical_id
                ],
            )
        stack.status, stack.status_reason = f"{prefix}_COMPLETE", ""
        await self._stack_event(stack)
        await self._journal.save(stack)
        return True

    async def _converge(
        self,
        stack: Stack,
        template: dict[str, Any],
        parameters: dict[str, Any],
        done: list[tuple[str, str, ResourceState | None]],
        replaced: list[ResourceState],
        policy: StackPolicy | None,
    ) -> None:
        resources = template.get("Resources") or {}
        evaluator, conditions = self._evaluator(stack, template, parameters)
        graph = dependencies(resources, list((template.get("Parameters") or {}).keys()))
        ctx = self._ctx(stack)
        # Independent resources are provisioned together, as CloudFormation does: each
        # wave holds the resources whose dependencies are all in earlier waves. A wave
        # finishes (nothing is abandoned half-made) before a failure is raised.
        for wave in _waves(graph, creation_order(graph)):
            if self._journal.cancelled(stack):
                raise UpdateCancelled()
            outcomes = await asyncio.gather(
                *(
                    self._converge_one(
                        stack,
                        ctx,
                        evaluator,
                        conditions,
                        logical,
                        resources[logical],
                        done,
                        replaced,
                        policy,
                    )
                    for logical in wave
                ),
                return_exceptions=True,
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome

    async def _converge_one(
        self,
        stack: Stack,
        ctx: Provisioning,
        evaluator: Evaluator,
        conditions: dict[str, bool],
        logical: str,
        resource: dict[str, Any],
        done: list[tuple[str, str, ResourceState | None]],
        replaced: list[ResourceState],
        policy: StackPolicy | None,
    ) -> None:
        condition = resource.get("Condition")
        if condition is not None and not conditions.get(str(condition), False):
            return
        kind = resource["Type"]
        handler = HANDLERS[kind]
        current = stack.resources.get(logical)
        try:
            props = evaluator.resolve(resource.get("Properties") or {})
        except StacksError as exc:
            # A reference that cannot be resolved fails this resource, as on AWS.
            failed = "UPDATE_FAILED" if current is not None else "CREATE_FAILED"
            if current is None:
                stack.resources[logical] = ResourceState(
                    logical, kind, failed, "", exc.message, {}, {}, time.time()
                )
            else:
                current.status, current.status_reason = failed, exc.message
            await self._journal.event(stack, logical, "", kind, failed, exc.message)
            raise
        if current is not None and current.physical_id and current.type == kind:
            if current.properties == props:
                return
            await self._journal.event(
                stack, logical, current.physical_id, kind, "UPDATE_IN_PROGRESS"
            )
            previous = copy.deepcopy(current)
            applying = False  # whether the handler may have changed the resource
            try:
                replaces = handler.replaces(current.properties, props)
                self._allowed(policy, "Update:Replace" if replaces else "Update:Modify", current)
                applying = not replaces
                updated = await handler.update(
                    ctx,
                    logical,
                    Provisioned(current.physical_id, current.attributes),
                    current.properties,
                    props,
                )
                applying = False
                if updated is None:  # replacement: the new one first, the old one at cleanup
                    if not replaces:
                        self._allowed(policy, "Update:Replace", current)
                    named = NAME_PROPERTIES.get(kind)
                    if (
                        named
                        and props.get(named)
                        and props.get(named) == current.properties.get(named)
                    ):
                        raise NothingApplied(
                            "CloudFormation cannot update a stack when a custom-named resource "
                            f"requires replacing. Rename {props[named]} and update the stack again."
                        )
                    updated = await handler.create(ctx, logical, props)
                    replaced.append(previous)
                    action = "replace"
                elif is_custom(kind) and updated.physical_id != current.physical_id:
                    # A custom resource answered an update with a new physical id: it
                    # replaced itself, and the old one gets a Delete at cleanup.
                    replaced.append(previous)
                    action = "replace"
                else:
                    action = "update"
            except StacksError as exc:
                current.status, current.status_reason = "UPDATE_FAILED", exc.message
                if applying and not isinstance(exc, NothingApplied):
                    # The handler may have applied part of the update before it failed:
                    # the rollback updates the resource back to its previous properties
                    # (a custom resource gets an Update with the old ones, as on AWS).
                    current.properties = props
                    done.append((logical, "update", previous))
                await self._journal.event(
                    stack, logical, current.physical_id, kind, "UPDATE_FAILED", exc.message
                )
                raise
            stack.resources[logical] = ResourceState(
                logical,
                kind,
                "UPDATE_COMPLETE",
                updated.physical_id,
                "",
                props,
                updated.attributes,
                time.time(),
            )
            done.append((logical, action, previous))
            await self._journal.event(stack, logical, updated.physical_id, kind, "UPDATE_COMPLETE")
            await self._journal.save(stack)
            return
        if current is not None and current.physical_id:  # a new type under an old name
            try:
                self._allowed(policy, "Update:Replace", current)
            except PolicyDenied as exc:
                current.status, current.status_reason = "UPDATE_FAILED", exc.message
                await self._journal.event(
                    stack, logical, current.physical_id, current.type, "UPDATE_FAILED", exc.message
                )
                raise
            replaced.append(copy.deepcopy(current))
        stack.resources[logical] = ResourceState(
            logical, kind, "CREATE_IN_PROGRESS", "", "", props, {}, time.time()
        )
        await self._journal.event(stack, logical, "", kind, "CREATE_IN_PROGRESS")
        try:
            made = await handler.create(ctx, logical, props)
        except StacksError as exc:
            stack.resources[logical].status = "CREATE_FAILED"
            if isinstance(exc, CustomFailed) and exc.physical_id:
                stack.resources[logical].attributes[FAILED_PHYSICAL_ID] = exc.physical_id
            stack.resources[logical].status_reason = exc.message
            await self._journal.event(stack, logical, "", kind, "CREATE_FAILED", exc.message)
            raise
        stack.resources[logical] = ResourceState(
            logical,
            kind,
            "CREATE_COMPLETE",
            made.physical_id,
            "",
            props,
            made.attributes,
            time.time(),
        )
        done.append((logical, "create", current))
        await self._journal.event(stack, logical, made.physical_id, kind, "CREATE_COMPLETE")
        await self._journal.save(stack)

    @staticmethod
    def _allowed(policy: StackPolicy | None, action: str, state: ResourceState) -> None:
        """Raise :class:`PolicyDenied` when the stack policy refuses ``action``."""
        if policy is None:
            return
        reason = policy.denial(action, state.logical_id, state.type)
        if reason is not None:
            raise PolicyDenied(reason)

    async def _check_deletions(
        self,
        stack: Stack,
        old_resources: dict[str, ResourceState],
        template: dict[str, Any],
        policy: StackPolicy | None,
    ) -> None:
        """An update that removes a resource the policy protects from Update:Delete fails
        that resource before anything is changed."""
        if policy is None:
            return
        kept = template.get("Resources") or {}
        for logical, state in old_resources.items():
            if logical in kept or not state.physical_id:
                continue
            reason = policy.denial("Update:Delete", logical, state.type)
            if reason is None:
                continue
            current = stack.resources[logical]
            current.status, current.status_reason = "UPDATE_FAILED", reason
            await self._journal.event(
                stack, logical, state.physical_id, state.type, "UPDATE_FAILED", reason
            )
            raise PolicyDenied(reason)

    def _outputs(
        self, stack: Stack, template: dict[str, Any], parameters: dict[str, Any]
    ) -> list[dict[str, str]]:
        evaluator, conditions = self._evaluator(stack, template, parameters)
        outputs = []
        for key, output in (template.get("Outputs") or {}).items():
            condition = output.get("Condition")
            if condition is not None and not conditions.get(str(condition), False):
                continue
            value = evaluator.resolve(output.get("Value"))
            entry = {
                "OutputKey": key,
                "OutputValue": ",".join(value) if isinstance(value, list) else str(value),
            }
            if output.get("Description"):
                entry["Description"] = str(output["Description"])
            if output.get("Export"):
                entry["ExportName"] = str(evaluator.resolve(output["Export"].get("Name")))
            outputs.append(entry)
        return outputs

    async def _fail(
        self,
        stack: Stack,
        creating: bool,
        reason: str,
        done: list[tuple[str, str, ResourceState | None]],
        replaced: list[ResourceState],
        old_template: dict[str, Any],
        old_parameters: dict[str, Any],
        old_resources: dict[str, ResourceState],
        *,
        cancelled: bool = False,
    ) -> bool:
        if creating and stack.disable_rollback:
            stack.status, stack.status_reason = "CREATE_FAILED", reason
            await self._stack_event(stack, reason)
            await self._journal.save(stack)
            return False
        head = "ROLLBACK" if creating else "UPDATE_ROLLBACK"
        stack.status = f"{head}_IN_PROGRESS"
        failed_ids = sorted(
            lid for lid, s in stack.resources.items() if s.status.endswith("_FAILED")
        )
        stack.status_reason = (
            "Stack update cancelled"
            if cancelled
            else f"The following resource(s) failed to {'create' if creating else 'update'}: [{', '.join(failed_ids)}]. Rollback requested by user."
        )
        await self._stack_event(stack, stack.status_reason)
        await self._journal.save(stack)
        ctx = self._ctx(stack)
        failed = False
        # Undo in reverse: what was created is deleted, what was updated goes back.
        # A custom resource whose Create failed is the newest: its provider gets the
        # Delete for the id its FAILED answer named first, as on AWS.
        for logical, state in list(stack.resources.items()):
            if state.status == "CREATE_FAILED" and state.attributes.get(FAILED_PHYSICAL_ID):
                failed = not await self._delete_failed_custom(stack, ctx, state) or failed
                stack.resources.pop(logical)
        pending: list[dict[str, Any]] = []
        for logical, action, previous in reversed(done):
            if not await self._undo(stack, ctx, logical, action, previous):
                failed = True
                pending.append(
                    {
                        "logical": logical,
                        "action": action,
                        "previous": None if previous is None else dataclasses.asdict(previous),
                    }
                )
        stuck = {p["logical"] for p in pending}
        for logical, state in list(stack.resources.items()):
            if state.status == "CREATE_FAILED":
                stack.resources.pop(logical)
                await self._journal.event(stack, logical, "", state.type, "DELETE_COMPLETE")
            elif state.status == "UPDATE_FAILED" and logical not in stuck:
                # Failed before it changed anything: its record as it was is still true.
                stack.resources[logical] = old_resources[logical]
        stack.rollback_pending = [] if creating else pending
        if not creating:
            stack.processed, stack.parameters = old_template, old_parameters
            if not failed:
                stack.status = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
                await self._stack_event(stack)
                await self._journal.save(stack)
            # Resources created for the update whose old name came back are already gone.
        stack.status = f"{head}_FAILED" if failed else f"{head}_COMPLETE"
        await self._stack_event(stack)
        await self._journal.save(stack)
        return False

    async def _undo(
        self,
        stack: Stack,
        ctx: Provisioning,
        logical: str,
        action: str,
        previous: ResourceState | None,
    ) -> bool:
        """Undo one step of a failed update or create: an update goes back to the previous
        properties through its handler, a creation is deleted. Answers whether it worked
        (the resource is left UPDATE_FAILED or DELETE_FAILED when not)."""
        state = stack.resources[logical]
        handler = HANDLERS[state.type]
        updating = action == "update" and previous is not None
        try:
            if updating and previous is not None:
                await self._journal.event(
                    stack, logical, state.physical_id, state.type, "UPDATE_IN_PROGRESS"
                )
                await handler.update(
                    ctx,
                    logical,
                    Provisioned(state.physical_id, state.attributes),
                    state.properties,
                    previous.properties,
                )
                stack.resources[logical] = previous
                previous.status, previous.status_reason = "UPDATE_COMPLETE", ""
                await self._journal.event(
                    stack, logical, previous.physical_id, state.type, "UPDATE_COMPLETE"
                )
            else:
                await self._journal.event(
                    stack, logical, state.physical_id, state.type, "DELETE_IN_PROGRESS"
                )
                await handler.delete(
                    ctx, Provisioned(state.physical_id, state.attributes), state.properties
                )
                await self._journal.event(
                    stack, logical, state.physical_id, state.type, "DELETE_COMPLETE"
                )
                if previous is not None:
                    stack.resources[logical] = previous
                else:
                    stack.resources.pop(logical, None)
        except StacksError as exc:
            status = "UPDATE_FAILED" if updating else "DELETE_FAILED"
            state.status, state.status_reason = status, exc.message
            await self._journal.event(
                stack, logical, state.physical_id, state.type, status, exc.message
            )
            await self._journal.save(stack)
            return False
        await self._journal.save(stack)
        return True

    async def continue_rollback(self, stack: Stack, skip: frozenset[str]) -> bool:
        """ContinueUpdateRollback: undo again what the failed rollback could not; the
        resources in ``skip`` are left as they are and marked UPDATE_COMPLETE."""
        stack.status, stack.status_reason = "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated"
        await self._stack_event(stack, "User Initiated")
        await self._journal.save(stack)
        ctx = self._ctx(stack)
        left: list[dict[str, Any]] = []
        for item in stack.rollback_pending:
            logical = str(item["logical"])
            state = stack.resources.get(logical)
            if state is None:
                continue
            if logical in skip:
                state.status, state.status_reason = "UPDATE_COMPLETE", ""
                await self._journal.event(
                    stack, logical, state.physical_id, state.type, "UPDATE_COMPLETE"
                )
                continue
            raw = item.get("previous")
            previous = ResourceState(**raw) if isinstance(raw, dict) else None
            if not await self._undo(stack, ctx, logical, str(item["action"]), previous):
                left.append(item)
        stack.rollback_pending = left
        if not left:
            stack.status = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
            await self._stack_event(stack)
            await self._journal.save(stack)
        stack.status = "UPDATE_ROLLBACK_FAILED" if left else "UPDATE_ROLLBACK_COMPLETE"
        stack.status_reason = ""
        await self._stack_event(stack)
        await self._journal.save(stack)
        return not left

    async def _remove(
        self, stack: Stack, replaced: list[ResourceState], gone: list[ResourceState]
    ) -> None:
        ctx = self._ctx(stack)
        resources = stack.processed.get("Resources") or {}
        for state in [*reversed(replaced), *reversed(gone)]:
            handler = HANDLERS[state.type]
            replaced_kept = (
                any(state is r for r in replaced)
                and (resources.get(state.logical_id) or {}).get("UpdateReplacePolicy") == "Retain"
            )
            if replaced_kept:
                # UpdateReplacePolicy: Retain keeps the replaced resource, out of the stack
                # (SAM's AutoPublishAlias keeps every state machine version this way).
                await self._journal.event(
                    stack, state.logical_id, state.physical_id, state.type, "DELETE_SKIPPED"
                )
                continue
            await self._journal.event(
                stack, state.logical_id, state.physical_id, state.type, "DELETE_IN_PROGRESS"
            )
            try:
                await handler.delete(
                    ctx, Provisioned(state.physical_id, state.attributes), state.properties
                )
            except StacksError as exc:
                await self._journal.event(
                    stack,
                    state.logical_id,
                    state.physical_id,
                    state.type,
                    "DELETE_FAILED",
                    exc.message,
                )
                continue
            if stack.resources.get(state.logical_id) is state or (
                state.logical_id in stack.resources
                and stack.resources[state.logical_id].physical_id == state.physical_id
            ):
                stack.resources.pop(state.logical_id)
            await self._journal.event(
                stack, state.logical_id, state.physical_id, state.type, "DELETE_COMPLETE"
            )
            await self._journal.save(stack)

    async def _delete_failed_custom(
        self, stack: Stack, ctx: Provisioning, state: ResourceState
    ) -> bool:
        """Send the Delete for a custom resource whose Create failed; answers whether it
        was deleted (the events say so either way)."""
        physical = str(state.attributes[FAILED_PHYSICAL_ID])
        logical = state.logical_id
        await self._journal.event(stack, logical, physical, state.type, "DELETE_IN_PROGRESS")
        try:
            await HANDLERS[state.type].delete(
                ctx, Provisioned(physical, {"__logical": logical}), state.properties
            )
        except StacksError as exc:
            state.status_reason = exc.message
            await self._journal.event(
                stack, logical, physical, state.type, "DELETE_FAILED", exc.message
            )
            return False
        await self._journal.event(stack, logical, physical, state.type, "DELETE_COMPLETE")
        return True

    # -- delete --------------------------------------------------------------------------
    async def delete(self, stack: Stack, retain: frozenset[str] = frozenset()) -> bool:
        stack.status, stack.status_reason = "DELETE_IN_PROGRESS", "User Initiated"
        await self._stack_event(stack, "User Initiated")
        await self._journal.save(stack)
        resources = stack.processed.get("Resources") or {}
        graph: dict[str, set[str]] = {lid: set() for lid in stack.resources}
        try:
            known = dependencies(
                {k: v for k, v in resources.items() if k in stack.resources},
                list((stack.processed.get("Parameters") or {}).keys()),
            )
            for lid, needs in known.items():
                graph[lid] = {n for n in needs if n in graph}
            order = list(reversed(creation_order(graph)))
        except TemplateError:
            order = list(reversed(list(stack.resources)))
        ctx = self._ctx(stack)
        failed: list[str] = []
        for logical in order:
            state = stack.resources[logical]
            policy = (resources.get(logical) or {}).get("DeletionPolicy")
            if (
                not state.physical_id
                and state.attributes.get(FAILED_PHYSICAL_ID)
                and logical not in retain
                and policy != "Retain"
            ):
                if not await self._delete_failed_custom(stack, ctx, state):
                    state.status = "DELETE_FAILED"
                    failed.append(logical)
                    continue
                stack.resources.pop(logical)
                await self._journal.save(stack)
                continue
            if logical in retain or policy == "Retain" or not state.physical_id:
                status = "DELETE_SKIPPED" if state.physical_id else "DELETE_COMPLETE"
                await self._journal.event(stack, logical, state.physical_id, state.type, status)
                stack.resources.pop(logical)
                continue
            await self._journal.event(
                stack, logical, state.physical_id, state.type, "DELETE_IN_PROGRESS"
            )
            try:
                await HANDLERS[state.type].delete(
                    ctx, Provisioned(state.physical_id, state.attributes), state.properties
                )
            except StacksError as exc:
                state.status, state.status_reason = "DELETE_FAILED", exc.message
                failed.append(logical)
                await self._journal.event(
                    stack, logical, state.physical_id, state.type, "DELETE_FAILED", exc.message
                )
                continue
            stack.resources.pop(logical)
            await self._journal.event(
                stack, logical, state.physical_id, state.type, "DELETE_COMPLETE"
            )
            await self._journal.save(stack)
        if failed:
            stack.status = "DELETE_FAILED"
            stack.status_reason = (
                f"The following resource(s) failed to delete: [{', '.join(sorted(failed))}]. "
            )
            await self._stack_event(stack, stack.status_reason)
            await self._journal.save(stack)
            return False
        stack.status, stack.status_reason = "DELETE_COMPLETE", ""
        stack.deleted = time.time()
        stack.outputs = []
        await self._stack_event(stack)
        await self._journal.save(stack)
        return True


def _waves(graph: dict[str, set[str]], order: list[str]) -> list[list[str]]:
    """``order`` grouped by depth: a resource's wave comes after all its dependencies'."""
    depth: dict[str, int] = {}
    for name in order:  # dependencies first, so their depths are known
        depth[name] = 1 + max((depth[need] for need in graph[name]), default=-1)
    waves: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in order:
        waves[depth[name]].append(name)
    return waves
