"""The DynamoDB API over the tables service: parsed parameters in, the model's shapes out.

Thin by design: each method resolves the table in the caller's account and region,
compiles the request's expressions (or legacy parameters) once, calls the service and
shapes ReturnValues, pagination keys and consumed capacity as DynamoDB does.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.dynamodb.backups_provider import BackupsApi
from stratus.aws.dynamodb.definitions import indexes
from stratus.aws.dynamodb.definitions import key_schema as _keys
from stratus.aws.dynamodb.describe import table_description
from stratus.aws.dynamodb.errors import DYNAMODB_ERRORS
from stratus.aws.dynamodb.global_tables_provider import GlobalTablesApi
from stratus.aws.dynamodb.partiql_provider import PartiqlApi
from stratus.aws.dynamodb.settings_provider import SettingsApi
from stratus.aws.dynamodb.transfers_provider import TransfersApi
from stratus.services.tables import collections
from stratus.services.tables.catalog import not_found, projection_of
from stratus.services.tables.errors import TableNotFound, ValidationError
from stratus.services.tables.expressions import ast
from stratus.services.tables.expressions.evaluate import project
from stratus.services.tables.items import key_of
from stratus.services.tables.model import (
    Index,
    StreamSettings,
    TableDefinition,
)
from stratus.services.tables.replicas import STREAM_REQUIRED, replica_settings
from stratus.services.tables.replicas import VERSION as GLOBAL_VERSION
from stratus.services.tables.requests import (
    Compiled,
    compile_request,
    legacy_condition,
    legacy_projection,
    legacy_update,
)
from stratus.services.tables.service import Collected, Page, TableService, WriteOp
from stratus.services.tables.values import Item, normalize_item

Params = dict[str, Any]
Result = dict[str, Any]

__all__ = ["DynamoDbProvider"]


def _capacity(params: Params, table: TableDefinition, units: float = 1.0) -> Result:
    mode = params.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        return {"ConsumedCapacity": {"TableName": table.name, "CapacityUnits": units}}
    return {}


def _index(table: TableDefinition, params: Params) -> Index | None:
    name = params.get("IndexName")
    if name is None:
        return None
    index = table.index(name)
    if index is None:
        raise ValidationError(f"The table does not have the specified index: {name}")
    if not index.local and params.get("ConsistentRead"):
        raise ValidationError("Consistent reads are not supported on global secondary indexes")
    return index


_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def check_table_name(name: str) -> None:
    """Table names as the model had them before it took ARNs too: 3 to 255 characters of
    ``[a-zA-Z0-9_.-]``, the message DynamoDB answers."""
    if name.startswith("arn:"):
        return
    problems = []
    if not _TABLE_NAME.fullmatch(name):
        problems.append(
            f"Value '{name}' at 'tableName' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+"
        )
    if len(name) < 3:
        problems.append(
            f"Value '{name}' at 'tableName' failed to satisfy constraint: Member must have "
            "length greater than or equal to 3"
        )
    if len(name) > 255:
        problems.append(
            f"Value '{name}' at 'tableName' failed to satisfy constraint: Member must have "
            "length less than or equal to 255"
        )
    if problems:
        count = len(problems)
        raise ValidationError(
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems)
        )


class DynamoDbProvider(PartiqlApi, BackupsApi, SettingsApi, TransfersApi, GlobalTablesApi):
    errors = DYNAMODB_ERRORS

    def __init__(self, service: TableService) -> None:
        self._service = service
        self._catalog = service.catalog
        self.backups = service.backups

    def _table(self, ctx: RequestContext, name: str) -> TableDefinition:
        check_table_name(name)
        if name.startswith("arn:"):
            found = self._catalog.by_arn(name)
            if found is None:
                raise TableNotFound("Requested resource not found")
            return found
        return self._catalog.get(ctx.account_id, ctx.region, name)

    # -- tables ----------------------------------------------------------------------
    async def create_table(self, ctx: RequestContext, params: Params) -> Result:
        check_table_name(params["TableName"])
        types = {a["AttributeName"]: a["AttributeType"] for a in params["AttributeDefinitions"]}
        keys = _keys(params["KeySchema"])
        billing = params.get("BillingMode", "PROVISIONED")
        provisioned = params.get("ProvisionedThroughput")
        if billing == "PROVISIONED" and provisioned is None:
            raise ValidationError(
                "One or more parameter values were invalid: ReadCapacityUnits and "
                "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
            )
        if billing == "PAY_PER_REQUEST" and provisioned is not None:
            raise ValidationError(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            )
        gsis = indexes(params.get("GlobalSecondaryIndexes"), local=False)
        lsis = indexes(params.get("LocalSecondaryIndexes"), local=True)
        spec = params.get("StreamSpecification") or {}
        stream = None
        if spec.get("StreamEnabled"):
            if "StreamViewType" not in spec:
                raise ValidationError(
                    "One or more parameter values were invalid: StreamViewType is required "
                    "when StreamEnabled is true"
                )
            stream = StreamSettings(True, spec["StreamViewType"])
        table = await self._catalog.create(
            ctx.account_id,
            ctx.region,
            params["TableName"],
            keys,
            types,
            gsis=gsis,
            lsis=lsis,
            billing_mode=billing,
            provisioned=provisioned,
            stream=stream,
            tags={t["Key"]: t["Value"] for t in params.get("Tags") or []},
            sse=params.get("SSESpecification")
            if (params.get("SSESpecification") or {}).get("Enabled")
            else None,
            deletion_protection=bool(params.get("DeletionProtectionEnabled")),
            table_class=params.get("TableClass"),
        )
        return {"TableDescription": table_description(table, status="CREATING")}

    async def describe_table(self, ctx: RequestContext, params: Params) -> Result:
        name = params["TableName"]
        table = self._catalog.find(ctx.account_id, ctx.region, name)
        if table is None:
            raise not_found(name)
        counts = await self._service.counts(table)
        return {"Table": table_description(table, counts=counts)}

    async def list_tables(self, ctx: RequestContext, params: Params) -> Result:
        names = [t.name for t in self._catalog.in_scope(ctx.account_id, ctx.region)]
        start = params.get("ExclusiveStartTableName")
        if start:
            names = [n for n in names if n > start]
        limit = params.get("Limit") or 100
        page = names[:limit]
        result: Result = {"TableNames": page}
        if len(names) > limit:
            result["LastEvaluatedTableName"] = page[-1]
        return result

    async def delete_table(self, ctx: RequestContext, params: Params) -> Result:
        name = params["TableName"]
        table = self._catalog.find(ctx.account_id, ctx.region, name)
        if table is None:
            raise not_found(name)
        counts = await self._service.counts(table)
        await self._catalog.delete(table)
        if table.replicas:
            # a replica's DeleteTable removes it from its global table (2019.11.21)
            await self._service.replicas.detach(table.account, table.region, table.name)
        return {"TableDescription": table_description(table, status="DELETING", counts=counts)}

    async def update_table(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        self._check_replica_updates(table, params)
        types = {
            a["AttributeName"]: a["AttributeType"] for a in params.get("AttributeDefinitions") or []
        }
        if "BillingMode" in params:
            table.billing_mode = params["BillingMode"]
        if "ProvisionedThroughput" in params:
            table.provisioned = params["ProvisionedThroughput"]
        if "DeletionProtectionEnabled" in params:
            table.deletion_protection = bool(params["DeletionProtectionEnabled"])
        for update in params.get("GlobalSecondaryIndexUpdates") or []:
            if "Create" in update:
                spec = update["Create"]
                index = Index(
                    spec["IndexName"],
                    _keys(spec["KeySchema"]),
                    projection_of(spec.get("Projection")),
                    local=False,
                    provisioned=spec.get("ProvisionedThroughput"),
                )
                await self._catalog.add_index(table, index, types)
                # a global table's indexes are the same in every region (2019.11.21)
                for peer in self._catalog.peers(table):
                    if index.name not in peer.indexes:
                        await self._catalog.add_index(peer, copy.deepcopy(index), types)
            elif "Delete" in update:
                name = update["Delete"]["IndexName"]
                await self._catalog.drop_index(table, name)
                for peer in self._catalog.peers(table):
                    if name in peer.indexes:
                        await self._catalog.drop_index(peer, name)
        if "BillingMode" in params or "ProvisionedThroughput" in params:
            # so is the capacity mode (and the write capacity) of a global table
            for peer in self._catalog.peers(table):
                peer.billing_mode = table.billing_mode
                if "ProvisionedThroughput" in params:
                    peer.provisioned = {**peer.provisioned, **params["ProvisionedThroughput"]}
                await self._catalog.save(peer)
        spec = params.get("StreamSpecification")
        if spec is not None:
            await self._catalog.set_stream(
                table, bool(spec.get("StreamEnabled")), spec.get("StreamViewType")
            )
        else:
            await self._catalog.save(table)
        changed = await self._replica_updates(table, params.get("ReplicaUpdates") or [])
        counts = await self._service.counts(table)
        description = table_description(table, counts=counts)
        if changed:
            description["TableStatus"] = "UPDATING"
            replicas = {r["RegionName"]: r for r in description.get("Replicas", [])}
            for region, status in changed.items():
                entry = replicas.setdefault(region, {"RegionName": region})
                entry["ReplicaStatus"] = status
            description["Replicas"] = [replicas[r] for r in sorted(replicas)]
            description["GlobalTableVersion"] = GLOBAL_VERSION
        return {"TableDescription": description}

    def _check_replica_updates(self, table: TableDefinition, params: Params) -> None:
        """Before anything of the UpdateTable is applied: a refused action changes nothing."""
        spec = params.get("StreamSpecification")
        if spec is not None and table.replicas and not spec.get("StreamEnabled"):
            raise ValidationError(STREAM_REQUIRED)
        self._service.replicas.check_updates(table, params.get("ReplicaUpdates") or [])

    async def _replica_updates(
        self, table: TableDefinition, updates: list[dict[str, Any]]
    ) -> dict[str, str]:
        """ReplicaUpdates (global tables 2019.11.21): every action checked, then applied;
        the regions changed with the status UpdateTable answers for each."""
        replicas = self._service.replicas
        changed: dict[str, str] = {}
        for update in updates:
            if "Create" in update:
                action = update["Create"]
                await replicas.create(table, action["RegionName"], replica_settings(action))
                changed[action["RegionName"]] = "CREATING"
            elif "Update" in update:
                action = update["Update"]
                await replicas.update(table, action["RegionName"], replica_settings(action))
                changed[action["RegionName"]] = "UPDATING"
            elif "Delete" in update:
                region = update["Delete"]["RegionName"]
                await replicas.delete(table, region)
                changed[region] = "DELETING"
        return changed

    async def update_time_to_live(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        spec = params["TimeToLiveSpecification"]
        enabled = bool(spec["Enabled"])
        if enabled and table.ttl_enabled:
            raise ValidationError("TimeToLive is already enabled")
        if not enabled and not table.ttl_enabled:
            raise ValidationError("TimeToLive is already disabled")
        # TTL settings are the same in every region of a global table (2019.11.21)
        for member in [table, *self._catalog.peers(table)]:
            member.ttl_enabled = enabled
            member.ttl_attribute = spec["AttributeName"]
            await self._catalog.save(member)
        return {
            "TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": spec["AttributeName"]}
        }

    async def describe_time_to_live(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        if table.ttl_enabled:
            return {
                "TimeToLiveDescription": {
                    "TimeToLiveStatus": "ENABLED",
                    "AttributeName": table.ttl_attribute,
                }
            }
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["ResourceArn"])
        table.tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
        await self._catalog.save(table)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["ResourceArn"])
        for key in params["TagKeys"]:
            table.tags.pop(key, None)
        await self._catalog.save(table)
        return {}

    async def list_tags_of_resource(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

    async def describe_endpoints(self, ctx: RequestContext, params: Params) -> Result:
        host = ctx.request.headers.get("host", "localhost")
        return {"Endpoints": [{"Address": host, "CachePeriodInMinutes": 1440}]}

    async def describe_limits(self, ctx: RequestContext, params: Params) -> Result:
        return {
            "AccountMaxReadCapacityUnits": 80000,
            "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000,
            "TableMaxWriteCapacityUnits": 40000,
        }

    # -- items -----------------------------------------------------------------------
    async def put_item(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        _not_mixed(params)
        compiled = compile_request(
            params,
            condition=params.get("ConditionExpression"),
            null_message=": ConditionExpression is null",
        )
        condition = compiled.condition or _expected(params)
        rv = params.get("ReturnValues", "NONE")
        if rv not in ("NONE", "ALL_OLD"):
            raise ValidationError("Return values set to invalid value")
        sizes: list[Collected] = []
        old = await self._service.put(
            table,
            params["Item"],
            condition,
            return_on_failure=params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD",
            sizes=sizes,
        )
        result: Result = {}
        if rv == "ALL_OLD" and old is not None:
            result["Attributes"] = old
        result.update(_capacity(params, table))
        result.update(_single_metrics(params, sizes))
        return result

    async def get_item(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        _not_mixed(params)
        compiled = compile_request(params, projection=params.get("ProjectionExpression"))
        projection = compiled.projection or legacy_projection(params.get("AttributesToGet"))
        item = await self._service.get(table, params["Key"], projection)
        result: Result = {"Item": item} if item is not None else {}
        result.update(_capacity(params, table, 0.5))
        return result

    async def delete_item(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        _not_mixed(params)
        compiled = compile_request(
            params,
            condition=params.get("ConditionExpression"),
            null_message=": ConditionExpression is null",
        )
        rv = params.get("ReturnValues", "NONE")
        if rv not in ("NONE", "ALL_OLD"):
            raise ValidationError("Return values set to invalid value")
        sizes: list[Collected] = []
        old = await self._service.delete(
            table,
            params["Key"],
            compiled.condition or _expected(params),
            return_on_failure=params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD",
            sizes=sizes,
        )
        result: Result = {}
        if rv == "ALL_OLD" and old is not None:
            result["Attributes"] = old
        result.update(_capacity(params, table))
        result.update(_single_metrics(params, sizes))
        return result

    async def update_item(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        _not_mixed(params)
        text = params.get("UpdateExpression")
        compiled = compile_request(
            params,
            condition=params.get("ConditionExpression"),
            update=text,
            null_message=": UpdateExpression and ConditionExpression are null",
        )
        actions = compiled.update
        if actions is None:
            actions = legacy_update(params.get("AttributeUpdates") or {})
        rv = params.get("ReturnValues", "NONE")
        sizes: list[Collected] = []
        old, new = await self._service.update(
            table,
            params["Key"],
            actions,
            compiled.condition or _expected(params),
            return_on_failure=params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD",
            sizes=sizes,
        )
        result: Result = {}
        paths = [a.path for a in actions]
        if rv == "ALL_OLD" and old is not None:
            result["Attributes"] = old
        elif rv == "ALL_NEW":
            result["Attributes"] = new
        elif rv == "UPDATED_OLD" and old is not None:
            attributes = project(old, _updated(paths))
            if attributes:
                result["Attributes"] = attributes
        elif rv == "UPDATED_NEW":
            attributes = project(new, _updated(paths))
            if attributes:
                result["Attributes"] = attributes
        result.update(_capacity(params, table))
        result.update(_single_metrics(params, sizes))
        return result

    # -- reads -----------------------------------------------------------------------
    async def query(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        _not_mixed(params)
        index = _index(table, params)
        compiled = compile_request(
            params,
            key_condition=params.get("KeyConditionExpression"),
            filter=params.get("FilterExpression"),
            projection=params.get("ProjectionExpression"),
        )
        key_condition = compiled.key_condition
        if key_condition is None:
            legacy = params.get("KeyConditions")
            if not legacy:
                raise ValidationError(
                    "Either the KeyConditions or KeyConditionExpression parameter must be "
                    "specified in the request."
                )
            key_condition = legacy_condition(legacy)
            assert key_condition is not None
        filter_ = compiled.filter or legacy_condition(
            params.get("QueryFilter") or {}, params.get("ConditionalOperator", "AND")
        )
        _check_limit(params)
        page = await self._service.query(
            table,
            index,
            key_condition,
            filter_,
            forward=params.get("ScanIndexForward", True),
            limit=params.get("Limit"),
            start_key=params.get("ExclusiveStartKey"),
        )
        return self._page(params, table, page, compiled)

    async def scan(self, ctx: RequestContext, params: Params) -> Result:
        table = self._table(ctx, params["TableName"])
        _not_mixed(params)
        index = _index(table, params)
        compiled = compile_request(
            params,
            filter=params.get("FilterExpression"),
            projection=params.get("ProjectionExpression"),
        )
        filter_ = compiled.filter or legacy_condition(
            params.get("ScanFilter") or {}, params.get("ConditionalOperator", "AND")
        )
        segment = params.get("Segment")
        total = params.get("TotalSegments")
        if segment is not None and total is None:
            raise ValidationError(
                "The TotalSegments parameter is required but was not present in the request "
                "when Segment parameter is present"
            )
        if total is not None and segment is None:
            raise ValidationError(
                "The Segment parameter is required but was not present in the request when "
                "parameter TotalSegments is present"
            )
        if segment is not None and total is not None and segment >= total:
            raise ValidationError(
                f"The Segment parameter is zero-based and must be less than parameter "
                f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
            )
        _check_limit(params)
        page = await self._service.scan(
            table,
            index,
            filter_,
            limit=params.get("Limit"),
            start_key=params.get("ExclusiveStartKey"),
            segment=(segment, total) if segment is not None and total is not None else None,
        )
        return self._page(params, table, page, compiled)

    def _page(
        self, params: Params, table: TableDefinition, page: Page, compiled: Compiled
    ) -> Result:
        select = params.get("Select")
        projection = compiled.projection or legacy_projection(params.get("AttributesToGet"))
        if select == "COUNT":
            if projection is not None:
                given = "ProjectionExpression" if compiled.projection else "AttributesToGet"
                raise ValidationError(
                    f"Cannot specify the {given} when choosing to get only the Count"
                )
            result: Result = {"Count": page.count, "ScannedCount": page.scanned}
        else:
            if select == "SPECIFIC_ATTRIBUTES" and projection is None:
                raise ValidationError(
                    "Must specify the AttributesToGet or ProjectionExpression when choosing to "
                    "get SPECIFIC_ATTRIBUTES"
                )
            if select == "ALL_PROJECTED_ATTRIBUTES" and "IndexName" not in params:
                raise ValidationError(
                    "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
                )
            items = (
                page.items if projection is None else [project(i, projection) for i in page.items]
            )
            result = {"Items": items, "Count": page.count, "ScannedCount": page.scanned}
        if page.last_key is not None:
            result["LastEvaluatedKey"] = page.last_key
        result.update(_capacity(params, table, max(0.5, page.scanned / 8)))
        return result

    # -- batches ---------------------------------------------------------------------
    async def batch_get_item(self, ctx: RequestContext, params: Params) -> Result:
        requests = []
        total = 0
        names = []
        for name, spec in params["RequestItems"].items():
            table = self._table(ctx, name)
            _not_mixed(spec)
            compiled = compile_request(spec, projection=spec.get("ProjectionExpression"))
            projection = compiled.projection or legacy_projection(spec.get("AttributesToGet"))
            keys = []
            seen = set()
            for raw in spec["Keys"]:
                key, _ = key_of(table, raw)
                if key in seen:
                    raise ValidationError("Provided list of item keys contains duplicates")
                seen.add(key)
                keys.append(key)
            total += len(keys)
            requests.append((table, keys, projection))
            names.append(name)
        if total > 100:
            raise ValidationError("Too many items requested for the BatchGetItem call")
        found = await self._service.batch_get(requests)
        return {
            "Responses": dict(zip(names, found, strict=True)),
            "UnprocessedKeys": {},
        }

    async def batch_write_item(self, ctx: RequestContext, params: Params) -> Result:
        ops: list[WriteOp] = []
        total = 0
        for name, requests in params["RequestItems"].items():
            table = self._table(ctx, name)
            for request in requests:
                total += 1
                if "PutRequest" in request:
                    from stratus.services.tables.items import check_item_keys
                    from stratus.services.tables.values import check_size

                    item = normalize_item(request["PutRequest"]["Item"])
                    key = check_item_keys(table, item)
                    check_size(item)
                    ops.append(WriteOp("Put", table, key, item=item))
                elif "DeleteRequest" in request:
                    key, _ = key_of(table, request["DeleteRequest"]["Key"])
                    ops.append(WriteOp("Delete", table, key))
                else:
                    raise ValidationError(
                        "Supplied AttributeValue has more than one datatypes set, must contain "
                        "exactly one of the supported datatypes"
                    )
        if total > 25:
            raise ValidationError("Too many items requested for the BatchWriteItem call")
        sizes: list[Collected] = []
        await self._service.batch_write(ops, sizes)
        return {"UnprocessedItems": {}, **_table_metrics(params, sizes)}

    # -- transactions ----------------------------------------------------------------
    async def transact_get_items(self, ctx: RequestContext, params: Params) -> Result:
        requests = []
        for entry in params["TransactItems"]:
            spec = entry["Get"]
            table = self._table(ctx, spec["TableName"])
            compiled = compile_request(spec, projection=spec.get("ProjectionExpression"))
            key, _ = key_of(table, spec["Key"])
            requests.append((table, key, compiled.projection))
        found = await self._service.transact_get(requests)
        return {"Responses": [{"Item": i} if i is not None else {} for i in found]}

    async def transact_write_items(self, ctx: RequestContext, params: Params) -> Result:
        from stratus.services.tables.items import check_item_keys
        from stratus.services.tables.values import check_size

        ops: list[WriteOp] = []
        for entry in params["TransactItems"]:
            ((kind, spec),) = entry.items()
            table = self._table(ctx, spec["TableName"])
            compiled = compile_request(
                spec,
                condition=spec.get("ConditionExpression"),
                update=spec.get("UpdateExpression"),
            )
            on_failure = spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            if kind == "Put":
                item = normalize_item(spec["Item"])
                key = check_item_keys(table, item)
                check_size(item)
                ops.append(
                    WriteOp(
                        "Put",
                        table,
                        key,
                        item=item,
                        condition=compiled.condition,
                        return_on_failure=on_failure,
                    )
                )
            else:
                key, key_item = key_of(table, spec["Key"])
                ops.append(
                    WriteOp(
                        kind,
                        table,
                        key,
                        update=compiled.update,
                        condition=compiled.condition,
                        return_on_failure=on_failure,
                        key_item=key_item,
                    )
                )
        sizes: list[Collected] = []
        await self._service.transact_write(
            ops, params.get("ClientRequestToken"), params["TransactItems"], sizes
        )
        return _table_metrics(params, sizes)


_LEGACY = (
    "AttributesToGet",
    "AttributeUpdates",
    "Expected",
    "KeyConditions",
    "QueryFilter",
    "ScanFilter",
    "ConditionalOperator",
)
_EXPRESSIONS = (
    "ProjectionExpression",
    "UpdateExpression",
    "ConditionExpression",
    "KeyConditionExpression",
    "FilterExpression",
)


def _not_mixed(params: Params) -> None:
    """DynamoDB refuses a request that mixes legacy parameters with expressions (a
    ScanFilter beside a FilterExpression ...) instead of picking one of them."""
    legacy = [name for name in _LEGACY if params.get(name) is not None]
    expressions = [name for name in _EXPRESSIONS if params.get(name) is not None]
    if legacy and expressions:
        raise ValidationError(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacy)}}} Expression parameters: "
            f"{{{', '.join(expressions)}}}"
        )


def _expected(params: Params) -> ast.Condition | None:
    expected = params.get("Expected")
    if not expected:
        return None
    return legacy_condition(expected, params.get("ConditionalOperator", "AND"), expected=True)


def _single_metrics(params: Params, sizes: list[Collected]) -> Result:
    """ItemCollectionMetrics of a single-item write: only asked for (SIZE) and only for
    tables with local secondary indexes."""
    if params.get("ReturnItemCollectionMetrics") != "SIZE" or not sizes:
        return {}
    table, item, size = sizes[-1]
    return {"ItemCollectionMetrics": collections.metrics(table, item, size)}


def _table_metrics(params: Params, sizes: list[Collected]) -> Result:
    """ItemCollectionMetrics of a batch or transaction: per table, one entry per item
    collection written (its size after the request)."""
    if params.get("ReturnItemCollectionMetrics") != "SIZE" or not sizes:
        return {}
    latest: dict[tuple[str, str], Collected] = {}
    for table, item, size in sizes:
        latest[(table.name, repr(item[table.keys.hash_key]))] = (table, item, size)
    out: dict[str, list[Result]] = {}
    for table, item, size in latest.values():
        out.setdefault(table.name, []).append(collections.metrics(table, item, size))
    return {"ItemCollectionMetrics": out}


def _updated(paths: list[ast.Path]) -> list[ast.Path]:
    return paths


def _check_limit(params: Params) -> None:
    limit = params.get("Limit")
    if limit is not None and limit < 1:
        raise ValidationError(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )


_ = Item
