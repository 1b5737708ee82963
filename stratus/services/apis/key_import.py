"""``ImportApiKeys``: API keys from a CSV file, as API Gateway reads one.

The file must have the ``Name`` and ``Key`` columns; ``Description``, ``Enabled`` and
``UsagePlanIds`` are optional, any other column is ignored. Header names are not case
sensitive and columns come in any order. A key value is 20 to 128 characters, a name at
most 1024; ``Enabled`` defaults to true; ``UsagePlanIds`` lists plan ids separated by
commas (quoted). A key whose value already exists is overwritten by the imported row
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-file-format.html).

A row that cannot be imported is a warning; with ``failOnWarnings`` the whole import is
refused before anything is stored.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stratus.services.apis.errors import BadRequest, NotFound

if TYPE_CHECKING:
    from stratus.services.apis.rest_apis import RestApis

__all__ = ["KeyRow", "import_keys", "parse_key_file"]

_TRUE = {"true", "1", "yes", ""}
_FALSE = {"false", "0", "no"}


@dataclass(slots=True)
class KeyRow:
    """One row of the file, checked."""

    line: int
    value: str
    name: str
    description: str | None = None
    enabled: bool = True
    plan_ids: list[str] = field(default_factory=list)


def parse_key_file(body: bytes) -> tuple[list[KeyRow], list[str]]:
    """The file's rows and the warnings about the ones left out."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("Invalid API key file: it must be UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise BadRequest(f"Invalid API key file: {exc}") from exc
    if not rows:
        raise BadRequest("Invalid API key file: the file is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    for required in ("name", "key"):
        if required not in header:
            raise BadRequest(
                f"Invalid API key file: the header must have a '{required.capitalize()}' column"
            )
    column = {name: index for index, name in enumerate(header)}
    found: list[KeyRow] = []
    warnings: list[str] = []
    for line, row in enumerate(rows[1:], start=2):

        def cell(name: str, row: list[str] = row) -> str | None:
            index = column.get(name)
            if index is None or index >= len(row):
                return None
            return row[index].strip()

        value = cell("key") or ""
        name = cell("name") or ""
        if not 20 <= len(value) <= 128:
            warnings.append(f"Line {line}: API Key value must be between 20 and 128 characters")
            continue
        if len(name) > 1024:
            warnings.append(f"Line {line}: API Key name must be at most 1024 characters")
            continue
        enabled_text = (cell("enabled") or "").lower()
        if enabled_text not in _TRUE | _FALSE:
            warnings.append(f"Line {line}: Invalid value for Enabled: {cell('enabled')}")
            continue
        plans = (cell("usageplanids") or "").strip("'\"")
        found.append(
            KeyRow(
                line,
                value,
                name,
                cell("description") or None,
                enabled_text in _TRUE,
                [p.strip() for p in plans.split(",") if p.strip()],
            )
        )
    return found, warnings


async def import_keys(
    apis: RestApis, account: str, body: bytes, fail_on_warnings: bool
) -> tuple[list[str], list[str]]:
    """Import the file's keys into ``account``: the ids of the imported keys and the
    warnings about rows left out (refused as a whole with ``fail_on_warnings``)."""
    rows, warnings = parse_key_file(body)
    kept: list[KeyRow] = []
    for row in rows:
        unknown = [p for p in row.plan_ids if not _plan_exists(apis, account, p)]
        if unknown:
            warnings.append(f"Line {row.line}: Invalid Usage Plan ID specified: {unknown[0]}")
            continue
        kept.append(row)
    if fail_on_warnings and warnings:
        raise BadRequest("Import failed with warnings: " + "; ".join(warnings))
    ids: list[str] = []
    for row in kept:
        existing = apis.key_by_value(row.value)
        if existing is not None and existing.account == account:
            existing.name = row.name
            existing.description = row.description
            existing.enabled = row.enabled
            existing.last_updated_date = time.time()
            await apis.key_changed(existing)
            key = existing
        elif existing is not None:
            warnings.append(f"Line {row.line}: API Key already exists")
            continue
        else:
            key = await apis.create_api_key(
                account,
                {
                    "value": row.value,
                    "name": row.name,
                    "description": row.description,
                    "enabled": row.enabled,
                },
            )
        for plan_id in row.plan_ids:
            if key.id not in apis.usage_plan(account, plan_id).key_ids:
                await apis.create_usage_plan_key(account, plan_id, key.id, "API_KEY")
        ids.append(key.id)
    return ids, warnings


def _plan_exists(apis: RestApis, account: str, plan_id: str) -> bool:
    try:
        apis.usage_plan(account, plan_id)
    except NotFound:
        return False
    return True
