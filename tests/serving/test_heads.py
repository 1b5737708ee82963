"""Request heads: their size is bounded before parsing, their time by a deadline.

Measured before these limits: a 150 MB header cost 25 s of the server's CPU (httptools
joins a header's pieces by concatenation), and a connection could take forever to send
its head.
"""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import ServerProcess
from tests.serving.conftest import (
    connect,
    read_until_closed,
    send_until_refused,
    statuses,
)

HEALTH = b"GET /_stratus/health HTTP/1.1\r\nHost: stratus\r\n"


def test_a_20mb_header_is_refused_with_431_and_the_server_stays_healthy(
    server: ServerProcess, lambda_client: Any
) -> None:
    """The default limits: a head over 16 KiB is answered 431 from its first 16 KiB."""
    request = HEALTH + b"X-Big: " + b"a" * (20 * 1024 * 1024) + b"\r\n\r\n"
    with connect(server.port) as sock:
        sent = send_until_refused(sock, request)
        answer = read_until_closed(sock)
    assert statuses(answer) == [431], answer[:300]
    assert b"Request Header Fields Too Large" in answer
    assert sent <= len(request)
    assert lambda_client.list_functions()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_many_headers_over_the_limit_are_refused_too(server: ServerProcess) -> None:
    request = HEALTH + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(500))
    with connect(server.port) as sock:
        send_until_refused(sock, request + b"\r\n")
        assert statuses(read_until_closed(sock)) == [431]


def test_a_head_under_the_limit_is_served(server: ServerProcess) -> None:
    request = HEALTH + b"X-Fine: " + b"v" * 12000 + b"\r\nConnection: close\r\n\r\n"
    with connect(server.port) as sock:
        sock.sendall(request)
        assert statuses(read_until_closed(sock)) == [200]


def test_a_request_line_over_the_limit_is_refused_with_414(server: ServerProcess) -> None:
    request = b"GET /" + b"a" * 12000 + b" HTTP/1.1\r\nHost: stratus\r\n\r\n"
    with connect(server.port) as sock:
        send_until_refused(sock, request)
        assert statuses(read_until_closed(sock)) == [414]


def test_a_slow_loris_head_is_closed_after_the_header_timeout(
    tight_server: ServerProcess, tight_lambda: Any, tight_hello: str
) -> None:
    """A byte every half second: the head would take 25 s, the timeout is 1 s; meanwhile
    others are served."""
    request = HEALTH + b"X-Slow: " + b"s" * 20 + b"\r\n\r\n"
    answer = b""
    with connect(tight_server.port, timeout=0.5) as sock:
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            if answer:
                break
        assert tight_lambda.invoke(FunctionName=tight_hello)["StatusCode"] == 200
    assert statuses(answer) == [408], answer


def test_a_connection_that_sends_nothing_is_closed(tight_server: ServerProcess) -> None:
    with connect(tight_server.port, timeout=20) as sock:
        assert read_until_closed(sock) == b""


def test_a_slow_body_is_refused_after_the_body_timeout(tight_server: ServerProcess) -> None:
    """The head in one go, then a body byte every half second: 408 long before the 100
    declared bytes are in (3 s allowed)."""
    head = (
        b"POST /2015-03-31/functions/ghost/invocations HTTP/1.1\r\nHost: stratus\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    answer = b""
    with connect(tight_server.port, timeout=0.5) as sock:
        sock.sendall(head)
        for _ in range(100):
            try:
                sock.sendall(b"{")
                answer = sock.recv(65536)
            except TimeoutError:
                time.sleep(0)
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            if answer:
                break
    assert statuses(answer) == [408], answer
