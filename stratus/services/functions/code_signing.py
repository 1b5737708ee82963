"""Code signing configs: account-level records that functions point at.

Lambda checks a deployment package's signature against the config's allowed signing
profiles; Stratus stores and lists the configs and which functions use them, and does
not check signatures (there is no AWS Signer here): tools that create and attach them
(SAM, CDK, terraform) deploy unchanged. Stored in their own table, loaded at start.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from stratus.services.functions.errors import CodeSigningConfigNotFound, NotFound, Validation
from stratus.services.functions.model import _Record, now_iso
from stratus.services.functions.names import validation_message
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.scope import Scope

POLICIES = ("Warn", "Enforce")


class CodeSigningStore(Protocol):
    """What this service needs from storage (``sqlite/code_signing.py``)."""

    async def load(self) -> list[dict[str, Any]]: ...
    async def put(self, arn: str, record: dict[str, Any]) -> None: ...
    async def delete(self, arn: str) -> None: ...


@dataclass(slots=True)
class CodeSigningConfig(_Record):
    id: str
    arn: str
    signing_profile_version_arns: list[str]
    untrusted_artifact_on_deployment: str = "Warn"
    description: str = ""
    last_modified: str = field(default_factory=now_iso)
    tags: dict[str, str] = field(default_factory=dict)


class CodeSigningConfigs:
    def __init__(self, store: CodeSigningStore, registry: FunctionRegistry) -> None:
        self._store = store
        self._registry = registry
        self._configs: dict[str, CodeSigningConfig] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        for record in await self._store.load():
            config = CodeSigningConfig.from_record(record)
            self._configs[config.arn] = config

    # -- the configs -----------------------------------------------------------------
    def all(self, scope: Scope) -> list[CodeSigningConfig]:
        """The configs of one account and region (each has its own, as in AWS)."""
        prefix = scope.arn_prefix("lambda")
        return [
            c
            for c in sorted(self._configs.values(), key=lambda c: c.id)
            if c.arn.startswith(prefix)
        ]

    def get(self, arn: str) -> CodeSigningConfig:
        config = self._configs.get(arn)
        if config is None:
            raise NotFound(f"The Lambda code signing configuration {arn} can not be found.")
        return config

    async def create(
        self,
        scope: Scope,
        signing_profile_version_arns: list[str],
        *,
        untrusted_artifact_on_deployment: str | None = None,
        description: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> CodeSigningConfig:
        _check(signing_profile_version_arns, untrusted_artifact_on_deployment, description)
        config_id = f"csc-{secrets.token_hex(9)[:17]}"
        config = CodeSigningConfig(
            id=config_id,
            arn=(f"arn:aws:lambda:{scope.region}:{scope.account}:code-signing-config:{config_id}"),
            signing_profile_version_arns=list(signing_profile_version_arns),
            untrusted_artifact_on_deployment=untrusted_artifact_on_deployment or "Warn",
            description=description or "",
            tags=dict(tags or {}),
        )
        async with self._lock:
            await self._store.put(config.arn, config.to_record())
            self._configs[config.arn] = config
        return config

    async def update(
        self,
        arn: str,
        *,
        signing_profile_version_arns: list[str] | None = None,
        untrusted_artifact_on_deployment: str | None = None,
        description: str | None = None,
    ) -> CodeSigningConfig:
        _check(signing_profile_version_arns, untrusted_artifact_on_deployment, description)
        async with self._lock:
            current = self.get(arn)
            config = CodeSigningConfig(
                id=current.id,
                arn=current.arn,
                signing_profile_version_arns=list(
                    signing_profile_version_arns or current.signing_profile_version_arns
                ),
                untrusted_artifact_on_deployment=untrusted_artifact_on_deployment
                or current.untrusted_artifact_on_deployment,
                description=current.description if description is None else description,
                tags=current.tags,
            )
            await self._store.put(arn, config.to_record())
            self._configs[arn] = config
            return config

    async def delete(self, arn: str) -> None:
        async with self._lock:
            self.get(arn)
            await self._store.delete(arn)
            del self._configs[arn]

    # -- functions that use them -----------------------------------------------------
    def functions_using(self, arn: str) -> list[str]:
        """The unqualified ARNs of the functions attached to ``arn``, by name."""
        self.get(arn)
        return [
            self._registry.latest(name).arn
            for name in self._registry.names()
            if self._registry.record(name).code_signing_config_arn == arn
        ]

    def of_function(self, name: str) -> str | None:
        return self._registry.record(name).code_signing_config_arn

    async def attach(self, name: str, arn: str) -> None:
        self._registry.record(name)
        if arn not in self._configs:
            raise CodeSigningConfigNotFound(
                "The code signing configuration cannot be found. Check that the provided "
                f"configuration is not deleted: {arn}."
            )
        await self._registry.update_record(name, code_signing_config_arn=arn)

    async def detach(self, name: str) -> None:
        self._registry.record(name)
        await self._registry.update_record(name, code_signing_config_arn=None)


def _check(arns: list[str] | None, policy: str | None, description: str | None) -> None:
    if arns is not None and not 1 <= len(arns) <= 20:
        raise Validation(
            validation_message(
                str(arns),
                "allowedPublishers.signingProfileVersionArns",
                "Member must have length less than or equal to 20"
                if arns
                else "Member must have length greater than or equal to 1",
            )
        )
    if policy is not None and policy not in POLICIES:
        raise Validation(
            validation_message(
                policy,
                "codeSigningPolicies.untrustedArtifactOnDeployment",
                "Member must satisfy enum value set: [Warn, Enforce]",
            )
        )
    if description is not None and len(description) > 256:
        raise Validation(
            validation_message(
                description, "description", "Member must have length less than or equal to 256"
            )
        )
