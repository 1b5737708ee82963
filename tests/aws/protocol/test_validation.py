"""Model validation: each constraint kind, in each protocol, worded as AWS words it.

Requests are written by botocore's own serializer with its client-side checks off (what a
client with ``Config(parameter_validation=False)`` sends), answered by a real ``AwsApp``,
and the answers read back by botocore's parser, so code, status and message are what a
boto3 user would see.

Where the expected wording comes from (AWS answers as users reported them):

- pattern, ``kMSKeyArn`` casing: https://github.com/highsource/bitcoin-a-day/issues/1
  ("Value '...' at 'kMSKeyArn' failed to satisfy constraint: Member must satisfy regular
  expression pattern: ...");
- nested member paths: https://github.com/awslabs/aws-lambda-security-controls/issues/1
  ("at 'code.s3Bucket'");
- list of strings, every item constraint listed, ``Member must not be null`` last:
  https://github.com/appleboy/lambda-action/issues/83 ("Value '[]' at 'layers' ...
  Member must satisfy constraint: [Member must have length less than or equal to 2048,
  Member must have length greater than or equal to 1, Member must satisfy regular
  expression pattern: ..., Member must not be null]") and issues/72 of the same
  repository (``vpcConfig.subnetIds``);
- sensitive maps shown without their value, ``Map keys must satisfy constraint``:
  https://github.com/trek10inc/serverless-secrets/issues/39 ("Value at
  'environment.variables' failed to satisfy constraint: Map keys must satisfy
  constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
- list items of structures, query services' ``ValidationError``:
  https://github.com/SWO-GS/auto-tag/issues/90 (IAM: "at 'tags.6.member.value'");
- several violations joined by ``; ``, the pattern before the length: DynamoDB's and
  Cognito's answers ("2 validation errors detected: Value '' at 'tableName' failed to
  satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+;
  Value '' at 'tableName' failed to satisfy constraint: Member must have length greater
  than or equal to 3").
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aws_wire import botocore_parse, botocore_request

from stratus.aws.app import AwsApp
from stratus.aws.context import RequestContext
from stratus.aws.protocol.java_regex import compile_java_pattern
from stratus.aws.protocol.models import load_service
from stratus.aws.protocol.validation import input_violations, render_value

LAMBDA = load_service("lambda").model


def pattern_of(operation: str, member: str) -> str:
    """The pattern the model gives ``member`` of ``operation`` (shapes differ per operation:
    GetFunction's FunctionName is a ``NamespacedFunctionName``)."""
    return str(LAMBDA.operation_model(operation).input_shape.members[member].metadata["pattern"])


FUNCTION_PATTERN = pattern_of("CreateFunction", "FunctionName")
TAG_PATTERN = "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"
ROLE = "arn:aws:iam::000000000000:role/r"


class Recorder:
    """A provider that answers every operation with nothing and remembers the calls, so a
    test can tell a refused request from one that reached the service."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        async def operation(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
            self.calls.append((name, params))
            return {}

        return operation


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def app(recorder: Recorder) -> AwsApp:
    services = ["lambda", "stepfunctions", "logs", "iam", "sns", "s3", "cloudformation"]
    return AwsApp(dict.fromkeys(services, recorder))


def call(app: AwsApp, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Send ``params`` as botocore writes them (unchecked); botocore's reading of the answer."""
    request = botocore_request(service, operation, params, validate=False)
    response = asyncio.run(app.handle(request))
    assert response is not None
    parsed = botocore_parse(service, operation, response)
    parsed["_status"] = response.status
    return parsed


def refused(
    app: AwsApp, recorder: Recorder, service: str, operation: str, params: dict[str, Any]
) -> tuple[str, str, int]:
    parsed = call(app, service, operation, params)
    assert recorder.calls == [], "a refused request must never reach the provider"
    return parsed["Error"]["Code"], parsed["Error"]["Message"], parsed["_status"]


def one(value: str, member: str, constraint: str) -> str:
    return (
        f"1 validation error detected: Value {value} at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


# -- rest-json (Lambda): every constraint kind ------------------------------------------
LAMBDA_CASES = [
    pytest.param(
        "GetFunction",
        {"FunctionName": "has space"},
        one(
            "'has space'",
            "functionName",
            "Member must satisfy regular expression pattern: "
            + pattern_of("GetFunction", "FunctionName"),
        ),
        id="pattern",
    ),
    pytest.param(
        "GetFunction",
        {"FunctionName": "f" * 257},
        one(
            "'" + "f" * 257 + "'",
            "functionName",
            "Member must have length less than or equal to 256",
        ),
        id="max-length",
    ),
    pytest.param(
        "GetFunction",
        {"FunctionName": "fn", "Qualifier": ""},
        "2 validation errors detected: Value '' at 'qualifier' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: "
        + pattern_of("GetFunction", "Qualifier")
        + "; Value '' at 'qualifier' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1",
        id="min-length",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE, "Code": {}, "MemorySize": 64},
        one("'64'", "memorySize", "Member must have value greater than or equal to 128"),
        id="min-value",
    ),
    pytest.param(
        "PutFunctionEventInvokeConfig",
        {"FunctionName": "fn", "MaximumRetryAttempts": 3},
        one("'3'", "maximumRetryAttempts", "Member must have value less than or equal to 2"),
        id="max-value",
    ),
    pytest.param(
        "Invoke",
        {"FunctionName": "fn", "LogType": "Everything"},
        one("'Everything'", "logType", "Member must satisfy enum value set: [None, Tail]"),
        id="enum-in-header",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE},
        one("null", "code", "Member must not be null"),
        id="required",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE, "Code": {"S3Bucket": "s3://bucket"}},
        one(
            "'s3://bucket'",
            "code.s3Bucket",
            "Member must satisfy regular expression pattern: [0-9A-Za-z\\.\\-_]*(?<!\\.)",
        ),
        id="nested-structure",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE, "Code": {}, "KMSKeyArn": "key"},
        one(
            "'key'",
            "kMSKeyArn",
            "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()",
        ),
        id="lower-camel-of-an-acronym",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE, "Code": {}, "Layers": [""]},
        one(
            "'[]'",
            "layers",
            "Member must satisfy constraint: [Member must have length less than or equal to "
            "2048, Member must have length greater than or equal to 1, Member must satisfy "
            "regular expression pattern: "
            + load_service("lambda").model.shape_for("LayerVersionArn").metadata["pattern"]
            + ", Member must not be null]",
        ),
        id="list-item",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE, "Code": {}, "Architectures": ["x86_64", "arm64"]},
        one(
            "'[x86_64, arm64]'", "architectures", "Member must have length less than or equal to 1"
        ),
        id="list-size",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "fn", "Role": ROLE, "Code": {}, "Environment": {"Variables": {"1X": "v"}}},
        "1 validation error detected: Value at 'environment.variables' failed to satisfy "
        "constraint: Map keys must satisfy constraint: [Member must satisfy regular "
        "expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
        id="sensitive-map-key",
    ),
    pytest.param(
        "TagResource",
        {"Resource": "arn:aws:lambda:us-east-1:000000000000:function:fn", "Tags": {"k": "v" * 257}},
        one(
            "'{k=" + "v" * 257 + "}'",
            "tags",
            "Map value must satisfy constraint: [Member must have length less than or equal "
            f"to 256, Member must have length greater than or equal to 0, Member must satisfy "
            f"regular expression pattern: {TAG_PATTERN}]",
        ),
        id="map-value",
    ),
    pytest.param(
        "UpdateAlias",
        {
            "FunctionName": "fn",
            "Name": "live",
            "RoutingConfig": {"AdditionalVersionWeights": {"2": 1.5}},
        },
        one(
            "'{2=1.5}'",
            "routingConfig.additionalVersionWeights",
            "Map value must satisfy constraint: [Member must have value less than or equal "
            "to 1.0, Member must have value greater than or equal to 0.0]",
        ),
        id="map-of-doubles",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "a b", "Role": "role", "Code": {}, "Timeout": 0},
        "3 validation errors detected: "
        f"Value 'a b' at 'functionName' failed to satisfy constraint: Member must satisfy "
        f"regular expression pattern: {FUNCTION_PATTERN}; "
        "Value 'role' at 'role' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+; "
        "Value '0' at 'timeout' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1",
        id="several-in-model-order",
    ),
    pytest.param(
        "CreateFunction",
        {"FunctionName": "a b" * 50, "Code": {}},
        "3 validation errors detected: "
        f"Value '{'a b' * 50}' at 'functionName' failed to satisfy constraint: Member must "
        f"satisfy regular expression pattern: {FUNCTION_PATTERN}; "
        f"Value '{'a b' * 50}' at 'functionName' failed to satisfy constraint: Member must "
        "have length less than or equal to 140; "
        "Value null at 'role' failed to satisfy constraint: Member must not be null",
        id="pattern-before-length-and-null",
    ),
]


