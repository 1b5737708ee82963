"""Every limit the platform enforces, with Lambda's values as defaults.

Values follow "Lambda quotas" in the AWS Lambda developer guide. All of them can be set
from the command line or tests, so a laptop can run with a smaller account.
"""

from __future__ import annotations

from dataclasses import dataclass


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
