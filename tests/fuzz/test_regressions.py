"""What the fuzzer found, as minimal reproducers that fail until it is fixed.

Each case is ``xfail(strict=True)``: when the fix lands the case passes, strict turns
that into a failure, and whoever fixed it removes the marker (the reproducer then
guards the fix). The fuzz variants at the end run the full property on the same
request families, so the fix is checked beyond the one reproducer.

Status: F3 and F4 are fixed (ccd0019); their reproducers now guard the fixes.

F1  Unsigned requests that no Lambda binding matches (a wrong method on a Lambda path,
    an unknown path) fall through ``AwsApp`` to the native API, which answers
    ``405 {"message": "Method Not Allowed"}`` / ``404 {"message": "No such Stratus
    API: ..."}``: no error code, so boto3 and the CLI cannot tell what failed. The
    native API should only get ``/_stratus/...``; anything else deserves the generic
    AWS 404 ``UnknownOperationException`` that ``AwsApp`` already has for it.
F2  Calls of services Stratus does not serve (``X-Amz-Target: AmazonSQS.ListQueues``,
    ``Action=ListTopics``, a request signed for ``sqs`` or ``s3``) get the same
    native-API answers instead of the protocol's unknown-operation error (json:
    ``__type``/``x-amzn-ErrorType``; query: ``<ErrorResponse><Error><Code>
    InvalidAction``; S3: ``<Error><Code>NotImplemented``).
F3  Invoke with an ``X-Amz-Client-Context`` header that is not ASCII (one latin-1 byte
    such as 0x80 is enough) answers 500 ``InternalFailure``: ``_decode_client_context``
    in ``stratus/services/functions/invocations.py`` catches ``binascii.Error`` but
    ``base64.b64decode`` raises a plain ``ValueError`` for a non-ASCII ``str``. It runs
    before the function is looked up, so any name that passes validation trips it.
    Lambda answers 400 ``InvalidRequestContentException`` ("Client context must be a
    valid Base64-encoded JSON object."), as Stratus already does for bad base64.
F4  A name with a trailing newline passes Lambda's name patterns: the regular
    expressions in ``stratus/services/functions/names.py`` end in ``$``, which also
    matches before a final ``\n``. ``GET /2015-03-31/functions/NAME%0A`` returns the
    function NAME, and ``DELETE`` of it deletes NAME (seen on a scratch server; the
    reproducer only reads). Qualifiers, alias and layer names take the same path
    (``$LATEST%0A`` answers 404 where AWS's pattern check answers 400). Lambda answers
    400 ``ValidationException`` ("Member must satisfy regular expression pattern").
    ``\\Z`` or ``re.fullmatch`` closes it. The fuzzer keeps every protected name out of
    its mutating requests by substring, so this could not touch its data.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.foreign import foreign_requests
from tests.fuzz.protected import FUNCTIONS
from tests.fuzz.strategies import lambda_requests, unsigned
from tests.fuzz.wire import Wire, WireRequest, response_problems

_F1 = "F1: unsigned requests no Lambda binding matches get the native API's non-AWS 404/405"
_F2 = "F2: calls of unserved services get the native API's non-AWS 404/405"


def _auth(service: str) -> tuple[str, str]:
    scope = f"AKID/20240101/us-east-1/{service}/aws4_request"
    return "Authorization", f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"


_JSON_1_0 = ("Content-Type", "application/x-amz-json-1.0")
_FORM = ("Content-Type", "application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(WireRequest("POST", "/2015-03-31/functions/ghost"), id="wrong-method"),
        pytest.param(WireRequest("GET", "/2099-01-01/functions"), id="unknown-path"),
        pytest.param(WireRequest("PATCH", "/2015-03-31/functions"), id="unknown-method"),
    ],
)
def test_f1_unsigned_unmatched_request_gets_an_aws_error(wire: Wire, request_: WireRequest) -> None:
    response = wire.send(request_)
    assert response_problems(request_, response) == [], response.body


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(
            WireRequest("POST", "/", (("X-Amz-Target", "AmazonSQS.ListQueues"), _JSON_1_0), b"{}"),
            id="sqs-target-unsigned",
        ),
        pytest.param(
            WireRequest(
                "POST",
                "/",
                (("X-Amz-Target", "DynamoDB_20120810.ListTables"), _JSON_1_0, _auth("dynamodb")),
                b"{}",
            ),
            id="dynamodb-target-signed",
        ),
        pytest.param(
            WireRequest(
                "POST", "/", (_FORM,), b"Action=ListTopics&Version=2010-03-31", expect="xml"
            ),
            id="sns-query-form",
        ),
        pytest.param(
            WireRequest("GET", "/?Action=ListStacks&Version=2010-05-15", (), expect="xml"),
            id="cloudformation-query-get",
        ),
        pytest.param(
            WireRequest("GET", "/my-bucket", (_auth("s3"),), expect="xml"), id="s3-signed"
        ),
    ],
)
def test_f2_unserved_service_call_gets_its_protocols_error(
    wire: Wire, request_: WireRequest
) -> None:
    response = wire.send(request_)
    assert response_problems(request_, response, allow_not_implemented=True) == [], (
        response.status,
        response.body,
    )


_F3 = "F3: a non-ASCII X-Amz-Client-Context makes Invoke answer 500"


@pytest.mark.parametrize("invocation_type", ["RequestResponse", "Event"])
def test_f3_non_ascii_client_context_is_invalid_request_content(
    wire: Wire, invocation_type: str
) -> None:
    request = WireRequest(
        "POST",
        "/2015-03-31/functions/ghost/invocations",
        (
            _auth("lambda"),
            ("X-Amz-Client-Context", "\x80"),
            ("X-Amz-Invocation-Type", invocation_type),
        ),
        b"{}",
    )
    response = wire.send(request)
    assert response.status == 400, response.body
    assert response.headers.get("x-amzn-errortype") == "InvalidRequestContentException"
    assert b"Client context must be a valid Base64-encoded JSON object." in response.body


def test_f3_bad_base64_client_context_is_already_invalid_request_content(wire: Wire) -> None:
    """The ASCII sibling of F3 works: the expectation above is Stratus's own answer."""
    request = WireRequest(
        "POST",
        "/2015-03-31/functions/ghost/invocations",
        (_auth("lambda"), ("X-Amz-Client-Context", "not base64!")),
        b"{}",
    )
    response = wire.send(request)
    assert response.status == 400, response.body
    assert response.headers.get("x-amzn-errortype") == "InvalidRequestContentException"


