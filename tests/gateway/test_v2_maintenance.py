"""UpdateDeployment, ResetAuthorizersCache and DeleteRouteRequestParameter, each proved by
what a client of the deployed API sees: a cached Lambda authorizer called again after the
reset, a WebSocket ``$connect`` that stops requiring a parameter once it is deleted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn, path_url

COUNTING_AUTHORIZER = """
calls = 0

def handler(event, context):
    global calls
    calls += 1
    token = (event.get("headers") or {}).get("authorization", "")
    return {"isAuthorized": token == "let-me-in", "context": {"calls": calls}}
"""

CONNECT = """
def handler(event, context):
    return {"statusCode": 200}
"""


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _http_api(apigw: Any, function: str) -> tuple[str, str]:
    api_id = apigw.create_api(Name="maintenance", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(function),
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    return api_id, integration


# -- UpdateDeployment ------------------------------------------------------------------------


def test_update_deployment_changes_the_description_only(apigw: Any, echo_function: str) -> None:
    api_id, integration = _http_api(apigw, echo_function)
    apigw.create_route(ApiId=api_id, RouteKey="GET /a", Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="prod")
    created = apigw.create_deployment(ApiId=api_id, StageName="prod", Description="first")
    deployment_id = created["DeploymentId"]

    updated = apigw.update_deployment(
        ApiId=api_id, DeploymentId=deployment_id, Description="second"
    )
    assert updated["DeploymentId"] == deployment_id
    assert updated["Description"] == "second"
    assert updated["DeploymentStatus"] == "DEPLOYED"
    assert updated["CreatedDate"] == created["CreatedDate"]
    got = apigw.get_deployment(ApiId=api_id, DeploymentId=deployment_id)
    assert got["Description"] == "second"
    assert apigw.get_stage(ApiId=api_id, StageName="prod")["DeploymentId"] == deployment_id
    # no description given: nothing changes
    same = apigw.update_deployment(ApiId=api_id, DeploymentId=deployment_id)
    assert same["Description"] == "second"


def test_update_deployment_of_nothing(apigw: Any, echo_function: str) -> None:
    api_id, _ = _http_api(apigw, echo_function)
    with pytest.raises(ClientError) as excinfo:
        apigw.update_deployment(ApiId=api_id, DeploymentId="nope123", Description="x")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid deployment identifier specified 000000000000:nope123",
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.update_deployment(ApiId="missing000", DeploymentId="nope123", Description="x")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid API identifier specified 000000000000:missing000",
    )


# -- ResetAuthorizersCache -------------------------------------------------------------------


def test_reset_authorizers_cache_calls_the_authorizer_again(
    server: ServerProcess, apigw: Any, lambda_client: Any, echo_function: str
) -> None:
    authorizer_function = create_function(lambda_client, COUNTING_AUTHORIZER)
    api_id, integration = _http_api(apigw, echo_function)
    authorizer = apigw.create_authorizer(
        ApiId=api_id,
        Name="cached",
        AuthorizerType="REQUEST",
        AuthorizerUri=function_arn(authorizer_function),
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        IdentitySource=["$request.header.Authorization"],
        AuthorizerResultTtlInSeconds=3600,
    )["AuthorizerId"]
    apigw.create_route(
        ApiId=api_id,
        RouteKey="GET /guarded",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer,
    )
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    url = path_url(server, api_id, "/guarded")
    headers = {"authorization": "let-me-in"}

    def calls() -> int:
        answer = httpx.get(url, headers=headers, timeout=60)
        assert answer.status_code == 200
        return int(answer.json()["requestContext"]["authorizer"]["lambda"]["calls"])

    first = calls()
    assert calls() == first  # cached: the authorizer was not called
    apigw.reset_authorizers_cache(ApiId=api_id, StageName="$default")
    after_reset = calls()
    assert after_reset == first + 1  # called again, once
    assert calls() == after_reset  # and cached again


def test_reset_authorizers_cache_empties_one_stage_only(
    server: ServerProcess, apigw: Any, lambda_client: Any, echo_function: str
) -> None:
    """The cache is a stage's: resetting ``blue`` leaves ``green``'s answers cached."""
    authorizer_function = create_function(lambda_client, COUNTING_AUTHORIZER)
    api_id, integration = _http_api(apigw, echo_function)
    authorizer = apigw.create_authorizer(
        ApiId=api_id,
        Name="cached",
        AuthorizerType="REQUEST",
        AuthorizerUri=function_arn(authorizer_function),
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        IdentitySource=["$request.header.Authorization"],
        AuthorizerResultTtlInSeconds=3600,
    )["AuthorizerId"]
    apigw.create_route(
        ApiId=api_id,
        RouteKey="GET /guarded",
        Target=f"integrations/{integration}",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer,
    )
    for stage in ("blue", "green"):
        created = apigw.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
        # a second auto-deploying stage, made with nothing changed since the first, is
        # deployed too: it serves the API's current deployment
        assert created["DeploymentId"] in {
            d["DeploymentId"] for d in apigw.get_deployments(ApiId=api_id)["Items"]
        }

    def calls(stage: str) -> int:
        answer = httpx.get(
            path_url(server, api_id, f"/{stage}/guarded"),
            headers={"authorization": "let-me-in"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        return int(answer.json()["requestContext"]["authorizer"]["lambda"]["calls"])

    blue = calls("blue")
    green = calls("green")
    assert green == blue + 1  # each stage caches its own answer
    apigw.reset_authorizers_cache(ApiId=api_id, StageName="blue")
    assert calls("green") == green  # still cached
    assert calls("blue") == green + 1  # called again
    assert calls("blue") == green + 1


def test_reset_authorizers_cache_of_a_missing_stage_or_api(apigw: Any, echo_function: str) -> None:
    api_id, _ = _http_api(apigw, echo_function)
    with pytest.raises(ClientError) as excinfo:
        apigw.reset_authorizers_cache(ApiId=api_id, StageName="nope")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid stage identifier specified 000000000000:nope",
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.reset_authorizers_cache(ApiId="missing000", StageName="nope")
    assert _error(excinfo)[0] == "NotFoundException"


# -- DeleteRouteRequestParameter -------------------------------------------------------------


def _ws_url(server: ServerProcess, api_id: str, query: str = "") -> str:
    return f"ws://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/prod{query}"


def test_delete_route_request_parameter_stops_requiring_it(
    server: ServerProcess, apigw: Any, lambda_client: Any
) -> None:
    function = create_function(lambda_client, CONNECT)
    api_id = apigw.create_api(
        Name="required", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function_arn(function)
    )["IntegrationId"]
    route_id = apigw.create_route(
        ApiId=api_id,
        RouteKey="$connect",
        Target=f"integrations/{integration}",
        RequestParameters={
            "route.request.querystring.token": {"Required": True},
            "route.request.header.X-Client": {"Required": False},
            "route.request.header.X-Tenant": {"Required": True},
        },
    )["RouteId"]
    apigw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)

    tenant = {"x-tenant": "t1"}
    for query, headers in (("", tenant), ("?token=abc", {}), ("?other=1", tenant)):
        with (
            pytest.raises(InvalidStatus) as excinfo,
            connect(_ws_url(server, api_id, query), additional_headers=headers),
        ):
            pass
        assert excinfo.value.response.status_code == 400
    with connect(_ws_url(server, api_id, "?token=abc"), additional_headers={"X-TENANT": "t"}):
        pass

    apigw.delete_route_request_parameter(
        ApiId=api_id, RouteId=route_id, RequestParameterKey="route.request.querystring.token"
    )
    apigw.delete_route_request_parameter(
        ApiId=api_id, RouteId=route_id, RequestParameterKey="route.request.header.X-Tenant"
    )
    route = apigw.get_route(ApiId=api_id, RouteId=route_id)
    assert route["RequestParameters"] == {"route.request.header.X-Client": {"Required": False}}
    with connect(_ws_url(server, api_id)):  # neither is required any more
        pass

    with pytest.raises(ClientError) as deleted_twice:
        apigw.delete_route_request_parameter(
            ApiId=api_id, RouteId=route_id, RequestParameterKey="route.request.querystring.token"
        )
    assert _error(deleted_twice) == (
        "NotFoundException",
        "Invalid request parameter key specified 000000000000:route.request.querystring.token",
    )
    with pytest.raises(ClientError) as no_route:
        apigw.delete_route_request_parameter(
            ApiId=api_id, RouteId="nope123", RequestParameterKey="route.request.header.X-Client"
        )
    assert _error(no_route) == (
        "NotFoundException",
        "Invalid Route identifier specified 000000000000:nope123",
    )
    # the failed deletes changed nothing
    route = apigw.get_route(ApiId=api_id, RouteId=route_id)
    assert route["RequestParameters"] == {"route.request.header.X-Client": {"Required": False}}
