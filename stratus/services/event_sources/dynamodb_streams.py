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

Records of one partition key are never delivered out of order: with
ParallelizationFactor N a mapping has up to N batches of its shard in flight, each for
the keys hashing to its slot, one batch per slot (``MappingReader``); TumblingWindow
aggregation is per slot.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
import sqlite3
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from stratus.services.aws_calls import AwsCaller, AwsCallFailed, QueueUrls
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
        self._queue_urls = QueueUrls(caller) if caller is not None else None

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
                assert self._queue_urls is not None
                url = await self._queue_urls.url(destination, account=account, region=region)
                await self._caller.call(
                    "sqs",
                    "SendMessage",
                    {"QueueUrl": url, "MessageBody": body},
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
            if self._queue_urls is not None:
                self._queue_urls.forget(destination)
            log.warning("on-failure destination %s refused a record", destination)


@dataclass(slots=True)
class _Slot:
    """One of a shard's concurrent batches (ParallelizationFactor): the batch in flight,
    the retry state of a failing batch, and the tumbling window's state."""

    in_flight: dict[str, SourceRecord] = field(default_factory=dict)
    failed_floor: int | None = None  # first failed sequence number of the batch
    attempts: int = 0
    bisect: int | None = None  # batch size while bisecting a failing batch
    window: int | None = None  # start (epoch seconds) of the open tumbling window
    state: Any = field(default_factory=dict)  # what the function returned as "state"


class MappingReader:
    """One mapping's position in its stream: the checkpoint (every record up to it
    processed), the records processed past it, and ``ParallelizationFactor`` slots.

    Records go to slot ``crc32(partition key) % factor`` ("Polling and batching streams":
    up to ten batches of a shard at once, still in order per partition key): each slot
    has one batch in flight and retries its own failures, so one key's records are never
    processed out of order, while a failing key blocks only its slot. The checkpoint is
    the last sequence number below which every record was processed (or skipped); with
    factor 1 this is the single in-order reader Lambda documents.

    With ``TumblingWindowInSeconds`` each slot aggregates over windows aligned on the
    window's length ("Using tumbling windows"): its batches hold records of one window,
    the function's returned ``state`` is passed to its next invocation in the window, and
    when the window is over (a later record, or the clock past its end) a final
    invocation has ``isFinalInvokeForWindow`` true and no records.
    """

    service = "dynamodb"
    default_batch_size = 100

    def __init__(self, source: DynamoDbStreamSource, mapping: Mapping) -> None:
        self._source = source
        self._mapping = mapping
        self._db = source.tables.db
        self._checkpoint: int | None = None
        self._done: set[int] = set()  # processed (or skipped) past the checkpoint
        factor = int(mapping.settings.stream.get("ParallelizationFactor") or 1)
        self._slots = [_Slot() for _ in range(max(1, min(10, factor)))]
        self._window_s = int(mapping.settings.stream.get("TumblingWindowInSeconds") or 0)
        self._owner: dict[str, int] = {}  # item id -> slot, until settled
        # lanes read one at a time: a slot is chosen and filled without another lane
        # choosing it meanwhile
        self._reading = asyncio.Lock()

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

    # -- slots -------------------------------------------------------------------------
    def _slot_index(self, record: dict[str, Any], hash_key: str | None) -> int:
        if len(self._slots) == 1:
            return 0
        keys = record["dynamodb"]["Keys"]
        value = keys.get(hash_key) if hash_key else None
        shown = orjson.dumps(value if value is not None else keys, default=_bytes_text)
        return zlib.crc32(shown) % len(self._slots)

    def _slot_of(self, records: Sequence[SourceRecord]) -> _Slot | None:
        """The slot that read ``records`` (it may have moved on: an acknowledgement can
        follow the ``leave`` of the same batch's failed records)."""
        for record in records:
            index = self._owner.get(record.item_id)
            if index is not None:
                return self._slots[index]
        return None

    def _window_of(self, created: float) -> int:
        return int(created // self._window_s) * self._window_s

    async def read(self, arn: str, max_records: int, wait_s: float) -> list[SourceRecord]:
        deadline = time.monotonic() + wait_s
        while True:
            async with self._reading:
                records = await self._read_now(arn, max_records)
            if records or time.monotonic() >= deadline:
                return records
            await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    async def _read_now(self, arn: str, max_records: int) -> list[SourceRecord]:
        free = [i for i, slot in enumerate(self._slots) if not slot.in_flight]
        if not free:
            return []  # every slot has its batch in flight: records stay in order
        try:
            info = self._source.info(arn)
        except InvalidMapping as exc:
            raise SourceGone(str(exc)) from exc
        hash_key = next(
            (k["AttributeName"] for k in info.key_schema if k["KeyType"] == "HASH"), None
        )
        after = await self._position(info.table_id)
        chosen: int | None = None
        limit = max_records
        records: list[SourceRecord] = []
        busy: set[int] = set()  # slots whose next record is not for this batch
        skipped = False
        cursor = after
        while True:
            rows = await self._db.read(functools.partial(_rows, tid=info.table_id, after=cursor))
            for seq, created, record in rows:
                cursor = seq
                # an acknowledgement may have moved the checkpoint over it meanwhile
                if seq in self._done or seq <= (self._checkpoint or 0):
                    continue
                if record.pop("_stream", info.label) != info.label:
                    self._done.add(seq)
                    skipped = True
                    continue
                index = self._slot_index(record, hash_key)
                if index in busy or index not in free:
                    continue
                slot = self._slots[index]
                if chosen is None:
                    if (
                        self._window_s
                        and slot.window is not None
                        and self._window_of(created) != slot.window
                    ):
                        return self._close_window(index)  # the window is over
                    chosen = index
                    limit = min(max_records, slot.bisect or max_records)
                    if self._window_s and slot.window is None:
                        slot.window = self._window_of(created)
                elif index != chosen:
                    continue
                if self._window_s and self._window_of(created) != slot.window:
                    busy.add(index)  # the rest of this slot is for the next window
                    continue
                records.append(_record(arn, seq, created, record))
                if len(records) >= limit:
                    break
            if len(records) >= limit or len(rows) < 500:
                break
        if skipped:
            await self._advance(info.table_id)
        if not records:
            return self._close_due_window(free)
        assert chosen is not None
        slot = self._slots[chosen]
        if self._expired(records):
            slot.in_flight = {r.item_id: r for r in records}
            await self._give_up(arn, slot, records, "RecordAgeExceeded")
            return []
        slot.in_flight = {r.item_id: r for r in records}
        slot.failed_floor = None
        self._owner.update((r.item_id, chosen) for r in records)
        return records

    def _close_window(self, index: int) -> list[SourceRecord]:
        slot = self._slots[index]
        marker = SourceRecord(
            item_id=f"window-{index}-{slot.window}", handle="", view={}, size=0, control=True
        )
        slot.in_flight = {marker.item_id: marker}
        self._owner[marker.item_id] = index
        return [marker]

    def _close_due_window(self, free: list[int]) -> list[SourceRecord]:
        """A window whose end has passed with nothing left to read gets its final call."""
        now = time.time()
        for index in free:
            window = self._slots[index].window
            if self._window_s and window is not None and now >= window + self._window_s:
                return self._close_window(index)
        return []

    def _expired(self, records: list[SourceRecord]) -> bool:
        age = self._settings.get("MaximumRecordAgeInSeconds", -1)
        if age is None or int(age) < 0:
            return False
        created = records[0].view["dynamodb"]["ApproximateCreationDateTime"]
        return bool(time.time() - float(created) > int(age))

    async def _advance(self, tid: int) -> None:
        """Move the checkpoint over every record processed in sequence order."""
        start = checkpoint = self._checkpoint if self._checkpoint is not None else 0
        while self._done:
            rows = await self._db.read(functools.partial(_seqs, tid=tid, after=checkpoint))
            moved = False
            for seq in rows:
                if seq not in self._done:
                    break
                self._done.discard(seq)
                checkpoint = seq
                moved = True
            else:
                if len(rows) == 500 and moved:
                    continue
            break
        self._done = {seq for seq in self._done if seq > checkpoint}
        if checkpoint > start:
            await self._save(checkpoint)

    async def _save(self, seq: int) -> None:
        if self._checkpoint is not None and seq <= self._checkpoint:
            return
        self._checkpoint = seq
        uuid = self._mapping.uuid
        await self._db.write(lambda c: sql.set_checkpoint(c, uuid, seq))

    def _tid(self, arn: str) -> int:
        try:
            return int(self._source.info(arn).table_id)
        except InvalidMapping as exc:
            raise SourceGone(str(exc)) from exc

    async def acknowledge(self, arn: str, records: Sequence[SourceRecord]) -> None:
        slot = self._slot_of(records)
        if slot is None or not records:
            return
        data = [r for r in records if not r.control]
        if len(data) != len(records):  # the window's final call succeeded: it is closed
            slot.window = None
            slot.state = {}
        acked = {r.item_id for r in records}
        if slot.failed_floor is None and not slot.in_flight.keys() - acked:
            slot.attempts = 0  # the batch succeeded
            slot.bisect = None
        for record in data:
            seq = int(record.item_id)
            if slot.failed_floor is None or seq < slot.failed_floor:
                self._done.add(seq)
        for item in acked:
            slot.in_flight.pop(item, None)
            self._owner.pop(item, None)
        await self._advance(self._tid(arn))

    async def leave(self, arn: str, records: Sequence[SourceRecord]) -> None:
        slot = self._slot_of(records)
        if slot is None or not records:
            return
        data = [r for r in records if not r.control]
        batch = sorted(
            (r for r in slot.in_flight.values() if not r.control), key=lambda r: int(r.item_id)
        )
        slot.in_flight.clear()  # whatever was not settled is read again
        for record in records:
            self._owner.pop(record.item_id, None)
        slot.attempts += 1
        if not data:
            return  # the window's final call failed: it is made again
        first = min(int(r.item_id) for r in data)
        if slot.failed_floor is None or first < slot.failed_floor:
            slot.failed_floor = first
        # later records of the batch are retried after the failed one, as AWS does
        self._done -= {int(r.item_id) for r in batch if int(r.item_id) >= first}
        settings = self._settings
        if settings.get("BisectBatchOnFunctionError") and len(batch) > 1:
            slot.bisect = max(1, len(batch) // 2)
            return
        retries = settings.get("MaximumRetryAttempts", -1)
        if retries is not None and int(retries) >= 0 and slot.attempts > int(retries):
            failing = [r for r in batch if int(r.item_id) >= first]
            await self._give_up(arn, slot, failing, "RetryAttemptsExhausted")

    async def _give_up(
        self, arn: str, slot: _Slot, records: Sequence[SourceRecord], reason: str
    ) -> None:
        """Skip the batch: send its description to the on-failure destination and count
        its records as processed."""
        if not records:
            return
        destination = ((self._settings.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        if destination:
            parts = self._mapping.arn.split(":")
            await self._source.send_failure(
                destination,
                _failure_document(self._mapping, arn, records, reason, slot.attempts),
                parts[3],
                parts[4],
            )
        slot.attempts = 0
        slot.bisect = None
        slot.in_flight.clear()
        slot.failed_floor = None
        self._done |= {int(r.item_id) for r in records}
        for record in records:
            self._owner.pop(record.item_id, None)
        await self._advance(self._tid(arn))

    async def release(self, arn: str, records: Sequence[SourceRecord]) -> None:
        slot = self._slot_of(records)
        if slot is not None:
            for record in records:
                slot.in_flight.pop(record.item_id, None)  # read again after the batch
                self._owner.pop(record.item_id, None)

    def observe(self, records: Sequence[SourceRecord], payload: bytes) -> None:
        """The function's answer to a batch it processed: a tumbling window's state."""
        if not self._window_s:
            return
        slot = self._slot_of(records)
        if slot is None:
            return
        try:
            answer = orjson.loads(payload) if payload.strip() else None
        except orjson.JSONDecodeError:
            return
        if isinstance(answer, dict) and isinstance(answer.get("state"), dict):
            slot.state = answer["state"]

    def build_event(self, arn: str, records: Sequence[SourceRecord]) -> bytes:
        if not self._window_s:
            return self._source.build_event(arn, records)
        slot = self._slot_of(records)
        window = slot.window if slot is not None and slot.window is not None else 0
        final = any(r.control for r in records)
        info_shard = ""
        with contextlib.suppress(InvalidMapping):
            info_shard = self._source.info(arn).shard_id
        event = {
            "Records": [r.view for r in records if not r.control],
            "window": {"start": _iso(window), "end": _iso(window + self._window_s)},
            "state": slot.state if slot is not None else {},
            "shardId": info_shard,
            "eventSourceARN": arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": False,
        }
        return bytes(orjson.dumps(event))


def _rows(conn: sqlite3.Connection, *, tid: int, after: int) -> list[tuple[int, float, Any]]:
    return sql.read_records(conn, tid, after, 500)


def _seqs(conn: sqlite3.Connection, *, tid: int, after: int) -> list[int]:
    return sql.read_record_seqs(conn, tid, after, 500)


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bytes_text(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError


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
