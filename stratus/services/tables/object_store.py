"""What exports and imports need of an object store (S3's buckets), as a Protocol: the
tables service never imports the objects service; the component hands it an adapter.

Failures of the store are data for the job (an export or import FAILED with a
FailureCode and FailureMessage, as DynamoDB reports them), never a request's error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class StoreFailure(Exception):
    """The object store refused: ``code`` and ``message`` become the job's FailureCode
    and FailureMessage."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int


class ObjectStore(Protocol):
    def owner(self, bucket: str) -> str:
        """The account owning ``bucket``; StoreFailure when there is none."""
        ...

    async def put(self, bucket: str, key: str, data: bytes, account: str, region: str) -> str:
        """Write one object; its ETag (without quotes)."""
        ...

    async def list(self, bucket: str, prefix: str) -> list[StoredObject]:
        """Every object under ``prefix``, in key order."""
        ...

    async def get(self, bucket: str, key: str) -> bytes: ...
