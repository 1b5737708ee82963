"""SQLite implementation of QueueStore, and the queues component's schema.

Write amplification, measured in ``bench/queue_throughput.py``: a message is a small state
row in ``sqs_messages`` and an immutable row in ``sqs_bodies``. A receive updates only the
state row (SQLite rewrites a whole row on UPDATE, so a 256 KiB body beside the counters
would be rewritten by every receive: 600 bytes written per receive instead of 256 KiB).
Nothing queries messages by visibility or by queue on the hot path: the service's
in-memory index (``index.py``) decides what is visible and knows each message's row, so
the tables have no secondary index at all. One on ``(queue_id)`` cost 28% more bytes
written per message sent or deleted one at a time (14 KB instead of 10 KB with 512-byte
bodies) for the sake of DeleteQueue, which now scans the table instead: rare, and a
scan of a million state rows takes a fraction of a second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from stratus.services.queues.model import MessageMeta, QueueKey, StoredMessage
from stratus.services.queues.repository import DedupEntry, QueuesSnapshot, Received, StoredQueue
from stratus.store.records import Record
from stratus.store.sqlite.bulk import insert_rows
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration

__all__ = ["QUEUES_MIGRATIONS", "SQLiteQueueStore"]

QUEUES_MIGRATIONS = [
    Migration(
        1,
        "queues, message state and bodies, FIFO deduplication",
        """
        CREATE TABLE sqs_queues (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            record TEXT NOT NULL,
            UNIQUE (account, region, name)
        );
        CREATE TABLE sqs_messages (
            seq INTEGER PRIMARY KEY,
            queue_id INTEGER NOT NULL,
            message_id TEXT NOT NULL,
            sent_ms INTEGER NOT NULL,
            visible_at_ms INTEGER NOT NULL,
            receive_count INTEGER NOT NULL DEFAULT 0,
            first_receive_ms INTEGER,
            group_id TEXT,
            dedup_id TEXT,
            size INTEGER NOT NULL,
            dead_letter_source TEXT
        );
        CREATE TABLE sqs_bodies (
            seq INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            md5 TEXT NOT NULL,
            attributes TEXT,
            md5_attributes TEXT,
            system TEXT,
            md5_system TEXT
        );
        CREATE TABLE sqs_dedup (
            queue_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            message_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (queue_id, key)
        ) WITHOUT ROWID;
        """,
    )
]

_META = (
    "m.seq, m.queue_id, m.message_id, m.sent_ms, m.visible_at_ms, m.receive_count, "
    "m.first_receive_ms, m.group_id, m.dedup_id, m.size, m.dead_letter_source"
)
_FULL = f"{_META}, b.body, b.md5, b.attributes, b.md5_attributes, b.system, b.md5_system"
_CHUNK = 500  # host parameters per IN (...) list, well under SQLite's limit


def _meta(row: Sequence[Any]) -> MessageMeta:
    return MessageMeta(
        seq=row[0],
        message_id=row[2],
        sent_ms=row[3],
        visible_at_ms=row[4],
        receive_count=row[5],
        first_receive_ms=row[6],
        group_id=row[7],
        dedup_id=row[8],
        size=row[9],
        dead_letter_source=row[10],
    )


def _stored(row: Sequence[Any]) -> StoredMessage:
    return StoredMessage(
        meta=_meta(row),
        queue_id=row[1],
        body=row[11],
        md5_of_body=row[12],
        attributes=orjson.loads(row[13]) if row[13] else None,
        md5_of_attributes=row[14],
        system=orjson.loads(row[15]) if row[15] else None,
        md5_of_system=row[16],
    )


def _json(value: Any) -> str | None:
    return orjson.dumps(value).decode() if value else None


def _chunks(seqs: Sequence[int]) -> list[Sequence[int]]:
    return [seqs[i : i + _CHUNK] for i in range(0, len(seqs), _CHUNK)]


def _read(conn: sqlite3.Connection, seqs: Sequence[int]) -> list[StoredMessage]:
    found: dict[int, StoredMessage] = {}
    for chunk in _chunks(seqs):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT {_FULL} FROM sqs_messages m JOIN sqs_bodies b ON b.seq = m.seq "
            f"WHERE m.seq IN ({marks})",
            tuple(chunk),
        ):
            found[row[0]] = _stored(row)
    return [found[seq] for seq in seqs if seq in found]


class SQLiteQueueStore:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def load(self, now_ms: int) -> QueuesSnapshot:
        def read(conn: sqlite3.Connection) -> QueuesSnapshot:
            snapshot = QueuesSnapshot()
            for queue_id, account, region, name, record in conn.execute(
                "SELECT id, account, region, name, record FROM sqs_queues ORDER BY id"
            ):
                key = QueueKey(account, region, name)
                snapshot.queues.append(StoredQueue(queue_id, key, orjson.loads(record)))
                snapshot.messages[queue_id] = []
            for row in conn.execute(f"SELECT {_META} FROM sqs_messages m ORDER BY m.seq"):
                snapshot.messages.setdefault(row[1], []).append(_meta(row))
                snapshot.max_seq = row[0]
            snapshot.dedup = [
                DedupEntry(*row)
                for row in conn.execute(
                    "SELECT queue_id, key, message_id, seq, expires_ms FROM sqs_dedup "
                    "WHERE expires_ms > ?",
                    (now_ms,),
                )
            ]
            (top,) = conn.execute(
                "SELECT max(seq) FROM (SELECT max(seq) AS seq FROM sqs_messages "
                "UNION ALL SELECT max(seq) FROM sqs_dedup)"
            ).fetchone()
            snapshot.max_seq = max(snapshot.max_seq, top or 0)
            return snapshot

        return await self._db.read(read)

    async def create_queue(self, key: QueueKey, record: Record) -> int:
        text = orjson.dumps(record).decode()

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO sqs_queues (account, region, name, record) VALUES (?, ?, ?, ?)",
                (key.account, key.region, key.name, text),
            )
            return int(cursor.lastrowid or 0)

        return await self._db.write(insert)

    async def update_queue(self, queue_id: int, record: Record) -> None:
        text = orjson.dumps(record).decode()
        await self._db.write(
            lambda conn: conn.execute(
                "UPDATE sqs_queues SET record = ? WHERE id = ?", (text, queue_id)
            )
        )

    async def delete_queue(self, queue_id: int) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM sqs_bodies WHERE seq IN "
                "(SELECT seq FROM sqs_messages WHERE queue_id = ?)",
                (queue_id,),
            )
            conn.execute("DELETE FROM sqs_messages WHERE queue_id = ?", (queue_id,))
            conn.execute("DELETE FROM sqs_dedup WHERE queue_id = ?", (queue_id,))
            conn.execute("DELETE FROM sqs_queues WHERE id = ?", (queue_id,))

        await self._db.write(delete)

    async def add_messages(
        self, messages: Sequence[StoredMessage], dedup: Sequence[DedupEntry] = ()
    ) -> None:
        states = [
            (
                m.meta.seq,
                m.queue_id,
                m.meta.message_id,
                m.meta.sent_ms,
                m.meta.visible_at_ms,
                m.meta.receive_count,
                m.meta.first_receive_ms,
                m.meta.group_id,
                m.meta.dedup_id,
                m.meta.size,
                m.meta.dead_letter_source,
            )
            for m in messages
        ]
        bodies = [
            (
                m.meta.seq,
                m.body,
                m.md5_of_body,
                _json(m.attributes),
                m.md5_of_attributes,
                _json(m.system),
                m.md5_of_system,
            )
            for m in messages
        ]
        entries = [(d.queue_id, d.key, d.message_id, d.seq, d.expires_ms) for d in dedup]

        def insert(conn: sqlite3.Connection) -> None:
            insert_rows(conn, "sqs_messages", states)
            insert_rows(conn, "sqs_bodies", bodies)
            if entries:
                conn.executemany("INSERT OR REPLACE INTO sqs_dedup VALUES (?,?,?,?,?)", entries)

        await self._db.write(insert)

    async def mark_received(self, received: Sequence[Received]) -> list[StoredMessage]:
        rows = [(r.visible_at_ms, r.receive_count, r.first_receive_ms, r.seq) for r in received]
        seqs = [r.seq for r in received]

        def update(conn: sqlite3.Connection) -> list[StoredMessage]:
            conn.executemany(
                "UPDATE sqs_messages SET visible_at_ms = ?, receive_count = ?, "
                "first_receive_ms = ? WHERE seq = ?",
                rows,
            )
            return _read(conn, seqs)

        return await self._db.write(update)

    async def set_visibility(self, changes: Sequence[tuple[int, int]]) -> None:
        rows = [(visible_at, seq) for seq, visible_at in changes]
        await self._db.write(
            lambda conn: conn.executemany(
                "UPDATE sqs_messages SET visible_at_ms = ? WHERE seq = ?", rows
            )
        )

    async def move_messages(
        self,
        seqs: Sequence[int],
        queue_id: int,
        visible_at_ms: int,
        *,
        reset_receives: bool,
        dead_letter_source: str | None,
    ) -> None:
        if reset_receives:
            sql = (
                "UPDATE sqs_messages SET queue_id = ?, visible_at_ms = ?, "
                "dead_letter_source = ?, receive_count = 0, first_receive_ms = NULL "
                "WHERE seq = ?"
            )
        else:
            sql = (
                "UPDATE sqs_messages SET queue_id = ?, visible_at_ms = ?, "
                "dead_letter_source = ? WHERE seq = ?"
            )
        rows = [(queue_id, visible_at_ms, dead_letter_source, seq) for seq in seqs]
        await self._db.write(lambda conn: conn.executemany(sql, rows))

    async def read_messages(self, seqs: Sequence[int]) -> list[StoredMessage]:
        return await self._db.read(lambda conn: _read(conn, seqs))

    async def delete_messages(self, seqs: Sequence[int]) -> None:
        chunks = _chunks(list(seqs))

        def delete(conn: sqlite3.Connection) -> None:
            for chunk in chunks:
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM sqs_messages WHERE seq IN ({marks})", chunk)
                conn.execute(f"DELETE FROM sqs_bodies WHERE seq IN ({marks})", chunk)

        await self._db.write(delete)

    async def delete_expired_dedup(self, now_ms: int) -> None:
        await self._db.write(
            lambda conn: conn.execute("DELETE FROM sqs_dedup WHERE expires_ms <= ?", (now_ms,))
        )
