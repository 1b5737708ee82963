"""Route responses, integration responses and models of API Gateway v2 over boto3, and
what a route response does to a WebSocket route: without one the route is one-way (the
function runs, the client hears nothing), with ``$default`` the function's answer comes
back, as "Set up route responses for WebSocket APIs in API Gateway" describes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn

ANSWER = """
import json
def handler(event, context):
    route = event["requestContext"]["routeKey"]
    if route in ("$connect", "$disconnect"):
        return {"statusCode": 200}
    return {"statusCode": 200, "body": "answer:" + route + ":" + event["body"]}
"""

SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
)


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def ws(apigw: Any) -> dict[str, str]:
    api_id = apigw.create_api(
        Name="rr", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="AWS", IntegrationUri=function_arn("nothing")
    )["IntegrationId"]
    route = apigw.create_route(ApiId=api_id, RouteKey="send")["RouteId"]
    return {"api": api_id, "route": route, "integration": integration}


MISSING = [
    pytest.param("get_route_response", "RouteResponse", id="get-route-response"),
    pytest.param("update_route_response", "RouteResponse", id="update-route-response"),
    pytest.param("delete_route_response", "RouteResponse", id="delete-route-response"),
    pytest.param("get_integration_response", "IntegrationResponse", id="get-int-response"),
    pytest.param("update_integration_response", "IntegrationResponse", id="update-int-response"),
    pytest.param("delete_integration_response", "IntegrationResponse", id="delete-int-response"),
    pytest.param("get_model", "Model", id="get-model"),
    pytest.param("update_model", "Model", id="update-model"),
    pytest.param("delete_model", "Model", id="delete-model"),
    pytest.param("get_model_template", "Model", id="model-template"),
]


@pytest.mark.parametrize(("operation", "kind"), MISSING)
def test_missing_children_answer_not_found(
    apigw: Any, ws: dict[str, str], operation: str, kind: str
) -> None:
    """Each operation on an id that names nothing answers NotFoundException, an error the
    operation's reference lists, with API Gateway v2's "Invalid {Type} identifier
    specified {account}:{id}"."""
    params: dict[str, str] = {"ApiId": ws["api"], f"{kind}Id": "missing"}
    if kind == "RouteResponse":
        params["RouteId"] = ws["route"]
    if kind == "IntegrationResponse":
        params["IntegrationId"] = ws["integration"]
    code, message = _error(lambda: getattr(apigw, operation)(**params))
    assert code == "NotFoundException"
    documented = apigw.meta.service_model.operation_model(
        apigw.meta.method_to_api_mapping[operation]
    ).error_shapes
    assert code in {shape.name for shape in documented}
    assert message == f"Invalid {kind} identifier specified 000000000000:missing"


# -- route responses ------------------------------------------------------------------------
def test_route_response_lifecycle(apigw: Any, ws: dict[str, str]) -> None:
    api, route = ws["api"], ws["route"]
    model = apigw.create_model(ApiId=api, Name="Reply", Schema=SCHEMA)["Name"]
    made = apigw.create_route_response(
        ApiId=api,
        RouteId=route,
        RouteResponseKey="$default",
        ModelSelectionExpression="$default",
        ResponseModels={"$default": model},
        ResponseParameters={"route.response.header.x": {"Required": False}},
    )
    assert made["RouteResponseKey"] == "$default" and len(made["RouteResponseId"]) == 7
    got = apigw.get_route_response(
        ApiId=api, RouteId=route, RouteResponseId=made["RouteResponseId"]
    )
    assert got["ResponseModels"] == {"$default": "Reply"}
    assert got["ResponseParameters"] == {"route.response.header.x": {"Required": False}}
    items = apigw.get_route_responses(ApiId=api, RouteId=route)["Items"]
    assert [i["RouteResponseId"] for i in items] == [made["RouteResponseId"]]
    updated = apigw.update_route_response(
        ApiId=api,
        RouteId=route,
        RouteResponseId=made["RouteResponseId"],
        ModelSelectionExpression="$request.body.kind",
    )
    assert updated["ModelSelectionExpression"] == "$request.body.kind"
    assert updated["ResponseModels"] == {"$default": "Reply"}
    apigw.delete_route_response(ApiId=api, RouteId=route, RouteResponseId=made["RouteResponseId"])
    assert apigw.get_route_responses(ApiId=api, RouteId=route)["Items"] == []


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            {"RouteId": "missing"},
            "NotFoundException",
            "Invalid Route identifier specified 000000000000:missing",
        ),
        (
            {"RouteResponseKey": "ok"},
            "BadRequestException",
            "Unable to create RouteResponse with RouteResponseKey 'ok'. "
            "Only $default is supported for WebSocket APIs.",
        ),
        (
            {"ResponseModels": {"$default": "Nope"}},
            "NotFoundException",
            "Invalid model name specified 000000000000:Nope",
        ),
        (
            {"ModelSelectionExpression": "request.body"},
            "BadRequestException",
            "Invalid ModelSelectionExpression specified: request.body",
        ),
    ],
    ids=["missing-route", "not-default-key", "unknown-model", "bad-selection"],
)
def test_route_response_bad_input(
    apigw: Any, ws: dict[str, str], change: dict[str, Any], code: str, message: str
) -> None:
    params = {"ApiId": ws["api"], "RouteId": ws["route"], "RouteResponseKey": "$default", **change}
    assert _error(lambda: apigw.create_route_response(**params)) == (code, message)
    assert apigw.get_route_responses(ApiId=ws["api"], RouteId=ws["route"])["Items"] == []


