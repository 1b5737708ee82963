"""DynamoDB streams as an event source: the tables' streams behind the EventSource
Protocol, one reader per mapping (its checkpoint in the tables' database).

What Lambda does with a stream ("Using AWS Lambda with Amazon DynamoDB"): it reads the
shard in order from StartingPosition, hands the function batches of records in order,
and advances its checkpoint only past what succeeded. A failing batch blocks its shard:
it is retried (the same records again) until it succeeds, MaximumRetryAttempts run out
or its records are older than MaximumRecordAgeInSeconds; then the batch is skipped and
its description sent to the on-failure destination. BisectBatchOnFunctionError splits
a failing batch in two and retries the halves. With ReportBatchItemFailures the
checkpoint stops just before the first failed record, which is retried first.

Records of one item are never delivered out of order: a mapping has one batch of its
shard in flight at a time (a lane that reads while one is in flight gets nothing).
ParallelizationFactor is accepted and shown; batches of a shard are processed one at a
time (factor 1), which keeps the per-item order AWS guarantees for any factor.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from stratus.services.aws_calls import AwsCaller, AwsCallFailed
from stratus.services.event_sources.errors import InvalidMapping, SourceGone
from stratus.services.event_sources.model import Mapping, MappingSettings
from stratus.services.event_sources.source import SourceInfo, SourceRecord
from stratus.services.event_sources.unknown import missing_source
from stratus.services.tables import sqlite as sql
from stratus.services.tables.errors import StreamNotFound, ValidationError
from stratus.services.tables.service import TableService
from stratus.services.tables.streams import find_stream

log = logging.getLogger(__name__)

_NOT_FOR_STREAMS = (
    "Queues",
    "Topics",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "ScalingConfig",
)
_POSITIONS = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")


class DynamoDbStreamSource:
    """Registered by the tables component with the functions component's engine."""

    service = "dynamodb"
    default_batch_size = 100

    def __init__(self, tables: TableService, caller: AwsCaller | None = None) -> None:
        self._tables = tables
        self._caller = caller

    def info(self, arn: str) -> Any:
        try:
            return find_stream(self._tables.catalog, arn)
        except (StreamNotFound, ValidationError) as exc:
            raise missing_source(arn) from exc

    async def describe(self, arn: str) -> SourceInfo:
        self.info(arn)
        return SourceInfo(arn=arn, label="DynamoDB Streams", ordered=True)

    def check(self, info: SourceInfo, settings: MappingSettings, given: set[str]) -> None:
        for member in _NOT_FOR_STREAMS:
            if member in given:
                raise InvalidMapping(
                    f"Unsupported {member} parameter for given event source mapping type."
                )
        stream = settings.stream
        position = stream.get("StartingPosition")
        if position is None:
            raise InvalidMapping(
                "1 validation error detected: Value null at 'startingPosition' "
                "failed to satisfy constraint: Member must not be null"
            )
        if position not in _POSITIONS:
            raise InvalidMapping(f"Unsupported starting position: {position}")
        if settings.batch_size > 10000:
            raise InvalidMapping("BatchSize must not be greater than 10000.")
        factor = stream.get("ParallelizationFactor", 1)
        if not 1 <= int(factor) <= 10:
            raise InvalidMapping("ParallelizationFactor must be between 1 and 10")
        if "_start_after" not in stream:
            # LATEST means the stream's end when the mapping was made, not when it starts
            stream["_start_after"] = self._tables.clock.last

    def bind(self, mapping: Mapping) -> MappingReader:
        return MappingReader(self, mapping)

    # -- the unbound Protocol methods (every poller binds first) -------------------------
    async def read(self, arn: str, max_records: int, wait_s: float) -> list[SourceRecord]:
        raise NotImplementedError("stream sources are read through bind(mapping)")

    async def acknowledge(self, arn: str, records: Sequence[SourceRecord]) -> None:
        raise NotImplementedError

    async def leave(self, arn: str, records: Sequence[SourceRecord]) -> None:
        raise NotImplementedError

    async def release(self, arn: str, records: Sequence[SourceRecord]) -> None:
        raise NotImplementedError

    def build_event(self, arn: str, records: Sequence[SourceRecord]) -> bytes:
        return bytes(orjson.dumps({"Records": [r.view for r in records]}))

    # -- used by readers -------------------------------------------------------------
    @property
    def tables(self) -> TableService:
        return self._tables

    async def send_failure(
        self, destination: str, document: dict[str, Any], region: str, account: str
    ) -> None:
        if self._caller is None:
            return
        body = orjson.dumps(document).decode()
        service = destination.split(":")[2]
        try:
            if service == "sqs":
                found = await self._caller.call(
                    "sqs",
                    "GetQueueUrl",
                    {"QueueName": destination.split(":")[5], "QueueOwnerAWSAccountId": account},
                    account_id=account,
                    region=region,
                )
                await self._caller.call(
                    "sqs",
                    "SendMessage",
                    {"QueueUrl": found["QueueUrl"], "MessageBody": body},
                    account_id=account,
                    region=region,
                )
            elif service == "sns":
                await self._caller.call(
                    "sns",
                    "Publish",
                    {"TopicArn": destination, "Message": body},
                    account_id=account,
                    region=region,
                )
        except AwsCallFailed:
            log.warning("on-failure destination %s refused a record", destination)


