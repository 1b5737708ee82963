"""Raw HTTP to the control port, and the judgement of one answer.

The fuzzer must be able to send what no SDK would (unencoded labels, wrong methods,
bodies that are not JSON), so it speaks HTTP/1.1 with ``http.client`` over one
keep-alive connection, reopened whenever the server closes it.

:func:`response_problems` is the property every answer must have: below 500, no Python
traceback anywhere in it, and, unless it is a success, an error in the protocol's AWS
shape with a code (what botocore reads to raise ``ClientError``).
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

__all__ = [
    "TRACEBACK_MARKERS",
    "Wire",
    "WireRequest",
    "WireResponse",
    "error_code",
    "response_problems",
    "server_problems",
]

#: What a Python traceback leaves in text; none of it may reach a client.
TRACEBACK_MARKERS = ("Traceback", 'File "')


@dataclass(frozen=True, slots=True)
class WireRequest:
    """One request exactly as it goes on the wire (``target`` is already encoded)."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    expect: str = "json"  # the error shape the answer must have: "json" or "xml"

    def describe(self, limit: int = 600) -> str:
        """A short reproducer for assertion messages (long parts cut)."""
        body = self.body[:limit]
        return (
            f"{self.method} {self.target[:limit]}\n"
            f"headers={[(k, v[:200]) for k, v in self.headers]}\n"
            f"body({len(self.body)} bytes)={body!r}"
        )


@dataclass(frozen=True, slots=True)
class WireResponse:
    """Status, headers (names lower-cased) and the whole body of one answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Wire:
    """A keep-alive HTTP/1.1 client for one server; counts what it sent."""

    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self.sent = 0

    def send(self, request: WireRequest) -> WireResponse:
        """Send one request and read the whole answer.

        A connection the server closed between requests is reopened once; the server
        closing it in the middle of this request is an error of the server under test.
        """
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.putrequest(
                    request.method, request.target, skip_host=False, skip_accept_encoding=True
                )
                for name, value in request.headers:
                    conn.putheader(name, value.encode("latin-1"))
                conn.putheader("Content-Length", str(len(request.body)))
                conn.endheaders(request.body)
                answer = conn.getresponse()
                body = answer.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self.close()  # a half-sent request leaves the connection unusable
                raise
            self.sent += 1
            headers: dict[str, str] = {}
            for name, value in answer.getheaders():
                key = name.lower()
                headers[key] = f"{headers[key]},{value}" if key in headers else value
            if answer.will_close:
                self.close()
            return WireResponse(answer.status, headers, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn


def error_code(response: WireResponse, expect: str) -> str | None:
    """The AWS error code botocore would read from this answer, or ``None``.

    JSON protocols: the ``x-amzn-ErrorType`` header (cut at ``:``), else ``__type`` or
    ``code`` in the body (cut after ``#``). XML protocols: ``<Error><Code>`` anywhere.
    """
    if expect == "xml":
        try:
            root = ET.fromstring(response.body)
        except ET.ParseError:
            return None
        for element in root.iter():  # botocore reads XML without namespaces: do the same
            element.tag = element.tag.rpartition("}")[2]
        node = root.find("Code") if root.tag == "Error" else root.find(".//Error/Code")
        return node.text.strip() if node is not None and node.text else None
    header = response.headers.get("x-amzn-errortype", "").split(":", 1)[0].strip()
    if header:
        return header
    try:
        document = json.loads(response.body)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    code = document.get("__type") or document.get("code") or document.get("Code")
    return code.rsplit("#", 1)[-1] if isinstance(code, str) and code else None


def server_problems(response: WireResponse) -> list[str]:
    """What no answer may ever have: a server error status or a Python traceback."""
    problems: list[str] = []
    if response.status >= 500:
        problems.append(f"server error {response.status}")
    texts = [response.body.decode("utf-8", "replace"), *response.headers.values()]
    for marker in TRACEBACK_MARKERS:
        if any(marker in text for text in texts):
            problems.append(f"{marker!r} in the response")
    return problems


def response_problems(
    request: WireRequest, response: WireResponse, *, allow_not_implemented: bool = False
) -> list[str]:
    """Everything wrong with ``response`` as an AWS answer to ``request`` (empty: fine).

    ``allow_not_implemented`` accepts 501, S3's status for an operation it does not
    implement (``NotImplemented``), for calls of services Stratus does not serve.
    """
    problems = server_problems(response)
    if allow_not_implemented and response.status == 501:
        problems.remove("server error 501")
    if 200 <= response.status < 300:
        return problems  # valid by chance: only read-only or failing calls get here
    if not 400 <= response.status < 500 and response.status < 500:
        problems.append(f"status {response.status} is neither a success nor a client error")
    if request.method == "HEAD":
        # No body in an answer to HEAD. REST-XML (S3) has only the status, from which
        # botocore makes the code; JSON protocols still send the type header.
        if request.expect == "json" and not response.headers.get("x-amzn-errortype"):
            problems.append("no x-amzn-ErrorType header on an error answer to HEAD")
        return problems
    code = error_code(response, request.expect)
    if code is None:
        problems.append(f"no AWS error code in the {request.expect} error shape")
    return problems
