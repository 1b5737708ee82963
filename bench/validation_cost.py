"""What model validation costs per request, as a ratio to parsing the same request.

Figure (issue 7): validation runs on every AWS call between the parser and the provider,
so the warm invoke path pays it; it must cost close to nothing there. Three requests, each
written by botocore's own serializer:

- ``Invoke`` (a name, two header enums, a 1 KB streaming payload that is never looked at);
- ``CreateFunction`` with what a SAM deploy sends (role, handler, runtime, environment,
  tags, layers, architectures, VPC config);
- ``UpdateFunctionConfiguration`` with a similar set.

Per request: the rest-json parse alone (the baseline, measured in the same run) and
``check_input`` on the parsed parameters, each timed over many calls after a warm-up (the
compiled check is cached after the first call, as in the server).

    python -m bench.validation_cost [--runs 20000] [--json PATH]
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from botocore import serialize as botocore_serialize
from botocore.awsrequest import create_request_object, prepare_request_dict

from bench._report import Figure, Row, argument_parser, emit
from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.models import load_service
from stratus.aws.protocol.parsers import create_parser
from stratus.aws.protocol.routing import ServiceRouter
from stratus.aws.protocol.sigv4 import parse_credential_scope
from stratus.aws.protocol.validation import check_input

ROLE = "arn:aws:iam::123456789012:role/service-role/my-function-role"
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:shared-deps:7"
ENVIRONMENT = {f"SETTING_{i}": f"value-{i}" for i in range(8)}
TAGS = {"team": "payments", "env": "prod", "cost-center": "1234"}
VPC = {"SubnetIds": ["subnet-0abc", "subnet-0def"], "SecurityGroupIds": ["sg-0123"]}

REQUESTS: dict[str, dict[str, Any]] = {
    "Invoke": {
        "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:my-function",
        "InvocationType": "RequestResponse",
        "LogType": "None",
        "Payload": b'{"key": "' + b"x" * 1000 + b'"}',
    },
    "CreateFunction": {
        "FunctionName": "my-function",
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "app.handler",
        "Code": {"ZipFile": b"PK\x03\x04" + b"\x00" * 2000},
        "Description": "Handles payment webhooks",
        "Timeout": 30,
        "MemorySize": 512,
        "Publish": True,
        "Environment": {"Variables": ENVIRONMENT},
        "Tags": TAGS,
        "Layers": [LAYER],
        "Architectures": ["arm64"],
        "VpcConfig": VPC,
        "TracingConfig": {"Mode": "Active"},
    },
    "UpdateFunctionConfiguration": {
        "FunctionName": "my-function",
        "Role": ROLE,
        "Handler": "app.handler",
        "Description": "Handles payment webhooks",
        "Timeout": 60,
        "MemorySize": 1024,
        "Environment": {"Variables": ENVIRONMENT},
        "Runtime": "python3.12",
        "Layers": [LAYER],
        "VpcConfig": VPC,
        "EphemeralStorage": {"Size": 1024},
    },
}


SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00"
)


def botocore_request(operation: str, params: dict[str, Any]) -> HttpRequest:
    """The request a boto3 Lambda client sends for ``params``, as our HttpRequest."""
    model = load_service("lambda").model.operation_model(operation)
    serializer = botocore_serialize.create_serializer("rest-json", True)
    request_dict = serializer.serialize_to_request(params, model)
    prepare_request_dict(request_dict, endpoint_url="http://127.0.0.1:4566")
    prepared = create_request_object(request_dict).prepare()
    headers = {
        k.lower(): v if isinstance(v, str) else v.decode() for k, v in prepared.headers.items()
    }
    headers["authorization"] = SIGNED
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    url = urlsplit(prepared.url)
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body)


def per_call(fn: Callable[[], object], runs: int) -> float:
    """Seconds per call: best of five blocks, so other load on the machine counts least."""
    for _ in range(min(runs, 1000)):
        fn()
    best = float("inf")
    block = max(1, runs // 5)
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(block):
            fn()
        best = min(best, (time.perf_counter() - start) / block)
    return best


def measure(operation: str, params: dict[str, Any], runs: int) -> tuple[float, float]:
    """(parse, validate) seconds per call for one request."""
    spec = load_service("lambda")
    router = ServiceRouter(["lambda"])
    parser = create_parser(spec, "rest-json")
    request = botocore_request(operation, params)
    match = router.route(request, parse_credential_scope(request))
    assert match is not None and match.operation is not None
    model = match.operation
    parsed = parser.parse(request, match)
    check_input(spec, "rest-json", model, parsed)  # valid: it must not raise

    def parse() -> object:
        return parser.parse(request, match)

    def validate() -> None:
        check_input(spec, "rest-json", model, parsed)

    return per_call(parse, runs), per_call(validate, runs)


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=20_000)
    args = parser.parse_args()
    figure = Figure("validation_cost", "Model validation per request, against parsing it")
    for operation, params in REQUESTS.items():
        parse_s, validate_s = measure(operation, params, args.runs)
        figure.add(
            Row(
                f"{operation}: validation per request",
                validate_s * 1e6,
                "us",
                baseline_label="parse",
                baseline=parse_s * 1e6,
                target="close to nothing for Invoke" if operation == "Invoke" else "",
            )
        )
    figure.notes.append(
        f"best of 5 blocks of {args.runs // 5} calls each; requests written by botocore's "
        "serializer; the baseline is the rest-json parse of the same request"
    )
    emit(figure, args.json)


if __name__ == "__main__":
    main()
