"""Stacks that deploy validated REST APIs: AWS::ApiGateway::Model and RequestValidator
with a method that names them, and OpenAPI 2 and 3 bodies with schemas and
``x-amazon-apigateway-request-validator(s)``; each served and checked over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

PET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}},
}
MOCK_OK = {
    "type": "mock",
    "requestTemplates": {"application/json": '{"statusCode": 200}'},
    "responses": {"default": {"statusCode": "200"}},
}


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _create(cfn: Any, template: dict[str, Any]) -> tuple[str, dict[str, str]]:
    name = stack_name("valid")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = settle(cfn, name)
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", [
        e.get("ResourceStatusReason") for e in events if "FAILED" in e["ResourceStatus"]
    ]
    return name, outputs(stack)


def _url(server: ServerProcess, api_id: str, path: str) -> str:
    return f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}{path}"


def _refused(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"message": message}
    assert response.headers["x-amzn-errortype"] == "BadRequestException"


def _resources_template(schema: dict[str, Any], body_check: bool) -> dict[str, Any]:
    return {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "validated"}},
            "PetModel": {
                "Type": "AWS::ApiGateway::Model",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "Name": "Pet",
                    "ContentType": "application/json",
                    "Schema": schema,
                },
            },
            "Validator": {
                "Type": "AWS::ApiGateway::RequestValidator",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "Name": "everything",
                    "ValidateRequestBody": body_check,
                    "ValidateRequestParameters": "true",
                },
            },
            "Pets": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                    "PathPart": "pets",
                },
            },
            "Post": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ResourceId": {"Ref": "Pets"},
                    "HttpMethod": "POST",
                    "AuthorizationType": "NONE",
                    "RequestValidatorId": {"Ref": "Validator"},
                    "RequestModels": {"application/json": {"Ref": "PetModel"}},
                    "RequestParameters": {"method.request.querystring.owner": True},
                    "Integration": {
                        "Type": "MOCK",
                        "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                        "IntegrationResponses": [{"StatusCode": "200"}],
                    },
                    "MethodResponses": [{"StatusCode": "200"}],
                },
            },
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": ["Post"],
                "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"},
            },
        },
        "Outputs": {
            "Api": {"Value": {"Ref": "Api"}},
            "Model": {"Value": {"Ref": "PetModel"}},
            "Validator": {"Value": {"Ref": "Validator"}},
            "ValidatorId": {"Value": {"Fn::GetAtt": ["Validator", "RequestValidatorId"]}},
        },
    }


def test_model_and_validator_resources(cfn: Any, server: ServerProcess, apigw_v1: Any) -> None:
    name, out = _create(cfn, _resources_template(PET, True))
    api_id = out["Api"]
    assert out["Model"] == "Pet" and out["Validator"] == out["ValidatorId"]
    model = apigw_v1.get_model(restApiId=api_id, modelName="Pet")
    assert json.loads(model["schema"]) == PET
    validator = apigw_v1.get_request_validator(
        restApiId=api_id, requestValidatorId=out["Validator"]
    )
    assert validator["validateRequestBody"] and validator["validateRequestParameters"]
    resources = {r["path"]: r["id"] for r in apigw_v1.get_resources(restApiId=api_id)["items"]}
    method = apigw_v1.get_method(restApiId=api_id, resourceId=resources["/pets"], httpMethod="POST")
    assert method["requestValidatorId"] == out["Validator"]
    assert method["requestModels"] == {"application/json": "Pet"}
    assert method["requestParameters"] == {"method.request.querystring.owner": True}

    url = _url(server, api_id, "/prod/pets")
    assert httpx.post(url + "?owner=ann", json={"name": "Rex"}).status_code == 200
    _refused(httpx.post(url, json={"name": "Rex"}), "Missing required request parameters: [owner]")
    _refused(httpx.post(url + "?owner=ann", json={"age": 1}), "Invalid request body")

    # The schema changes in place; the validator stops checking bodies.
    loose = {"type": "object"}
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(_resources_template(loose, False)))
    wait_stack(cfn, name, "stack_update_complete")
    assert json.loads(apigw_v1.get_model(restApiId=api_id, modelName="Pet")["schema"]) == loose
    assert not apigw_v1.get_request_validator(
        restApiId=api_id, requestValidatorId=out["Validator"]
    )["validateRequestBody"]
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})
    assert all(a["id"] != api_id for a in apigw_v1.get_rest_apis()["items"])


def _openapi2() -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "pets-v2", "version": "1"},
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
        },
        "x-amazon-apigateway-request-validator": "all",
        "definitions": {
            "Pet": PET,
            "Owner_Input": {
                "type": "object",
                "required": ["pets"],
                "properties": {"pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}},
            },
        },
        "paths": {
            "/pets": {
                "post": {
                    "parameters": [
                        {"in": "body", "name": "pet", "schema": {"$ref": "#/definitions/Pet"}},
                        {"in": "header", "name": "x-owner", "required": True, "type": "string"},
                    ],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK_OK,
                },
                "get": {
                    "x-amazon-apigateway-request-validator": "params-only",
                    "parameters": [
                        {"in": "query", "name": "limit", "required": True, "type": "integer"},
                        {"in": "query", "name": "page", "type": "integer"},
                    ],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK_OK,
                },
            },
            "/owners": {
                "put": {
                    "consumes": ["application/json"],
                    "parameters": [
                        {"in": "body", "name": "o", "schema": {"$ref": "#/definitions/Owner_Input"}}
                    ],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK_OK,
                },
            },
        },
    }


def _openapi3() -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "pets-v3", "version": "1"},
        "x-amazon-apigateway-request-validators": {
            "body": {"validateRequestBody": True, "validateRequestParameters": False},
        },
        "components": {
            "schemas": {"Pet": PET},
            "requestBodies": {
                "PetBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                    }
                }
            },
        },
        "paths": {
            "/pets": {
                "post": {
                    "x-amazon-apigateway-request-validator": "body",
                    "requestBody": {"$ref": "#/components/requestBodies/PetBody"},
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK_OK,
                },
                "put": {
                    "x-amazon-apigateway-request-validator": "body",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {"id": {"type": "integer"}},
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK_OK,
                },
                # No validator: the parameter is imported, not enforced.
                "get": {
                    "parameters": [{"in": "query", "name": "q", "required": True}],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK_OK,
                },
            }
        },
    }


def _body_template(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": body}},
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "v1"},
            },
        },
        "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
    }


def test_openapi_2_models_and_validators(cfn: Any, server: ServerProcess, apigw_v1: Any) -> None:
    _, out = _create(cfn, _body_template(_openapi2()))
    api_id = out["Api"]
    models = {m["name"]: m for m in apigw_v1.get_models(restApiId=api_id)["items"]}
    assert {"Pet", "OwnerInput"} <= set(models)
    owner = json.loads(models["OwnerInput"]["schema"])
    assert owner["properties"]["pets"]["items"] == {
        "$ref": f"https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet"
    }
    validators = {v["name"]: v for v in apigw_v1.get_request_validators(restApiId=api_id)["items"]}
    assert set(validators) == {"all", "params-only"}
    resources = {r["path"]: r["id"] for r in apigw_v1.get_resources(restApiId=api_id)["items"]}
    post = apigw_v1.get_method(restApiId=api_id, resourceId=resources["/pets"], httpMethod="POST")
    assert post["requestValidatorId"] == validators["all"]["id"]
    assert post["requestModels"] == {"application/json": "Pet"}
    assert post["requestParameters"] == {"method.request.header.x-owner": True}
    get = apigw_v1.get_method(restApiId=api_id, resourceId=resources["/pets"], httpMethod="GET")
    assert get["requestValidatorId"] == validators["params-only"]["id"]
    assert get["requestParameters"] == {
        "method.request.querystring.limit": True,
        "method.request.querystring.page": False,
    }

    pets = _url(server, api_id, "/v1/pets")
    assert httpx.post(pets, json={"name": "Rex"}, headers={"x-owner": "ann"}).status_code == 200
    _refused(
        httpx.post(pets, json={"name": "Rex"}), "Missing required request parameters: [x-owner]"
    )
    _refused(httpx.post(pets, json={}, headers={"x-owner": "ann"}), "Invalid request body")
    assert httpx.get(pets + "?limit=5").status_code == 200
    _refused(httpx.get(pets + "?page=2"), "Missing required request parameters: [limit]")
    owners = _url(server, api_id, "/v1/owners")
    assert httpx.put(owners, json={"pets": [{"name": "Rex"}]}).status_code == 200
    _refused(httpx.put(owners, json={"pets": [{"name": 7}]}), "Invalid request body")


def test_openapi_3_models_and_validators(cfn: Any, server: ServerProcess, apigw_v1: Any) -> None:
    _, out = _create(cfn, _body_template(_openapi3()))
    api_id = out["Api"]
    resources = {r["path"]: r["id"] for r in apigw_v1.get_resources(restApiId=api_id)["items"]}
    post = apigw_v1.get_method(restApiId=api_id, resourceId=resources["/pets"], httpMethod="POST")
    assert post["requestModels"] == {"application/json": "Pet"}
    put = apigw_v1.get_method(restApiId=api_id, resourceId=resources["/pets"], httpMethod="PUT")
    inline = put["requestModels"]["application/json"]
    assert inline != "Pet" and inline.isalnum()
    assert json.loads(apigw_v1.get_model(restApiId=api_id, modelName=inline)["schema"])[
        "required"
    ] == ["id"]

    pets = _url(server, api_id, "/v1/pets")
    assert httpx.post(pets, json={"name": "Rex"}).status_code == 200
    _refused(httpx.post(pets, json={"name": 1}), "Invalid request body")
    assert httpx.put(pets, json={"id": 3}).status_code == 200
    _refused(httpx.put(pets, json={"id": "3"}), "Invalid request body")
    assert httpx.get(pets).status_code == 200  # no validator on GET


def test_a_sam_api_with_a_request_model(cfn: Any, server: ServerProcess, apigw_v1: Any) -> None:
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.11",
                    "Handler": "index.handler",
                    "Timeout": 30,
                    "InlineCode": (
                        "def handler(event, context):\n"
                        "    return {'statusCode': 200, 'body': event['body']}\n"
                    ),
                    "Events": {
                        "Add": {
                            "Type": "Api",
                            "Properties": {
                                "RestApiId": {"Ref": "Api"},
                                "Path": "/pets",
                                "Method": "post",
                                "RequestModel": {
                                    "Model": "Pet",
                                    "Required": True,
                                    "ValidateBody": True,
                                },
                            },
                        }
                    },
                },
            },
            "Api": {
                "Type": "AWS::Serverless::Api",
                "Properties": {"StageName": "prod", "Models": {"Pet": PET}},
            },
        },
        "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
    }
    _, out = _create(cfn, template)
    pets = _url(server, out["Api"], "/prod/pets")
    ok = httpx.post(pets, json={"name": "Rex"}, timeout=60)
    assert ok.status_code == 200 and ok.json() == {"name": "Rex"}
    _refused(httpx.post(pets, json={"legs": 4}), "Invalid request body")
