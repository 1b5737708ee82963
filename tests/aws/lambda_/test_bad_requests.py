"""Bad Lambda requests refused by the model's constraints, exactly as AWS refuses them.

Each case goes through a real boto3 client with ``parameter_validation=False`` (so botocore
does not stop it first) to the session's real server, and asserts AWS's code, HTTP status
and full message, then that nothing stored changed: a create stores no function, any other
call leaves the shared function's configuration, versions, aliases, tags, concurrency and
event invoke config as they were.

The constraints themselves are the ones the Lambda API reference lists per parameter
("Length Constraints", "Pattern", "Valid Range", "Valid Values", e.g.
https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html), which botocore's
model carries; patterns are read from that model so the test follows the API as it
evolves. The wording around them is AWS's (``1 validation error detected: Value '...' at
'...' failed to satisfy constraint: ...``) as users report it; each group cites a report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from stratus.aws.protocol.models import load_service
from tests.aws.lambda_.conftest import assert_error, assert_no_function, configuration
from tests.conftest import ROLE, create_function, make_zip, unique_name

MODEL = load_service("lambda").model
SOURCE = "def handler(event, context):\n    return event\n"
ZIP = make_zip({"app.py": SOURCE})
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def pattern(operation: str, *path: str) -> str:
    """The ``pattern`` of a member (``path`` walks nested structures and list items)."""
    shape = MODEL.operation_model(operation).input_shape
    for step in path:
        shape = shape.member if step == "[]" else shape.members[step]
    return str(shape.metadata["pattern"])


def one(value: str | None, member: str, constraint: str) -> str:
    """AWS's message for a single violation; ``value=None`` for a sensitive member."""
    shown = "Value at" if value is None else f"Value {value} at"
    return f"1 validation error detected: {shown} '{member}' failed to satisfy constraint: {constraint}"


def regex(operation: str, *path: str) -> str:
    return f"Member must satisfy regular expression pattern: {pattern(operation, *path)}"


RUNTIMES = ", ".join(MODEL.shape_for("Runtime").metadata["enum"])
LAYER_ITEM = (
    "Member must satisfy constraint: [Member must have length less than or equal to 2048, "
    "Member must have length greater than or equal to 1, "
    f"{regex('CreateFunction', 'Layers', '[]')}, Member must not be null]"
)
SUBNET_ITEM = (
    "Member must satisfy constraint: [Member must have length less than or equal to 1024, "
    "Member must have length greater than or equal to 0, "
    f"{regex('CreateFunction', 'VpcConfig', 'SubnetIds', '[]')}, Member must not be null]"
)


@dataclass(frozen=True, slots=True)
class Bad:
    """One bad request: ``call(client, name)`` against the shared function ``name``."""

    call: Callable[[Any, str], Any]
    message: str | Callable[[str], str]
    code: str = "ValidationException"
    status: int = 400
    creates: bool = False  # a CreateFunction: check that no function appeared


def _create(**overrides: Any) -> Callable[[Any, str], Any]:
    def call(client: Any, name: str) -> Any:
        params: dict[str, Any] = {
            "FunctionName": name,
            "Runtime": "python3.12",
            "Role": ROLE,
            "Handler": "app.handler",
            "Code": {"ZipFile": ZIP},
        }
        params.update(overrides)
        return client.create_function(**{k: v for k, v in params.items() if v is not None})

    return call


def _update(**change: Any) -> Callable[[Any, str], Any]:
    return lambda client, name: client.update_function_configuration(FunctionName=name, **change)


def _tag(tags: dict[str, str]) -> Callable[[Any, str], Any]:
    return lambda client, name: client.tag_resource(Resource=ARN + name, Tags=tags)


def _map_keys(constraints: str) -> str:
    return f"Map keys must satisfy constraint: [{constraints}]"


