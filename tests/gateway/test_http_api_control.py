"""The apigatewayv2 management API with boto3: resources, quick create, AWS's errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.gateway.conftest import function_arn


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_quick_create_makes_managed_integration_route_and_auto_stage(
    apigw: Any, echo_function: str
) -> None:
    api = apigw.create_api(
        Name="quick", ProtocolType="HTTP", Target=function_arn(echo_function), RouteKey="GET /q"
    )
    api_id = api["ApiId"]
    assert api["RouteSelectionExpression"] == "${request.method} ${request.path}"
    routes = apigw.get_routes(ApiId=api_id)["Items"]
    assert [r["RouteKey"] for r in routes] == ["GET /q"]
    assert routes[0]["ApiGatewayManaged"] is True
    integrations = apigw.get_integrations(ApiId=api_id)["Items"]
    assert integrations[0]["IntegrationType"] == "AWS_PROXY"
    assert integrations[0]["PayloadFormatVersion"] == "2.0"
    stage = apigw.get_stage(ApiId=api_id, StageName="$default")
    assert stage["AutoDeploy"] is True and stage["DeploymentId"]
    assert apigw.get_deployments(ApiId=api_id)["Items"][0]["AutoDeployed"] is True
    assert any(a["ApiId"] == api_id for a in apigw.get_apis()["Items"])
    apigw.update_api(ApiId=api_id, Name="renamed", Description="d")
    assert apigw.get_api(ApiId=api_id)["Name"] == "renamed"
    apigw.delete_api(ApiId=api_id)
    with pytest.raises(ClientError) as excinfo:
        apigw.get_api(ApiId=api_id)
    assert _error(excinfo) == (
        "NotFoundException",
        f"Invalid API identifier specified 000000000000:{api_id}",
        404,
    )


def test_routes_crud_and_errors(apigw: Any, echo_function: str) -> None:
    api_id = apigw.create_api(Name="crud", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(echo_function),
        PayloadFormatVersion="2.0",
        TimeoutInMillis=5000,
    )
    assert integration["TimeoutInMillis"] == 5000
    route = apigw.create_route(
        ApiId=api_id, RouteKey="GET /a/{id}", Target=f"integrations/{integration['IntegrationId']}"
    )
    assert apigw.get_route(ApiId=api_id, RouteId=route["RouteId"])["RouteKey"] == "GET /a/{id}"
    updated = apigw.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="PUT /a/{id}")
    assert updated["RouteKey"] == "PUT /a/{id}"
    with pytest.raises(ClientError) as excinfo:
        apigw.create_route(ApiId=api_id, RouteKey="PUT /a/{id}")
    assert _error(excinfo)[0] == "ConflictException"
    for bad in ("FETCH /x", "GET nope", "GET /{proxy+}/tail"):
        with pytest.raises(ClientError) as excinfo:
            apigw.create_route(ApiId=api_id, RouteKey=bad)
        assert _error(excinfo)[0] == "BadRequestException", bad
    with pytest.raises(ClientError) as excinfo:
        apigw.create_route(ApiId=api_id, RouteKey="GET /t", Target="integrations/nope")
    assert _error(excinfo)[0] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_route(ApiId=api_id, RouteId="nope")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid Route identifier specified 000000000000:nope",
        404,
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.delete_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
    assert _error(excinfo)[0] == "ConflictException"
    apigw.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    apigw.delete_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
    assert apigw.get_routes(ApiId=api_id)["Items"] == []


@pytest.mark.parametrize(
    "params",
    [
        {
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": "arn:aws:lambda:us-east-1:000000000000:function:f",
        },
        {
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": "arn:aws:lambda:us-east-1:000000000000:function:f",
            "PayloadFormatVersion": "3.0",
        },
        {"IntegrationType": "MOCK"},
    ],
    ids=["no-payload-version", "bad-payload-version", "mock-on-http-api"],
)
def test_bad_integrations(apigw: Any, params: dict[str, Any]) -> None:
    api_id = apigw.create_api(Name="bad", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_integration(ApiId=api_id, **params)
    assert _error(excinfo)[0] == "BadRequestException"
    assert apigw.get_integrations(ApiId=api_id)["Items"] == []


def test_stage_and_deployment_errors(apigw: Any) -> None:
    api_id = apigw.create_api(Name="stages", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_deployment(ApiId=api_id)
    assert _error(excinfo)[0] == "BadRequestException"
    apigw.create_stage(ApiId=api_id, StageName="dev")
    with pytest.raises(ClientError) as excinfo:
        apigw.create_stage(ApiId=api_id, StageName="dev")
    assert _error(excinfo)[0] == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_stage(ApiId=api_id, StageName="nope")
    assert _error(excinfo)[0] == "NotFoundException"
    stages = apigw.get_stages(ApiId=api_id)["Items"]
    assert [s["StageName"] for s in stages] == ["dev"]
    apigw.delete_stage(ApiId=api_id, StageName="dev")
    assert apigw.get_stages(ApiId=api_id)["Items"] == []


def test_tags(apigw: Any) -> None:
    api = apigw.create_api(Name="tagged", ProtocolType="HTTP", Tags={"team": "a"})
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api['ApiId']}"
    assert apigw.get_tags(ResourceArn=arn)["Tags"] == {"team": "a"}
    apigw.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
    assert apigw.get_tags(ResourceArn=arn)["Tags"] == {"team": "a", "env": "dev"}
    apigw.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert apigw.get_api(ApiId=api["ApiId"])["Tags"] == {"env": "dev"}


def test_delete_stage_settings(apigw: Any) -> None:
    api_id = apigw.create_api(Name="settings", ProtocolType="HTTP")["ApiId"]
    apigw.create_stage(
        ApiId=api_id,
        StageName="s",
        AccessLogSettings={
            "DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g",
            "Format": "$context.requestId",
        },
        RouteSettings={"GET /a": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0}},
    )
    apigw.delete_access_log_settings(ApiId=api_id, StageName="s")
    apigw.delete_route_settings(ApiId=api_id, StageName="s", RouteKey="GET /a")
    stage = apigw.get_stage(ApiId=api_id, StageName="s")
    assert "AccessLogSettings" not in stage and not stage.get("RouteSettings")
    with pytest.raises(ClientError) as excinfo:
        apigw.delete_route_settings(ApiId=api_id, StageName="s", RouteKey="GET /a")
    assert _error(excinfo)[0] == "NotFoundException"


def test_unknown_integration_subtype_is_refused(apigw: Any) -> None:
    api_id = apigw.create_api(Name="subtype", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationSubtype="Kinesis-PutRecord",
            PayloadFormatVersion="1.0",
            RequestParameters={"StreamName": "s"},
        )
    assert _error(excinfo)[0] == "BadRequestException"
    assert apigw.get_integrations(ApiId=api_id)["Items"] == []
