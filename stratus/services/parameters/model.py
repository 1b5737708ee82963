"""A parameter as stored: its versions, newest last, each as PutParameter left it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Systems Manager keeps the last 100 versions of a parameter.
MAX_VERSIONS = 100


@dataclass(frozen=True, slots=True)
class Version:
    """One version: the value and the settings that came with it."""

    version: int
    value: str
    type: str
    modified: float
    description: str = ""
    allowed_pattern: str = ""
    tier: str = "Standard"
    data_type: str = "text"
    key_id: str = ""
    labels: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "value": self.value,
            "type": self.type,
            "modified": self.modified,
            "description": self.description,
            "allowed_pattern": self.allowed_pattern,
            "tier": self.tier,
            "data_type": self.data_type,
            "key_id": self.key_id,
            "labels": list(self.labels),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Version:
        return cls(
            int(doc["version"]),
            doc["value"],
            doc["type"],
            float(doc["modified"]),
            doc.get("description", ""),
            doc.get("allowed_pattern", ""),
            doc.get("tier", "Standard"),
            doc.get("data_type", "text"),
            doc.get("key_id", ""),
            tuple(doc.get("labels") or ()),
        )


@dataclass(slots=True)
class Parameter:
    account: str
    region: str
    name: str
    versions: list[Version]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def arn(self) -> str:
        path = self.name if self.name.startswith("/") else f"/{self.name}"
        return f"arn:aws:ssm:{self.region}:{self.account}:parameter{path}"

    def to_document(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "name": self.name,
            "versions": [v.to_document() for v in self.versions],
            "tags": self.tags,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Parameter:
        return cls(
            doc["account"],
            doc["region"],
            doc["name"],
            [Version.from_document(v) for v in doc["versions"]],
            dict(doc.get("tags") or {}),
        )
