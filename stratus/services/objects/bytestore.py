"""Object bytes on disk: one file per object version or part, named by a random id.

A key never becomes a path (keys may hold ``..``, NUL-free anything, 1,024 bytes): the
file's name is a fresh id and the metadata maps key to id. Bytes go to a temporary file
in the same directory tree, are fsynced, then renamed into place; only then may the
caller commit metadata naming the file, so an acknowledged object's bytes are on disk
before anything points at them. A crash leaves at worst temporary or unreferenced files,
which :meth:`ByteStore.sweep` removes at start.

Both directions stream: uploads are written in chunks of at most ``_BUFFER`` bytes as they
arrive, downloads read from the file in chunks, so memory stays flat for a 5 GB object.
File IO and hashing run in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stratus.services.objects.checksums import Digests
from stratus.services.objects.errors import EntityTooLarge

__all__ = ["ByteStore", "WrittenFile"]

#: Data and size, what a read needs (fdatasync skips the times); macOS has only fsync.
_datasync = getattr(os, "fdatasync", os.fsync)
_BUFFER = 1024 * 1024  # bytes gathered before one write (one thread hop)
_READ = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A durable file and the digests of its bytes."""

    file_id: str
    size: int
    md5: bytes
    checksums: dict[str, str]


class ByteStore:
    """The directory of object files."""

    def __init__(self, root: Path, *, sync_directories: bool = False) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._sync_directories = sync_directories

    def open_nowait(self) -> None:
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path(self, file_id: str) -> Path:
        return self.root / file_id[:2] / file_id

    async def write(
        self,
        body: AsyncIterable[bytes] | bytes,
        algorithms: Iterable[str] = (),
        *,
        limit: int | None = None,
    ) -> WrittenFile:
        """Write ``body`` durably; raises EntityTooLarge past ``limit`` bytes (nothing is
        kept then, nor when the body fails midway). A body under ``_BUFFER`` costs one
        worker-thread hop in all (open, write, fsync, rename)."""
        file_id = uuid.uuid4().hex
        temp = self._tmp / file_id
        digests = Digests(algorithms)
        handle: list[BinaryIO] = []  # opened by the first flush, in its thread
        inflight: asyncio.Future[None] | None = None
        try:
            if isinstance(body, bytes | bytearray):
                if limit is not None and len(body) > limit:
                    raise EntityTooLarge(len(body), limit)
                await asyncio.to_thread(self._flush, handle, temp, digests, [bytes(body)], file_id)
            else:
                # Double-buffered: one buffer is written (and hashed) in a worker thread
                # while the next arrives, so receiving never waits for the disk.
                pending: list[bytes] = []
                pending_size = received = 0
                loop = asyncio.get_running_loop()
                async for chunk in body:
                    pending.append(chunk)
                    pending_size += len(chunk)
                    received += len(chunk)
                    if limit is not None and received > limit:
                        raise EntityTooLarge(received, limit)
                    if pending_size >= _BUFFER:
                        if inflight is not None:
                            await inflight
                        inflight = loop.run_in_executor(
                            None, self._flush, handle, temp, digests, pending, None
                        )
                        pending, pending_size = [], 0
                if inflight is not None:
                    await inflight
                await asyncio.to_thread(self._flush, handle, temp, digests, pending, file_id)
        except BaseException:
            if inflight is not None and not inflight.done():
                with contextlib.suppress(BaseException):
                    await asyncio.wait([inflight])  # never close a file being written
            await asyncio.to_thread(_discard, handle, temp)
            raise
        return WrittenFile(file_id, digests.size, digests.md5(), digests.checksums())

    def _flush(
        self,
        handle: list[BinaryIO],
        temp: Path,
        digests: Digests,
        chunks: list[bytes],
        finish_as: str | None,
    ) -> None:
        """Write ``chunks`` (opening the temporary file first if need be); with
        ``finish_as``, then fsync, close and rename it into place."""
        if not handle:
            handle.append(open(temp, "wb"))  # noqa: SIM115 - closed by _finish or _discard
        _write(handle[0], digests, chunks)
        if finish_as is not None:
            self._finish(handle[0], temp, finish_as)

    async def concatenate(self, file_ids: list[str], algorithms: Iterable[str] = ()) -> WrittenFile:
        """One new durable file holding ``file_ids``' bytes in order (multipart completion),
        with the digests of the whole."""
        file_id = uuid.uuid4().hex
        temp = self._tmp / file_id
        digests = Digests(algorithms)

        def run() -> None:
            with open(temp, "wb") as out:
                for part in file_ids:
                    with open(self.path(part), "rb") as source:
                        while chunk := source.read(_READ):
                            digests.update(chunk)
                            out.write(chunk)
                out.flush()
                _datasync(out.fileno())
            self._place(temp, file_id)

        try:
            await asyncio.to_thread(run)
        except BaseException:
            await asyncio.to_thread(_unlink, temp)
            raise
        return WrittenFile(file_id, digests.size, digests.md5(), digests.checksums())

    async def copy(self, source_id: str, algorithms: Iterable[str] = ()) -> WrittenFile:
        """A durable copy of one file (CopyObject: the copy's lifetime is its own)."""
        return await self.concatenate([source_id], algorithms)

    async def copy_range(self, source_id: str, start: int, end: int) -> WrittenFile:
        """A durable file of bytes ``start..end`` (inclusive) of another (UploadPartCopy)."""
        return await self.write(self.read(source_id, start, end))

    async def read(
        self, file_id: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Bytes ``start..end`` (inclusive) of a file, chunk by chunk."""
        handle = await asyncio.to_thread(open, self.path(file_id), "rb")
        try:
            if start:
                await asyncio.to_thread(handle.seek, start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                size = _READ if remaining is None else min(_READ, remaining)
                chunk = await asyncio.to_thread(handle.read, size)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    def read_all_blocking(self, file_id: str) -> bytes:
        with open(self.path(file_id), "rb") as handle:
            return handle.read()

    async def delete(self, file_ids: Iterable[str]) -> None:
        """Remove files nothing refers to any more (after the commit that dropped them)."""
        ids = [f for f in file_ids if f]
        if ids:
            await asyncio.to_thread(self._delete_blocking, ids)

    def _delete_blocking(self, file_ids: list[str]) -> None:
        for file_id in file_ids:
            _unlink(self.path(file_id))

    def sweep_blocking(self, referenced: set[str]) -> int:
        """Remove temporary files and files no metadata names (left by a crash)."""
        removed = 0
        if self._tmp.exists():
            shutil.rmtree(self._tmp)
        self._tmp.mkdir(parents=True, exist_ok=True)
        for directory in self.root.iterdir():
            if directory == self._tmp or not directory.is_dir():
                continue
            for path in directory.iterdir():
                if path.name not in referenced:
                    _unlink(path)
                    removed += 1
        return removed

    def _finish(self, handle: BinaryIO, temp: Path, file_id: str) -> None:
        handle.flush()
        _datasync(handle.fileno())
        handle.close()
        self._place(temp, file_id)

    def _place(self, temp: Path, file_id: str) -> None:
        final = self.path(file_id)
        final.parent.mkdir(exist_ok=True)
        os.rename(temp, final)
        if self._sync_directories:
            fd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _write(handle: BinaryIO, digests: Digests, chunks: list[bytes]) -> None:
    for chunk in chunks:
        digests.update(chunk)
        handle.write(chunk)


def _discard(handle: list[BinaryIO], temp: Path) -> None:
    for opened in handle:
        opened.close()
    _unlink(temp)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