@pytest.mark.parametrize(("operation", "params", "message"), LAMBDA_CASES)
def test_rest_json_refuses(
    app: AwsApp, recorder: Recorder, operation: str, params: dict[str, Any], message: str
) -> None:
    assert refused(app, recorder, "lambda", operation, params) == (
        "ValidationException",
        message,
        400,
    )


def test_streamed_payload_is_not_validated(app: AwsApp, recorder: Recorder) -> None:
    """Invoke's Payload is a streaming blob: validation must never read or measure it."""
    call(app, "lambda", "Invoke", {"FunctionName": "fn", "Payload": b"x" * 100_000})
    assert recorder.calls and recorder.calls[0][0] == "invoke"


def test_valid_request_reaches_the_provider(app: AwsApp, recorder: Recorder) -> None:
    params = {
        "FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:fn:live",
        "Role": ROLE,
        "Handler": "app.handler",
        "Runtime": "python3.12",
        "Code": {"ZipFile": b"PK"},
        "Environment": {"Variables": {"A_1": "x"}},
        "Tags": {"team": "core é"},
        "Layers": ["arn:aws:lambda:us-east-1:000000000000:layer:l:1"],
        "Architectures": ["arm64"],
    }
    call(app, "lambda", "CreateFunction", params)
    assert recorder.calls[0][0] == "create_function"


