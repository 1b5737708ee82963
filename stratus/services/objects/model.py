"""The object store's records: buckets, object versions, multipart uploads and parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Bucket", "Lock", "ObjectVersion", "Part", "Restore", "Upload"]


@dataclass(slots=True)
class Lock:
    """A version's Object Lock state: a retention (mode until a time) and a legal hold.
    A version is protected while either holds (``services/objects/locking.py``)."""

    mode: str | None = None  # GOVERNANCE or COMPLIANCE
    until: float | None = None  # seconds since the epoch
    legal_hold: str | None = None  # ON or OFF once set

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.mode is not None:
            out["mode"], out["until"] = self.mode, self.until
        if self.legal_hold is not None:
            out["legal_hold"] = self.legal_hold
        return out

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Lock:
        value = value or {}
        return cls(value.get("mode"), value.get("until"), value.get("legal_hold"))


@dataclass(slots=True)
class Bucket:
    """A bucket and its settings (sub-resources kept as S3's own shapes, validated)."""

    id: int
    name: str
    account: str
    region: str
    created: float
    versioning: str | None = None  # None (never enabled), "Enabled", "Suspended"
    configs: dict[str, Any] = field(default_factory=dict)  # policy, cors, lifecycle, ...

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


@dataclass(slots=True)
class ObjectVersion:
    """One version of a key: its bytes' file, their digests and the stored headers."""

    bucket_id: int
    key: str
    version_id: str  # "null" in a bucket that never had versioning
    latest: bool
    delete_marker: bool
    size: int
    etag: str  # quoted, as S3 writes it
    modified: float  # seconds since the epoch, millisecond precision
    file_id: str | None  # the bytes' file; None for a delete marker
    headers: dict[str, str] = field(default_factory=dict)  # Content-Type, Cache-Control ...
    metadata: dict[str, str] = field(default_factory=dict)  # x-amz-meta-*
    tags: dict[str, str] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)  # algorithm -> base64 value
    checksum_type: str | None = None  # FULL_OBJECT or COMPOSITE
    parts: list[int] = field(default_factory=list)  # part sizes of a multipart object
    acl: dict[str, Any] | None = None  # S3's AccessControlPolicy; None: the owner's alone
    seq: int = 0
    lock: Lock = field(default_factory=lambda: Lock())  # Object Lock retention, legal hold
    restore: Restore | None = None  # an archived version's restored copy (``restore.py``)


@dataclass(slots=True)
class Restore:
    """A restore of an archived version: its copy is readable from ``ready`` (seconds
    since the epoch) until ``expiry``; before ``ready`` the restore is ongoing."""

    ready: float
    expiry: float
    tier: str = "Standard"

    def to_json(self) -> dict[str, object]:
        return {"ready": self.ready, "expiry": self.expiry, "tier": self.tier}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Restore | None:
        if not value:
            return None
        return cls(
            float(value["ready"]), float(value["expiry"]), str(value.get("tier", "Standard"))
        )


@dataclass(slots=True)
class Upload:
    """A multipart upload in progress."""

    upload_id: str
    bucket_id: int
    key: str
    initiated: float
    headers: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    lock: Lock = field(default_factory=lambda: Lock())  # asked for at creation


@dataclass(slots=True)
class Part:
    """One uploaded part of a multipart upload."""

    number: int
    size: int
    etag: str
    modified: float
    file_id: str
    checksums: dict[str, str] = field(default_factory=dict)
