"""Key schemas and secondary indexes as CreateTable and the restores give them, parsed into
the tables service's records."""

from __future__ import annotations

from typing import Any

from stratus.services.tables.catalog import projection_of
from stratus.services.tables.errors import ValidationError
from stratus.services.tables.model import Index, KeySchema


def key_schema(schema: list[dict[str, str]]) -> KeySchema:
    if schema and schema[0].get("KeyType") != "HASH":
        raise ValidationError(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    hash_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "HASH"), None)
    range_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"), None)
    if hash_key is None or len(schema) > 2:
        raise ValidationError(
            "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint"
        )
    return KeySchema(hash_key, range_key)


def indexes(specs: list[dict[str, Any]] | None, *, local: bool) -> list[Index]:
    """GlobalSecondaryIndexes / LocalSecondaryIndexes (or a restore's overrides)."""
    return [
        Index(
            spec["IndexName"],
            key_schema(spec["KeySchema"]),
            projection_of(spec.get("Projection")),
            local=local,
            provisioned=None if local else spec.get("ProvisionedThroughput"),
        )
        for spec in specs or []
    ]
