"""Every limit the platform enforces, with Lambda's values as defaults.

Values follow "Lambda quotas" in the AWS Lambda developer guide. All of them can be set
from the command line or tests, so a laptop can run with a smaller account.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    L = TypeVar("L", bound=DataclassInstance)
else:
    L = TypeVar("L")


@dataclass(frozen=True, slots=True)
class Limits:
    account_concurrency: int = 1000
    unreserved_concurrency_min: int = 100  # Lambda keeps 100 unreserved
    sync_payload_bytes: int = 6 * 1024 * 1024  # request and response, RequestResponse
    async_payload_bytes: int = 1024 * 1024  # Event invocations (1 MB since 2025)
    zip_bytes: int = 50 * 1024 * 1024  # direct upload
    unzipped_bytes: int = 250 * 1024 * 1024
    environment_bytes: int = 4 * 1024
    init_timeout_s: float = 10.0
    max_timeout_s: int = 900
    min_memory_mb: int = 128
    max_memory_mb: int = 10240
    keep_warm_s: float = 300.0  # idle environments are reaped after this (scale to zero)
    memory_check_interval_s: float = 0.05
    enforce_memory: bool = True
    log_tail_bytes: int = 4096
    layers_per_function: int = 5
    async_retry_base_s: float = 60.0  # Lambda: about 1 min, then 2 min
    async_max_event_age_s: int = 21600
    async_max_retries: int = 2
    item_collection_bytes: int = 10 * 1024**3  # DynamoDB: per partition key, tables with LSIs
    s3_restore_delay_s: float = 5.0  # S3: how long a restore of an archived object runs


def with_overrides(limits: L, overrides: list[str]) -> L:
    """Apply ``NAME=VALUE`` overrides (from the command line) to any frozen dataclass of
    limits (these, or the servers' ``HttpLimits``), typed like the field."""
    fields = {f.name: f for f in dataclasses.fields(limits)}
    changes: dict[str, object] = {}
    for item in overrides:
        name, sep, raw = item.partition("=")
        if not sep or name not in fields:
            known = ", ".join(sorted(fields))
            raise ValueError(f"unknown limit {item!r}: use NAME=VALUE with NAME one of {known}")
        current = getattr(limits, name)
        try:
            if isinstance(current, bool):
                if raw.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(raw)
                changes[name] = raw.lower() in ("true", "1")
            else:
                changes[name] = type(current)(raw)
        except ValueError as exc:
            raise ValueError(f"limit {name} needs a {type(current).__name__}, not {raw!r}") from exc
    return dataclasses.replace(limits, **changes)
