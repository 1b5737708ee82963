"""A table's change streams: one shard per stream (records of every item in commit order,
so records of one item are always in order), shard iterators, reads, 24-hour retention.

A shard iterator is an opaque token naming the stream, the position (the sequence number
read last) and when it was made; iterators expire after 15 minutes as on AWS.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

import orjson

from stratus.services.tables import sqlite as sql
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import ExpiredIterator, StreamNotFound, ValidationError
from stratus.store.sqlite.database import SQLiteDatabase

RETENTION_S = 24 * 3600.0
ITERATOR_TTL_S = 15 * 60.0
MAX_RECORDS = 1000


@dataclass(frozen=True, slots=True)
class StreamInfo:
    arn: str
    table_id: int
    table_name: str
    label: str
    view_type: str | None
    enabled: bool
    created: float
    key_schema: list[dict[str, str]]

    @property
    def shard_id(self) -> str:
        digits = "".join(ch for ch in self.label if ch.isdigit())
        return f"shardId-{digits[:20]:0<20}-{abs(hash(self.arn)) % 10**8:08d}"


def find_stream(catalog: Catalog, arn: str) -> StreamInfo:
    try:
        table_part, label = arn.split("/stream/", 1)
    except ValueError:
        raise ValidationError(f"Invalid StreamArn: {arn}") from None
    table = catalog.by_arn(table_part)
    if table is not None:
        if table.stream.label == label:
            return StreamInfo(
                arn,
                table.table_id,
                table.name,
                label,
                table.stream.view_type,
                table.stream.enabled,
                table.stream.created or table.created,
                table.keys.to_wire(),
            )
        for old in table.old_streams:
            if old["label"] == label:
                return StreamInfo(
                    arn,
                    table.table_id,
                    table.name,
                    label,
                    old["view_type"],
                    False,
                    old.get("ended", 0.0),
                    table.keys.to_wire(),
                )
    for old in catalog.deleted_streams:
        if f"{old.get('name')}/stream/{old['label']}" in arn:
            return StreamInfo(
                arn,
                old["tid"],
                old["name"],
                old["label"],
                old["view_type"],
                False,
                old["ended"],
                [],
            )
    raise StreamNotFound(f"Requested resource not found: Stream: {arn} not found")


def make_iterator(arn: str, shard: str, after: int) -> str:
    token = orjson.dumps({"a": arn, "s": shard, "p": after, "t": time.time()})
    return base64.urlsafe_b64encode(token).decode()


def read_iterator(token: str) -> tuple[str, str, int, float]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return data["a"], data["s"], int(data["p"]), float(data["t"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError("Invalid ShardIterator") from None


class Streams:
    def __init__(self, db: SQLiteDatabase, catalog: Catalog) -> None:
        self._db = db
        self._catalog = catalog

    def in_scope(self, account: str, region: str, table_name: str | None) -> list[StreamInfo]:
        found = []
        for table in self._catalog.in_scope(account, region):
            if table_name is not None and table.name != table_name:
                continue
            for old in table.old_streams:
                found.append(find_stream(self._catalog, f"{table.arn}/stream/{old['label']}"))
            if table.stream_arn is not None:
                found.append(find_stream(self._catalog, table.stream_arn))
        return found

    async def bounds(self, info: StreamInfo) -> tuple[int | None, int | None]:
        return await self._db.read(lambda c: sql.stream_bounds(c, info.table_id))

    async def iterator(self, info: StreamInfo, kind: str, sequence: str | None) -> str:
        if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            if sequence is None or not sequence.isdigit():
                raise ValidationError(
                    f"Sequence number must be specified for ShardIteratorType {kind}"
                )
            number = int(sequence)
            after = number - 1 if kind == "AT_SEQUENCE_NUMBER" else number
        elif kind == "TRIM_HORIZON":
            after = 0
        else:  # LATEST
            _, last = await self.bounds(info)
            after = last or 0
        return make_iterator(info.arn, info.shard_id, after)

    async def read(self, token: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        arn, shard, after, made = read_iterator(token)
        now = time.time()
        if now - made > ITERATOR_TTL_S:
            raise ExpiredIterator(
                f"Iterator expired. The iterator was created at time {_stamp(made)} while right "
                f"now it is {_stamp(now)}."
            )
        info = find_stream(self._catalog, arn)
        rows = await self._db.read(lambda c: sql.read_records(c, info.table_id, after, limit * 4))
        records: list[dict[str, Any]] = []
        last = after
        for seq, _, record in rows:
            last = seq
            if record.pop("_stream", info.label) != info.label:
                continue
            records.append(record)
            if len(records) >= limit:
                break
        if not info.enabled and not records:
            return [], None  # a closed shard read to its end
        return records, make_iterator(arn, shard, last)


def _stamp(moment: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(moment))
