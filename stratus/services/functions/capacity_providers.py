"""Capacity providers (Lambda Managed Instances): account-level records functions name.

On AWS a capacity provider is a fleet of EC2 instances in the caller's VPC that runs the
functions naming it. Stratus has no EC2: it stores the providers with their VPC,
permissions, instance requirements, scaling, tag propagation and telemetry settings, lists
the function versions that name one, and keeps one in use from being deleted; the
functions themselves run on Stratus's own runtime like any other (docs/functions.md).

A provider reports ``Pending`` for a moment after CreateCapacityProvider (AWS creates it
asynchronously, and tools such as terraform wait for ``Active``), then ``Active``.
Stored in their own table, loaded at start, so they survive a restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from stratus.services.functions.errors import Conflict, InvalidParameter, NotFound
from stratus.services.functions.model import _Record, now_iso
from stratus.services.scope import Scope

# How long a new provider reports Pending: long enough for a client's waiter to see it,
# short enough that nobody waits on a fleet that does not exist.
PENDING_SECONDS = 0.2
STATES = ("Pending", "Active", "Failed", "Deleting")


class CapacityProviderStore(Protocol):
    """What this service needs from storage (``sqlite/capacity_providers.py``)."""

    async def load(self) -> list[dict[str, Any]]: ...
    async def put(self, arn: str, record: dict[str, Any]) -> None: ...
    async def delete(self, arn: str) -> None: ...


@dataclass(slots=True)
class CapacityProvider(_Record):
    name: str
    arn: str
    vpc_config: dict[str, Any]
    permissions_config: dict[str, Any]
    instance_requirements: dict[str, Any]
    scaling_config: dict[str, Any]
    kms_key_arn: str | None = None
    propagate_tags: dict[str, Any] | None = None
    telemetry_config: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)
    last_modified: str = field(default_factory=now_iso)

    def state(self, now: float | None = None) -> str:
        elapsed = (time.time() if now is None else now) - self.created_at
        return "Pending" if 0 <= elapsed < PENDING_SECONDS else "Active"


def capacity_provider_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:lambda:{scope.region}:{scope.account}:capacity-provider:{name}"


def not_found(arn: str) -> NotFound:
    return NotFound(f"Capacity provider not found: {arn}")


def check_instance_requirements(requirements: dict[str, Any]) -> dict[str, Any]:
    """Lambda's rule the model cannot express; the defaults Lambda reports filled in."""
    if requirements.get("AllowedInstanceTypes") and requirements.get("ExcludedInstanceTypes"):
        raise InvalidParameter(
            "AllowedInstanceTypes and ExcludedInstanceTypes cannot be specified together."
        )
    return {"Architectures": ["x86_64"], **requirements}


def check_scaling_config(config: dict[str, Any]) -> dict[str, Any]:
    """ScalingPolicies are Manual mode's; Auto (the default) scales by itself."""
    mode = config.get("ScalingMode", "Auto")
    if mode == "Manual" and not config.get("ScalingPolicies"):
        raise InvalidParameter("ScalingPolicies must be specified when ScalingMode is Manual.")
    if mode == "Auto" and config.get("ScalingPolicies"):
        raise InvalidParameter("ScalingPolicies can only be specified when ScalingMode is Manual.")
    return {**config, "ScalingMode": mode}


def check_propagate_tags(config: dict[str, Any]) -> dict[str, Any]:
    if config.get("ExplicitTags") and config.get("Mode", "None") != "Explicit":
        raise InvalidParameter("ExplicitTags can only be specified when Mode is Explicit.")
    return dict(config)


class CapacityProviders:
    def __init__(
        self,
        store: CapacityProviderStore,
        users: Callable[[str], Iterable[tuple[str, str]]],
    ) -> None:
        """``users(arn)``: the (qualified function ARN, state) of each function version
        that names the provider (the registry answers; this service does not own it)."""
        self._store = store
        self._users = users
        self._providers: dict[str, CapacityProvider] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        for record in await self._store.load():
            provider = CapacityProvider.from_record(record)
            self._providers[provider.arn] = provider

    def arn_of(self, scope: Scope, value: str) -> str:
        """The ARN a CapacityProviderName (a name or an ARN) names."""
        return value if value.startswith("arn:") else capacity_provider_arn(scope, value)

    def get(self, arn: str) -> CapacityProvider:
        provider = self._providers.get(arn)
        if provider is None:
            raise not_found(arn)
        return provider

    def exists(self, arn: str) -> bool:
        return arn in self._providers

    def all(self, scope: Scope, state: str | None = None) -> list[CapacityProvider]:
        prefix = scope.arn_prefix("lambda")
        now = time.time()
        return [
            p
            for arn, p in sorted(self._providers.items())
            if arn.startswith(prefix) and (state is None or p.state(now) == state)
        ]

    def function_versions(self, arn: str) -> list[tuple[str, str]]:
        self.get(arn)
        return sorted(self._users(arn))

    async def create(
        self,
        scope: Scope,
        name: str,
        *,
        vpc_config: dict[str, Any],
        permissions_config: dict[str, Any],
        instance_requirements: dict[str, Any] | None = None,
        scaling_config: dict[str, Any] | None = None,
        kms_key_arn: str | None = None,
        propagate_tags: dict[str, Any] | None = None,
        telemetry_config: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
    ) -> CapacityProvider:
        arn = self.arn_of(scope, name)
        provider = CapacityProvider(
            name=arn.rsplit(":", 1)[1],
            arn=arn,
            vpc_config={
                "SubnetIds": list(vpc_config["SubnetIds"]),
                "SecurityGroupIds": list(vpc_config["SecurityGroupIds"]),
            },
            permissions_config=dict(permissions_config),
            instance_requirements=check_instance_requirements(instance_requirements or {}),
            scaling_config=check_scaling_config(scaling_config or {}),
            kms_key_arn=kms_key_arn,
            propagate_tags=None if propagate_tags is None else check_propagate_tags(propagate_tags),
            telemetry_config=None if telemetry_config is None else dict(telemetry_config),
            tags=dict(tags or {}),
        )
        async with self._lock:
            if arn in self._providers:
                raise Conflict(f"Capacity provider already exists: {arn}")
            await self._store.put(arn, provider.to_record())
            self._providers[arn] = provider
        return provider

    async def update(
        self,
        arn: str,
        *,
        scaling_config: dict[str, Any] | None = None,
        propagate_tags: dict[str, Any] | None = None,
        telemetry_config: dict[str, Any] | None = None,
    ) -> CapacityProvider:
        async with self._lock:
            current = self.get(arn)
            provider = replace(
                current,
                scaling_config=current.scaling_config
                if scaling_config is None
                else check_scaling_config(scaling_config),
                propagate_tags=current.propagate_tags
                if propagate_tags is None
                else check_propagate_tags(propagate_tags),
                telemetry_config=current.telemetry_config
                if telemetry_config is None
                else dict(telemetry_config),
                last_modified=now_iso(),
            )
            await self._store.put(arn, provider.to_record())
            self._providers[arn] = provider
            return provider

    async def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        async with self._lock:
            provider = replace(self.get(arn), tags=dict(tags))
            await self._store.put(arn, provider.to_record())
            self._providers[arn] = provider

    async def delete(self, arn: str) -> CapacityProvider:
        async with self._lock:
            provider = self.get(arn)
            users = list(self._users(arn))
            if users:
                raise Conflict(
                    f"Capacity provider {arn} is in use by function versions: "
                    + ", ".join(function_arn for function_arn, _ in sorted(users)[:5])
                )
            await self._store.delete(arn)
            del self._providers[arn]
            return provider
