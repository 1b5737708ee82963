"""Keys of items and index entries, and one committed change (item + indexes + stream
record), run inside a writer savepoint so all three commit together or not at all."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratus.services.tables import collections
from stratus.services.tables import sqlite as sql
from stratus.services.tables.errors import ValidationError, invalid
from stratus.services.tables.keys import encode_key
from stratus.services.tables.model import Index, KeySchema, TableDefinition
from stratus.services.tables.values import AttributeValue, Item, item_size, normalize_value

KEY_MISMATCH = "The provided key element does not match the schema"
Key = tuple[bytes, bytes]


def key_of(table: TableDefinition, key: Mapping[str, Any]) -> tuple[Key, Item]:
    """A Key parameter checked against the schema: its encoded form and its values."""
    names = table.keys.names
    if set(key) != set(names):
        raise ValidationError(KEY_MISMATCH)
    values: Item = {}
    for name in names:
        value = key[name]
        if not isinstance(value, Mapping) or len(value) != 1:
            raise ValidationError(KEY_MISMATCH)
        kind = next(iter(value))
        if kind != table.attribute_types.get(name):
            raise ValidationError(KEY_MISMATCH)
        normalized = normalize_value(value)
        _check_key_value(name, normalized, name == table.keys.range_key)
        values[name] = normalized
    return _encode(table.keys, values), values


def _check_key_value(name: str, value: AttributeValue, range_key: bool = False) -> None:
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B") and len(inner) == 0:
        raise ValidationError(
            "One or more parameter values are not valid. The AttributeValue for a key "
            f"attribute cannot contain an empty {'string' if kind == 'S' else 'binary'} value. "
            f"Key: {name}"
        )
    size = len(inner.encode("utf-8")) if kind == "S" else len(inner) if kind == "B" else 0
    if range_key:
        # "Partition key and sort key length": a sort key value is at most 1024 bytes
        if size > 1024:
            raise invalid(
                "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
            )
    elif size > 2048:
        raise invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")


def _encode(keys: KeySchema, values: Mapping[str, AttributeValue]) -> Key:
    hk = encode_key(values[keys.hash_key])
    rk = encode_key(values[keys.range_key]) if keys.range_key else b""
    return hk, rk


def check_item_keys(table: TableDefinition, item: Item) -> Key:
    """A PutItem's item: its key attributes present with the schema's types, index keys
    (when present) with theirs."""
    for name in table.keys.names:
        value = item.get(name)
        if value is None:
            raise invalid(f"Missing the key {name} in the item")
        kind = next(iter(value))
        expected = table.attribute_types[name]
        if kind != expected:
            raise invalid(f"Type mismatch for key {name} expected: {expected} actual: {kind}")
        _check_key_value(name, value, name == table.keys.range_key)
    for index in table.indexes.values():
        for name in index.keys.names:
            value = item.get(name)
            if value is None:
                continue
            kind = next(iter(value))
            expected = table.attribute_types[name]
            if kind != expected:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {expected} Actual: {kind} "
                    f"IndexName: {index.name}"
                )
            kind_, inner = next(iter(value.items()))
            if kind_ in ("S", "B") and len(inner) == 0:
                # AWS's message has no "One or more parameter values were invalid" prefix
                raise ValidationError(
                    "One or more parameter values are not valid. A value specified for a "
                    f"secondary index key is not supported. The AttributeValue for a key "
                    f"attribute cannot contain an empty string value. IndexName: {index.name}, "
                    f"IndexKey: {name}"
                )
    return _encode(table.keys, item)


def key_values(table: TableDefinition, item: Item) -> Item:
    return {name: item[name] for name in table.keys.names}


def index_key(index: Index, item: Item | None) -> Key | None:
    """The item's key in ``index``; None when the item lacks one of its key attributes
    (a sparse index holds only items that have them)."""
    if item is None:
        return None
    hash_value = item.get(index.keys.hash_key)
    if hash_value is None:
        return None
    if index.keys.range_key is None:
        return encode_key(hash_value), b""
    range_value = item.get(index.keys.range_key)
    if range_value is None:
        return None
    return encode_key(hash_value), encode_key(range_value)


@dataclass(slots=True)
class StreamClock:
    """Sequence numbers of stream records (touched only by the writer thread)."""

    last: int = 0

    def next(self) -> int:
        self.last += 1
        return self.last


# as the Streams API names it; the Lambda event writes the same in camelCase
SERVICE_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def commit_change(
    conn: sqlite3.Connection,
    table: TableDefinition,
    key: Key,
    old: Item | None,
    new: Item | None,
    clock: StreamClock,
    *,
    by_service: bool = False,
    collection_limit: int = collections.LIMIT_BYTES,
    peers: Sequence[TableDefinition] = (),
    recorded: bool = True,
) -> int | None:
    """Write ``new`` in place of ``old`` (None: absent), with its index entries and its
    stream record; the size of the item's collection when the table has local secondary
    indexes (raises ItemCollectionTooLarge, writing nothing, past ``collection_limit``).

    ``peers`` are the table's global table replicas in other regions: the same change is
    written to each in the same savepoint (replicas.py says why synchronously), over
    whatever the replica holds under that key, with the replica's own index entries and
    stream record. ``recorded=False`` writes no stream record (a new replica's first copy).
    """
    for peer in peers:
        if not sql.table_exists(conn, peer.table_id):
            continue  # the replica was deleted after this write was queued
        peer_old = sql.get_item(conn, peer.table_id, *key)
        commit_change(
            conn,
            peer,
            key,
            peer_old,
            new,
            clock,
            by_service=by_service,
            collection_limit=collection_limit,
        )
    if old is None and new is None:
        return None
    tid = table.table_id
    size = None
    if collections.tracked(table):
        size = collections.change(conn, table, key[0], old, new, collection_limit)
    if new is None:
        sql.delete_item(conn, tid, key[0], key[1])
    else:
        sql.put_item(conn, tid, key[0], key[1], new, item_size(new))
    for index in table.indexes.values():
        before = index_key(index, old)
        after = index_key(index, new)
        if before is not None and before != after:
            sql.delete_index(conn, tid, index.name, before, key)
        if after is not None and after != before:
            sql.put_index(conn, tid, index.name, after, key)
    stream = table.stream
    if recorded and stream.enabled and stream.view_type and old != new:
        record = stream_record(table, old, new, clock.next(), by_service=by_service)
        record["_stream"] = stream.label  # which of the table's streams holds it
        sql.add_record(conn, tid, int(record["dynamodb"]["SequenceNumber"]), time.time(), record)
    return size


def stream_record(
    table: TableDefinition,
    old: Item | None,
    new: Item | None,
    seq: int,
    *,
    by_service: bool = False,
) -> dict[str, Any]:
    """A record in the shape GetRecords returns ("StreamRecord" in the DynamoDB Streams
    API reference); images by the stream's view type."""
    view = table.stream.view_type or "KEYS_ONLY"
    present = new if new is not None else old
    assert present is not None
    keys = key_values(table, present)
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": float(int(time.time())),
        "Keys": keys,
    }
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and new is not None:
        body["NewImage"] = new
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and old is not None:
        body["OldImage"] = old
    body["SequenceNumber"] = f"{seq:021d}"
    body["SizeBytes"] = (
        item_size(keys)
        + (item_size(body["NewImage"]) if "NewImage" in body else 0)
        + (item_size(body["OldImage"]) if "OldImage" in body else 0)
    )
    body["StreamViewType"] = view
    record: dict[str, Any] = {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": table.region,
        "dynamodb": body,
    }
    if by_service:
        record["userIdentity"] = dict(SERVICE_IDENTITY)
    return record