# -- json (Step Functions, Logs) ----------------------------------------------------------
def test_json_value_range(app: AwsApp, recorder: Recorder) -> None:
    """CloudWatch Logs' well-known answer to a DescribeLogGroups limit over 50: Coral's
    message under the code CloudWatch Logs gives its validation errors (its SDKs report
    ``Error Code: InvalidParameterException`` with "1 validation error detected")."""
    assert refused(app, recorder, "logs", "DescribeLogGroups", {"limit": 100}) == (
        "InvalidParameterException",
        one("'100'", "limit", "Member must have value less than or equal to 50"),
        400,
    )


def test_json_enum_and_required(app: AwsApp, recorder: Recorder) -> None:
    code, message, status = refused(
        app, recorder, "stepfunctions", "ListExecutions", {"statusFilter": "BOGUS"}
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == one(
        "'BOGUS'",
        "statusFilter",
        "Member must satisfy enum value set: "
        "[RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]",
    )


def test_json_all_required_at_once(app: AwsApp, recorder: Recorder) -> None:
    """``definition`` is sensitive: even its absence is told without a value."""
    code, message, _ = refused(app, recorder, "stepfunctions", "CreateStateMachine", {})
    assert code == "ValidationException"
    assert message == (
        "3 validation errors detected: "
        "Value null at 'name' failed to satisfy constraint: Member must not be null; "
        "Value at 'definition' failed to satisfy constraint: Member must not be null; "
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
    )


def test_json_sensitive_value_is_never_shown(app: AwsApp, recorder: Recorder) -> None:
    big = "x" * 262_145
    code, message, _ = refused(
        app,
        recorder,
        "stepfunctions",
        "StartExecution",
        {"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m", "input": big},
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144"
    )


def test_json_list_of_structures(app: AwsApp, recorder: Recorder) -> None:
    code, message, _ = refused(
        app,
        recorder,
        "stepfunctions",
        "TagResource",
        {
            "resourceArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m",
            "tags": [{"key": "ok", "value": "v"}, {"key": "", "value": "v"}],
        },
    )
    assert code == "ValidationException"
    assert message == one(
        "''", "tags.2.member.key", "Member must have length greater than or equal to 1"
    )


# -- query (IAM, SNS) -------------------------------------------------------------------
def test_query_answers_validation_error(app: AwsApp, recorder: Recorder) -> None:
    """IAM's answer from https://github.com/SWO-GS/auto-tag/issues/90, a list of structures
    with an index that counts from 1 as the query protocol's own ``Tags.member.N`` does."""
    value = "SourceIP: 86.16.135.208, UserAgent: aws-cli/2.1.17"
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(5)] + [{"Key": "k", "Value": value}]
    code, message, status = refused(
        app, recorder, "iam", "CreateUser", {"UserName": "u", "Tags": tags}
    )
    assert (code, status) == ("ValidationError", 400)
    assert message == one(
        f"'{value}'",
        "tags.6.member.value",
        "Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
    )


