"""The object store's tables: buckets, object versions, uploads, parts, the event outbox.

An object version is one row; what is read only with the object (stored headers, user
metadata, tags, checksums, part sizes) is one JSON column beside the columns listings
need. Listing walks the partial index of latest versions in key order (S3's order:
UTF-8 bytes, which is SQLite's BINARY collation of TEXT). Notifications for a change
are inserted into ``s3_outbox`` in the same transaction as the change, so an event is
stored exactly when its object is (see ``notifications/``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from stratus.services.objects.model import Bucket, Lock, ObjectVersion, Part, Restore, Upload
from stratus.store.sqlite.migrations import Migration

__all__ = ["MIGRATIONS", "ObjectsRepository", "OutboxRow"]

MIGRATIONS = [
    Migration(
        1,
        "buckets, object versions, multipart uploads and parts, notification outbox",
        """
        CREATE TABLE s3_buckets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            created REAL NOT NULL,
            versioning TEXT,
            configs TEXT NOT NULL
        );
        CREATE TABLE s3_objects (
            seq INTEGER PRIMARY KEY,
            bucket_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            version_id TEXT NOT NULL,
            latest INTEGER NOT NULL,
            delete_marker INTEGER NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            modified REAL NOT NULL,
            file_id TEXT,
            record TEXT NOT NULL,
            UNIQUE (bucket_id, key, version_id)
        );
        CREATE INDEX s3_objects_latest ON s3_objects (bucket_id, key) WHERE latest = 1;
        CREATE INDEX s3_objects_versions ON s3_objects (bucket_id, key, seq);
        CREATE TABLE s3_uploads (
            upload_id TEXT PRIMARY KEY,
            bucket_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            initiated REAL NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX s3_uploads_key ON s3_uploads (bucket_id, key, initiated);
        CREATE TABLE s3_parts (
            upload_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            size INTEGER NOT NULL,
            etag TEXT NOT NULL,
            modified REAL NOT NULL,
            file_id TEXT NOT NULL,
            checksums TEXT NOT NULL,
            PRIMARY KEY (upload_id, number)
        ) WITHOUT ROWID;
        CREATE TABLE s3_outbox (
            id INTEGER PRIMARY KEY,
            due REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            record TEXT NOT NULL
        );
        """,
    )
]

_COLUMNS = (
    "seq, bucket_id, key, version_id, latest, delete_marker, size, etag, modified, file_id, record"
)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _version(row: Sequence[Any]) -> ObjectVersion:
    record = orjson.loads(row[10])
    return ObjectVersion(
        seq=row[0],
        bucket_id=row[1],
        key=row[2],
        version_id=row[3],
        latest=bool(row[4]),
        delete_marker=bool(row[5]),
        size=row[6],
        etag=row[7],
        modified=row[8],
        file_id=row[9],
        headers=record.get("headers", {}),
        metadata=record.get("metadata", {}),
        tags=record.get("tags", {}),
        checksums=record.get("checksums", {}),
        checksum_type=record.get("checksum_type"),
        parts=record.get("parts", []),
        acl=record.get("acl"),
        lock=Lock.from_json(record.get("lock")),
        restore=Restore.from_json(record.get("restore")),
    )


def _record(version: ObjectVersion) -> str:
    record: dict[str, Any] = {}
    for name in ("headers", "metadata", "tags", "checksums", "parts", "acl"):
        value = getattr(version, name)
        if value:
            record[name] = value
    if version.checksum_type:
        record["checksum_type"] = version.checksum_type
    lock = version.lock.to_json()
    if lock:
        record["lock"] = lock
    if version.restore is not None:
        record["restore"] = version.restore.to_json()
    return _dumps(record)


class OutboxRow:
    """One pending notification: where it goes, the event document, and when its next
    attempt may start. The delivery loop holds every pending row in memory, so the
    document stays the stored JSON text (a quarter of it parsed) until it is sent."""

    __slots__ = ("attempts", "due", "id", "text")

    def __init__(self, id: int, due: float, attempts: int, text: str) -> None:
        self.id = id
        self.due = due
        self.attempts = attempts
        self.text = text

    @property
    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = orjson.loads(self.text)
        return record


class ObjectsRepository:
    """Synchronous statements, run by the database's writer thread or reader pool."""

    # -- buckets ---------------------------------------------------------------------
    @staticmethod
    def load_buckets(conn: sqlite3.Connection) -> list[Bucket]:
        rows = conn.execute(
            "SELECT id, name, account, region, created, versioning, configs FROM s3_buckets"
        ).fetchall()
        return [Bucket(r[0], r[1], r[2], r[3], r[4], r[5], orjson.loads(r[6])) for r in rows]

    @staticmethod
    def insert_bucket(conn: sqlite3.Connection, bucket: Bucket) -> int:
        cursor = conn.execute(
            "INSERT INTO s3_buckets (name, account, region, created, versioning, configs) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                bucket.name,
                bucket.account,
                bucket.region,
                bucket.created,
                bucket.versioning,
                _dumps(bucket.configs),
            ),
        )
        return int(cursor.lastrowid or 0)

    @staticmethod
    def update_bucket(conn: sqlite3.Connection, bucket: Bucket) -> None:
        conn.execute(
            "UPDATE s3_buckets SET versioning = ?, configs = ? WHERE id = ?",
            (bucket.versioning, _dumps(bucket.configs), bucket.id),
        )

    @staticmethod
    def bucket_is_empty(conn: sqlite3.Connection, bucket_id: int) -> bool:
        row = conn.execute(
            "SELECT 1 FROM s3_objects WHERE bucket_id = ? LIMIT 1", (bucket_id,)
        ).fetchone()
        return row is None

    @staticmethod
    def delete_bucket(conn: sqlite3.Connection, bucket_id: int) -> list[str]:
        """Delete the bucket and its uploads; the part files to remove."""
        files = [
            r[0]
            for r in conn.execute(
                "SELECT p.file_id FROM s3_parts p JOIN s3_uploads u USING (upload_id) "
                "WHERE u.bucket_id = ?",
                (bucket_id,),
            )
        ]
        conn.execute(
            "DELETE FROM s3_parts WHERE upload_id IN "
            "(SELECT upload_id FROM s3_uploads WHERE bucket_id = ?)",
            (bucket_id,),
        )
        conn.execute("DELETE FROM s3_uploads WHERE bucket_id = ?", (bucket_id,))
        conn.execute("DELETE FROM s3_buckets WHERE id = ?", (bucket_id,))
        return files

    # -- object versions ---------------------------------------------------------------
    @staticmethod
    def get_version(
        conn: sqlite3.Connection, bucket_id: int, key: str, version_id: str | None
    ) -> ObjectVersion | None:
        if version_id is None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket_id = ? AND key = ? AND latest = 1",
                (bucket_id, key),
            ).fetchone()
        else:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket_id = ? AND key = ? "
                "AND version_id = ?",
                (bucket_id, key, version_id),
            ).fetchone()
        return _version(row) if row else None

    @staticmethod
    def put_version(
        conn: sqlite3.Connection,
        version: ObjectVersion,
        replace_null: bool,
    ) -> list[str]:
        """Make ``version`` the key's latest; with ``replace_null`` the key's "null"
        version (unversioned or suspended bucket) goes. Returns the files nobody refers
        to any more."""
        freed: list[str] = []
        if replace_null:
            row = conn.execute(
                "SELECT file_id FROM s3_objects WHERE bucket_id = ? AND key = ? "
                "AND version_id = 'null'",
                (version.bucket_id, version.key),
            ).fetchone()
            if row is not None:
                if row[0]:
                    freed.append(row[0])
                conn.execute(
                    "DELETE FROM s3_objects WHERE bucket_id = ? AND key = ? AND version_id = 'null'",
                    (version.bucket_id, version.key),
                )
        conn.execute(
            "UPDATE s3_objects SET latest = 0 WHERE bucket_id = ? AND key = ? AND latest = 1",
            (version.bucket_id, version.key),
        )
        cursor = conn.execute(
            "INSERT INTO s3_objects (bucket_id, key, version_id, latest, delete_marker, size, "
            "etag, modified, file_id, record) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            (
                version.bucket_id,
                version.key,
                version.version_id,
                int(version.delete_marker),
                version.size,
                version.etag,
                version.modified,
                version.file_id,
                _record(version),
            ),
        )
        version.seq = int(cursor.lastrowid or 0)
        return freed

    @staticmethod
    def delete_version(
        conn: sqlite3.Connection,
        bucket_id: int,
        key: str,
        version_id: str,
        guard: Callable[[ObjectVersion], None] | None = None,
    ) -> ObjectVersion | None:
        """Remove one version (promoting the next newest to latest); the removed one.
        ``guard`` may refuse, by raising, once the version is read (Object Lock)."""
        removed = ObjectsRepository.get_version(conn, bucket_id, key, version_id)
        if removed is None:
            return None
        if guard is not None:
            guard(removed)
        conn.execute("DELETE FROM s3_objects WHERE seq = ?", (removed.seq,))
        if removed.latest:
            conn.execute(
                "UPDATE s3_objects SET latest = 1 WHERE seq = (SELECT MAX(seq) FROM s3_objects "
                "WHERE bucket_id = ? AND key = ?)",
                (bucket_id, key),
            )
        return removed

    @staticmethod
    def save_record(conn: sqlite3.Connection, version: ObjectVersion) -> None:
        """Rewrite a version's JSON record (tags, ACL, Object Lock state) in place."""
        conn.execute(
            "UPDATE s3_objects SET record = ? WHERE seq = ?", (_record(version), version.seq)
        )

    @staticmethod
    def list_latest(
        conn: sqlite3.Connection,
        bucket_id: int,
        prefix: str,
        after: str,
        limit: int,
        inclusive: bool = False,
    ) -> list[ObjectVersion]:
        """Latest versions (delete markers included) with keys past ``after`` (or from
        it, ``inclusive``), in key order."""
        op = ">=" if inclusive else ">"
        if prefix:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket_id = ? AND latest = 1 "
                f"AND key {op} ? AND key >= ? AND key < ? ORDER BY key LIMIT ?",
                (bucket_id, after, prefix, successor(prefix), limit),
            ).fetchall()
        else:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket_id = ? AND latest = 1 "
                f"AND key {op} ? ORDER BY key LIMIT ?",
                (bucket_id, after, limit),
            ).fetchall()
        return [_version(r) for r in rows]

    @staticmethod
    def list_versions(
        conn: sqlite3.Connection,
        bucket_id: int,
        prefix: str,
        after_key: str,
        after_seq: int | None,
        limit: int,
    ) -> list[ObjectVersion]:
        """Versions in key order, newest first within a key, starting past a marker."""
        if after_seq is None:
            where = "key > ?"
            args: list[Any] = [after_key]
        else:
            where = "(key > ? OR (key = ? AND seq < ?))"
            args = [after_key, after_key, after_seq]
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket_id = ? AND {where} "
            "AND substr(key, 1, ?) = ? ORDER BY key, seq DESC LIMIT ?",
            (bucket_id, *args, len(prefix), prefix, limit),
        ).fetchall()
        return [_version(r) for r in rows]

    @staticmethod
    def referenced_files(conn: sqlite3.Connection) -> set[str]:
        files = {
            r[0] for r in conn.execute("SELECT file_id FROM s3_objects WHERE file_id IS NOT NULL")
        }
        files.update(r[0] for r in conn.execute("SELECT file_id FROM s3_parts"))
        return files

    # -- uploads -----------------------------------------------------------------------
    @staticmethod
    def insert_upload(conn: sqlite3.Connection, upload: Upload) -> None:
        conn.execute(
            "INSERT INTO s3_uploads (upload_id, bucket_id, key, initiated, record) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                upload.upload_id,
                upload.bucket_id,
                upload.key,
                upload.initiated,
                _dumps(
                    {
                        "headers": upload.headers,
                        "metadata": upload.metadata,
                        "tags": upload.tags,
                        "checksum_algorithm": upload.checksum_algorithm,
                        "checksum_type": upload.checksum_type,
                        "lock": upload.lock.to_json(),
                    }
                ),
            ),
        )

    @staticmethod
    def get_upload(conn: sqlite3.Connection, upload_id: str) -> Upload | None:
        row = conn.execute(
            "SELECT upload_id, bucket_id, key, initiated, record FROM s3_uploads "
            "WHERE upload_id = ?",
            (upload_id,),
        ).fetchone()
        return _upload(row) if row else None

    @staticmethod
    def list_uploads(
        conn: sqlite3.Connection, bucket_id: int, prefix: str, after_key: str, limit: int
    ) -> list[Upload]:
        rows = conn.execute(
            "SELECT upload_id, bucket_id, key, initiated, record FROM s3_uploads "
            "WHERE bucket_id = ? AND key > ? AND substr(key, 1, ?) = ? "
            "ORDER BY key, initiated LIMIT ?",
            (bucket_id, after_key, len(prefix), prefix, limit),
        ).fetchall()
        return [_upload(r) for r in rows]

    @staticmethod
    def put_part(conn: sqlite3.Connection, upload_id: str, part: Part) -> str | None:
        """Store a part (replacing one of the same number); the replaced part's file."""
        if (
            conn.execute("SELECT 1 FROM s3_uploads WHERE upload_id = ?", (upload_id,)).fetchone()
            is None
        ):
            raise LookupError(upload_id)
        old = conn.execute(
            "SELECT file_id FROM s3_parts WHERE upload_id = ? AND number = ?",
            (upload_id, part.number),
        ).fetchone()
        conn.execute(
            "INSERT OR REPLACE INTO s3_parts (upload_id, number, size, etag, modified, file_id, "
            "checksums) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                upload_id,
                part.number,
                part.size,
                part.etag,
                part.modified,
                part.file_id,
                _dumps(part.checksums),
            ),
        )
        return old[0] if old else None

    @staticmethod
    def list_parts(
        conn: sqlite3.Connection, upload_id: str, after: int = 0, limit: int = 10001
    ) -> list[Part]:
        rows = conn.execute(
            "SELECT number, size, etag, modified, file_id, checksums FROM s3_parts "
            "WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?",
            (upload_id, after, limit),
        ).fetchall()
        return [Part(r[0], r[1], r[2], r[3], r[4], orjson.loads(r[5])) for r in rows]

    @staticmethod
    def delete_upload(conn: sqlite3.Connection, upload_id: str) -> list[str] | None:
        """Forget an upload; the files of its parts, ``None`` if there was no upload."""
        if (
            conn.execute("SELECT 1 FROM s3_uploads WHERE upload_id = ?", (upload_id,)).fetchone()
            is None
        ):
            return None
        files = [
            r[0]
            for r in conn.execute("SELECT file_id FROM s3_parts WHERE upload_id = ?", (upload_id,))
        ]
        conn.execute("DELETE FROM s3_parts WHERE upload_id = ?", (upload_id,))
        conn.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload_id,))
        return files

    # -- outbox ------------------------------------------------------------------------
    @staticmethod
    def add_outbox(
        conn: sqlite3.Connection, records: Sequence[dict[str, Any]], now: float
    ) -> list[OutboxRow]:
        """Insert the records, due now; the rows to hand to the delivery loop once the
        write has committed."""
        rows = []
        for record in records:
            text = _dumps(record)
            cursor = conn.execute("INSERT INTO s3_outbox (due, record) VALUES (?, ?)", (now, text))
            rows.append(OutboxRow(int(cursor.lastrowid or 0), now, 0, text))
        return rows

    @staticmethod
    def load_outbox(conn: sqlite3.Connection) -> list[OutboxRow]:
        """Every pending notification (at start), in the order they were stored."""
        rows = conn.execute("SELECT id, due, attempts, record FROM s3_outbox ORDER BY id")
        return [OutboxRow(r[0], r[1], r[2], r[3]) for r in rows.fetchall()]

    @staticmethod
    def finish_outbox(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
        conn.executemany("DELETE FROM s3_outbox WHERE id = ?", [(i,) for i in ids])

    @staticmethod
    def retry_outbox(conn: sqlite3.Connection, row_id: int, due: float) -> None:
        conn.execute(
            "UPDATE s3_outbox SET attempts = attempts + 1, due = ? WHERE id = ?", (due, row_id)
        )


def successor(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix`` (code point
    order is UTF-8 byte order, SQLite's BINARY collation)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return prefix + "\U0010ffff"
    return prefix[:-1] + chr(last + 1 if last + 1 not in range(0xD800, 0xE000) else 0xE000)


def _upload(row: Sequence[Any]) -> Upload:
    record = orjson.loads(row[4])
    return Upload(
        upload_id=row[0],
        bucket_id=row[1],
        key=row[2],
        initiated=row[3],
        headers=record.get("headers", {}),
        metadata=record.get("metadata", {}),
        tags=record.get("tags", {}),
        checksum_algorithm=record.get("checksum_algorithm"),
        checksum_type=record.get("checksum_type"),
        lock=Lock.from_json(record.get("lock")),
    )
