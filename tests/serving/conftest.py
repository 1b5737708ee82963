"""A Stratus with tight HTTP limits (so each attack is cheap to mount) and raw-socket helpers.

The attacks come over plain sockets, as a hostile client would send them; what must keep
working is checked with boto3. Tests never assert timings: each attack is built so that
an unenforced limit gives a different answer (a 200 where a 408 is due), not a slower one.
"""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess, create_function

MiB = 1024 * 1024
#: The tight server's limits (``--http-limit``): small enough to reach in a fast test.
TIGHT = {
    "header_timeout_s": 1,
    "max_connections": 8,
    "max_body_bytes": 8 * MiB,
    "body_budget_bytes": 16 * MiB,
    "body_wait_s": 1,
    "body_timeout_s": 3,
}
HELLO = "def handler(event, context):\n    return {'hello': event.get('name')}\n"


@pytest.fixture(scope="session")
def tight_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Not the shared ``server``: its connections are evicted and its budget held."""
    args: list[str] = []
    for name, value in TIGHT.items():
        args += ["--http-limit", f"{name}={value}"]
    proc = ServerProcess(tmp_path_factory.mktemp("tight") / "data", *args)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def tight_lambda(tight_server: ServerProcess) -> Any:
    return tight_server.client("lambda")


@pytest.fixture(scope="session")
def tight_hello(tight_lambda: Any) -> str:
    """A function to prove the tight server still serves invokes."""
    return create_function(tight_lambda, HELLO)


def connect(port: int, timeout: float = 30.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_until_refused(sock: socket.socket, data: bytes, piece: int = 1 << 20) -> int:
    """Send ``data`` until the server stops taking it; returns how much went out."""
    sent = 0
    try:
        while sent < len(data):
            sent += sock.send(data[sent : sent + piece])
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes its end (a reset ends it too)."""
    parts: list[bytes] = []
    try:
        while chunk := sock.recv(65536):
            parts.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(parts)


def statuses(answer: bytes) -> list[int]:
    """The status codes of the responses in ``answer`` (a 100 Continue counts too)."""
    found = []
    for line in answer.split(b"\r\n"):
        if line.startswith(b"HTTP/1.1 "):
            found.append(int(line.split()[1]))
    return found


def raise_fd_limit(wanted: int) -> None:
    """This process needs a descriptor per connection it opens."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"needs {wanted} file descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
