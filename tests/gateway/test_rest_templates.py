"""REST APIs' mapping templates and non-proxy integrations, with boto3 and real HTTP:
``$input``, ``$util``, ``$context``, ``$stageVariables``; passthrough behaviors; integration
responses chosen by selection pattern; MOCK, HTTP, AWS (SQS, DynamoDB, SNS) and Lambda
non-proxy integrations; a template that fails to render."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess, create_function, free_port
from tests.gateway.conftest import function_arn, path_url

ACCOUNT = "000000000000"

ECHO_EVENT = """
import json

def handler(event, context):
    fail = json.loads(event.get("raw") or "{}").get("fail")
    if fail:
        raise ValueError(fail)
    return event
"""


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


@pytest.fixture(scope="module")
def event_function(lambda_client: Any) -> str:
    return create_function(lambda_client, ECHO_EVENT)


class _Backend:
    """An HTTP server on 127.0.0.1 that answers what it received as JSON, with the status
    the request's ``x-status`` header asks for."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                answer = json.dumps(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                ).encode()
                self.send_response(int(self.headers.get("x-status") or 200))
                self.send_header("content-type", "application/json")
                self.send_header("x-backend", "yes")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def backend() -> Iterator[_Backend]:
    found = _Backend()
    yield found
    found.server.shutdown()


def _api(
    apigw_v1: Any,
    integration: dict[str, Any],
    responses: list[dict[str, Any]],
    *,
    verb: str = "POST",
    path_part: str = "items",
    request_parameters: dict[str, bool] | None = None,
    variables: dict[str, str] | None = None,
) -> str:
    """A REST API with one method on ``/{path_part}`` and the given integration and
    integration responses, deployed to ``test``; its id."""
    api_id = apigw_v1.create_rest_api(name="templates")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart=path_part)["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=resource,
        httpMethod=verb,
        authorizationType="NONE",
        requestParameters=request_parameters or {},
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=resource, httpMethod=verb, **integration)
    for response in responses:
        apigw_v1.put_method_response(
            restApiId=api_id,
            resourceId=resource,
            httpMethod=verb,
            statusCode=response["statusCode"],
        )
        apigw_v1.put_integration_response(
            restApiId=api_id, resourceId=resource, httpMethod=verb, **response
        )
    apigw_v1.create_deployment(restApiId=api_id, stageName="test", variables=variables or {})
    return api_id


MOCK_200 = {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}


