"""The tables of every account and region: definitions in memory, written through to the
store before any answer (CreateTable, UpdateTable, DeleteTable, TTL, tags).

Tables are ACTIVE as soon as CreateTable answers (there is no provisioning to wait for);
CreateTable still answers CREATING as DynamoDB does, so the ``table_exists`` waiter's
first DescribeTable sees ACTIVE.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from stratus.services.tables import sqlite as sql
from stratus.services.tables.errors import (
    LimitExceeded,
    TableInUse,
    TableNotFound,
    ValidationError,
    invalid,
)
from stratus.services.tables.items import index_key
from stratus.services.tables.model import (
    ALL,
    INCLUDE,
    KEYS_ONLY,
    Index,
    KeySchema,
    Projection,
    StreamSettings,
    TableDefinition,
)
from stratus.store.sqlite.database import SQLiteDatabase

Scope = tuple[str, str]  # account, region
MAX_GSI = 20
MAX_LSI = 5
MAX_PROJECTED = 100


def not_found(name: str) -> TableNotFound:
    return TableNotFound(f"Requested resource not found: Table: {name} not found")


class Catalog:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db
        self._tables: dict[tuple[str, str, str], TableDefinition] = {}
        self._by_id: dict[int, TableDefinition] = {}
        self.listeners: list[Callable[[TableDefinition], None]] = []
        self.deleted_streams: list[dict[str, Any]] = []  # streams readable 24 h after

    async def load(self) -> None:
        await self._db.write(sql.drop_unfinished_tables)
        for record in await self._db.read(sql.load_tables):
            if not record:
                continue
            table = TableDefinition.from_record(record)
            self._remember(table)

    def _remember(self, table: TableDefinition) -> None:
        self._tables[(table.account, table.region, table.name)] = table
        self._by_id[table.table_id] = table

    # -- lookups ---------------------------------------------------------------------
    def get(self, account: str, region: str, name: str) -> TableDefinition:
        table = self._tables.get((account, region, name))
        if table is None:
            raise TableNotFound("Requested resource not found")
        return table

    def find(self, account: str, region: str, name: str) -> TableDefinition | None:
        return self._tables.get((account, region, name))

    def by_arn(self, arn: str) -> TableDefinition | None:
        parts = arn.split(":", 5)
        if len(parts) < 6 or not parts[5].startswith("table/"):
            return None
        name = parts[5][len("table/") :].split("/", 1)[0]
        return self._tables.get((parts[4], parts[3], name))

    def peers(self, table: TableDefinition) -> list[TableDefinition]:
        """The table's global table replicas in other regions (replicas.py)."""
        if not table.replicas:
            return []
        found = (self._tables.get((table.account, r, table.name)) for r in table.replicas)
        return [t for t in found if t is not None]

    def in_scope(self, account: str, region: str) -> list[TableDefinition]:
        return sorted(
            (t for t in self._tables.values() if t.account == account and t.region == region),
            key=lambda t: t.name,
        )

    def all(self) -> list[TableDefinition]:
        return list(self._tables.values())

    # -- changes ---------------------------------------------------------------------
    async def create(
        self,
        account: str,
        region: str,
        name: str,
        keys: KeySchema,
        attribute_types: dict[str, str],
        *,
        gsis: Iterable[Index] = (),
        lsis: Iterable[Index] = (),
        billing_mode: str = "PROVISIONED",
        provisioned: dict[str, int] | None = None,
        stream: StreamSettings | None = None,
        tags: dict[str, str] | None = None,
        sse: dict[str, Any] | None = None,
        deletion_protection: bool = False,
        table_class: str | None = None,
        fill: Callable[[TableDefinition], Awaitable[None]] | None = None,
    ) -> TableDefinition:
        """A new table. ``fill`` (restores) writes its items before anyone can see it: the
        table joins the catalog only once they are all in, and is dropped if it fails."""
        if (account, region, name) in self._tables:
            raise TableInUse(f"Table already exists: {name}")
        gsis, lsis = list(gsis), list(lsis)
        _check_definitions(keys, attribute_types, gsis, lsis)
        stream = stream or StreamSettings()
        now = time.time()
        if stream.enabled:
            stream.label = _label(now)
            stream.created = now
        tid = await self._db.write(lambda c: sql.insert_table(c, account, region, name))
        table = TableDefinition(
            table_id=tid,
            account=account,
            region=region,
            name=name,
            keys=keys,
            attribute_types=attribute_types,
            indexes={i.name: i for i in [*gsis, *lsis]},
            billing_mode=billing_mode,
            provisioned=provisioned or {},
            stream=stream,
            tags=dict(tags or {}),
            created=now,
            table_uid=str(uuid.uuid4()),
            sse=sse,
            deletion_protection=deletion_protection,
            table_class=table_class,
        )
        if fill is not None:
            try:
                await fill(table)
            except BaseException:
                await self._db.write(lambda c: sql.drop_table(c, tid))
                raise
        await self.save(table)
        self._remember(table)
        return table

    async def save(self, table: TableDefinition) -> None:
        record = table.to_record()
        await self._db.write(lambda c: sql.save_table(c, table.table_id, record))
        for listener in self.listeners:
            listener(table)

    async def delete(self, table: TableDefinition) -> None:
        if table.deletion_protection:
            raise ValidationError(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        if table.stream.label is not None:
            table.old_streams.append(
                {
                    "label": table.stream.label,
                    "view_type": table.stream.view_type,
                    "ended": time.time(),
                    "tid": table.table_id,
                    "name": table.name,
                    "account": table.account,
                    "region": table.region,
                }
            )
        await self._db.write(lambda c: sql.drop_table(c, table.table_id))
        self._tables.pop((table.account, table.region, table.name), None)
        self.deleted_streams.extend(table.old_streams)

    async def set_stream(
        self, table: TableDefinition, enabled: bool, view_type: str | None
    ) -> None:
        current = table.stream
        if enabled and current.enabled:
            raise ValidationError(f"Table already has an enabled stream: {table.arn}")
        if not enabled and not current.enabled:
            raise ValidationError("Table already has stream disabled")
        if enabled:
            now = time.time()
            if current.label is not None:
                table.old_streams.append(
                    {"label": current.label, "view_type": current.view_type, "ended": now}
                )
            table.stream = StreamSettings(True, view_type, _label(now), now)
        else:
            table.stream = StreamSettings(False, current.view_type, current.label, current.created)
            table.old_streams.append(
                {"label": current.label, "view_type": current.view_type, "ended": time.time()}
            )
        await self.save(table)

    async def add_index(self, table: TableDefinition, index: Index, types: dict[str, str]) -> None:
        if index.name in table.indexes:
            raise ValidationError(
                f"One or more parameter values were invalid: Index with name: {index.name} "
                "already exists"
            )
        if sum(1 for i in table.indexes.values() if not i.local) >= MAX_GSI:
            raise LimitExceeded("Subscriber limit exceeded: Only 20 GSIs per table")
        merged = {**table.attribute_types, **types}
        _check_index(index, merged, table.keys)
        table.attribute_types = merged
        tid = table.table_id

        def backfill(conn: Any) -> None:
            for hk, rk, data in list(sql.all_items(conn, tid)):
                item = sql.decode_item(data)
                key = index_key(index, item)
                if key is not None:
                    sql.put_index(conn, tid, index.name, key, (hk, rk))

        await self._db.write(backfill)
        table.indexes[index.name] = index
        await self.save(table)

    async def drop_index(self, table: TableDefinition, name: str) -> None:
        index = table.indexes.get(name)
        if index is None or index.local:
            raise TableNotFound(f"Requested resource not found: Index: {name} not found")
        del table.indexes[name]
        tid = table.table_id
        await self._db.write(lambda c: sql.drop_index(c, tid, name))
        await self.save(table)


def _label(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{int(now * 1000) % 1000:03d}"
    )


def check_definitions(
    keys: KeySchema, types: dict[str, str], gsis: list[Index], lsis: list[Index]
) -> None:
    """A new table's keys and indexes against its attribute definitions, as CreateTable
    checks them (ImportTable checks its TableCreationParameters before it answers)."""
    _check_definitions(keys, types, gsis, lsis)


def _check_definitions(
    keys: KeySchema, types: dict[str, str], gsis: list[Index], lsis: list[Index]
) -> None:
    for name in keys.names:
        if name not in types:
            raise invalid(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: "
                f"[{', '.join(keys.names)}], AttributeDefinitions: [{', '.join(types)}]"
            )
    if len(gsis) > MAX_GSI:
        raise LimitExceeded("Subscriber limit exceeded: Only 20 GSIs per table")
    if len(lsis) > MAX_LSI:
        raise invalid("Number of LocalSecondaryIndexes exceeds the per-table limit of 5")
    names: set[str] = set()
    used = set(keys.names)
    for index in [*gsis, *lsis]:
        if index.name in names:
            raise invalid(f"Duplicate index name: {index.name}")
        names.add(index.name)
        _check_index(index, types, keys)
        used.update(index.keys.names)
        if index.local:
            if keys.range_key is None:
                raise invalid(
                    "Table KeySchema does not have a range key, which is required when "
                    "specifying a LocalSecondaryIndex"
                )
            if index.keys.hash_key != keys.hash_key:
                raise invalid(
                    f"Index KeySchema does not have the same leading hash key as table KeySchema "
                    f"for index: {index.name}. index hash key: {index.keys.hash_key}, table hash "
                    f"key: {keys.hash_key}"
                )
    unused = [name for name in types if name not in used]
    if unused:
        raise invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )


def _check_index(index: Index, types: dict[str, str], keys: KeySchema) -> None:
    for name in index.keys.names:
        if name not in types:
            raise invalid(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: "
                f"[{', '.join(index.keys.names)}], AttributeDefinitions: [{', '.join(types)}]"
            )
    projection = index.projection
    if projection.kind not in (ALL, KEYS_ONLY, INCLUDE):
        raise invalid(f"Unknown ProjectionType: {projection.kind}")
    if projection.kind != INCLUDE and projection.non_key:
        raise invalid(f"ProjectionType is {projection.kind}, but NonKeyAttributes is specified")
    if len(projection.non_key) > MAX_PROJECTED:
        raise LimitExceeded(
            "One or more parameter values were invalid: Number of projected attributes in all "
            "indexes exceeds limit of 100"
        )


def projection_of(spec: dict[str, Any] | None) -> Projection:
    spec = spec or {}
    return Projection(spec.get("ProjectionType", ALL), list(spec.get("NonKeyAttributes") or []))
