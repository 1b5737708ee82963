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

from stratus.services.functions import archive as archive_rules
from stratus.services.functions.errors import InvalidParameter
from stratus.store.blobs import BlobStore


@dataclass(frozen=True, slots=True)
class CodeArtifact:
    sha256_b64: str
    digest: str
    size: int
    directory: Path
    unzipped_size: int  # as the central directory declares it (checked against reality)


class CodeStore:
    def __init__(self, blobs: BlobStore, root: Path, *, unzipped_limit: int) -> None:
        self._blobs = blobs
        self._root = root
        self._unzipped_limit = unzipped_limit
        self._unzipped_sizes: dict[str, int] = {}  # by digest; blobs never change
        root.mkdir(parents=True, exist_ok=True)

    def directory(self, digest: str) -> Path:
        return self._root / digest

    async def add(
        self, zip_bytes: bytes, *, extract: bool = True, layers_size: int = 0
    ) -> CodeArtifact:
        """Validate and store a deployment package; InvalidParameter when it is no zip.

        Nothing is stored unless the package passes every check, including the limit on
        the function's code and its layers together (``layers_size``, unzipped), so a
        refused package leaves no blob behind.

        ``extract=False`` stores the package durably and leaves unpacking to a later
        :meth:`ensure_extracted`: a function's code is "being created" (Lambda's Pending
        state) until then, and CreateFunction answers without waiting for it.
        """
        return await asyncio.to_thread(self._add, zip_bytes, extract, layers_size)

    def _add(self, zip_bytes: bytes, extract: bool, layers_size: int) -> CodeArtifact:
        unzipped = self._check_zip(zip_bytes)
        self.check_combined(unzipped + layers_size)
        digest = self._blobs.put_blocking(zip_bytes)
        self._unzipped_sizes[digest] = unzipped
        directory = self._extract(digest, zip_bytes) if extract else self.directory(digest)
        raw = hashlib.sha256(zip_bytes).digest()
        return CodeArtifact(
            base64.b64encode(raw).decode(), digest, len(zip_bytes), directory, unzipped
        )

    def check_combined(self, unzipped_total: int) -> None:
        """Lambda's limit applies to a function's code and its layers together."""
        if unzipped_total > self._unzipped_limit:
            raise InvalidParameter(
                "Function code combined with layers exceeds the maximum allowed size of "
                f"{self._unzipped_limit} bytes. The actual size is {unzipped_total} bytes."
            )

    async def unzipped_size(self, digest: str) -> int:
        """The unzipped size a stored package declares (read once from its blob)."""
        size = self._unzipped_sizes.get(digest)
        if size is None:
            data = await self._blobs.get(digest)
            size = await asyncio.to_thread(_declared_size, data)
            self._unzipped_sizes[digest] = size
        return size

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

    def _check_zip(self, zip_bytes: bytes) -> int:
        """Refuse a package before anything is stored (see ``archive`` for the steps);
        returns its declared unzipped size."""
        if not zip_bytes:
            raise InvalidParameter(archive_rules.EMPTY_ZIP)
        count = archive_rules.declared_entries(zip_bytes)
        if count is not None and count > archive_rules.MAX_ENTRIES:
            raise InvalidParameter(archive_rules.UNZIP_ERROR)
        try:
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
                plan = archive_rules.read_plan(archive, self._unzipped_limit)
                archive_rules.measure(archive, plan, self._unzipped_limit)
        except archive_rules.ZIP_ERRORS as exc:
            raise InvalidParameter(archive_rules.UNZIP_ERROR) from exc
        return plan.declared_size

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
                plan = archive_rules.read_plan(archive, self._unzipped_limit)
                archive_rules.extract_plan(archive, plan, staging, self._unzipped_limit)
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


def _declared_size(zip_bytes: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return sum(info.file_size for info in archive.infolist())
