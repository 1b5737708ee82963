"""Deployment packages: validate a zip, keep it in the blob store, extract it once.

Code is content-addressed: two functions (or versions) with the same zip share one blob
and one extracted directory. Extraction happens in a thread (CPU and disk work) into a
temporary directory renamed into place, so a crash never leaves a half-extracted tree
that later looks complete.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from stratus.services.functions.errors import InvalidParameter, RequestTooLarge
from stratus.store.blobs import BlobStore

UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."


@dataclass(frozen=True, slots=True)
class CodeArtifact:
    sha256_b64: str
    digest: str
    size: int
    directory: Path


class CodeStore:
    def __init__(self, blobs: BlobStore, root: Path, *, unzipped_limit: int) -> None:
        self._blobs = blobs
        self._root = root
        self._unzipped_limit = unzipped_limit
        root.mkdir(parents=True, exist_ok=True)

    def directory(self, digest: str) -> Path:
        return self._root / digest

    async def add(self, zip_bytes: bytes, *, extract: bool = True) -> CodeArtifact:
        """Validate and store a deployment package; InvalidParameter when it is no zip.

        ``extract=False`` stores the package durably and leaves unpacking to a later
        :meth:`ensure_extracted`: a function's code is "being created" (Lambda's Pending
        state) until then, and CreateFunction answers without waiting for it.
        """
        return await asyncio.to_thread(self._add, zip_bytes, extract)

    def _add(self, zip_bytes: bytes, extract: bool) -> CodeArtifact:
        self._check_zip(zip_bytes)
        digest = self._blobs.put_blocking(zip_bytes)
        directory = self._extract(digest, zip_bytes) if extract else self.directory(digest)
        raw = hashlib.sha256(zip_bytes).digest()
        return CodeArtifact(base64.b64encode(raw).decode(), digest, len(zip_bytes), directory)

    async def ensure_extracted(self, digest: str) -> Path:
        """The extracted directory of a stored package, re-extracting it if it was removed."""
        directory = self.directory(digest)
        if directory.is_dir():
            if directory.stat().st_mode & 0o005 == 0o005:
                return directory
            # extracted by an earlier Stratus for its own user only: extract it again
            await asyncio.to_thread(shutil.rmtree, directory, True)
        data = await self._blobs.get(digest)
        return await asyncio.to_thread(self._extract, digest, data)

    def _check_zip(self, zip_bytes: bytes) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
                total = sum(info.file_size for info in archive.infolist())
                if archive.testzip() is not None:
                    raise InvalidParameter(UNZIP_ERROR)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise InvalidParameter(UNZIP_ERROR) from exc
        if total > self._unzipped_limit:
            raise RequestTooLarge(
                f"Unzipped size must be smaller than {self._unzipped_limit} bytes"
            )

    def _extract(self, digest: str, zip_bytes: bytes) -> Path:
        target = self.directory(digest)
        if target.is_dir():
            return target
        staging = Path(tempfile.mkdtemp(dir=self._root, prefix=".extract-"))
        try:
            # Environments run as users of their own and read the code through /var/task:
            # its root must let them in, as Lambda's does (files keep the zip's modes).
            os.chmod(staging, 0o755)
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
                for info in archive.infolist():
                    _extract_member(archive, info, staging)
            try:
                os.rename(staging, target)
            except OSError:
                if not target.is_dir():  # lost a race only if someone else won it
                    raise
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path) -> None:
    # Refuse paths that escape the root (zip slip): Lambda's unzip would not create them.
    destination = (root / info.filename).resolve()
    if not str(destination).startswith(str(root.resolve()) + os.sep) and destination != root:
        raise InvalidParameter(UNZIP_ERROR)
    if info.is_dir():
        destination.mkdir(parents=True, exist_ok=True)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, open(destination, "wb") as sink:
        shutil.copyfileobj(source, sink)
    # Lambda needs every file readable by the function's user, and fails with
    # "Permission denied" where a zip says otherwise (Python's writestr says 0600): here
    # every file is readable by all, the zip's execute bits kept.
    mode = (info.external_attr >> 16) & 0o777
    if mode:
        os.chmod(destination, mode | 0o444)
