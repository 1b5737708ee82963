"""State machine versions and aliases: immutable snapshots, and weighted pointers to them.

A version is the machine's definition, role and configuration at one revision, numbered
1, 2, 3 ... per machine; numbers are never reused after a delete (AWS's
``concepts-state-machine-version`` page). Publishing is idempotent: a revision already
published answers its existing version. An alias routes executions to one version, or
splits them between two by weight (``concepts-state-machine-alias``); a version an alias
routes to cannot be deleted.

ARNs: ``...:stateMachine:NAME:3`` is a version, ``...:stateMachine:NAME:prod`` an alias
(`names.split_qualified`). Both live in the store beside their machine and are deleted
with it. Messages are those AWS answers, as recorded against AWS by LocalStack's
versioning and aliasing snapshot tests.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from stratus.services.scope import Scope
from stratus.workflows.service.errors import (
    ConflictError,
    InvalidArnError,
    InvalidParameter,
    QuotaExceeded,
    ResourceNotFound,
    StateMachineNotFound,
)
from stratus.workflows.service.machines import MachineRecord, StateMachineRegistry
from stratus.workflows.service.names import alias_arn, split_qualified, version_arn
from stratus.workflows.service.repository import WorkflowStore

#: Step Functions' quotas: versions and aliases per state machine.
MAX_VERSIONS = 1000
MAX_ALIASES = 100


@dataclass(slots=True)
class VersionRecord:
    arn: str
    machine_arn: str
    number: int
    definition: str
    role_arn: str
    type: str
    revision_id: str
    creation_date: float
    description: str = ""
    logging_configuration: dict[str, Any] = field(default_factory=dict)
    tracing_configuration: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class AliasRecord:
    arn: str
    machine_arn: str
    name: str
    routing: list[dict[str, Any]]  # [{"stateMachineVersionArn": ..., "weight": ...}]
    creation_date: float
    update_date: float
    description: str = ""

    def to_record(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class RunTarget:
    """What StartExecution runs: the machine, or one of its versions (chosen by an alias
    when started through one)."""

    machine: MachineRecord
    definition: str
    role_arn: str
    revision_id: str
    version_arn: str | None = None
    alias_arn: str | None = None


class VersionRegistry:
    def __init__(self, store: WorkflowStore, machines: StateMachineRegistry) -> None:
        self._store = store
        self._machines = machines
        self._versions: dict[str, VersionRecord] = {}
        self._aliases: dict[str, AliasRecord] = {}
        # The highest number each machine ever published (deleted versions included).
        self._last_number: dict[str, int] = {}
        self._lock = asyncio.Lock()
        machines.on_delete = self._machine_deleted

    async def load(self) -> None:
        for record in await self._store.load_qualified("versions"):
            version = VersionRecord(**record)
            self._versions[version.arn] = version
        for record in await self._store.load_qualified("aliases"):
            alias = AliasRecord(**record)
            self._aliases[alias.arn] = alias
        for machine in self._machines.every():
            self._last_number[machine.arn] = machine.last_version
        for version in self._versions.values():
            known = self._last_number.get(version.machine_arn, 0)
            self._last_number[version.machine_arn] = max(known, version.number)

    # -- versions --------------------------------------------------------------------
    def versions_of(self, machine_arn: str) -> list[VersionRecord]:
        """Newest first, as ListStateMachineVersions answers."""
        return sorted(
            (v for v in self._versions.values() if v.machine_arn == machine_arn),
            key=lambda v: -v.number,
        )

    def version(self, arn: str, scope: Scope) -> VersionRecord:
        version = self._versions.get(arn) if scope.owns(arn) else None
        if version is None:
            raise StateMachineNotFound(f"State Machine Does Not Exist: '{arn}'")
        return version

    async def publish(
        self, machine_arn: str, scope: Scope, description: str | None, revision_id: str | None
    ) -> VersionRecord:
        _base, qualifier = split_qualified(machine_arn)
        if qualifier is not None:
            raise InvalidArnError(f"Invalid Arn: '{machine_arn}'")
        async with self._lock:
            machine = self._machines.get(machine_arn, scope)
            if revision_id is not None and not _same_revision(machine, revision_id):
                raise ConflictError(
                    f"Failed to publish the State Machine version for revision {revision_id}. "
                    f"The current State Machine revision is {machine.revision_id}."
                )
            versions = self.versions_of(machine.arn)
            for existing in versions:
                if existing.revision_id == machine.revision_id:
                    return existing  # this revision is published already: idempotent
            if len(versions) >= MAX_VERSIONS:
                raise QuotaExceeded(
                    f"Maximum number of versions ({MAX_VERSIONS}) reached for state machine "
                    f"'{machine.arn}'. Delete unused versions before publishing a new one."
                )
            number = self._last_number.get(machine.arn, 0) + 1
            version = VersionRecord(
                arn=version_arn(machine.arn, number),
                machine_arn=machine.arn,
                number=number,
                definition=machine.definition,
                role_arn=machine.role_arn,
                type=machine.type,
                revision_id=machine.revision_id,
                creation_date=time.time(),
                description=description or "",
                logging_configuration=dict(machine.logging_configuration),
                tracing_configuration=dict(machine.tracing_configuration),
            )
            # The version first, then the machine's high-water mark: after a crash between
            # the two, `load` takes the highest stored number, so none is ever reused.
            await self._store.put_qualified(
                "versions", version.arn, machine.arn, version.to_record()
            )
            self._versions[version.arn] = version
            self._last_number[machine.arn] = number
            await self._machines.set_last_version(machine.arn, number)
            return version

    async def delete_version(self, arn: str, scope: Scope) -> None:
        base, qualifier = split_qualified(arn)
        if qualifier is None or not qualifier.isdigit():
            raise InvalidArnError(f"Invalid Arn: '{arn}'")
        async with self._lock:
            if arn not in self._versions or not scope.owns(arn):
                return  # deleting a version that does not exist succeeds, as on AWS
            holders = [
                a.name
                for a in self.aliases_of(base)
                if any(r["stateMachineVersionArn"] == arn for r in a.routing)
            ]
            if holders:
                raise ConflictError(
                    "Version to be deleted must not be referenced by an alias. Current list "
                    f"of aliases referencing this version: [{', '.join(holders)}]"
                )
            await self._store.delete_qualified("versions", arn)
            del self._versions[arn]

    # -- aliases ---------------------------------------------------------------------
    def aliases_of(self, machine_arn: str) -> list[AliasRecord]:
        """Oldest first, as ListStateMachineAliases answers."""
        return sorted(
            (a for a in self._aliases.values() if a.machine_arn == machine_arn),
            key=lambda a: (a.creation_date, a.name),
        )

    def alias(self, arn: str, scope: Scope) -> AliasRecord:
        _base, qualifier = split_qualified(arn)
        if qualifier is None or qualifier.isdigit():
            raise InvalidArnError(f"Invalid Arn: '{arn}'")
        alias = self._aliases.get(arn) if scope.owns(arn) else None
        if alias is None:
            raise ResourceNotFound("Request references a resource that does not exist.")
        return alias

    def _check_routing(self, routing: list[dict[str, Any]], scope: Scope) -> str:
        """The machine the routing's versions belong to; AWS's ValidationException for a
        routing that is not one or two distinct versions of one machine weighing 100."""
        arns = [str(r.get("stateMachineVersionArn", "")) for r in routing]
        listed = f"[{', '.join(arns)}]"
        machines: set[str] = set()
        for arn in arns:
            try:
                base, qualifier = split_qualified(arn)
            except InvalidArnError:
                qualifier, base = None, arn
            if qualifier is None or not qualifier.isdigit():
                raise InvalidParameter(
                    f"Routing configuration must contain state machine version ARNs. Received: {listed}"
                )
            machines.add(base)
        if len(set(arns)) != len(arns):
            raise InvalidParameter(
                "Routing configuration must contain distinct state machine version ARNs. "
                f"Received: {listed}"
            )
        if len(machines) != 1:
            raise InvalidParameter(
                "Routing configuration must contain state machine version ARNs of the same "
                f"state machine. Received: {listed}"
            )
        weights = [int(r.get("weight", 0)) for r in routing]
        if sum(weights) != 100:
            raise InvalidParameter(
                f"Sum of routing configuration weights must equal 100. Received: "
                f"[{', '.join(str(w) for w in weights)}]"
            )
        machine_arn = machines.pop()
        for arn in arns:
            if arn not in self._versions or not scope.owns(arn):
                raise ResourceNotFound(
                    f"Request references a resource that does not exist. Version: '{arn}'"
                )
        return machine_arn

    async def create_alias(
        self, name: str, routing: list[dict[str, Any]], description: str | None, scope: Scope
    ) -> AliasRecord:
        routing = [
            {"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": int(r["weight"])}
            for r in routing
        ]
        async with self._lock:
            machine_arn = self._check_routing(routing, scope)
            self._machines.get(machine_arn, scope)
            arn = alias_arn(machine_arn, name)
            existing = self._aliases.get(arn)
            if existing is not None:
                if existing.routing == routing and existing.description == (description or ""):
                    return existing  # CreateStateMachineAlias is idempotent
                raise ConflictError(
                    "Failed to create alias because an alias with the same name and a "
                    "different routing configuration already exists."
                )
            if len(self.aliases_of(machine_arn)) >= MAX_ALIASES:
                raise QuotaExceeded(
                    f"Maximum number of aliases ({MAX_ALIASES}) reached for state machine "
                    f"'{machine_arn}'."
                )
            now = time.time()
            alias = AliasRecord(
                arn=arn,
                machine_arn=machine_arn,
                name=name,
                routing=routing,
                creation_date=now,
                update_date=now,
                description=description or "",
            )
            await self._store.put_qualified("aliases", arn, machine_arn, alias.to_record())
            self._aliases[arn] = alias
            return alias

    async def update_alias(
        self,
        arn: str,
        scope: Scope,
        routing: list[dict[str, Any]] | None,
        description: str | None,
    ) -> AliasRecord:
        if routing is None and description is None:
            raise InvalidParameter(
                "Either the description or the RoutingConfiguration must be specified"
            )
        async with self._lock:
            alias = self.alias(arn, scope)
            updated = AliasRecord(**alias.to_record())
            if routing is not None:
                updated.routing = [
                    {
                        "stateMachineVersionArn": r["stateMachineVersionArn"],
                        "weight": int(r["weight"]),
                    }
                    for r in routing
                ]
                if self._check_routing(updated.routing, scope) != alias.machine_arn:
                    raise InvalidParameter(
                        "Routing configuration must contain state machine version ARNs of the "
                        f"alias's state machine. Received: [{', '.join(r['stateMachineVersionArn'] for r in updated.routing)}]"
                    )
            if description is not None:
                updated.description = description
            updated.update_date = time.time()
            await self._store.put_qualified("aliases", arn, alias.machine_arn, updated.to_record())
            self._aliases[arn] = updated
            return updated

    async def delete_alias(self, arn: str, scope: Scope) -> None:
        _base, qualifier = split_qualified(arn)
        if qualifier is None or qualifier.isdigit():
            raise InvalidArnError(f"Invalid Arn: '{arn}'")
        async with self._lock:
            if arn in self._aliases and scope.owns(arn):
                await self._store.delete_qualified("aliases", arn)
                del self._aliases[arn]

    # -- what an execution runs --------------------------------------------------------
    def resolve(self, arn: str, scope: Scope, *, choose: random.Random | None = None) -> RunTarget:
        """The machine, version or alias an ARN names, as a StartExecution target; an
        alias picks one of its versions by weight."""
        base, qualifier = split_qualified(arn)
        if qualifier is None:
            machine = self._machines.get(arn, scope)
            return RunTarget(machine, machine.definition, machine.role_arn, machine.revision_id)
        machine = self._machines.get(base, scope)
        alias: AliasRecord | None = None
        if qualifier.isdigit():
            version = self.version(arn, scope)
        else:
            found = self._aliases.get(arn) if scope.owns(arn) else None
            if found is None:
                raise StateMachineNotFound(f"State Machine Does Not Exist: '{arn}'")
            alias = found
            version = self.version(_pick(alias.routing, choose or random), scope)
        return RunTarget(
            machine,
            version.definition,
            version.role_arn,
            version.revision_id,
            version_arn=version.arn,
            alias_arn=alias.arn if alias else None,
        )

    async def _machine_deleted(self, machine_arn: str) -> None:
        """DeleteStateMachine removes the machine's versions and aliases with it."""
        await self._store.delete_machine_qualified(machine_arn)
        for arn in [a for a, v in self._versions.items() if v.machine_arn == machine_arn]:
            del self._versions[arn]
        for arn in [a for a, v in self._aliases.items() if v.machine_arn == machine_arn]:
            del self._aliases[arn]
        self._last_number.pop(machine_arn, None)


def _same_revision(machine: MachineRecord, revision_id: str) -> bool:
    """``INITIAL`` names the revision a machine was created with (AWS's revisionId doc)."""
    if revision_id == "INITIAL":
        return machine.update_date == machine.creation_date
    return revision_id == machine.revision_id


def _pick(routing: list[dict[str, Any]], choose: random.Random | Any) -> str:
    """A version of the routing, drawn by weight (a weight of 0 is never drawn)."""
    draw = choose.randrange(100)
    for route in routing:
        draw -= int(route["weight"])
        if draw < 0:
            return str(route["stateMachineVersionArn"])
    return str(routing[-1]["stateMachineVersionArn"])
