"""Request bodies: one server-wide budget, refusals before reading, small calls unhindered.

Measured before the budget: 12 concurrent 63 MB bodies (each under the 64 MiB limit) took
the server to 939 MB.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, create_function
from tests.serving.conftest import HELLO, TIGHT, MiB, connect, statuses

INVOKE = "/2015-03-31/functions/{}/invocations"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _head(path: str, length: int | None, *extra: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: stratus", f"Authorization: {AUTH}", *extra]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_response(sock: socket.socket) -> tuple[list[int], bytes]:
    """The statuses up to and including the first final response, and its body."""
    data = b""
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep and head.startswith(b"HTTP/1.1 100"):
            data = rest
            continue
        if sep:
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(rest) >= length:
                return statuses(head), rest[:length]
        chunk = sock.recv(65536)
        if not chunk:
            return statuses(data), b""
        data += chunk


def _read_continue(sock: socket.socket) -> None:
    """Wait for ``100 Continue``: the server has given the body its budget."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1024)
        assert chunk, "closed before 100 Continue"
        data += chunk
    assert data.startswith(b"HTTP/1.1 100 Continue"), data


def test_a_body_over_the_limit_is_refused_from_its_length_before_it_is_sent(
    tight_server: ServerProcess,
) -> None:
    with connect(tight_server.port) as sock:
        sock.sendall(_head(INVOKE.format("ghost"), 100 * MiB, "Expect: 100-continue"))
        codes, body = _read_response(sock)
    assert codes == [413]
    assert json.loads(body) == {
        "__type": "RequestEntityTooLargeException",
        "message": f"Request must be smaller than {TIGHT['max_body_bytes']} bytes.",
    }


def test_bodies_wait_for_the_budget_then_slow_down_and_small_calls_go_on(
    tight_server: ServerProcess, tight_lambda: Any, tight_hello: str
) -> None:
    """Two bodies of 8 MiB hold the whole 16 MiB budget (their clients never send them):
    a 1 MiB body gets 503 SlowDown after waiting 1 s, small invokes are served all the
    while, the two hogs get 408 at the body timeout, and then the 1 MiB body passes."""
    hogs = [connect(tight_server.port) for _ in range(2)]
    try:
        for hog in hogs:
            hog.sendall(_head(INVOKE.format(tight_hello), 8 * MiB, "Expect: 100-continue"))
            _read_continue(hog)
        with connect(tight_server.port) as sock:
            sock.sendall(_head(INVOKE.format(tight_hello), MiB, "Expect: 100-continue"))
            codes, body = _read_response(sock)
        assert codes == [503]
        assert json.loads(body)["__type"] == "SlowDown"
        for _ in range(5):
            answer = tight_lambda.invoke(FunctionName=tight_hello, Payload=b'{"name": "a"}')
            assert json.loads(answer["Payload"].read()) == {"hello": "a"}
        for hog in hogs:
            assert _read_response(hog)[0] == [408]
    finally:
        for hog in hogs:
            hog.close()
    big = json.dumps({"name": "b" * MiB}).encode()
    answer = tight_lambda.invoke(FunctionName=tight_hello, Payload=big)
    assert json.loads(answer["Payload"].read()) == {"hello": "b" * MiB}


def _chunked(body: bytes, piece: int = 100_000) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(body[i : i + piece]), body[i : i + piece])
        for i in range(0, len(body), piece)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def test_a_chunked_body_is_read_under_the_budget(
    tight_server: ServerProcess, tight_hello: str
) -> None:
    payload = json.dumps({"name": "c" * 300_000}).encode()
    with connect(tight_server.port) as sock:
        sock.sendall(_head(INVOKE.format(tight_hello), None, "Transfer-Encoding: chunked"))
        sock.sendall(_chunked(payload))
        codes, body = _read_response(sock)
    assert codes == [200]
    assert json.loads(body) == {"hello": "c" * 300_000}


def test_a_chunked_body_over_the_limit_is_refused(tight_server: ServerProcess) -> None:
    with connect(tight_server.port) as sock:
        sock.sendall(_head(INVOKE.format("ghost"), None, "Transfer-Encoding: chunked"))
        sent = 0
        try:
            while sent < 10 * MiB:
                sock.sendall(_chunked(b"x" * MiB)[:-5])  # one MiB chunk, not the last
                sent += MiB
        except (BrokenPipeError, ConnectionResetError):
            pass
        codes, _ = _read_response(sock)
    assert codes == [413]


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_twelve_concurrent_63mb_bodies_stay_within_the_budget(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Default limits (a 128 MiB budget): the server's peak memory grows by a few hundred
    MB at most, not the 939 MB measured before (a loose bound: it is not a benchmark)."""
    server = ServerProcess(tmp_path_factory.mktemp("bodies") / "data").start()
    try:
        client = server.client("lambda")
        name = create_function(client, HELLO)
        assert server.process is not None
        before = _vm_hwm_kb(server.process.pid)
        body = json.dumps({"name": "x" * (63 * 1000 * 1000)}).encode()
        codes: list[int] = []

        def post() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            conn.request("POST", INVOKE.format(name), body, {"Authorization": AUTH})
            codes.append(conn.getresponse().status)
            conn.close()

        threads = [threading.Thread(target=post) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        grown_mb = (_vm_hwm_kb(server.process.pid) - before) / 1024
        # Lambda's own limit answers each one (413) once it has budget; or 503 SlowDown.
        assert sorted(set(codes)) in ([413], [413, 503], [503]) and len(codes) == 12
        assert grown_mb < 600, f"the server's peak grew by {grown_mb:.0f} MB"
        answer = client.invoke(FunctionName=name, Payload=b'{"name": "y"}')
        assert json.loads(answer["Payload"].read()) == {"hello": "y"}
    finally:
        server.stop()
