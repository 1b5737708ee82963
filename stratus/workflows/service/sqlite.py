"""SQLite implementation of WorkflowStore.

An interpreter step is one write: the execution row (status, state, pending work) and its
new history events together, so a crash never leaves history ahead of or behind state.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import orjson

from stratus.store.records import Record
from stratus.store.sqlite.bulk import insert_rows
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration
from stratus.workflows.interpreter.map_runs import (
    CHILD,
    ENDED,
    REDRIVEN,
    STARTED,
    MapRunChange,
)
from stratus.workflows.service.repository import (
    ExecutionStep,
    StoredChild,
    StoredExecution,
    StoredMapRun,
)

_COLUMNS = "arn, machine_arn, name, status, start_ms, stop_ms, record, state, outstanding"
_RUN_COLUMNS = "arn, execution_arn, status, start_ms, record"
_CHILD_COLUMNS = "arn, map_run_arn, idx, status, items, start_ms, stop_ms, record"


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()


def _row(row: tuple[Any, ...]) -> StoredExecution:
    return StoredExecution(
        arn=row[0],
        machine_arn=row[1],
        name=row[2],
        status=row[3],
        start_ms=row[4],
        stop_ms=row[5],
        record=orjson.loads(row[6]),
        state=orjson.loads(row[7]) if row[7] else None,
        outstanding=orjson.loads(row[8]),
    )


def _qualified_table(kind: str) -> str:
    """The table of ``versions`` or ``aliases`` (never a caller's text in SQL)."""
    return {"versions": "state_machine_versions", "aliases": "state_machine_aliases"}[kind]


def _insert_history(conn: sqlite3.Connection, arn: str, history: list[Record]) -> None:
    insert_rows(
        conn,
        "history_events",
        [(arn, event["id"], _dump(event)) for event in history],
        ("execution_arn", "id", "event"),
    )


def _run_row(row: tuple[Any, ...]) -> StoredMapRun:
    return StoredMapRun(
        arn=row[0],
        execution_arn=row[1],
        status=row[2],
        start_ms=row[3],
        record=orjson.loads(row[4]),
    )


def _child_row(row: tuple[Any, ...]) -> StoredChild:
    return StoredChild(
        arn=row[0],
        map_run_arn=row[1],
        index=row[2],
        status=row[3],
        items=row[4],
        start_ms=row[5],
        stop_ms=row[6],
        record=orjson.loads(row[7]),
    )


_MERGE_READS = {
    "map_runs": "SELECT record FROM map_runs WHERE arn = ?",
    "map_run_executions": "SELECT record FROM map_run_executions WHERE arn = ?",
}


def _merge(conn: sqlite3.Connection, table: str, arn: str, changes: Record) -> Record | None:
    """Read-modify-write of one row's record (in the writer's transaction)."""
    statement = _MERGE_READS[table]
    row = conn.execute(statement, (arn,)).fetchone()
    if row is None:
        return None
    record: Record = {**orjson.loads(row[0]), **changes}
    return record


def _apply_map_runs(conn: sqlite3.Connection, changes: list[MapRunChange]) -> None:
    """Store what a step's Distributed Maps did, in the step's transaction."""
    for change in changes:
        at_ms = round(change.at * 1000)
        if change.kind == STARTED:
            record = {**change.details, "startMs": at_ms}
            conn.execute(
                f"INSERT OR REPLACE INTO map_runs ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (
                    change.map_run_arn,
                    change.details["executionArn"],
                    change.status,
                    at_ms,
                    _dump(record),
                ),
            )
        elif change.kind == CHILD:
            details = change.details
            if change.status == "RUNNING":
                record = {"name": details["name"], "input": details.get("input")}
                # a child a redrive runs again keeps its ARN and counts its redrives
                conn.execute(
                    f"INSERT INTO map_run_executions ({_CHILD_COLUMNS}) "
                    "VALUES (?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (arn) DO UPDATE SET "
                    "status = excluded.status, start_ms = excluded.start_ms, stop_ms = NULL, "
                    "record = json_set(excluded.record, '$.redriveCount', "
                    "json_extract(map_run_executions.record, '$.redriveCount'), "
                    "'$.redriveMs', json_extract(map_run_executions.record, '$.redriveMs'))",
                    (
                        details["arn"],
                        change.map_run_arn,
                        change.index,
                        change.status,
                        details["items"],
                        at_ms,
                        _dump(record),
                    ),
                )
                continue
            ended: Record = {k: details[k] for k in ("output", "error", "cause") if k in details}
            merged = _merge(conn, "map_run_executions", details["arn"], ended)
            if merged is None:
                continue
            conn.execute(
                "UPDATE map_run_executions SET status = ?, stop_ms = ?, record = ? WHERE arn = ?",
                (change.status, at_ms, _dump(merged), details["arn"]),
            )
        elif change.kind == REDRIVEN:
            merged = _merge(
                conn,
                "map_runs",
                change.map_run_arn,
                {**change.details, "redriveMs": at_ms, "stopMs": None},
            )
            if merged is None:
                continue
            conn.execute(
                "UPDATE map_runs SET status = 'RUNNING', record = ? WHERE arn = ?",
                (_dump(merged), change.map_run_arn),
            )
            # its unsuccessful children wait to be redriven
            conn.execute(
                "UPDATE map_run_executions SET status = 'PENDING_REDRIVE', record = json_set("
                "record, '$.redriveCount', COALESCE(json_extract(record, '$.redriveCount'), 0) "
                "+ 1, '$.redriveMs', ?) WHERE map_run_arn = ? AND status IN "
                "('FAILED', 'ABORTED', 'TIMED_OUT')",
                (at_ms, change.map_run_arn),
            )
        elif change.kind == ENDED:
            merged = _merge(
                conn, "map_runs", change.map_run_arn, {**change.details, "stopMs": at_ms}
            )
            if merged is None:
                continue
            conn.execute(
                "UPDATE map_runs SET status = ?, record = ? WHERE arn = ?",
                (change.status, _dump(merged), change.map_run_arn),
            )


class SQLiteWorkflowStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    # -- state machines --------------------------------------------------------------
    async def load_machines(self) -> list[Record]:
        return await self._db.read(
            lambda c: [orjson.loads(r[0]) for r in c.execute("SELECT record FROM state_machines")]
        )

    async def put_machine(self, arn: str, name: str, record: Record) -> None:
        data = _dump(record)
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO state_machines (arn, name, record) VALUES (?, ?, ?)",
                (arn, name, data),
            )
        )

    async def delete_machine(self, arn: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))
        )

    # -- versions and aliases --------------------------------------------------------
    async def load_qualified(self, table: str) -> list[Record]:
        statement = f"SELECT record FROM {_qualified_table(table)}"
        return await self._db.read(lambda c: [orjson.loads(r[0]) for r in c.execute(statement)])

    async def put_qualified(self, table: str, arn: str, machine_arn: str, record: Record) -> None:
        statement = (
            f"INSERT OR REPLACE INTO {_qualified_table(table)} (arn, machine_arn, record) "
            "VALUES (?, ?, ?)"
        )
        data = _dump(record)
        await self._db.write(lambda c: c.execute(statement, (arn, machine_arn, data)))

    async def delete_qualified(self, table: str, arn: str) -> None:
        statement = f"DELETE FROM {_qualified_table(table)} WHERE arn = ?"
        await self._db.write(lambda c: c.execute(statement, (arn,)))

    async def delete_machine_qualified(self, machine_arn: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM state_machine_aliases WHERE machine_arn = ?", (machine_arn,))
            conn.execute("DELETE FROM state_machine_versions WHERE machine_arn = ?", (machine_arn,))

        await self._db.write(delete)

    # -- executions ------------------------------------------------------------------
    async def create_execution(
        self,
        execution: StoredExecution,
        history: list[Record],
        map_runs: list[MapRunChange] | None = None,
    ) -> None:
        row = (
            execution.arn,
            execution.machine_arn,
            execution.name,
            execution.status,
            execution.start_ms,
            execution.stop_ms,
            _dump(execution.record),
            _dump(execution.state) if execution.state is not None else None,
            _dump(execution.outstanding),
        )

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO executions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )
            _insert_history(conn, execution.arn, history)
            _apply_map_runs(conn, map_runs or [])

        await self._db.write(insert)

    async def save_step(self, step: ExecutionStep) -> None:
        state = _dump(step.state) if step.state is not None else None
        outstanding = _dump(step.outstanding)
        record = _dump(step.record) if step.record is not None else None

        def update(conn: sqlite3.Connection) -> None:
            if record is None:
                cursor = conn.execute(
                    "UPDATE executions SET status = ?, state = ?, outstanding = ?, "
                    "stop_ms = COALESCE(?, stop_ms) WHERE arn = ?",
                    (step.status, state, outstanding, step.stop_ms, step.arn),
                )
            else:
                cursor = conn.execute(
                    "UPDATE executions SET status = ?, state = ?, outstanding = ?, "
                    "stop_ms = COALESCE(?, stop_ms), record = ? WHERE arn = ?",
                    (step.status, state, outstanding, step.stop_ms, record, step.arn),
                )
            if cursor.rowcount == 0:
                return  # no such execution: history without its row would be an orphan
            _insert_history(conn, step.arn, step.history)
            _apply_map_runs(conn, step.map_runs)

        await self._db.write(update)

    async def get_execution(self, arn: str) -> StoredExecution | None:
        def read(conn: sqlite3.Connection) -> StoredExecution | None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM executions WHERE arn = ?", (arn,)
            ).fetchone()
            return _row(row) if row else None

        return await self._db.read(read)

    async def find_execution(self, machine_arn: str, name: str) -> StoredExecution | None:
        def read(conn: sqlite3.Connection) -> StoredExecution | None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM executions WHERE machine_arn = ? AND name = ?",
                (machine_arn, name),
            ).fetchone()
            return _row(row) if row else None

        return await self._db.read(read)

    async def list_executions(
        self,
        machine_arn: str,
        status: str | None,
        limit: int,
        before: tuple[int, str] | None,
        *,
        started_by: tuple[str, str] | None = None,
        redriven: bool | None = None,
    ) -> list[StoredExecution]:
        sql = [f"SELECT {_COLUMNS} FROM executions WHERE machine_arn = ?"]
        args: list[Any] = [machine_arn]
        if started_by is not None:
            # the version or alias an execution was started through ("version_arn" or
            # "alias_arn" in its record): a key of ours, never the caller's text
            field = {"version_arn": "$.version_arn", "alias_arn": "$.alias_arn"}[started_by[0]]
            sql.append(f"AND json_extract(record, '{field}') = ?")
            args.append(started_by[1])
        if redriven is not None:
            sql.append(
                "AND COALESCE(json_extract(record, '$.redrive_count'), 0) "
                + ("> 0" if redriven else "= 0")
            )
        if status is not None:
            sql.append("AND status = ?")
            args.append(status)
        if before is not None:
            sql.append("AND (start_ms < ? OR (start_ms = ? AND arn < ?))")
            args.extend([before[0], before[0], before[1]])
        sql.append("ORDER BY start_ms DESC, arn DESC LIMIT ?")
        args.append(limit)
        statement = " ".join(sql)
        return await self._db.read(lambda c: [_row(r) for r in c.execute(statement, args)])

    async def running_executions(self) -> list[StoredExecution]:
        return await self._db.read(
            lambda c: [
                _row(r)
                for r in c.execute(f"SELECT {_COLUMNS} FROM executions WHERE status = 'RUNNING'")
            ]
        )

    async def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[Record]:
        if reverse:
            statement = (
                "SELECT event FROM history_events WHERE execution_arn = ? AND id < ? "
                "ORDER BY id DESC LIMIT ?"
            )
            bound = after_id if after_id > 0 else 2**62
        else:
            statement = (
                "SELECT event FROM history_events WHERE execution_arn = ? AND id > ? "
                "ORDER BY id LIMIT ?"
            )
            bound = after_id
        return await self._db.read(
            lambda c: [orjson.loads(r[0]) for r in c.execute(statement, (arn, bound, limit))]
        )

    # -- Map Runs --------------------------------------------------------------------
    async def get_map_run(self, arn: str) -> StoredMapRun | None:
        def read(conn: sqlite3.Connection) -> StoredMapRun | None:
            row = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM map_runs WHERE arn = ?", (arn,)
            ).fetchone()
            return _run_row(row) if row else None

        return await self._db.read(read)

    async def list_map_runs(
        self, execution_arn: str, limit: int, before: tuple[int, str] | None
    ) -> list[StoredMapRun]:
        sql = f"SELECT {_RUN_COLUMNS} FROM map_runs WHERE execution_arn = ?"
        args: list[Any] = [execution_arn]
        if before is not None:
            sql += " AND (start_ms < ? OR (start_ms = ? AND arn < ?))"
            args.extend([before[0], before[0], before[1]])
        sql += " ORDER BY start_ms DESC, arn DESC LIMIT ?"
        args.append(limit)
        return await self._db.read(lambda c: [_run_row(r) for r in c.execute(sql, args)])

    async def running_map_runs(self, execution_arn: str) -> list[StoredMapRun]:
        sql = f"SELECT {_RUN_COLUMNS} FROM map_runs WHERE execution_arn = ? AND status = 'RUNNING'"
        return await self._db.read(
            lambda c: [_run_row(r) for r in c.execute(sql, (execution_arn,))]
        )

    async def update_map_run(self, arn: str, changes: Record) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT status FROM map_runs WHERE arn = ?", (arn,)).fetchone()
            if row is None or row[0] != "RUNNING":
                return False
            merged = _merge(conn, "map_runs", arn, changes)
            conn.execute("UPDATE map_runs SET record = ? WHERE arn = ?", (_dump(merged), arn))
            return True

        return await self._db.write(update)

    async def map_run_counts(self, arn: str) -> dict[str, tuple[int, int]]:
        def read(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
            rows = conn.execute(
                "SELECT status, COUNT(*), COALESCE(SUM(items), 0) FROM map_run_executions "
                "WHERE map_run_arn = ? GROUP BY status",
                (arn,),
            )
            return {r[0]: (int(r[1]), int(r[2])) for r in rows}

        return await self._db.read(read)

    async def get_child(self, arn: str) -> StoredChild | None:
        def read(conn: sqlite3.Connection) -> StoredChild | None:
            row = conn.execute(
                f"SELECT {_CHILD_COLUMNS} FROM map_run_executions WHERE arn = ?", (arn,)
            ).fetchone()
            return _child_row(row) if row else None

        return await self._db.read(read)

    async def list_children(
        self,
        map_run_arn: str,
        status: str | None,
        limit: int,
        before: tuple[int, str] | None,
        *,
        redriven: bool | None = None,
    ) -> list[StoredChild]:
        sql = f"SELECT {_CHILD_COLUMNS} FROM map_run_executions WHERE map_run_arn = ?"
        args: list[Any] = [map_run_arn]
        if redriven is not None:
            sql += " AND COALESCE(json_extract(record, '$.redriveCount'), 0) " + (
                "> 0" if redriven else "= 0"
            )
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if before is not None:
            sql += " AND (start_ms < ? OR (start_ms = ? AND arn < ?))"
            args.extend([before[0], before[0], before[1]])
        sql += " ORDER BY start_ms DESC, arn DESC LIMIT ?"
        args.append(limit)
        return await self._db.read(lambda c: [_child_row(r) for r in c.execute(sql, args)])

    # -- activities ------------------------------------------------------------------
    async def load_activities(self) -> list[Record]:
        return await self._db.read(
            lambda c: [orjson.loads(r[0]) for r in c.execute("SELECT record FROM activities")]
        )

    async def put_activity(self, arn: str, name: str, record: Record) -> None:
        data = _dump(record)
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR REPLACE INTO activities (arn, name, record) VALUES (?, ?, ?)",
                (arn, name, data),
            )
        )

    async def delete_activity(self, arn: str) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM activities WHERE arn = ?", (arn,))

        await self._db.write(delete)

    async def enqueue_activity_task(self, token: str, activity_arn: str, task_input: str) -> None:
        now = int(time.time() * 1000)
        await self._db.write(
            lambda c: c.execute(
                "INSERT OR IGNORE INTO activity_tasks (token, activity_arn, input, created_ms) "
                "VALUES (?, ?, ?, ?)",
                (token, activity_arn, task_input, now),
            )
        )

    async def take_activity_task(self, activity_arn: str) -> tuple[str, str] | None:
        def take(conn: sqlite3.Connection) -> tuple[str, str] | None:
            row = conn.execute(
                "SELECT token, input FROM activity_tasks WHERE activity_arn = ? AND taken = 0 "
                "ORDER BY created_ms LIMIT 1",
                (activity_arn,),
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE activity_tasks SET taken = 1 WHERE token = ?", (row[0],))
            return row[0], row[1]

        return await self._db.write(take)

    async def remove_activity_task(self, token: str) -> None:
        await self._db.write(
            lambda c: c.execute("DELETE FROM activity_tasks WHERE token = ?", (token,))
        )


# The workflows component's schema, as its ordered migrations.
WORKFLOWS_MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "state machines, executions and their history, activities",
        """
        CREATE TABLE state_machines (
            arn TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, record TEXT NOT NULL
        );
        CREATE TABLE executions (
            arn TEXT PRIMARY KEY,
            machine_arn TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            start_ms INTEGER NOT NULL,
            stop_ms INTEGER,
            record TEXT NOT NULL,
            state TEXT,
            outstanding TEXT NOT NULL DEFAULT '{}'
        );
        CREATE UNIQUE INDEX executions_name ON executions (machine_arn, name);
        CREATE INDEX executions_status ON executions (status);
        CREATE INDEX executions_machine ON executions (machine_arn, start_ms);
        CREATE TABLE history_events (
            execution_arn TEXT NOT NULL,
            id INTEGER NOT NULL,
            event TEXT NOT NULL,
            PRIMARY KEY (execution_arn, id)
        ) WITHOUT ROWID;
        CREATE TABLE activities (arn TEXT PRIMARY KEY, name TEXT NOT NULL, record TEXT NOT NULL);
        CREATE TABLE activity_tasks (
            token TEXT PRIMARY KEY,
            activity_arn TEXT NOT NULL,
            input TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            taken INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX activity_tasks_queue ON activity_tasks (activity_arn, taken, created_ms);
        """,
    ),
    Migration(
        2,
        "state machines keyed by ARN only: one name may exist in several regions",
        # Version 1 made ``name`` UNIQUE, so with INSERT OR REPLACE a machine created in a
        # second region silently deleted the first one's row. SQLite cannot drop a
        # constraint: the table is rebuilt.
        """
        CREATE TABLE state_machines_v2 (arn TEXT PRIMARY KEY, name TEXT NOT NULL, record TEXT NOT NULL);
        INSERT INTO state_machines_v2 (arn, name, record) SELECT arn, name, record FROM state_machines;
        DROP TABLE state_machines;
        ALTER TABLE state_machines_v2 RENAME TO state_machines;
        """,
    ),
    Migration(
        3,
        "state machine versions and aliases",
        """
        CREATE TABLE state_machine_versions (
            arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, record TEXT NOT NULL
        );
        CREATE INDEX state_machine_versions_machine ON state_machine_versions (machine_arn);
        CREATE TABLE state_machine_aliases (
            arn TEXT PRIMARY KEY, machine_arn TEXT NOT NULL, record TEXT NOT NULL
        );
        CREATE INDEX state_machine_aliases_machine ON state_machine_aliases (machine_arn);
        """,
    ),
    Migration(
        4,
        "Map Runs of Distributed Maps and their child executions",
        """
        CREATE TABLE map_runs (
            arn TEXT PRIMARY KEY,
            execution_arn TEXT NOT NULL,
            status TEXT NOT NULL,
            start_ms INTEGER NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX map_runs_execution ON map_runs (execution_arn, start_ms);
        CREATE TABLE map_run_executions (
            arn TEXT PRIMARY KEY,
            map_run_arn TEXT NOT NULL,
            idx INTEGER NOT NULL,
            status TEXT NOT NULL,
            items INTEGER NOT NULL,
            start_ms INTEGER NOT NULL,
            stop_ms INTEGER,
            record TEXT NOT NULL
        );
        CREATE INDEX map_run_executions_run ON map_run_executions (map_run_arn, start_ms);
        """,
    ),
]
