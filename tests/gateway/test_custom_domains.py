"""Custom domain names: the v1 and v2 control planes (one shared set of domains), and
requests served through a domain by Host header to HTTP and REST APIs."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import botocore.exceptions
import httpx
import pytest

from stratus.gateway.app import FrontDoor, GatewayApp
from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import ECHO, function_arn

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _name() -> str:
    return f"api-{uuid.uuid4().hex[:10]}.example.com"


def _error(exc: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error.get("Message", "")


def _domain(apigw: Any, name: str | None = None, **config: Any) -> str:
    name = name or _name()
    apigw.create_domain_name(
        DomainName=name,
        DomainNameConfigurations=[
            {"CertificateArn": CERT, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}
            | config
        ],
    )
    return name


def _http_api(apigw: Any, function: str, stage: str = "$default") -> str:
    api_id = apigw.create_api(Name="domain", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(function),
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    for key in ("GET /items/{id}", "$default"):
        apigw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    return api_id


def _rest_api(apigw_v1: Any, function: str) -> str:
    api_id = apigw_v1.create_rest_api(name="domain-rest")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    proxy = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=proxy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(function)}/invocations",
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _get(server: ServerProcess, host: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(
        f"http://127.0.0.1:{server.gateway_port}{path}", headers={"host": host}, **kwargs
    )


# -- v2 control plane -----------------------------------------------------------------------
def test_v2_domain_name_lifecycle(apigw: Any, apigw_v1: Any) -> None:
    name = _name()
    made = apigw.create_domain_name(
        DomainName=name,
        DomainNameConfigurations=[{"CertificateArn": CERT, "EndpointType": "REGIONAL"}],
        MutualTlsAuthentication={"TruststoreUri": "s3://bucket/truststore.pem"},
        Tags={"team": "a"},
    )
    configuration = made["DomainNameConfigurations"][0]
    assert made["DomainName"] == name
    assert made["ApiMappingSelectionExpression"] == "$request.basepath"
    assert configuration["DomainNameStatus"] == "AVAILABLE"
    assert configuration["ApiGatewayDomainName"].endswith(".execute-api.localhost")
    assert configuration["ApiGatewayDomainName"].startswith("d-")
    assert configuration["HostedZoneId"]
    assert configuration["SecurityPolicy"] == "TLS_1_2"
    assert configuration["CertificateArn"] == CERT
    assert made["MutualTlsAuthentication"]["TruststoreUri"] == "s3://bucket/truststore.pem"
    assert made["Tags"] == {"team": "a"}
    assert apigw.get_domain_name(DomainName=name)["DomainNameConfigurations"] == [configuration]
    listed = {d["DomainName"] for d in apigw.get_domain_names()["Items"]}
    assert name in listed
    # The v1 API sees the same domain.
    v1 = apigw_v1.get_domain_name(domainName=name)
    assert v1["regionalDomainName"] == configuration["ApiGatewayDomainName"]
    assert v1["endpointConfiguration"] == {"types": ["REGIONAL"]}
    assert v1["domainNameStatus"] == "AVAILABLE"
    other = CERT.replace("1234-1234-1234", "9999-9999-9999")
    updated = apigw.update_domain_name(
        DomainName=name, DomainNameConfigurations=[{"CertificateArn": other}]
    )
    assert updated["DomainNameConfigurations"][0]["CertificateArn"] == other
    apigw.delete_domain_name(DomainName=name)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.get_domain_name(DomainName=name)
    assert _error(exc) == (
        "NotFoundException",
        "The domain name resource specified in the request was not found.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.get_domain_name(domainName=name)
    assert _error(exc) == ("NotFoundException", "Invalid domain name identifier specified")


@pytest.mark.parametrize(
    ("name", "configuration", "code"),
    [
        pytest.param("no-dots", {"CertificateArn": CERT}, "BadRequestException", id="not-fqdn"),
        pytest.param("a..b.com", {"CertificateArn": CERT}, "BadRequestException", id="empty-label"),
        pytest.param(
            "x" * 300 + ".com", {"CertificateArn": CERT}, "BadRequestException", id="huge"
        ),
        pytest.param(
            "ok.example.com", {"CertificateArn": "nope"}, "BadRequestException", id="cert"
        ),
        pytest.param("ok.example.com", {}, "BadRequestException", id="no-cert"),
        pytest.param(
            "ok.example.com",
            {"CertificateArn": CERT, "SecurityPolicy": "TLS_9"},
            "BadRequestException",
            id="policy",
        ),
        pytest.param(
            "ok.example.com",
            {"CertificateArn": CERT, "EndpointType": "MOON"},
            "BadRequestException",
            id="endpoint",
        ),
    ],
)
def test_v2_bad_domain_names_are_refused(
    apigw: Any, name: str, configuration: dict[str, Any], code: str
) -> None:
    before = apigw.get_domain_names()["Items"]
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.create_domain_name(DomainName=name, DomainNameConfigurations=[configuration])
    assert _error(exc)[0] == code
    assert apigw.get_domain_names()["Items"] == before


REGIONAL_ONLY = (
    "Only REGIONAL domain names with a security policy of TLS 1.2 can be managed through "
    "the API Gateway V2 API. For TLS 1.0 domain names, please use the API Gateway V1 API to "
    "upgrade your security policy to TLS 1.2. Currently, only REST APIs can be attached to "
    "a domain name with a security policy of TLS 1.0."
)


@pytest.mark.parametrize(
    ("configurations", "message"),
    [
        pytest.param([], "Invalid input. Expected one domain name configuration", id="none"),
        pytest.param(
            [{"CertificateArn": CERT}, {"CertificateArn": CERT}],
            "Invalid input. Expected one domain name configuration",
            id="two",
        ),
        pytest.param(
            [{"CertificateArn": CERT, "SecurityPolicy": "TLS_1_0"}],
            "TLS_1_0 is not supported for APIGatewayV2 domainName.",
            id="tls-1-0",
        ),
        pytest.param([{"CertificateArn": CERT, "EndpointType": "EDGE"}], REGIONAL_ONLY, id="edge"),
    ],
)
def test_v2_manages_regional_tls_1_2_domains_only(
    apigw: Any, configurations: list[dict[str, Any]], message: str
) -> None:
    name = _name()
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.create_domain_name(DomainName=name, DomainNameConfigurations=configurations)
    assert _error(exc) == ("BadRequestException", message)
    assert name not in {d["DomainName"] for d in apigw.get_domain_names()["Items"]}


def test_routing_rules_are_refused(apigw: Any, apigw_v1: Any) -> None:
    name = _name()
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.create_domain_name(
            DomainName=name,
            DomainNameConfigurations=[{"CertificateArn": CERT}],
            RoutingMode="ROUTING_RULE_ONLY",
        )
    assert _error(exc)[0] == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_domain_name(
            domainName=name, certificateArn=CERT, routingMode="ROUTING_RULE_ONLY"
        )
    assert _error(exc)[0] == "BadRequestException"
    made = apigw.create_domain_name(
        DomainName=name,
        DomainNameConfigurations=[{"CertificateArn": CERT}],
        RoutingMode="API_MAPPING_ONLY",
    )
    assert made["RoutingMode"] == "API_MAPPING_ONLY"
    assert made["DomainNameConfigurations"][0]["IpAddressType"] == "ipv4"
    assert apigw_v1.get_domain_name(domainName=name)["routingMode"] == "BASE_PATH_MAPPING_ONLY"


def test_v2_duplicate_domain_is_a_conflict(apigw: Any, apigw_v1: Any) -> None:
    name = _domain(apigw)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        _domain(apigw, name.upper())
    assert _error(exc) == ("ConflictException", "The domain name you provided already exists.")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_domain_name(
            domainName=name,
            regionalCertificateArn=CERT,
            endpointConfiguration={"types": ["REGIONAL"]},
        )
    assert _error(exc) == ("ConflictException", "The domain name you provided already exists.")


def test_v2_api_mappings(apigw: Any, apigw_v1: Any, echo_function: str) -> None:
    name = _domain(apigw)
    api_id = _http_api(apigw, echo_function)
    root = apigw.create_api_mapping(DomainName=name, ApiId=api_id, Stage="$default")
    keyed = apigw.create_api_mapping(
        DomainName=name, ApiId=api_id, Stage="$default", ApiMappingKey="orders/v1"
    )
    assert root["ApiMappingKey"] == "" and root["Stage"] == "$default"
    assert keyed["ApiMappingKey"] == "orders/v1"
    got = apigw.get_api_mapping(DomainName=name, ApiMappingId=keyed["ApiMappingId"])
    assert got["ApiId"] == api_id and got["ApiMappingKey"] == "orders/v1"
    items = apigw.get_api_mappings(DomainName=name)["Items"]
    assert {m["ApiMappingKey"] for m in items} == {"", "orders/v1"}
    first = apigw.get_api_mappings(DomainName=name, MaxResults="1")
    assert len(first["Items"]) == 1 and first["NextToken"]
    rest = apigw.get_api_mappings(DomainName=name, NextToken=first["NextToken"])
    assert len(rest["Items"]) == 1 and rest["Items"] != first["Items"]
    # A duplicate key is a conflict; the v1 API shows the same mappings as base paths.
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.create_api_mapping(
            DomainName=name, ApiId=api_id, Stage="$default", ApiMappingKey="orders/v1"
        )
    assert _error(exc)[0] == "ConflictException"
    paths = {m["basePath"] for m in apigw_v1.get_base_path_mappings(domainName=name)["items"]}
    assert paths == {"(none)", "orders/v1"}
    updated = apigw.update_api_mapping(
        DomainName=name, ApiMappingId=keyed["ApiMappingId"], ApiId=api_id, ApiMappingKey="shop"
    )
    assert updated["ApiMappingKey"] == "shop"
    apigw.delete_api_mapping(DomainName=name, ApiMappingId=keyed["ApiMappingId"])
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.get_api_mapping(DomainName=name, ApiMappingId=keyed["ApiMappingId"])
    assert _error(exc) == (
        "NotFoundException",
        f"Unable to find ApiMapping with ID {keyed['ApiMappingId']}",
    )
    assert [m["ApiMappingKey"] for m in apigw.get_api_mappings(DomainName=name)["Items"]] == [""]


@pytest.mark.parametrize(
    ("key", "code", "message"),
    [
        ("/orders", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("orders/", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("a//b", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("../../etc", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("a/./b", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("sp ace", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("%2e%2e", "BadRequestException", "An ApiMapping key may contain only letters"),
        ("k" * 1000, "BadRequestException", "An ApiMapping key may contain only letters"),
    ],
)
def test_v2_bad_mapping_keys(
    apigw: Any, echo_function: str, key: str, code: str, message: str
) -> None:
    name = _domain(apigw)
    api_id = _http_api(apigw, echo_function)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.create_api_mapping(DomainName=name, ApiId=api_id, Stage="$default", ApiMappingKey=key)
    got_code, got_message = _error(exc)
    assert got_code == code and got_message.startswith(message)
    assert apigw.get_api_mappings(DomainName=name)["Items"] == []


def test_v2_mapping_targets_must_exist(apigw: Any, echo_function: str) -> None:
    name = _domain(apigw)
    api_id = _http_api(apigw, echo_function)
    cases = [
        (
            {"DomainName": "missing.example.com", "ApiId": api_id, "Stage": "$default"},
            (
                "NotFoundException",
                "The domain name resource specified in the request was not found.",
            ),
        ),
        (
            {"DomainName": name, "ApiId": "nosuchapi1", "Stage": "$default"},
            ("NotFoundException", "Invalid API identifier specified 000000000000:nosuchapi1"),
        ),
        (
            {"DomainName": name, "ApiId": api_id, "Stage": "nope"},
            ("BadRequestException", "Invalid stage identifier specified"),
        ),
    ]
    for params, expected in cases:
        with pytest.raises(botocore.exceptions.ClientError) as exc:
            apigw.create_api_mapping(**params)
        assert _error(exc) == expected
    assert apigw.get_api_mappings(DomainName=name)["Items"] == []


def test_v1_edge_domains_are_not_the_v2_apis_to_map(
    apigw: Any, apigw_v1: Any, echo_function: str
) -> None:
    edge = _name()
    apigw_v1.create_domain_name(domainName=edge, certificateArn=CERT, securityPolicy="TLS_1_0")
    api_id = _http_api(apigw, echo_function)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw.create_api_mapping(DomainName=edge, ApiId=api_id, Stage="$default")
    assert _error(exc) == ("BadRequestException", REGIONAL_ONLY)
    rest_id = _rest_api(apigw_v1, echo_function)
    # Multi-level base paths need a REGIONAL domain with TLS 1.2, in v1 too.
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_base_path_mapping(
            domainName=edge, restApiId=rest_id, stage="prod", basePath="a/b"
        )
    assert _error(exc)[0] == "BadRequestException"
    assert apigw_v1.get_base_path_mappings(domainName=edge)["items"] == []
    made = apigw_v1.create_base_path_mapping(
        domainName=edge, restApiId=rest_id, stage="prod", basePath="a"
    )
    assert made["basePath"] == "a"
    assert (
        apigw.get_domain_name(DomainName=edge)["DomainNameConfigurations"][0]["EndpointType"]
        == "EDGE"
    )


# -- v1 control plane -----------------------------------------------------------------------
def test_v1_domain_names_and_base_path_mappings(
    apigw: Any, apigw_v1: Any, echo_function: str
) -> None:
    name = _name()
    made = apigw_v1.create_domain_name(domainName=name, certificateArn=CERT)
    assert made["endpointConfiguration"] == {"types": ["EDGE"]}
    assert made["distributionDomainName"].endswith(".execute-api.localhost")
    assert made["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"
    assert made["certificateArn"] == CERT and made["domainNameStatus"] == "AVAILABLE"
    assert "regionalDomainName" not in made
    rest_id = _rest_api(apigw_v1, echo_function)
    root = apigw_v1.create_base_path_mapping(domainName=name, restApiId=rest_id, stage="prod")
    assert root == {"basePath": "(none)", "restApiId": rest_id, "stage": "prod"} | {
        "ResponseMetadata": root["ResponseMetadata"]
    }
    apigw_v1.create_base_path_mapping(
        domainName=name, restApiId=rest_id, stage="prod", basePath="shop"
    )
    got = apigw_v1.get_base_path_mapping(domainName=name, basePath="(none)")
    assert got["restApiId"] == rest_id and got["basePath"] == "(none)"
    listed = apigw_v1.get_base_path_mappings(domainName=name, limit=1)
    assert len(listed["items"]) == 1 and listed["position"]
    following = apigw_v1.get_base_path_mappings(domainName=name, position=listed["position"])
    assert [m["basePath"] for m in listed["items"] + following["items"]] == ["(none)", "shop"]
    # The v2 API sees the base paths as mapping keys.
    keys = {m["ApiMappingKey"] for m in apigw.get_api_mappings(DomainName=name)["Items"]}
    assert keys == {"", "shop"}
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_base_path_mapping(
            domainName=name, restApiId=rest_id, stage="prod", basePath="shop"
        )
    assert _error(exc) == ("ConflictException", "Base path already exists for this domain name")
    moved = apigw_v1.update_base_path_mapping(
        domainName=name,
        basePath="shop",
        patchOperations=[{"op": "replace", "path": "/basePath", "value": "store"}],
    )
    assert moved["basePath"] == "store"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.update_base_path_mapping(
            domainName=name,
            basePath="store",
            patchOperations=[{"op": "replace", "path": "/nope", "value": "x"}],
        )
    assert _error(exc)[0] == "BadRequestException"
    apigw_v1.delete_base_path_mapping(domainName=name, basePath="store")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.get_base_path_mapping(domainName=name, basePath="store")
    assert _error(exc) == ("NotFoundException", "Invalid base path mapping identifier specified")
    updated = apigw_v1.update_domain_name(
        domainName=name,
        patchOperations=[{"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"}],
    )
    assert updated["securityPolicy"] == "TLS_1_0"
    names = [d["domainName"] for d in apigw_v1.get_domain_names(limit=500)["items"]]
    assert name in names
    apigw_v1.delete_domain_name(domainName=name)
    assert name not in [d["domainName"] for d in apigw_v1.get_domain_names(limit=500)["items"]]


def test_v1_refuses_http_apis_and_bad_input(apigw: Any, apigw_v1: Any, echo_function: str) -> None:
    name = _name()
    apigw_v1.create_domain_name(
        domainName=name,
        regionalCertificateArn=CERT,
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    http_id = _http_api(apigw, echo_function)
    rest_id = _rest_api(apigw_v1, echo_function)
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_base_path_mapping(domainName=name, restApiId=http_id, stage="$default")
    assert _error(exc) == ("NotFoundException", "Invalid REST API identifier specified")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_base_path_mapping(domainName=name, restApiId=rest_id, stage="nope")
    assert _error(exc) == ("BadRequestException", "Invalid stage identifier specified")
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_base_path_mapping(
            domainName=name, restApiId=rest_id, stage="prod", basePath="a b"
        )
    assert _error(exc)[0] == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.create_domain_name(
            domainName=_name(), endpointConfiguration={"types": ["REGIONAL"]}
        )
    assert _error(exc)[0] == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as exc:
        apigw_v1.get_domain_names(limit=501)
    assert _error(exc)[0] == "BadRequestException"
    assert apigw_v1.get_base_path_mappings(domainName=name)["items"] == []
    # A v2 mapping may point the same domain at an HTTP API, and v1 lists it.
    apigw.create_api_mapping(DomainName=name, ApiId=http_id, Stage="$default", ApiMappingKey="h")
    listed = apigw_v1.get_base_path_mappings(domainName=name)["items"]
    assert listed == [{"basePath": "h", "restApiId": http_id, "stage": "$default"}]


# -- serving --------------------------------------------------------------------------------
def test_requests_through_a_domain_reach_http_and_rest_apis(
    server: ServerProcess, apigw: Any, apigw_v1: Any, echo_function: str
) -> None:
    name = _domain(apigw)
    http_default = _http_api(apigw, echo_function)
    http_named = _http_api(apigw, echo_function, stage="dev")
    rest_id = _rest_api(apigw_v1, echo_function)
    apigw.create_api_mapping(DomainName=name, ApiId=http_default, Stage="$default")
    apigw.create_api_mapping(
        DomainName=name, ApiId=http_named, Stage="dev", ApiMappingKey="orders/v1"
    )
    apigw.create_api_mapping(DomainName=name, ApiId=rest_id, Stage="prod", ApiMappingKey="legacy")

    # The root mapping: the whole path goes to the API, no stage in it.
    root = _get(server, name, "/items/7?q=1")
    assert root.status_code == 200, root.text
    event = root.json()
    assert event["requestContext"]["apiId"] == http_default
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/7"
    assert event["requestContext"]["domainName"] == name
    assert event["requestContext"]["domainPrefix"] == name.split(".")[0]
    assert event["requestContext"]["stage"] == "$default"

    # A keyed mapping to a named stage: routes match the stripped path, the event shows
    # the path as sent (key included), on any port of the Host header.
    keyed = _get(server, f"{name.upper()}:443", "/orders/v1/items/9")
    assert keyed.status_code == 200, keyed.text
    event = keyed.json()
    assert event["requestContext"]["apiId"] == http_named
    assert event["routeKey"] == "GET /items/{id}"
    assert event["pathParameters"] == {"id": "9"}
    assert event["rawPath"] == "/orders/v1/items/9"
    assert event["requestContext"]["http"]["path"] == "/orders/v1/items/9"
    assert event["requestContext"]["stage"] == "dev"
    # A longer path than the key is not a match of a partial level.
    partial = _get(server, name, "/orders/v1x/items/9").json()
    assert partial["requestContext"]["apiId"] == http_default

    # A REST API under its base path: v1's path keeps the base path, resource does not.
    legacy = _get(server, name, "/legacy/a/b")
    assert legacy.status_code == 200, legacy.text
    event = legacy.json()
    assert event["requestContext"]["apiId"] == rest_id
    assert event["resource"] == "/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b"}
    assert event["path"] == "/legacy/a/b"
    assert event["requestContext"]["path"] == "/legacy/a/b"
    assert event["requestContext"]["stage"] == "prod"
    assert event["requestContext"]["domainName"] == name

    # The execute-api forms are untouched by the domain.
    direct = httpx.get(
        f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{http_named}/dev/items/3"
    )
    assert direct.json()["rawPath"] == "/dev/items/3"


def test_unmapped_paths_and_unknown_hosts(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    name = _domain(apigw)
    api_id = _http_api(apigw, echo_function)
    apigw.create_api_mapping(DomainName=name, ApiId=api_id, Stage="$default", ApiMappingKey="only")
    unmapped = _get(server, name, "/elsewhere")
    assert unmapped.status_code == 403
    assert unmapped.json() == {"message": "Forbidden"}
    assert unmapped.headers["x-amzn-errortype"] == "ForbiddenException"
    assert _get(server, name, "/only/items/1").status_code == 200
    # Traversal in the path cannot leave the mapping: the client resolves "..", and an
    # encoded one is data for the mapped API, which receives it decoded.
    assert _get(server, name, "/only/../elsewhere").status_code == 403
    escaped = _get(server, name, "/only/%2e%2e/elsewhere")
    assert escaped.status_code == 200
    event = escaped.json()
    assert event["requestContext"]["apiId"] == api_id
    assert event["rawPath"] == "/only/%2e%2e/elsewhere"
    assert event["routeKey"] == "$default"
    unknown = _get(server, "unknown.example.org", "/only/items/1")
    assert unknown.status_code == 404 and unknown.json() == {"message": "Not Found"}
    huge = _get(server, "h" * 10_240 + ".example.com", "/only/items/1")
    assert huge.status_code == 404, huge.text
    # A deleted domain stops serving at once.
    apigw.delete_domain_name(DomainName=name)
    assert _get(server, name, "/only/items/1").status_code == 404


def test_wildcard_domain_serves_its_subdomains(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    base = f"w{uuid.uuid4().hex[:8]}.example.com"
    _domain(apigw, f"*.{base}")
    api_id = _http_api(apigw, echo_function)
    apigw.create_api_mapping(DomainName=f"*.{base}", ApiId=api_id, Stage="$default")
    event = _get(server, f"tenant.{base}", "/items/1").json()
    assert event["requestContext"]["apiId"] == api_id
    assert event["requestContext"]["domainName"] == f"tenant.{base}"
    assert event["requestContext"]["domainPrefix"] == "tenant"


def test_thousands_of_domains_and_mappings(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    api_id = _http_api(apigw, echo_function)
    prefix = uuid.uuid4().hex[:6]
    names = [f"n{i}-{prefix}.example.com" for i in range(1000)]
    for name in names:
        _domain(apigw, name)
    big = names[0]
    for i in range(1000):
        apigw.create_api_mapping(
            DomainName=big, ApiId=api_id, Stage="$default", ApiMappingKey=f"k{i}/v"
        )
    listed = apigw.get_domain_names()["Items"]
    assert set(names) <= {d["DomainName"] for d in listed}
    assert len(apigw.get_api_mappings(DomainName=big)["Items"]) == 1000
    event = _get(server, big, "/k999/v/items/5").json()
    assert event["rawPath"] == "/k999/v/items/5" and event["pathParameters"] == {"id": "5"}
    assert _get(server, names[-1], "/items/1").status_code == 403  # no mappings
    deep = "/".join(["k1"] * 1000)
    assert _get(server, big, "/" + deep).status_code == 403


def test_domains_and_mappings_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        function = create_function(server.client("lambda"), ECHO)
        apigw = server.client("apigatewayv2")
        name = _domain(apigw)
        api_id = _http_api(apigw, function)
        mapping = apigw.create_api_mapping(
            DomainName=name, ApiId=api_id, Stage="$default", ApiMappingKey="kept"
        )
        server.kill()
        server.start()
        assert apigw.get_domain_name(DomainName=name)["DomainName"] == name
        got = apigw.get_api_mapping(DomainName=name, ApiMappingId=mapping["ApiMappingId"])
        assert got["ApiMappingKey"] == "kept"
        response = _get(server, name, "/kept/items/4", timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["pathParameters"] == {"id": "4"}
    finally:
        server.stop()


# -- the gateway app's host lookup ---------------------------------------------------------
class _Recorder:
    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(dict(scope))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _status(app: GatewayApp, host: str, path: str = "/x") -> int:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "headers": [(b"host", host.encode())],
    }
    asyncio.run(app(scope, receive, send))
    return int(sent[0]["status"])


def test_gateway_app_looks_domains_up_only_when_no_form_matches() -> None:
    door, by_host = _Recorder(), _Recorder()
    hosts = {"api.example.com": "D", "a1.execute-api.localhost": "shadow", "*.t.example.com": "W"}
    app = GatewayApp([FrontDoor("execute-api", door, hosts, by_host)])
    assert _status(app, "a1.execute-api.localhost:8080") == 200
    assert _status(app, "api.example.com", "/_aws/execute-api/a1/x") == 200
    assert len(door.scopes) == 2 and not by_host.scopes  # the execute-api forms win
    assert _status(app, "API.Example.com:443") == 200
    assert _status(app, "x.t.example.com") == 200
    assert [s["stratus.domain"] for s in by_host.scopes] == ["D", "W"]
    assert _status(app, "other.example.com") == 404
    assert _status(app, "[::1]:8080") == 404
    assert _status(app, "") == 404
