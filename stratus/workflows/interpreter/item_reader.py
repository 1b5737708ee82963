"""A Distributed Map's ItemReader: which task reads the items, and how its answer becomes
the list of items (pure: the read itself is a RunTask command the driver carries out).

See https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
Readers served: ``s3:getObject`` with ``ReaderConfig.InputType`` ``JSON`` (an array),
``JSONL``, ``CSV`` (header in the first row or ``CSVHeaders`` given, every value a
string) and ``s3:listObjectsV2`` (one item per object). ``MaxItems`` caps the list.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from stratus.workflows.errors import StatesError

__all__ = ["READER_FAILED", "items_from", "reader_resource"]

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
    limit = config.get("MaxItems")
    if isinstance(limit, int) and limit > 0:
        items = items[:limit]
    return items


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
