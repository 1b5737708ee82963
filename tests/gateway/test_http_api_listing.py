"""The API Gateway v2 listings page by ``MaxResults``/``NextToken`` (botocore's own
paginators drive them), and tags on HTTP APIs and their stages."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess
from tests.gateway.conftest import function_arn


@pytest.fixture(scope="module")
def isolated(server: ServerProcess) -> Any:
    """A client of an account of its own, so GetApis sees only this module's APIs."""
    return server.client("apigatewayv2", access_key="402618397411", region="eu-west-1")


@pytest.fixture(scope="module")
def busy_api(apigw: Any, echo_function: str) -> dict[str, Any]:
    """An API with 7 routes, integrations, stages, deployments and authorizers."""
    api_id = apigw.create_api(Name="busy", ProtocolType="HTTP")["ApiId"]
    integrations = [
        apigw.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=function_arn(echo_function),
            PayloadFormatVersion="2.0",
        )["IntegrationId"]
        for _ in range(7)
    ]
    routes = [
        apigw.create_route(
            ApiId=api_id, RouteKey=f"GET /r{index}", Target=f"integrations/{integration}"
        )["RouteId"]
        for index, integration in enumerate(integrations)
    ]
    stages = [f"s{index}" for index in range(7)]
    for stage in stages:
        apigw.create_stage(ApiId=api_id, StageName=stage)
    deployments = [apigw.create_deployment(ApiId=api_id)["DeploymentId"] for _ in range(7)]
    authorizers = [
        apigw.create_authorizer(
            ApiId=api_id,
            Name=f"jwt{index}",
            AuthorizerType="JWT",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Issuer": "https://issuer.example", "Audience": ["a"]},
        )["AuthorizerId"]
        for index in range(7)
    ]
    return {
        "ApiId": api_id,
        "get_routes": ("RouteId", routes),
        "get_integrations": ("IntegrationId", integrations),
        "get_stages": ("StageName", stages),
        "get_deployments": ("DeploymentId", deployments),
        "get_authorizers": ("AuthorizerId", authorizers),
    }


LISTINGS = ["get_routes", "get_integrations", "get_stages", "get_deployments", "get_authorizers"]


@pytest.mark.parametrize("operation", LISTINGS)
def test_paginators_walk_every_item_once(
    apigw: Any, busy_api: dict[str, Any], operation: str
) -> None:
    member, expected = busy_api[operation]
    paginator = apigw.get_paginator(operation)
    pages = list(paginator.paginate(ApiId=busy_api["ApiId"], PaginationConfig={"PageSize": 3}))
    assert [len(page["Items"]) for page in pages] == [3, 3, 1]
    assert "NextToken" in pages[0] and "NextToken" not in pages[-1]
    seen = [item[member] for page in pages for item in page["Items"]]
    assert sorted(seen) == sorted(expected) and len(set(seen)) == len(seen)
    whole = getattr(apigw, operation)(ApiId=busy_api["ApiId"])
    assert "NextToken" not in whole and len(whole["Items"]) == len(expected)


def test_get_apis_pages_and_max_items(isolated: Any) -> None:
    created = {isolated.create_api(Name=f"a{i}", ProtocolType="HTTP")["ApiId"] for i in range(5)}
    paginator = isolated.get_paginator("get_apis")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["Items"]) for page in pages] == [2, 2, 1]
    assert {api["ApiId"] for page in pages for api in page["Items"]} == created
    first = paginator.paginate(PaginationConfig={"MaxItems": 3, "PageSize": 2}).build_full_result()
    assert len(first["Items"]) == 3 and "NextToken" in first
    rest = paginator.paginate(
        PaginationConfig={"StartingToken": first["NextToken"], "PageSize": 2}
    ).build_full_result()
    assert {a["ApiId"] for a in first["Items"] + rest["Items"]} == created