def test_route_response_conflicts_and_missing(apigw: Any, ws: dict[str, str]) -> None:
    api, route = ws["api"], ws["route"]
    apigw.create_route_response(ApiId=api, RouteId=route, RouteResponseKey="$default")
    code, message = _error(
        lambda: apigw.create_route_response(ApiId=api, RouteId=route, RouteResponseKey="$default")
    )
    assert code == "ConflictException" and "RouteResponse already exists" in message
    assert _error(
        lambda: apigw.get_route_response(ApiId=api, RouteId=route, RouteResponseId="nope123")
    ) == ("NotFoundException", "Invalid RouteResponse identifier specified 000000000000:nope123")
    assert _error(lambda: apigw.get_route_responses(ApiId=api, RouteId="gone")) == (
        "NotFoundException",
        "Invalid Route identifier specified 000000000000:gone",
    )
    assert len(apigw.get_route_responses(ApiId=api, RouteId=route)["Items"]) == 1
    # a deleted route takes its responses with it
    apigw.delete_route(ApiId=api, RouteId=route)
    again = apigw.create_route(ApiId=api, RouteKey="send")["RouteId"]
    assert apigw.get_route_responses(ApiId=api, RouteId=again)["Items"] == []


def test_http_apis_have_no_route_or_integration_responses(apigw: Any) -> None:
    api = apigw.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
    route = apigw.create_route(ApiId=api, RouteKey="GET /x")["RouteId"]
    integration = apigw.create_integration(
        ApiId=api,
        IntegrationType="HTTP_PROXY",
        IntegrationUri="http://127.0.0.1:9/",
        IntegrationMethod="GET",
    )["IntegrationId"]
    assert _error(
        lambda: apigw.create_route_response(ApiId=api, RouteId=route, RouteResponseKey="$default")
    ) == ("BadRequestException", "Route responses are supported only for WebSocket APIs.")
    assert _error(
        lambda: apigw.create_integration_response(
            ApiId=api, IntegrationId=integration, IntegrationResponseKey="$default"
        )
    ) == ("BadRequestException", "Integration responses are supported only for WebSocket APIs.")


def test_route_responses_paginate(apigw: Any, ws: dict[str, str]) -> None:
    api = ws["api"]
    made = []
    for key in ("a", "b", "c"):
        route = apigw.create_route(ApiId=api, RouteKey=key)["RouteId"]
        made.append(
            apigw.create_route_response(ApiId=api, RouteId=route, RouteResponseKey="$default")
        )
    page = apigw.get_route_responses(ApiId=api, RouteId=route, MaxResults="1")
    assert len(page["Items"]) == 1 and "NextToken" not in page
    assert _error(
        lambda: apigw.get_route_responses(ApiId=api, RouteId=route, NextToken="garbage")
    ) == ("BadRequestException", "Invalid NextToken specified: garbage")
    assert _error(lambda: apigw.get_route_responses(ApiId=api, RouteId=route, MaxResults="0")) == (
        "BadRequestException",
        "Invalid MaxResults specified: 0",
    )


