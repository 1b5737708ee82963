"""Log groups: create, delete, list, retention and tags (CloudWatch Logs' rules).

Retention applies at once to reads (older events are not answered) and, in the
background, to the store (``sweep``), which AWS does within 72 hours.
"""

from __future__ import annotations

import calendar
import logging
import time
from dataclasses import dataclass, replace

from stratus.services.logs.catalog import LogCatalog, now_ms
from stratus.services.logs.errors import (
    GroupAlreadyExists,
    InvalidParameter,
    LogGroupNotFound,
)
from stratus.services.logs.policies import check_kms_key
from stratus.services.logs.records import LogGroupRecord
from stratus.services.logs.sqlite import SQLiteLogStore
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

#: PutRetentionPolicy's allowed values (API reference, PutRetentionPolicy).
RETENTION_DAYS = frozenset(
    {
        1,
        3,
        5,
        7,
        14,
        30,
        60,
        90,
        120,
        150,
        180,
        365,
        400,
        545,
        731,
        1096,
        1827,
        2192,
        2557,
        2922,
        3288,
        3653,
    }
)
#: Tags per log group (the model bounds one call; AWS bounds the group too).
MAX_TAGS = 50


@dataclass(frozen=True, slots=True)
class GroupView:
    """One group as DescribeLogGroups shows it."""

    name: str
    record: LogGroupRecord
    metric_filters: int


def _check_tags(tags: dict[str, str]) -> None:
    for key in tags:
        if key.startswith("aws:"):
            raise InvalidParameter("Tag keys beginning with 'aws:' are reserved.")


