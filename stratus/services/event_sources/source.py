"""What a kind of event source gives the engine: the :class:`EventSource` Protocol.

A source reads batches of records from one resource (an SQS queue; later a DynamoDB
stream or a Kinesis shard), acknowledges the records a function processed, leaves the
failed ones for the source's own redelivery, and builds the Lambda event for a batch.
The engine does everything else (batching window, filters, invoking, the function's
response, scaling), so a new source plugs in by registering itself with
``EventSourceMappings.register`` and changes nothing in the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from stratus.services.event_sources.model import MappingSettings


@dataclass(slots=True)
class SourceRecord:
    """One record read from a source.

    ``item_id`` is what a function names in ``batchItemFailures`` (an SQS messageId, a
    stream's sequence number); ``view`` is the record as it goes into the event, and
    ``filter_view`` the record as filters see it when that differs (an SQS body parsed as
    JSON); ``handle`` is the source's own token for acknowledging it (an SQS receipt
    handle); ``size`` counts toward the 6 MB invoke payload.
    """

    item_id: str
    handle: str
    view: dict[str, Any]
    size: int
    filter_view: dict[str, Any] | None = None  # the view filters match when it differs
    # not a record of the source but a call the source asks for (a tumbling window's final
    # invocation): never filtered out
    control: bool = False


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a source tells about one of its resources when a mapping is made."""

    arn: str
    label: str  # the service's name in Lambda's messages: "SQS", "Kinesis" ...
    ordered: bool = False  # FIFO: records of a group in order, no batching window


class EventSource(Protocol):
    """One kind of event source; ``service`` is the ARN's service part it handles."""

    service: str
    default_batch_size: int

    async def describe(self, arn: str) -> SourceInfo:
        """The resource ``arn`` names; raises InvalidMapping (with Lambda's message for this
        kind of source) when it does not exist."""
        ...

    def check(self, info: SourceInfo, settings: MappingSettings, given: set[str]) -> None:
        """Refuse settings this kind of source does not take (raises InvalidMapping);
        ``given`` names the request's members, so one this source does not know is refused
        with Lambda's message."""
        ...

    async def read(self, arn: str, max_records: int, wait_s: float) -> list[SourceRecord]:
        """Up to ``max_records`` records, waiting up to ``wait_s`` for the first; the
        records stay owned by this reader until acknowledged or left. Raises SourceGone."""
        ...

    async def acknowledge(self, arn: str, records: Sequence[SourceRecord]) -> None:
        """The records were processed (or filtered out): remove them from the source."""
        ...

    async def leave(self, arn: str, records: Sequence[SourceRecord]) -> None:
        """The records failed: leave them to the source's own redelivery (an SQS message
        becomes visible again after its visibility timeout, and reaches the queue's
        dead-letter queue after ``maxReceiveCount`` receives)."""
        ...

    async def release(self, arn: str, records: Sequence[SourceRecord]) -> None:
        """The records were read but not handed to the function (the batch reached the
        invoke payload limit): make them available again at once."""
        ...

    def build_event(self, arn: str, records: Sequence[SourceRecord]) -> bytes:
        """The Lambda event (JSON) for one batch."""
        ...