def test_util_context_stage_variables_and_params(server: ServerProcess, apigw_v1: Any) -> None:
    template = "\n".join(
        [
            "esc=$util.escapeJavaScript($input.params('raw'))",
            "enc=$util.urlEncode($input.params('raw'))",
            "dec=$util.urlDecode('a%20b+c%7E')",
            "b64=$util.base64Encode('hi there')",
            "unb64=$util.base64Decode('aGkgdGhlcmU=')",
            'parsed=$util.parseJson(\'{"k": {"n": 5}}\').k.n',
            "q=$input.params('q') h=$input.params('X-Custom') none=[$input.params('nope')]",
            "kinds=#foreach($kind in $input.params().keySet())$kind #end|",
            "ctx=$context.stage|$context.resourcePath|$context.httpMethod"
            "|$context.identity.sourceIp|$context.apiId|$context.accountId",
            "rid=$context.requestId",
            "sv=$stageVariables.color",
        ]
    )
    api_id = _api(
        apigw_v1,
        MOCK_200,
        [{"statusCode": "200", "responseTemplates": {"text/plain": template}}],
        verb="GET",
        variables={"color": "blue"},
    )
    response = httpx.get(
        path_url(server, api_id, "/test/items"),
        params={"raw": 'it\'s "q"/é~ *\n', "q": "one"},
        headers={"x-custom": "hv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    lines = dict(line.split("=", 1) for line in response.text.splitlines())
    assert lines["esc"] == 'it\\\'s \\"q\\"\\/\\u00E9~ *\\n'
    assert lines["enc"] == "it%27s+%22q%22%2F%C3%A9%7E+*%0A"
    assert lines["dec"] == "a b c~"
    assert lines["b64"] == "aGkgdGhlcmU="
    assert lines["unb64"] == "hi there"
    assert lines["parsed"] == "5"
    assert lines["q"] == "one h=hv none=[]"
    assert lines["kinds"].rstrip("|").split() == ["path", "querystring", "header"]
    assert lines["ctx"] == f"test|/items|GET|127.0.0.1|{api_id}|{ACCOUNT}"
    assert lines["rid"] == response.headers["x-amzn-requestid"]
    assert lines["sv"] == "blue"


def test_input_body_json_path_through_lambda_non_proxy(
    server: ServerProcess, apigw_v1: Any, event_function: str
) -> None:
    request_template = """#set($root = $input.path('$'))
{
  "raw": "$util.escapeJavaScript($input.body).replaceAll("\\\\'", "'")",
  "items": $input.json('$.items'),
  "first": $input.json('$.items[0]'),
  "name": "$input.path('$.name')",
  "count": $input.path('$.items').size(),
  "names": [#foreach($i in $root.items)"n$i"#if($foreach.hasNext),#end#end],
  "missing": "$input.path('$.nope')",
  "whole": $input.json('$')
}"""
    api_id = _api(
        apigw_v1,
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": (
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                f"{function_arn(event_function)}/invocations"
            ),
            "requestTemplates": {"application/json": request_template},
        },
        [
            {
                "statusCode": "200",
                "responseTemplates": {"application/json": "$input.json('$')"},
            },
            {
                "statusCode": "400",
                "selectionPattern": "Bad:.*",
                "responseTemplates": {
                    "application/json": '{"error": "$input.path(\'$.errorMessage\')"}'
                },
            },
        ],
    )
    body = {"name": "widget", "items": [1, 2, 3]}
    response = httpx.post(path_url(server, api_id, "/test/items"), json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert json.loads(answer["raw"]) == body
    assert answer["items"] == [1, 2, 3]
    assert answer["first"] == 1
    assert answer["name"] == "widget"
    assert answer["count"] == 3
    assert answer["names"] == ["n1", "n2", "n3"]
    assert answer["missing"] == ""
    assert answer["whole"] == body
    failed = httpx.post(path_url(server, api_id, "/test/items"), json={**body, "fail": "Bad: no"})
    assert failed.status_code == 400, failed.text
    assert failed.json() == {"error": "Bad: no"}
    # An error no pattern selects takes the default response, as API Gateway does.
    other = httpx.post(path_url(server, api_id, "/test/items"), json={**body, "fail": "other"})
    assert other.status_code == 200
    assert other.json()["errorMessage"] == "other"


@pytest.mark.parametrize(
    ("behavior", "templates", "expected"),
    [
        # (Content-Type sent, status, body the backend got) per case.
        (
            "WHEN_NO_MATCH",
            True,
            [
                ("application/json", 200, "T:x"),
                ("application/xml", 200, "<a/>"),
                (None, 200, "T:x"),
            ],
        ),
        (
            "WHEN_NO_TEMPLATES",
            True,
            [("application/json", 200, "T:x"), ("application/xml", 415, None)],
        ),
        ("WHEN_NO_TEMPLATES", False, [("application/xml", 200, "<a/>")]),
        ("NEVER", True, [("application/json", 200, "T:x"), ("application/xml", 415, None)]),
        ("NEVER", False, [("application/json", 415, None)]),
        ("WHEN_NO_MATCH", False, [("text/plain", 200, "<a/>")]),
    ],
)
def test_passthrough_behaviors(
    server: ServerProcess,
    apigw_v1: Any,
    backend: _Backend,
    behavior: str,
    templates: bool,
    expected: list[tuple[str | None, int, str | None]],
) -> None:
    integration: dict[str, Any] = {
        "type": "HTTP",
        "integrationHttpMethod": "POST",
        "uri": f"{backend.url}/sink",
        "passthroughBehavior": behavior,
    }
    if templates:
        integration["requestTemplates"] = {"application/json": "T:$input.params('v')"}
    api_id = _api(apigw_v1, integration, [{"statusCode": "200"}])
    for content_type, status, seen in expected:
        body = "<a/>" if content_type and content_type != "application/json" else ""
        headers = {"content-type": content_type} if content_type else {}
        response = httpx.post(
            path_url(server, api_id, "/test/items?v=x"), content=body.encode(), headers=headers
        )
        assert response.status_code == status, (content_type, response.text)
        if status == 415:
            assert response.json() == {"message": "Unsupported Media Type"}
        else:
            assert response.json()["body"] == seen


def test_http_integration_parameters_and_selection(
    server: ServerProcess, apigw_v1: Any, backend: _Backend
) -> None:
    api_id = _api(
        apigw_v1,
        {
            "type": "HTTP",
            "integrationHttpMethod": "PUT",
            "uri": f"{backend.url}/things/{{thing}}",
            "requestParameters": {
                "integration.request.path.thing": "method.request.querystring.name",
                "integration.request.header.x-status": "method.request.header.want",
                "integration.request.header.x-fixed": "'fixed'",
                "integration.request.header.x-stage": "stageVariables.color",
                "integration.request.header.x-ctx": "context.stage",
                "integration.request.querystring.page": "method.request.body.page",
                "integration.request.header.Content-Type": "'application/vnd.x+json'",
            },
            "requestTemplates": {
                "application/json": '#set($context.requestOverride.header.XOver = "ov")'
                '{"wrapped": $input.body}'
            },
        },
        [
            {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": '{"got": $input.json(\'$.body\'), "path": '
                    "\"$input.path('$.path')\", \"hdr\": $input.json('$.headers')}"
                },
                "responseParameters": {
                    "method.response.header.x-literal": "'lit'",
                    "method.response.header.x-from-backend": "integration.response.header.x-backend",
                    "method.response.header.x-method": "integration.response.body.method",
                },
            },
            {
                "statusCode": "404",
                "selectionPattern": "4\\d\\d",
                "responseTemplates": {"application/json": '{"missing": true}'},
            },
            {
                "statusCode": "502",
                "selectionPattern": "5.*",
                "responseTemplates": {
                    "application/json": "#set($context.responseOverride.status = 503)"
                    '#set($context.responseOverride.header.Over = "o"){"down": true}'
                },
            },
        ],
        request_parameters={"method.request.querystring.name": False},
        variables={"color": "red"},
    )
    url = path_url(server, api_id, "/test/items?name=abc")
    response = httpx.post(url, json={"page": 3})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert json.loads(answer["got"]) == {"wrapped": {"page": 3}}
    assert answer["path"] == "/things/abc?page=3"
    assert answer["hdr"]["x-fixed"] == "fixed"
    assert answer["hdr"]["x-stage"] == "red"
    assert answer["hdr"]["x-ctx"] == "test"
    assert answer["hdr"]["content-type"] == "application/vnd.x+json"
    assert answer["hdr"]["xover"] == "ov"
    assert response.headers["x-literal"] == "lit"
    assert response.headers["x-from-backend"] == "yes"
    assert response.headers["x-method"] == "PUT"
    missing = httpx.post(url, json={}, headers={"want": "418"})
    assert missing.status_code == 404
    assert missing.json() == {"missing": True}
    down = httpx.post(url, json={}, headers={"want": "500"})
    assert down.status_code == 503
    assert down.headers["over"] == "o"
    assert down.json() == {"down": True}


