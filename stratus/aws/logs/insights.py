"""The Logs API's Insights operations: StartQuery, GetQueryResults, StopQuery,
DescribeQueries and the saved query definitions, over ``services/logs/queries.py``."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params
from stratus.services.logs.errors import InvalidParameter, MalformedQuery
from stratus.services.logs.paging import page
from stratus.services.logs.queries import InsightsQueries

#: StartQuery's default number of results (AWS's).
DEFAULT_LIMIT = 10000
#: Log groups one query may read (AWS's documented bound).
MAX_GROUPS = 50


def compile_error(exc: BaseException) -> Params:
    """MalformedQueryException's ``queryCompileError``: where the query went wrong."""
    assert isinstance(exc, MalformedQuery)
    return {
        "queryCompileError": {
            "location": {"startCharOffset": exc.start, "endCharOffset": exc.end},
            "message": exc.message,
        }
    }


class InsightsApi:
    _queries: InsightsQueries

    async def start_query(self, ctx: RequestContext, params: Params) -> Params:
        choices = [
            n for n in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if params.get(n)
        ]
        if len(choices) != 1:
            raise InvalidParameter(
                "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers "
                "must be specified."
            )
        given = params[choices[0]]
        names = [given] if isinstance(given, str) else list(given)
        groups = [str(n).rsplit(":log-group:", 1)[-1].removesuffix(":*") for n in names]
        if len(groups) > MAX_GROUPS:
            raise InvalidParameter(f"A query can include up to {MAX_GROUPS} log groups.")
        language = params.get("queryLanguage") or "CWLI"
        if language != "CWLI":
            raise InvalidParameter(
                f"queryLanguage {language} is not supported: only CWLI queries are served."
            )
        start, end = int(params["startTime"]), int(params["endTime"])
        if end < start:
            raise InvalidParameter("endTime cannot be less than startTime")
        query_id = await self._queries.start(
            ctx.scope,
            groups,
            start,
            end,
            params["queryString"],
            int(params.get("limit") or DEFAULT_LIMIT),
        )
        return {"queryId": query_id}

    async def get_query_results(self, ctx: RequestContext, params: Params) -> Params:
        state = self._queries.get(ctx.scope, params["queryId"])
        stats = state.statistics
        return {
            "queryLanguage": "CWLI",
            "status": state.status,
            "results": [[{"field": f, "value": v} for f, v in row] for row in state.results],
            "statistics": {
                "recordsMatched": float(stats.records_matched),
                "recordsScanned": float(stats.records_scanned),
                "bytesScanned": float(stats.bytes_scanned),
                "logGroupsScanned": float(len(state.groups)),
            },
        }

    async def stop_query(self, ctx: RequestContext, params: Params) -> Params:
        return {"success": await self._queries.stop(ctx.scope, params["queryId"])}

    async def describe_queries(self, ctx: RequestContext, params: Params) -> Params:
        found = self._queries.queries(ctx.scope)
        group, status = params.get("logGroupName"), params.get("status")
        if group:
            found = [q for q in found if group in q.groups]
        if status:
            found = [q for q in found if q.status == status]
        chosen, token = page(
            found,
            lambda q: f"{10**15 - q.created_ms:016d}{q.id}",
            int(params.get("maxResults") or 1000),
            params.get("nextToken"),
        )
        out: list[Params] = []
        for q in chosen:
            entry: Params = {
                "queryLanguage": "CWLI",
                "queryId": q.id,
                "queryString": q.text,
                "status": q.status,
                "createTime": q.created_ms,
                "logGroupName": q.groups[0],
                "bytesScanned": float(q.statistics.bytes_scanned),
            }
            if q.finished_ms is not None:
                entry["queryDuration"] = q.finished_ms - q.created_ms
            out.append(entry)
        result: Params = {"queries": out}
        if token:
            result["nextToken"] = token
        return result

    async def put_query_definition(self, ctx: RequestContext, params: Params) -> Params:
        definition_id = await self._queries.put_definition(
            ctx.scope,
            params["name"],
            params["queryString"],
            list(params.get("logGroupNames") or []),
            params.get("queryDefinitionId"),
        )
        return {"queryDefinitionId": definition_id}

    async def describe_query_definitions(self, ctx: RequestContext, params: Params) -> Params:
        found = self._queries.definitions(ctx.scope, params.get("queryDefinitionNamePrefix"))
        chosen, token = page(
            found,
            lambda d: f"{d.name}\x00{d.id}",
            int(params.get("maxResults") or 1000),
            params.get("nextToken"),
        )
        out: list[Params] = []
        for d in chosen:
            entry: Params = {
                "queryLanguage": "CWLI",
                "queryDefinitionId": d.id,
                "name": d.name,
                "queryString": d.query,
                "lastModified": d.modified_ms,
            }
            if d.groups:
                entry["logGroupNames"] = d.groups
            out.append(entry)
        result: Params = {"queryDefinitions": out}
        if token:
            result["nextToken"] = token
        return result

    async def delete_query_definition(self, ctx: RequestContext, params: Params) -> Params:
        await self._queries.delete_definition(ctx.scope, params["queryDefinitionId"])
        return {"success": True}
