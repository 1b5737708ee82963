"""AWS_IAM routes and methods: SigV4 verified against keys Stratus issued, as AWS does.

Real signed requests (botocore's SigV4Auth) with an IAM user's access key and with STS
credentials; each way of getting it wrong is refused with API Gateway's 403 answer.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import botocore.auth
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import CONFORMANCE, ServerProcess
from tests.gateway.conftest import function_arn, path_url

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details."
)


@pytest.fixture(scope="module")
def user_key(server: ServerProcess) -> Credentials:
    iam = server.client("iam")
    iam.create_user(UserName="gw-caller")
    key = iam.create_access_key(UserName="gw-caller")["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


@pytest.fixture(scope="module")
def http_url(server: ServerProcess, echo_function: str) -> str:
    apigw = server.client("apigatewayv2")
    api_id = apigw.create_api(Name="iam-http", ProtocolType="HTTP")["ApiId"]
    integration = apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn(echo_function),
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    apigw.create_route(
        ApiId=api_id,
        RouteKey="ANY /iam/{rest+}",
        Target=f"integrations/{integration}",
        AuthorizationType="AWS_IAM",
    )
    apigw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    return path_url(server, api_id, "/prod/iam")


@pytest.fixture(scope="module")
def rest_url(server: ServerProcess, echo_function: str) -> str:
    apigw = server.client("apigateway")
    api_id = apigw.create_rest_api(name="iam-rest")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    apigw.put_method(
        restApiId=api_id, resourceId=resource, httpMethod="ANY", authorizationType="AWS_IAM"
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{function_arn(echo_function)}/invocations"
        ),
    )
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    return path_url(server, api_id, "/v1")


def send(
    url: str,
    credentials: Credentials,
    method: str = "GET",
    body: bytes = b"",
    *,
    sent_body: bytes | None = None,
) -> httpx.Response:
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    content = body if sent_body is None else sent_body
    return httpx.request(method, url, headers=dict(request.headers), content=content)


def test_http_api_signed_request_carries_the_caller(http_url: str, user_key: Credentials) -> None:
    response = send(f"{http_url}/a%20b?x=1&y=two", user_key, "POST", b'{"k":1}')
    assert response.status_code == 200, response.text
    iam = response.json()["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == user_key.access_key
    assert iam["accountId"] == "000000000000"
    assert iam["userArn"] == "arn:aws:iam::000000000000:user/gw-caller"
    assert iam["userId"] == iam["callerId"] and iam["userId"].startswith("AIDA")
    sample = CONFORMANCE / "events" / "powertools" / "apiGatewayProxyV2IamEvent.json"
    if sample.is_file():
        expected = json.loads(sample.read_text())["requestContext"]["authorizer"]["iam"]
        assert set(expected) == set(iam)


def test_http_api_refuses_every_bad_signature(
    http_url: str, user_key: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    forbidden = {"message": "Forbidden"}
    assert httpx.get(f"{http_url}/x").json() == forbidden
    wrong_secret = Credentials(user_key.access_key, "not-the-secret")
    unknown = Credentials("AKIAUNKNOWNKEY000000", "whatever")
    for response in (
        send(f"{http_url}/x", wrong_secret),
        send(f"{http_url}/x", unknown),
        send(f"{http_url}/x", user_key, "POST", b"signed", sent_body=b"tampered"),
    ):
        assert response.status_code == 403 and response.json() == forbidden
    # Signed for another path: the stage and path are part of the signature.
    request = AWSRequest(method="GET", url=f"{http_url}/x")
    SigV4Auth(user_key, "execute-api", "us-east-1").add_auth(request)
    moved = httpx.get(f"{http_url}/y", headers=dict(request.headers))
    assert moved.status_code == 403
    # Signed for another service.
    request = AWSRequest(method="GET", url=f"{http_url}/x")
    SigV4Auth(user_key, "lambda", "us-east-1").add_auth(request)
    assert httpx.get(f"{http_url}/x", headers=dict(request.headers)).status_code == 403
    hour_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(
        hours=1
    )
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: hour_ago)
    expired = send(f"{http_url}/x", user_key)
    assert expired.status_code == 403 and expired.json() == forbidden


def test_http_api_temporary_credentials_need_their_token(
    server: ServerProcess, http_url: str
) -> None:
    iam = server.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="gw-role", AssumeRolePolicyDocument=json.dumps(trust))
    creds = server.client("sts").assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="s1")[
        "Credentials"
    ]
    with_token = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    response = send(f"{http_url}/t", with_token)
    assert response.status_code == 200, response.text
    arn = response.json()["requestContext"]["authorizer"]["iam"]["userArn"]
    assert arn.endswith(":assumed-role/gw-role/s1")
    without = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"])
    assert send(f"{http_url}/t", without).status_code == 403
    forged = Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], "forged")
    assert send(f"{http_url}/t", forged).status_code == 403


def test_rest_api_signed_request_carries_the_identity(rest_url: str, user_key: Credentials) -> None:
    response = send(f"{rest_url}/items/1?q=z", user_key, "PUT", b"payload")
    assert response.status_code == 200, response.text
    identity = response.json()["requestContext"]["identity"]
    assert identity["accessKey"] == user_key.access_key
    assert identity["accountId"] == "000000000000"
    assert identity["userArn"] == "arn:aws:iam::000000000000:user/gw-caller"
    assert identity["caller"] == identity["user"] and identity["user"].startswith("AIDA")


def test_rest_api_refusals_have_aws_messages(
    rest_url: str, user_key: Credentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    def message(response: httpx.Response) -> Any:
        assert response.status_code == 403, response.text
        return response.json()["message"]

    assert message(httpx.get(f"{rest_url}/a")) == "Missing Authentication Token"
    wrong_secret = Credentials(user_key.access_key, "not-the-secret")
    assert message(send(f"{rest_url}/a", wrong_secret)) == SIGNATURE_MISMATCH
    tampered = send(f"{rest_url}/a", user_key, "POST", b"signed", sent_body=b"other")
    assert message(tampered) == SIGNATURE_MISMATCH
    unknown = Credentials("AKIAUNKNOWNKEY000000", "whatever")
    assert message(send(f"{rest_url}/a", unknown)) == (
        "The security token included in the request is invalid."
    )
    hour_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(
        hours=1
    )
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: hour_ago)
    expired = message(send(f"{rest_url}/a", user_key))
    assert expired.startswith("Signature expired: ") and "is now earlier than" in expired


def test_huge_authorization_header_is_refused(http_url: str, rest_url: str) -> None:
    header = "AWS4-HMAC-SHA256 Credential=" + "A" * 6000 + "/x/y/z/aws4_request, Signature=1"
    for url in (f"{http_url}/x", f"{rest_url}/x"):
        response = httpx.get(url, headers={"authorization": header})
        assert response.status_code in (403, 431)


def test_host_form_signature_verifies(
    server: ServerProcess, http_url: str, user_key: Credentials
) -> None:
    api_id = http_url.split("/_aws/execute-api/")[1].split("/")[0]
    host = f"{api_id}.execute-api.localhost:{server.gateway_port}"
    request = AWSRequest(method="GET", url=f"http://{host}/prod/iam/h?z=1")
    request.headers["host"] = host
    SigV4Auth(user_key, "execute-api", "us-east-1").add_auth(request)
    url = f"http://127.0.0.1:{server.gateway_port}/prod/iam/h?z=1"
    response = httpx.get(url, headers=dict(request.headers))
    assert response.status_code == 200, response.text
    assert response.json()["requestContext"]["authorizer"]["iam"]["accessKey"] == (
        user_key.access_key
    )
