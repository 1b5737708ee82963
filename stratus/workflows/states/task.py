"""Task states: the only states that ask the driver to do work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stratus.workflows.states.base import State, common_fields


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(State):
    """Task: Resource plus the timeouts; the *Path forms are read from the input at run time."""

    resource: str = ""
    timeout_seconds: Any = None
    timeout_seconds_path: str | None = None
    heartbeat_seconds: Any = None
    heartbeat_seconds_path: str | None = None
    credentials: Any = None


def build_task(name: str, raw: Mapping[str, Any], query_language: str) -> TaskState:
    """Task state record."""
    return TaskState(
        **common_fields(name, raw, query_language),
        resource=raw.get("Resource", ""),
        timeout_seconds=raw.get("TimeoutSeconds"),
        timeout_seconds_path=raw.get("TimeoutSecondsPath"),
        heartbeat_seconds=raw.get("HeartbeatSeconds"),
        heartbeat_seconds_path=raw.get("HeartbeatSecondsPath"),
        credentials=raw.get("Credentials"),
    )
