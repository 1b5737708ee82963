"""REST APIs' resource policies enforced on execute-api:Invoke, as API Gateway's
"How API Gateway resource policies affect authorization workflow" lays out: plain HTTP
to the gateway port, boto3 for the management API, a real server.

The source address is the client's as the gateway sees it: from 127.0.0.1, the
``X-Forwarded-For`` a local proxy would send (the HTTP server trusts it from loopback,
as it always has), so a test can stand for a caller at 10.1.2.3 without any traffic
leaving loopback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn, path_url

DENIED_HEADER = "AccessDeniedException"


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _statement(effect: str, resource: str = "execute-api:/*", **more: Any) -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": resource,
        **more,
    }


ALLOW_ALL = _statement("Allow")


def _mock_method(apigw: Any, api_id: str, resource_id: str, **method: Any) -> None:
    apigw.put_method(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        authorizationType=method.pop("authorizationType", "NONE"),
        **method,
    )
    apigw.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(
        restApiId=api_id, resourceId=resource_id, httpMethod="GET", statusCode="200"
    )
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"ip": "$context.identity.sourceIp"}'},
    )


def _api(apigw: Any, policy: str | None, **method: Any) -> str:
    """An API with MOCK ``GET /open`` and ``GET /secret`` (answering the caller's source
    address), ``policy`` attached, deployed to stage ``s``."""
    api_id = apigw.create_rest_api(name="policed", **({"policy": policy} if policy else {}))["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    for part in ("open", "secret"):
        resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
        _mock_method(apigw, api_id, resource, **dict(method))
    apigw.create_deployment(restApiId=api_id, stageName="s")
    return api_id


def _arn(api_id: str, path: str, stage: str = "s") -> str:
    return f"arn:aws:execute-api:us-east-1:********0000:{api_id}/{stage}/GET{path}"


def _explicit(api_id: str, path: str, who: str = "anonymous", stage: str = "s") -> dict[str, str]:
    return {
        "Message": f"User: {who} is not authorized to perform: execute-api:Invoke on "
        f"resource: {_arn(api_id, path, stage)} with an explicit deny in a resource-based policy"
    }


def _implicit(api_id: str, path: str, who: str = "anonymous") -> dict[str, str]:
    return {
        "Message": f"User: {who} is not authorized to perform: execute-api:Invoke on "
        f"resource: {_arn(api_id, path)} because no resource-based policy allows the "
        "execute-api:Invoke action"
    }


def _get(server: ServerProcess, api_id: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(path_url(server, api_id, f"/s{path}"), headers=headers)


def _denied(response: httpx.Response, body: dict[str, str]) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == body
    assert response.headers["x-amzn-errortype"] == DENIED_HEADER


def _ip_policy(cidr: str) -> str:
    return _policy(_statement("Allow", Condition={"IpAddress": {"aws:SourceIp": cidr}}))


def test_an_ip_allowlist_lets_its_addresses_in(server: ServerProcess, apigw_v1: Any) -> None:
    local = _api(apigw_v1, _ip_policy("127.0.0.1/32"))
    answer = _get(server, local, "/open")
    assert answer.status_code == 200 and answer.json() == {"ip": "127.0.0.1"}
    private = _api(apigw_v1, _ip_policy("10.0.0.0/8"))
    _denied(_get(server, private, "/open"), _implicit(private, "/open"))
    # The address a local proxy forwards is the caller's (the gateway's sourceIp too).
    forwarded = _get(server, private, "/open", **{"x-forwarded-for": "10.1.2.3"})
    assert forwarded.status_code == 200 and forwarded.json() == {"ip": "10.1.2.3"}
    outside = _get(server, private, "/open", **{"x-forwarded-for": "192.0.2.7"})
    _denied(outside, _implicit(private, "/open"))


def test_an_explicit_deny_of_one_path_leaves_the_others(
    server: ServerProcess, apigw_v1: Any
) -> None:
    api_id = _api(apigw_v1, _policy(ALLOW_ALL, _statement("Deny", "execute-api:/*/GET/secret")))
    assert _get(server, api_id, "/open").status_code == 200
    _denied(_get(server, api_id, "/secret"), _explicit(api_id, "/secret"))
    # NotResource: everything but /open denied.
    inverse = _api(
        apigw_v1,
        _policy(
            ALLOW_ALL,
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "NotAction": "execute-api:ManageConnections",
                "NotResource": "execute-api:/s/GET/open",
            },
        ),
    )
    assert _get(server, inverse, "/open").status_code == 200
    _denied(_get(server, inverse, "/secret"), _explicit(inverse, "/secret"))
    # A method nobody has is still Missing Authentication Token, before the policy.
    missing = _get(server, api_id, "/nowhere")
    assert missing.status_code == 403 and missing.json() == {
        "message": "Missing Authentication Token"
    }


def test_a_policy_requiring_a_vpc_endpoint_refuses_every_caller(
    server: ServerProcess, apigw_v1: Any
) -> None:
    allow_vpce = _api(
        apigw_v1,
        _policy(
            _statement("Allow", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
        ),
    )
    _denied(_get(server, allow_vpce, "/open"), _implicit(allow_vpce, "/open"))
    deny_others = _api(
        apigw_v1,
        _policy(
            ALLOW_ALL,
            _statement("Deny", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-2f09a348"}}),
        ),
    )
    _denied(_get(server, deny_others, "/open"), _explicit(deny_others, "/open"))


@pytest.mark.parametrize(
    ("condition", "headers", "allowed"),
    [
        ({"StringLike": {"aws:UserAgent": "curl/*"}}, {"user-agent": "curl/8.1"}, True),
        ({"StringLike": {"aws:UserAgent": "curl/*"}}, {"user-agent": "python-httpx"}, False),
        ({"StringEquals": {"aws:Referer": "https://a.example/"}}, {}, False),
        (
            {"StringEquals": {"aws:Referer": "https://a.example/"}},
            {"referer": "https://a.example/"},
            True,
        ),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {}, True),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"x-forwarded-for": "10.9.9.9"}, False),
        ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {}, True),
        ({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {}, False),
        # Loopback is a secure transport (as for buckets); a forwarded outside caller not.
        ({"Bool": {"aws:SecureTransport": "true"}}, {}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, {"x-forwarded-for": "192.0.2.7"}, False),
        # No principal signs an unauthenticated call.
        ({"StringEquals": {"aws:PrincipalAccount": "000000000000"}}, {}, False),
        ({"Null": {"aws:PrincipalAccount": "true"}}, {}, True),
    ],
)
def test_condition_keys(
    server: ServerProcess,
    apigw_v1: Any,
    condition: dict[str, Any],
    headers: dict[str, str],
    allowed: bool,
) -> None:
    api_id = _api(apigw_v1, _policy(_statement("Allow", Condition=condition)))
    answer = _get(server, api_id, "/open", **headers)
    if allowed:
        assert answer.status_code == 200, answer.text
    else:
        _denied(answer, _implicit(api_id, "/open"))


def test_a_policy_change_waits_for_the_next_deployment(
    server: ServerProcess, apigw_v1: Any
) -> None:
    api_id = _api(apigw_v1, None)
    assert _get(server, api_id, "/open").status_code == 200
    deny = _policy(_statement("Deny"))
    apigw_v1.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": deny}]
    )
    assert _get(server, api_id, "/open").status_code == 200  # not deployed yet
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    _denied(_get(server, api_id, "/open"), _explicit(api_id, "/open"))
    apigw_v1.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "remove", "path": "/policy"}]
    )
    _denied(_get(server, api_id, "/open"), _explicit(api_id, "/open"))
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    assert _get(server, api_id, "/open").status_code == 200
    # A test invocation bypasses authorization, the resource policy included.
    apigw_v1.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": deny}]
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    resource = next(
        r["id"] for r in apigw_v1.get_resources(restApiId=api_id)["items"] if r["path"] == "/open"
    )
    tried = apigw_v1.test_invoke_method(restApiId=api_id, resourceId=resource, httpMethod="GET")
    assert tried["status"] == 200


def test_access_denied_goes_through_the_gateway_response(
    server: ServerProcess, apigw_v1: Any
) -> None:
    api_id = _api(apigw_v1, _ip_policy("10.0.0.0/8"))
    apigw_v1.put_gateway_response(
        restApiId=api_id,
        responseType="ACCESS_DENIED",
        statusCode="404",
        responseParameters={"gatewayresponse.header.x-why": "'policy'"},
        responseTemplates={
            "application/json": '{"why": $context.error.messageString, '
            '"type": "$context.error.responseType"}'
        },
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    answer = _get(server, api_id, "/open")
    assert answer.status_code == 404 and answer.headers["x-why"] == "policy"
    assert answer.json() == {
        "why": _implicit(api_id, "/open")["Message"],
        "type": "ACCESS_DENIED",
    }
    assert answer.headers["x-amzn-errortype"] == DENIED_HEADER


# -- AWS_IAM ------------------------------------------------------------------------------
def _user(server: ServerProcess, account: str, name: str) -> Credentials:
    iam = server.client("iam", access_key=account)
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def _signed(url: str, credentials: Credentials) -> httpx.Response:
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return httpx.get(url, headers=dict(request.headers))


def test_iam_auth_with_a_policy_naming_another_account(
    server: ServerProcess, apigw_v1: Any
) -> None:
    trusted = _user(server, "111111111111", "policy-trusted")
    stranger = _user(server, "222222222222", "policy-stranger")
    owner = _user(server, "000000000000", "policy-owner")
    api_id = _api(
        apigw_v1,
        _policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["111111111111"]},
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
            },
            {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::000000000000:user/policy-owner"},
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*/GET/secret",
            },
        ),
        authorizationType="AWS_IAM",
    )
    url = path_url(server, api_id, "/s/open")
    assert _signed(url, trusted).status_code == 200  # Table B: both allow
    # Table B: another account's caller needs the resource policy's Allow.
    stranger_arn = "arn:aws:iam::222222222222:user/policy-stranger"
    _denied(_signed(url, stranger), _implicit(api_id, "/open", stranger_arn))
    # Table A: the owner's own account passes on its IAM policies, unless denied.
    assert _signed(url, owner).status_code == 200
    owner_arn = "arn:aws:iam::000000000000:user/policy-owner"
    secret = path_url(server, api_id, "/s/secret")
    _denied(_signed(secret, owner), _explicit(api_id, "/secret", owner_arn))
    # Unsigned: the IAM check answers first, as on AWS.
    unsigned = httpx.get(url)
    assert unsigned.status_code == 403
    assert unsigned.json() == {"message": "Missing Authentication Token"}


# -- Lambda authorizers ---------------------------------------------------------------------
AUTHORIZER = """
def handler(event, context):
    token = event["authorizationToken"]
    arn = event["methodArn"]
    if token == "raise":
        raise RuntimeError("the resource policy should have refused first")
    if token == "other":  # allows another method: silent about this one
        arn = arn.rsplit("/", 2)[0] + "/POST/elsewhere"
    if token.startswith("exact:"):
        arn = token[len("exact:"):]
    effect = "Deny" if token == "deny" else "Allow"
    return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn}]}}