def test_mock_status_selection(server: ServerProcess, apigw_v1: Any) -> None:
    api_id = _api(
        apigw_v1,
        {
            "type": "MOCK",
            "requestTemplates": {
                "application/json": '#if($input.params("fail") == "yes"){"statusCode": 500}'
                '#else{"statusCode": 200}#end'
            },
        },
        [
            {"statusCode": "200", "responseTemplates": {"application/json": '{"ok": true}'}},
            {
                "statusCode": "500",
                "selectionPattern": "5\\d\\d",
                "responseTemplates": {"application/json": '{"ok": false}'},
            },
        ],
        verb="GET",
    )
    ok = httpx.get(path_url(server, api_id, "/test/items"))
    assert (ok.status_code, ok.json()) == (200, {"ok": True})
    failed = httpx.get(path_url(server, api_id, "/test/items?fail=yes"))
    assert (failed.status_code, failed.json()) == (500, {"ok": False})


def test_bad_templates_and_missing_default(server: ServerProcess, apigw_v1: Any) -> None:
    unparsable = _api(
        apigw_v1,
        MOCK_200,
        [{"statusCode": "200", "responseTemplates": {"application/json": "#if($x"}}],
        verb="GET",
    )
    response = httpx.get(path_url(server, unparsable, "/test/items"))
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    failing = _api(
        apigw_v1,
        MOCK_200,
        [
            {
                "statusCode": "200",
                "responseTemplates": {"application/json": "$util.parseJson('not json')"},
            }
        ],
        verb="GET",
    )
    response = httpx.get(path_url(server, failing, "/test/items"))
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}
    no_default = _api(
        apigw_v1,
        MOCK_200,
        [{"statusCode": "400", "selectionPattern": "4\\d\\d"}],
        verb="GET",
    )
    response = httpx.get(path_url(server, no_default, "/test/items"))
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}


