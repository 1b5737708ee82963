"""The contract between the workflow runner and task integrations.

A Task state's ``Resource`` names an integration: a Lambda function ARN,
``arn:aws:states:::lambda:invoke``, ``arn:aws:states:::aws-sdk:<service>:<action>``,
``arn:aws:states:::states:startExecution.sync:2`` ... The runner hands each task to the
:class:`IntegrationRegistry`; services add their integrations to it when the platform is
composed, so the workflows layer never needs to know every service.

An integration returns the task's result, raises :class:`StatesError` (error + cause, as
Step Functions names them), or returns :data:`AWAIT_CALLBACK` when the result will come
later through SendTaskSuccess/SendTaskFailure with the task token (``.waitForTaskToken``,
activities). Integrations may be re-run after a crash of the server (at least once): the
ones with side effects that must not repeat derive idempotency keys from ``task_token``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

# re-exported: the integrations and the aws layer name them from here
from stratus.services.aws_calls import AwsCaller as AwsCaller
from stratus.services.aws_calls import AwsCallFailed as AwsCallFailed
from stratus.workflows.errors import StatesError


@dataclass(frozen=True, slots=True)
class TaskRequest:
    resource: str
    input: Any
    execution_arn: str
    state_name: str
    task_token: str  # the user-visible token of this task (stratus.workflows.tokens)
    context: dict[str, Any] = field(default_factory=dict)  # the state's context object
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None


class AwaitCallback:
    """Marker: the task is running elsewhere; SendTask* with its token will answer."""

    _instance: AwaitCallback | None = None

    def __new__(cls) -> AwaitCallback:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AWAIT_CALLBACK"


AWAIT_CALLBACK = AwaitCallback()


@dataclass(frozen=True, slots=True)
class Submitted:
    """Like AWAIT_CALLBACK, for a ``.waitForTaskToken`` task whose service answered the
    request: ``output`` is recorded as the TaskSubmitted event while the task waits."""

    output: Any


Integration = Callable[[TaskRequest], Awaitable[Any]]
Matcher = Callable[[str], bool]
#: (resource, execution ARN) -> why the execution cannot use the resource now, or None.
Availability = Callable[[str, str], str | None]


@dataclass(frozen=True, slots=True)
class IntegrationEntry:
    """A task integration a service offers: its name, which resources it takes, the call.

    ``generic`` entries (``aws-sdk:*``) are consulted after every specific one, whatever
    order services register in, so a service's optimized integration is never shadowed by
    the catch-all. ``unavailable``, where a service has one, answers at once whether a
    resource can be used now (an activity that was deleted cannot): the interpreter asks
    it as the Task acts, so such a state fails before it is scheduled, as on AWS.
    """

    name: str
    matches: Matcher
    run: Integration
    generic: bool = False
    unavailable: Availability | None = None


_MAX_REMEMBERED = 4096


class IntegrationRegistry:
    """Resource ARN -> integration: the first specific entry that accepts it, else the first
    generic one."""

    def __init__(self) -> None:
        self._specific: list[IntegrationEntry] = []
        self._generic: list[IntegrationEntry] = []
        # resource -> its entry: every Task of a large Map asks for the same few resources
        # (Resource is a literal of the definition, so there are few distinct ones).
        self._entries: dict[str, IntegrationEntry | None] = {}

    def add(
        self, name: str, matcher: Matcher, integration: Integration, *, generic: bool = False
    ) -> None:
        self.register(IntegrationEntry(name, matcher, integration, generic))

    def register(self, entry: IntegrationEntry) -> None:
        (self._generic if entry.generic else self._specific).append(entry)
        self._entries.clear()

    def extend(self, entries: Iterable[IntegrationEntry]) -> None:
        for entry in entries:
            self.register(entry)

    def entry(self, resource: str) -> IntegrationEntry | None:
        if resource in self._entries:
            return self._entries[resource]
        found = next((e for e in (*self._specific, *self._generic) if e.matches(resource)), None)
        if len(self._entries) >= _MAX_REMEMBERED:
            self._entries.clear()
        self._entries[resource] = found
        return found

    def find(self, resource: str) -> Integration | None:
        entry = self.entry(resource)
        return entry.run if entry is not None else None

    def unavailable(self, resource: str, execution_arn: str) -> str | None:
        """The interpreter's ``TaskResources`` view: why `execution_arn` cannot use
        `resource` now, from its integration; None when it can (or nobody can tell
        before running it: the run itself then fails)."""
        entry = self.entry(resource)
        if entry is None or entry.unavailable is None:
            return None
        return entry.unavailable(resource, execution_arn)

    def names(self) -> list[str]:
        return [entry.name for entry in (*self._specific, *self._generic)]

    async def run(self, request: TaskRequest) -> Any:
        integration = self.find(request.resource)
        if integration is None:
            raise StatesError(
                "States.Runtime",
                f"The resource '{request.resource}' is not supported by Stratus.",
            )
        return await integration(request)


class ExecutionStarter(Protocol):
    """What ``states:startExecution`` needs from the Step Functions service."""

    async def start_child(
        self, state_machine_arn: str, execution_input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        """Start (or, same name and input, find) an execution: StartExecution's output
        shape ``{"ExecutionArn", "StartDate"}``. Raises StatesError like the SDK would
        (e.g. ``StepFunctions.StateMachineDoesNotExistException``)."""
        ...

    async def wait_finished(self, execution_arn: str) -> dict[str, Any]:
        """Wait for the execution to end; DescribeExecution's output shape."""
        ...
