"""Stacks, their resources, events and change sets as records (stored as JSON documents)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ChangeSet", "ResourceState", "Stack", "StackEvent"]


@dataclass(slots=True)
class ResourceState:
    logical_id: str
    type: str
    status: str
    physical_id: str = ""
    status_reason: str = ""
    properties: dict[str, Any] = field(default_factory=dict)  # as provisioned (resolved)
    attributes: dict[str, Any] = field(default_factory=dict)  # what Fn::GetAtt returns
    updated: float = 0.0


@dataclass(slots=True)
class StackEvent:
    event_id: str
    stack_id: str
    stack_name: str
    logical_id: str
    physical_id: str
    type: str
    status: str
    reason: str
    timestamp: float


@dataclass(slots=True)
class Stack:
    stack_id: str
    name: str
    account: str
    region: str
    status: str
    created: float
    template_body: str = ""  # as submitted
    template: dict[str, Any] = field(default_factory=dict)  # as submitted, parsed
    processed: dict[str, Any] = field(default_factory=dict)  # after transforms
    parameters: dict[str, Any] = field(default_factory=dict)  # resolved values
    parameter_overrides: dict[str, str] = field(default_factory=dict)  # as given
    status_reason: str = ""
    description: str = ""
    capabilities: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    notification_arns: list[str] = field(default_factory=list)
    disable_rollback: bool = False
    resources: dict[str, ResourceState] = field(default_factory=dict)
    outputs: list[dict[str, str]] = field(default_factory=list)
    updated: float | None = None
    deleted: float | None = None
    change_set_id: str | None = None
    parent_id: str | None = None  # a nested stack's parent and root stack
    root_id: str | None = None
    policy: str = ""  # the stack policy document, as set
    # What a failed update rollback could not undo, for ContinueUpdateRollback: each
    # {"logical": id, "action": "update"|"delete", "previous": ResourceState record|None}
    rollback_pending: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Stack:
        resources = {k: ResourceState(**v) for k, v in record.pop("resources", {}).items()}
        return cls(**record, resources=resources)

    @property
    def in_progress(self) -> bool:
        return self.status.endswith("_IN_PROGRESS")


@dataclass(slots=True)
class ChangeSet:
    change_set_id: str
    name: str
    stack_id: str
    stack_name: str
    change_set_type: str  # CREATE | UPDATE
    status: str  # CREATE_PENDING | CREATE_IN_PROGRESS | CREATE_COMPLETE | FAILED | DELETE_*
    execution_status: str  # UNAVAILABLE | AVAILABLE | EXECUTE_IN_PROGRESS | ...
    created: float
    template_body: str
    template: dict[str, Any]
    processed: dict[str, Any]
    parameters: dict[str, Any]
    parameter_overrides: dict[str, str]
    capabilities: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""
    status_reason: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ChangeSet:
        return cls(**record)