def test_query_required(app: AwsApp, recorder: Recorder) -> None:
    code, message, _ = refused(app, recorder, "sns", "Publish", {})
    assert code == "ValidationError"
    assert message == one("null", "message", "Member must not be null")


# -- rest-xml (S3) is left to its provider -----------------------------------------------
def test_rest_xml_is_not_validated(app: AwsApp, recorder: Recorder) -> None:
    """S3 answers its own errors (InvalidBucketName, InvalidArgument), never Coral's."""
    call(app, "s3", "ListObjectsV2", {"Bucket": "b", "MaxKeys": -5, "EncodingType": "nope"})
    assert recorder.calls and recorder.calls[0][0] == "list_objects_v2"


# -- the pieces -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("text", "text", id="string"),
        pytest.param(10241, "10241", id="integer"),
        pytest.param(True, "true", id="boolean"),
        pytest.param(1.0, "1.0", id="double"),
        pytest.param(1e10, "1.0E10", id="double-large"),
        pytest.param(2.5e-7, "2.5E-7", id="double-small"),
        pytest.param(["a", "b"], "[a, b]", id="list"),
        pytest.param([""], "[]", id="list-of-empty"),
        pytest.param({"k": "v", "n": 1}, "{k=v, n=1}", id="map"),
        pytest.param(b"abc", "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]", id="blob"),
    ],
)
def test_values_render_as_java_prints_them(value: Any, shown: str) -> None:
    assert render_value(value) == shown


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        pytest.param(TAG_PATTERN, "Équipe données 2", True, id="unicode-letters"),
        pytest.param(TAG_PATTERN, "a#b", False, id="outside-the-categories"),
        pytest.param("[\\w-_]+", "a-b_c", True, id="shorthand-then-dash"),
        pytest.param("\\d+", "١٢", False, id="digits-are-ascii"),
        pytest.param("[^\\s]+", "a\u00a0b", True, id="space-is-ascii"),
        pytest.param("(?!^[0-9]+$)([a-zA-Z0-9-_]+)", "123", False, id="lookahead"),
        pytest.param("[a-z]+", "abc\n", False, id="whole-value"),
    ],
)
def test_java_patterns(pattern: str, value: str, matches: bool) -> None:
    compiled = compile_java_pattern(pattern)
    assert compiled is not None
    assert (compiled.fullmatch(value) is not None) is matches


def test_length_counts_utf16_units() -> None:
    """Java's String.length(): an emoji is two units, so 128 of them break a 128 max."""
    operation = load_service("lambda").model.operation_model("CreateAlias")
    params = {
        "FunctionName": "fn",
        "Name": "live",
        "FunctionVersion": "1",
        "Description": "😀" * 129,
    }
    assert input_violations(operation, params) == [
        f"Value '{'😀' * 129}' at 'description' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    ]


@pytest.mark.parametrize(
    "service",
    [
        "lambda",
        "stepfunctions",
        "logs",
        "sqs",
        "sns",
        "dynamodb",
        "events",
        "scheduler",
        "apigateway",
        "apigatewayv2",
        "cloudformation",
        "iam",
        "sts",
    ],
)
def test_every_operation_compiles(service: str) -> None:
    """Every input shape of the services we serve or route compiles, recursive ones included
    (DynamoDB's AttributeValue holds maps and lists of itself), and an empty input reports
    exactly its required members."""
    model = load_service(service).model
    for name in model.operation_names:
        operation = model.operation_model(name)
        shape = operation.input_shape
        violations = input_violations(operation, {})
        required = list(shape.required_members) if shape is not None else []
        assert len(violations) == len(required), (name, violations)
        assert all(v.endswith("Member must not be null") for v in violations), violations


def test_recursive_shapes_are_walked() -> None:
    """A DynamoDB item nests maps in lists in maps (through a late-bound check); the walk
    ends and a bad table name is still found."""
    operation = load_service("dynamodb").model.operation_model("PutItem")
    item = {"a": {"L": [{"M": {"b": {"L": [{"S": "deep"}]}}}]}}
    assert input_violations(operation, {"TableName": "", "Item": item}) == [
        "Value '' at 'tableName' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1"
    ]
