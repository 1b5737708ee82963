"""Global tables, version 2019.11.21: replicas of a table in other regions of one account.

Stratus scopes tables by account and region, so a replica is a real table: the table of
the same name in the replica's region, created by UpdateTable's ReplicaUpdates (Create)
with the source's keys, indexes, stream, encryption, TTL and a copy of its items. Every
member of the group keeps the list of the others (``TableDefinition.replicas``), so
DescribeTable in any region answers its Replicas.

Why writes replicate synchronously: every item write of the tables runs in one writer
savepoint, so the change to each replica goes into the same savepoint
(``items.commit_change(peers=...)``). A write is therefore visible in every region when
its call answers (AWS replicates within a second or so, last writer wins); there are no
conflicts to resolve, and version 2019.11.21 adds no ``aws:rep:*`` attributes, so items
look the same everywhere. Each replica's stream gets its own record of the change.
"""

from __future__ import annotations

import copy
import sqlite3
from typing import Any

from stratus.services.tables import sqlite as sql
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import ValidationError
from stratus.services.tables.items import StreamClock, commit_change
from stratus.services.tables.model import Index, StreamSettings, TableDefinition
from stratus.store.sqlite.database import SQLiteDatabase

VERSION = "2019.11.21"
NEW_AND_OLD_IMAGES = "NEW_AND_OLD_IMAGES"
LOCAL_REGION = (
    "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, "
    "DeleteTable, or UpdateTable as required."
)
STREAM_REQUIRED = (
    "One or more parameter values were invalid: Disabling Stream is not allowed for a Global "
    "Table replica."
)
REPLICA_NOT_FOUND = (
    "Replica specified in the Replica Update or Replica Delete action of the request was not found."
)


def already_exists(name: str) -> ValidationError:
    return ValidationError(
        f"Failed to create a the new replica of table with name: '{name}' because one or more "
        "replicas already existed as tables."
    )


def replica_settings(action: dict[str, Any]) -> dict[str, Any]:
    """A Create or Update action's settings, as each member stores them."""
    settings: dict[str, Any] = {}
    for member, key in (
        ("KMSMasterKeyId", "kms"),
        ("ProvisionedThroughputOverride", "throughput"),
        ("OnDemandThroughputOverride", "on_demand"),
        ("GlobalSecondaryIndexes", "indexes"),
        ("TableClassOverride", "table_class"),
    ):
        if member in action:
            settings[key] = action[member]
    return settings


