"""Real-world apps behind Stratus unchanged: FastAPI behind Mangum, aws-lambda-powertools'
APIGatewayHttpResolver and APIGatewayRestResolver, and a Chalice app. Each is deployed as
a zip with its packages through the Lambda API and driven over real HTTP through an HTTP
API, a REST API and (for the apps whose adapters read payload 2.0) a function URL, each
getting the event its adapter expects. Chalice reads REST API events only, as on AWS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import ROLE, ServerProcess, unique_name
from tests.gateway.bundles import bundle
from tests.gateway.conftest import function_arn, path_url

FASTAPI_APP = """
from fastapi import FastAPI, Request
from mangum import Mangum

app = FastAPI()

@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None):
    return {"item_id": item_id, "q": q, "app": "fastapi"}

@app.post("/items")
async def create_item(request: Request):
    return {"created": await request.json(), "app": "fastapi"}

handler = Mangum(app, lifespan="off")
"""

POWERTOOLS_APP = """
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, APIGatewayRestResolver

http_app = APIGatewayHttpResolver()
rest_app = APIGatewayRestResolver()

@http_app.get("/items/<item_id>")
def http_item(item_id):
    return {"item_id": item_id, "q": http_app.current_event.get_query_string_value("q"),
            "app": "powertools-http"}

@http_app.post("/items")
def http_create():
    return {"created": http_app.current_event.json_body, "app": "powertools-http"}

@rest_app.get("/items/<item_id>")
def rest_item(item_id):
    return {"item_id": item_id, "q": rest_app.current_event.get_query_string_value("q"),
            "app": "powertools-rest"}

@rest_app.post("/items")
def rest_create():
    return {"created": rest_app.current_event.json_body, "app": "powertools-rest"}

def http_handler(event, context):
    return http_app.resolve(event, context)

def rest_handler(event, context):
    return rest_app.resolve(event, context)
"""

CHALICE_APP = """
from chalice import Chalice

app = Chalice(app_name="shop")

@app.route("/items/{item_id}")
def read_item(item_id):
    params = app.current_request.query_params or {}
    return {"item_id": item_id, "q": params.get("q"), "app": "chalice"}

@app.route("/items", methods=["POST"])
def create_item():
    return {"created": app.current_request.json_body, "app": "chalice"}
"""


def _deploy(
    lambda_client: Any, source: str, packages: list[str], handler: str, *, recursive: bool = True
) -> str:
    name = unique_name("app")
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler=handler,
        Timeout=30,
        MemorySize=512,
        Code={"ZipFile": bundle({"app.py": source}, packages, recursive=recursive)},
    )
    return name


def _http_api(apigw: Any, function: str, version: str) -> str:
    api_id = apigw.create_api(Name="app", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(function),
        PayloadFormatVersion=version,
    )["IntegrationId"]
    for key in ("GET /items/{item_id}", "POST /items"):
        apigw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return api_id


def _rest_api(v1: Any, function: str) -> str:
    api_id = v1.create_rest_api(name="app")["id"]
    root = v1.get_resources(restApiId=api_id)["items"][0]["id"]
    items = v1.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = v1.create_resource(restApiId=api_id, parentId=items, pathPart="{item_id}")["id"]
    uri = (
        f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(function)}/invocations"
    )
    for resource, verb in ((item, "GET"), (items, "POST")):
        v1.put_method(
            restApiId=api_id, resourceId=resource, httpMethod=verb, authorizationType="NONE"
        )
        v1.put_integration(
            restApiId=api_id,
            resourceId=resource,
            httpMethod=verb,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
        )
    v1.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _function_url(server: ServerProcess, lambda_client: Any, function: str) -> str:
    """A public function URL for ``function``, in the gateway port's path form."""
    from tests.aws.function_urls.conftest import public_grants, url_id

    url = lambda_client.create_function_url_config(FunctionName=function, AuthType="NONE")
    public_grants(lambda_client, function)
    return f"http://127.0.0.1:{server.gateway_port}/_aws/lambda-url/{url_id(url['FunctionUrl'])}"


def _drive(base: str, app: str) -> None:
    got = httpx.get(f"{base}/items/42?q=blue", timeout=60)
    assert got.status_code == 200, got.text
    assert got.json() == {"item_id": 42 if app == "fastapi" else "42", "q": "blue", "app": app}
    made = httpx.post(f"{base}/items", json={"name": "book"}, timeout=60)
    assert made.status_code == 200, made.text
    assert made.json() == {"created": {"name": "book"}, "app": app}
    assert made.headers["content-type"].startswith("application/json")


@pytest.fixture(scope="module")
def v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def test_fastapi_behind_mangum(
    server: ServerProcess, lambda_client: Any, apigw: Any, v1: Any
) -> None:
    function = _deploy(lambda_client, FASTAPI_APP, ["fastapi", "mangum"], "app.handler")
    _drive(path_url(server, _http_api(apigw, function, "2.0"), ""), "fastapi")
    _drive(path_url(server, _http_api(apigw, function, "1.0"), ""), "fastapi")
    _drive(path_url(server, _rest_api(v1, function), "/prod"), "fastapi")
    _drive(_function_url(server, lambda_client, function), "fastapi")


def test_powertools_resolvers(
    server: ServerProcess, lambda_client: Any, apigw: Any, v1: Any
) -> None:
    http_function = _deploy(
        lambda_client, POWERTOOLS_APP, ["aws-lambda-powertools"], "app.http_handler"
    )
    rest_function = _deploy(
        lambda_client, POWERTOOLS_APP, ["aws-lambda-powertools"], "app.rest_handler"
    )
    _drive(path_url(server, _http_api(apigw, http_function, "2.0"), ""), "powertools-http")
    # Function URLs send payload 2.0, which the HTTP resolver reads.
    _drive(_function_url(server, lambda_client, http_function), "powertools-http")
    _drive(path_url(server, _rest_api(v1, rest_function), "/prod"), "powertools-rest")
    # The REST resolver reads payload 1.0, which HTTP APIs also send.
    _drive(path_url(server, _http_api(apigw, rest_function, "1.0"), ""), "powertools-rest")


def test_chalice_app(server: ServerProcess, lambda_client: Any, apigw: Any, v1: Any) -> None:
    # Chalice's runtime is its own package alone (its other requirements serve its CLI).
    function = _deploy(lambda_client, CHALICE_APP, ["chalice"], "app.app", recursive=False)
    _drive(path_url(server, _rest_api(v1, function), "/prod"), "chalice")
    _drive(path_url(server, _http_api(apigw, function, "1.0"), ""), "chalice")
