"""Item collections of tables with local secondary indexes: their size, its 10 GB limit
(ItemCollectionSizeLimitExceededException) and ItemCollectionMetrics.

An item collection is every item sharing a partition key value in a table with local
secondary indexes, with those items' LSI entries ("Item collections in Local Secondary
Indexes", developer guide). Its size counts each item (as it counts toward 400 KB) and
each LSI entry: the projected attributes with the table's and the index's keys, plus 100
bytes of overhead. A write that would grow a collection past the limit is refused; a
write that shrinks it (or keeps its size) never is, as on AWS.

The size is kept per collection in ``ddb_collections`` (written in the item's savepoint);
a collection met for the first time is measured once from its items.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from stratus.services.tables import sqlite as sql
from stratus.services.tables.errors import ItemCollectionTooLarge
from stratus.services.tables.model import ALL, INCLUDE, TableDefinition
from stratus.services.tables.values import Item, item_size

LIMIT_BYTES = 10 * 1024**3  # "Item collection size limit", DynamoDB quotas
LSI_ENTRY_OVERHEAD = 100
GB = 1024**3
TOO_LARGE = (
    "Item collection size limit exceeded. The total size of an item collection has exceeded "
    "the maximum limit of 10 gigabytes."
)


def tracked(table: TableDefinition) -> bool:
    """Only tables with local secondary indexes have item collections."""
    return any(index.local for index in table.indexes.values())


def entry_bytes(table: TableDefinition, item: Item | None) -> int:
    """What one item adds to its collection: itself and its LSI entries."""
    if item is None:
        return 0
    total = item_size(item)
    for index in table.indexes.values():
        if not index.local or any(n not in item for n in index.keys.names):
            continue
        if index.projection.kind == ALL:
            view: Item = item
        else:
            names = set(table.keys.names) | set(index.keys.names)
            if index.projection.kind == INCLUDE:
                names |= set(index.projection.non_key)
            view = {k: v for k, v in item.items() if k in names}
        total += item_size(view) + LSI_ENTRY_OVERHEAD
    return total


def change(
    conn: sqlite3.Connection,
    table: TableDefinition,
    hk: bytes,
    old: Item | None,
    new: Item | None,
    limit: int,
) -> int:
    """Account for ``old`` becoming ``new`` in collection ``hk`` (before the item is
    written); the collection's new size. Raises ItemCollectionTooLarge when the change
    grows it past ``limit``."""
    size = sql.collection_size(conn, table.table_id, hk)
    if size is None:
        size = sum(
            entry_bytes(table, item) for item in sql.partition_items(conn, table.table_id, hk)
        )
    delta = entry_bytes(table, new) - entry_bytes(table, old)
    after = size + delta
    if delta > 0 and after > limit:
        raise ItemCollectionTooLarge(TOO_LARGE)
    sql.set_collection_size(conn, table.table_id, hk, after)
    return after


def metrics(table: TableDefinition, item: Item, size: int) -> dict[str, Any]:
    """ItemCollectionMetrics for the collection holding ``item`` (its partition key)."""
    low = math.floor(size / GB)
    return {
        "ItemCollectionKey": {table.keys.hash_key: item[table.keys.hash_key]},
        "SizeEstimateRangeGB": [float(low), float(low + 1)],
    }
