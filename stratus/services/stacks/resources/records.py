"""Types Stratus serves no API for, kept as records so templates that declare them deploy.

The CDK's bootstrap stack declares an ECR repository (for container assets) and, when
asked, a KMS key and its alias. Stratus has no container registry and no KMS: these
handlers check the properties CloudFormation checks, and answer the identifiers and
attributes AWS would (ARN, repository URI, key id), so references to them resolve. Using
them for anything (pushing an image, encrypting with the key) is not possible here.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources.base import Handler, Provisioned, Provisioning

_REPOSITORY = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_MUTABILITY = ("MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION")
_ALIAS = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")
_KEY_SPECS = (
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
)
_KEY_USAGES = ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")


def _invalid(message: str) -> ResourceFailed:
    return ResourceFailed(f"Properties validation failed for resource with message: {message}")


class RepositoryHandler(Handler):
    """AWS::ECR::Repository: name, ARN and URI, no registry behind them."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("RepositoryName") or ctx.physical_name(logical_id, 256, lower=True)
        self._check(name, props)
        return Provisioned(name, self._attributes(ctx, name))

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("RepositoryName") != new.get("RepositoryName"):
            return None
        self._check(current.physical_id, new)
        return current

    @staticmethod
    def _check(name: str, props: dict[str, Any]) -> None:
        if not (2 <= len(name) <= 256 and _REPOSITORY.match(name)):
            raise _invalid("#/RepositoryName: failed validation constraint for keyword [pattern]")
        mutability = props.get("ImageTagMutability", "MUTABLE")
        if mutability not in _MUTABILITY:
            raise _invalid(f"#/ImageTagMutability: {mutability} is not a valid enum value")
        for text in (
            (props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText"),
            props.get("RepositoryPolicyText"),
        ):
            if isinstance(text, str):
                try:
                    json.loads(text)
                except ValueError as exc:
                    raise ResourceFailed(
                        f'Resource handler returned message: "Invalid parameter: {exc}"'
                    ) from exc

    @staticmethod
    def _attributes(ctx: Provisioning, name: str) -> dict[str, Any]:
        return {
            "Arn": ctx.arn("ecr", f"repository/{name}"),
            "RepositoryUri": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
        }


class KeyHandler(Handler):
    """AWS::KMS::Key: a key id and ARN, no cryptography behind them."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        self._check(props)
        key_id = str(uuid.uuid4())
        return Provisioned(key_id, {"Arn": ctx.arn("kms", f"key/{key_id}"), "KeyId": key_id})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        for fixed in ("KeySpec", "KeyUsage", "MultiRegion"):
            if old.get(fixed) != new.get(fixed):
                return None
        self._check(new)
        return current

    @staticmethod
    def _check(props: dict[str, Any]) -> None:
        spec = props.get("KeySpec", "SYMMETRIC_DEFAULT")
        if spec not in _KEY_SPECS:
            raise _invalid(f"#/KeySpec: {spec} is not a valid enum value")
        usage = props.get("KeyUsage", "ENCRYPT_DECRYPT")
        if usage not in _KEY_USAGES:
            raise _invalid(f"#/KeyUsage: {usage} is not a valid enum value")
        policy = props.get("KeyPolicy")
        if isinstance(policy, str):
            try:
                json.loads(policy)
            except ValueError as exc:
                raise ResourceFailed(
                    'Resource handler returned message: "The key policy is not valid JSON."'
                ) from exc
        days = props.get("PendingWindowInDays", 30)
        if not 7 <= int(days) <= 30:
            raise _invalid("#/PendingWindowInDays: expected maximum: 30, minimum: 7")


class AliasHandler(Handler):
    """AWS::KMS::Alias: its name, pointing at a key of the stack's account."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        for key in ("AliasName", "TargetKeyId"):
            if not props.get(key):
                raise _invalid(f"#: required key [{key}] not found")
        name = str(props["AliasName"])
        if not _ALIAS.match(name) or len(name) > 256:
            raise _invalid("#/AliasName: failed validation constraint for keyword [pattern]")
        if name.startswith("alias/aws/"):
            raise ResourceFailed(
                'Resource handler returned message: "Alias must not begin with '
                "'alias/aws/'. The alias prefix 'alias/aws/' is reserved for AWS managed "
                'keys."'
            )
        return Provisioned(name)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("AliasName") != new.get("AliasName"):
            return None
        return current
