"""State machines: created, updated and deleted durably; parsed definitions kept in memory.

Each execution keeps the definition it started with (Step Functions lets running
executions finish on the old definition after an update), so executions hold their own
copy and this registry only answers for the current one.

Machines are keyed by ARN, which carries the account and region; every lookup takes the
caller's :class:`Scope` and treats a machine of another scope as one that does not exist.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from stratus.services.scope import Scope
from stratus.workflows.definition import StateMachine, parse_definition
from stratus.workflows.errors import DefinitionError
from stratus.workflows.service.errors import (
    InvalidArnError,
    InvalidDefinitionError,
    InvalidParameter,
    StateMachineExists,
    StateMachineNotFound,
)
from stratus.workflows.service.names import check_name, machine_arn, parse_arn
from stratus.workflows.service.repository import WorkflowStore

_ROLE = re.compile(r"^arn:aws[a-zA-Z-]*:iam::\d{12}:role/.+$")


@dataclass(slots=True)
class MachineRecord:
    arn: str
    name: str
    type: str
    definition: str
    role_arn: str
    creation_date: float
    update_date: float
    revision_id: str
    logging_configuration: dict[str, Any] = field(
        default_factory=lambda: {"level": "OFF", "includeExecutionData": False}
    )
    tracing_configuration: dict[str, Any] = field(default_factory=lambda: {"enabled": False})
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    # The highest version number ever published (`versions.py`): never reused.
    last_version: int = 0

    def to_record(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def compile_definition(definition: str) -> StateMachine:
    try:
        return parse_definition(definition)
    except DefinitionError as exc:
        raise InvalidDefinitionError(str(exc)) from exc


async def compile_off_loop(definition: str) -> StateMachine:
    """`compile_definition` in a worker thread: a definition may be 1 MB (the API's
    limit), whose validation (every JSONata expression compiled) takes CPU for hundreds of
    milliseconds that the event loop must not wait for."""
    return await asyncio.to_thread(compile_definition, definition)


def check_role(role_arn: str) -> None:
    if not _ROLE.match(role_arn or ""):
        raise InvalidArnError(f"Invalid Arn: 'Resource type not valid in this context: {role_arn}'")


class StateMachineRegistry:
    def __init__(self, store: WorkflowStore) -> None:
        self._store = store
        self._machines: dict[str, MachineRecord] = {}
        self._compiled: dict[str, StateMachine] = {}
        self._lock = asyncio.Lock()
        # Told when a machine is deleted, so its versions and aliases go with it.
        self.on_delete: Callable[[str], Awaitable[None]] | None = None

    async def load(self) -> None:
        for record in await self._store.load_machines():
            machine = MachineRecord(**record)
            self._machines[machine.arn] = machine

    def get(self, arn: str, scope: Scope) -> MachineRecord:
        parse_arn(arn, "stateMachine")
        machine = self._machines.get(arn) if scope.owns(arn) else None
        if machine is None:
            raise StateMachineNotFound(f"State Machine Does Not Exist: '{arn}'")
        return machine

    def compiled(self, machine: MachineRecord) -> StateMachine:
        return self.compiled_revision(machine.arn, machine.revision_id, machine.definition)

    def compiled_revision(self, arn: str, revision_id: str, definition: str) -> StateMachine:
        """The parsed definition of one revision of a machine (a version keeps the
        revision it was published from, so it shares the machine's cache entry)."""
        key = f"{arn}#{revision_id}"
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = compile_definition(definition)
        return compiled

    def every(self) -> list[MachineRecord]:
        """Every scope's machines (loading versions at start)."""
        return list(self._machines.values())

    def all(self, scope: Scope) -> list[MachineRecord]:
        """The scope's machines, oldest first (ListStateMachines)."""
        return sorted(
            (m for m in self._machines.values() if scope.owns(m.arn)),
            key=lambda m: (m.creation_date, m.name),
        )

    async def create(
        self,
        name: str,
        definition: str,
        role_arn: str,
        *,
        scope: Scope,
        type: str = "STANDARD",
        logging_configuration: dict[str, Any] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
    ) -> MachineRecord:
        check_name(name)  # the model's enum for ``type`` is checked at the API's edge
        check_role(role_arn)
        compiled = await compile_off_loop(definition)
        arn = machine_arn(scope, name)
        async with self._lock:
            existing = self._machines.get(arn)
            if existing is not None:
                if (
                    existing.definition == definition
                    and existing.role_arn == role_arn
                    and existing.type == type
                ):
                    return existing  # CreateStateMachine is idempotent for the same settings
                raise StateMachineExists(f"State Machine Already Exists: '{arn}'")
            now = time.time()
            machine = MachineRecord(
                arn=arn,
                name=name,
                type=type,
                definition=definition,
                role_arn=role_arn,
                creation_date=now,
                update_date=now,
                revision_id=str(uuid.uuid4()),
                tags=dict(tags or {}),
            )
            if logging_configuration:
                machine.logging_configuration = dict(logging_configuration)
            if tracing_configuration:
                machine.tracing_configuration = dict(tracing_configuration)
            await self._store.put_machine(arn, name, machine.to_record())
            self._machines[arn] = machine
            self._compiled[f"{arn}#{machine.revision_id}"] = compiled
            return machine

    async def update(
        self,
        arn: str,
        *,
        scope: Scope,
        definition: str | None = None,
        role_arn: str | None = None,
        logging_configuration: dict[str, Any] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
    ) -> MachineRecord:
        if (
            definition is None
            and role_arn is None
            and logging_configuration is None
            and tracing_configuration is None
        ):
            raise InvalidParameter(
                "Either the definition, the role ARN, the LoggingConfiguration, or the "
                "TracingConfiguration must be specified"
            )
        if definition is not None:
            await compile_off_loop(definition)
        if role_arn is not None:
            check_role(role_arn)
        async with self._lock:
            machine = self.get(arn, scope)
            updated = MachineRecord(**machine.to_record())
            if definition is not None:
                updated.definition = definition
            if role_arn is not None:
                updated.role_arn = role_arn
            if logging_configuration is not None:
                updated.logging_configuration = dict(logging_configuration)
            if tracing_configuration is not None:
                updated.tracing_configuration = dict(tracing_configuration)
            if _settings(updated) == _settings(machine):
                # Nothing changed: the revision stays, so publishing again answers the
                # version already published for it (as AWS does).
                return machine
            updated.update_date = time.time()
            updated.revision_id = str(uuid.uuid4())
            await self._store.put_machine(arn, updated.name, updated.to_record())
            self._machines[arn] = updated
            return updated

    async def delete(self, arn: str, scope: Scope) -> None:
        parse_arn(arn, "stateMachine")
        async with self._lock:
            if arn in self._machines and scope.owns(arn):
                if self.on_delete is not None:
                    await self.on_delete(arn)
                await self._store.delete_machine(arn)
                del self._machines[arn]

    async def set_last_version(self, arn: str, number: int) -> None:
        async with self._lock:
            machine = self._machines.get(arn)
            if machine is not None and machine.last_version < number:
                machine.last_version = number
                await self._store.put_machine(arn, machine.name, machine.to_record())

    async def set_tags(self, arn: str, scope: Scope, tags: dict[str, str]) -> None:
        async with self._lock:
            machine = self.get(arn, scope)
            machine.tags = dict(tags)
            await self._store.put_machine(arn, machine.name, machine.to_record())


def _settings(machine: MachineRecord) -> tuple[Any, ...]:
    """What UpdateStateMachine can change: a new revision only when one of these does."""
    return (
        machine.definition,
        machine.role_arn,
        machine.logging_configuration,
        machine.tracing_configuration,
    )
