"""A content-addressed blob directory: ``<root>/<aa>/<sha256 hex>``.

Function code and layers are stored once per content. A blob is written to a temporary
file, flushed and renamed into place, so a crash never leaves a half-written blob under
its final name, and writing the same content twice is harmless.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path

from stratus.store.errors import BlobNotFound


class BlobStore:
    def __init__(self, root: Path, *, fsync: bool = False) -> None:
        self.root = root
        self._fsync = fsync
        root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put_blocking(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    async def put(self, data: bytes) -> str:
        """Store ``data``; returns its SHA-256 hex digest."""
        return await asyncio.to_thread(self.put_blocking, data)

    def get_blocking(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(digest) from exc

    async def get(self, digest: str) -> bytes:
        return await asyncio.to_thread(self.get_blocking, digest)

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    async def delete(self, digest: str) -> None:
        await asyncio.to_thread(self.path(digest).unlink, True)
