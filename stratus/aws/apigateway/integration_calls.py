"""REST APIs' ``AWS`` integrations: an AWS API call made from the integration request, as
API Gateway makes it, answered by our own services in-process.

The URI says the call (API reference, ``Integration.uri``):
``arn:aws:apigateway:{region}:{service}:path/{path}`` sends the integration's HTTP method
to that path of the service's endpoint; ``...:{service}:action/{Action}&{p}={v}`` calls
the action (query-protocol services: ``Action=`` in the query string; JSON-protocol
ones: ``X-Amz-Target``). The body is the request template's output, the headers the
integration request parameters'. The request goes through :meth:`AwsApp.handle` like any
client's (each service checks it as it checks a client's), scoped to the API's account.

Query-protocol services (SQS, SNS) answer XML; API Gateway asks them for JSON
(``Accept: application/json``), which they write as the XML's tree:
``{"SendMessageResponse": {"SendMessageResult": {...}, "ResponseMetadata": {...}}}``.
:func:`xml_to_json` makes that JSON from our XML answer.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode

import orjson

from stratus.aws.protocol.http import HttpRequest, HttpResponse
from stratus.aws.protocol.models import load_service
from stratus.gateway.aws_integration import AwsAnswer, UnsupportedUri

__all__ = ["AwsHttp", "AwsTarget", "IntegrationCalls", "parse_uri", "to_request", "xml_to_json"]


@runtime_checkable
class AwsHttp(Protocol):
    """Answers one raw AWS API request in-process (``None``: no service serves it)."""

    async def send(self, request: HttpRequest) -> HttpResponse | None: ...


class IntegrationCalls:
    """The gateway's ``AwsIntegrationCalls``, over the in-process AWS caller."""

    def __init__(self, http: AwsHttp) -> None:
        self._http = http

    async def call(
        self,
        uri: str,
        http_method: str,
        body: bytes,
        headers: dict[str, str],
        query: list[tuple[str, str]],
        account: str,
    ) -> AwsAnswer | None:
        request = to_request(parse_uri(uri), http_method, body, headers, query, account)
        response = await self._http.send(request)
        if response is None:
            return None
        await response.read_body()
        headers_out = {name.lower(): value for name, value in response.headers}
        answer = response.body
        if "xml" in headers_out.get("content-type", "") and _asked_json(request):
            converted = xml_to_json(answer)
            if converted is not None:
                answer = converted
                headers_out["content-type"] = "application/json"
        return AwsAnswer(response.status, headers_out, answer)


def _asked_json(request: HttpRequest) -> bool:
    """Whether the answer should be JSON: a query-protocol call (``Action=``), for which
    API Gateway asks ``Accept: application/json``. REST-XML services (S3) answer XML
    whatever is asked, and so does this."""
    form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    return form or "Action=" in request.query_string


@dataclass(frozen=True, slots=True)
class AwsTarget:
    region: str
    service: str  # botocore's name, taken from the URI's service part (``sqs``)
    kind: str  # "path" or "action"
    rest: str  # the path (no leading "/") or ``Action&p=v``


_SERVICE_NAMES = {"states": "stepfunctions", "events": "events", "email": "ses"}


def parse_uri(uri: str) -> AwsTarget:
    """``arn:aws:apigateway:{region}:{subdomain.}{service}:{path|action}/{rest}``."""
    parts = uri.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "apigateway":
        raise UnsupportedUri(f"not an API Gateway service URI: {uri}")
    service = parts[4].rsplit(".", 1)[-1]
    kind, _, rest = parts[5].partition("/")
    if kind not in ("path", "action") or not rest:
        raise UnsupportedUri(f"the URI must end in path/... or action/...: {uri}")
    return AwsTarget(parts[3], _SERVICE_NAMES.get(service, service), kind, rest)


def to_request(
    target: AwsTarget,
    http_method: str,
    body: bytes,
    headers: dict[str, str],
    query: list[tuple[str, str]],
    account: str,
) -> HttpRequest:
    """The HTTP request API Gateway would send the service, credential-scoped (unsigned:
    the scope is how our router knows the region, the service and the account)."""
    try:
        spec = load_service(target.service)
    except Exception as exc:
        raise UnsupportedUri(f"service {target.service} is not served") from exc
    out = {name.lower(): value for name, value in headers.items()}
    out.setdefault("accept", "application/json")
    if target.kind == "path":
        path = "/" + target.rest
        path, _, inline_query = path.partition("?")
        query = [*parse_qsl(inline_query, keep_blank_values=True), *query]
        if (
            target.service == "sqs"
            and _is_form(out)
            and "QueueUrl" not in body.decode("utf-8", "replace")
        ):
            # SQS takes the queue from the request path (its queue URL) when the form
            # names none; our SQS reads it from the QueueUrl parameter.
            body += ("&" if body else "").encode() + urlencode({"QueueUrl": path}).encode()
    else:
        path = "/"
        action, _, params = target.rest.partition("&")
        if spec.protocol == "json" and not _is_form(out):
            metadata = spec.model.metadata
            out["x-amz-target"] = f"{metadata['targetPrefix']}.{action}"
            out.setdefault("content-type", f"application/x-amz-json-{metadata['jsonVersion']}")
        else:
            query = [("Action", action), *parse_qsl(params, keep_blank_values=True), *query]
            if spec.protocol == "query" and "Version" not in dict(query):
                query.append(("Version", spec.model.metadata["apiVersion"]))
    day = time.strftime("%Y%m%d", time.gmtime())
    out["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={account}/{day}/{target.region}/"
        f"{spec.signing_name}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
    )
    return HttpRequest(http_method, path, urlencode(query), out, body)


def _is_form(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").startswith("application/x-www-form-urlencoded")


def xml_to_json(body: bytes) -> bytes | None:
    """An XML answer as the JSON a query-protocol service writes for
    ``Accept: application/json``; ``None`` if the body is not XML."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    return orjson.dumps({_local(root.tag): _element(root)})


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _element(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text
    out: dict[str, Any] = {}
    for child in children:
        name = _local(child.tag)
        value = _element(child)
        if name in out:
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out
