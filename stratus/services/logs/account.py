"""Log destinations (PutDestination: the cross-account end of a subscription) and
account-level policies (PutAccountPolicy), kept per account and region.

Both are stored as AWS shows them and acted on no further: a destination's target (a
Kinesis stream or a Firehose stream, neither served here) receives nothing, and an account
policy masks, subscribes, indexes, transforms or expires nothing (docs/logs.md). Each
change is one awaited write (tables of logs migration 4), so what the API acknowledged
survives a restart.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field, replace

from stratus.services.logs.catalog import now_ms
from stratus.services.logs.errors import (
    InvalidParameter,
    LimitExceeded,
    LogsError,
    PolicyNotFound,
)
from stratus.services.scope import Scope
from stratus.store.sqlite.database import SQLiteDatabase

__all__ = ["AccountPolicyRecord", "DestinationNotFound", "DestinationRecord", "LogAccount"]

#: Account policies of a type per account and region (AWS's quotas, from
#: PutAccountPolicy's documentation: one data protection and one subscription filter
#: policy; 20 scoped transformer policies; 20 + 20 field index policies; 5 metric
#: extraction policies; 20 retention policies).
MAX_POLICIES = {
    "DATA_PROTECTION_POLICY": 1,
    "SUBSCRIPTION_FILTER_POLICY": 1,
    "TRANSFORMER_POLICY": 20,
    "FIELD_INDEX_POLICY": 40,
    "METRIC_EXTRACTION_POLICY": 5,
    "RETENTION_POLICY": 20,
}
#: Types that take selectionCriteria, and the filter each allows.
_SELECTIONS = {
    "SUBSCRIPTION_FILTER_POLICY": re.compile(r"LogGroupName\s+NOT\s+IN\s*\[.*\]", re.S),
    "TRANSFORMER_POLICY": re.compile(r"LogGroupNamePrefix\s+IN\s*\[.*\]", re.S),
    "FIELD_INDEX_POLICY": re.compile(
        r"(LogGroupNamePrefix\s+IN\s*\[.*\]|DataSourceName\s.*\sAND\s+DataSourceType\s.*)", re.S
    ),
    "METRIC_EXTRACTION_POLICY": re.compile(r"LogGroupName(Prefix)?\s+(NOT\s+)?IN\s*\[.*\]", re.S),
    "RETENTION_POLICY": re.compile(r"LogGroupNamePrefix\s+IN\s*\[.*\]", re.S),
}
#: A data protection policy document's size (PutAccountPolicy's documentation).
MAX_DATA_PROTECTION_CHARS = 30720
#: selectionCriteria's size, in UTF-8 bytes.
MAX_SELECTION_BYTES = 25 * 1024
#: Retention an account policy may set (at least 30 days, AWS's list).
_RETENTION_DAYS = frozenset(
    {30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)


class DestinationNotFound(LogsError):
    message = "The specified destination does not exist."


@dataclass(frozen=True, slots=True)
class DestinationRecord:
    name: str
    target_arn: str
    role_arn: str
    created_ms: int
    access_policy: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountPolicyRecord:
    name: str
    policy_type: str
    document: str
    updated_ms: int
    scope: str = "ALL"
    selection: str | None = None


def _json_object(document: str, what: str) -> dict[str, object]:
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidParameter(f"{what} is not a valid JSON document.")
    return parsed


def _check_document(policy_type: str, document: str) -> None:
    """What AWS documents each type's document must hold (nothing acts on it)."""
    parsed = _json_object(document, "Policy document")
    if policy_type == "DATA_PROTECTION_POLICY":
        if len(document) > MAX_DATA_PROTECTION_CHARS:
            raise InvalidParameter(
                "Policy document exceeds the maximum length of "
                f"{MAX_DATA_PROTECTION_CHARS} characters."
            )
        statements = parsed.get("Statement")
        if not isinstance(statements, list) or not statements:
            raise InvalidParameter(
                "Data protection policy document must contain a non-empty Statement list."
            )
    elif policy_type == "SUBSCRIPTION_FILTER_POLICY":
        if not isinstance(parsed.get("DestinationArn"), str):
            raise InvalidParameter("Subscription filter policy must contain a DestinationArn.")
    elif policy_type == "FIELD_INDEX_POLICY":
        if not parsed.get("Fields") and not parsed.get("FieldsV2"):
            raise InvalidParameter("Field index policy must contain at least one field index.")
    elif policy_type == "RETENTION_POLICY":
        days = parsed.get("retentionInDays")
        if days != "NEVER_EXPIRE" and days not in _RETENTION_DAYS:
            raise InvalidParameter(
                "retentionInDays must be NEVER_EXPIRE or one of "
                + ", ".join(str(d) for d in sorted(_RETENTION_DAYS))
                + "."
            )


