"""Provisioned concurrency configs: what a version or alias asks to keep initialized.

A config is stored in the function's record (``FunctionRecord.provisioned_configs``,
qualifier -> requested count and LastModified), so it survives a restart; the runtime's
:class:`~stratus.runtime.provisioning.Provisioner` does the keeping warm. This service
checks a request the way Lambda does, stores it, and tells the provisioner; whenever the
function changes (an alias repointed, a version or the function deleted) it reconciles
the provisioner with the stored configs. Status is read live from the provisioner:
IN_PROGRESS while environments are being initialized, READY once all are, FAILED when an
init failed. See
https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
"""

from __future__ import annotations

from dataclasses import dataclass

from stratus.runtime.environment import FunctionSpec
from stratus.runtime.limits import Limits
from stratus.runtime.provisioning import Provisioner
from stratus.services.functions.errors import (
    Conflict,
    InvalidParameter,
    NotFound,
    ProvisionedConfigNotFound,
    Validation,
)
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.model import LATEST, now_iso
from stratus.services.functions.names import VERSION_NUMBER, qualified, validation_message
from stratus.services.functions.registry import FunctionRegistry

IN_PROGRESS, READY, FAILED = "IN_PROGRESS", "READY", "FAILED"

UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
NOT_PUBLISHED = "The function resource provided must be an alias or a published version."
NO_CONFIG = "No Provisioned Concurrency Config found for this function"


@dataclass(frozen=True, slots=True)
class ProvisionedConfig:
    """One config with its live allocation, in Lambda's terms."""

    function_arn: str  # qualified with the alias or version
    requested: int
    allocated: int
    available: int
    status: str  # IN_PROGRESS, READY or FAILED
    status_reason: str | None
    last_modified: str