def test_a_token_survives_deletion_of_the_item_it_names(isolated: Any) -> None:
    api_id = isolated.create_api(Name="tokens", ProtocolType="HTTP")["ApiId"]
    for stage in ("a", "b", "c", "d"):
        isolated.create_stage(ApiId=api_id, StageName=stage)
    first = isolated.get_stages(ApiId=api_id, MaxResults="2")
    assert [s["StageName"] for s in first["Items"]] == ["a", "b"]
    isolated.delete_stage(ApiId=api_id, StageName="b")
    second = isolated.get_stages(ApiId=api_id, MaxResults="2", NextToken=first["NextToken"])
    assert [s["StageName"] for s in second["Items"]] == ["c", "d"]
    assert "NextToken" not in second


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"NextToken": "garbage"}, "Invalid NextToken specified: garbage", id="token"),
        pytest.param({"NextToken": "x" * 5000}, "Invalid NextToken specified: ", id="huge-token"),
        pytest.param({"MaxResults": "0"}, "Invalid MaxResults specified: 0", id="zero"),
        pytest.param({"MaxResults": "-1"}, "Invalid MaxResults specified: -1", id="negative"),
        pytest.param({"MaxResults": "ten"}, "Invalid MaxResults specified: ten", id="text"),
        pytest.param({"MaxResults": "9" * 40}, "Invalid MaxResults specified: ", id="huge"),
    ],
)
def test_bad_page_arguments(isolated: Any, arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        isolated.get_apis(**arguments)
    error = caught.value.response["Error"]
    assert error["Code"] == "BadRequestException"
    assert error["Message"].startswith(message) and len(error["Message"]) < 200


# -- tags -----------------------------------------------------------------------------------


def _arn(api_id: str, stage: str | None = None) -> str:
    arn = f"arn:aws:apigateway:eu-west-1::/apis/{api_id}"
    return arn if stage is None else f"{arn}/stages/{stage}"


def test_tags_on_apis_and_stages(isolated: Any) -> None:
    api_id = isolated.create_api(Name="tagged", ProtocolType="HTTP", Tags={"team": "a"})["ApiId"]
    isolated.create_stage(ApiId=api_id, StageName="prod", Tags={"tier": "gold"})
    assert isolated.get_api(ApiId=api_id)["Tags"] == {"team": "a"}
    assert isolated.get_stage(ApiId=api_id, StageName="prod")["Tags"] == {"tier": "gold"}

    isolated.tag_resource(ResourceArn=_arn(api_id), Tags={"cost": "1"})
    isolated.tag_resource(ResourceArn=_arn(api_id, "prod"), Tags={"owner": "ops"})
    assert isolated.get_tags(ResourceArn=_arn(api_id))["Tags"] == {"team": "a", "cost": "1"}
    assert isolated.get_tags(ResourceArn=_arn(api_id, "prod"))["Tags"] == {
        "tier": "gold",
        "owner": "ops",
    }
    isolated.untag_resource(ResourceArn=_arn(api_id, "prod"), TagKeys=["tier", "absent"])
    assert isolated.get_stage(ApiId=api_id, StageName="prod")["Tags"] == {"owner": "ops"}
    isolated.untag_resource(ResourceArn=_arn(api_id), TagKeys=["team", "cost"])
    assert "Tags" not in isolated.get_api(ApiId=api_id)
    listed = isolated.get_stages(ApiId=api_id)["Items"]
    assert listed[0]["Tags"] == {"owner": "ops"}


def test_tag_errors(isolated: Any) -> None:
    api_id = isolated.create_api(Name="tag-errors", ProtocolType="HTTP")["ApiId"]
    cases: list[tuple[str, dict[str, str], str]] = [
        (_arn("nosuchapi1"), {"a": "b"}, "NotFoundException"),
        (_arn(api_id, "nostage"), {"a": "b"}, "NotFoundException"),
        (f"arn:aws:apigateway:eu-west-1::/apis/{api_id}/routes/x", {"a": "b"}, "NotFoundException"),
        ("not-an-arn", {"a": "b"}, "NotFoundException"),
        (_arn(api_id), {"aws:reserved": "b"}, "BadRequestException"),
        (_arn(api_id), {"k" * 129: "b"}, "BadRequestException"),
        (_arn(api_id), {"k": "v" * 257}, "BadRequestException"),
        (_arn(api_id), {f"k{i}": "v" for i in range(51)}, "BadRequestException"),
    ]
    for arn, tags, code in cases:
        with pytest.raises(ClientError) as caught:
            isolated.tag_resource(ResourceArn=arn, Tags=tags)
        assert caught.value.response["Error"]["Code"] == code, arn
    assert isolated.get_tags(ResourceArn=_arn(api_id))["Tags"] == {}
    with pytest.raises(ClientError) as caught:
        isolated.create_api(Name="x", ProtocolType="HTTP", Tags={"aws:x": "y"})
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as caught:
        isolated.create_stage(ApiId=api_id, StageName="s", Tags={"aws:x": "y"})
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert isolated.get_stages(ApiId=api_id)["Items"] == []
