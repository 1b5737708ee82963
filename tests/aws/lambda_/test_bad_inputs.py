"""Bad inputs to the Lambda API: AWS's error code, message and status, and nothing stored.

Messages are the ones Lambda answers (API reference "Errors" sections and real-world
reports of them). ``raw_client`` skips botocore's client-side checks so the server itself
has to refuse what botocore would have caught.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.lambda_.conftest import (
    assert_error,
    assert_no_function,
    configuration,
    function_arn,
)
from tests.conftest import ROLE, create_function, make_zip, unique_name

SOURCE = "def handler(event, context):\n    return event\n"
ZIP = make_zip({"app.py": SOURCE})
UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."


def _create(client: Any, name: str, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": "python3.11",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": ZIP},
    }
    params.update(overrides)
    return client.create_function(**{k: v for k, v in params.items() if v is not None})


def _validation(value: str, member: str, constraint: str) -> str:
    return (
        f"1 validation error detected: Value {value} at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


# -- CreateFunction -------------------------------------------------------------------
CREATE_CASES = [
    pytest.param(
        {"Role": None},
        "ValidationException",
        _validation("null", "role", "Member must not be null"),
        id="missing-role",
    ),
    pytest.param(
        {"Role": "lambda-role"},
        "ValidationException",
        _validation(
            "'lambda-role'",
            "role",
            "Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
        ),
        id="bad-role",
    ),
    pytest.param(
        {"Runtime": None},
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.",
        id="missing-runtime",
    ),
    pytest.param(
        {"Handler": None},
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.",
        id="missing-handler",
    ),
    pytest.param(
        {"Code": None},
        "ValidationException",
        _validation("null", "code", "Member must not be null"),
        id="missing-code",
    ),
    pytest.param(
        {"Code": {}},
        "InvalidParameterValueException",
        "Please provide a source for function code.",
        id="empty-code",
    ),
    pytest.param(
        {"Handler": "app handler"},
        "ValidationException",
        _validation(
            "'app handler'", "handler", "Member must satisfy regular expression pattern: [^\\s]+"
        ),
        id="handler-with-space",
    ),
    pytest.param(
        {"Handler": "a" * 129},
        "ValidationException",
        _validation(
            "'" + "a" * 129 + "'", "handler", "Member must have length less than or equal to 128"
        ),
        id="handler-too-long",
    ),
    pytest.param(
        {"Runtime": "python9.9"},
        "ValidationException",
        None,
        id="unknown-runtime",
    ),
    pytest.param(
        {"Code": {"ZipFile": b"this is not a zip file"}},
        "InvalidParameterValueException",
        UNZIP_ERROR,
        id="not-a-zip",
    ),
    pytest.param(
        {"Code": {"ZipFile": ZIP[: len(ZIP) // 2]}},
        "InvalidParameterValueException",
        UNZIP_ERROR,
        id="truncated-zip",
    ),
    pytest.param(
        {"MemorySize": 127},
        "ValidationException",
        _validation("'127'", "memorySize", "Member must have value greater than or equal to 128"),
        id="memory-too-small",
    ),
    pytest.param(
        {"MemorySize": 10241},
        "ValidationException",
        _validation("'10241'", "memorySize", "Member must have value less than or equal to 10240"),
        id="memory-too-large",
    ),
    pytest.param(
        {"Timeout": 0},
        "ValidationException",
        _validation("'0'", "timeout", "Member must have value greater than or equal to 1"),
        id="timeout-zero",
    ),
    pytest.param(
        {"Timeout": 901},
        "ValidationException",
        _validation("'901'", "timeout", "Member must have value less than or equal to 900"),
        id="timeout-too-long",
    ),
    pytest.param(
        {"Environment": {"Variables": {"AWS_REGION": "eu-west-1", "OK": "1"}}},
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        "for modification. Reserved keys used in this request: AWS_REGION",
        id="reserved-env-key",
    ),
    pytest.param(
        {"Environment": {"Variables": {"LAMBDA_TASK_ROOT": "x", "AWS_ACCESS_KEY_ID": "y"}}},
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        "for modification. Reserved keys used in this request: AWS_ACCESS_KEY_ID, "
        "LAMBDA_TASK_ROOT",
        id="reserved-env-keys",
    ),
    pytest.param(
        # ``_HANDLER`` is reserved, but the model's key pattern refuses it first.
        {"Environment": {"Variables": {"_HANDLER": "x", "AWS_ACCESS_KEY_ID": "y"}}},
        "ValidationException",
        "1 validation error detected: Value at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular "
        "expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
        id="reserved-env-key-breaking-the-pattern",
    ),
    pytest.param(
        {"Environment": {"Variables": {"BIG": "x" * 5000}}},
        "InvalidParameterValueException",
        None,
        id="env-over-4kb",
    ),
    pytest.param(
        {"Description": "d" * 257},
        "ValidationException",
        _validation(
            "'" + "d" * 257 + "'",
            "description",
            "Member must have length less than or equal to 256",
        ),
        id="description-too-long",
    ),
    pytest.param(
        {"Layers": ["arn:aws:lambda:us-east-1:000000000000:layer:no-such-layer:1"]},
        "InvalidParameterValueException",
        "Layer version arn:aws:lambda:us-east-1:000000000000:layer:no-such-layer:1 does not exist.",
        id="unknown-layer",
    ),
]


@pytest.mark.parametrize(("overrides", "code", "message"), CREATE_CASES)
def test_create_function_refuses(
    raw_client: Any, overrides: dict[str, Any], code: str, message: str | None
) -> None:
    name = unique_name("bad")
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        _create(raw_client, name, **overrides)
    assert_error(error, code, message, 400)
    assert_no_function(raw_client, name)


def test_unknown_runtime_lists_the_enum(raw_client: Any) -> None:
    name = unique_name("bad")
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        _create(raw_client, name, Runtime="python9.9")
    message = error.value.response["Error"]["Message"]
    assert message.startswith(
        "1 validation error detected: Value 'python9.9' at 'runtime' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )
    assert "python3.12" in message and "nodejs20.x" in message


@pytest.mark.parametrize("runtime", ["python2.7", "python3.8"])
def test_create_with_deprecated_python(raw_client: Any, runtime: str) -> None:
    name = unique_name("bad")
    with pytest.raises(raw_client.exceptions.InvalidParameterValueException) as error:
        _create(raw_client, name, Runtime=runtime)
    assert_error(
        error,
        "InvalidParameterValueException",
        f"The runtime parameter of {runtime} is no longer supported for creating or updating "
        "AWS Lambda functions. We recommend you use the new runtime (python3.14) while creating "
        "or updating functions.",
        400,
    )
    assert_no_function(raw_client, name)


@pytest.mark.parametrize("runtime", ["python2.7", "ruby3.3", "java21"])
def test_create_with_unsupported_runtime(raw_client: Any, runtime: str) -> None:
    """A runtime Lambda knows but Stratus does not run: InvalidParameterValueException."""
    name = unique_name("bad")
    with pytest.raises(raw_client.exceptions.InvalidParameterValueException) as error:
        _create(raw_client, name, Runtime=runtime)
    assert_error(
        error,
        "InvalidParameterValueException",
        f"The runtime parameter of {runtime}",
        400,
        prefix=True,
    )
    assert_no_function(raw_client, name)


@pytest.mark.parametrize(
    "bad_name",
    [
        pytest.param("has space", id="space"),
        pytest.param("x" * 65, id="too-long"),
        pytest.param("name/slash", id="slash"),
    ],
)
def test_create_with_bad_function_name(raw_client: Any, bad_name: str) -> None:
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        _create(raw_client, bad_name)
    assert_error(
        error, "ValidationException", "1 validation error detected: Value '", 400, prefix=True
    )
    assert bad_name not in {
        f["FunctionName"] for f in raw_client.list_functions(MaxItems=10000)["Functions"]
    }


def test_create_without_function_name(raw_client: Any) -> None:
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        _create(raw_client, None)  # type: ignore[arg-type]
    assert_error(
        error,
        "ValidationException",
        _validation("null", "functionName", "Member must not be null"),
        400,
    )


def test_duplicate_create_conflicts(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    before = lambda_client.get_function_configuration(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        _create(lambda_client, name, Handler="app.other", Timeout=30)
    assert_error(error, "ResourceConflictException", f"Function already exist: {name}", 409)
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert configuration(after) == configuration(before)


def test_handler_without_dot_fails_at_invoke(lambda_client: Any) -> None:
    """Lambda accepts any handler string at create; the Python runtime refuses it at init."""
    name = create_function(lambda_client, SOURCE, handler="handler")
    response = lambda_client.invoke(FunctionName=name)
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Runtime.MalformedHandlerName"
    assert (
        body["errorMessage"]
        == "Bad handler 'handler': not enough values to unpack (expected 2, got 1)"
    )


# -- updates --------------------------------------------------------------------------
UPDATE_CONFIG_CASES = [
    pytest.param(
        {"MemorySize": 64},
        "ValidationException",
        _validation("'64'", "memorySize", "Member must have value greater than or equal to 128"),
        id="memory",
    ),
    pytest.param(
        {"Timeout": 1000},
        "ValidationException",
        _validation("'1000'", "timeout", "Member must have value less than or equal to 900"),
        id="timeout",
    ),
    pytest.param(
        {"Handler": "bad handler"},
        "ValidationException",
        _validation(
            "'bad handler'", "handler", "Member must satisfy regular expression pattern: [^\\s]+"
        ),
        id="handler",
    ),
    pytest.param(
        {"Environment": {"Variables": {"LAMBDA_TASK_ROOT": "/x"}}},
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported "
        "for modification. Reserved keys used in this request: LAMBDA_TASK_ROOT",
        id="reserved-env",
    ),
    pytest.param({"Runtime": "cobol"}, "ValidationException", None, id="runtime"),
]


@pytest.mark.parametrize(("change", "code", "message"), UPDATE_CONFIG_CASES)
def test_update_configuration_refuses(
    lambda_client: Any, raw_client: Any, change: dict[str, Any], code: str, message: str | None
) -> None:
    name = create_function(lambda_client, SOURCE)
    before = lambda_client.get_function_configuration(FunctionName=name)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.update_function_configuration(FunctionName=name, **change)
    assert_error(error, code, message, 400)
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert configuration(after) == configuration(before)


def test_update_code_with_bad_zip(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    before = lambda_client.get_function_configuration(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_code(FunctionName=name, ZipFile=b"PK\x03\x04garbage")
    assert_error(error, "InvalidParameterValueException", UNZIP_ERROR, 400)
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert configuration(after) == configuration(before)
    assert json.loads(
        lambda_client.invoke(FunctionName=name, Payload=b"[1]")["Payload"].read()
    ) == [1]


# -- unknown resources ----------------------------------------------------------------
def test_unknown_function_everywhere(lambda_client: Any) -> None:
    name = unique_name("ghost")
    message = f"Function not found: {function_arn(name)}"
    calls = [
        lambda: lambda_client.get_function(FunctionName=name),
        lambda: lambda_client.get_function_configuration(FunctionName=name),
        lambda: lambda_client.invoke(FunctionName=name),
        lambda: lambda_client.invoke(FunctionName=name, InvocationType="Event"),
        lambda: lambda_client.invoke(FunctionName=name, InvocationType="DryRun"),
        lambda: lambda_client.update_function_configuration(FunctionName=name, Timeout=5),
        lambda: lambda_client.update_function_code(FunctionName=name, ZipFile=ZIP),
        lambda: lambda_client.publish_version(FunctionName=name),
        lambda: lambda_client.list_versions_by_function(FunctionName=name),
        lambda: lambda_client.list_aliases(FunctionName=name),
        lambda: lambda_client.get_function_concurrency(FunctionName=name),
        lambda: lambda_client.put_function_concurrency(
            FunctionName=name, ReservedConcurrentExecutions=1
        ),
        lambda: lambda_client.delete_function(FunctionName=name),
    ]
    for call in calls:
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call()
        assert_error(error, "ResourceNotFoundException", message, 404)
    assert_no_function(lambda_client, name)


@pytest.mark.parametrize("qualifier", ["7", "nosuchalias"])
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, n, q: c.get_function(FunctionName=n, Qualifier=q), id="get"),
        pytest.param(
            lambda c, n, q: c.get_function_configuration(FunctionName=n, Qualifier=q),
            id="get-configuration",
        ),
        pytest.param(lambda c, n, q: c.invoke(FunctionName=n, Qualifier=q), id="invoke"),
        pytest.param(lambda c, n, q: c.invoke(FunctionName=f"{n}:{q}"), id="invoke-arn"),
    ],
)
def test_unknown_version_and_alias(lambda_client: Any, qualifier: str, call: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        call(lambda_client, name, qualifier)
    assert_error(
        error,
        "ResourceNotFoundException",
        f"Function not found: {function_arn(name, qualifier)}",
        404,
    )


def test_get_unknown_alias(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_alias(FunctionName=name, Name="missing")
    assert_error(
        error,
        "ResourceNotFoundException",
        f"Cannot find alias arn: {function_arn(name, 'missing')}",
        404,
    )


def test_mismatched_qualifiers(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.get_function(FunctionName=f"{name}:1", Qualifier="2")
    assert_error(
        error,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
        400,
    )


# -- invoke payloads ------------------------------------------------------------------
def test_sync_payload_over_6mb(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    payload = json.dumps({"data": "x" * (6 * 1024 * 1024)}).encode()
    with pytest.raises(lambda_client.exceptions.ClientError) as error:
        lambda_client.invoke(FunctionName=name, Payload=payload)
    assert_error(
        error,
        "RequestEntityTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
        413,
    )


def test_async_payload_over_1mb(lambda_client: Any, tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    name = create_function(
        lambda_client,
        f"def handler(event, context):\n    open({str(marker)!r}, 'w').write('ran')\n",
    )
    payload = json.dumps({"data": "x" * (1024 * 1024)}).encode()
    with pytest.raises(lambda_client.exceptions.ClientError) as error:
        lambda_client.invoke(FunctionName=name, Payload=payload, InvocationType="Event")
    assert_error(
        error,
        "RequestEntityTooLargeException",
        "Request must be smaller than 1048576 bytes for the InvokeFunction operation",
        413,
    )
    # a payload just under the async limit but over nothing else is fine synchronously
    response = lambda_client.invoke(FunctionName=name, Payload=payload)
    assert response["StatusCode"] == 200
    assert marker.read_text() == "ran"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"not json", id="text"),
        pytest.param(b"{'single': 'quotes'}", id="python-dict"),
        pytest.param(b'{"open": ', id="truncated"),
        pytest.param(b"\xff\xfe\x00", id="binary"),
    ],
)
@pytest.mark.parametrize("kind", ["RequestResponse", "Event"])
def test_payload_not_json(lambda_client: Any, payload: bytes, kind: str) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.InvalidRequestContentException) as error:
        lambda_client.invoke(FunctionName=name, Payload=payload, InvocationType=kind)
    assert_error(
        error,
        "InvalidRequestContentException",
        "Could not parse request body into json: Could not parse payload into json: ",
        400,
        prefix=True,
    )


def test_bad_client_context(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.InvalidRequestContentException) as error:
        lambda_client.invoke(FunctionName=name, ClientContext="%%% not base64 %%%")
    assert_error(
        error,
        "InvalidRequestContentException",
        "Client context must be a valid Base64-encoded JSON object.",
        400,
    )


def test_bad_invocation_type(raw_client: Any, lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.invoke(FunctionName=name, InvocationType="Sometimes")
    assert_error(
        error,
        "ValidationException",
        _validation(
            "'Sometimes'",
            "invocationType",
            "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
        ),
        400,
    )


def test_bad_log_type(raw_client: Any, lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.invoke(FunctionName=name, LogType="Everything")
    assert_error(
        error,
        "ValidationException",
        _validation("'Everything'", "logType", "Member must satisfy enum value set: [None, Tail]"),
        400,
    )


def test_list_functions_bad_max_items(raw_client: Any) -> None:
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.list_functions(MaxItems=0)
    assert_error(
        error,
        "ValidationException",
        _validation("'0'", "maxItems", "Member must have value greater than or equal to 1"),
        400,
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, n: c.get_function(FunctionName=n + "\n"), id="name"),
        pytest.param(
            lambda c, n: c.get_function(FunctionName=n, Qualifier="$LATEST\n"), id="qualifier"
        ),
        pytest.param(lambda c, n: c.delete_function(FunctionName=n + "\n"), id="delete"),
    ],
)
def test_trailing_newline_is_not_the_name(lambda_client: Any, raw_client: Any, call: Any) -> None:
    """A name or qualifier ending in a newline breaks the pattern; it never names ``n``."""
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        call(raw_client, name)
    assert_error(error, "ValidationException", "1 validation error detected: ", 400, prefix=True)
    assert lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name


def test_non_ascii_client_context(server: Any, lambda_client: Any) -> None:
    """A header value that is not ASCII is bad client context (400), never a 500."""
    import http.client

    name = create_function(lambda_client, SOURCE)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("POST", f"/2015-03-31/functions/{name}/invocations")
        connection.putheader(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, "
            "SignedHeaders=host, Signature=0",
        )
        connection.putheader("X-Amz-Client-Context", "\x80".encode("latin-1"))
        connection.putheader("Content-Length", "2")
        connection.endheaders(b"{}")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 400, body
    assert response.getheader("x-amzn-errortype") == "InvalidRequestContentException"
    assert (
        json.loads(body)["message"] == "Client context must be a valid Base64-encoded JSON object."
    )
