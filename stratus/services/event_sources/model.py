"""An event source mapping, its settings and its state machine.

States as Lambda reports them ("Event source mapping states" in the Lambda developer
guide): ``Creating`` -> ``Enabled`` or ``Disabled``; ``Enabling`` / ``Disabling`` /
``Updating`` -> ``Enabled`` or ``Disabled``; ``Deleting`` -> gone. The API answers the
transitional state (as Lambda does: CreateEventSourceMapping returns ``Creating``) and the
supervisor settles it once the poller has started or stopped.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

CREATING = "Creating"
ENABLING = "Enabling"
ENABLED = "Enabled"
DISABLING = "Disabling"
DISABLED = "Disabled"
UPDATING = "Updating"
DELETING = "Deleting"

TRANSITIONAL = frozenset({CREATING, ENABLING, DISABLING, UPDATING})

USER_INITIATED = "USER_INITIATED"
NO_RECORDS = "No records processed"
OK = "OK"

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


@dataclass(slots=True)
class MappingSettings:
    """What a user sets on a mapping (CreateEventSourceMapping/UpdateEventSourceMapping)."""

    batch_size: int
    window_s: int = 0  # MaximumBatchingWindowInSeconds
    enabled: bool = True
    filters: list[str] = field(default_factory=list)  # FilterCriteria patterns, as given
    response_types: list[str] = field(default_factory=list)  # FunctionResponseTypes
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency
    # Settings of stream sources (DynamoDB streams), as the API names them: StartingPosition,
    # StartingPositionTimestamp, ParallelizationFactor, BisectBatchOnFunctionError,
    # MaximumRetryAttempts, MaximumRecordAgeInSeconds, DestinationConfig,
    # TumblingWindowInSeconds; the source reads what it needs.
    stream: dict[str, Any] = field(default_factory=dict)

    @property
    def reports_item_failures(self) -> bool:
        return REPORT_BATCH_ITEM_FAILURES in self.response_types


@dataclass(slots=True)
class Mapping:
    """One mapping: a source, a function (with its qualifier), settings and state."""

    uuid: str
    arn: str  # EventSourceMappingArn
    source_arn: str
    function_id: str  # unqualified function ARN
    qualifier: str | None
    settings: MappingSettings
    state: str = CREATING
    state_reason: str = USER_INITIATED
    last_processing_result: str = NO_RECORDS
    last_modified: float = field(default_factory=time.time)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def function_arn(self) -> str:
        """The function ARN Lambda reports: qualified when the mapping names a version or
        alias."""
        return f"{self.function_id}:{self.qualifier}" if self.qualifier else self.function_id

    @property
    def settled(self) -> str:
        """The state this mapping settles in once its poller follows its settings."""
        return ENABLED if self.settings.enabled else DISABLED

    def to_record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Mapping:
        values = dict(record)
        values["settings"] = MappingSettings(**values["settings"])
        return cls(**values)
