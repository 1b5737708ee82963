"""Requests in the shapes of AWS services Stratus does not serve (yet).

Clients pointed at the control port will call SQS, DynamoDB, SNS, Step Functions,
EventBridge, CloudFormation and S3 long before each is served; they must get the
protocol's "unknown operation" / "not implemented" error, which their SDK turns into
a ``ClientError``, never a server error. Shapes come from botocore's models:
``X-Amz-Target`` calls (json), ``Action=`` calls (query), REST-XML paths (S3), signed
for the service or unsigned.
"""

from __future__ import annotations

import json
from functools import cache
from urllib.parse import quote, urlencode

import botocore.session
from botocore.model import ServiceModel
from hypothesis import strategies as st

from tests.fuzz.bodies import shape_values
from tests.fuzz.hostile import TEXT, hostile_text, names_nothing_protected
from tests.fuzz.wire import WireRequest

__all__ = ["JSON_SERVICES", "QUERY_SERVICES", "foreign_requests"]

JSON_SERVICES = ("sqs", "dynamodb", "stepfunctions", "events")
QUERY_SERVICES = ("sns", "cloudformation", "sqs")


#: A header value has to be latin-1 on the wire.
_HEADER_WORD = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters=".\x7f"), max_size=40
)


@cache
def _model(name: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(name)


def _signing_name(model: ServiceModel) -> str:
    return str(model.metadata.get("signingName") or model.metadata["endpointPrefix"])


def _authorization(service: str) -> tuple[str, str]:
    scope = f"AKID/20240101/us-east-1/{service}/aws4_request"
    return "Authorization", f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"


@st.composite
def _json_call(draw: st.DrawFn) -> WireRequest:
    service = draw(st.sampled_from(JSON_SERVICES))
    model = _model(service)
    names = sorted(model.operation_names)
    operation = draw(st.one_of(st.sampled_from(names), _HEADER_WORD))
    prefix = model.metadata.get("targetPrefix", "")
    target = draw(st.sampled_from([f"{prefix}.{operation}", operation, f"Foo_2020.{operation}"]))
    if operation in names and draw(st.booleans()):
        shape = model.operation_model(operation).input_shape
        document = draw(shape_values(shape)) if shape is not None else {}
        body = json.dumps(document).encode()
    else:
        body = draw(st.one_of(st.just(b"{}"), st.just(b""), st.binary(max_size=64)))
    version = model.metadata.get("jsonVersion", "1.0")
    headers = [
        ("X-Amz-Target", target),
        ("Content-Type", draw(st.sampled_from([f"application/x-amz-json-{version}", ""]))),
    ]
    if draw(st.booleans()):
        headers.append(_authorization(_signing_name(model)))
    return WireRequest("POST", "/", tuple(headers), body, expect="json")


@st.composite
def _query_call(draw: st.DrawFn) -> WireRequest:
    service = draw(st.sampled_from(QUERY_SERVICES))
    model = _model(service)
    action = draw(st.one_of(st.sampled_from(sorted(model.operation_names)), TEXT))
    pairs = [("Action", action), ("Version", model.api_version)]
    pairs += draw(st.lists(st.tuples(hostile_text, hostile_text), max_size=3))
    pairs = [(k, v) for k, v in pairs if names_nothing_protected(k + v)] or [("Action", "X")]
    form = urlencode(pairs, quote_via=quote)
    headers: list[tuple[str, str]] = []
    if draw(st.booleans()):
        headers.append(_authorization(_signing_name(model)))
    if draw(st.booleans()):
        headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"))
        return WireRequest("POST", "/", tuple(headers), form.encode(), expect="xml")
    return WireRequest("GET", f"/?{form}", tuple(headers), b"", expect="xml")


@st.composite
def _s3_call(draw: st.DrawFn) -> WireRequest:
    bucket = draw(st.from_regex(r"[a-z0-9][a-z0-9.-]{2,20}", fullmatch=True))
    key = draw(hostile_text.filter(names_nothing_protected))
    method = draw(st.sampled_from(["GET", "PUT", "DELETE", "POST", "HEAD"]))
    query = draw(st.sampled_from(["", "uploads", "tagging", "list-type=2", "acl"]))
    path = f"/{bucket}/{quote(key, safe='/')}" if draw(st.booleans()) else f"/{bucket}"
    target = f"{path}?{query}" if query else path
    headers = [_authorization("s3"), ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")]
    body = draw(st.binary(max_size=64)) if method in ("PUT", "POST") else b""
    return WireRequest(method, target, tuple(headers), body, expect="xml")


def foreign_requests() -> st.SearchStrategy[WireRequest]:
    """Calls of services Stratus does not serve, in each protocol's shape."""
    return st.one_of(_json_call(), _query_call(), _s3_call())
