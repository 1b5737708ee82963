"""The fuzzer's judges can fail: each bad answer is caught, each good one passes.

A fuzz run that finds nothing proves something only if its checks would have seen a
500, a traceback, a shapeless error, a changed store, or a request that could name
protected data. These cases show that they do.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fuzz.hostile import names_nothing_protected
from tests.fuzz.protected import FUNCTIONS, snapshot
from tests.fuzz.wire import WireRequest, WireResponse, error_code, response_problems

_GET = WireRequest("GET", "/2015-03-31/functions/x")
_XML = WireRequest("POST", "/", expect="xml")
_HEAD = WireRequest("HEAD", "/2015-03-31/functions/x")
_JSON_ERROR = {"x-amzn-errortype": "ResourceNotFoundException"}


@pytest.mark.parametrize(
    ("request_", "response", "expected"),
    [
        pytest.param(
            _GET,
            WireResponse(500, _JSON_ERROR, b'{"message": "An internal error occurred."}'),
            ["server error 500"],
            id="500",
        ),
        pytest.param(
            _GET,
            WireResponse(400, _JSON_ERROR, b'{"message": "Traceback (most recent call last):"}'),
            ["'Traceback' in the response"],
            id="traceback-in-body",
        ),
        pytest.param(
            _GET,
            WireResponse(400, {"x-debug": 'File "/srv/app.py", line 3'}, b'{"__type": "X"}'),
            ["'File \"' in the response"],
            id="traceback-in-header",
        ),
        pytest.param(
            _GET,
            WireResponse(404, {}, b'{"message": "No such Stratus API: /x"}'),
            ["no AWS error code in the json error shape"],
            id="no-code",
        ),
        pytest.param(
            _GET,
            WireResponse(405, {}, b"Method Not Allowed"),
            ["no AWS error code in the json error shape"],
            id="not-json",
        ),
        pytest.param(
            _GET,
            WireResponse(302, {"location": "/"}, b""),
            [
                "status 302 is neither a success nor a client error",
                "no AWS error code in the json error shape",
            ],
            id="redirect",
        ),
        pytest.param(
            _XML,
            WireResponse(400, _JSON_ERROR, b'{"__type": "InvalidAction"}'),
            ["no AWS error code in the xml error shape"],
            id="json-where-xml-is-due",
        ),
        pytest.param(
            _HEAD,
            WireResponse(404, {}, b""),
            ["no x-amzn-ErrorType header on an error answer to HEAD"],
            id="head-without-type",
        ),
        pytest.param(_GET, WireResponse(404, _JSON_ERROR, b"{}"), [], id="header-code"),
        pytest.param(
            _GET,
            WireResponse(400, {}, b'{"__type": "com.amazon#ValidationException"}'),
            [],
            id="body-type",
        ),
        pytest.param(_GET, WireResponse(400, {}, b'{"code": "InvalidAction"}'), [], id="body-code"),
        pytest.param(
            _XML,
            WireResponse(
                400, {}, b"<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"
            ),
            [],
            id="query-error",
        ),
        pytest.param(
            _XML,
            WireResponse(501, {}, b"<Error><Code>NotImplemented</Code></Error>"),
            ["server error 501"],
            id="s3-501-for-a-served-service",
        ),
        pytest.param(_GET, WireResponse(200, {}, b'{"Functions": []}'), [], id="success"),
    ],
)
def test_response_judgement(
    request_: WireRequest, response: WireResponse, expected: list[str]
) -> None:
    assert response_problems(request_, response) == expected


def test_501_is_accepted_only_where_not_implemented_is_allowed() -> None:
    response = WireResponse(501, {}, b"<Error><Code>NotImplemented</Code></Error>")
    assert response_problems(_XML, response, allow_not_implemented=True) == []
    assert error_code(response, "xml") == "NotImplemented"


@pytest.mark.parametrize(
    ("raw", "harmless"),
    [
        ("ghost", True),
        ("arn:aws:lambda:us-east-1:000000000000:function:ghost", True),
        ("", True),
        ("fuzz-protected-alpha", False),
        ("Fuzz-PROTECTED-Alpha:1", False),
        ("000000000000:function:fuzz-protected-beta", False),
        ("fuzz-%70rotected-alpha", False),  # decoded once by the router
        ("fuzz-%2570rotected-alpha", False),  # decoded twice by a buggy one
    ],
)
def test_names_nothing_protected(raw: str, harmless: bool) -> None:
    assert names_nothing_protected(raw) is harmless


def test_snapshot_sees_a_change_to_protected_data(fuzz_lambda: Any) -> None:
    """A tag is the smallest change: the snapshot must differ, and be equal once undone."""
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTIONS[1]}"
    before = snapshot(fuzz_lambda)
    fuzz_lambda.tag_resource(Resource=arn, Tags={"judgement": "x"})
    try:
        changed = snapshot(fuzz_lambda)
    finally:
        fuzz_lambda.untag_resource(Resource=arn, TagKeys=["judgement"])
    assert changed != before
    assert changed["per_function"][FUNCTIONS[1]]["tags"]["Tags"]["judgement"] == "x"
    assert (
        snapshot(fuzz_lambda)["per_function"][FUNCTIONS[1]]["tags"]
        == before["per_function"][FUNCTIONS[1]]["tags"]
    )
