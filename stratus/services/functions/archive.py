"""Reading deployment packages safely: a zip is untrusted input, refused before it costs us.

A package is checked in three steps, cheapest first, so a hostile zip is refused before
it takes memory, CPU or disk:

1. :func:`declared_entries` reads the end-of-central-directory record alone and refuses
   an archive declaring more entries than :data:`MAX_ENTRIES`, before any entry is parsed;
2. :func:`read_plan` parses the central directory and refuses an archive whose declared
   sizes add up to more than the unzipped limit (Lambda's 250 MB, which a 1 GB zip bomb
   declares honestly), then turns the entries into a :class:`Plan`: normalized paths,
   duplicates resolved (the last one wins, as ``unzip -o`` does), and every name that
   could write outside the package (zip slip: ``..``, absolute paths, a path beneath a
   symlink, a file where a directory must be) refused;
3. :func:`measure` decompresses every file without writing it, counting the real bytes
   and stopping at the limit: a zip can lie about its sizes (zipfile itself stops at the
   declared size; the CRC then fails), and this check must not trust the library to.

:func:`extract_plan` writes a checked plan, counting bytes again and creating each file
exclusively, without following symlinks, so even a package that slipped past the checks
cannot write outside its directory or past the limit.

Errors are the service's own: ``InvalidParameter`` with Lambda's messages (see
``tests/aws/lambda_/test_packages.py`` for the AWS sources).
"""

from __future__ import annotations

import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stratus.services.functions.errors import InvalidParameter

UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."
EMPTY_ZIP = "Uploaded file must be a non-empty zip"
# More entries than any real package has (a large node_modules has tens of thousands);
# parsing a central directory costs memory per entry, so the count is checked first.
MAX_ENTRIES = 100_000
MAX_LINK_TARGET = 4096
_CHUNK = 1 << 20

# What reading a damaged or unsupported zip raises, across zipfile and its codecs.
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    EOFError,
    RuntimeError,  # encrypted entry
    NotImplementedError,  # compression method zipfile cannot read (deflate64, AES ...)
    zlib.error,
    lzma.LZMAError,
    OSError,  # bz2's "Invalid data stream"
    struct.error,
    UnicodeDecodeError,
)


def unzipped_too_large(limit: int) -> InvalidParameter:
    """Lambda's answer to a package larger than the limit once extracted."""
    return InvalidParameter(f"Unzipped size must be smaller than {limit} bytes")


@dataclass(frozen=True, slots=True)
class Member:
    """One entry to write: its normalized relative path and what it is."""

    path: str
    kind: str  # "file", "dir" or "symlink"
    info: zipfile.ZipInfo
    mode: int


@dataclass(slots=True)
class Plan:
    members: list[Member] = field(default_factory=list)
    declared_size: int = 0

    def files(self) -> Iterator[Member]:
        return (m for m in self.members if m.kind != "dir")


def declared_entries(data: bytes) -> int | None:
    """The entry count the end-of-central-directory record declares (None: no record).

    Read by hand, not by ``zipfile``, because zipfile parses every entry before anyone
    can count them. Zip64 archives declare 0xFFFF here and the real count further on.
    """
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - 22))
    if position < 0 or len(data) - position < 22:
        return None
    (count,) = struct.unpack_from("<H", data, position + 10)
    if count != 0xFFFF:
        return int(count)
    locator = position - 20
    if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
        return None
    (record,) = struct.unpack_from("<Q", data, locator + 8)
    if record + 40 > len(data) or data[record : record + 4] != b"PK\x06\x06":
        return None
    (count,) = struct.unpack_from("<Q", data, record + 32)
    return int(count)


def read_plan(archive: zipfile.ZipFile, limit: int) -> Plan:
    """Check the central directory (declared sizes, names, types) and plan the extraction."""
    infos = archive.infolist()
    declared = sum(info.file_size for info in infos)
    if declared > limit:
        raise unzipped_too_large(limit)
    latest: dict[str, Member] = {}
    for info in infos:
        member = _member(info)
        if member is None:
            continue
        previous = latest.pop(member.path, None)
        if previous is not None and (previous.kind == "dir") != (member.kind == "dir"):
            raise InvalidParameter(UNZIP_ERROR)  # a file and a directory of one name
        latest[member.path] = member  # re-inserted: keeps the last one's order
    members = list(latest.values())
    _check_tree(members)
    if not any(m.kind != "dir" for m in members):
        raise InvalidParameter(EMPTY_ZIP)
    return Plan(members, declared)


