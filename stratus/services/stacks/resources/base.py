"""What a resource type's handler is, and what the deployer hands it.

A handler provisions one type through our own AWS APIs (``Provisioning.call``, the
platform's in-process caller, in the stack's account and region), so a template gets
each service's own validation and errors. ``create`` answers the physical id (what
``Ref`` returns) and the attributes ``Fn::GetAtt`` may ask for.
"""

from __future__ import annotations

import hashlib
import random
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from stratus.services.aws_calls import AwsCaller, AwsCallFailed
from stratus.services.stacks.errors import ResourceFailed
from stratus.services.system_tags import CLOUDFORMATION_PREFIX, provisioning

if TYPE_CHECKING:
    from stratus.services.stacks.custom import CustomResponses
    from stratus.services.stacks.resources.nested import NestedStacks

__all__ = ["Handler", "Provisioned", "Provisioning", "ResourceHandler"]


@dataclass(frozen=True, slots=True)
class Provisioned:
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Provisioning:
    """One stack's view of the platform while its resources are provisioned."""

    caller: AwsCaller
    account: str
    region: str
    stack_name: str
    stack_id: str
    responses: CustomResponses | None = None  # where custom resources' answers arrive
    nested: NestedStacks | None = None  # the service that runs nested stacks
    stack_tags: tuple[tuple[str, str], ...] = ()  # CreateStack's Tags, given to resources

    async def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Our own API, as the stack's account; an AWS error fails the resource with
        the service's message (what CloudFormation shows as the event's reason)."""
        try:
            with provisioning():  # CloudFormation's own call: it may write system tags
                return await self.caller.call(
                    service,
                    operation,
                    params,
                    account_id=self.account,
                    region=self.region,
                    coerce=True,  # a template's "30" is an integer where the API wants one
                )
        except AwsCallFailed as exc:
            raise ResourceFailed(
                f'Resource handler returned message: "{exc.message}" (Service: {service}, '
                f"Status Code: {exc.status}, Error Code: {exc.code})"
            ) from exc

    def tags(self, logical_id: str, user: Any = None) -> dict[str, str]:
        """A resource's tags, as CloudFormation gives them: the stack's tags, the
        template's for the resource (``[{Key, Value}]`` or a map; they win over the
        stack's), and the system tags it adds to every taggable resource it creates."""
        return {
            **dict(self.stack_tags),
            **tag_map(user),
            f"{CLOUDFORMATION_PREFIX}stack-name": self.stack_name,
            f"{CLOUDFORMATION_PREFIX}stack-id": self.stack_id,
            f"{CLOUDFORMATION_PREFIX}logical-id": logical_id,
        }

    def tag_list(self, logical_id: str, user: Any = None) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tags(logical_id, user).items()]

    def physical_name(self, logical_id: str, limit: int = 64, *, lower: bool = False) -> str:
        """CloudFormation's generated name: ``{stack}-{logical}-{random}`` within ``limit``."""
        suffix = "".join(random.choices(string.ascii_uppercase + string.digits, k=12))
        head = f"{self.stack_name}-{logical_id}"[: max(1, limit - len(suffix) - 1)]
        name = f"{head}-{suffix}"
        return name.lower() if lower else name

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def token(self, *parts: str) -> str:
        return hashlib.sha256("/".join((self.stack_id, *parts)).encode()).hexdigest()[:12]


class ResourceHandler(Protocol):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned: ...

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        """The resource changed in place (its new state), or ``None``: replace it."""
        ...

    async def delete(
        self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]
    ) -> None: ...


class Handler:
    """Defaults: any change replaces the resource; ``required`` names mandatory properties."""

    required: tuple[str, ...] = ()

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        raise NotImplementedError

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        return None

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        return None

    def replaces(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        """Whether changing ``old`` to ``new`` replaces the resource, known before
        ``update`` runs (a stack policy judges Update:Replace apart from Update:Modify).
        By default: when ``update`` is this class's, any change replaces."""
        return type(self).update is Handler.update


def tag_map(tags: Any) -> dict[str, str]:
    """CloudFormation's ``[{Key, Value}]`` (or a map, as SAM writes) as a map."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags or []}


def tag_list(tags: Any) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tag_map(tags).items()]


def pick(props: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: props[name] for name in names if name in props}


async def ignore_missing(coro: Any) -> None:
    """Deleting what is already gone succeeds (CloudFormation's delete is idempotent)."""
    try:
        await coro
    except ResourceFailed as exc:
        text = exc.message
        if not any(
            w in text for w in ("NotFound", "NoSuch", "does not exist", "404", "NonExistent")
        ):
            raise