"""


@pytest.fixture(scope="module")
def authorizer_uri(lambda_client: Any) -> str:
    name = create_function(lambda_client, AUTHORIZER)
    return (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(name)}/invocations"
    )


def _authorized_api(apigw: Any, authorizer_uri: str, policy: str | None) -> str:
    api_id = apigw.create_rest_api(name="authorized", **({"policy": policy} if policy else {}))[
        "id"
    ]
    authorizer = apigw.create_authorizer(
        restApiId=api_id,
        name="token",
        type="TOKEN",
        authorizerUri=authorizer_uri,
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
    )["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    for part in ("open", "secret"):
        resource = apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]
        _mock_method(apigw, api_id, resource, authorizationType="CUSTOM", authorizerId=authorizer)
    apigw.create_deployment(restApiId=api_id, stageName="s")
    return api_id


def test_lambda_authorizer_and_resource_policy_decide_together(
    server: ServerProcess, apigw_v1: Any, authorizer_uri: str
) -> None:
    api_id = _authorized_api(
        apigw_v1,
        authorizer_uri,
        _policy(
            _statement("Allow", "execute-api:/*/GET/open"),
            _statement("Deny", "execute-api:/*/GET/secret"),
        ),
    )

    def call(path: str, token: str) -> httpx.Response:
        return _get(server, api_id, path, authorization=token)

    assert call("/open", "allow").status_code == 200
    # The resource policy's Deny refuses before the authorizer runs (it would fail).
    _denied(call("/secret", "raise"), _explicit(api_id, "/secret"))
    _denied(call("/secret", "allow"), _explicit(api_id, "/secret"))
    # The authorizer's Deny wins over the resource policy's Allow.
    deny = call("/open", "deny")
    assert deny.status_code == 403 and deny.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    # The authorizer silent, the resource policy's Allow decides (Table A) ...
    assert call("/open", "other").status_code == 200
    # ... and with neither allowing, an implicit deny.
    without = _authorized_api(apigw_v1, authorizer_uri, _policy(_statement("Deny", "x")))
    silent = _get(server, without, "/open", authorization="other")
    assert silent.status_code == 403
    assert silent.json() == {"Message": "User is not authorized to access this resource"}
    assert silent.headers["x-amzn-errortype"] == DENIED_HEADER
    # The authorizer's Allow passes where the resource policy says nothing (Table A).
    assert _get(server, without, "/open", authorization="allow").status_code == 200


def test_an_authorizer_policy_matches_a_bracket_literally(
    server: ServerProcess, apigw_v1: Any, authorizer_uri: str, lambda_client: Any
) -> None:
    api_id = apigw_v1.create_rest_api(name="brackets")["id"]
    authorizer = apigw_v1.create_authorizer(
        restApiId=api_id,
        name="token",
        type="TOKEN",
        authorizerUri=authorizer_uri,
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
    )["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    files = apigw_v1.create_resource(restApiId=api_id, parentId=root, pathPart="files")["id"]
    proxy = apigw_v1.create_resource(restApiId=api_id, parentId=files, pathPart="{proxy+}")["id"]
    _mock_method(apigw_v1, api_id, proxy, authorizationType="CUSTOM", authorizerId=authorizer)
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    arn = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/s/GET/files/a[1]"
    url = path_url(server, api_id, "/s/files/a[1]")
    # fnmatch read "[1]" as a class matching "1": the literal "a[1]" was refused.
    assert httpx.get(url, headers={"authorization": f"exact:{arn}"}).status_code == 200
    other = path_url(server, api_id, "/s/files/a1")
    refused = httpx.get(other, headers={"authorization": f"exact:{arn}"})
    assert refused.status_code == 403


HOSTILE_AUTHORIZER = """
def handler(event, context):
    statements = [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": f"x{i}*"}
                  for i in range(int(event["authorizationToken"]))]
    statements.append({"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"})
    return {"principalId": "u",
            "policyDocument": {"Version": "2012-10-17", "Statement": statements}}
