"""Settings DynamoDB stores on a table and Stratus keeps as state only (a mixin of
:class:`DynamoDbProvider`): resource-based policies (stored and checked as JSON, never
enforced), contributor insights (status, no rule data) and Kinesis streaming destinations
(status; Stratus has no Kinesis, so nothing is sent)."""

from __future__ import annotations

import base64
import re
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import (
    PolicyNotFound,
    TableInUse,
    TableNotFound,
    ValidationError,
)
from stratus.services.tables.model import TableDefinition

Params = dict[str, Any]

POLICY_MAX_BYTES = 20 * 1024  # "The maximum size supported for a resource-based policy"
_NOT_FOUND = "Requested resource not found"
_KINESIS_ARN = re.compile(r"arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]{1,128}")


class SettingsApi:
    _catalog: Catalog

    # -- resource policies -----------------------------------------------------------
    def _policy_target(self, ctx: RequestContext, arn: str) -> TableDefinition:
        """The table owning ``arn``: its own ARN, or one of its streams' (the current)."""
        table = self._catalog.by_arn(arn)
        if table is None:
            raise TableNotFound(
                f"{_NOT_FOUND}: Table: {arn.split('/')[1] if '/' in arn else arn} not found"
            )
        if arn != table.arn and arn != table.stream_arn:
            raise TableNotFound(f"{_NOT_FOUND}: {arn}")
        return table

    async def put_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        arn, text = params["ResourceArn"], params["Policy"]
        table = self._policy_target(ctx, arn)
        _check_policy(text)
        current = table.policies.get(arn)
        expected = params.get("ExpectedRevisionId")
        if expected == "NO_POLICY" and current is not None:
            raise PolicyNotFound(
                "Resource-based policy not found for the provided ResourceArn: Requested policy "
                f"update expecting none to be present for table {table.name}, but a policy "
                f"exists with revision id {current['revision']}."
            )
        if expected is not None and expected != "NO_POLICY":
            if current is None:
                raise PolicyNotFound(
                    f"Resource-based policy not found for the provided ResourceArn: {arn}"
                )
            if current["revision"] != expected:
                raise PolicyNotFound(
                    "Resource-based policy not found for the provided ResourceArn: Requested "
                    f"update for policy with revision id {expected}, but the policy associated "
                    f"to target table {table.name} has revision id {current['revision']}."
                )
        if current is not None and current["policy"] == text:
            return {"RevisionId": current["revision"]}
        revision = _revision(current)
        table.policies[arn] = {"policy": text, "revision": revision}
        await self._catalog.save(table)
        return {"RevisionId": revision}

    async def get_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        arn = params["ResourceArn"]
        table = self._policy_target(ctx, arn)
        current = table.policies.get(arn)
        if current is None:
            raise PolicyNotFound(
                f"Resource-based policy not found for the provided ResourceArn: {arn}"
            )
        return {"Policy": current["policy"], "RevisionId": current["revision"]}

    async def delete_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        arn = params["ResourceArn"]
        table = self._policy_target(ctx, arn)
        current = table.policies.get(arn)
        if current is None:
            raise PolicyNotFound(
                f"Resource-based policy not found for the provided ResourceArn: {arn}"
            )
        expected = params.get("ExpectedRevisionId")
        if expected is not None and expected != current["revision"]:
            raise PolicyNotFound(
                "Resource-based policy not found for the provided ResourceArn: Requested "
                f"update for policy with revision id {expected}, but the policy associated to "
                f"target table {table.name} has revision id {current['revision']}."
            )
        del table.policies[arn]
        await self._catalog.save(table)
        return {"RevisionId": current["revision"]}

    # -- contributor insights --------------------------------------------------------
    def _insights_target(self, ctx: RequestContext, params: Params) -> tuple[TableDefinition, str]:
        name = params["TableName"]
        table = (
            self._catalog.by_arn(name)
            if name.startswith("arn:")
            else self._catalog.find(ctx.account_id, ctx.region, name)
        )
        if table is None:
            raise TableNotFound(f"{_NOT_FOUND}: Table: {name} not found")
        index = params.get("IndexName") or ""
        if index and (table.index(index) is None or table.indexes[index].local):
            raise TableNotFound(f"{_NOT_FOUND}: Index: {index} not found")
        return table, index

    async def describe_contributor_insights(self, ctx: RequestContext, params: Params) -> Params:
        table, index = self._insights_target(ctx, params)
        state = table.insights.get(index)
        out: Params = {"TableName": table.name}
        if index:
            out["IndexName"] = index
        if state is None:
            out["ContributorInsightsStatus"] = "DISABLED"
            return out
        out["ContributorInsightsStatus"] = state["status"]
        if state["status"] == "ENABLED":
            out["ContributorInsightsRuleList"] = _rules(table, index, state["updated"])
            out["ContributorInsightsMode"] = state["mode"]
        out["LastUpdateDateTime"] = datetime.fromtimestamp(state["updated"], UTC)
        return out

    async def update_contributor_insights(self, ctx: RequestContext, params: Params) -> Params:
        table, index = self._insights_target(ctx, params)
        action = params["ContributorInsightsAction"]
        mode = params.get("ContributorInsightsMode", "ACCESSED_AND_THROTTLED_KEYS")
        status = "ENABLED" if action == "ENABLE" else "DISABLED"
        table.insights[index] = {"status": status, "mode": mode, "updated": time.time()}
        await self._catalog.save(table)
        # AWS answers the transition (ENABLING / DISABLING); the change is already done
        out: Params = {
            "TableName": table.name,
            "ContributorInsightsStatus": "ENABLING" if action == "ENABLE" else "DISABLING",
        }
        if index:
            out["IndexName"] = index
        if action == "ENABLE":
            out["ContributorInsightsMode"] = mode
        return out

    async def list_contributor_insights(self, ctx: RequestContext, params: Params) -> Params:
        name = params.get("TableName")
        if name:
            tables = [self._insights_target(ctx, {"TableName": name})[0]]
        else:
            tables = self._catalog.in_scope(ctx.account_id, ctx.region)
        entries: list[Params] = []
        for table in tables:
            for index in ["", *(i.name for i in table.indexes.values() if not i.local)]:
                state = table.insights.get(index)
                if state is None:
                    continue
                entry: Params = {"TableName": table.name}
                if index:
                    entry["IndexName"] = index
                entry["ContributorInsightsStatus"] = state["status"]
                if state["status"] == "ENABLED":
                    entry["ContributorInsightsMode"] = state["mode"]
                entries.append(entry)
        start = _offset(params.get("NextToken"))
        size = params.get("MaxResults") or 100
        page = entries[start : start + size]
        out: Params = {"ContributorInsightsSummaries": page}
        if start + size < len(entries):
            out["NextToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return out

    # -- Kinesis streaming destinations ----------------------------------------------
    def _kinesis_table(self, ctx: RequestContext, name: str) -> TableDefinition:
        table = (
            self._catalog.by_arn(name)
            if name.startswith("arn:")
            else self._catalog.find(ctx.account_id, ctx.region, name)
        )
        if table is None:
            raise TableNotFound(f"{_NOT_FOUND}: Table: {name} not found")
        return table

    async def describe_kinesis_streaming_destination(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        table = self._kinesis_table(ctx, params["TableName"])
        return {
            "TableName": table.name,
            "KinesisDataStreamDestinations": [
                {
                    "StreamArn": d["arn"],
                    "DestinationStatus": d["status"],
                    "ApproximateCreationDateTimePrecision": d["precision"],
                }
                for d in table.kinesis
            ],
        }

    async def enable_kinesis_streaming_destination(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        table = self._kinesis_table(ctx, params["TableName"])
        arn = params["StreamArn"]
        if not _KINESIS_ARN.fullmatch(arn):
            raise ValidationError(f"Invalid StreamArn: {arn}")
        config = params.get("EnableKinesisStreamingConfiguration") or {}
        precision = config.get("ApproximateCreationDateTimePrecision", "MILLISECOND")
        current = next((d for d in table.kinesis if d["arn"] == arn), None)
        if current is not None and current["status"] == "ACTIVE":
            raise TableInUse(f"Table {table.name} is already streaming to stream {arn}")
        if current is None:
            current = {"arn": arn}
            table.kinesis.append(current)
        current.update(status="ACTIVE", precision=precision)
        await self._catalog.save(table)
        out: Params = {"TableName": table.name, "StreamArn": arn, "DestinationStatus": "ENABLING"}
        if config:
            out["EnableKinesisStreamingConfiguration"] = config
        return out

    async def disable_kinesis_streaming_destination(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        table = self._kinesis_table(ctx, params["TableName"])
        arn = params["StreamArn"]
        current = next((d for d in table.kinesis if d["arn"] == arn), None)
        if current is None or current["status"] != "ACTIVE":
            raise TableNotFound(f"{_NOT_FOUND}: Table {table.name} is not streaming to {arn}")
        current["status"] = "DISABLED"
        await self._catalog.save(table)
        return {"TableName": table.name, "StreamArn": arn, "DestinationStatus": "DISABLING"}

    async def update_kinesis_streaming_destination(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        table = self._kinesis_table(ctx, params["TableName"])
        arn = params["StreamArn"]
        current = next((d for d in table.kinesis if d["arn"] == arn), None)
        if current is None or current["status"] != "ACTIVE":
            raise TableNotFound(f"{_NOT_FOUND}: Table {table.name} is not streaming to {arn}")
        config = params.get("UpdateKinesisStreamingConfiguration") or {}
        precision = config.get("ApproximateCreationDateTimePrecision")
        if precision is None:
            raise ValidationError(
                "UpdateKinesisStreamingConfiguration must have at least one field set"
            )
        if precision == current["precision"]:
            raise ValidationError(
                f"Table {table.name} already has ApproximateCreationDateTimePrecision "
                f"{precision} for stream {arn}"
            )
        current["precision"] = precision
        await self._catalog.save(table)
        return {
            "TableName": table.name,
            "StreamArn": arn,
            "DestinationStatus": "UPDATING",
            "UpdateKinesisStreamingConfiguration": config,
        }


def _check_policy(text: str) -> None:
    """A policy must be a JSON object of at most 20 KB (it is kept, not evaluated)."""
    if len(text.encode()) > POLICY_MAX_BYTES:
        raise ValidationError(
            f"Policy size {len(text.encode())} bytes exceeds the maximum of "
            f"{POLICY_MAX_BYTES} bytes"
        )
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ValidationError("Invalid policy document: the policy is not valid JSON") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise ValidationError("Invalid policy document: a policy must have a Statement")


def _revision(current: dict[str, str] | None) -> str:
    """Revision ids as DynamoDB's look (epoch milliseconds), always increasing."""
    revision = int(time.time() * 1000)
    if current is not None:
        revision = max(revision, int(current["revision"]) + 1)
    return str(revision)


def _rules(table: TableDefinition, index: str, updated: float) -> list[str]:
    """The CloudWatch Contributor Insights rule names DynamoDB creates (no data here)."""
    keys = table.indexes[index].keys if index else table.keys
    target = f"{table.name}-{index}" if index else table.name
    stamp = int(updated * 1000)
    kinds = ["PKC", "PKT"] + (["SKC", "SKT"] if keys.range_key else [])
    return [f"DynamoDBContributorInsights-{kind}-{target}-{stamp}" for kind in kinds]


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise ValidationError("Invalid NextToken") from None