class MappingReader:
    """One mapping's position in its stream: the checkpoint (last sequence number
    processed), the batch in flight, and the retry state of a failing batch."""

    service = "dynamodb"
    default_batch_size = 100

    def __init__(self, source: DynamoDbStreamSource, mapping: Mapping) -> None:
        self._source = source
        self._mapping = mapping
        self._db = source.tables.db
        self._checkpoint: int | None = None
        self._in_flight: dict[str, SourceRecord] = {}
        self._failed_floor: int | None = None  # first failed sequence number of the batch
        self._attempts = 0
        self._bisect: int | None = None  # batch size while bisecting a failing batch

    @property
    def _settings(self) -> dict[str, Any]:
        return self._mapping.settings.stream

    async def describe(self, arn: str) -> SourceInfo:
        return await self._source.describe(arn)

    def check(self, info: SourceInfo, settings: MappingSettings, given: set[str]) -> None:
        self._source.check(info, settings, given)

    async def _position(self, tid: int) -> int:
        if self._checkpoint is None:
            uuid = self._mapping.uuid
            saved = await self._db.read(lambda c: sql.get_checkpoint(c, uuid))
            if saved is None:
                saved = await self._start(tid)
            self._checkpoint = saved
        return self._checkpoint

    async def _start(self, tid: int) -> int:
        position = self._settings.get("StartingPosition", "LATEST")
        if position == "LATEST":
            return int(self._settings.get("_start_after", 0))
        if position == "AT_TIMESTAMP":
            since = float(self._settings.get("StartingPositionTimestamp") or 0)
            first = await self._db.read(lambda c: sql.first_seq_since(c, tid, since))
            return first - 1 if first is not None else self._source.tables.clock.last
        return 0

    async def read(self, arn: str, max_records: int, wait_s: float) -> list[SourceRecord]:
        deadline = time.monotonic() + wait_s
        while True:
            records = await self._read_now(arn, max_records)
            if records or time.monotonic() >= deadline:
                return records
            await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    async def _read_now(self, arn: str, max_records: int) -> list[SourceRecord]:
        if self._in_flight:
            return []  # one batch of the shard at a time: records stay in order
        try:
            info = self._source.info(arn)
        except InvalidMapping as exc:
            raise SourceGone(str(exc)) from exc
        after = await self._position(info.table_id)
        limit = min(max_records, self._bisect or max_records)
        rows = await self._db.read(lambda c: sql.read_records(c, info.table_id, after, limit * 4))
        records: list[SourceRecord] = []
        skipped_to = after
        for seq, created, record in rows:
            if record.pop("_stream", info.label) != info.label:
                skipped_to = seq
                continue
            records.append(_record(arn, seq, created, record))
            if len(records) >= limit:
                break
        if not records and skipped_to != after:
            await self._save(skipped_to)
        if records and self._expired(records):
            await self._give_up(arn, records, "RecordAgeExceeded")
            return []
        self._in_flight = {r.item_id: r for r in records}
        self._failed_floor = None
        return records

    def _expired(self, records: list[SourceRecord]) -> bool:
        age = self._settings.get("MaximumRecordAgeInSeconds", -1)
        if age is None or int(age) < 0:
            return False
        created = records[0].view["dynamodb"]["ApproximateCreationDateTime"]
        return bool(time.time() - float(created) > int(age))

    async def _save(self, seq: int) -> None:
        if self._checkpoint is not None and seq <= self._checkpoint:
            return
        self._checkpoint = seq
        uuid = self._mapping.uuid
        await self._db.write(lambda c: sql.set_checkpoint(c, uuid, seq))

    def _settle(self, records: Sequence[SourceRecord]) -> None:
        for record in records:
            self._in_flight.pop(record.item_id, None)

    async def acknowledge(self, arn: str, records: Sequence[SourceRecord]) -> None:
        if records:
            top = max(int(r.item_id) for r in records)
            if self._failed_floor is not None:
                top = min(top, self._failed_floor - 1)
            done = not self._in_flight.keys() - {r.item_id for r in records}
            if self._failed_floor is None and done:
                self._attempts = 0  # the batch succeeded
                self._bisect = None
            await self._save(top)
        self._settle(records)

    async def leave(self, arn: str, records: Sequence[SourceRecord]) -> None:
        if not records:
            return
        first = min(int(r.item_id) for r in records)
        if self._failed_floor is None or first < self._failed_floor:
            self._failed_floor = first
        # the checkpoint goes back to just before the first failure (an acknowledgement of
        # later records of the batch may have moved it past)
        self._checkpoint = first - 1
        uuid, seq = self._mapping.uuid, first - 1
        await self._db.write(lambda c: sql.set_checkpoint(c, uuid, seq))
        batch = sorted(self._in_flight.values(), key=lambda r: int(r.item_id))
        self._settle(records)
        self._in_flight.clear()  # whatever was not settled is read again
        self._attempts += 1
        settings = self._settings
        if settings.get("BisectBatchOnFunctionError") and len(batch) > 1:
            self._bisect = max(1, len(batch) // 2)
            return
        retries = settings.get("MaximumRetryAttempts", -1)
        if retries is not None and int(retries) >= 0 and self._attempts > int(retries):
            failing = [r for r in batch if int(r.item_id) >= first]
            await self._give_up(arn, failing, "RetryAttemptsExhausted")

    async def _give_up(self, arn: str, records: Sequence[SourceRecord], reason: str) -> None:
        """Skip the batch: send its description to the on-failure destination and move
        the checkpoint past it."""
        if not records:
            return
        destination = ((self._settings.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        if destination:
            parts = self._mapping.arn.split(":")
            await self._source.send_failure(
                destination,
                _failure_document(self._mapping, arn, records, reason, self._attempts),
                parts[3],
                parts[4],
            )
        self._attempts = 0
        self._bisect = None
        self._in_flight.clear()
        self._failed_floor = None
        await self._save(max(int(r.item_id) for r in records))

    async def release(self, arn: str, records: Sequence[SourceRecord]) -> None:
        self._settle(records)  # read again after the batch that fitted

    def build_event(self, arn: str, records: Sequence[SourceRecord]) -> bytes:
        return self._source.build_event(arn, records)


def _record(arn: str, seq: int, created: float, record: dict[str, Any]) -> SourceRecord:
    """The record as the Lambda event carries it: the GetRecords record plus
    eventSourceARN; userIdentity in camelCase ("DynamoDB stream event" sample)."""
    view = {k: v for k, v in record.items() if k != "userIdentity"}
    identity = record.get("userIdentity")
    if identity:
        view["userIdentity"] = {"type": identity["Type"], "principalId": identity["PrincipalId"]}
    view["eventSourceARN"] = arn
    size = int(record["dynamodb"].get("SizeBytes", 0)) + 512
    # a function names a failed record by its SequenceNumber (ReportBatchItemFailures)
    number = str(record["dynamodb"]["SequenceNumber"])
    return SourceRecord(item_id=number, handle=str(seq), view=_jsonable(view), size=size)


def _jsonable(value: Any) -> Any:
    """Binary attribute values as base64, as the event's JSON carries them."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


def _failure_document(
    mapping: Mapping, arn: str, records: Sequence[SourceRecord], reason: str, attempts: int
) -> dict[str, Any]:
    """The invocation record Lambda sends an on-failure destination for a stream batch."""
    first, last = records[0].view, records[-1].view
    return {
        "requestContext": {
            "requestId": mapping.uuid,
            "functionArn": mapping.function_arn,
            "condition": reason,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "DDBStreamBatchInfo": {
            "shardId": "shardId-00000000000000000000-00000000",
            "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _stamp(first),
            "approximateArrivalOfLastRecord": _stamp(last),
            "batchSize": len(records),
            "streamArn": arn,
        },
    }


def _stamp(view: dict[str, Any]) -> str:
    created = float(view["dynamodb"]["ApproximateCreationDateTime"])
    return datetime.fromtimestamp(created, UTC).isoformat()