_F4 = "F4: a trailing newline in a function name passes validation and names the function"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(f"/2015-03-31/functions/{FUNCTIONS[1]}%0A", id="function-name"),
        pytest.param(
            f"/2015-03-31/functions/{FUNCTIONS[1]}?Qualifier=%24LATEST%0A", id="qualifier"
        ),
    ],
)
def test_f4_name_with_trailing_newline_is_a_validation_error(wire: Wire, target: str) -> None:
    request = WireRequest("GET", target, (_auth("lambda"),))
    response = wire.send(request)
    assert response.status == 400, response.body
    assert response.headers.get("x-amzn-errortype") == "ValidationException"


_FEW = settings(
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_f1_fuzz_unsigned_lambda_requests_get_aws_errors(wire: Wire) -> None:
    @_FEW
    @given(lambda_requests().map(unsigned))
    def run(request: WireRequest) -> None:
        response = wire.send(request)
        assert response_problems(request, response) == [], (request.describe(), response.body)

    run()


def test_f2_fuzz_unserved_service_calls_get_their_protocols_errors(wire: Wire) -> None:
    @_FEW
    @given(foreign_requests())
    def run(request: WireRequest) -> None:
        response = wire.send(request)
        problems = response_problems(request, response, allow_not_implemented=True)
        assert problems == [], (request.describe(), response.body)

    run()