def test_aws_integration_to_sqs(server: ServerProcess, apigw_v1: Any) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName="from-rest-api")["QueueUrl"]
    api_id = _api(
        apigw_v1,
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": f"arn:aws:apigateway:us-east-1:sqs:path/{ACCOUNT}/from-rest-api",
            "requestParameters": {
                "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"
            },
            "requestTemplates": {
                "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
            },
            "passthroughBehavior": "NEVER",
        },
        [
            {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": '{"id": "$input.path('
                    "'$.SendMessageResponse.SendMessageResult.MessageId')\"}"
                },
            },
            {
                "statusCode": "400",
                "selectionPattern": "4\\d\\d",
                "responseTemplates": {"application/json": "{\"failed\": $input.json('$')}"},
            },
        ],
    )
    response = httpx.post(path_url(server, api_id, "/test/items"), json={"order": "a&b"})
    assert response.status_code == 200, response.text
    message_id = response.json()["id"]
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"]
    assert received[0]["MessageId"] == message_id
    assert json.loads(received[0]["Body"]) == {"order": "a&b"}
    refused = httpx.post(
        path_url(server, api_id, "/test/items"), content=b"", headers={"content-type": "text/x"}
    )
    assert refused.status_code == 415


def test_aws_integration_to_dynamodb_and_sns(server: ServerProcess, apigw_v1: Any) -> None:
    dynamodb = server.client("dynamodb")
    dynamodb.create_table(
        TableName="rest-orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    put = """{"TableName": "rest-orders", "Item": {
  "id": {"S": "$input.path('$.id')"},
  "note": {"S": "$util.escapeJavaScript($input.path('$.note'))"},
  "stage": {"S": "$context.stage"}}}"""
    api_id = _api(
        apigw_v1,
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
            "requestTemplates": {"application/json": put},
        },
        [
            {"statusCode": "200", "responseTemplates": {"application/json": '{"stored": true}'}},
            {
                "statusCode": "400",
                "selectionPattern": "400",
                "responseTemplates": {"application/json": "$input.json('$.__type')"},
            },
        ],
    )
    url = path_url(server, api_id, "/test/items")
    response = httpx.post(url, json={"id": "o-1", "note": "two words"})
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": True}
    item = dynamodb.get_item(TableName="rest-orders", Key={"id": {"S": "o-1"}})["Item"]
    assert item == {"id": {"S": "o-1"}, "note": {"S": "two words"}, "stage": {"S": "test"}}
    bad = httpx.post(url, json={"id": "", "note": "x"})  # an empty key: ValidationException
    assert bad.status_code == 400
    assert "ValidationException" in bad.json()

    sns = server.client("sns")
    sqs = server.client("sqs")
    topic = sns.create_topic(Name="rest-topic")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="rest-topic-sink")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    publish = _api(
        apigw_v1,
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:sns:action/Publish",
            "requestParameters": {
                "integration.request.querystring.TopicArn": f"'{topic}'",
                "integration.request.querystring.Message": "method.request.body",
            },
            "passthroughBehavior": "WHEN_NO_MATCH",
        },
        [
            {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": '{"id": "$input.path('
                    "'$.PublishResponse.PublishResult.MessageId')\"}"
                },
            }
        ],
    )
    response = httpx.post(path_url(server, publish, "/test/items"), content=b"hello topic")
    assert response.status_code == 200, response.text
    assert response.json()["id"]
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"]
    assert received[0]["Body"] == "hello topic"


def test_aws_integration_to_s3_path_with_parameters(server: ServerProcess, apigw_v1: Any) -> None:
    """AWS's "API as an Amazon S3 proxy": ``s3:path/{bucket}/{object}``, the URI's
    segments mapped from the method's path parameters, the body passed through."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="rest-proxied")
    api_id = apigw_v1.create_rest_api(name="s3-proxy")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    folder = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="{folder}")["id"]
    item = apigw_v1.create_resource(restApiId=api_id, parentId=folder, pathPart="{item}")["id"]
    for verb in ("PUT", "GET"):
        apigw_v1.put_method(
            restApiId=api_id,
            resourceId=item,
            httpMethod=verb,
            authorizationType="NONE",
            requestParameters={
                "method.request.path.folder": True,
                "method.request.path.item": True,
            },
        )
        apigw_v1.put_integration(
            restApiId=api_id,
            resourceId=item,
            httpMethod=verb,
            type="AWS",
            integrationHttpMethod=verb,
            uri="arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}",
            requestParameters={
                "integration.request.path.bucket": "method.request.path.folder",
                "integration.request.path.object": "method.request.path.item",
            },
        )
        apigw_v1.put_method_response(
            restApiId=api_id, resourceId=item, httpMethod=verb, statusCode="200"
        )
        apigw_v1.put_integration_response(
            restApiId=api_id,
            resourceId=item,
            httpMethod=verb,
            statusCode="200",
            responseParameters={
                "method.response.header.Content-Type": "integration.response.header.Content-Type"
            },
        )
        apigw_v1.put_integration_response(
            restApiId=api_id,
            resourceId=item,
            httpMethod=verb,
            statusCode="404",
            selectionPattern="404",
        )
    apigw_v1.create_deployment(restApiId=api_id, stageName="test")
    url = path_url(server, api_id, "/test/rest-proxied/note.txt")
    put = httpx.put(url, content=b"stored through the API", headers={"content-type": "text/plain"})
    assert put.status_code == 200, put.text
    stored = s3.get_object(Bucket="rest-proxied", Key="note.txt")
    assert stored["Body"].read() == b"stored through the API"
    got = httpx.get(url)
    assert got.status_code == 200
    assert got.content == b"stored through the API"
    assert got.headers["content-type"].startswith("text/plain")
    missing = httpx.get(path_url(server, api_id, "/test/rest-proxied/none.txt"))
    assert missing.status_code == 404


