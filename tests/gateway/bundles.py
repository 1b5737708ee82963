"""Deployment zips with third-party packages, as users build them (``pip install -t``):
the packages are copied from this test environment, which installed them as test
dependencies, with what they require (recursively, extras left out)."""

from __future__ import annotations

import importlib.metadata as metadata
import io
import zipfile
from pathlib import Path

from packaging.requirements import Requirement


def _closure(names: list[str], recursive: bool) -> list[metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        if not recursive:
            continue
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            pending.append(requirement.name)
    return list(seen.values())


def bundle(sources: dict[str, str], packages: list[str], *, recursive: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sources.items():
            archive.writestr(name, text)
        written: set[str] = set()
        for dist in _closure(packages, recursive):
            for file in dist.files or []:
                relative = str(file)
                if relative.startswith("..") or "__pycache__" in relative:
                    continue
                if ".dist-info/" in relative or relative in written:
                    continue
                path = Path(str(dist.locate_file(file)))
                if path.is_file():
                    archive.write(path, relative)
                    written.add(relative)
    return buffer.getvalue()