class Replicas:
    """The 2019.11.21 operations on a group; each member's DescribeTable lists the others
    in its Replicas."""

    def __init__(self, db: SQLiteDatabase, catalog: Catalog, clock: StreamClock) -> None:
        self._db = db
        self._catalog = catalog
        self._clock = clock

    def members(self, table: TableDefinition) -> list[TableDefinition]:
        return [table, *self._catalog.peers(table)]

    def check_updates(self, table: TableDefinition, updates: list[dict[str, Any]]) -> None:
        """ReplicaUpdates' actions in order, each against the group the ones before it
        leave: a request refused for its second action applies none of them."""
        present = set(table.replicas)
        for update in updates:
            if "Create" in update:
                region = update["Create"]["RegionName"]
                self.check_create(table, region, present)
                present.add(region)
            else:
                action = update.get("Update") or update.get("Delete") or {}
                region = action.get("RegionName", "")
                self.check_member(table, region, present)
                if "Delete" in update:
                    present.discard(region)

    def check_create(
        self, table: TableDefinition, region: str, present: set[str] | None = None
    ) -> None:
        if region == table.region:
            raise ValidationError(LOCAL_REGION)
        if region in (table.replicas if present is None else present):
            raise already_exists(table.name)
        if self._catalog.find(table.account, region, table.name) is not None:
            raise already_exists(table.name)

    def check_member(
        self, table: TableDefinition, region: str, present: set[str] | None = None
    ) -> None:
        if region == table.region:
            raise ValidationError(LOCAL_REGION)
        if region not in (table.replicas if present is None else present):
            raise ValidationError(REPLICA_NOT_FOUND)

    async def create(
        self, table: TableDefinition, region: str, settings: dict[str, Any]
    ) -> TableDefinition:
        """A replica of ``table`` in ``region``, filled with a copy of its items."""
        self.check_create(table, region)
        if not table.stream.enabled:
            # AWS turns a NEW_AND_OLD_IMAGES stream on for a table that gets a replica (and
            # leaves a stream of another view type as it is: replication works with it)
            await self._catalog.set_stream(table, True, NEW_AND_OLD_IMAGES)
        replica = await self._catalog.create(
            table.account,
            region,
            table.name,
            copy.deepcopy(table.keys),
            dict(table.attribute_types),
            gsis=[_copy_index(i) for i in table.indexes.values() if not i.local],
            lsis=[_copy_index(i) for i in table.indexes.values() if i.local],
            billing_mode=table.billing_mode,
            provisioned=_override(table.provisioned, settings.get("throughput")),
            stream=StreamSettings(True, table.stream.view_type),
            sse=copy.deepcopy(table.sse),
            table_class=settings.get("table_class") or table.table_class,
        )
        replica.ttl_enabled, replica.ttl_attribute = table.ttl_enabled, table.ttl_attribute
        # Linked in memory before the first await: from here every write to a member goes
        # to the replica too, so the copy below, which runs in the writer after any write
        # that missed it, makes the replica equal to the table.
        members = self.members(table)
        entry = {"status": "ACTIVE", **settings}
        replica.global_version = VERSION
        replica.replicas = {table.region: {"status": "ACTIVE"}}
        for member in members:
            if member is not table:
                known = table.replicas.get(member.region, {"status": "ACTIVE"})
                replica.replicas[member.region] = copy.deepcopy(known)
        for member in members:
            member.global_version = VERSION
            member.replicas[region] = copy.deepcopy(entry)
        source_tid, clock = table.table_id, self._clock

        def copy_items(conn: sqlite3.Connection) -> None:
            for hk, rk, data in list(sql.all_items(conn, source_tid)):
                item = sql.decode_item(data)
                old = sql.get_item(conn, replica.table_id, hk, rk)
                if old != item:
                    commit_change(conn, replica, (hk, rk), old, item, clock, recorded=False)

        await self._db.write(copy_items)
        await self._save([replica, *members])
        return replica

    async def update(self, table: TableDefinition, region: str, settings: dict[str, Any]) -> None:
        self.check_member(table, region)
        members = self.members(table)
        for member in members:
            if region in member.replicas:
                member.replicas[region].update(copy.deepcopy(settings))
        replica = self._catalog.find(table.account, region, table.name)
        if replica is not None:
            if "throughput" in settings:
                replica.provisioned = _override(replica.provisioned, settings["throughput"])
            if settings.get("table_class"):
                replica.table_class = settings["table_class"]
            members.append(replica)
        await self._save(members)

    async def delete(self, table: TableDefinition, region: str) -> None:
        """Drop the replica in ``region`` (its table and items) and forget it everywhere."""
        self.check_member(table, region)
        replica = self._catalog.find(table.account, region, table.name)
        if replica is not None:
            await self._catalog.delete(replica)
        await self.detach(table.account, region, table.name, [table])

    async def detach(
        self,
        account: str,
        region: str,
        name: str,
        known: list[TableDefinition] | None = None,
    ) -> None:
        """Forget the member of ``region`` in the others (it was deleted)."""
        members = {t.region: t for t in known or []}
        for table in self._catalog.all():
            if table.account == account and table.name == name and region in table.replicas:
                members[table.region] = table
        for member in members.values():
            member.replicas.pop(region, None)
            if not member.replicas:
                member.global_version = ""
        await self._save(list(members.values()))

    async def _save(self, tables: list[TableDefinition]) -> None:
        """Every member's record in one write: a group is never half updated on disk."""
        records = [(t.table_id, t.to_record()) for t in tables]

        def save(conn: sqlite3.Connection) -> None:
            for tid, record in records:
                sql.save_table(conn, tid, record)

        await self._db.write(save)


def _copy_index(index: Index) -> Index:
    return copy.deepcopy(index)


def _override(provisioned: dict[str, int], override: dict[str, int] | None) -> dict[str, int]:
    out = dict(provisioned)
    if override and "ReadCapacityUnits" in override:
        out["ReadCapacityUnits"] = override["ReadCapacityUnits"]
    return out
