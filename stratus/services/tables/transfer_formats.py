"""The formats of exports and imports: DynamoDB JSON lines (``{"Item": {...}}``, binary
values in base64, as "DynamoDB table export output format" shows) and CSV (every column a
string but the key attributes, typed by the table's AttributeDefinitions, as "Amazon S3
import formats for DynamoDB" says).

Items inside the service hold binary values as bytes (the protocol layer decodes the
wire's base64); these functions convert at the file's edge only.
"""

from __future__ import annotations

import base64
import binascii
import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from typing import Any

import orjson

from stratus.services.tables import ion_text
from stratus.services.tables.errors import TablesError, ValidationError
from stratus.services.tables.values import AttributeValue, Item, normalize_item

try:  # ZSTD input only where a zstd library is installed
    import zstandard as _zstd
except ImportError:  # pragma: no cover - depends on the machine
    _zstd = None

ZSTD_AVAILABLE = _zstd is not None


# -- DynamoDB JSON ---------------------------------------------------------------------
def _to_json_value(value: AttributeValue) -> AttributeValue:
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") for b in inner]}
    if kind == "M":
        return {"M": {k: _to_json_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_to_json_value(v) for v in inner]}
    return value


def _from_json_value(value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValidationError("Invalid attribute value: expected one type descriptor")
    kind, inner = next(iter(value.items()))
    try:
        if kind == "B":
            return {"B": base64.b64decode(inner, validate=True)}
        if kind == "BS":
            return {"BS": [base64.b64decode(b, validate=True) for b in inner]}
    except (binascii.Error, TypeError, ValueError):
        raise ValidationError("Invalid binary value: not base64") from None
    if kind == "M" and isinstance(inner, dict):
        return {"M": {k: _from_json_value(v) for k, v in inner.items()}}
    if kind == "L" and isinstance(inner, list):
        return {"L": [_from_json_value(v) for v in inner]}
    return value


def item_line(item: Item) -> bytes:
    """One export line: ``{"Item": {...}}`` and a newline."""
    return orjson.dumps({"Item": {k: _to_json_value(v) for k, v in item.items()}}) + b"\n"


def parse_item_line(line: bytes) -> Item:
    """An import line in DynamoDB JSON, checked as PutItem checks values; ValidationError
    when it is not one."""
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise ValidationError("Invalid JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("Item"), dict):
        raise ValidationError('Each line must be an object with an "Item" member')
    raw = {k: _from_json_value(v) for k, v in document["Item"].items()}
    return normalize_item(raw)


def json_items(data: bytes) -> Iterator[Item | TablesError]:
    """Every non-blank line's item, or the error that line raised."""
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            yield parse_item_line(line)
        except TablesError as exc:
            yield exc


def ion_items(data: bytes) -> Iterator[Item | TablesError]:
    """The same for Ion text: one ``{Item:{...}}`` struct per line."""
    for line in data.split(b"\n"):
        stripped = line.strip()
        if not stripped or stripped == ion_text.VERSION_MARKER.encode():
            continue
        try:
            yield normalize_item(ion_text.parse_item_line(line))
        except TablesError as exc:
            yield exc


def export_line(item: Item, export_format: str) -> bytes:
    """One export line in ``export_format`` (DYNAMODB_JSON or ION)."""
    return ion_text.item_line(item) if export_format == "ION" else item_line(item)


# -- CSV -------------------------------------------------------------------------------
def csv_items(
    data: bytes, key_types: dict[str, str], delimiter: str, header: list[str] | None
) -> Iterator[Item | TablesError]:
    """Every row's item: key columns typed by ``key_types``, the others strings; an empty
    cell leaves its attribute out."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield ValidationError("The CSV input is not UTF-8")
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = header
    for row in reader:
        if names is None:
            names = row
            continue
        if not row:
            continue
        if len(row) > len(names):
            yield ValidationError("The row has more values than the header has columns")
            continue
        try:
            yield _csv_item(names, row, key_types)
        except TablesError as exc:
            yield exc


def _csv_item(names: list[str], row: list[str], key_types: dict[str, str]) -> Item:
    raw: dict[str, Any] = {}
    for name, cell in zip(names, row, strict=False):
        if cell == "":
            continue
        kind = key_types.get(name, "S")
        if kind == "B":
            try:
                raw[name] = {"B": base64.b64decode(cell, validate=True)}
            except (binascii.Error, ValueError):
                raise ValidationError(f"Invalid binary value for key {name}") from None
        else:
            raw[name] = {kind: cell}
    return normalize_item(raw)


# -- compression -----------------------------------------------------------------------
def decompress(data: bytes, compression: str) -> bytes:
    """An object's bytes as the import's InputCompressionType says; ValidationError when
    they are not."""
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        if compression == "ZSTD":
            if _zstd is None:
                raise ValidationError("No zstd library is installed")
            return bytes(_zstd.ZstdDecompressor().decompressobj().decompress(data))
    except (OSError, EOFError, zlib.error) as exc:
        raise ValidationError(f"The object is not {compression} data: {exc}") from None
    except Exception as exc:  # zstandard's own error type
        if _zstd is not None and isinstance(exc, _zstd.ZstdError):
            raise ValidationError(f"The object is not ZSTD data: {exc}") from None
        raise
    return data
