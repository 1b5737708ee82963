"""The DynamoDB Streams API over the tables' streams (ListStreams, DescribeStream,
GetShardIterator, GetRecords)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.dynamodb.errors import DYNAMODB_ERRORS
from stratus.services.tables.errors import StreamNotFound, ValidationError
from stratus.services.tables.service import TableService
from stratus.services.tables.streams import MAX_RECORDS, Streams, find_stream

Params = dict[str, Any]
Result = dict[str, Any]


class DynamoDbStreamsProvider:
    errors = DYNAMODB_ERRORS

    def __init__(self, service: TableService) -> None:
        self._catalog = service.catalog
        self._streams = Streams(service.db, service.catalog)

    async def list_streams(self, ctx: RequestContext, params: Params) -> Result:
        found = self._streams.in_scope(ctx.account_id, ctx.region, params.get("TableName"))
        start = params.get("ExclusiveStartStreamArn")
        if start:
            arns = [s.arn for s in found]
            if start in arns:
                found = found[arns.index(start) + 1 :]
        limit = params.get("Limit") or 100
        page = found[:limit]
        result: Result = {
            "Streams": [
                {"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label}
                for s in page
            ]
        }
        if len(found) > limit:
            result["LastEvaluatedStreamArn"] = page[-1].arn
        return result

    async def describe_stream(self, ctx: RequestContext, params: Params) -> Result:
        info = find_stream(self._catalog, params["StreamArn"])
        first, last = await self._streams.bounds(info)
        shard: Result = {
            "ShardId": info.shard_id,
            "SequenceNumberRange": {"StartingSequenceNumber": f"{first or 1:021d}"},
        }
        if not info.enabled:
            shard["SequenceNumberRange"]["EndingSequenceNumber"] = f"{last or 1:021d}"
        description: Result = {
            "StreamArn": info.arn,
            "StreamLabel": info.label,
            "StreamStatus": "ENABLED" if info.enabled else "DISABLED",
            "StreamViewType": info.view_type,
            "CreationRequestDateTime": datetime.fromtimestamp(info.created, UTC),
            "TableName": info.table_name,
            "KeySchema": info.key_schema,
            "Shards": [shard],
        }
        return {"StreamDescription": description}

    async def get_shard_iterator(self, ctx: RequestContext, params: Params) -> Result:
        info = find_stream(self._catalog, params["StreamArn"])
        if params["ShardId"] != info.shard_id:
            raise StreamNotFound("Requested resource not found: Shard does not exist")
        token = await self._streams.iterator(
            info, params["ShardIteratorType"], params.get("SequenceNumber")
        )
        return {"ShardIterator": token}

    async def get_records(self, ctx: RequestContext, params: Params) -> Result:
        limit = params.get("Limit") or MAX_RECORDS
        if limit > MAX_RECORDS:
            raise ValidationError(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                "constraint: Member must have value less than or equal to 1000"
            )
        records, next_token = await self._streams.read(params["ShardIterator"], limit)
        for record in records:
            stamp = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(stamp, float | int):
                record["dynamodb"]["ApproximateCreationDateTime"] = datetime.fromtimestamp(
                    stamp, UTC
                )
        result: Result = {"Records": records}
        if next_token is not None:
            result["NextShardIterator"] = next_token
        return result
