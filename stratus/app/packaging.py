"""``stratus deploy``'s packaging: local paths of a template uploaded to S3, as
``sam package`` does, so the stack is created from a template CloudFormation can read.

A function's ``CodeUri`` directory becomes a zip (a ``.zip`` file is uploaded as is),
state machine and API definitions and ``AWS::Include`` documents are uploaded as files;
each is keyed by its content's digest, so an unchanged directory is not uploaded twice
and its stack resource does not change.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stratus.services.stacks.template.loader import parse_template

__all__ = ["package_template", "zip_directory"]

Upload = Callable[[str, bytes], str]  # (key, bytes) -> "s3://bucket/key"

# Resource type -> (property, how the uploaded location is written).
_LOCAL_PATHS: dict[str, tuple[str, str]] = {
    "AWS::Serverless::Function": ("CodeUri", "uri"),
    "AWS::Serverless::LayerVersion": ("ContentUri", "uri"),
    "AWS::Serverless::StateMachine": ("DefinitionUri", "uri"),
    "AWS::Serverless::Api": ("DefinitionUri", "uri"),
    "AWS::Serverless::HttpApi": ("DefinitionUri", "uri"),
    "AWS::Lambda::Function": ("Code", "code"),
    "AWS::Lambda::LayerVersion": ("Content", "code"),
    "AWS::StepFunctions::StateMachine": ("DefinitionS3Location", "location"),
}
_ZIPPED = {"CodeUri", "ContentUri", "Code", "Content"}


def zip_directory(directory: Path) -> bytes:
    """The directory as a zip, entries sorted and dated alike (same files, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(directory):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                info = zipfile.ZipInfo(str(path.relative_to(directory)), (1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _is_local(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith(("s3://", "https://", "http://"))


def package_template(template_path: Path, upload: Upload) -> dict[str, Any]:
    """The template with every local path replaced by its uploaded location."""
    base = template_path.parent
    document = parse_template(template_path.read_text())

    def put(path_text: str, zipped: bool) -> str:
        path = (base / path_text).resolve()
        if not path.exists():
            raise FileNotFoundError(f"{path_text} (relative to {base}) does not exist")
        data = zip_directory(path) if path.is_dir() else path.read_bytes()
        suffix = ".zip" if zipped or path.suffix == ".zip" else path.suffix
        return upload(hashlib.md5(data).hexdigest() + suffix, data)

    for resource in (document.get("Resources") or {}).values():
        spec = _LOCAL_PATHS.get(str(resource.get("Type")))
        props = resource.get("Properties")
        if spec is None or not isinstance(props, dict):
            continue
        name, style = spec
        value = props.get(name)
        if (
            value is None
            and name == "CodeUri"
            and "InlineCode" not in props
            and "ImageUri" not in props
        ):
            value = ((document.get("Globals") or {}).get("Function") or {}).get("CodeUri")
        if not _is_local(value):
            continue
        uri = put(str(value), name in _ZIPPED)
        bucket, key = uri[len("s3://") :].split("/", 1)
        if style == "uri":
            props[name] = uri
        elif style == "code":
            props[name] = {"S3Bucket": bucket, "S3Key": key}
        else:
            props[name] = {"Bucket": bucket, "Key": key}
    _includes(document, lambda location: put(location, False))
    return document


def _includes(value: Any, put: Callable[[str], str]) -> None:
    if isinstance(value, list):
        for item in value:
            _includes(item, put)
    elif isinstance(value, dict):
        include = value.get("Fn::Transform")
        if isinstance(include, dict) and include.get("Name") == "AWS::Include":
            parameters = include.get("Parameters") or {}
            if _is_local(parameters.get("Location")):
                parameters["Location"] = put(parameters["Location"])
        for item in value.values():
            _includes(item, put)


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1)