"""


def test_an_authorizer_policy_past_the_bounds_allows_nothing(
    server: ServerProcess, apigw_v1: Any, lambda_client: Any
) -> None:
    name = create_function(lambda_client, HOSTILE_AUTHORIZER)
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        f"{function_arn(name)}/invocations"
    )
    api_id = _authorized_api(apigw_v1, uri, None)
    assert _get(server, api_id, "/open", authorization="10").status_code == 200
    # 50,000 statements: not matched one by one, refused at once.
    flood = _get(server, api_id, "/open", authorization="50000")
    assert flood.status_code == 403
    assert flood.json() == {"Message": "User is not authorized to access this resource"}


# -- durability -----------------------------------------------------------------------------
def test_the_policy_survives_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw = server.client("apigateway")
        api_id = _api(apigw, _ip_policy("10.0.0.0/8"))
        answered = apigw.get_rest_api(restApiId=api_id)["policy"]
        server.kill()
        server.start()
        apigw = server.client("apigateway")
        assert apigw.get_rest_api(restApiId=api_id)["policy"] == answered
        _denied(_get(server, api_id, "/open"), _implicit(api_id, "/open"))
        forwarded = _get(server, api_id, "/open", **{"x-forwarded-for": "10.0.0.1"})
        assert forwarded.status_code == 200
    finally:
        server.stop()


# -- SAM ------------------------------------------------------------------------------------
SAM_TEMPLATE = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Api": {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "StageName": "prod",
                "Auth": {"ResourcePolicy": {"IpRangeWhitelist": ["10.0.0.0/8"]}},
            },
        },
        "Hello": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "index.handler",
                "InlineCode": "def handler(event, context):\n"
                "    return {'statusCode': 200, 'body': 'hi'}\n",
                "Events": {
                    "Get": {
                        "Type": "Api",
                        "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/hi", "Method": "get"},
                    }
                },
            },
        },
    },
    "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}},
}


def test_a_sam_apis_resource_policy_is_enforced(server: ServerProcess) -> None:
    cfn = server.client("cloudformation")
    cfn.create_stack(
        StackName="sam-resource-policy",
        TemplateBody=json.dumps(SAM_TEMPLATE),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cfn.get_waiter("stack_create_complete").wait(
        StackName="sam-resource-policy", WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    stack = cfn.describe_stacks(StackName="sam-resource-policy")["Stacks"][0]
    api_id = stack["Outputs"][0]["OutputValue"]
    url = path_url(server, api_id, "/prod/hi")
    refused = httpx.get(url)
    assert refused.status_code == 403, refused.text
    # SAM writes the allowlist as an Allow and a Deny of every other address.
    _denied(refused, _explicit(api_id, "/hi", stage="prod"))
    allowed = httpx.get(url, headers={"x-forwarded-for": "10.1.2.3"}, timeout=30)
    assert allowed.status_code == 200 and allowed.text == "hi"
