"""Subscription filters and metric filters of log groups.

A subscription filter sends the group's matching events to a Lambda function
(``subscriptions.py`` delivers them) or names a log destination (stored only); metric filters are kept and listed (no metrics
are computed: there is no CloudWatch metrics service to publish them to). AWS allows 2
subscription filters and 100 metric filters per group, 3 dimensions per metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stratus.services.logs.catalog import LogCatalog, now_ms
from stratus.services.logs.errors import (
    FilterNotFound,
    InvalidParameter,
    LimitExceeded,
    LogGroupNotFound,
)
from stratus.services.logs.patterns import compile_pattern
from stratus.services.logs.records import MetricFilterRecord, SubscriptionFilterRecord
from stratus.services.scope import Scope

MAX_SUBSCRIPTION_FILTERS = 2
MAX_METRIC_FILTERS = 100
#: Dimensions of a metric filter's metric, at most (AWS's documented limit).
MAX_DIMENSIONS = 3

#: Whether a function ARN names a function that exists (the destination check).
FunctionExists = Callable[[str], bool]


class LogFilters:
    def __init__(
        self,
        catalog: LogCatalog,
        function_exists: FunctionExists,
        destination_exists: FunctionExists = lambda _arn: False,
    ) -> None:
        self._catalog = catalog
        self._function_exists = function_exists
        #: Whether a log destination ARN (PutDestination's) names one: such a filter is
        #: stored, and delivers nothing (its Kinesis or Firehose target is not served).
        self._destination_exists = destination_exists
        #: Called after any change of subscriptions (the delivery rebuilds its taps).
        self.on_change: list[Callable[[], None]] = []

    # -- subscriptions -----------------------------------------------------------------
    async def put_subscription(
        self,
        scope: Scope,
        group: str,
        name: str,
        pattern: str,
        destination_arn: str,
        role_arn: str | None = None,
        distribution: str | None = None,
    ) -> None:
        await self._catalog.require(scope, group)
        compile_pattern(pattern)
        parts = destination_arn.split(":")
        if len(parts) >= 7 and parts[2] == "logs" and parts[5] == "destination":
            if not self._destination_exists(destination_arn):
                raise InvalidParameter(
                    f"The specified destination {destination_arn} does not exist."
                )
        elif len(parts) < 7 or parts[:3] != ["arn", "aws", "lambda"] or parts[5] != "function":
            # Kinesis and Firehose are not served here.
            raise InvalidParameter(
                f"Unsupported destination {destination_arn}: only Lambda functions and "
                "log destinations are supported."
            )
        elif not self._function_exists(destination_arn):
            raise InvalidParameter(
                "Could not execute the lambda function. Make sure you have given "
                "CloudWatch Logs permission to execute your function."
            )
        current = self._catalog.state.subscriptions.get((scope, group), {})
        if name not in current and len(current) >= MAX_SUBSCRIPTION_FILTERS:
            raise LimitExceeded()
        record = SubscriptionFilterRecord(
            group,
            name,
            pattern,
            destination_arn,
            role_arn,
            distribution or "ByLogStream",
            current[name].created_ms if name in current else now_ms(),
        )
        await self._catalog.store.write(
            self._catalog.store.put_filter(scope, "subscription", record)
        )
        self._catalog.state.subscriptions.setdefault((scope, group), {})[name] = record
        self._changed()

    def subscriptions(self, scope: Scope, group: str) -> list[SubscriptionFilterRecord]:
        if not self._catalog.exists(scope, group):
            raise LogGroupNotFound()
        found = self._catalog.state.subscriptions.get((scope, group), {})
        return [found[name] for name in sorted(found)]

    async def delete_subscription(self, scope: Scope, group: str, name: str) -> None:
        await self._catalog.require(scope, group)
        if name not in self._catalog.state.subscriptions.get((scope, group), {}):
            raise FilterNotFound()
        await self._catalog.store.write(
            self._catalog.store.delete_filter(scope, group, "subscription", name)
        )
        del self._catalog.state.subscriptions[(scope, group)][name]
        self._changed()

    def _changed(self) -> None:
        for listener in self.on_change:
            listener()

    # -- metric filters ------------------------------------------------------------------
    async def put_metric(
        self,
        scope: Scope,
        group: str,
        name: str,
        pattern: str,
        transformations: list[dict[str, Any]],
    ) -> None:
        await self._catalog.require(scope, group)
        compile_pattern(pattern)
        if any(len(t.get("dimensions") or {}) > MAX_DIMENSIONS for t in transformations):
            raise InvalidParameter(
                f"A metric filter can include at most {MAX_DIMENSIONS} dimensions."
            )
        current = self._catalog.state.metrics.get((scope, group), {})
        if name not in current and len(current) >= MAX_METRIC_FILTERS:
            raise LimitExceeded()
        record = MetricFilterRecord(
            group,
            name,
            pattern,
            [dict(t) for t in transformations],
            current[name].created_ms if name in current else now_ms(),
        )
        await self._catalog.store.write(self._catalog.store.put_filter(scope, "metric", record))
        self._catalog.state.metrics.setdefault((scope, group), {})[name] = record

    def metrics(self, scope: Scope, group: str | None) -> list[MetricFilterRecord]:
        if group is not None:
            if not self._catalog.exists(scope, group):
                raise LogGroupNotFound()
            found = self._catalog.state.metrics.get((scope, group), {})
            return [found[name] for name in sorted(found)]
        records = [
            record
            for (where, _group), filters in self._catalog.state.metrics.items()
            if where == scope
            for record in filters.values()
        ]
        return sorted(records, key=lambda r: (r.group, r.name))

    async def delete_metric(self, scope: Scope, group: str, name: str) -> None:
        await self._catalog.require(scope, group)
        if name not in self._catalog.state.metrics.get((scope, group), {}):
            raise FilterNotFound("The specified metric filter does not exist.")
        await self._catalog.store.write(
            self._catalog.store.delete_filter(scope, group, "metric", name)
        )
        del self._catalog.state.metrics[(scope, group)][name]
