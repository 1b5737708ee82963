"""ExecuteStatement and BatchExecuteStatement: PartiQL statements run as the item
operations they mean (a mixin of :class:`DynamoDbProvider`)."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.services.tables.catalog import Catalog
from stratus.services.tables.errors import (
    ConditionFailed,
    DuplicateItem,
    TablesError,
    ValidationError,
)
from stratus.services.tables.expressions import ast
from stratus.services.tables.expressions.evaluate import project
from stratus.services.tables.items import check_item_keys, key_of
from stratus.services.tables.model import TableDefinition
from stratus.services.tables.partiql import Statement, key_equalities, parse_statement
from stratus.services.tables.service import TableService, WriteOp
from stratus.services.tables.values import check_size, normalize_item

Params = dict[str, Any]

KEY_WHERE = "Where clause does not contain a mandatory equality on all key attributes"


class PartiqlApi:
    _service: TableService
    _catalog: Catalog

    def _table(self, ctx: RequestContext, name: str) -> TableDefinition:
        raise NotImplementedError

    async def execute_statement(self, ctx: RequestContext, params: Params) -> Params:
        statement = parse_statement(params["Statement"], params.get("Parameters"))
        return await self._run(ctx, statement, params)

    async def batch_execute_statement(self, ctx: RequestContext, params: Params) -> Params:
        responses = []
        for entry in params["Statements"]:
            try:
                statement = parse_statement(entry["Statement"], entry.get("Parameters"))
                if statement.kind == "SELECT" and set(key_equalities(statement.where)) != set(
                    self._table(ctx, statement.table).keys.names
                ):
                    raise ValidationError(KEY_WHERE)
                result = await self._run(ctx, statement, entry)
                response: Params = {"TableName": statement.table}
                if result.get("Items"):
                    response["Item"] = result["Items"][0]
                responses.append(response)
            except TablesError as exc:
                code = {
                    ConditionFailed: "ConditionalCheckFailed",
                    DuplicateItem: "DuplicateItem",
                }.get(type(exc), "ValidationError")
                responses.append({"Error": {"Code": code, "Message": exc.message}})
        return {"Responses": responses}

    async def execute_transaction(self, ctx: RequestContext, params: Params) -> Params:
        """PartiQL statements as one TransactGetItems (all SELECTs) or one
        TransactWriteItems (all writes): all or nothing, CancellationReasons in order,
        idempotent by ClientRequestToken for 10 minutes."""
        entries = params["TransactStatements"]
        statements = [parse_statement(e["Statement"], e.get("Parameters")) for e in entries]
        reads = [s.kind == "SELECT" for s in statements]
        if any(reads) and not all(reads):
            raise ValidationError(
                "Transaction must contain either all read statements or all write statements"
            )
        if all(reads):
            requests = []
            for statement in statements:
                table = self._table(ctx, statement.table)
                if statement.index:
                    raise ValidationError("Index is not supported for read-only transactions")
                key, _ = key_of(table, self._whole_key(table, statement))
                requests.append((table, key, statement.projection))
            found = await self._service.transact_get(requests)
            return {"Responses": [{"Item": i} if i is not None else {} for i in found]}
        ops = [
            self._write_op(ctx, statement, entry)
            for statement, entry in zip(statements, entries, strict=True)
        ]
        await self._service.transact_write(ops, params.get("ClientRequestToken"), entries)
        return {}

    def _whole_key(self, table: TableDefinition, statement: Statement) -> dict[str, Any]:
        keys = key_equalities(statement.where)
        if not set(table.keys.names) <= set(keys):
            raise ValidationError(KEY_WHERE)
        return {name: keys[name] for name in table.keys.names}

    def _write_op(self, ctx: RequestContext, statement: Statement, entry: Params) -> WriteOp:
        table = self._table(ctx, statement.table)
        on_failure = entry.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        if statement.kind == "INSERT":
            assert statement.item is not None
            item = normalize_item(statement.item)
            key = check_item_keys(table, item)
            check_size(item)
            condition = ast.Function("attribute_not_exists", (ast.Path((table.keys.hash_key,)),))
            return WriteOp(
                "Put",
                table,
                key,
                item=item,
                condition=condition,
                return_on_failure=on_failure,
                failure=("DuplicateItem", DuplicateItem().message),
            )
        key, key_item = key_of(table, self._whole_key(table, statement))
        return WriteOp(
            "Update" if statement.kind == "UPDATE" else "Delete",
            table,
            key,
            update=statement.actions if statement.kind == "UPDATE" else None,
            condition=statement.where,
            return_on_failure=on_failure,
            key_item=key_item,
        )

    async def _run(self, ctx: RequestContext, statement: Statement, params: Params) -> Params:
        table = self._table(ctx, statement.table)
        keys = key_equalities(statement.where)
        if statement.kind == "INSERT":
            assert statement.item is not None
            condition = ast.Function("attribute_not_exists", (ast.Path((table.keys.hash_key,)),))
            try:
                await self._service.put(table, statement.item, condition)
            except ConditionFailed:
                raise DuplicateItem() from None
            return {}
        if statement.kind in ("UPDATE", "DELETE"):
            if not set(table.keys.names) <= set(keys):
                raise ValidationError(KEY_WHERE)
            key = {name: keys[name] for name in table.keys.names}
            assert statement.where is not None
            if statement.kind == "UPDATE":
                await self._service.update(table, key, statement.actions, statement.where)
            else:
                await self._service.delete(table, key, statement.where)
            return {}
        index = table.index(statement.index) if statement.index else None
        if statement.index and index is None:
            raise ValidationError(f"The table does not have the specified index: {statement.index}")
        schema = index.keys if index is not None else table.keys
        limit = params.get("Limit")
        if schema.hash_key in keys:
            key_condition = ast.Compare(
                "=", ast.Path((schema.hash_key,)), ast.Value(keys[schema.hash_key], "?")
            )
            page = await self._service.query(
                table,
                index,
                key_condition,
                statement.where,
                limit=limit,
                start_key=_token_key(params.get("NextToken")),
            )
        else:
            page = await self._service.scan(
                table,
                index,
                statement.where,
                limit=limit,
                start_key=_token_key(params.get("NextToken")),
            )
        items = page.items
        if statement.projection is not None:
            items = [project(i, statement.projection) for i in items]
        result: Params = {"Items": items}
        if page.last_key is not None:
            result["NextToken"] = _token_of(page.last_key)
        return result


def _token_of(key: dict[str, Any]) -> str:
    """A LastEvaluatedKey as an opaque NextToken (JSON; binary keys as base64)."""
    plain = {
        name: {"B64": base64.b64encode(v["B"]).decode()} if "B" in v else v
        for name, v in key.items()
    }
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode()


def _token_key(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        plain = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return {
            name: {"B": base64.b64decode(v["B64"])} if "B64" in v else v
            for name, v in plain.items()
        }
    except (ValueError, TypeError, AttributeError):
        raise ValidationError("Invalid NextToken") from None
