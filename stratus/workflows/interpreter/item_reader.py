"""A Distributed Map's ItemReader: which task reads the items, and how its answer becomes
the list of items (pure: the read itself is a RunTask command the driver carries out).

See https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
Readers served: ``s3:getObject`` with ``ReaderConfig.InputType`` ``JSON`` (an array),
``JSONL``, ``CSV`` (header in the first row or ``CSVHeaders`` given, every value a
string), ``MANIFEST`` (an S3 Inventory ``manifest.json``: each CSV file it lists, gzipped
or not, is read in turn and each row becomes an item keyed by the manifest's
``fileSchema``) and ``s3:listObjectsV2`` (one item per object). ``MaxItems`` caps the list.
"""

from __future__ import annotations

import base64
import binascii
import csv
import gzip
import io
import json
from collections.abc import Mapping
from typing import Any

from stratus.workflows.errors import StatesError

__all__ = [
    "READER_FAILED",
    "inventory_items",
    "is_manifest",
    "items_from",
    "limit_items",
    "manifest_reads",
    "reader_resource",
]

READER_FAILED = "States.ItemReaderFailed"


def reader_resource(resource: str) -> str:
    """The task resource that reads: ``s3:listObjectsV2`` goes through the SDK integration."""
    if resource.endswith(":s3:listObjectsV2"):
        return "arn:aws:states:::aws-sdk:s3:listObjectsV2"
    return resource


def items_from(reader: Mapping[str, Any], output: Any) -> list[Any]:
    """The items of a reader's answer; StatesError(States.ItemReaderFailed) if unreadable."""
    config = reader.get("ReaderConfig") or {}
    resource = str(reader.get("Resource", ""))
    if resource.endswith(":s3:listObjectsV2"):
        items = list((output or {}).get("Contents") or [])
    else:
        body = (output or {}).get("Body", "")
        if not isinstance(body, str):
            body = json.dumps(body)
        kind = str(config.get("InputType", "JSON")).upper()
        items = _parse(kind, body, config)
    return limit_items(reader, items)


def limit_items(reader: Mapping[str, Any], items: list[Any]) -> list[Any]:
    limit = (reader.get("ReaderConfig") or {}).get("MaxItems")
    if isinstance(limit, int) and limit > 0:
        items = items[:limit]
    return items


def is_manifest(reader: Mapping[str, Any]) -> bool:
    config = reader.get("ReaderConfig") or {}
    return str(config.get("InputType", "")).upper() == "MANIFEST"


def manifest_reads(
    reader: Mapping[str, Any], output: Any
) -> tuple[list[dict[str, str]], list[str]]:
    """The ``s3:getObject`` parameters of each data file an S3 Inventory manifest lists,
    and the column names of its rows."""
    manifest_type = (reader.get("ReaderConfig") or {}).get("ManifestType", "S3_INVENTORY")
    if manifest_type != "S3_INVENTORY":
        raise StatesError(READER_FAILED, f"The ManifestType {manifest_type} is not supported.")
    body = (output or {}).get("Body", "")
    try:
        manifest = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        raise StatesError(READER_FAILED, "The manifest is not valid JSON.") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise StatesError(READER_FAILED, "The manifest does not list its files.")
    if str(manifest.get("fileFormat", "CSV")).upper() != "CSV":
        raise StatesError(
            READER_FAILED,
            f"The inventory file format {manifest.get('fileFormat')} is not supported.",
        )
    bucket = str(manifest.get("destinationBucket", "")).rpartition(":::")[2]
    schema = [name.strip() for name in str(manifest.get("fileSchema", "")).split(",")]
    reads = []
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or not entry.get("key") or not bucket:
            raise StatesError(READER_FAILED, "The manifest names a file without a key.")
        reads.append({"Bucket": bucket, "Key": str(entry["key"])})
    return reads, schema


def inventory_items(key: str, output: Any, schema: list[str]) -> list[dict[str, str]]:
    """The rows of one inventory CSV file (gzipped when its key ends in ``.gz``: the
    getObject task then hands its bytes over as base64)."""
    body = (output or {}).get("Body", "")
    text = body if isinstance(body, str) else json.dumps(body)
    if key.endswith(".gz"):
        try:
            text = gzip.decompress(base64.b64decode(text, validate=True)).decode()
        except (binascii.Error, OSError, EOFError, UnicodeDecodeError):
            raise StatesError(READER_FAILED, f"The inventory file {key} is not gzip.") from None
    rows = csv.reader(io.StringIO(text))
    return [dict(zip(schema, row, strict=False)) for row in rows if row]


def _parse(kind: str, body: str, config: Mapping[str, Any]) -> list[Any]:
    if kind == "JSON":
        try:
            value = json.loads(body)
        except ValueError:
            raise StatesError(READER_FAILED, "Attempting to map over non-iterable node.") from None
        if not isinstance(value, list):
            raise StatesError(READER_FAILED, "Attempting to map over non-iterable node.")
        return value
    if kind == "JSONL":
        try:
            return [json.loads(line) for line in body.splitlines() if line.strip()]
        except ValueError:
            raise StatesError(
                READER_FAILED, "The JSONL file contains a line that is not JSON."
            ) from None
    if kind == "CSV":
        rows = list(csv.reader(io.StringIO(body)))
        if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
            headers = [str(h) for h in config.get("CSVHeaders") or []]
        else:
            if not rows:
                return []
            headers, rows = rows[0], rows[1:]
        return [dict(zip(headers, row, strict=False)) for row in rows if row]
    raise StatesError(READER_FAILED, f"The InputType {kind} is not supported.")
