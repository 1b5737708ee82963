"""The digests S3 keeps for an object: its MD5 (the ETag) and the checksums a client asks
for (CRC32, CRC32C, SHA1, SHA256), computed while the bytes stream past.

See https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
A multipart object's ETag is the MD5 of its parts' binary MD5s followed by ``-N``; its
composite checksum is the same construction over the parts' checksums.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Iterable
from typing import Protocol

import crc32c

__all__ = [
    "ALGORITHMS",
    "Digests",
    "composite_checksum",
    "multipart_etag",
]

ALGORITHMS = ("CRC32", "CRC32C", "SHA1", "SHA256")


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


class _Crc:
    """zlib.crc32 / crc32c.crc32c behind hashlib's interface (big-endian digest, as S3)."""

    def __init__(self, fn: object) -> None:
        self._fn = fn
        self._value = 0

    def update(self, data: bytes, /) -> None:
        self._value = self._fn(data, self._value)  # type: ignore[operator]

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")


def new_hasher(algorithm: str) -> _Hasher:
    if algorithm == "CRC32":
        return _Crc(zlib.crc32)
    if algorithm == "CRC32C":
        return _Crc(crc32c.crc32c)
    if algorithm == "SHA1":
        return hashlib.sha1()
    if algorithm == "SHA256":
        return hashlib.sha256()
    raise ValueError(algorithm)


class Digests:
    """MD5 and the asked-for checksums of bytes fed in order (hashlib drops the GIL for
    large updates, so this runs in a worker thread beside the event loop)."""

    def __init__(self, algorithms: Iterable[str] = ()) -> None:
        self._md5 = hashlib.md5()
        self._others = {name: new_hasher(name) for name in algorithms}
        self.size = 0

    def update(self, data: bytes) -> None:
        self._md5.update(data)
        for hasher in self._others.values():
            hasher.update(data)
        self.size += len(data)

    def md5(self) -> bytes:
        return self._md5.digest()

    def checksums(self) -> dict[str, str]:
        """Algorithm -> base64 of the digest, as S3's ``x-amz-checksum-*`` headers."""
        return {
            name: base64.b64encode(hasher.digest()).decode()
            for name, hasher in self._others.items()
        }


def multipart_etag(part_md5s: list[bytes]) -> str:
    """``"md5(md5_1 || ... || md5_n)-n"`` (quoted)."""
    return f'"{hashlib.md5(b"".join(part_md5s)).hexdigest()}-{len(part_md5s)}"'


def composite_checksum(algorithm: str, part_values: list[str]) -> str:
    """The checksum of the parts' checksums, suffixed ``-n`` (a COMPOSITE checksum)."""
    hasher = new_hasher(algorithm)
    hasher.update(b"".join(base64.b64decode(value) for value in part_values))
    return f"{base64.b64encode(hasher.digest()).decode()}-{len(part_values)}"
