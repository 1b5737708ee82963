"""HTTP APIs' first-class AWS service integrations (IntegrationSubtype), made through our
own AWS APIs in-process (``AwsCaller``), so each call gets the target service's checks.

Supported: SQS-SendMessage, EventBridge-PutEvents, StepFunctions-StartExecution,
StepFunctions-StartSyncExecution, StepFunctions-StopExecution (CreateIntegration refuses
others: ``services.apis.http_apis.SERVICE_SUBTYPES``). A subtype whose service this
Stratus does not serve answers 500 and says so in the server log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson

from stratus.gateway.asgi import JSON
from stratus.gateway.events import ApiInfo
from stratus.gateway.mapping import MappingContext
from stratus.gateway.request import GatewayRequest
from stratus.gateway.responses import HttpResult
from stratus.services.aws_calls import AwsCaller, AwsCallFailed

log = logging.getLogger(__name__)

INTERNAL = b'{"message":"Internal Server Error"}'


def _sqs(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: p[k]
        for k in ("QueueUrl", "MessageBody", "MessageDeduplicationId", "MessageGroupId")
        if k in p
    }
    if "DelaySeconds" in p:
        out["DelaySeconds"] = int(p["DelaySeconds"])
    if "MessageAttributes" in p:
        out["MessageAttributes"] = orjson.loads(p["MessageAttributes"])
    return out


def _events(p: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        k: p[k] for k in ("Detail", "DetailType", "Source", "EventBusName", "TraceHeader") if k in p
    }
    if "Resources" in p:
        entry["Resources"] = [r.strip() for r in p["Resources"].split(",") if r.strip()]
    return {"Entries": [entry]}


def _start(p: dict[str, Any]) -> dict[str, Any]:
    # the subtype's parameters are PascalCase, the Step Functions model's members camelCase
    names = {
        "StateMachineArn": "stateMachineArn",
        "Name": "name",
        "Input": "input",
        "TraceHeader": "traceHeader",
    }
    return {names[k]: p[k] for k in names if k in p}


def _stop(p: dict[str, Any]) -> dict[str, Any]:
    names = {"ExecutionArn": "executionArn", "Cause": "cause", "Error": "error"}
    return {names[k]: p[k] for k in names if k in p}


#: subtype -> (botocore service, operation, parameters from the mapped values)
SUBTYPES: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "SQS-SendMessage": ("sqs", "SendMessage", _sqs),
    "EventBridge-PutEvents": ("events", "PutEvents", _events),
    "StepFunctions-StartExecution": ("stepfunctions", "StartExecution", _start),
    "StepFunctions-StartSyncExecution": ("stepfunctions", "StartSyncExecution", _start),
    "StepFunctions-StopExecution": ("stepfunctions", "StopExecution", _stop),
}


class ServiceIntegrations:
    def __init__(self, caller: AwsCaller, served: Callable[[str], bool]) -> None:
        self._caller = caller
        self._served = served

    async def call(
        self,
        integration: Any,
        request: GatewayRequest,
        info: ApiInfo,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
        authorizer: dict[str, Any] | None,
    ) -> HttpResult:
        entry = SUBTYPES.get(integration.integration_subtype or "")
        if entry is None:
            return HttpResult(500, [JSON], INTERNAL)
        service, operation, build = entry
        if not self._served(service):
            log.error(
                "integration %s of API %s needs %s, which this Stratus does not serve yet",
                integration.integration_subtype,
                info.api_id,
                service,
            )
            return HttpResult(500, [JSON], INTERNAL)
        context = {
            "requestId": request.request_id,
            "apiId": info.api_id,
            "stage": request.stage,
            "httpMethod": request.method,
        }
        mapper = MappingContext(request, stage_variables, path_parameters, context)
        values: dict[str, Any] = {}
        region = None
        for name, template in (integration.request_parameters or {}).items():
            value = mapper.evaluate(str(template))
            if value is None:
                continue
            if name == "Region":
                region = value
            else:
                values[name] = value
        try:
            params = build(values)
            output = await self._caller.call(
                service, operation, params, account_id=info.account, region=region or info.region
            )
        except AwsCallFailed as exc:
            body = orjson.dumps({"message": exc.message, "__type": exc.code})
            return HttpResult(exc.status, [JSON], body)
        except (ValueError, orjson.JSONDecodeError):
            return HttpResult(500, [JSON], INTERNAL)
        return HttpResult(200, [JSON], orjson.dumps(output, default=str))
