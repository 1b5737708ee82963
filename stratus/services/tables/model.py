"""A table's definition: keys, indexes, stream and TTL settings, as records the store keeps.

Everything here is plain data (dataclasses with ``to_record`` / ``from_record``) so the
registry can keep definitions in memory and the store can write them as JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

HASH = "HASH"
RANGE = "RANGE"

ACTIVE = "ACTIVE"
CREATING = "CREATING"
UPDATING = "UPDATING"
DELETING = "DELETING"

KEYS_ONLY = "KEYS_ONLY"
INCLUDE = "INCLUDE"
ALL = "ALL"


@dataclass(slots=True)
class KeySchema:
    hash_key: str
    range_key: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    def to_wire(self) -> list[dict[str, str]]:
        out = [{"AttributeName": self.hash_key, "KeyType": HASH}]
        if self.range_key is not None:
            out.append({"AttributeName": self.range_key, "KeyType": RANGE})
        return out


@dataclass(slots=True)
class Projection:
    kind: str = ALL
    non_key: list[str] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ProjectionType": self.kind}
        if self.kind == INCLUDE:
            out["NonKeyAttributes"] = list(self.non_key)
        return out


@dataclass(slots=True)
class Index:
    name: str
    keys: KeySchema
    projection: Projection
    local: bool
    status: str = ACTIVE
    provisioned: dict[str, int] | None = None
    on_demand: dict[str, int] | None = None


@dataclass(slots=True)
class StreamSettings:
    enabled: bool = False
    view_type: str | None = None
    label: str | None = None  # the current stream's label (an ISO timestamp)
    created: float | None = None


@dataclass(slots=True)
class TableDefinition:
    """One table: ``table_id`` is the store's key, the rest is what DescribeTable shows."""

    table_id: int
    account: str
    region: str
    name: str
    keys: KeySchema
    attribute_types: dict[str, str]
    indexes: dict[str, Index] = field(default_factory=dict)
    billing_mode: str = "PROVISIONED"
    provisioned: dict[str, int] = field(default_factory=dict)
    stream: StreamSettings = field(default_factory=StreamSettings)
    ttl_attribute: str | None = None
    ttl_enabled: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    created: float = 0.0
    status: str = ACTIVE
    table_uid: str = ""
    sse: dict[str, Any] | None = None
    deletion_protection: bool = False
    table_class: str | None = None
    old_streams: list[dict[str, Any]] = field(default_factory=list)  # label, view type, ended
    # point-in-time recovery (UpdateContinuousBackups): on since ``pitr_since``, kept days
    pitr_enabled: bool = False
    pitr_since: float = 0.0
    pitr_days: int = 35
    # contributor insights by index name ("" is the table): status, mode, updated
    insights: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Kinesis streaming destinations: stream ARN, status, precision (state only)
    kinesis: list[dict[str, Any]] = field(default_factory=list)
    # resource policies by resource ARN (the table's or a stream's): policy, revision
    policies: dict[str, dict[str, str]] = field(default_factory=dict)
    # a restored table's origin: source_backup_arn, source_table_arn, time (epoch)
    restore: dict[str, Any] | None = None
    # global tables version 2019.11.21: the other regions holding a replica of this table
    # (same account, same name), each with its settings (replicas.py); "" when none
    global_version: str = ""
    replicas: dict[str, dict[str, Any]] = field(default_factory=dict)
    # UpdateTableReplicaAutoScaling's settings (stored, not acted on): "read", "write" and
    # "indexes" (name -> "read", "write"), each an AutoScalingSettingsDescription
    autoscaling: dict[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.name}"

    @property
    def stream_arn(self) -> str | None:
        if self.stream.label is None:
            return None
        return f"{self.arn}/stream/{self.stream.label}"

    def index(self, name: str) -> Index | None:
        return self.indexes.get(name)

    def key_names(self) -> set[str]:
        """The table's and every index's key attributes (their types are fixed)."""
        names = set(self.keys.names)
        for index in self.indexes.values():
            names.update(index.keys.names)
        return names

    def to_record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TableDefinition:
        values = dict(record)
        values["keys"] = KeySchema(**values["keys"])
        values["indexes"] = {
            name: Index(
                name=i["name"],
                keys=KeySchema(**i["keys"]),
                projection=Projection(**i["projection"]),
                local=i["local"],
                status=i.get("status", ACTIVE),
                provisioned=i.get("provisioned"),
                on_demand=i.get("on_demand"),
            )
            for name, i in values["indexes"].items()
        }
        values["stream"] = StreamSettings(**values["stream"])
        return cls(**values)
