"""StackSets as records: a set owns its instances and its operations, stored as one JSON
document (a set is small: one entry per account and region, one per operation)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Operation", "StackInstance", "StackSet", "instance_key"]

#: Operation statuses in which the set accepts no other operation.
ACTIVE_STATUSES = frozenset({"QUEUED", "RUNNING", "STOPPING"})


def instance_key(account: str, region: str) -> str:
    return f"{account}/{region}"


@dataclass(slots=True)
class StackInstance:
    """One account and region of a set. ``status`` is AWS's Status (CURRENT, OUTDATED,
    INOPERABLE); ``detailed`` its StackInstanceStatus.DetailedStatus (PENDING, RUNNING,
    SUCCEEDED, FAILED, CANCELLED, INOPERABLE)."""

    account: str
    region: str
    stack_id: str = ""
    status: str = "OUTDATED"
    detailed: str = "PENDING"
    reason: str = ""
    overrides: dict[str, str] = field(default_factory=dict)
    last_operation_id: str = ""


@dataclass(slots=True)
class Operation:
    operation_id: str
    action: str  # CREATE | UPDATE | DELETE
    status: str  # RUNNING | STOPPING | SUCCEEDED | FAILED | STOPPED
    created: float
    preferences: dict[str, Any] = field(default_factory=dict)
    retain_stacks: bool | None = None
    ended: float | None = None
    reason: str = ""
    # One per target, in the order deployed: Account, Region, Status, StatusReason
    results: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class StackSet:
    stack_set_id: str  # <name>:<uuid>
    name: str
    account: str  # the administrator account and region that own the set
    region: str
    created: float
    template_body: str
    parameters: dict[str, str] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""
    administration_role: str = ""
    execution_role: str = ""
    status: str = "ACTIVE"  # ACTIVE | DELETED
    instances: dict[str, StackInstance] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudformation:{self.region}:{self.account}:stackset/{self.stack_set_id}"

    def active_operation(self) -> Operation | None:
        return next((o for o in self.operations if o.status in ACTIVE_STATUSES), None)

    def record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> StackSet:
        record = dict(record)
        instances = {k: StackInstance(**v) for k, v in record.pop("instances", {}).items()}
        operations = [Operation(**o) for o in record.pop("operations", [])]
        return cls(**record, instances=instances, operations=operations)
