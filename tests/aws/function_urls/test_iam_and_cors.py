"""AWS_IAM URLs (SigV4 checked as AWS does) and CORS (preflight answered by the URL)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.aws.function_urls.conftest import UrlClient, make_url
from tests.conftest import ServerProcess

ECHO = "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event)}\n"
FORBIDDEN = b'{"Message":"Forbidden"}'


@pytest.fixture(scope="module")
def iam_url(server: ServerProcess, lambda_client: Any) -> UrlClient:
    return make_url(server, lambda_client, ECHO, AuthType="AWS_IAM")[1]


@pytest.fixture(scope="module")
def user_key(server: ServerProcess) -> Credentials:
    iam = server.client("iam")
    iam.create_user(UserName="url-caller")
    key = iam.create_access_key(UserName="url-caller")["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def signed(
    client: UrlClient,
    credentials: Credentials,
    method: str = "GET",
    path: str = "/",
    body: bytes = b"",
    *,
    by_path: bool = False,
    service: str = "lambda",
) -> httpx.Request:
    url = f"{client.base}/_aws/lambda-url/{client.id}{path}" if by_path else f"{client.base}{path}"
    request = AWSRequest(method=method, url=url, data=body)
    if not by_path:
        request.headers["host"] = client.host
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return client.http.build_request(method, url, headers=dict(request.headers), content=body)


def test_signed_request_is_served_with_the_caller(
    iam_url: UrlClient, user_key: Credentials
) -> None:
    response = iam_url.http.send(signed(iam_url, user_key, "POST", "/p?a=1&b=two", b'{"x":1}'))
    assert response.status_code == 200, response.text
    event = json.loads(response.text)
    context = event["requestContext"]
    assert context["accountId"] == "000000000000"
    iam = context["authorizer"]["iam"]
    assert iam["accessKey"] == user_key.access_key
    assert iam["userArn"] == "arn:aws:iam::000000000000:user/url-caller"
    assert iam["accountId"] == "000000000000"
    assert iam["userId"] == iam["callerId"]
    assert iam["cognitoIdentity"] is None and iam["principalOrgId"] is None
    sample = json.loads(
        (
            __import__("tests.conftest", fromlist=["CONFORMANCE"]).CONFORMANCE
            / "events/powertools/lambdaFunctionUrlIAMEvent.json"
        ).read_text()
    )
    assert set(iam) == set(sample["requestContext"]["authorizer"]["iam"])


def test_path_form_signature_covers_the_whole_path(
    iam_url: UrlClient, user_key: Credentials
) -> None:
    response = iam_url.http.send(signed(iam_url, user_key, path="/x", by_path=True))
    assert response.status_code == 200, response.text


def test_unsigned_and_badly_signed_requests_are_forbidden(
    iam_url: UrlClient, user_key: Credentials
) -> None:
    assert iam_url.request("GET").content == FORBIDDEN
    wrong = Credentials(user_key.access_key, "not-the-secret")
    response = iam_url.http.send(signed(iam_url, wrong))
    assert response.status_code == 403 and response.content == FORBIDDEN
    # a dummy key Stratus never issued has no secret to check against
    response = iam_url.http.send(signed(iam_url, Credentials("test", "test")))
    assert response.status_code == 403
    # signed for another service
    response = iam_url.http.send(signed(iam_url, user_key, service="execute-api"))
    assert response.status_code == 403


def test_tampering_breaks_the_signature(iam_url: UrlClient, user_key: Credentials) -> None:
    request = signed(iam_url, user_key, "POST", "/p", b'{"amount": 1}')
    tampered = iam_url.http.build_request(
        "POST", request.url, headers=request.headers, content=b'{"amount": 9}'
    )
    assert iam_url.http.send(tampered).status_code == 403
    request = signed(iam_url, user_key, "GET", "/p?a=1")
    other = iam_url.http.build_request(
        "GET", str(request.url).replace("a=1", "a=2"), headers=request.headers
    )
    assert iam_url.http.send(other).status_code == 403


# -- CORS ----------------------------------------------------------------------------

CORS = {
    "AllowOrigins": ["https://app.example.com"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["x-custom"],
    "ExposeHeaders": ["x-request"],
    "MaxAge": 300,
    "AllowCredentials": True,
}
FAILING = "def handler(event, context):\n    raise RuntimeError('never for a preflight')\n"


def test_preflight_is_answered_by_the_url(server: ServerProcess, lambda_client: Any) -> None:
    client = make_url(server, lambda_client, FAILING, Cors=CORS)[1]
    response = client.request(
        "OPTIONS",
        "/anything",
        headers={
            "origin": "https://app.example.com",
            "access-control-request-method": "POST",
            "access-control-request-headers": "x-custom",
        },
    )
    assert response.status_code == 200  # the failing function was not invoked
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert response.headers["access-control-allow-methods"] == "GET,POST"
    assert response.headers["access-control-allow-headers"] == "x-custom"
    assert response.headers["access-control-max-age"] == "300"
    assert response.headers["access-control-allow-credentials"] == "true"
    other = client.request(
        "OPTIONS",
        "/",
        headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
    )
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


def test_cors_headers_on_responses(server: ServerProcess, lambda_client: Any) -> None:
    source = (
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'headers': {'Access-Control-Allow-Origin': '*'}, "
        "'body': 'ok'}\n"
    )
    client = make_url(server, lambda_client, source, Cors=CORS)[1]
    response = client.request("GET", headers={"origin": "https://app.example.com"})
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert response.headers["access-control-expose-headers"] == "x-request"
    assert response.headers["access-control-allow-credentials"] == "true"
    stranger = client.request("GET", headers={"origin": "https://evil.example"})
    # the URL's CORS configuration replaces the function's own CORS headers
    assert "access-control-allow-origin" not in stranger.headers


def test_without_cors_options_goes_to_the_function(
    server: ServerProcess, lambda_client: Any
) -> None:
    client = make_url(server, lambda_client, ECHO)[1]
    response = client.request(
        "OPTIONS", headers={"origin": "https://a.example", "access-control-request-method": "GET"}
    )
    assert response.status_code == 200
    assert json.loads(response.text)["requestContext"]["http"]["method"] == "OPTIONS"


def test_wildcard_origin(server: ServerProcess, lambda_client: Any) -> None:
    client = make_url(
        server, lambda_client, ECHO, Cors={"AllowOrigins": ["*"], "AllowMethods": ["*"]}
    )[1]
    response = client.request(
        "OPTIONS", headers={"origin": "https://any.example", "access-control-request-method": "PUT"}
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_temporary_credentials_need_their_token(server: ServerProcess, iam_url: UrlClient) -> None:
    sts = server.client("sts")
    iam = server.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="url-role", AssumeRolePolicyDocument=json.dumps(trust))
    creds = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="sess")["Credentials"]
    with_token = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    response = iam_url.http.send(signed(iam_url, with_token))
    assert response.status_code == 200, response.text
    assert json.loads(response.text)["requestContext"]["authorizer"]["iam"]["userArn"].endswith(
        ":assumed-role/url-role/sess"
    )
    without = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"])
    assert iam_url.http.send(signed(iam_url, without)).status_code == 403
    forged = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], "forged-token")
    assert iam_url.http.send(signed(iam_url, forged)).status_code == 403