# -- integration responses ----------------------------------------------------------------
def test_integration_response_lifecycle_and_pages(apigw: Any, ws: dict[str, str]) -> None:
    api, integration = ws["api"], ws["integration"]
    ids = []
    for key in ("$default", "/4\\d\\d/", "/5\\d\\d/"):
        made = apigw.create_integration_response(
            ApiId=api,
            IntegrationId=integration,
            IntegrationResponseKey=key,
            TemplateSelectionExpression="\\$default",
            ResponseTemplates={"$default": '{"ok": true}'},
            ContentHandlingStrategy="CONVERT_TO_TEXT",
        )
        assert made["IntegrationResponseKey"] == key
        assert made["ResponseTemplates"] == {"$default": '{"ok": true}'}
        ids.append(made["IntegrationResponseId"])
    first = apigw.get_integration_responses(ApiId=api, IntegrationId=integration, MaxResults="2")
    rest = apigw.get_integration_responses(
        ApiId=api, IntegrationId=integration, MaxResults="2", NextToken=first["NextToken"]
    )
    assert sorted(i["IntegrationResponseId"] for i in first["Items"] + rest["Items"]) == sorted(ids)
    assert "NextToken" not in rest
    got = apigw.get_integration_response(
        ApiId=api, IntegrationId=integration, IntegrationResponseId=ids[0]
    )
    assert got["TemplateSelectionExpression"] == "\\$default"
    updated = apigw.update_integration_response(
        ApiId=api,
        IntegrationId=integration,
        IntegrationResponseId=ids[0],
        ResponseTemplates={"$default": "{}"},
    )
    assert updated["ResponseTemplates"] == {"$default": "{}"}
    assert (
        _error(
            lambda: apigw.update_integration_response(
                ApiId=api,
                IntegrationId=integration,
                IntegrationResponseId=ids[0],
                IntegrationResponseKey="/4\\d\\d/",
            )
        )[0]
        == "ConflictException"
    )
    apigw.delete_integration_response(
        ApiId=api, IntegrationId=integration, IntegrationResponseId=ids[0]
    )
    assert len(apigw.get_integration_responses(ApiId=api, IntegrationId=integration)["Items"]) == 2


@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        ({"IntegrationId": "missing"}, "NotFoundException", "Invalid Integration identifier"),
        ({"IntegrationResponseKey": "200"}, "BadRequestException", "IntegrationResponseKey '200'"),
        ({"IntegrationResponseKey": "/[/"}, "BadRequestException", "not a valid regular"),
        ({"ContentHandlingStrategy": "ZIP"}, "BadRequestException", "Member must satisfy enum"),
        (
            {"ResponseParameters": {"integration.response.x": "a"}},
            "BadRequestException",
            "Invalid mapping expression specified: integration.response.x",
        ),
    ],
    ids=["missing-integration", "bare-status", "bad-regex", "bad-strategy", "bad-mapping"],
)
def test_integration_response_bad_input(
    apigw: Any, ws: dict[str, str], change: dict[str, Any], code: str, fragment: str
) -> None:
    params = {
        "ApiId": ws["api"],
        "IntegrationId": ws["integration"],
        "IntegrationResponseKey": "$default",
        **change,
    }
    got_code, message = _error(lambda: apigw.create_integration_response(**params))
    assert got_code == code and fragment in message
    stored = apigw.get_integration_responses(ApiId=ws["api"], IntegrationId=ws["integration"])
    assert stored["Items"] == []


