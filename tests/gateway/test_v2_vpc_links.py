"""VPC links of HTTP APIs: CreateVpcLink (AVAILABLE at once, AWS's shape, tags), GetVpcLink,
GetVpcLinks with paging, UpdateVpcLink, DeleteVpcLink; private integrations that name a
missing link refused; everything kept across a kill -9."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess

SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
GROUPS = ["sg-0123abcd"]
LISTENER = (
    "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/my-alb/50dc6c495c0c9188/"
    "0467ef3c8400ae65"
)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _private_integration(apigw: Any, api_id: str, link: str, **extra: Any) -> Any:
    return apigw.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="ANY",
        IntegrationUri=LISTENER,
        ConnectionType="VPC_LINK",
        ConnectionId=link,
        PayloadFormatVersion="1.0",
        **extra,
    )


def test_create_get_update_delete(apigw: Any) -> None:
    created = apigw.create_vpc_link(
        Name="private", SubnetIds=SUBNETS, SecurityGroupIds=GROUPS, Tags={"team": "core"}
    )
    link = created["VpcLinkId"]
    assert created["Name"] == "private"
    assert created["SubnetIds"] == SUBNETS and created["SecurityGroupIds"] == GROUPS
    assert created["Tags"] == {"team": "core"}
    assert created["VpcLinkStatus"] == "AVAILABLE"
    assert created["VpcLinkStatusMessage"] == "VPC link is ready to route traffic"
    assert created["VpcLinkVersion"] == "V2"
    assert "CreatedDate" in created

    got = apigw.get_vpc_link(VpcLinkId=link)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in created.items() if k != "ResponseMetadata"
    }
    renamed = apigw.update_vpc_link(VpcLinkId=link, Name="renamed")
    assert renamed["Name"] == "renamed" and renamed["SubnetIds"] == SUBNETS
    assert apigw.get_vpc_link(VpcLinkId=link)["Name"] == "renamed"

    arn = f"arn:aws:apigateway:us-east-1::/vpclinks/{link}"
    apigw.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
    assert apigw.get_tags(ResourceArn=arn)["Tags"] == {"team": "core", "env": "dev"}
    apigw.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert apigw.get_vpc_link(VpcLinkId=link)["Tags"] == {"env": "dev"}

    apigw.delete_vpc_link(VpcLinkId=link)
    with pytest.raises(ClientError) as excinfo:
        apigw.get_vpc_link(VpcLinkId=link)
    assert _error(excinfo) == (
        "NotFoundException",
        f"Invalid VpcLink identifier specified 000000000000:{link}",
    )
    for call in (
        lambda: apigw.delete_vpc_link(VpcLinkId=link),
        lambda: apigw.update_vpc_link(VpcLinkId=link, Name="x"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo)[0] == "NotFoundException"


def test_bad_vpc_links_are_refused_and_not_stored(apigw: Any) -> None:
    before = apigw.get_vpc_links()["Items"]
    cases = [
        ({"Name": "no-subnets", "SubnetIds": []}, "At least one subnet ID must be specified."),
        (
            {"Name": "x" * 129, "SubnetIds": SUBNETS},
            "Invalid VPC link name: it must be between 1 and 128 characters.",
        ),
        (
            {"Name": "many", "SubnetIds": [f"subnet-{i}" for i in range(11)]},
            "A VPC link can have at most 10 subnets.",
        ),
        (
            {"Name": "tags", "SubnetIds": SUBNETS, "Tags": {"aws:x": "y"}},
            "Tag keys starting with 'aws:' are reserved: aws:x",
        ),
    ]
    for params, message in cases:
        with pytest.raises(ClientError) as excinfo:
            apigw.create_vpc_link(**params)
        assert _error(excinfo) == ("BadRequestException", message)
    assert apigw.get_vpc_links()["Items"] == before


def test_get_vpc_links_pages(server: ServerProcess) -> None:
    apigw = server.client("apigatewayv2", access_key="111122223333")  # an account of its own
    made = {apigw.create_vpc_link(Name=f"l{i}", SubnetIds=SUBNETS)["VpcLinkId"] for i in range(5)}
    seen: list[str] = []
    token: str | None = None
    while True:
        page = apigw.get_vpc_links(MaxResults="2", **({"NextToken": token} if token else {}))
        assert len(page["Items"]) <= 2
        seen.extend(item["VpcLinkId"] for item in page["Items"])
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5
    # another account sees none of them
    others = server.client("apigatewayv2").get_vpc_links()["Items"]
    assert not {item["VpcLinkId"] for item in others} & made
    with pytest.raises(ClientError) as excinfo:
        apigw.get_vpc_links(NextToken="garbage")
    assert _error(excinfo) == ("BadRequestException", "Invalid NextToken specified: garbage")


def test_private_integrations_need_an_existing_link(apigw: Any) -> None:
    api_id = apigw.create_api(Name="private-api", ProtocolType="HTTP")["ApiId"]
    with pytest.raises(ClientError) as excinfo:
        _private_integration(apigw, api_id, "nolink")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid VpcLink identifier specified 000000000000:nolink",
    )
    with pytest.raises(ClientError) as excinfo:
        apigw.create_integration(
            ApiId=api_id,
            IntegrationType="HTTP_PROXY",
            IntegrationMethod="ANY",
            IntegrationUri=LISTENER,
            ConnectionType="VPC_LINK",
            PayloadFormatVersion="1.0",
        )
    assert _error(excinfo) == (
        "BadRequestException",
        "ConnectionId must be specified when ConnectionType is VPC_LINK.",
    )
    assert apigw.get_integrations(ApiId=api_id)["Items"] == []

    link = apigw.create_vpc_link(Name="for-api", SubnetIds=SUBNETS)["VpcLinkId"]
    integration = _private_integration(apigw, api_id, link)
    assert integration["ConnectionType"] == "VPC_LINK"
    assert integration["ConnectionId"] == link
    # pointing an integration at a missing link is refused on update too, and changes nothing
    with pytest.raises(ClientError) as excinfo:
        apigw.update_integration(
            ApiId=api_id, IntegrationId=integration["IntegrationId"], ConnectionId="gone00"
        )
    assert _error(excinfo)[0] == "NotFoundException"
    kept = apigw.get_integration(ApiId=api_id, IntegrationId=integration["IntegrationId"])
    assert kept["ConnectionId"] == link


def test_vpc_links_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw = server.client("apigatewayv2")
        link = apigw.create_vpc_link(
            Name="kept", SubnetIds=SUBNETS, SecurityGroupIds=GROUPS, Tags={"k": "v"}
        )["VpcLinkId"]
        apigw.update_vpc_link(VpcLinkId=link, Name="kept-renamed")
        gone = apigw.create_vpc_link(Name="gone", SubnetIds=SUBNETS)["VpcLinkId"]
        apigw.delete_vpc_link(VpcLinkId=gone)
        server.kill()
        server.start()
        apigw = server.client("apigatewayv2")
        kept = apigw.get_vpc_link(VpcLinkId=link)
        assert kept["Name"] == "kept-renamed" and kept["Tags"] == {"k": "v"}
        assert kept["SecurityGroupIds"] == GROUPS and kept["VpcLinkStatus"] == "AVAILABLE"
        assert [i["VpcLinkId"] for i in apigw.get_vpc_links()["Items"]] == [link]
        api_id = apigw.create_api(Name="after", ProtocolType="HTTP")["ApiId"]
        assert _private_integration(apigw, api_id, link)["ConnectionId"] == link
    finally:
        server.stop()


def _definition(link: str) -> str:
    integration = {
        "type": "http_proxy",
        "httpMethod": "ANY",
        "uri": LISTENER,
        "connectionType": "VPC_LINK",
        "connectionId": link,
        "payloadFormatVersion": "1.0",
    }
    return json.dumps(
        {
            "openapi": "3.0.1",
            "info": {"title": "private-import", "version": "1"},
            "paths": {"/orders": {"get": {"x-amazon-apigateway-integration": integration}}},
        }
    )


def test_import_and_export_carry_the_vpc_link(apigw: Any) -> None:
    link = apigw.create_vpc_link(Name="imported", SubnetIds=SUBNETS)["VpcLinkId"]
    api_id = apigw.import_api(Body=_definition(link))["ApiId"]
    [integration] = apigw.get_integrations(ApiId=api_id)["Items"]
    assert integration["ConnectionType"] == "VPC_LINK"
    assert integration["ConnectionId"] == link
    exported = json.loads(
        apigw.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")["body"].read()
    )
    written = exported["paths"]["/orders"]["get"]["x-amazon-apigateway-integration"]
    assert written["connectionType"] == "VPC_LINK" and written["connectionId"] == link

    before = {a["ApiId"] for a in apigw.get_apis()["Items"]}
    with pytest.raises(ClientError) as excinfo:
        apigw.import_api(Body=_definition("nolink"))
    assert _error(excinfo) == (
        "BadRequestException",
        "Unable to create integration for route GET /orders: "
        "Invalid VpcLink identifier specified 000000000000:nolink",
    )
    assert {a["ApiId"] for a in apigw.get_apis()["Items"]} == before