SEND_TO_QUEUE = """
import json
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="rest-async-sink")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    return {"sent": True}
"""


def test_lambda_non_proxy_asynchronous_invoke(
    server: ServerProcess, apigw_v1: Any, lambda_client: Any
) -> None:
    """``X-Amz-Invocation-Type: 'Event'``: Lambda's Invoke answers 202 at once, the
    function runs on its own (here: it sends its event to a queue)."""
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName="rest-async-sink")["QueueUrl"]
    function = create_function(lambda_client, SEND_TO_QUEUE)
    api_id = _api(
        apigw_v1,
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": (
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                f"{function_arn(function)}/invocations"
            ),
            "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
            "requestTemplates": {"application/json": "{\"got\": $input.json('$.n')}"},
        },
        [
            {
                "statusCode": "202",
                "selectionPattern": "202",
                "responseTemplates": {"application/json": '{"queued": true}'},
            }
        ],
    )
    response = httpx.post(path_url(server, api_id, "/test/items"), json={"n": 5})
    assert response.status_code == 202, response.text
    assert response.json() == {"queued": True}
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"]
    assert json.loads(received[0]["Body"]) == {"got": 5}


def test_templates_updated_by_patch_operations(server: ServerProcess, apigw_v1: Any) -> None:
    """UpdateIntegration and UpdateIntegrationResponse (what ``aws apigateway
    update-integration --patch-operations`` sends), then a new deployment."""
    api_id = _api(
        apigw_v1,
        MOCK_200,
        [{"statusCode": "200", "responseTemplates": {"application/json": '{"v": 1}'}}],
        verb="GET",
    )
    resource = next(
        r["id"] for r in apigw_v1.get_resources(restApiId=api_id)["items"] if r["path"] == "/items"
    )
    ids = {"restApiId": api_id, "resourceId": resource, "httpMethod": "GET"}
    updated = apigw_v1.update_integration(
        **ids,
        patchOperations=[
            {
                "op": "replace",
                "path": "/requestTemplates/application~1json",
                "value": '#if($input.params("x") == "1"){"statusCode": 404}#else{"statusCode": 200}#end',
            },
            {"op": "replace", "path": "/passthroughBehavior", "value": "WHEN_NO_TEMPLATES"},
        ],
    )
    assert updated["passthroughBehavior"] == "WHEN_NO_TEMPLATES"
    assert 'statusCode": 404' in updated["requestTemplates"]["application/json"]
    apigw_v1.put_method_response(**ids, statusCode="404")
    apigw_v1.put_integration_response(**ids, statusCode="404", selectionPattern="404")
    response = apigw_v1.update_integration_response(
        **ids,
        statusCode="200",
        patchOperations=[
            {"op": "replace", "path": "/responseTemplates/application~1json", "value": '{"v": 2}'},
            {
                "op": "add",
                "path": "/responseParameters/method.response.header.x-v",
                "value": "'2'",
            },
        ],
    )
    assert response["responseTemplates"] == {"application/json": '{"v": 2}'}
    apigw_v1.update_integration_response(
        **ids,
        statusCode="404",
        patchOperations=[
            {
                "op": "replace",
                "path": "/responseTemplates/application~1json",
                "value": '{"gone": 1}',
            }
        ],
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="test")
    ok = httpx.get(path_url(server, api_id, "/test/items"))
    assert (ok.status_code, ok.json(), ok.headers["x-v"]) == (200, {"v": 2}, "2")
    gone = httpx.get(path_url(server, api_id, "/test/items?x=1"))
    assert (gone.status_code, gone.json()) == (404, {"gone": 1})
    apigw_v1.delete_integration_response(**ids, statusCode="404")
    assert "404" not in apigw_v1.get_integration(**ids)["integrationResponses"]
