"""Nested stacks (``AWS::CloudFormation::Stack``): a child stack made from the template at
TemplateURL, whose outputs are the resource's ``Outputs.<Name>`` attributes.

The child is a stack of its own (ListStacks and DescribeStacks show it, with ParentId
and RootId); the stacks service creates, updates and deletes it on the parent's behalf
and answers only once the child's operation ended, so a child's failure is the parent's
resource failure and the parent rolls back.
"""

from __future__ import annotations

from typing import Any, Protocol

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources.base import Handler, Provisioned, Provisioning

__all__ = ["NestedStackHandler", "NestedStacks"]


class NestedStacks(Protocol):
    """What the stacks service does for a parent stack's nested stack resources."""

    async def create_child(
        self, parent_id: str, logical_id: str, props: dict[str, Any]
    ) -> tuple[str, list[dict[str, str]]]:
        """The child's stack id and outputs once created; ResourceFailed otherwise."""
        ...

    async def update_child(
        self, child_id: str, props: dict[str, Any]
    ) -> tuple[str, list[dict[str, str]]]: ...

    async def delete_child(self, child_id: str) -> None: ...


def _service(ctx: Provisioning) -> NestedStacks:
    if ctx.nested is None:
        raise ResourceFailed("Nested stacks are not served here")
    return ctx.nested


def _provisioned(child_id: str, outputs: list[dict[str, str]]) -> Provisioned:
    return Provisioned(child_id, {f"Outputs.{o['OutputKey']}": o["OutputValue"] for o in outputs})


class NestedStackHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        return _provisioned(*await _service(ctx).create_child(ctx.stack_id, logical_id, props))

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        return _provisioned(*await _service(ctx).update_child(current.physical_id, new))

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await _service(ctx).delete_child(current.physical_id)