class LogAccount:
    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db
        self._destinations: dict[Scope, dict[str, DestinationRecord]] = {}
        self._policies: dict[Scope, dict[tuple[str, str], AccountPolicyRecord]] = {}

    async def load(self) -> None:
        def read(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
            rows = conn.execute("SELECT account, region, kind, document FROM logs_account_items")
            return [(str(a), str(r), str(k), str(d)) for a, r, k, d in rows]

        for account, region, kind, document in await self._db.read(read):
            scope, doc = Scope(account, region), json.loads(document)
            if kind == "destination":
                destination = DestinationRecord(**doc)
                self._destinations.setdefault(scope, {})[destination.name] = destination
            else:
                policy = AccountPolicyRecord(**doc)
                key = (policy.policy_type, policy.name)
                self._policies.setdefault(scope, {})[key] = policy

    async def _save(
        self, scope: Scope, kind: str, key: str, record: DestinationRecord | AccountPolicyRecord
    ) -> None:
        row = (scope.account, scope.region, kind, key, json.dumps(asdict(record)))
        await self._db.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO logs_account_items VALUES (?,?,?,?,?)", row
            )
        )

    async def _drop(self, scope: Scope, kind: str, key: str) -> None:
        args = (scope.account, scope.region, kind, key)
        await self._db.write(
            lambda conn: conn.execute(
                "DELETE FROM logs_account_items WHERE account=? AND region=? AND kind=? AND item=?",
                args,
            )
        )

    # -- destinations --------------------------------------------------------------------
    async def put_destination(
        self,
        scope: Scope,
        name: str,
        target_arn: str,
        role_arn: str,
        tags: dict[str, str] | None,
    ) -> DestinationRecord:
        """Create a destination, or point an existing one elsewhere (its policy, tags
        and creation time stay)."""
        current = self._destinations.get(scope, {}).get(name)
        if current is None:
            record = DestinationRecord(name, target_arn, role_arn, now_ms(), None, tags or {})
        else:
            record = replace(current, target_arn=target_arn, role_arn=role_arn)
        await self._save(scope, "destination", name, record)
        self._destinations.setdefault(scope, {})[name] = record
        return record

    def destination(self, scope: Scope, name: str) -> DestinationRecord:
        found = self._destinations.get(scope, {}).get(name)
        if found is None:
            raise DestinationNotFound()
        return found

    def destinations(self, scope: Scope, prefix: str | None) -> list[DestinationRecord]:
        found = self._destinations.get(scope, {}).values()
        return sorted(
            (d for d in found if not prefix or d.name.startswith(prefix)), key=lambda d: d.name
        )

    def destination_exists(self, arn: str) -> bool:
        """Whether a destination ARN (``arn:aws:logs:REGION:ACCOUNT:destination:NAME``)
        names one of any account: subscriptions name other accounts' destinations."""
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[2] != "logs" or parts[5] != "destination":
            return False
        return parts[6] in self._destinations.get(Scope(parts[4], parts[3]), {})

    async def put_destination_policy(self, scope: Scope, name: str, policy: str) -> None:
        current = self.destination(scope, name)
        _json_object(policy, "Access policy")
        record = replace(current, access_policy=policy)
        await self._save(scope, "destination", name, record)
        self._destinations[scope][name] = record

    async def delete_destination(self, scope: Scope, name: str) -> None:
        self.destination(scope, name)
        await self._drop(scope, "destination", name)
        self._destinations[scope].pop(name, None)

    # -- account policies ----------------------------------------------------------------
    async def put_policy(
        self,
        scope: Scope,
        name: str,
        policy_type: str,
        document: str,
        policy_scope: str | None,
        selection: str | None,
        *,
        dry_run: bool = False,
    ) -> AccountPolicyRecord:
        """Create or replace a policy; ``dry_run`` checks it and stores nothing."""
        if not name:
            raise InvalidParameter("policyName is required.")
        if selection is not None:
            pattern = _SELECTIONS.get(policy_type)
            if pattern is None:
                raise InvalidParameter(
                    f"selectionCriteria is not supported for policyType {policy_type}."
                )
            if len(selection.encode()) > MAX_SELECTION_BYTES:
                raise InvalidParameter("selectionCriteria exceeds the maximum length of 25KB.")
            if not pattern.fullmatch(selection.strip()):
                raise InvalidParameter(
                    f"Invalid selectionCriteria for policyType {policy_type}: {selection}"
                )
        _check_document(policy_type, document)
        policies = self._policies.setdefault(scope, {})
        same_type = [n for t, n in policies if t == policy_type]
        if name not in same_type and len(same_type) >= MAX_POLICIES[policy_type]:
            raise LimitExceeded()
        record = AccountPolicyRecord(
            name, policy_type, document, now_ms(), policy_scope or "ALL", selection
        )
        if dry_run:
            return record
        await self._save(scope, "policy", f"{policy_type}\x00{name}", record)
        policies[(policy_type, name)] = record
        return record

    def policies(
        self, scope: Scope, policy_type: str, name: str | None
    ) -> list[AccountPolicyRecord]:
        found = self._policies.get(scope, {})
        return sorted(
            (p for (t, n), p in found.items() if t == policy_type and (not name or n == name)),
            key=lambda p: p.name,
        )

    def policy(self, scope: Scope, name: str, policy_type: str) -> AccountPolicyRecord:
        found = self._policies.get(scope, {}).get((policy_type, name))
        if found is None:
            raise PolicyNotFound(f"Policy with name [{name}] does not exist")
        return found

    async def delete_policy(self, scope: Scope, name: str, policy_type: str) -> None:
        policies = self._policies.get(scope, {})
        self.policy(scope, name, policy_type)
        await self._drop(scope, "policy", f"{policy_type}\x00{name}")
        policies.pop((policy_type, name), None)
