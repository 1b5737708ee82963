"""What the Logs API keeps about groups, streams and filters (events live in the log
store): records shared by the catalog, its store and the API adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class LogGroupRecord:
    """A log group a caller created (or that a call materialized: a function's group
    given a retention or tags). ``stored_bytes`` counts what PutLogEvents stored."""

    name: str
    created_ms: int
    retention_days: int | None = None
    kms_key_id: str | None = None
    group_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    stored_bytes: int = 0


@dataclass(frozen=True, slots=True)
class LogStreamRecord:
    group: str
    name: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class SubscriptionFilterRecord:
    group: str
    name: str
    pattern: str
    destination_arn: str
    role_arn: str | None
    distribution: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class MetricFilterRecord:
    group: str
    name: str
    pattern: str
    transformations: list[dict[str, Any]]
    created_ms: int


@dataclass(frozen=True, slots=True)
class ResourcePolicyRecord:
    """A resource policy: account-wide (``resource_arn`` empty, ``policyScope`` ACCOUNT)
    or attached to one log group (RESOURCE, with a revision id)."""

    name: str
    document: str
    updated_ms: int
    resource_arn: str = ""
    revision_id: str = ""


@dataclass(frozen=True, slots=True)
class DataProtectionRecord:
    """A log group's data protection policy (stored; nothing is masked)."""

    group: str
    document: str
    updated_ms: int