# -- models --------------------------------------------------------------------------------
def test_model_lifecycle_and_template(apigw: Any, ws: dict[str, str]) -> None:
    api = ws["api"]
    made = apigw.create_model(
        ApiId=api, Name="Person", Schema=SCHEMA, ContentType="application/json", Description="d"
    )
    assert made["Name"] == "Person" and made["Schema"] == SCHEMA
    assert apigw.get_model(ApiId=api, ModelId=made["ModelId"])["Description"] == "d"
    template = apigw.get_model_template(ApiId=api, ModelId=made["ModelId"])["Value"]
    assert template.startswith("#set($inputRoot = $input.path('$'))")
    assert '"name" : "$inputRoot.name"' in template and '"age" : $inputRoot.age' in template
    assert "#foreach($elem1 in $inputRoot.tags)" in template
    other = apigw.create_model(ApiId=api, Name="Other", Schema='{"type": "string"}')
    page = apigw.get_models(ApiId=api, MaxResults="1")
    rest = apigw.get_models(ApiId=api, NextToken=page["NextToken"])
    names = {m["Name"] for m in page["Items"] + rest["Items"]}
    assert names == {"Person", "Other"}
    updated = apigw.update_model(ApiId=api, ModelId=other["ModelId"], Description="two")
    assert updated["Description"] == "two" and updated["Schema"] == '{"type": "string"}'
    # a model a route response uses cannot go
    apigw.create_route_response(
        ApiId=api,
        RouteId=ws["route"],
        RouteResponseKey="$default",
        ResponseModels={"$default": "Person"},
    )
    code, message = _error(lambda: apigw.delete_model(ApiId=api, ModelId=made["ModelId"]))
    assert code == "ConflictException" and "Cannot delete model 'Person'" in message
    apigw.delete_model(ApiId=api, ModelId=other["ModelId"])
    assert _error(lambda: apigw.get_model(ApiId=api, ModelId=other["ModelId"])) == (
        "NotFoundException",
        f"Invalid Model identifier specified 000000000000:{other['ModelId']}",
    )


BAD_SCHEMA = "Invalid model specified: Validation Result: warnings : [], errors : [{}]"


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"Name": "a-b"}, "BadRequestException", "Model name must be alphanumeric"),
        ({"Name": "x" * 129}, "BadRequestException", "Model name must be alphanumeric"),
        (
            {"Schema": "{not json"},
            "BadRequestException",
            BAD_SCHEMA.format("Invalid model schema specified"),
        ),
        (
            {"Schema": "[1]"},
            "BadRequestException",
            BAD_SCHEMA.format("Invalid model schema specified"),
        ),
        (
            {"Schema": '{"type": 5}'},
            "BadRequestException",
            BAD_SCHEMA.format("Invalid model schema specified"),
        ),
        (
            {"Schema": '{"$ref": "https://example.com/evil.json"}'},
            "BadRequestException",
            BAD_SCHEMA.format("Model reference must be in canonical form"),
        ),
        (
            {"Schema": "[" * 100_000 + "]" * 100_000},
            "BadRequestException",
            BAD_SCHEMA.format("Invalid model schema specified"),
        ),
    ],
    ids=["dash", "long", "not-json", "not-object", "not-draft4", "remote-ref", "deep"],
)
def test_model_bad_input(
    apigw: Any, ws: dict[str, str], params: dict[str, Any], code: str, message: str
) -> None:
    call = {"ApiId": ws["api"], "Name": "Good", "Schema": SCHEMA, **params}
    assert _error(lambda: apigw.create_model(**call)) == (code, message)
    assert apigw.get_models(ApiId=ws["api"])["Items"] == []


def test_model_duplicate_name_and_missing_api(apigw: Any, ws: dict[str, str]) -> None:
    apigw.create_model(ApiId=ws["api"], Name="Same", Schema=SCHEMA)
    assert _error(lambda: apigw.create_model(ApiId=ws["api"], Name="Same", Schema=SCHEMA)) == (
        "ConflictException",
        "Model name already exists for this API: Same",
    )
    assert _error(lambda: apigw.get_models(ApiId="nope")) == (
        "NotFoundException",
        "Invalid API identifier specified 000000000000:nope",
    )