def _member(info: zipfile.ZipInfo) -> Member | None:
    """An entry as a Member; None for the package root itself ("./"); refuses escapes."""
    name = info.filename
    if "\x00" in name or name.startswith("/"):
        raise InvalidParameter(UNZIP_ERROR)
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise InvalidParameter(UNZIP_ERROR)
    mode = (info.external_attr >> 16) & 0xFFFF
    if stat.S_ISLNK(mode):
        kind = "symlink"
    elif info.is_dir() or stat.S_ISDIR(mode):
        kind = "dir"
    else:
        kind = "file"
    if not parts:
        if kind == "dir":
            return None
        raise InvalidParameter(UNZIP_ERROR)  # a file named "." or ""
    return Member("/".join(parts), kind, info, stat.S_IMODE(mode))


def _check_tree(members: list[Member]) -> None:
    """Refuse a path that is a file (or symlink) and also a directory of other entries.

    That covers "a" beside "a/b" (which would write through a symlink "a" out of the
    package, or fail half-way on a file "a").
    """
    directories: set[str] = set()
    for member in members:
        parts = member.path.split("/")
        directories.update("/".join(parts[:i]) for i in range(1, len(parts)))
    for member in members:
        if member.kind != "dir" and member.path in directories:
            raise InvalidParameter(UNZIP_ERROR)


def measure(archive: zipfile.ZipFile, plan: Plan, limit: int) -> int:
    """Decompress every file without keeping it: the real size, refused past ``limit``.

    Also what ``testzip`` did: a damaged entry (bad CRC, truncated data) raises here.
    """
    total = 0
    for member in plan.files():
        with archive.open(member.info) as source:
            while chunk := source.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise unzipped_too_large(limit)
        if member.kind == "symlink":
            _link_target(archive, member)
    return total


def _link_target(archive: zipfile.ZipFile, member: Member) -> str:
    with archive.open(member.info) as source:
        raw = source.read(MAX_LINK_TARGET + 1)
    if not raw or len(raw) > MAX_LINK_TARGET or b"\x00" in raw:
        raise InvalidParameter(UNZIP_ERROR)
    return raw.decode("utf-8", "surrogateescape")


def extract_plan(archive: zipfile.ZipFile, plan: Plan, root: Path, limit: int) -> None:
    """Write a checked plan under ``root`` (an empty directory), at most ``limit`` bytes.

    Symlinks are created as symlinks (layers ship ``libfoo.so -> libfoo.so.1``); the
    plan has no entry beneath one, and files are opened with ``O_EXCL | O_NOFOLLOW``,
    so nothing is ever written through a link.
    """
    written = 0
    for member in plan.members:
        destination = root / member.path
        if member.kind == "dir":
            _make_directories(root, member.path)
            continue
        _make_directories(root, member.path.rpartition("/")[0])
        if member.kind == "symlink":
            os.symlink(_link_target(archive, member), destination)
            continue
        # Lambda needs every file readable by the function's user, and fails with
        # "Permission denied" where a zip says otherwise (Python's writestr says 0600):
        # every file is readable by all, the zip's execute bits kept; no Unix mode at all
        # (a zip made on Windows) is 0644.
        mode = (member.mode & 0o777 | 0o444) if member.mode & 0o777 else 0o644
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(destination, flags, 0o600)
        with archive.open(member.info) as source, os.fdopen(descriptor, "wb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise unzipped_too_large(limit)
                sink.write(chunk)
        os.chmod(destination, mode)


def _make_directories(root: Path, relative: str) -> None:
    """Create ``relative`` and its missing parents, each 0755 whatever the umask: the
    function's own user reads the code through them."""
    current = root
    for part in relative.split("/") if relative else ():
        current = current / part
        if not current.is_dir():
            current.mkdir()
            os.chmod(current, 0o755)
