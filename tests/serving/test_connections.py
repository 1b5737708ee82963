"""Connections: capped, the longest idle gives way, and only busy ones make a newcomer wait.

Measured before the cap: about 20,000 idle connections took the server down (every
descriptor of the process gone, for environments and the store too).
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, create_function
from tests.serving.conftest import (
    HELLO,
    TIGHT,
    connect,
    raise_fd_limit,
    read_until_closed,
    statuses,
)


def _closed_by_server(socks: list[socket.socket], within_s: float) -> int:
    """How many of ``socks`` the server closes (EOF or reset) within ``within_s``."""
    pending = {sock.fileno(): sock for sock in socks}
    closed = 0
    with selectors.DefaultSelector() as selector:
        for sock in socks:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + within_s
        while pending and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                sock = pending.pop(key.fd)
                selector.unregister(sock)
                try:
                    data = sock.recv(1)
                except (ConnectionResetError, BlockingIOError):
                    data = b""
                closed += data == b""
    return closed


def test_idle_connections_over_the_cap_give_way_to_a_client(
    tight_server: ServerProcess, tight_lambda: Any, tight_hello: str
) -> None:
    """200 idle connections against a cap of 8: boto3 is still served, and every idle
    connection is closed (evicted for room, or at the header timeout)."""
    socks = [connect(tight_server.port) for _ in range(200)]
    try:
        assert tight_lambda.invoke(FunctionName=tight_hello)["StatusCode"] == 200
        assert tight_lambda.list_functions()["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert _closed_by_server(socks, within_s=15) == len(socks)
    finally:
        for sock in socks:
            sock.close()


def test_when_every_connection_is_busy_a_newcomer_gets_503(
    tight_server: ServerProcess, tight_lambda: Any, tmp_path: Path
) -> None:
    """Busy means a whole request being answered: eight invocations that wait for the
    test hold all eight slots, the ninth connection is answered 503, and once they
    finish the server serves again."""
    slots = int(TIGHT["max_connections"])
    source = (
        "import os, time\n"
        "def handler(event, context):\n"
        "    open(os.path.join(event['dir'], context.aws_request_id), 'w').close()\n"
        "    deadline = time.time() + 20\n"
        "    while not os.path.exists(os.path.join(event['dir'], 'go')) "
        "and time.time() < deadline:\n"
        "        time.sleep(0.02)\n"
        "    return 'done'\n"
    )
    name = create_function(tight_lambda, source, Timeout=30)
    hello = create_function(tight_lambda, HELLO)
    clients = [tight_server.client("lambda") for _ in range(slots)]
    results: list[int] = []

    def invoke(client: Any) -> None:
        payload = f'{{"dir": "{tmp_path}"}}'
        results.append(client.invoke(FunctionName=name, Payload=payload)["StatusCode"])

    threads = [threading.Thread(target=invoke, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.iterdir())) < slots and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(tmp_path.iterdir())) == slots, "the invocations did not all start"
        with connect(tight_server.port) as sock:
            answer = read_until_closed(sock)
        assert statuses(answer) == [503], answer
    finally:
        (tmp_path / "go").touch()
        for thread in threads:
            thread.join(60)
    assert results == [200] * slots
    assert tight_lambda.invoke(FunctionName=hello)["StatusCode"] == 200


def test_the_default_cap_survives_5000_idle_connections(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Default limits (4096 connections, or half the descriptors): 5,000 idle sockets
    do not stop boto3, and the server is still healthy once they are gone."""
    raise_fd_limit(6000)
    server = ServerProcess(tmp_path_factory.mktemp("default") / "data").start()
    socks: list[socket.socket] = []
    try:
        client = server.client("lambda")
        name = create_function(client, HELLO)
        socks = [connect(server.port) for _ in range(5000)]
        assert client.invoke(FunctionName=name, Payload=b'{"name": "x"}')["StatusCode"] == 200
        assert client.list_functions()["ResponseMetadata"]["HTTPStatusCode"] == 200
    finally:
        for sock in socks:
            sock.close()
        server.stop()
