"""The functions service's records: a function version's configuration, aliases, layers.

A record is what Lambda's API returns about it, in our names; the ``aws/`` adapter turns
it into AWS's shapes. Records are stored as JSON dicts (``to_record``/``from_record``).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

from stratus.runtime import runtimes

R = TypeVar("R", bound="_Record")

LATEST = "$LATEST"
SUPPORTED_RUNTIMES = runtimes.SUPPORTED


def now_iso() -> str:
    """Lambda's LastModified format: ``2026-11-23T15:00:00.000+0000``."""
    now = time.time()
    millis = int((now % 1) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{millis:03d}+0000"


def new_revision() -> str:
    return str(uuid.uuid4())


class _Record:
    def to_record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload,no-any-return]

    @classmethod
    def from_record(cls: type[R], record: dict[str, Any]) -> R:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in record.items() if k in names})


@dataclass(slots=True)
class LayerUse:
    arn: str  # layer version ARN
    code_size: int
    code_digest: str


@dataclass(slots=True)
class FunctionConfig(_Record):
    """One version of a function ($LATEST or published)."""

    name: str
    arn: str  # unqualified
    region: str
    runtime: str
    role: str
    handler: str
    code_sha256: str  # base64 of the zip's SHA-256, as Lambda reports it
    code_digest: str  # hex digest: the blob and the extracted directory
    code_size: int
    version: str = LATEST
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] | None = None
    layers: list[dict[str, Any]] = field(default_factory=list)  # LayerUse records
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    ephemeral_storage: int = 512
    tracing_mode: str = "PassThrough"
    snap_start: str = "None"  # "PublishedVersions" opts into snapshots
    dead_letter_target: str | None = None
    kms_key_arn: str | None = None
    vpc_config: dict[str, Any] | None = None
    logging_config: dict[str, Any] | None = None
    # DurableConfig (ExecutionTimeout, RetentionPeriodInDays): a durable function's
    # settings, kept in the version's JSON record (docs/durable-functions.md).
    durable_config: dict[str, Any] | None = None
    # CapacityProviderConfig (Lambda Managed Instances): stored and reported; the function
    # runs on Stratus's own runtime all the same (services/functions/capacity_providers.py).
    capacity_provider_config: dict[str, Any] | None = None
    last_modified: str = field(default_factory=now_iso)
    revision_id: str = field(default_factory=new_revision)
    state: str = "Active"
    last_update_status: str = "Successful"
    # Lambda's lifecycle reasons: set while the code is being prepared (see ``lifecycle``).
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status_reason: str | None = None
    last_update_status_reason_code: str | None = None
    # PutRuntimeManagementConfig, per version: Auto, FunctionUpdate or Manual (+ ARN).
    update_runtime_on: str = "Auto"
    runtime_version_arn: str | None = None

    @property
    def qualified_arn(self) -> str:
        return f"{self.arn}:{self.version}"

    def layer_uses(self) -> list[LayerUse]:
        return [LayerUse(**layer) for layer in self.layers]


@dataclass(slots=True)
class FunctionRecord(_Record):
    """Function-wide settings that belong to no single version."""

    config: dict[str, Any]  # the $LATEST FunctionConfig record
    tags: dict[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    event_invoke_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_version: int = 0  # highest published version number
    # qualifier -> ProvisionedConfig record (services/functions/provisioned.py)
    provisioned_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Resource-based policies by qualifier ("$LATEST" for the unqualified function): the
    # policy documents GetPolicy returns. Stored, not enforced.
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    recursive_loop: str = "Terminate"  # PutFunctionRecursionConfig
    code_signing_config_arn: str | None = None  # PutFunctionCodeSigningConfig
    # PutFunctionScalingConfig, by published version: {"MinExecutionEnvironments": ...}
    scaling_configs: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(slots=True)
class AliasConfig(_Record):
    name: str
    function_name: str
    arn: str
    function_version: str
    description: str = ""
    routing_weights: dict[str, float] = field(default_factory=dict)
    revision_id: str = field(default_factory=new_revision)


@dataclass(slots=True)
class LayerVersion(_Record):
    name: str
    version: int
    arn: str  # layer ARN (no version)
    version_arn: str
    code_sha256: str
    code_digest: str
    code_size: int
    description: str = ""
    created_date: str = field(default_factory=now_iso)
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    license_info: str | None = None
    policy: dict[str, Any] | None = None  # AddLayerVersionPermission's document
    policy_revision_id: str | None = None