class LogGroups:
    def __init__(self, catalog: LogCatalog, events: SQLiteLogStore) -> None:
        self._catalog = catalog
        self._events = events

    async def create(
        self,
        scope: Scope,
        name: str,
        *,
        tags: dict[str, str] | None = None,
        kms_key_id: str | None = None,
        group_class: str | None = None,
        deletion_protection: bool = False,
    ) -> LogGroupRecord:
        if name.startswith("aws/"):
            raise InvalidParameter("Log group name cannot start with 'aws/'")
        _check_tags(tags or {})
        if kms_key_id is not None:
            check_kms_key(scope, name, kms_key_id)
        if self._catalog.record(scope, name) is not None or await self._has_events(scope, name):
            raise GroupAlreadyExists()
        record = LogGroupRecord(
            name,
            now_ms(),
            kms_key_id=kms_key_id,
            group_class=group_class or "STANDARD",
            deletion_protection=deletion_protection,
            tags=dict(tags or {}),
        )
        await self._catalog.save_group(scope, record)
        return record

    async def _has_events(self, scope: Scope, name: str) -> bool:
        """A group without a record exists for AWS once something logged to it (Lambda
        creates a function's group at its first line); a function that never logged
        leaves its name free, so a template may create ``/aws/lambda/<name>`` first."""
        try:
            keys = self._catalog.view.functions_of(scope, name)
        except LogGroupNotFound:
            return False
        for key in keys:
            if await self._events.query(key, limit=1):
                return True
        return False

    async def delete(self, scope: Scope, name: str) -> None:
        record = self._catalog.record(scope, name)
        if record is None and not self._catalog.implicit(scope, name):
            raise LogGroupNotFound()
        if record is not None and record.deletion_protection:
            raise InvalidParameter(
                "Log group deletion is not allowed while deletion protection is enabled."
            )
        keys = self._catalog.keys(scope, name)
        own = self._catalog.own_key(scope, name)
        await self._catalog.store.write(self._catalog.store.delete_group(scope, name))
        self._catalog.state.groups.get(scope, {}).pop(name, None)
        self._catalog.state.streams.pop((scope, name), None)
        self._catalog.state.subscriptions.pop((scope, name), None)
        self._catalog.state.metrics.pop((scope, name), None)
        self._catalog.state.data_protection.pop((scope, name), None)
        self._catalog.view.forget_written(scope, name)
        await self._events.delete(sorted(set(keys) | {own}))

    def describe(
        self,
        scope: Scope,
        *,
        prefix: str | None = None,
        pattern: str | None = None,
        group_class: str | None = None,
        identifiers: list[str] | None = None,
    ) -> list[GroupView]:
        """Every group of the scope that passes the filters, sorted by name."""
        if prefix and pattern is not None:
            raise InvalidParameter(
                "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters."
            )
        names = self._catalog.names(scope)
        if prefix:
            names = {n for n in names if n.startswith(prefix)}
        if pattern:
            lowered = pattern.lower()
            names = {n for n in names if lowered in n.lower()}
        if identifiers is not None:
            wanted = {i.rsplit(":log-group:", 1)[-1].removesuffix(":*") for i in identifiers}
            names &= wanted
        views = []
        functions = self._catalog.view.functions_by_group(scope)
        for name in sorted(names):
            record = self._catalog.record(scope, name) or self._implicit_record(
                name, functions.get(name, [])
            )
            if group_class and record.group_class != group_class:
                continue
            metrics = len(self._catalog.state.metrics.get((scope, name), {}))
            views.append(GroupView(name, record, metrics))
        return views

    def _implicit_record(self, name: str, function_ids: list[str]) -> LogGroupRecord:
        """A function's group shown without a record: created, for want of better, when
        its function last changed."""
        created = 0
        for fid in function_ids:
            created = _iso_ms(self._catalog.view.last_modified(fid)) or created
        return LogGroupRecord(name, created)

    # -- retention -------------------------------------------------------------------
    async def put_retention(self, scope: Scope, name: str, days: int) -> None:
        if days not in RETENTION_DAYS:
            raise InvalidParameter(
                "1 validation error detected: Value '"
                f"{days}' at 'retentionInDays' failed to satisfy constraint: Member must "
                "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, "
                "400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"
            )
        record = await self._catalog.require(scope, name)
        await self._catalog.save_group(scope, replace(record, retention_days=days))
        await self.sweep_group(scope, name)

    async def delete_retention(self, scope: Scope, name: str) -> None:
        record = await self._catalog.require(scope, name)
        await self._catalog.save_group(scope, replace(record, retention_days=None))

    async def sweep(self) -> None:
        """Delete the events every group's retention no longer keeps."""
        for scope, groups in list(self._catalog.state.groups.items()):
            for name, record in list(groups.items()):
                if record.retention_days is not None:
                    try:
                        await self.sweep_group(scope, name)
                    except LogGroupNotFound:
                        continue

    async def sweep_group(self, scope: Scope, name: str) -> None:
        start = self._catalog.retention_start(scope, name)
        if start is None:
            return
        own = self._catalog.own_key(scope, name)
        others = [k for k in self._catalog.keys(scope, name) if k != own]
        freed = await self._events.delete([own], before_ms=start)
        await self._events.delete(others, before_ms=start)
        if freed and self._catalog.record(scope, name) is not None:
            await self._catalog.store.write(self._catalog.store.add_bytes(scope, name, -freed))
            self._catalog.add_bytes(scope, name, -freed)

    # -- tags ------------------------------------------------------------------------
    async def tag(self, scope: Scope, name: str, tags: dict[str, str]) -> None:
        _check_tags(tags)
        record = await self._catalog.require(scope, name)
        merged = {**record.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise InvalidParameter("A log group cannot have more than 50 tags.")
        await self._catalog.save_group(scope, replace(record, tags=merged))

    async def untag(self, scope: Scope, name: str, keys: list[str]) -> None:
        record = await self._catalog.require(scope, name)
        kept = {k: v for k, v in record.tags.items() if k not in set(keys)}
        await self._catalog.save_group(scope, replace(record, tags=kept))

    def tags(self, scope: Scope, name: str) -> dict[str, str]:
        record = self._catalog.record(scope, name)
        if record is None:
            if not self._catalog.implicit(scope, name):
                raise LogGroupNotFound()
            return {}
        return dict(record.tags)


def _iso_ms(text: str) -> int:
    """Lambda's ``2026-11-23T15:00:00.000+0000`` in epoch milliseconds (0 if unreadable)."""
    try:
        seconds = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
        return seconds * 1000 + int(text[20:23])
    except ValueError:
        return 0
