"""ImportApi, ReimportApi and ExportApi of HTTP APIs over boto3, the imported API served
over real HTTP, an export imported back, AWS's errors, and hostile definitions (huge,
thousands of paths, nested without end)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import yaml
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess
from tests.gateway.conftest import function_arn, path_url


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _definition(function: str) -> dict[str, Any]:
    lambda_integration = {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": function_arn(function),
        "payloadFormatVersion": "2.0",
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": "pets", "version": "7", "description": "imported"},
        "servers": [{"url": "https://example.com/v1/api"}],
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "x-amazon-apigateway-integration": lambda_integration,
                    "security": [{"jwt": ["read"]}],
                },
                "post": {
                    "x-amazon-apigateway-integration": {
                        "$ref": "#/components/x-amazon-apigateway-integrations/echo"
                    }
                },
            },
            "/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True}],
                "get": {"x-amazon-apigateway-integration": lambda_integration},
            },
            "/custom": {
                "get": {
                    "x-amazon-apigateway-integration": lambda_integration,
                    "security": [{"gate": []}],
                }
            },
            "/iam": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": lambda_integration,
                    "security": [{"sigv4": []}],
                }
            },
            "/$default": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": lambda_integration
                }
            },
        },
        "components": {
            "securitySchemes": {
                "jwt": {
                    "type": "oauth2",
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": "$request.header.Authorization",
                        "jwtConfiguration": {
                            "issuer": "https://issuer.example.com",
                            "audience": ["pets"],
                        },
                    },
                },
                "gate": {
                    "type": "apiKey",
                    "name": "Unused",
                    "in": "header",
                    "x-amazon-apigateway-authorizer": {
                        "type": "request",
                        "identitySource": "$request.header.x-token, $request.querystring.t",
                        "authorizerUri": function_arn(function),
                        "authorizerPayloadFormatVersion": "2.0",
                        "enableSimpleResponses": True,
                        "authorizerResultTtlInSeconds": 0,
                    },
                },
                "sigv4": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                },
            },
            "x-amazon-apigateway-integrations": {"echo": lambda_integration},
        },
        "x-amazon-apigateway-cors": {"allowOrigins": ["https://a.example"], "maxAge": 60},
        "tags": [{"name": "team", "x-amazon-apigateway-tag-value": "pets"}, {"name": "bare"}],
    }


def _shape(apigw: Any, api_id: str) -> dict[str, Any]:
    """Routes with their integration and authorizer, comparable across two APIs."""
    integrations = {
        i["IntegrationId"]: (
            i["IntegrationType"],
            i.get("IntegrationUri"),
            i.get("PayloadFormatVersion"),
        )
        for i in apigw.get_integrations(ApiId=api_id)["Items"]
    }
    authorizers = {
        a["AuthorizerId"]: (a["Name"], a["AuthorizerType"], tuple(a.get("IdentitySource") or []))
        for a in apigw.get_authorizers(ApiId=api_id)["Items"]
    }
    api = apigw.get_api(ApiId=api_id)
    return {
        "name": api["Name"],
        "cors": api.get("CorsConfiguration"),
        "tags": api.get("Tags"),
        "routes": {
            r["RouteKey"]: (
                integrations.get((r.get("Target") or "/").split("/")[1]),
                r.get("AuthorizationType"),
                authorizers.get(r.get("AuthorizerId", "")),
                tuple(r.get("AuthorizationScopes") or []),
            )
            for r in apigw.get_routes(ApiId=api_id)["Items"]
        },
    }


def test_import_serves_and_exports_round_trip(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    imported = apigw.import_api(Body=json.dumps(_definition(echo_function)))
    api_id = imported["ApiId"]
    assert imported["Name"] == "pets" and imported["ProtocolType"] == "HTTP"
    assert imported["Version"] == "7" and imported["Description"] == "imported"
    assert imported["CorsConfiguration"] == {"AllowOrigins": ["https://a.example"], "MaxAge": 60}
    assert "Warnings" not in imported
    assert imported["Tags"] == {"team": "pets", "bare": ""}
    shape = _shape(apigw, api_id)
    assert set(shape["routes"]) == {
        "GET /pets",
        "POST /pets",
        "GET /pets/{id}",
        "GET /custom",
        "ANY /iam",
        "$default",
    }
    lambda_target = ("AWS_PROXY", function_arn(echo_function), "2.0")
    assert shape["routes"]["GET /pets"] == (
        lambda_target,
        "JWT",
        ("jwt", "JWT", ("$request.header.Authorization",)),
        ("read",),
    )
    assert shape["routes"]["GET /custom"][1:3] == (
        "CUSTOM",
        ("gate", "REQUEST", ("$request.header.x-token", "$request.querystring.t")),
    )
    assert shape["routes"]["ANY /iam"][1] == "AWS_IAM"
    assert shape["routes"]["POST /pets"][0] == lambda_target
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api_id)["Items"]}
    assert routes["GET /pets"]["OperationName"] == "listPets"

    # the imported API serves: its $default stage deploys it, the function answers
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    answer = httpx.get(path_url(server, api_id, "/pets/42"), timeout=30)
    assert answer.status_code == 200
    event = answer.json()
    assert event["routeKey"] == "GET /pets/{id}" and event["pathParameters"] == {"id": "42"}

    # export (JSON and YAML) and import the export: the same API comes back
    for output in ("JSON", "YAML"):
        body = apigw.export_api(ApiId=api_id, Specification="OAS30", OutputType=output)[
            "body"
        ].read()
        document = json.loads(body) if output == "JSON" else yaml.safe_load(body)
        assert document["openapi"] == "3.0.1" and document["info"]["title"] == "pets"
        item = document["paths"]["/pets/{id}"]
        assert item["parameters"] == [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ]
        assert item["get"]["x-amazon-apigateway-integration"]["uri"] == function_arn(echo_function)
        assert document["x-amazon-apigateway-cors"]["allowOrigins"] == ["https://a.example"]
        again = apigw.import_api(Body=body.decode())["ApiId"]
        assert _shape(apigw, again) == shape
        apigw.delete_api(ApiId=again)

    # the stage's deployment, without extensions
    staged = json.loads(
        apigw.export_api(
            ApiId=api_id,
            Specification="OAS30",
            OutputType="JSON",
            StageName="$default",
            IncludeExtensions=False,
        )["body"].read()
    )
    assert "x-amazon-apigateway-any-method" in staged["paths"]["/$default"]
    assert "x-amazon-apigateway-cors" not in staged
    text = json.dumps(staged)
    assert "x-amazon-apigateway-integration" not in text
    assert "x-amazon-apigateway-authorizer" not in text


def test_reimport_replaces_and_a_failed_one_changes_nothing(apigw: Any, echo_function: str) -> None:
    api_id = apigw.import_api(Body=json.dumps(_definition(echo_function)))["ApiId"]
    apigw.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    before = _shape(apigw, api_id)
    broken = _definition(echo_function)
    broken["paths"]["/new"] = {
        "get": {
            "x-amazon-apigateway-integration": {
                "type": "aws_proxy",
                "uri": function_arn(echo_function),
                "payloadFormatVersion": "3.0",
            }
        }
    }
    code, message = _error(lambda: apigw.reimport_api(ApiId=api_id, Body=json.dumps(broken)))
    assert code == "BadRequestException"
    assert message == (
        "Unable to create integration for route GET /new: PayloadFormatVersion must be 1.0 or 2.0."
    )
    assert _shape(apigw, api_id) == before
    smaller = {
        "openapi": "3.0.1",
        "info": {"title": "smaller"},
        "paths": {
            "/only": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "http_proxy",
                        "httpMethod": "GET",
                        "uri": "https://example.com/",
                        "payloadFormatVersion": "1.0",
                    }
                }
            }
        },
    }
    reimported = apigw.reimport_api(ApiId=api_id, Body=yaml.safe_dump(smaller))
    assert reimported["Name"] == "smaller" and "CorsConfiguration" not in reimported
    after = _shape(apigw, api_id)
    assert after["routes"] == {
        "GET /only": (("HTTP_PROXY", "https://example.com/", "1.0"), "NONE", None, ())
    }
    assert apigw.get_authorizers(ApiId=api_id)["Items"] == []
    assert [s["StageName"] for s in apigw.get_stages(ApiId=api_id)["Items"]] == ["live"]
    websocket = apigw.create_api(
        Name="w", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a"
    )["ApiId"]
    assert _error(lambda: apigw.reimport_api(ApiId=websocket, Body=yaml.safe_dump(smaller))) == (
        "BadRequestException",
        "Reimport is supported only for HTTP APIs.",
    )
    assert _error(
        lambda: apigw.export_api(ApiId=websocket, Specification="OAS30", OutputType="JSON")
    ) == ("BadRequestException", "Export is supported only for HTTP APIs.")


def test_basepath_modes(apigw: Any) -> None:
    document = {
        "openapi": "3.0.1",
        "info": {"title": "based"},
        "servers": [
            {"url": "https://example.com/{stage}/v2", "variables": {"stage": {"default": "prod"}}}
        ],
        "paths": {"/items": {"get": {}}},
    }
    body = json.dumps(document)
    keys = {}
    for mode in (None, "ignore", "prepend", "split"):
        params = {"Body": body} if mode is None else {"Body": body, "Basepath": mode}
        api_id = apigw.import_api(**params)["ApiId"]
        keys[mode] = [r["RouteKey"] for r in apigw.get_routes(ApiId=api_id)["Items"]]
    assert keys == {
        None: ["GET /items"],
        "ignore": ["GET /items"],
        "prepend": ["GET /prod/v2/items"],
        "split": ["GET /v2/items"],
    }
    assert _error(lambda: apigw.import_api(Body=body, Basepath="merge")) == (
        "BadRequestException",
        "Invalid basepath specified: merge. Valid values are: [ignore, prepend, split]",
    )


def test_warnings_and_fail_on_warnings(apigw: Any) -> None:
    document = {
        "openapi": "3.0.1",
        "info": {"title": "warned"},
        "paths": {"/a": {"get": {"security": [{"nobody": []}]}}},
        "x-amazon-apigateway-request-validators": {},
    }
    count = len(apigw.get_apis()["Items"])
    code, message = _error(lambda: apigw.import_api(Body=json.dumps(document), FailOnWarnings=True))
    assert code == "BadRequestException"
    assert message == (
        "Warnings found during import:\n"
        "\tParse issue: attribute x-amazon-apigateway-request-validators is not supported "
        "for HTTP APIs\n"
        "\tUnknown security scheme nobody on route GET /a"
    )
    assert len(apigw.get_apis()["Items"]) == count
    imported = apigw.import_api(Body=json.dumps(document))
    assert len(imported["Warnings"]) == 2
    route = apigw.get_routes(ApiId=imported["ApiId"])["Items"][0]
    assert route["RouteKey"] == "GET /a" and route["AuthorizationType"] == "NONE"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Invalid OpenAPI input."),
        ("just text", "Invalid OpenAPI input."),
        ('{"info": {"title": "x"}, "paths": {}}', "Invalid OpenAPI input."),
        (
            '{"openapi": "3.0.1", "info": {}, "paths": {}}',
            "Invalid OpenAPI input: info.title is required",
        ),
        ('{"openapi": "3.0.1", "info": {"title": "t"}, "paths": []}', "Invalid OpenAPI input."),
        ("a: " + "[" * 5000 + "]" * 5000, "Invalid OpenAPI input."),
    ],
    ids=["empty", "text", "no-version", "no-title", "paths-list", "nested-yaml"],
)
def test_import_bad_definitions(apigw: Any, body: str, message: str) -> None:
    count = len(apigw.get_apis()["Items"])
    assert _error(lambda: apigw.import_api(Body=body)) == ("BadRequestException", message)
    assert len(apigw.get_apis()["Items"]) == count


def test_export_bad_input(apigw: Any) -> None:
    api_id = apigw.create_api(Name="e", ProtocolType="HTTP")["ApiId"]
    assert _error(
        lambda: apigw.export_api(ApiId=api_id, Specification="OAS30", OutputType="XML")
    ) == ("BadRequestException", "Invalid outputType specified: XML. Valid: JSON, YAML")
    assert _error(
        lambda: apigw.export_api(ApiId=api_id, Specification="OAS20", OutputType="JSON")
    ) == ("BadRequestException", "Invalid specification specified: OAS20. Valid: OAS30")
    assert _error(
        lambda: apigw.export_api(
            ApiId=api_id, Specification="OAS30", OutputType="JSON", StageName="none"
        )
    ) == ("NotFoundException", "Invalid stage identifier specified 000000000000:none")
    assert _error(
        lambda: apigw.export_api(
            ApiId=api_id, Specification="OAS30", OutputType="JSON", ExportVersion="2.0"
        )
    ) == ("BadRequestException", "Invalid exportVersion specified: 2.0. Valid: 1.0")
    assert _error(
        lambda: apigw.export_api(ApiId="nope", Specification="OAS30", OutputType="JSON")
    ) == ("NotFoundException", "Invalid API identifier specified 000000000000:nope")


def test_hostile_definitions(apigw: Any, echo_function: str) -> None:
    count = len(apigw.get_apis()["Items"])
    huge = json.dumps(
        {"openapi": "3.0.1", "info": {"title": "huge", "description": "x" * (7 * 1024 * 1024)}}
    )
    code, message = _error(lambda: apigw.import_api(Body=huge))
    assert code == "BadRequestException" and "too large" in message
    assert len(apigw.get_apis()["Items"]) == count
    integration = {
        "type": "aws_proxy",
        "uri": function_arn(echo_function),
        "payloadFormatVersion": "2.0",
    }
    many = {
        "openapi": "3.0.1",
        "info": {"title": "many"},
        "paths": {
            f"/p{n}/{{id}}": {"get": {"x-amazon-apigateway-integration": integration}}
            for n in range(3000)
        },
    }
    api_id = apigw.import_api(Body=json.dumps(many))["ApiId"]
    seen: list[str] = []
    token = None
    while True:
        page = apigw.get_routes(
            ApiId=api_id, MaxResults="1000", **({"NextToken": token} if token else {})
        )
        seen.extend(r["RouteKey"] for r in page["Items"])
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 3000 and len(set(seen)) == 3000
    assert "GET /p2999/{id}" in seen
    assert len(apigw.get_integrations(ApiId=api_id)["Items"]) == 3000


ALIAS_BOMB = """
openapi: 3.0.1
info: {title: bomb}
x-a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
x-amazon-apigateway-cors: {allowOrigins: *g}
paths: {}
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            ALIAS_BOMB,
            "Invalid OpenAPI input: x-amazon-apigateway-cors.allowOrigins must be a string",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": ["a"]}, "paths": {}}',
            "Invalid OpenAPI input: info.title must be a string",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "t"}, "components": [1], "paths": '
            '{"/a": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", '
            '"uri": ["x"], "payloadFormatVersion": "2.0"}}}}}',
            "Invalid OpenAPI input: uri must be a string",
        ),
        (
            '{"openapi": "3.0.1", "info": {"title": "t"}, "x-amazon-apigateway-cors": '
            '{"maxAge": "soon"}, "paths": {}}',
            "Invalid OpenAPI input: x-amazon-apigateway-cors.maxAge must be an integer",
        ),
    ],
    ids=["yaml-alias-bomb", "title-list", "uri-list", "max-age-text"],
)
def test_import_refuses_values_of_the_wrong_kind(apigw: Any, body: str, message: str) -> None:
    count = len(apigw.get_apis()["Items"])
    assert _error(lambda: apigw.import_api(Body=body)) == ("BadRequestException", message)
    assert len(apigw.get_apis()["Items"]) == count
