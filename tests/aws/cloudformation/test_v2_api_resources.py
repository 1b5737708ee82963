"""API Gateway v2 resources in templates: a CDK-shaped WebSocket API (``returnResponse:
true`` makes an AWS::ApiGatewayV2::RouteResponse) with a Model and an
IntegrationResponse, served over a real WebSocket; an HTTP API from an OpenAPI ``Body``
through ImportApi, served over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess, create_function

ANSWER = """
def handler(event, context):
    ctx = event.get("requestContext") or {}
    if ctx.get("eventType") in ("CONNECT", "DISCONNECT"):
        return {"statusCode": 200}
    return {"statusCode": 200, "body": "got:" + (ctx.get("routeKey") or "") + ":" + (event.get("body") or "")}
"""


def _fn_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


def _invocation_uri(name: str) -> str:
    """The integration URI the CDK writes for a Lambda integration."""
    return (
        f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{_fn_arn(name)}/invocations"
    )


def _websocket_template(function: str) -> dict[str, Any]:
    api = {"Ref": "Ws"}
    target = {"Fn::Join": ["", ["integrations/", {"Ref": "WsIntegration"}]]}
    return {
        "Resources": {
            "Ws": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {
                    "Name": "cdk-ws",
                    "ProtocolType": "WEBSOCKET",
                    "RouteSelectionExpression": "$request.body.action",
                },
            },
            "WsIntegration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": api,
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": _invocation_uri(function),
                },
            },
            "TalkRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": api,
                    "RouteKey": "talk",
                    "AuthorizationType": "NONE",
                    "Target": target,
                    "RouteResponseSelectionExpression": "$default",
                },
            },
            "TalkRouteResponse": {
                "Type": "AWS::ApiGatewayV2::RouteResponse",
                "Properties": {
                    "ApiId": api,
                    "RouteId": {"Ref": "TalkRoute"},
                    "RouteResponseKey": "$default",
                },
            },
            "QuietRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": api,
                    "RouteKey": "quiet",
                    "AuthorizationType": "NONE",
                    "Target": target,
                },
            },
            "Message": {
                "Type": "AWS::ApiGatewayV2::Model",
                "Properties": {
                    "ApiId": api,
                    "Name": "Message",
                    "ContentType": "application/json",
                    "Schema": {
                        "$schema": "http://json-schema.org/draft-04/schema#",
                        "type": "object",
                        "properties": {"action": {"type": "string"}},
                    },
                },
            },
            "Shaped": {
                "Type": "AWS::ApiGatewayV2::IntegrationResponse",
                "Properties": {
                    "ApiId": api,
                    "IntegrationId": {"Ref": "WsIntegration"},
                    "IntegrationResponseKey": "$default",
                    "TemplateSelectionExpression": "\\$default",
                    "ResponseTemplates": {"$default": "{}"},
                },
            },
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "DependsOn": ["TalkRouteResponse", "QuietRoute"],
                "Properties": {"ApiId": api, "StageName": "prod", "AutoDeploy": True},
            },
        },
        "Outputs": {
            "Api": {"Value": api},
            "TalkRoute": {"Value": {"Ref": "TalkRoute"}},
            "RouteResponse": {"Value": {"Ref": "TalkRouteResponse"}},
            "Model": {"Value": {"Ref": "Message"}},
            "IntegrationResponse": {"Value": {"Ref": "Shaped"}},
        },
    }


def test_cdk_shaped_websocket_stack(cfn: Any, server: ServerProcess, lambda_client: Any) -> None:
    function = create_function(lambda_client, ANSWER, Timeout=30)
    apigw = server.client("apigatewayv2")
    name = stack_name("ws")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(_websocket_template(function)))
    out = outputs(wait_stack(cfn, name))
    api = out["Api"]
    responses = apigw.get_route_responses(ApiId=api, RouteId=out["TalkRoute"])["Items"]
    assert responses == [{"RouteResponseId": out["RouteResponse"], "RouteResponseKey": "$default"}]
    model = apigw.get_model(ApiId=api, ModelId=out["Model"])
    assert json.loads(model["Schema"])["properties"] == {"action": {"type": "string"}}
    integration = apigw.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    shaped = apigw.get_integration_response(
        ApiId=api, IntegrationId=integration, IntegrationResponseId=out["IntegrationResponse"]
    )
    assert shaped["ResponseTemplates"] == {"$default": "{}"}
    url = f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api}/prod"
    with connect(url) as socket:
        socket.send('{"action": "quiet"}')
        socket.send('{"action": "talk"}')
        assert socket.recv(timeout=30) == 'got:talk:{"action": "talk"}'
        with pytest.raises(TimeoutError):
            socket.recv(timeout=1)
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert api not in [a["ApiId"] for a in apigw.get_apis()["Items"]]


def _body(function: str) -> dict[str, Any]:
    integration = {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": _invocation_uri(function),
        "payloadFormatVersion": "2.0",
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": "from-body", "version": "1"},
        "paths": {
            "/hello/{who}": {"get": {"x-amazon-apigateway-integration": integration}},
            # SAM writes the $default route's path without a slash
            "$default": {
                "x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": integration}
            },
        },
        "x-amazon-apigateway-cors": {"allowOrigins": ["*"]},
    }


def test_http_api_body_goes_through_import(
    cfn: Any, server: ServerProcess, lambda_client: Any
) -> None:
    function = create_function(lambda_client, ANSWER, Timeout=30)
    apigw = server.client("apigatewayv2")
    template = {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Body": _body(function), "Description": "from the template"},
            },
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "StageName": "$default",
                    "AutoDeploy": True,
                },
            },
        },
        "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
    }
    name = stack_name("body")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    api = outputs(wait_stack(cfn, name))["Api"]
    described = apigw.get_api(ApiId=api)
    assert described["Name"] == "from-body" and described["Description"] == "from the template"
    assert described["CorsConfiguration"] == {"AllowOrigins": ["*"]}
    routes = sorted(r["RouteKey"] for r in apigw.get_routes(ApiId=api)["Items"])
    assert routes == ["$default", "GET /hello/{who}"]
    answer = httpx.get(
        f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api}/hello/you", timeout=30
    )
    assert answer.status_code == 200 and answer.text == "got:GET /hello/{who}:"
    other = httpx.get(
        f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api}/else", timeout=30
    )
    assert other.status_code == 200 and other.text == "got:$default:"


def test_http_api_body_with_warnings_fails_the_stack(cfn: Any, server: ServerProcess) -> None:
    body = {
        "openapi": "3.0.1",
        "info": {"title": "warned"},
        "paths": {"/a": {"get": {"security": [{"nobody": []}]}}},
    }
    template = {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Body": body, "FailOnWarnings": True},
            }
        }
    }
    name = stack_name("warn")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = settle(cfn, name)
    assert stack["StackStatus"] in ("ROLLBACK_COMPLETE", "CREATE_FAILED")
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    reasons = [e.get("ResourceStatusReason", "") for e in events if e["LogicalResourceId"] == "Api"]
    assert any("Warnings found during import" in r for r in reasons)


def test_route_response_and_model_update_in_place(
    cfn: Any, server: ServerProcess, lambda_client: Any
) -> None:
    function = create_function(lambda_client, ANSWER, Timeout=30)
    apigw = server.client("apigatewayv2")
    first = _websocket_template(function)
    name = stack_name("wsup")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(first))
    before = outputs(wait_stack(cfn, name))
    second = json.loads(json.dumps(first))
    resources = second["Resources"]
    resources["Message"]["Properties"]["Description"] = "changed"
    resources["TalkRouteResponse"]["Properties"]["ModelSelectionExpression"] = "$default"
    resources["TalkRouteResponse"]["Properties"]["ResponseModels"] = {"$default": "Message"}
    resources["TalkRouteResponse"]["DependsOn"] = ["Message"]
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(second))
    after = outputs(wait_stack(cfn, name, "stack_update_complete"))
    assert after["RouteResponse"] == before["RouteResponse"]
    assert after["Model"] == before["Model"]
    api = after["Api"]
    assert apigw.get_model(ApiId=api, ModelId=after["Model"])["Description"] == "changed"
    response = apigw.get_route_response(
        ApiId=api, RouteId=after["TalkRoute"], RouteResponseId=after["RouteResponse"]
    )
    assert response["ResponseModels"] == {"$default": "Message"}


def _vpc_link_template(name: str, tags: dict[str, str], subnets: list[str]) -> dict[str, Any]:
    return {
        "Resources": {
            "Link": {
                "Type": "AWS::ApiGatewayV2::VpcLink",
                "Properties": {
                    "Name": name,
                    "SubnetIds": subnets,
                    "SecurityGroupIds": ["sg-0123abcd"],
                    "Tags": tags,
                },
            },
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": "private", "ProtocolType": "HTTP"},
            },
            "Private": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "IntegrationType": "HTTP_PROXY",
                    "IntegrationMethod": "ANY",
                    "IntegrationUri": "arn:aws:elasticloadbalancing:us-east-1:000000000000:"
                    "listener/app/alb/50dc6c495c0c9188/0467ef3c8400ae65",
                    "ConnectionType": "VPC_LINK",
                    "ConnectionId": {"Ref": "Link"},
                    "PayloadFormatVersion": "1.0",
                },
            },
        },
        "Outputs": {
            "Link": {"Value": {"Ref": "Link"}},
            "LinkId": {"Value": {"Fn::GetAtt": ["Link", "VpcLinkId"]}},
            "Api": {"Value": {"Ref": "Api"}},
            "Private": {"Value": {"Ref": "Private"}},
        },
    }


def test_vpc_link_with_a_private_integration(cfn: Any, server: ServerProcess) -> None:
    apigw = server.client("apigatewayv2")
    name = stack_name("vpclink")
    template = _vpc_link_template("first", {"team": "core"}, ["subnet-a1"])
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    made = outputs(wait_stack(cfn, name))
    link = made["Link"]
    assert made["LinkId"] == link
    got = apigw.get_vpc_link(VpcLinkId=link)
    assert got["Name"] == "first" and got["Tags"] == {"team": "core"}
    assert got["VpcLinkStatus"] == "AVAILABLE"
    integration = apigw.get_integration(ApiId=made["Api"], IntegrationId=made["Private"])
    assert integration["ConnectionId"] == link

    # a new name and tags: changed in place, the same link
    template = _vpc_link_template("second", {"env": "dev"}, ["subnet-a1"])
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
    assert outputs(wait_stack(cfn, name, "stack_update_complete"))["Link"] == link
    got = apigw.get_vpc_link(VpcLinkId=link)
    assert got["Name"] == "second" and got["Tags"] == {"env": "dev"}

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert link not in [item["VpcLinkId"] for item in apigw.get_vpc_links()["Items"]]
