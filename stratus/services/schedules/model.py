"""Schedule groups and schedules as stored; ``document`` keeps the API's own fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_GROUP = "default"


@dataclass(slots=True)
class Group:
    name: str
    arn: str
    created: float
    modified: float
    tags: dict[str, str] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "created": self.created,
            "modified": self.modified,
            "tags": self.tags,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Group:
        return cls(
            doc["name"], doc["arn"], doc["created"], doc["modified"], dict(doc.get("tags") or {})
        )


@dataclass(slots=True)
class Schedule:
    """``settings`` holds the schedule as CreateSchedule/UpdateSchedule gave it (the
    expression, its timezone, Target, FlexibleTimeWindow ...; StartDate and EndDate as
    epoch seconds), so GetSchedule answers what was set."""

    name: str
    group: str
    arn: str
    settings: dict[str, Any]
    created: float
    modified: float
    next_fire: float | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.get("State", "ENABLED") == "ENABLED")

    @property
    def target(self) -> dict[str, Any]:
        target: dict[str, Any] = self.settings["Target"]
        return target

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "group": self.group,
            "arn": self.arn,
            "settings": self.settings,
            "created": self.created,
            "modified": self.modified,
            "next_fire": self.next_fire,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Schedule:
        return cls(
            doc["name"],
            doc["group"],
            doc["arn"],
            doc["settings"],
            doc["created"],
            doc["modified"],
            doc.get("next_fire"),
        )
