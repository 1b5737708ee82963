"""A pending delivery: one payload for one target, stored before the producer is answered.

Producers (PutEvents, a scheduled rule's firing, a schedule's firing) compute the exact
request each target gets and commit it here in the same write as anything else they
change; the dispatcher then carries it out and deletes it. A ``kill -9`` at any point
leaves either no row (the producer was not answered) or the row (delivered at least once
after the restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Delivery:
    delivery_id: str
    origin: str  # "rule" | "schedule"
    source_arn: str  # the rule's or the schedule's ARN
    target_id: str
    target_arn: str
    account: str
    region: str
    payload: str  # what the target receives (the event, or transformed)
    created: float  # the event's time: MaximumEventAgeInSeconds counts from it
    due: float
    max_attempts: int
    max_age_s: int
    dead_letter_arn: str | None = None
    dead_letter_body: str | None = None  # what a dead-lettered message carries
    params: dict[str, Any] = field(default_factory=dict)  # per target kind (group id ...)
    attempts: int = 0
    last_error: tuple[str, str] | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.delivery_id,
            "origin": self.origin,
            "source": self.source_arn,
            "target_id": self.target_id,
            "target": self.target_arn,
            "account": self.account,
            "region": self.region,
            "payload": self.payload,
            "created": self.created,
            "due": self.due,
            "max_attempts": self.max_attempts,
            "max_age": self.max_age_s,
            "dlq": self.dead_letter_arn,
            "dlq_body": self.dead_letter_body,
            "params": self.params,
            "attempts": self.attempts,
            "error": list(self.last_error) if self.last_error else None,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Delivery:
        error = doc.get("error")
        return cls(
            doc["id"],
            doc["origin"],
            doc["source"],
            doc["target_id"],
            doc["target"],
            doc["account"],
            doc["region"],
            doc["payload"],
            doc["created"],
            doc["due"],
            doc["max_attempts"],
            doc["max_age"],
            doc.get("dlq"),
            doc.get("dlq_body"),
            dict(doc.get("params") or {}),
            doc.get("attempts", 0),
            (error[0], error[1]) if error else None,
        )