TAG_CONSTRAINTS = (
    "Member must have length less than or equal to 128, Member must have length greater "
    "than or equal to 1, Member must satisfy regular expression pattern: "
    "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"
)
TAG_VALUE_CONSTRAINTS = (
    "Member must have length less than or equal to 256, Member must have length greater "
    "than or equal to 0, Member must satisfy regular expression pattern: "
    "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)"
)

CASES: dict[str, Bad] = {
    # -- function names. Reports: "Value 'arn:aws:lambda:...' at 'functionName' failed to
    # satisfy constraint: Member must satisfy regular expression pattern: ..."
    # (https://github.com/ryansb/acm-certs-cloudformation/issues/4,
    # https://github.com/awslabs/aws-gov-cloud-import/issues/21: 'Not Installed').
    "create-name-space": Bad(
        lambda c, n: _create(FunctionName="has space")(c, n),
        one("'has space'", "functionName", regex("CreateFunction", "FunctionName")),
        creates=True,
    ),
    "create-name-slash": Bad(
        lambda c, n: _create(FunctionName="name/slash")(c, n),
        one("'name/slash'", "functionName", regex("CreateFunction", "FunctionName")),
        creates=True,
    ),
    "create-name-dot": Bad(
        lambda c, n: _create(FunctionName="my.function")(c, n),
        one("'my.function'", "functionName", regex("CreateFunction", "FunctionName")),
        creates=True,
    ),
    "create-name-too-long": Bad(
        lambda c, n: _create(FunctionName="f" * 141)(c, n),
        one(
            "'" + "f" * 141 + "'",
            "functionName",
            "Member must have length less than or equal to 140",
        ),
        creates=True,
    ),
    "create-name-empty": Bad(
        lambda c, n: _create(FunctionName="")(c, n),
        "2 validation errors detected: Value '' at 'functionName' failed to satisfy "
        f"constraint: {regex('CreateFunction', 'FunctionName')}; Value '' at 'functionName' "
        "failed to satisfy constraint: Member must have length greater than or equal to 1",
        creates=True,
    ),
    "create-name-missing": Bad(
        lambda c, n: _create(FunctionName=None)(c, n),
        one("null", "functionName", "Member must not be null"),
        creates=True,
    ),
    "create-name-not-installed": Bad(
        lambda c, n: _create(FunctionName="Not Installed")(c, n),
        one("'Not Installed'", "functionName", regex("CreateFunction", "FunctionName")),
        creates=True,
    ),
    "get-name-space": Bad(
        lambda c, n: c.get_function(FunctionName="bad name"),
        one("'bad name'", "functionName", regex("GetFunction", "FunctionName")),
    ),
    "get-name-too-long": Bad(
        lambda c, n: c.get_function(FunctionName="g" * 257),
        one(
            "'" + "g" * 257 + "'",
            "functionName",
            "Member must have length less than or equal to 256",
        ),
    ),
    "get-configuration-name-colon-only": Bad(
        lambda c, n: c.get_function_configuration(FunctionName=f"{n}:"),
        lambda n: one(f"'{n}:'", "functionName", regex("GetFunctionConfiguration", "FunctionName")),
    ),
    "invoke-name-space": Bad(
        lambda c, n: c.invoke(FunctionName="bad name", Payload=b"{}"),
        one("'bad name'", "functionName", regex("Invoke", "FunctionName")),
    ),
    "delete-name-space": Bad(
        lambda c, n: c.delete_function(FunctionName=f"{n} x"),
        lambda n: one(f"'{n} x'", "functionName", regex("DeleteFunction", "FunctionName")),
    ),
    "update-name-with-dot": Bad(
        lambda c, n: c.update_function_configuration(FunctionName=f"{n}.v2", Timeout=5),
        lambda n: one(
            f"'{n}.v2'", "functionName", regex("UpdateFunctionConfiguration", "FunctionName")
        ),
    ),
    # -- qualifiers (API reference: "Qualifier Length Constraints: Minimum length of 1.
    # Maximum length of 128.").
    "get-qualifier-pattern": Bad(
        lambda c, n: c.get_function(FunctionName=n, Qualifier="bad qualifier!"),
        one("'bad qualifier!'", "qualifier", regex("GetFunction", "Qualifier")),
    ),
    "get-qualifier-too-long": Bad(
        lambda c, n: c.get_function(FunctionName=n, Qualifier="q" * 129),
        one(
            "'" + "q" * 129 + "'", "qualifier", "Member must have length less than or equal to 128"
        ),
    ),
    "invoke-qualifier-empty": Bad(
        lambda c, n: c.invoke(FunctionName=n, Qualifier="", Payload=b"{}"),
        "2 validation errors detected: Value '' at 'qualifier' failed to satisfy constraint: "
        f"{regex('Invoke', 'Qualifier')}; Value '' at 'qualifier' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
    ),
    # -- invocation headers (API_Invoke "Valid Values: Event | RequestResponse | DryRun").
    "invoke-type": Bad(
        lambda c, n: c.invoke(FunctionName=n, InvocationType="Sometimes"),
        one(
            "'Sometimes'",
            "invocationType",
            "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
        ),
    ),
    "invoke-type-lowercase": Bad(
        lambda c, n: c.invoke(FunctionName=n, InvocationType="event"),
        one(
            "'event'",
            "invocationType",
            "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
        ),
    ),
    "invoke-log-type": Bad(
        lambda c, n: c.invoke(FunctionName=n, LogType="Everything"),
        one("'Everything'", "logType", "Member must satisfy enum value set: [None, Tail]"),
    ),
    # -- runtimes (API_CreateFunction "Runtime Valid Values: ...").
    "create-runtime-unknown": Bad(
        _create(Runtime="python9.9"),
        one("'python9.9'", "runtime", f"Member must satisfy enum value set: [{RUNTIMES}]"),
        creates=True,
    ),
    "create-runtime-case": Bad(
        _create(Runtime="Python3.12"),
        one("'Python3.12'", "runtime", f"Member must satisfy enum value set: [{RUNTIMES}]"),
        creates=True,
    ),
    "update-runtime-unknown": Bad(
        _update(Runtime="cobol"),
        one("'cobol'", "runtime", f"Member must satisfy enum value set: [{RUNTIMES}]"),
    ),
    # -- roles. Report: "Value 'AWSLambdaBasicExecutionRole' at 'role' failed to satisfy
    # constraint: Member must satisfy regular expression pattern: arn:aws:iam::\d{12}:role/?..."
    # (https://github.com/dbuarque/repack-lambda/issues/3).
    "create-role-name-only": Bad(
        _create(Role="AWSLambdaBasicExecutionRole"),
        one("'AWSLambdaBasicExecutionRole'", "role", regex("CreateFunction", "Role")),
        creates=True,
    ),
    "create-role-missing": Bad(
        _create(Role=None),
        one("null", "role", "Member must not be null"),
        creates=True,
    ),
    "update-role-user-arn": Bad(
        _update(Role="arn:aws:iam::000000000000:user/me"),
        one(
            "'arn:aws:iam::000000000000:user/me'",
            "role",
            regex("UpdateFunctionConfiguration", "Role"),
        ),
    ),
    # -- memory, timeout, ephemeral storage (API reference "Valid Range"). The messages as
    # CloudFormation relays them: "Value '10241' at 'memorySize' failed to satisfy constraint:
    # Member must have value less than or equal to ..." (Service: AWSLambdaInternal).
    "create-memory-too-small": Bad(
        _create(MemorySize=64),
        one("'64'", "memorySize", "Member must have value greater than or equal to 128"),
        creates=True,
    ),
    "update-memory-zero": Bad(
        _update(MemorySize=0),
        one("'0'", "memorySize", "Member must have value greater than or equal to 128"),
    ),
    "update-memory-over-model": Bad(
        _update(MemorySize=40000),
        one("'40000'", "memorySize", "Member must have value less than or equal to 32768"),
    ),
    "create-timeout-zero": Bad(
        _create(Timeout=0),
        one("'0'", "timeout", "Member must have value greater than or equal to 1"),
        creates=True,
    ),
    "update-timeout-negative": Bad(
        _update(Timeout=-5),
        one("'-5'", "timeout", "Member must have value greater than or equal to 1"),
    ),
    "update-timeout-over-model": Bad(
        _update(Timeout=6000),
        one("'6000'", "timeout", "Member must have value less than or equal to 5400"),
    ),
    "create-ephemeral-storage-small": Bad(
        _create(EphemeralStorage={"Size": 100}),
        one(
            "'100'", "ephemeralStorage.size", "Member must have value greater than or equal to 512"
        ),
        creates=True,
    ),
    "update-ephemeral-storage-large": Bad(
        _update(EphemeralStorage={"Size": 40000}),
        one(
            "'40000'", "ephemeralStorage.size", "Member must have value less than or equal to 32768"
        ),
    ),
    "update-ephemeral-storage-missing-size": Bad(
        _update(EphemeralStorage={}),
        one("null", "ephemeralStorage.size", "Member must not be null"),
    ),
    # -- handler and description (API reference: "Handler Maximum length of 128. Pattern:
    # [^\s]+"; "Description Maximum length of 256").
    "create-handler-space": Bad(
        _create(Handler="app handler"),
        one("'app handler'", "handler", "Member must satisfy regular expression pattern: [^\\s]+"),
        creates=True,
    ),
    "create-handler-empty": Bad(
        _create(Handler=""),
        one("''", "handler", "Member must satisfy regular expression pattern: [^\\s]+"),
        creates=True,
    ),
    "update-handler-too-long": Bad(
        _update(Handler="h" * 129),
        one("'" + "h" * 129 + "'", "handler", "Member must have length less than or equal to 128"),
    ),
    "create-description-too-long": Bad(
        _create(Description="d" * 257),
        one(
            "'" + "d" * 257 + "'",
            "description",
            "Member must have length less than or equal to 256",
        ),
        creates=True,
    ),
    "update-description-too-long": Bad(
        _update(Description="é" * 257),
        one(
            "'" + "é" * 257 + "'",
            "description",
            "Member must have length less than or equal to 256",
        ),
    ),
    # -- environment variable names. Report: "Value at 'environment.variables' failed to
    # satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular
    # expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]", single-letter names included
    # (https://github.com/trek10inc/serverless-secrets/issues/39).
    "create-env-single-letter": Bad(
        _create(Environment={"Variables": {"a": "1"}}),
        one(
            None,
            "environment.variables",
            _map_keys("Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+"),
        ),
        creates=True,
    ),
    "update-env-leading-digit": Bad(
        _update(Environment={"Variables": {"1ABC": "x"}}),
        one(
            None,
            "environment.variables",
            _map_keys("Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+"),
        ),
    ),
    "update-env-dash": Bad(
        _update(Environment={"Variables": {"MY-VAR": "x", "OK": "y"}}),
        one(
            None,
            "environment.variables",
            _map_keys("Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+"),
        ),
    ),
    # -- KMS key. Report, value and pattern verbatim: "Value '\"arn:aws:kms:...\"' at
    # 'kMSKeyArn' failed to satisfy constraint: Member must satisfy regular expression
    # pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"
    # (https://github.com/highsource/bitcoin-a-day/issues/1).
    "create-kms-quoted": Bad(
        _create(KMSKeyArn='"arn:aws:kms:eu-central-1:000000000000:key/3c72a1f9"'),
        one(
            "'\"arn:aws:kms:eu-central-1:000000000000:key/3c72a1f9\"'",
            "kMSKeyArn",
            "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()",
        ),
        creates=True,
    ),
    # -- code from S3. Reports: "Value 's3://quintinwhi' at 'code.s3Bucket' ..." and
    # "Value '%%BUCKET_NAME%%-eu-west-2' at 'code.s3Bucket' ..."
    # (https://github.com/awslabs/aws-lambda-security-controls/issues/1,
    # https://github.com/awslabs/aws-transit-vpc/issues/32).
    "create-s3-bucket-url": Bad(
        _create(Code={"S3Bucket": "s3://quintinwhi", "S3Key": "k.zip"}),
        one("'s3://quintinwhi'", "code.s3Bucket", regex("CreateFunction", "Code", "S3Bucket")),
        creates=True,
    ),
    "create-s3-bucket-placeholder": Bad(
        _create(Code={"S3Bucket": "%%BUCKET_NAME%%-eu-west-2", "S3Key": "k.zip"}),
        one(
            "'%%BUCKET_NAME%%-eu-west-2'",
            "code.s3Bucket",
            regex("CreateFunction", "Code", "S3Bucket"),
        ),
        creates=True,
    ),
    "create-s3-bucket-short": Bad(
        _create(Code={"S3Bucket": "ab", "S3Key": "k.zip"}),
        one("'ab'", "code.s3Bucket", "Member must have length greater than or equal to 3"),
        creates=True,
    ),
    "create-code-missing": Bad(
        _create(Code=None),
        one("null", "code", "Member must not be null"),
        creates=True,
    ),
    # -- layers. Report, verbatim but for today's pattern: "Value '[]' at 'layers' failed to
    # satisfy constraint: Member must satisfy constraint: [Member must have length less than
    # or equal to 2048, Member must have length greater than or equal to 1, Member must
    # satisfy regular expression pattern: ..., Member must not be null]"
    # (https://github.com/appleboy/lambda-action/issues/83).
    "create-layer-empty-string": Bad(
        _create(Layers=[""]),
        one("'[]'", "layers", LAYER_ITEM),
        creates=True,
    ),
    "update-layer-without-version": Bad(
        _update(Layers=["arn:aws:lambda:us-east-1:000000000000:layer:shared"]),
        one("'[arn:aws:lambda:us-east-1:000000000000:layer:shared]'", "layers", LAYER_ITEM),
    ),
    # -- VPC. Report: "Value '[[subnet-23124234, subnet-23423435, subnet-23423535]]' at
    # 'vpcConfig.subnetIds' failed to satisfy constraint: Member must satisfy constraint:
    # [Member must have length less than or equal to 1024, Member must have length greater
    # than or equal to 0, Member must satisfy regular expression pattern: ..."
    # (https://github.com/appleboy/lambda-action/issues/72).
    "create-subnets-as-one-string": Bad(
        _create(VpcConfig={"SubnetIds": ["[subnet-23124234, subnet-23423435, subnet-23423535]"]}),
        one(
            "'[[subnet-23124234, subnet-23423435, subnet-23423535]]'",
            "vpcConfig.subnetIds",
            SUBNET_ITEM,
        ),
        creates=True,
    ),
    "update-too-many-security-groups": Bad(
        _update(VpcConfig={"SecurityGroupIds": [f"sg-{i}" for i in range(6)]}),
        one(
            "'[sg-0, sg-1, sg-2, sg-3, sg-4, sg-5]'",
            "vpcConfig.securityGroupIds",
            "Member must have length less than or equal to 5",
        ),
    ),
    # -- architectures, tracing, package type (API reference "Valid Values").
    "create-architecture-unknown": Bad(
        _create(Architectures=["x86"]),
        one(
            "'[x86]'",
            "architectures",
            "Member must satisfy constraint: [Member must satisfy enum value set: "
            "[x86_64, arm64], Member must not be null]",
        ),
        creates=True,
    ),
    "create-two-architectures": Bad(
        _create(Architectures=["x86_64", "arm64"]),
        one(
            "'[x86_64, arm64]'", "architectures", "Member must have length less than or equal to 1"
        ),
        creates=True,
    ),
    "create-no-architecture": Bad(
        _create(Architectures=[]),
        one("'[]'", "architectures", "Member must have length greater than or equal to 1"),
        creates=True,
    ),
    "create-tracing-mode": Bad(
        _create(TracingConfig={"Mode": "On"}),
        one(
            "'On'",
            "tracingConfig.mode",
            "Member must satisfy enum value set: [Active, PassThrough]",
        ),
        creates=True,
    ),
    "create-package-type": Bad(
        _create(PackageType="Jar"),
        one("'Jar'", "packageType", "Member must satisfy enum value set: [Zip, Image]"),
        creates=True,
    ),
    "update-snap-start": Bad(
        _update(SnapStart={"ApplyOn": "Always"}),
        one(
            "'Always'",
            "snapStart.applyOn",
            "Member must satisfy enum value set: [PublishedVersions, None]",
        ),
    ),
    # -- tags (API_TagResource: key 1-128, value 0-256, pattern; the map wording as
    # Lambda answers it for environment variables, above).
    "tag-empty-key": Bad(
        _tag({"": "v"}),
        one("'{=v}'", "tags", _map_keys(TAG_CONSTRAINTS)),
    ),
    "tag-key-too-long": Bad(
        _tag({"k" * 129: "v"}),
        one("'{" + "k" * 129 + "=v}'", "tags", _map_keys(TAG_CONSTRAINTS)),
    ),
    "tag-value-too-long": Bad(
        _tag({"k": "v" * 257}),
        one(
            "'{k=" + "v" * 257 + "}'",
            "tags",
            f"Map value must satisfy constraint: [{TAG_VALUE_CONSTRAINTS}]",
        ),
    ),
    "tag-value-bad-char": Bad(
        _tag({"k": "a#b"}),
        one("'{k=a#b}'", "tags", f"Map value must satisfy constraint: [{TAG_VALUE_CONSTRAINTS}]"),
    ),
    "untag-empty-key": Bad(
        lambda c, n: c.untag_resource(Resource=ARN + n, TagKeys=[""]),
        one(
            "'[]'",
            "tagKeys",
            f"Member must satisfy constraint: [{TAG_CONSTRAINTS}, Member must not be null]",
        ),
    ),
    "tag-resource-not-an-arn": Bad(
        lambda c, n: c.tag_resource(Resource=n, Tags={"k": "v"}),
        lambda n: one(f"'{n}'", "resource", regex("TagResource", "Resource")),
    ),
    "list-tags-not-an-arn": Bad(
        lambda c, n: c.list_tags(Resource="function:" + n),
        lambda n: one(f"'function:{n}'", "resource", regex("ListTags", "Resource")),
    ),
    # -- aliases (API_CreateAlias: "Name Pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    # "FunctionVersion Pattern: ...", "Description Maximum length of 256").
    "alias-name-numeric": Bad(
        lambda c, n: c.create_alias(FunctionName=n, Name="123", FunctionVersion="1"),
        one("'123'", "name", regex("CreateAlias", "Name")),
    ),
    "alias-name-space": Bad(
        lambda c, n: c.create_alias(FunctionName=n, Name="has space", FunctionVersion="1"),
        one("'has space'", "name", regex("CreateAlias", "Name")),
    ),
    "alias-name-too-long": Bad(
        lambda c, n: c.create_alias(FunctionName=n, Name="a" * 129, FunctionVersion="1"),
        one("'" + "a" * 129 + "'", "name", "Member must have length less than or equal to 128"),
    ),
    "alias-version-word": Bad(
        lambda c, n: c.create_alias(FunctionName=n, Name="beta", FunctionVersion="latest"),
        one("'latest'", "functionVersion", regex("CreateAlias", "FunctionVersion")),
    ),
    "alias-version-missing": Bad(
        lambda c, n: c.create_alias(FunctionName=n, Name="beta"),
        one("null", "functionVersion", "Member must not be null"),
    ),
    "alias-description-too-long": Bad(
        lambda c, n: c.create_alias(
            FunctionName=n, Name="beta", FunctionVersion="1", Description="d" * 257
        ),
        one(
            "'" + "d" * 257 + "'",
            "description",
            "Member must have length less than or equal to 256",
        ),
    ),
    "alias-weight-over-one": Bad(
        lambda c, n: c.update_alias(
            FunctionName=n, Name="live", RoutingConfig={"AdditionalVersionWeights": {"1": 1.5}}
        ),
        one(
            "'{1=1.5}'",
            "routingConfig.additionalVersionWeights",
            "Map value must satisfy constraint: [Member must have value less than or equal to "
            "1.0, Member must have value greater than or equal to 0.0]",
        ),
    ),
    "get-alias-name-space": Bad(
        lambda c, n: c.get_alias(FunctionName=n, Name="no such"),
        one("'no such'", "name", regex("GetAlias", "Name")),
    ),
    # -- versions and listings (API reference: "MaxItems Valid Range: 1-10000").
    "publish-description-too-long": Bad(
        lambda c, n: c.publish_version(FunctionName=n, Description="d" * 257),
        one(
            "'" + "d" * 257 + "'",
            "description",
            "Member must have length less than or equal to 256",
        ),
    ),
    "list-versions-max-zero": Bad(
        lambda c, n: c.list_versions_by_function(FunctionName=n, MaxItems=0),
        one("'0'", "maxItems", "Member must have value greater than or equal to 1"),
    ),
    "list-versions-max-large": Bad(
        lambda c, n: c.list_versions_by_function(FunctionName=n, MaxItems=10001),
        one("'10001'", "maxItems", "Member must have value less than or equal to 10000"),
    ),
    "list-functions-version": Bad(
        lambda c, n: c.list_functions(FunctionVersion="1"),
        one("'1'", "functionVersion", "Member must satisfy enum value set: [ALL]"),
    ),
    "list-aliases-max-zero": Bad(
        lambda c, n: c.list_aliases(FunctionName=n, MaxItems=0),
        one("'0'", "maxItems", "Member must have value greater than or equal to 1"),
    ),
    # -- concurrency (API_PutFunctionConcurrency: "Valid Range: Minimum value of 0").
    "concurrency-negative": Bad(
        lambda c, n: c.put_function_concurrency(FunctionName=n, ReservedConcurrentExecutions=-1),
        one(
            "'-1'",
            "reservedConcurrentExecutions",
            "Member must have value greater than or equal to 0",
        ),
    ),
    "concurrency-missing": Bad(
        lambda c, n: c.put_function_concurrency(FunctionName=n),
        one("null", "reservedConcurrentExecutions", "Member must not be null"),
    ),
    # -- asynchronous invocation settings (API_PutFunctionEventInvokeConfig: retries 0-2,
    # event age 60-21600, destination ARN pattern).
    "event-config-retries": Bad(
        lambda c, n: c.put_function_event_invoke_config(FunctionName=n, MaximumRetryAttempts=3),
        one("'3'", "maximumRetryAttempts", "Member must have value less than or equal to 2"),
    ),
    "event-config-retries-negative": Bad(
        lambda c, n: c.update_function_event_invoke_config(FunctionName=n, MaximumRetryAttempts=-1),
        one("'-1'", "maximumRetryAttempts", "Member must have value greater than or equal to 0"),
    ),
    "event-config-age": Bad(
        lambda c, n: c.put_function_event_invoke_config(
            FunctionName=n, MaximumEventAgeInSeconds=59
        ),
        one(
            "'59'", "maximumEventAgeInSeconds", "Member must have value greater than or equal to 60"
        ),
    ),
    "event-config-destination": Bad(
        lambda c, n: c.put_function_event_invoke_config(
            FunctionName=n, DestinationConfig={"OnFailure": {"Destination": "my-queue"}}
        ),
        one(
            "'my-queue'",
            "destinationConfig.onFailure.destination",
            regex("PutFunctionEventInvokeConfig", "DestinationConfig", "OnFailure", "Destination"),
        ),
    ),
    # -- layers API (API_PublishLayerVersion: "LayerName Pattern: ...",
    # "CompatibleRuntimes Array Members: Maximum number of 15 items").
    "layer-name-bang": Bad(
        lambda c, n: c.publish_layer_version(LayerName="bad name!", Content={"ZipFile": ZIP}),
        one("'bad name!'", "layerName", regex("PublishLayerVersion", "LayerName")),
    ),
    "layer-runtime-unknown": Bad(
        lambda c, n: c.publish_layer_version(
            LayerName="ok-layer", Content={"ZipFile": ZIP}, CompatibleRuntimes=["cobol"]
        ),
        one(
            "'[cobol]'",
            "compatibleRuntimes",
            f"Member must satisfy constraint: [Member must satisfy enum value set: [{RUNTIMES}], "
            "Member must not be null]",
        ),
    ),
    "layer-version-arn-without-version": Bad(
        lambda c, n: c.get_layer_version_by_arn(
            Arn="arn:aws:lambda:us-east-1:000000000000:layer:x"
        ),
        one(
            "'arn:aws:lambda:us-east-1:000000000000:layer:x'",
            "arn",
            regex("GetLayerVersionByArn", "Arn"),
        ),
    ),
    # -- several at once: every violation, joined by "; " (DynamoDB's and Cognito's answers,
    # e.g. "2 validation errors detected: Value '' at 'tableName' ...; Value '' at
    # 'tableName' ...").
    "create-three-violations": Bad(
        _create(FunctionName="a b", Role="role", Timeout=0),
        "3 validation errors detected: "
        f"Value 'a b' at 'functionName' failed to satisfy constraint: {regex('CreateFunction', 'FunctionName')}; "
        f"Value 'role' at 'role' failed to satisfy constraint: {regex('CreateFunction', 'Role')}; "
        "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1",
        creates=True,
    ),
    "update-two-violations": Bad(
        _update(MemorySize=1, Timeout=0),
        "2 validation errors detected: "
        "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; "
        "Value '1' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    ),
}


@pytest.fixture(scope="module")
def shared(lambda_client: Any) -> str:
    """One function with a version, an alias, tags, concurrency and an event invoke config:
    what every refused call must leave exactly as it is."""
    name = create_function(
        lambda_client,
        SOURCE,
        Description="kept",
        Timeout=7,
        MemorySize=256,
        Environment={"Variables": {"KEEP": "1"}},
        Tags={"team": "core"},
    )
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    return name


def stored(client: Any, name: str) -> dict[str, Any]:
    """Everything the API shows of the function, without per-request metadata."""
    event = client.get_function_event_invoke_config(FunctionName=name)
    return {
        "configuration": configuration(client.get_function_configuration(FunctionName=name)),
        "versions": client.list_versions_by_function(FunctionName=name)["Versions"],
        "aliases": client.list_aliases(FunctionName=name)["Aliases"],
        "tags": client.list_tags(Resource=ARN + name)["Tags"],
        "concurrency": client.get_function_concurrency(FunctionName=name).get(
            "ReservedConcurrentExecutions"
        ),
        "event": {k: v for k, v in event.items() if k != "ResponseMetadata"},
        "layers": client.list_layers()["Layers"],
    }


def test_there_are_enough_cases() -> None:
    """The issue asks for at least 60 bad requests."""
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_request(lambda_client: Any, raw_client: Any, shared: str, case: Bad) -> None:
    name = unique_name("bad") if case.creates else shared
    before = None if case.creates else stored(lambda_client, shared)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        case.call(raw_client, name)
    message = case.message(name) if callable(case.message) else case.message
    assert_error(error, case.code, message, case.status)
    if case.creates:
        assert_no_function(lambda_client, name)
    else:
        assert stored(lambda_client, shared) == before
