"""The Logs API's export tasks: CreateExportTask, DescribeExportTasks, CancelExportTask
(the copy itself is ``services/logs/exports.py``)."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params
from stratus.services.logs.exports import ExportTask, LogExports
from stratus.services.logs.paging import page


def _task(task: ExportTask) -> Params:
    shown: Params = {
        "taskId": task.task_id,
        "logGroupName": task.group,
        "from": task.from_ms,
        "to": task.to_ms,
        "destination": task.bucket,
        "destinationPrefix": task.prefix,
        "status": {"code": task.status},
        "executionInfo": {"creationTime": task.created_ms},
    }
    if task.name:
        shown["taskName"] = task.name
    if task.message:
        shown["status"]["message"] = task.message
    if task.completed_ms is not None:
        shown["executionInfo"]["completionTime"] = task.completed_ms
    return shown


class ExportsApi:
    _exports: LogExports

    async def create_export_task(self, ctx: RequestContext, params: Params) -> Params:
        task = await self._exports.create(
            ctx.scope,
            params["logGroupName"],
            int(params["from"]),
            int(params["to"]),
            params["destination"],
            name=params.get("taskName"),
            stream_prefix=params.get("logStreamNamePrefix"),
            prefix=params.get("destinationPrefix"),
        )
        return {"taskId": task.task_id}

    async def describe_export_tasks(self, ctx: RequestContext, params: Params) -> Params:
        found = self._exports.describe(ctx.scope, params.get("taskId"), params.get("statusCode"))
        chosen, token = page(
            found,
            lambda t: f"{t.created_ms:015d}{t.task_id}",
            int(params.get("limit") or 50),
            params.get("nextToken"),
        )
        result: Params = {"exportTasks": [_task(t) for t in chosen]}
        if token:
            result["nextToken"] = token
        return result

    async def cancel_export_task(self, ctx: RequestContext, params: Params) -> Params:
        await self._exports.cancel(ctx.scope, params["taskId"])
        return {}