class ProvisionedConcurrency:
    def __init__(
        self,
        registry: FunctionRegistry,
        invocations: Invocations,
        provisioner: Provisioner,
        limits: Limits,
    ) -> None:
        self._registry = registry
        self._invocations = invocations
        self._provisioner = provisioner
        self._limits = limits
        registry.on_change(self._reconcile)

    def restore(self) -> None:
        """After a restart: provision every stored config again."""
        for name in self._registry.names():
            self._reconcile(name)

    # -- operations ------------------------------------------------------------------
    async def put(self, name: str, qualifier: str | None, count: int) -> ProvisionedConfig:
        if count < 1:
            raise Validation(
                validation_message(
                    str(count),
                    "provisionedConcurrentExecutions",
                    "Member must have value greater than or equal to 1",
                )
            )
        if qualifier is None or qualifier == LATEST:
            raise InvalidParameter(UNPUBLISHED)
        version = self._target_version(name, qualifier)
        if version == LATEST:
            raise InvalidParameter(UNPUBLISHED)
        record = self._registry.record(name)
        configs = record.provisioned_configs
        self._check_overlap(name, qualifier, version, set(configs))
        self._check_limits(name, qualifier, count)
        last_modified = now_iso()
        updated = dict(configs)
        updated[qualifier] = {"requested": count, "last_modified": last_modified}
        await self._registry.update_record(name, provisioned_configs=updated)
        self._provision(name, qualifier, count)
        # Lambda answers a Put before any environment is ready: always IN_PROGRESS, 0 of N.
        return ProvisionedConfig(
            qualified(name, qualifier),
            count,
            0,
            0,
            IN_PROGRESS,
            None,
            last_modified,
        )

    def get(self, name: str, qualifier: str | None) -> ProvisionedConfig:
        if qualifier is None or qualifier == LATEST:
            raise InvalidParameter(NOT_PUBLISHED)
        self._target_version(name, qualifier)
        config = self._registry.record(name).provisioned_configs.get(qualifier)
        if config is None:
            raise ProvisionedConfigNotFound(NO_CONFIG)
        return self._live(name, qualifier, config)

    async def delete(self, name: str, qualifier: str | None) -> None:
        """Lambda answers 204 also when the target has no config (delete is idempotent)."""
        if qualifier is None or qualifier == LATEST:
            raise InvalidParameter(NOT_PUBLISHED)
        self._target_version(name, qualifier)
        configs = self._registry.record(name).provisioned_configs
        if qualifier in configs:
            remaining = {q: c for q, c in configs.items() if q != qualifier}
            await self._registry.update_record(name, provisioned_configs=remaining)
        self._provisioner.unprovision(_target(name, qualifier))

    def list(self, name: str) -> list[ProvisionedConfig]:
        configs = self._registry.record(name).provisioned_configs
        found = []
        for qualifier in sorted(configs):
            if self._resolves(name, qualifier):
                found.append(self._live(name, qualifier, configs[qualifier]))
        return found

    def reserved_by(self, name: str) -> int:
        """Concurrency the function's provisioned configs hold."""
        return sum(c["requested"] for c in self._registry.record(name).provisioned_configs.values())

    # -- checks ----------------------------------------------------------------------
    def _target_version(self, name: str, qualifier: str) -> str:
        """The version a qualifier names; NotFound as Lambda words it for each kind."""
        if VERSION_NUMBER.match(qualifier):
            return self._registry.resolve(name, qualifier).version  # "Function not found"
        return self._registry.alias(name, qualifier).function_version  # "Cannot find alias"

    def _check_overlap(self, name: str, qualifier: str, version: str, configured: set[str]) -> None:
        """One config per environment set: not on an alias and the version it points to."""
        if not VERSION_NUMBER.match(qualifier):
            if version in configured:
                raise Conflict(
                    "Alias can't be used for Provisioned Concurrency configuration on an "
                    "already Provisioned version"
                )
            return
        for alias in self._registry.aliases(name):
            if alias.function_version == qualifier and alias.name in configured:
                raise Conflict("Version is pointed by a Provisioned Concurrency alias")

    def _check_limits(self, name: str, qualifier: str, count: int) -> None:
        """Provisioned concurrency comes out of the function's reserved concurrency, or
        else out of the account's unreserved pool, which keeps its minimum."""
        limits = self._limits
        reserved = self._registry.record(name).reserved_concurrency
        others_here = self.reserved_by(name) - self._requested(name, qualifier)
        if reserved is not None:
            if others_here + count > reserved:
                raise InvalidParameter(
                    "Requested Provisioned Concurrency should not be greater than the "
                    "reservedConcurrentExecution for function"
                )
            return
        unreserved = limits.account_concurrency - self._registry.reserved_total()
        if count > unreserved:
            raise InvalidParameter(
                "Specified ConcurrentExecutions for function is greater than account's "
                f"unreserved concurrency [{unreserved}]."
            )
        provisioned_unreserved = others_here + sum(
            self.reserved_by(other)
            for other in self._registry.names()
            if other != name and self._registry.record(other).reserved_concurrency is None
        )
        if unreserved - provisioned_unreserved - count < limits.unreserved_concurrency_min:
            raise InvalidParameter(
                "Specified ConcurrentExecutions for function decreases account's "
                "UnreservedConcurrentExecution below its minimum value of "
                f"[{limits.unreserved_concurrency_min}]."
            )

    def _requested(self, name: str, qualifier: str) -> int:
        config = self._registry.record(name).provisioned_configs.get(qualifier)
        return 0 if config is None else int(config["requested"])

    # -- keeping the runtime in step -------------------------------------------------
    def _provision(self, name: str, qualifier: str, count: int) -> None:
        async def resolve() -> FunctionSpec:
            return await self._invocations.spec_for(self._registry.resolve(name, qualifier))

        self._provisioner.provision(_target(name, qualifier), count, resolve)

    def _reconcile(self, name: str) -> None:
        """Make the provisioner match the stored configs of ``name`` (after any change)."""
        prefix = _target(name, "")
        try:
            configs = self._registry.record(name).provisioned_configs
        except NotFound:
            configs = {}
        wanted = {q for q in configs if self._resolves(name, q)}
        for target in self._provisioner.targets():
            if target.startswith(prefix) and target[len(prefix) :] not in wanted:
                self._provisioner.unprovision(target)
        for qualifier in wanted:
            target = _target(name, qualifier)
            if target in self._provisioner.targets():
                self._provisioner.refresh(target)
            else:
                self._provision(name, qualifier, int(configs[qualifier]["requested"]))

    def _resolves(self, name: str, qualifier: str) -> bool:
        """Whether the config's alias or version still exists (and is published)."""
        try:
            return self._registry.resolve(name, qualifier).version != LATEST
        except NotFound:
            return False

    def _live(self, name: str, qualifier: str, config: dict[str, object]) -> ProvisionedConfig:
        requested = int(str(config["requested"]))
        stats = self._provisioner.statistics(_target(name, qualifier))
        allocated = stats.allocated if stats is not None else 0
        failure = stats.failure if stats is not None else None
        if failure is not None:
            status = FAILED
        elif allocated >= requested:
            status = READY
        else:
            status = IN_PROGRESS
        return ProvisionedConfig(
            qualified(name, qualifier),
            requested,
            allocated,
            allocated,
            status,
            failure,
            str(config["last_modified"]),
        )


def _target(name: str, qualifier: str) -> str:
    """The provisioner's name for a function's alias or version (names hold no ':')."""
    return f"{name}:{qualifier}"