# -- one-way and two-way WebSocket routes -------------------------------------------------
def test_one_way_and_two_way_routes(server: ServerProcess, apigw: Any, lambda_client: Any) -> None:
    function = create_function(lambda_client, ANSWER, Timeout=30)
    api = apigw.create_api(
        Name="ways", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=function_arn(function)
    )["IntegrationId"]
    target = f"integrations/{integration}"
    # a selection expression alone does not make a route two-way: the route response does
    apigw.create_route(
        ApiId=api, RouteKey="quiet", Target=target, RouteResponseSelectionExpression="$default"
    )
    talk = apigw.create_route(
        ApiId=api, RouteKey="talk", Target=target, RouteResponseSelectionExpression="$default"
    )["RouteId"]
    apigw.create_route_response(ApiId=api, RouteId=talk, RouteResponseKey="$default")
    apigw.create_stage(ApiId=api, StageName="prod", AutoDeploy=True)
    url = f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api}/prod"
    with connect(url) as socket:
        socket.send('{"action": "quiet", "n": 1}')
        socket.send('{"action": "talk", "n": 2}')
        # the first thing back answers the second message: the first route is one-way
        assert socket.recv(timeout=30) == 'answer:talk:{"action": "talk", "n": 2}'
        with pytest.raises(TimeoutError):
            socket.recv(timeout=1)
    # the route response removed: the route is one-way from the next deployment on
    response = apigw.get_route_responses(ApiId=api, RouteId=talk)["Items"][0]
    apigw.delete_route_response(
        ApiId=api, RouteId=talk, RouteResponseId=response["RouteResponseId"]
    )
    with connect(url) as socket:
        socket.send('{"action": "talk", "n": 3}')
        socket.send('{"action": "unknown"}')  # no route, no $default: Forbidden
        reply = json.loads(socket.recv(timeout=30))
        assert reply["message"] == "Forbidden"
        with pytest.raises((TimeoutError, ConnectionClosed)):
            socket.recv(timeout=1)


CALC = """
import json
def handler(event, context):
    if not isinstance(event, dict) or "n" not in event:
        return {"raw": event}
    return {"doubled": event["n"] * 2, "route": event.get("route")}
"""


def test_non_proxy_integration_applies_templates(
    server: ServerProcess, apigw: Any, lambda_client: Any
) -> None:
    function = create_function(lambda_client, CALC, Timeout=30)
    api = apigw.create_api(
        Name="mapped", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api,
        IntegrationType="AWS",
        IntegrationMethod="POST",
        IntegrationUri=function_arn(function),
        TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": '{"n": $input.json(\'$.n\'), "route": "$context.routeKey"}'},
        PassthroughBehavior="WHEN_NO_MATCH",
        ContentHandlingStrategy="CONVERT_TO_TEXT",
    )
    assert integration["PassthroughBehavior"] == "WHEN_NO_MATCH"
    integration_id = integration["IntegrationId"]
    for key in ("calc", "$default"):
        route = apigw.create_route(
            ApiId=api,
            RouteKey=key,
            Target=f"integrations/{integration_id}",
            RouteResponseSelectionExpression="$default",
        )["RouteId"]
        apigw.create_route_response(ApiId=api, RouteId=route, RouteResponseKey="$default")
    shaped = apigw.create_integration_response(
        ApiId=api,
        IntegrationId=integration_id,
        IntegrationResponseKey="$default",
        TemplateSelectionExpression="\\$default",
        ResponseTemplates={
            "$default": '{"result": $input.json(\'$.doubled\'), "via": "$input.path(\'$.route\')"}'
        },
    )["IntegrationResponseId"]
    apigw.create_stage(ApiId=api, StageName="prod", AutoDeploy=True)
    url = f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api}/prod"
    with connect(url) as socket:
        socket.send('{"action": "calc", "n": 21}')
        assert json.loads(socket.recv(timeout=30)) == {"result": 42, "via": "calc"}
    # without the integration response, the function's answer comes back as it is
    apigw.delete_integration_response(
        ApiId=api, IntegrationId=integration_id, IntegrationResponseId=shaped
    )
    with connect(url) as socket:
        socket.send('{"action": "calc", "n": 2}')
        assert json.loads(socket.recv(timeout=30)) == {"doubled": 4, "route": "calc"}
    # no template for what the expression selects and NEVER pass through: refused
    apigw.update_integration(
        ApiId=api,
        IntegrationId=integration_id,
        TemplateSelectionExpression="${request.body.kind}",
        RequestTemplates={"typed": '{"n": 1}'},
        PassthroughBehavior="NEVER",
    )
    with connect(url) as socket:
        socket.send('{"action": "calc", "kind": "other", "n": 5}')
        assert json.loads(socket.recv(timeout=30))["message"] == "Internal server error"
        socket.send('{"action": "calc", "kind": "typed", "n": 5}')
        assert json.loads(socket.recv(timeout=30)) == {"doubled": 2, "route": None}
