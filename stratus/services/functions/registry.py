"""The function registry: functions, versions, aliases and their function-wide settings.

Functions are keyed by their id, the unqualified ARN (``names.py``): a name in one account
and region is another function than the same name elsewhere, and every message that names a
function already has its ARN. State lives in memory for fast reads (every Invoke resolves a
function) and is written
through to the store before any change is acknowledged. One lock per function keeps
concurrent changes to the same function from interleaving across awaits.

Lifecycle, as Lambda reports it: CreateFunction stores the zip durably and answers with
``State: Pending``; UpdateFunctionCode/Configuration answer with ``LastUpdateStatus:
InProgress``. The code (and layers) are then extracted by :meth:`run` in the background,
and the function becomes ``Active``/``Successful`` (see :meth:`settle`). Whoever needs the
code ready before then (an Invoke, a PublishVersion, the next update) settles it inline
instead of failing: AWS's SDK waiters, SAM, CDK and terraform wait for Active anyway, and
clients (and our own tests) that invoke right after CreateFunction keep working.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Callable
from typing import Any

from stratus.runtime.limits import Limits
from stratus.services.functions.code import CodeStore
from stratus.services.functions.errors import (
    Conflict,
    InvalidParameter,
    NotFound,
    PreconditionFailed,
)
from stratus.services.functions.layers import LayerRegistry
from stratus.services.functions.model import (
    LATEST,
    AliasConfig,
    FunctionConfig,
    FunctionRecord,
    new_revision,
    now_iso,
)
from stratus.services.functions.names import (
    VERSION_NUMBER,
    name_of,
    qualified,
)
from stratus.services.functions.policy_records import PolicyRecords
from stratus.services.functions.repository import FunctionStore
from stratus.services.functions.settings import (
    FunctionSettings,
    check_settings,
    merge_logging_config,
)
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

BEING_CREATED = "The function is being created."
READ_SETTLE_WAIT_S = 1.0  # how long a Get waits for a Pending function (resolve_settled)
STALE_REVISION = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
    "API to retrieve the latest Revision Id"
)

ChangeListener = Callable[[str], None]


def is_settled(config: FunctionConfig) -> bool:
    """True once the version's code is ready (neither being created nor being updated)."""
    return config.state != "Pending" and config.last_update_status != "InProgress"


