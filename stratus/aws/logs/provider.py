"""The CloudWatch Logs API (json 1.1): log groups, retention, tags, streams, events,
subscription and metric filters (TestMetricFilter too), Logs Insights queries, resource
and data protection policies, KMS key associations, export tasks to S3, Live Tail, GetLogGroupFields and GetLogRecord, destinations and
account policies, over
``services/logs`` (docs/logs.md)."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.logs.account import AccountApi
from stratus.aws.logs.events import EventsApi
from stratus.aws.logs.exports import ExportsApi
from stratus.aws.logs.fields import FieldsApi
from stratus.aws.logs.insights import InsightsApi, compile_error
from stratus.aws.logs.livetail import LiveTailApi
from stratus.aws.logs.params import Params, group_arn, group_name, group_of_resource
from stratus.aws.logs.policies import PoliciesApi
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.logs.account import DestinationNotFound, LogAccount
from stratus.services.logs.catalog import LogCatalog
from stratus.services.logs.errors import (
    ExportTaskNotFound,
    FilterNotFound,
    GroupAlreadyExists,
    InvalidOperation,
    InvalidParameter,
    LimitExceeded,
    LogGroupNotFound,
    LogsError,
    LogStreamNotFound,
    MalformedQuery,
    PolicyNotFound,
    QueryNotFound,
    RecordNotFound,
    RevisionMismatch,
    StreamAlreadyExists,
)
from stratus.services.logs.exports import LogExports
from stratus.services.logs.filters import LogFilters
from stratus.services.logs.groups import LogGroups
from stratus.services.logs.livetail import LiveTails
from stratus.services.logs.paging import page
from stratus.services.logs.patterns import compile_pattern
from stratus.services.logs.policies import LogPolicies
from stratus.services.logs.queries import InsightsQueries
from stratus.services.logs.records import MetricFilterRecord
from stratus.services.logs.streams import LogStreams


class LogsProvider(
    EventsApi, InsightsApi, PoliciesApi, ExportsApi, LiveTailApi, FieldsApi, AccountApi
):
    errors = ErrorTable(
        {
            LogGroupNotFound: ErrorRule("ResourceNotFoundException"),
            LogStreamNotFound: ErrorRule("ResourceNotFoundException"),
            FilterNotFound: ErrorRule("ResourceNotFoundException"),
            QueryNotFound: ErrorRule("ResourceNotFoundException"),
            PolicyNotFound: ErrorRule("ResourceNotFoundException"),
            RecordNotFound: ErrorRule("ResourceNotFoundException"),
            DestinationNotFound: ErrorRule("ResourceNotFoundException"),
            RevisionMismatch: ErrorRule("OperationAbortedException"),
            ExportTaskNotFound: ErrorRule("ResourceNotFoundException"),
            InvalidOperation: ErrorRule("InvalidOperationException"),
            MalformedQuery: ErrorRule("MalformedQueryException", fields=compile_error),
            GroupAlreadyExists: ErrorRule("ResourceAlreadyExistsException"),
            StreamAlreadyExists: ErrorRule("ResourceAlreadyExistsException"),
            LimitExceeded: ErrorRule("LimitExceededException"),
            InvalidParameter: ErrorRule("InvalidParameterException"),
            LogsError: ErrorRule("InvalidParameterException"),
        }
    )

    def __init__(
        self,
        groups: LogGroups,
        streams: LogStreams,
        filters: LogFilters,
        queries: InsightsQueries,
        policies: LogPolicies,
        exports: LogExports,
        catalog: LogCatalog,
        tails: LiveTails,
        account: LogAccount,
    ) -> None:
        self._groups = groups
        self._streams = streams
        self._filters = filters
        self._queries = queries
        self._policies = policies
        self._exports = exports
        self._catalog = catalog
        self._tails = tails
        self._account = account

    # -- groups ------------------------------------------------------------------------
    async def create_log_group(self, ctx: RequestContext, params: Params) -> Params:
        await self._groups.create(
            ctx.scope,
            params["logGroupName"],
            tags=params.get("tags"),
            kms_key_id=params.get("kmsKeyId"),
            group_class=params.get("logGroupClass"),
            deletion_protection=bool(params.get("deletionProtectionEnabled")),
        )
        return {}

    async def delete_log_group(self, ctx: RequestContext, params: Params) -> Params:
        await self._groups.delete(ctx.scope, params["logGroupName"])
        return {}

    async def describe_log_groups(self, ctx: RequestContext, params: Params) -> Params:
        views = self._groups.describe(
            ctx.scope,
            prefix=params.get("logGroupNamePrefix"),
            pattern=params.get("logGroupNamePattern"),
            group_class=params.get("logGroupClass"),
            identifiers=params.get("logGroupIdentifiers"),
        )
        chosen, token = page(
            views, lambda v: v.name, int(params.get("limit") or 50), params.get("nextToken")
        )
        groups: list[Params] = []
        for view in chosen:
            record = view.record
            arn = group_arn(ctx, view.name)
            entry: Params = {
                "logGroupName": view.name,
                "creationTime": record.created_ms,
                "metricFilterCount": view.metric_filters,
                "arn": arn + ":*",
                "storedBytes": record.stored_bytes,
                "logGroupClass": record.group_class,
                "logGroupArn": arn,
                "deletionProtectionEnabled": record.deletion_protection,
            }
            if record.retention_days is not None:
                entry["retentionInDays"] = record.retention_days
            if record.kms_key_id:
                entry["kmsKeyId"] = record.kms_key_id
            if self._policies.protected(ctx.scope, view.name):
                entry["dataProtectionStatus"] = "ACTIVATED"
            groups.append(entry)
        result: Params = {"logGroups": groups}
        if token:
            result["nextToken"] = token
        return result

    async def put_retention_policy(self, ctx: RequestContext, params: Params) -> Params:
        await self._groups.put_retention(
            ctx.scope, params["logGroupName"], int(params["retentionInDays"])
        )
        return {}

    async def delete_retention_policy(self, ctx: RequestContext, params: Params) -> Params:
        await self._groups.delete_retention(ctx.scope, params["logGroupName"])
        return {}

    # -- tags --------------------------------------------------------------------------
    async def tag_resource(self, ctx: RequestContext, params: Params) -> Params:
        group = group_of_resource(ctx, params["resourceArn"])
        await self._groups.tag(ctx.scope, group, params["tags"])
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Params:
        group = group_of_resource(ctx, params["resourceArn"])
        await self._groups.untag(ctx.scope, group, params["tagKeys"])
        return {}

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Params:
        group = group_of_resource(ctx, params["resourceArn"])
        return {"tags": self._groups.tags(ctx.scope, group)}

    async def tag_log_group(self, ctx: RequestContext, params: Params) -> Params:
        await self._groups.tag(ctx.scope, params["logGroupName"], params["tags"])
        return {}

    async def untag_log_group(self, ctx: RequestContext, params: Params) -> Params:
        await self._groups.untag(ctx.scope, params["logGroupName"], params["tags"])
        return {}

    async def list_tags_log_group(self, ctx: RequestContext, params: Params) -> Params:
        return {"tags": self._groups.tags(ctx.scope, params["logGroupName"])}

    # -- subscription filters ------------------------------------------------------------
    async def put_subscription_filter(self, ctx: RequestContext, params: Params) -> Params:
        await self._filters.put_subscription(
            ctx.scope,
            params["logGroupName"],
            params["filterName"],
            params["filterPattern"],
            params["destinationArn"],
            params.get("roleArn"),
            params.get("distribution"),
        )
        return {}

    async def describe_subscription_filters(self, ctx: RequestContext, params: Params) -> Params:
        found = self._filters.subscriptions(ctx.scope, params["logGroupName"])
        prefix = params.get("filterNamePrefix")
        if prefix:
            found = [f for f in found if f.name.startswith(prefix)]
        chosen, token = page(
            found, lambda f: f.name, int(params.get("limit") or 50), params.get("nextToken")
        )
        out: list[Params] = []
        for f in chosen:
            entry: Params = {
                "filterName": f.name,
                "logGroupName": f.group,
                "filterPattern": f.pattern,
                "destinationArn": f.destination_arn,
                "distribution": f.distribution,
                "creationTime": f.created_ms,
            }
            if f.role_arn:
                entry["roleArn"] = f.role_arn
            out.append(entry)
        result: Params = {"subscriptionFilters": out}
        if token:
            result["nextToken"] = token
        return result

    async def delete_subscription_filter(self, ctx: RequestContext, params: Params) -> Params:
        await self._filters.delete_subscription(
            ctx.scope, params["logGroupName"], params["filterName"]
        )
        return {}

    # -- metric filters ------------------------------------------------------------------
    async def put_metric_filter(self, ctx: RequestContext, params: Params) -> Params:
        await self._filters.put_metric(
            ctx.scope,
            params["logGroupName"],
            params["filterName"],
            params["filterPattern"],
            params["metricTransformations"],
        )
        return {}

    async def describe_metric_filters(self, ctx: RequestContext, params: Params) -> Params:
        group = params.get("logGroupName")
        prefix = params.get("filterNamePrefix")
        if prefix and not group:
            raise InvalidParameter(
                "If you specify filterNamePrefix, you must also specify logGroupName."
            )
        found = self._filters.metrics(ctx.scope, group)
        if prefix:
            found = [f for f in found if f.name.startswith(prefix)]
        name, namespace = params.get("metricName"), params.get("metricNamespace")
        if bool(name) != bool(namespace):
            raise InvalidParameter("metricName and metricNamespace must be specified together.")
        if name:
            found = [f for f in found if _measures(f, name, namespace)]
        chosen, token = page(
            found,
            lambda f: f"{f.group}\x00{f.name}",
            int(params.get("limit") or 50),
            params.get("nextToken"),
        )
        result: Params = {
            "metricFilters": [
                {
                    "filterName": f.name,
                    "filterPattern": f.pattern,
                    "metricTransformations": f.transformations,
                    "creationTime": f.created_ms,
                    "logGroupName": f.group,
                }
                for f in chosen
            ]
        }
        if token:
            result["nextToken"] = token
        return result

    async def delete_metric_filter(self, ctx: RequestContext, params: Params) -> Params:
        await self._filters.delete_metric(ctx.scope, params["logGroupName"], params["filterName"])
        return {}

    async def test_metric_filter(self, ctx: RequestContext, params: Params) -> Params:
        pattern = compile_pattern(params["filterPattern"])
        return {
            "matches": [
                {
                    "eventNumber": number,
                    "eventMessage": message,
                    "extractedValues": pattern.extracted(message),
                }
                for number, message in enumerate(params["logEventMessages"], start=1)
                if pattern.matches(message)
            ]
        }


def _measures(record: MetricFilterRecord, name: Any, namespace: Any) -> bool:
    return any(
        t.get("metricName") == name and t.get("metricNamespace") == namespace
        for t in record.transformations
    )


__all__ = ["LogsProvider", "group_name"]
