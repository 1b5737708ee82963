"""REST API control-plane operations beyond create/get/delete, with boto3 against a real
server: UpdateResource, method responses, Update* of keys, plans, deployments and
authorizers, ImportRestApi/PutRestApi, GetExport, tags, account settings, pagination."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess
from tests.gateway.conftest import function_arn, path_url


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    return dict(excinfo.value.response["Error"])


def _invoke_uri(function: str) -> str:
    return (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(function)}/invocations"
    )


def _paths(apigw_v1: Any, api_id: str) -> dict[str, str]:
    items = apigw_v1.get_resources(restApiId=api_id, limit=500)["items"]
    return {r["path"]: r["id"] for r in items}


def test_update_resource_renames_and_moves(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="moves")["id"]
    root = _paths(apigw_v1, api_id)["/"]
    a = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="a")["id"]
    b = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="b")["id"]
    child = apigw_v1.create_resource(restApiId=api_id, parentId=a, pathPart="{id}")["id"]
    renamed = apigw_v1.update_resource(
        restApiId=api_id,
        resourceId=a,
        patchOperations=[{"op": "replace", "path": "/pathPart", "value": "orders"}],
    )
    assert renamed["path"] == "/orders" and renamed["pathPart"] == "orders"
    assert apigw_v1.get_resource(restApiId=api_id, resourceId=child)["path"] == "/orders/{id}"
    moved = apigw_v1.update_resource(
        restApiId=api_id,
        resourceId=a,
        patchOperations=[{"op": "replace", "path": "/parentId", "value": b}],
    )
    assert moved["path"] == "/b/orders" and moved["parentId"] == b
    assert _paths(apigw_v1, api_id)["/b/orders/{id}"] == child
    bad = [
        ([{"op": "replace", "path": "/parentId", "value": child}], "BadRequestException"),
        ([{"op": "replace", "path": "/pathPart", "value": "b"}], None),
        ([{"op": "replace", "path": "/pathPart", "value": "no spaces"}], "BadRequestException"),
        ([{"op": "replace", "path": "/parentId", "value": "missing"}], "NotFoundException"),
        ([{"op": "replace", "path": "/nope", "value": "x"}], "BadRequestException"),
    ]
    apigw_v1.create_resource(restApiId=api_id, parentId=b, pathPart="taken")
    bad[1] = ([{"op": "replace", "path": "/pathPart", "value": "taken"}], "ConflictException")
    for operations, code in bad:
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.update_resource(restApiId=api_id, resourceId=a, patchOperations=operations)
        assert _error(excinfo)["Code"] == code, operations
    assert _paths(apigw_v1, api_id)["/b/orders"] == a  # nothing changed by the refusals
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_resource(
            restApiId=api_id,
            resourceId=root,
            patchOperations=[{"op": "replace", "path": "/pathPart", "value": "x"}],
        )
    assert _error(excinfo) == {
        "Code": "BadRequestException",
        "Message": "Root resource cannot be modified",
    }


def test_moved_resource_is_served_at_its_new_path(
    server: ServerProcess, apigw_v1: Any, echo_function: str
) -> None:
    api_id = apigw_v1.create_rest_api(name="served-move")["id"]
    root = _paths(apigw_v1, api_id)["/"]
    old = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="old")["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=old, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=old,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=_invoke_uri(echo_function),
    )
    apigw_v1.update_resource(
        restApiId=api_id,
        resourceId=old,
        patchOperations=[{"op": "replace", "path": "/pathPart", "value": "new"}],
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    assert httpx.get(path_url(server, api_id, "/s/new")).json()["resource"] == "/new"
    assert httpx.get(path_url(server, api_id, "/s/old")).status_code == 403


def test_method_responses(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="method-responses")["id"]
    root = _paths(apigw_v1, api_id)["/"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    ids = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    apigw_v1.put_method_response(
        **ids, statusCode="200", responseParameters={"method.response.header.x-a": False}
    )
    got = apigw_v1.get_method_response(**ids, statusCode="200")
    assert got["statusCode"] == "200"
    assert got["responseParameters"] == {"method.response.header.x-a": False}
    updated = apigw_v1.update_method_response(
        **ids,
        statusCode="200",
        patchOperations=[
            {
                "op": "add",
                "path": "/responseParameters/method.response.header.x-b",
                "value": "true",
            },
            {"op": "remove", "path": "/responseParameters/method.response.header.x-a"},
            {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"},
        ],
    )
    assert updated["responseParameters"] == {"method.response.header.x-b": True}
    assert updated["responseModels"] == {"application/json": "Empty"}
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_method_response(
            **ids, statusCode="200", patchOperations=[{"op": "replace", "path": "/x", "value": "1"}]
        )
    assert _error(excinfo)["Code"] == "BadRequestException"
    apigw_v1.delete_method_response(**ids, statusCode="200")
    for call in (apigw_v1.get_method_response, apigw_v1.delete_method_response):
        with pytest.raises(ClientError) as excinfo:
            call(**ids, statusCode="200")
        assert _error(excinfo) == {
            "Code": "NotFoundException",
            "Message": "Invalid Response status code specified",
        }


def test_update_deployment_and_authorizer(apigw_v1: Any, echo_function: str) -> None:
    api_id = apigw_v1.create_rest_api(name="updates")["id"]
    root = _paths(apigw_v1, api_id)["/"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw_v1.create_deployment(restApiId=api_id, description="first")["id"]
    updated = apigw_v1.update_deployment(
        restApiId=api_id,
        deploymentId=deployment,
        patchOperations=[{"op": "replace", "path": "/description", "value": "second"}],
    )
    assert updated["description"] == "second"
    assert apigw_v1.get_deployment(restApiId=api_id, deploymentId=deployment)["description"] == (
        "second"
    )
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_deployment(
            restApiId=api_id,
            deploymentId=deployment,
            patchOperations=[{"op": "replace", "path": "/stageName", "value": "x"}],
        )
    assert _error(excinfo)["Code"] == "BadRequestException"
    authorizer = apigw_v1.create_authorizer(
        restApiId=api_id,
        name="auth",
        type="TOKEN",
        authorizerUri=_invoke_uri(echo_function),
        identitySource="method.request.header.Authorization",
    )["id"]
    changed = apigw_v1.update_authorizer(
        restApiId=api_id,
        authorizerId=authorizer,
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"},
            {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "60"},
            {"op": "replace", "path": "/identitySource", "value": "method.request.header.X-T"},
        ],
    )
    assert changed["name"] == "renamed" and changed["authorizerResultTtlInSeconds"] == 60
    assert changed["identitySource"] == "method.request.header.X-T"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_authorizer(
            restApiId=api_id,
            authorizerId=authorizer,
            patchOperations=[
                {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "9999"}
            ],
        )
    assert _error(excinfo)["Code"] == "BadRequestException"
    assert (
        apigw_v1.get_authorizer(restApiId=api_id, authorizerId=authorizer)[
            "authorizerResultTtlInSeconds"
        ]
        == 60
    )


def test_update_api_key_and_usage_plan(apigw_v1: Any) -> None:
    key = apigw_v1.create_api_key(name="k1", enabled=False)
    updated = apigw_v1.update_api_key(
        apiKey=key["id"],
        patchOperations=[
            {"op": "replace", "path": "/enabled", "value": "true"},
            {"op": "replace", "path": "/description", "value": "partner"},
            {"op": "replace", "path": "/customerId", "value": "c-9"},
        ],
    )
    assert updated["enabled"] is True and updated["description"] == "partner"
    assert updated["customerId"] == "c-9" and "value" not in updated
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_api_key(
            apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/value", "value": "x"}]
        )
    assert _error(excinfo)["Code"] == "BadRequestException"
    plan = apigw_v1.create_usage_plan(name="p1")
    apigw_v1.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert apigw_v1.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])["name"] == "k1"
    assert [p["id"] for p in apigw_v1.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    other = apigw_v1.create_api_key(name="k2")
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_usage_plan_key(usagePlanId=plan["id"], keyId=other["id"])
    assert _error(excinfo)["Code"] == "NotFoundException"
    changed = apigw_v1.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "replace", "path": "/name", "value": "p2"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "5"},
            {"op": "replace", "path": "/throttle/burstLimit", "value": "10"},
            {"op": "replace", "path": "/quota/limit", "value": "100"},
            {"op": "replace", "path": "/quota/period", "value": "WEEK"},
        ],
    )
    assert changed["name"] == "p2"
    assert changed["throttle"] == {"rateLimit": 5.0, "burstLimit": 10}
    assert changed["quota"]["limit"] == 100 and changed["quota"]["period"] == "WEEK"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[
                {"op": "replace", "path": "/name", "value": "p3"},
                {"op": "replace", "path": "/quota/period", "value": "YEAR"},
            ],
        )
    assert _error(excinfo)["Code"] == "BadRequestException"
    unchanged = apigw_v1.get_usage_plan(usagePlanId=plan["id"])
    assert unchanged["quota"]["period"] == "WEEK" and unchanged["name"] == "p2"  # all or nothing
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_usage_plan(
            usagePlanId=plan["id"],
            patchOperations=[{"op": "add", "path": "/apiStages", "value": "nope000000:prod"}],
        )
    assert _error(excinfo)["Code"] == "NotFoundException"


SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "imported", "version": "1"},
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "x-amazon-apigateway-gateway-responses": {
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": 404,
            "responseParameters": {"gatewayresponse.header.x-imported": "'yes'"},
            "responseTemplates": {"application/json": '{"nope": true}'},
        }
    },
    "paths": {
        "/pets/{id}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseTemplates": {
                                "application/json": '{"pet": "$input.params(\'id\')"}'
                            },
                        }
                    },
                },
            }
        }
    },
}


def test_import_serve_put_and_export(server: ServerProcess, apigw_v1: Any) -> None:
    api = apigw_v1.import_rest_api(body=json.dumps(SWAGGER).encode())
    api_id = api["id"]
    assert api["name"] == "imported" and api["binaryMediaTypes"] == ["image/png"]
    assert set(_paths(apigw_v1, api_id)) == {"/", "/pets", "/pets/{id}"}
    apigw_v1.create_deployment(restApiId=api_id, stageName="v1")
    assert httpx.get(path_url(server, api_id, "/v1/pets/7")).json() == {"pet": "7"}
    missing = httpx.get(path_url(server, api_id, "/v1/cats"))
    assert missing.status_code == 404 and missing.headers["x-imported"] == "yes"
    # merge adds a path (YAML this time); overwrite replaces the whole tree.
    merge = {
        "openapi": "3.0.1",
        "info": {"title": "imported"},
        "paths": {"/owners": {"post": {"x-amazon-apigateway-integration": {"type": "mock"}}}},
    }
    apigw_v1.put_rest_api(restApiId=api_id, mode="merge", body=yaml.safe_dump(merge).encode())
    assert set(_paths(apigw_v1, api_id)) == {"/", "/pets", "/pets/{id}", "/owners"}
    root_before = _paths(apigw_v1, api_id)["/"]
    apigw_v1.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(merge).encode())
    assert set(_paths(apigw_v1, api_id)) == {"/", "/owners"}
    assert _paths(apigw_v1, api_id)["/"] == root_before
    assert apigw_v1.get_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )["defaultResponse"]
    exported = apigw_v1.get_export(
        restApiId=api_id,
        stageName="v1",
        exportType="oas30",
        parameters={"extensions": "apigateway"},
    )
    assert exported["contentType"] == "application/json"
    document = json.loads(exported["body"].read())
    assert document["openapi"] == "3.0.1" and document["info"]["title"] == "imported"
    # The stage still serves its deployment: the export is of what v1 serves.
    assert set(document["paths"]) == {"/pets/{id}"}
    operation = document["paths"]["/pets/{id}"]["get"]
    assert operation["x-amazon-apigateway-integration"]["type"] == "mock"
    assert (
        document["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"][
            "statusCode"
        ]
        == "404"
    )
    swagger = apigw_v1.get_export(
        restApiId=api_id, stageName="v1", exportType="swagger", accepts="application/yaml"
    )
    assert swagger["contentType"] == "application/yaml"
    loaded = yaml.safe_load(swagger["body"].read())
    assert loaded["swagger"] == "2.0" and loaded["basePath"] == "/v1"
    assert "x-amazon-apigateway-integration" not in loaded["paths"]["/pets/{id}"]["get"]
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_export(restApiId=api_id, stageName="v1", exportType="raml")
    assert _error(excinfo)["Code"] == "BadRequestException"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not: [valid",
        b'{"no": "openapi key"}',
        json.dumps({"swagger": "2.0", "paths": {}}).encode(),  # no title
        json.dumps(
            {
                "swagger": "2.0",
                "info": {"title": "bad"},
                "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {"type": "http"}}}},
            }
        ).encode(),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "empty",
        "broken-yaml",
        "not-openapi",
        "no-title",
        "integration-without-uri",
        "nested-too-deep",
    ],
)
def test_import_refuses_bad_definitions(apigw_v1: Any, body: bytes) -> None:
    before = {a["id"] for a in apigw_v1.get_rest_apis(limit=500)["items"]}
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.import_rest_api(body=body)
    # (an empty body is refused by the model's check, body being required, before ours:
    # API Gateway calls that a BadRequestException too)
    assert _error(excinfo)["Code"] == "BadRequestException"
    assert {a["id"] for a in apigw_v1.get_rest_apis(limit=500)["items"]} == before


def test_put_rest_api_failure_changes_nothing(apigw_v1: Any) -> None:
    api_id = apigw_v1.import_rest_api(body=json.dumps(SWAGGER).encode())["id"]
    broken = {
        "swagger": "2.0",
        "info": {"title": "x"},
        "paths": {
            "/fine": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}},
            "/bad": {"get": {"x-amazon-apigateway-integration": {"type": "http"}}},
        },
    }
    with pytest.raises(ClientError):
        apigw_v1.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(broken).encode())
    assert set(_paths(apigw_v1, api_id)) == {"/", "/pets", "/pets/{id}"}
    assert apigw_v1.get_rest_api(restApiId=api_id)["name"] == "imported"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.put_rest_api(restApiId=api_id, mode="replace", body=json.dumps(SWAGGER).encode())
    assert _error(excinfo)["Code"] == "BadRequestException"


def test_tags_of_apis_and_stages(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="tagged", tags={"a": "1"})["id"]
    root = _paths(apigw_v1, api_id)["/"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    api_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    stage_arn = f"{api_arn}/stages/prod"
    apigw_v1.tag_resource(resourceArn=api_arn, tags={"b": "2"})
    apigw_v1.tag_resource(resourceArn=stage_arn, tags={"env": "prod"})
    assert apigw_v1.get_tags(resourceArn=api_arn)["tags"] == {"a": "1", "b": "2"}
    assert apigw_v1.get_rest_api(restApiId=api_id)["tags"] == {"a": "1", "b": "2"}
    assert apigw_v1.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"env": "prod"}
    apigw_v1.untag_resource(resourceArn=api_arn, tagKeys=["a", "missing"])
    assert apigw_v1.get_tags(resourceArn=api_arn)["tags"] == {"b": "2"}
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_tags(resourceArn="arn:aws:apigateway:us-east-1::/restapis/nope000000")
    assert _error(excinfo)["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.tag_resource(resourceArn="not-an-arn", tags={"x": "y"})
    assert _error(excinfo)["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.tag_resource(resourceArn=api_arn, tags={f"k{i}": "v" for i in range(60)})
    assert _error(excinfo)["Code"] == "BadRequestException"
    assert apigw_v1.get_tags(resourceArn=api_arn)["tags"] == {"b": "2"}


def test_account_settings(apigw_v1: Any) -> None:
    account = apigw_v1.get_account()
    assert account["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    role = "arn:aws:iam::000000000000:role/apigw-logs"
    updated = apigw_v1.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )
    assert updated["cloudwatchRoleArn"] == role
    assert apigw_v1.get_account()["cloudwatchRoleArn"] == role
    for operation in (
        {"op": "replace", "path": "/cloudwatchRoleArn", "value": "not-a-role"},
        {"op": "replace", "path": "/throttle", "value": "1"},
    ):
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.update_account(patchOperations=[operation])
        assert _error(excinfo)["Code"] == "BadRequestException"
    assert apigw_v1.get_account()["cloudwatchRoleArn"] == role


def test_pagination_of_listings(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="many")["id"]
    root = _paths(apigw_v1, api_id)["/"]
    for index in range(30):
        apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart=f"r{index:02d}")
    first = apigw_v1.get_resources(restApiId=api_id)
    assert len(first["items"]) == 25 and first["position"]  # AWS's default limit
    rest = apigw_v1.get_resources(restApiId=api_id, position=first["position"])
    assert len(rest["items"]) == 6 and "position" not in rest
    seen = [r["path"] for r in first["items"] + rest["items"]]
    assert len(set(seen)) == 31
    paginator = apigw_v1.get_paginator("get_resources")
    pages = list(paginator.paginate(restApiId=api_id, PaginationConfig={"PageSize": 7}))
    assert [len(p["items"]) for p in pages] == [7, 7, 7, 7, 3]
    for limit in (0, 501):
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.get_resources(restApiId=api_id, limit=limit)
        assert _error(excinfo)["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_resources(restApiId=api_id, position="%%%")
    assert _error(excinfo)["Code"] == "BadRequestException"
    for _ in range(3):
        apigw_v1.create_api_key(name="paged-key")
    keys = apigw_v1.get_api_keys(nameQuery="paged-key", limit=2)
    assert len(keys["items"]) == 2 and keys["position"]
    more = apigw_v1.get_api_keys(nameQuery="paged-key", limit=2, position=keys["position"])
    assert len(more["items"]) >= 1


def _aws_cli(server: ServerProcess, home: Path, *args: str) -> str:
    cli = str(Path(sys.executable).with_name("aws"))
    if not Path(cli).exists():
        pytest.skip("the AWS CLI (pip install awscli) is not installed")
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    out = subprocess.run(
        [cli, "--endpoint-url", server.endpoint, "--output", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_aws_cli_import_gateway_responses_and_export(server: ServerProcess, tmp_path: Path) -> None:
    """What a user types: the CLI's own pagination (it follows ``position``), blobs from
    files and the export written to one."""
    definition = tmp_path / "api.json"
    definition.write_text(json.dumps(SWAGGER))
    api = json.loads(
        _aws_cli(
            server, tmp_path, "apigateway", "import-rest-api", "--body", f"fileb://{definition}"
        )
    )
    _aws_cli(
        server,
        tmp_path,
        "apigateway",
        "put-gateway-response",
        "--rest-api-id",
        api["id"],
        "--response-type",
        "UNAUTHORIZED",
        "--status-code",
        "401",
        "--response-parameters",
        json.dumps({"gatewayresponse.header.WWW-Authenticate": "'Bearer'"}),
    )
    # A page size of 5 makes the CLI follow position through five pages.
    listed = json.loads(
        _aws_cli(
            server,
            tmp_path,
            "apigateway",
            "get-gateway-responses",
            "--rest-api-id",
            api["id"],
            "--page-size",
            "5",
        )
    )
    kinds = {i["responseType"]: i for i in listed["items"]}
    assert len(kinds) == 21
    assert kinds["UNAUTHORIZED"]["defaultResponse"] is False
    assert kinds["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"  # imported
    _aws_cli(
        server,
        tmp_path,
        "apigateway",
        "create-deployment",
        "--rest-api-id",
        api["id"],
        "--stage-name",
        "cli",
    )
    exported = tmp_path / "export.json"
    _aws_cli(
        server,
        tmp_path,
        "apigateway",
        "get-export",
        "--rest-api-id",
        api["id"],
        "--stage-name",
        "cli",
        "--export-type",
        "swagger",
        "--parameters",
        "extensions=integrations",
        str(exported),
    )
    document = json.loads(exported.read_text())
    assert document["basePath"] == "/cli"
    assert document["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"]["type"] == (
        "mock"
    )


@pytest.mark.parametrize("path", ["/gatewayResponses", "/resources", "/stages", "/id"])
def test_update_rest_api_refuses_what_other_operations_own(apigw_v1: Any, path: str) -> None:
    api_id = apigw_v1.create_rest_api(name="guarded")["id"]
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_rest_api(
            restApiId=api_id, patchOperations=[{"op": "replace", "path": path, "value": "x"}]
        )
    assert _error(excinfo)["Code"] == "BadRequestException"
    assert apigw_v1.get_gateway_responses(restApiId=api_id)["items"]  # still whole
    assert _paths(apigw_v1, api_id) and apigw_v1.get_rest_api(restApiId=api_id)["id"] == api_id


VALIDATED = {
    "openapi": "3.0.1",
    "info": {"title": "validated"},
    "x-amazon-apigateway-request-validators": {
        "all": {"validateRequestBody": True, "validateRequestParameters": True},
        "params": {"validateRequestBody": False, "validateRequestParameters": True},
    },
    "x-amazon-apigateway-request-validator": "params",
    "paths": {
        "/pets": {
            "post": {
                "x-amazon-apigateway-request-validator": "all",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                    }
                },
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                },
            },
            "get": {
                "parameters": [{"name": "kind", "in": "query", "required": True}],
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {"default": {"statusCode": "200"}},
                },
            },
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                },
            },
            "Owner": {"type": "object", "properties": {"id": {"type": "integer"}}},
        }
    },
}


def test_import_brings_models_and_request_validators(server: ServerProcess, apigw_v1: Any) -> None:
    """ImportRestApi itself (not only a stack's Body) makes the definition's schemas
    models, its validators request validators, and sets each method's validator (its own,
    else the document's) and body models; a stage then refuses what they refuse."""
    api_id = apigw_v1.import_rest_api(body=json.dumps(VALIDATED).encode())["id"]
    models = {m["name"]: m for m in apigw_v1.get_models(restApiId=api_id)["items"]}
    assert {"Pet", "Owner", "Empty", "Error"} <= set(models)
    owner_ref = f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Owner"
    assert json.loads(models["Pet"]["schema"])["properties"]["owner"] == {"$ref": owner_ref}
    validators = {
        v["name"]: v["id"] for v in apigw_v1.get_request_validators(restApiId=api_id)["items"]
    }
    assert set(validators) == {"all", "params"}
    pets = _paths(apigw_v1, api_id)["/pets"]
    post = apigw_v1.get_method(restApiId=api_id, resourceId=pets, httpMethod="POST")
    assert post["requestValidatorId"] == validators["all"]
    assert post["requestModels"] == {"application/json": "Pet"}
    get = apigw_v1.get_method(restApiId=api_id, resourceId=pets, httpMethod="GET")
    assert get["requestValidatorId"] == validators["params"]
    assert get["requestParameters"] == {"method.request.querystring.kind": True}
    apigw_v1.create_deployment(restApiId=api_id, stageName="v1")
    base = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/v1/pets"
    assert httpx.post(base, json={"name": "rex"}).status_code == 200
    refused = httpx.post(base, json={"owner": {"id": 1}})
    assert refused.status_code == 400
    assert refused.json() == {"message": "Invalid request body"}
    assert httpx.get(base).json() == {"message": "Missing required request parameters: [kind]"}
    assert httpx.get(base, params={"kind": "dog"}).status_code == 200
    # overwrite: what the new definition lacks is gone (its validators, its models)
    bare = {"openapi": "3.0.1", "info": {"title": "validated"}, "paths": {}}
    apigw_v1.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(bare).encode())
    assert apigw_v1.get_request_validators(restApiId=api_id)["items"] == []
    names = {m["name"] for m in apigw_v1.get_models(restApiId=api_id)["items"]}
    assert names == {"Empty", "Error"}