class FunctionRegistry(PolicyRecords):
    def __init__(
        self,
        store: FunctionStore,
        code: CodeStore,
        layers: LayerRegistry,
        limits: Limits,
    ) -> None:
        self._store = store
        self._code = code
        self._layers = layers
        self.limits = limits
        self._functions: dict[str, FunctionRecord] = {}
        self._latest: dict[str, FunctionConfig] = {}
        self._versions: dict[str, dict[str, FunctionConfig]] = {}
        self._aliases: dict[str, dict[str, AliasConfig]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._listeners: list[ChangeListener] = []
        self._settled_listeners: list[Callable[[FunctionConfig], None]] = []
        self._unsettled: asyncio.Queue[str] = asyncio.Queue()

    async def load(self) -> None:
        snapshot = await self._store.load()
        for name, record in snapshot.functions.items():
            function = FunctionRecord.from_record(record)
            self._functions[name] = function
            self._latest[name] = FunctionConfig.from_record(function.config)
            self._versions[name] = {
                v: FunctionConfig.from_record(r) for v, r in snapshot.versions.get(name, {}).items()
            }
            self._aliases[name] = {
                a: AliasConfig.from_record(r) for a, r in snapshot.aliases.get(name, {}).items()
            }
            if not is_settled(self._latest[name]):  # acknowledged, then the server stopped
                self._unsettled.put_nowait(name)

    def on_change(self, listener: ChangeListener) -> None:
        """Called with a function's name whenever its configuration or code changes."""
        self._listeners.append(listener)

    def _changed(self, name: str) -> None:
        for listener in self._listeners:
            listener(name)

    def on_settled(self, listener: Callable[[FunctionConfig], None]) -> None:
        """Called with a $LATEST configuration once its code is ready (Active)."""
        self._settled_listeners.append(listener)

    def _lock(self, name: str) -> asyncio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock

    # -- lookups ---------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every function's id (its unqualified ARN), across accounts and regions."""
        return sorted(self._functions)

    def ids_in(self, scope: Scope) -> list[str]:
        """The ids of the functions of one account and region, by name."""
        prefix = scope.arn_prefix("lambda")
        return sorted(fid for fid in self._functions if fid.startswith(prefix))

    def record(self, name: str) -> FunctionRecord:
        function = self._functions.get(name)
        if function is None:
            raise NotFound(f"Function not found: {name}")
        return function

    def latest(self, name: str) -> FunctionConfig:
        self.record(name)
        return self._latest[name]

    def versions(self, name: str) -> list[FunctionConfig]:
        self.record(name)
        published = sorted(self._versions[name].values(), key=lambda c: int(c.version))
        return [self._latest[name], *published]

    def aliases(self, name: str) -> list[AliasConfig]:
        self.record(name)
        return sorted(self._aliases[name].values(), key=lambda a: a.name)

    def alias(self, name: str, alias: str) -> AliasConfig:
        self.latest(name)
        found = self._aliases[name].get(alias)
        if found is None:
            raise NotFound(f"Cannot find alias arn: {qualified(name, alias)}")
        return found

    def resolve(self, name: str, qualifier: str | None) -> FunctionConfig:
        """The configuration a qualifier names: $LATEST, a version, or an alias's primary."""
        latest = self.latest(name)
        if qualifier is None or qualifier == LATEST:
            return latest
        if VERSION_NUMBER.match(qualifier):
            config = self._versions[name].get(qualifier)
            if config is None:
                raise NotFound(f"Function not found: {qualified(name, qualifier)}")
            return config
        alias = self._aliases[name].get(qualifier)
        if alias is None:
            raise NotFound(f"Function not found: {qualified(name, qualifier)}")
        return self.resolve(name, alias.function_version)

    def route(self, name: str, qualifier: str | None) -> FunctionConfig:
        """Like resolve, but an alias with routing weights picks a version at random."""
        if qualifier is not None and not VERSION_NUMBER.match(qualifier) and qualifier != LATEST:
            alias = self._aliases.get(name, {}).get(qualifier)
            if alias is not None and alias.routing_weights:
                draw = random.random()
                for version, weight in alias.routing_weights.items():
                    if draw < weight:
                        return self.resolve(name, version)
                    draw -= weight
                return self.resolve(name, alias.function_version)
        return self.resolve(name, qualifier)

    # -- create / update / delete ----------------------------------------------------
    async def create(
        self,
        name: str,
        settings: FunctionSettings,
        zip_bytes: bytes,
        *,
        publish: bool = False,
        tags: dict[str, str] | None = None,
    ) -> FunctionConfig:
        check_settings(settings, self.limits, creating=True)
        async with self._lock(name):
            if name in self._functions:
                raise Conflict(f"Function already exist: {name_of(name)}")
            layers = await self._layers.uses(settings.layers or [])
            artifact = await self._code.add(
                zip_bytes, extract=False, layers_size=await self._unzipped(layers)
            )
            assert settings.runtime and settings.role and settings.handler
            config = FunctionConfig(
                name=name_of(name),
                arn=name,
                region=name.split(":")[3],  # the id is the function's ARN
                runtime=settings.runtime,
                role=settings.role,
                handler=settings.handler,
                code_sha256=artifact.sha256_b64,
                code_digest=artifact.digest,
                code_size=artifact.size,
                layers=layers,
                logging_config={"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name_of(name)}"},
                state="Pending",
                state_reason=BEING_CREATED,
                state_reason_code="Creating",
                last_update_status="InProgress",
                last_update_status_reason=BEING_CREATED,
                last_update_status_reason_code="Creating",
            )
            _apply(config, settings)
            function = FunctionRecord(config=config.to_record(), tags=dict(tags or {}))
            await self._store.put_function(name, function.to_record())
            self._functions[name] = function
            self._latest[name] = config
            self._versions[name] = {}
            self._aliases[name] = {}
        self._unsettled.put_nowait(name)
        if publish:
            return await self.publish(name)
        return config

    async def update_code(
        self,
        name: str,
        zip_bytes: bytes,
        *,
        publish: bool = False,
        revision_id: str | None = None,
        architectures: list[str] | None = None,
    ) -> FunctionConfig:
        async with self._lock(name):
            current = await self._settled_locked(name)
            _check_revision(current.revision_id, revision_id)
            artifact = await self._code.add(
                zip_bytes, extract=False, layers_size=await self._unzipped(current.layers)
            )
            config = _updating(
                dataclasses.replace(
                    current,
                    code_sha256=artifact.sha256_b64,
                    code_digest=artifact.digest,
                    code_size=artifact.size,
                    architectures=architectures or current.architectures,
                    last_modified=now_iso(),
                    revision_id=new_revision(),
                )
            )
            await self._save_latest(name, config)
        self._unsettled.put_nowait(name)
        self._changed(name)
        if publish:
            return await self.publish(name)
        return config

    async def update_configuration(
        self, name: str, settings: FunctionSettings, *, revision_id: str | None = None
    ) -> FunctionConfig:
        check_settings(settings, self.limits, creating=False)
        async with self._lock(name):
            current = await self._settled_locked(name)
            _check_revision(current.revision_id, revision_id)
            if (
                settings.runtime not in (None, current.runtime)
                and current.update_runtime_on == "Manual"
            ):
                raise InvalidParameter(
                    "Cannot change runtime identifier when runtime management configuration is "
                    "set to 'Manual'. Change the runtime management configuration to 'Auto' or "
                    "'FunctionUpdate', then retry."
                )
            config = _updating(
                dataclasses.replace(current, last_modified=now_iso(), revision_id=new_revision())
            )
            if settings.layers is not None:
                config.layers = await self._layers.uses(settings.layers)
                self._code.check_combined(
                    await self._code.unzipped_size(current.code_digest)
                    + await self._unzipped(config.layers)
                )
            _apply(config, settings)
            await self._save_latest(name, config)
        self._unsettled.put_nowait(name)
        self._changed(name)
        return config

    # -- lifecycle -------------------------------------------------------------------
    async def run(self) -> None:
        """Settle every function whose code is not ready yet, as soon as it is queued."""
        async with asyncio.TaskGroup() as tasks:
            while True:
                name = await self._unsettled.get()
                tasks.create_task(self._settle_quietly(name), name=f"settle:{name}")

    async def _settle_quietly(self, name: str) -> None:
        """Never fails the TaskGroup (and with it the platform's other background work)."""
        try:
            await self.settle(name)
        except NotFound:
            pass  # deleted before its code was ready
        except Exception:  # the store closing at shutdown; the next start settles it
            log.exception("settling function %s failed", name)

    async def settle(self, name: str) -> FunctionConfig:
        """Make the $LATEST code ready (extracted) and mark it Active/Successful."""
        async with self._lock(name):
            return await self._settled_locked(name)

    async def wait_settled(self, name: str, timeout: float) -> FunctionConfig:
        """The $LATEST configuration once settled, or as it is after ``timeout`` seconds."""
        config = self.latest(name)
        if is_settled(config):
            return config
        try:
            async with asyncio.timeout(timeout):
                return await self.settle(name)
        except TimeoutError:
            return self.latest(name)

    async def resolve_settled(
        self, name: str, qualifier: str | None, timeout: float = READ_SETTLE_WAIT_S
    ) -> FunctionConfig:
        """Like :meth:`resolve`, but a $LATEST not ready yet gets ``timeout`` s to settle.

        For GetFunction/GetFunctionConfiguration: boto3's waiters poll them and sleep 1 s
        (``function_active_v2``) to 5 s (``function_active``, ``function_updated``) after a
        Pending or InProgress answer, delays tuned for AWS's seconds-long transitions. Ours
        take milliseconds, so a read waits for them briefly rather than sending every SDK
        user to sleep; a package that takes longer to extract still reads as Pending.
        """
        if qualifier is None or qualifier == LATEST:
            await self.wait_settled(name, timeout)
        return self.resolve(name, qualifier)

    async def _settled_locked(self, name: str) -> FunctionConfig:
        current = self.latest(name)
        if is_settled(current):
            return current
        try:
            await self._code.ensure_extracted(current.code_digest)
            for use in current.layer_uses():
                await self._code.ensure_extracted(use.code_digest)
        except Exception as exc:  # the blob is gone or the disk is full: Lambda's Failed
            log.exception("preparing the code of function %s failed", name)
            failed = dataclasses.replace(
                current,
                state="Failed" if current.state == "Pending" else current.state,
                state_reason=f"Preparing the function's code failed: {exc}",
                state_reason_code="InternalError",
                last_update_status="Failed",
                last_update_status_reason=f"Preparing the function's code failed: {exc}",
                last_update_status_reason_code="InternalError",
            )
            await self._save_latest(name, failed)
            return failed
        ready = dataclasses.replace(
            current,
            state="Active",
            state_reason=None,
            state_reason_code=None,
            last_update_status="Successful",
            last_update_status_reason=None,
            last_update_status_reason_code=None,
        )
        await self._save_latest(name, ready)
        for listener in self._settled_listeners:
            listener(ready)
        return ready

    async def _unzipped(self, layers: list[dict[str, object]]) -> int:
        """The unzipped size of a function's layers, for Lambda's combined limit."""
        return sum([await self._code.unzipped_size(str(use["code_digest"])) for use in layers])

    async def _save_latest(self, name: str, config: FunctionConfig) -> None:
        function = dataclasses.replace(self._functions[name], config=config.to_record())
        await self._store.put_function(name, function.to_record())
        self._functions[name] = function
        self._latest[name] = config

    async def delete(self, name: str, qualifier: str | None = None) -> None:
        async with self._lock(name):
            self.latest(name)
            if qualifier is None:
                await self._store.delete_function(name)
                del self._functions[name]
                del self._latest[name]
                self._versions.pop(name, None)
                self._aliases.pop(name, None)
            else:
                if qualifier == LATEST:
                    raise InvalidParameter(
                        "$LATEST version cannot be deleted without deleting the function."
                    )
                if not VERSION_NUMBER.match(qualifier):
                    raise InvalidParameter("Deletion of aliases is not currently supported.")
                if qualifier not in self._versions[name]:
                    raise NotFound(f"Function not found: {qualified(name, qualifier)}")
                users = [
                    a.name
                    for a in self._aliases[name].values()
                    if a.function_version == qualifier or qualifier in a.routing_weights
                ]
                if users:
                    raise Conflict(
                        "Unable to delete version because the following aliases reference it: "
                        f"[{', '.join(users)}]"
                    )
                await self._store.delete_version(name, qualifier)
                del self._versions[name][qualifier]
                await self._drop_policy(name, qualifier)
        self._changed(name)

    # -- versions --------------------------------------------------------------------
    async def publish(
        self,
        name: str,
        *,
        code_sha256: str | None = None,
        description: str | None = None,
        revision_id: str | None = None,
    ) -> FunctionConfig:
        async with self._lock(name):
            latest = await self._settled_locked(name)
            _check_revision(latest.revision_id, revision_id)
            if code_sha256 is not None and code_sha256 != latest.code_sha256:
                raise InvalidParameter(
                    f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
                    f"({latest.code_sha256}). Please try again with the CodeSHA256 in $LATEST."
                )
            function = self._functions[name]
            newest = self._versions[name].get(str(function.last_version))
            if (
                newest is not None
                and _same_content(newest, latest)
                and (description is None or description == newest.description)
            ):
                return newest
            number = str(function.last_version + 1)
            config = dataclasses.replace(
                latest,
                version=number,
                description=latest.description if description is None else description,
                last_modified=now_iso(),
                revision_id=new_revision(),
                environment=dict(latest.environment) if latest.environment else latest.environment,
                layers=[dict(layer) for layer in latest.layers],
            )
            await self._store.put_version(name, number, config.to_record())
            self._versions[name][number] = config
            function = dataclasses.replace(function, last_version=int(number))
            await self._store.put_function(name, function.to_record())
            self._functions[name] = function
            return config

    # -- aliases ---------------------------------------------------------------------
    async def create_alias(
        self,
        name: str,
        alias: str,
        function_version: str,
        *,
        description: str = "",
        routing_weights: dict[str, float] | None = None,
    ) -> AliasConfig:
        async with self._lock(name):
            self.latest(name)
            if alias in self._aliases[name]:
                raise Conflict(f"Alias already exists: {qualified(name, alias)}")
            self._check_alias_target(name, function_version, routing_weights or {})
            config = AliasConfig(
                name=alias,
                function_name=name,
                arn=qualified(name, alias),
                function_version=function_version,
                description=description,
                routing_weights=dict(routing_weights or {}),
            )
            await self._store.put_alias(name, alias, config.to_record())
            self._aliases[name][alias] = config
            return config

    async def update_alias(
        self,
        name: str,
        alias: str,
        *,
        function_version: str | None = None,
        description: str | None = None,
        routing_weights: dict[str, float] | None = None,
        revision_id: str | None = None,
    ) -> AliasConfig:
        async with self._lock(name):
            current = self.alias(name, alias)
            _check_revision(current.revision_id, revision_id)
            version = function_version or current.function_version
            weights = current.routing_weights if routing_weights is None else routing_weights
            self._check_alias_target(name, version, weights)
            config = dataclasses.replace(
                current,
                function_version=version,
                description=current.description if description is None else description,
                routing_weights=dict(weights),
                revision_id=new_revision(),
            )
            await self._store.put_alias(name, alias, config.to_record())
            self._aliases[name][alias] = config
        self._changed(name)  # what the alias resolves to may differ (provisioned concurrency)
        return config

    async def delete_alias(self, name: str, alias: str) -> None:
        async with self._lock(name):
            self.latest(name)
            if alias in self._aliases[name]:
                await self._store.delete_alias(name, alias)
                del self._aliases[name][alias]
                await self._drop_policy(name, alias)
        self._changed(name)

    def _check_alias_target(self, name: str, version: str, weights: dict[str, float]) -> None:
        if version != LATEST and version not in self._versions[name]:
            raise NotFound(f"Function not found: {qualified(name, version)}")
        if not weights:
            return
        if len(weights) > 1:
            raise InvalidParameter(
                "Number of items in AdditionalVersionWeights cannot be greater than 1"
            )
        if version == LATEST:
            raise InvalidParameter(
                "$LATEST is not supported for an alias pointing to more than 1 version"
            )
        for extra in weights:
            if extra == version:
                raise InvalidParameter(
                    f"Invalid function version {extra}. Function version {extra} is already "
                    "included in routing configuration."
                )
            if extra not in self._versions[name]:
                raise InvalidParameter(f"Function version {extra} does not exist")

    # -- function-wide settings ------------------------------------------------------
    async def update_record(self, name: str, **changes: Any) -> FunctionRecord:
        """Change tags, reserved concurrency or event invoke configs, durably."""
        async with self._lock(name):
            function = dataclasses.replace(self.record(name), **changes)
            await self._store.put_function(name, function.to_record())
            self._functions[name] = function
            return function

    # -- per-version settings ----------------------------------------------------------
    async def update_version(
        self, name: str, qualifier: str | None, **changes: Any
    ) -> FunctionConfig:
        """Change fields of $LATEST or a published version (runtime management), durably."""
        async with self._lock(name):
            if qualifier is None or qualifier == LATEST:
                config = dataclasses.replace(self.latest(name), **changes)
                await self._save_latest(name, config)
                return config
            current = self.resolve(name, qualifier)
            if current.version != qualifier:
                raise InvalidParameter(
                    "The qualifier parameter must be a function version or $LATEST."
                )
            config = dataclasses.replace(current, **changes)
            await self._store.put_version(name, qualifier, config.to_record())
            self._versions[name][qualifier] = config
            return config

    def reserved_concurrency(self) -> dict[str, int]:
        """Every function that has reserved concurrency, with it."""
        return {
            name: function.reserved_concurrency
            for name, function in self._functions.items()
            if function.reserved_concurrency is not None
        }

    def reserved_total(self, excluding: str | None = None) -> int:
        return sum(
            f.reserved_concurrency or 0
            for n, f in self._functions.items()
            if n != excluding and f.reserved_concurrency is not None
        )

    def total_code_size(self) -> int:
        total = 0
        for name, latest in self._latest.items():
            total += latest.code_size
            total += sum(v.code_size for v in self._versions.get(name, {}).values())
        return total


def _apply(config: FunctionConfig, settings: FunctionSettings) -> None:
    for field_name in (
        "runtime",
        "role",
        "handler",
        "description",
        "timeout",
        "memory_size",
        "architectures",
        "ephemeral_storage",
        "tracing_mode",
        "snap_start",
        "kms_key_arn",
        "vpc_config",
        "durable_config",
        "capacity_provider_config",
    ):
        value = getattr(settings, field_name)
        if value is not None:
            setattr(config, field_name, value)
    if settings.environment is not None:
        config.environment = dict(settings.environment)
    if settings.dead_letter_target is not None:
        config.dead_letter_target = settings.dead_letter_target or None
    if settings.logging_config is not None:
        config.logging_config = merge_logging_config(
            config.logging_config, settings.logging_config, config.name
        )


def _updating(config: FunctionConfig) -> FunctionConfig:
    """An update Lambda reports as in progress until the new code or settings are ready."""
    return dataclasses.replace(
        config,
        last_update_status="InProgress",
        last_update_status_reason=BEING_CREATED,
        last_update_status_reason_code="Creating",
    )


def _same_content(a: FunctionConfig, b: FunctionConfig) -> bool:
    ignored = {
        "version",
        "last_modified",
        "revision_id",
        "description",
        "state",
        "state_reason",
        "state_reason_code",
        "last_update_status",
        "last_update_status_reason",
        "last_update_status_reason_code",
    }
    left = {k: v for k, v in a.to_record().items() if k not in ignored}
    right = {k: v for k, v in b.to_record().items() if k not in ignored}
    return left == right


def _check_revision(current: str, given: str | None) -> None:
    if given is not None and given != current:
        raise PreconditionFailed(STALE_REVISION)
