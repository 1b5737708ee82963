"""What the durable service needs from the functions service, as a Protocol (the
component adapts the function registry and the invoker to it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Target:
    """A function version resolved for a durable run or a chained invoke."""

    function_arn: str  # unqualified
    version: str  # $LATEST or a number
    durable_config: dict[str, Any] | None  # None: not a durable function
    qualified: bool = True  # named with a version or alias (durable functions need one)


@dataclass(frozen=True, slots=True)
class InvocationOutcome:
    payload: bytes
    function_error: str | None
    request_id: str


class FunctionPort(Protocol):
    def resolve(self, name: str, qualifier: str | None, scope_arn: str) -> Target:
        """The function ``name`` (a name or an ARN, in the account and region of
        ``scope_arn``) names; raises the functions service's not-found error."""
        ...

    async def invoke(self, function_arn: str, version: str, payload: bytes) -> InvocationOutcome:
        """One synchronous invocation of that exact version."""
        ...
