"""The event bus's records: buses, rules and their targets, as stored and as answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: EventBridge's defaults: 185 retries over 24 hours.
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE_S = 86400


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_RETRY_ATTEMPTS
    max_age_s: int = DEFAULT_EVENT_AGE_S

    @classmethod
    def of(cls, document: dict[str, Any] | None) -> RetryPolicy:
        document = document or {}
        return cls(
            int(document.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)),
            int(document.get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE_S)),
        )

    def to_api(self) -> dict[str, int]:
        return {
            "MaximumRetryAttempts": self.max_attempts,
            "MaximumEventAgeInSeconds": self.max_age_s,
        }


@dataclass(slots=True)
class Bus:
    name: str
    arn: str
    description: str | None = None
    created: float = 0.0
    modified: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    #: the resource policy (JSON text) PutPermission wrote; stored, not enforced
    policy: str | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "description": self.description,
            "created": self.created,
            "modified": self.modified,
            "tags": self.tags,
            "policy": self.policy,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Bus:
        return cls(
            doc["name"],
            doc["arn"],
            doc.get("description"),
            doc.get("created", 0.0),
            doc.get("modified", 0.0),
            dict(doc.get("tags") or {}),
            doc.get("policy"),
        )


@dataclass(slots=True)
class Target:
    """A rule's target as PutTargets gave it; ``document`` is the API shape, kept whole
    so ListTargetsByRule answers exactly what was put."""

    target_id: str
    arn: str
    document: dict[str, Any]

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy.of(self.document.get("RetryPolicy"))

    @property
    def dead_letter_arn(self) -> str | None:
        config = self.document.get("DeadLetterConfig") or {}
        arn = config.get("Arn")
        return str(arn) if arn else None

    @property
    def sqs_group_id(self) -> str | None:
        group = (self.document.get("SqsParameters") or {}).get("MessageGroupId")
        return str(group) if group else None


@dataclass(slots=True)
class Rule:
    name: str
    bus_name: str
    arn: str
    event_pattern: str | None = None
    schedule: str | None = None
    state: str = "ENABLED"
    description: str | None = None
    role_arn: str | None = None
    created: float = 0.0
    targets: dict[str, Target] = field(default_factory=dict)
    next_fire: float | None = None  # scheduled rules: the next firing (epoch seconds)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        # The CloudTrail variant only widens which AWS events match; it is enabled too.
        return self.state in ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")

    def to_api(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Name": self.name,
            "Arn": self.arn,
            "State": self.state,
            "EventBusName": self.bus_name,
        }
        if self.event_pattern is not None:
            answer["EventPattern"] = self.event_pattern
        if self.schedule is not None:
            answer["ScheduleExpression"] = self.schedule
        if self.description is not None:
            answer["Description"] = self.description
        if self.role_arn is not None:
            answer["RoleArn"] = self.role_arn
        return answer

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "bus": self.bus_name,
            "arn": self.arn,
            "pattern": self.event_pattern,
            "schedule": self.schedule,
            "state": self.state,
            "description": self.description,
            "role": self.role_arn,
            "created": self.created,
            "targets": [t.document for t in self.targets.values()],
            "next_fire": self.next_fire,
            "tags": self.tags,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Rule:
        rule = cls(
            doc["name"],
            doc["bus"],
            doc["arn"],
            doc.get("pattern"),
            doc.get("schedule"),
            doc.get("state", "ENABLED"),
            doc.get("description"),
            doc.get("role"),
            doc.get("created", 0.0),
            next_fire=doc.get("next_fire"),
            tags=dict(doc.get("tags") or {}),
        )
        for target in doc.get("targets") or []:
            rule.targets[target["Id"]] = Target(target["Id"], target["Arn"], target)
        return rule
