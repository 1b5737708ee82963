"""One write per answer (``serving/writes.py``): the head waits for its body, never longer
than the loop's turn, and nothing overtakes or loses what is held.

The transport under test is a recording stand-in for the event loop's own (it is not ours);
the server tests read real answers off a raw socket.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
from typing import Any

import orjson

from stratus.serving.writes import CoalescingTransport
from tests.conftest import ServerProcess
from tests.serving.conftest import connect


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        self.writes.append(b"".join(bytes(part) for part in list_of_data))

    def close(self) -> None:
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing


async def _turns(count: int = 2) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


def test_a_head_goes_out_with_its_body_in_one_write() -> None:
    async def scenario() -> list[bytes]:
        raw = RecordingTransport()
        writes = CoalescingTransport(raw, asyncio.get_running_loop())
        writes.arm()
        writes.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        assert raw.writes == []
        writes.write(b"{}")
        await _turns()
        return raw.writes

    assert asyncio.run(scenario()) == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]


def test_a_head_whose_body_comes_later_is_sent_at_the_end_of_the_turn() -> None:
    """A streamed answer: the head must not wait for a first chunk that may take long."""

    async def scenario() -> list[bytes]:
        raw = RecordingTransport()
        writes = CoalescingTransport(raw, asyncio.get_running_loop())
        writes.arm()
        writes.write(b"head")
        await _turns()
        assert raw.writes == [b"head"]
        writes.write(b"chunk 1")
        writes.write(b"chunk 2")
        return raw.writes

    assert asyncio.run(scenario()) == [b"head", b"chunk 1", b"chunk 2"]


def test_only_the_write_after_arming_is_held() -> None:
    async def scenario() -> list[bytes]:
        raw = RecordingTransport()
        writes = CoalescingTransport(raw, asyncio.get_running_loop())
        writes.write(b"unarmed")  # straight through
        writes.arm()
        writes.write(b"head")
        writes.write(b"body")
        writes.write(b"more")  # straight through again
        return list(raw.writes)

    assert asyncio.run(scenario()) == [b"unarmed", b"headbody", b"more"]


def test_a_large_body_keeps_its_order_behind_the_head() -> None:
    body = b"b" * (1024 * 1024)

    async def scenario() -> list[bytes]:
        raw = RecordingTransport()
        writes = CoalescingTransport(raw, asyncio.get_running_loop())
        writes.arm()
        writes.write(b"head")
        writes.write(body)
        return raw.writes

    assert asyncio.run(scenario()) == [b"head" + body]


def test_closing_sends_what_is_held_first_and_a_closed_peer_gets_nothing() -> None:
    async def scenario() -> tuple[list[bytes], bool, list[bytes]]:
        loop = asyncio.get_running_loop()
        raw = RecordingTransport()
        writes = CoalescingTransport(raw, loop)
        writes.arm()
        writes.write(b"head")
        writes.close()
        gone = RecordingTransport()
        late = CoalescingTransport(gone, loop)
        late.arm()
        late.write(b"head")
        gone.closing = True  # the client went away before the turn ended
        await _turns()
        return raw.writes, raw.closing, gone.writes

    assert asyncio.run(scenario()) == ([b"head"], True, [])


# -- through the server -------------------------------------------------------------------
def _sqs_request(port: int, operation: str, params: dict[str, Any]) -> bytes:
    body = orjson.dumps(params)
    return (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\n"
        b"X-Amz-Target: AmazonSQS.%s\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/"
        b"aws4_request, SignedHeaders=host, Signature=0\r\n"
        b"Content-Length: %d\r\n\r\n" % (port, operation.encode(), len(body))
    ) + body


def _answers(sock: socket.socket, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """``count`` answers read off ``sock``: status, headers, body (by Content-Length)."""
    buffer = b""
    found: list[tuple[int, dict[str, str], bytes]] = []
    while len(found) < count:
        head_end = buffer.find(b"\r\n\r\n")
        if head_end != -1:
            lines = buffer[:head_end].decode("latin-1").split("\r\n")
            headers = dict(line.split(": ", 1) for line in lines[1:])
            length = int(headers["content-length"])
            if len(buffer) >= head_end + 4 + length:
                body = buffer[head_end + 4 : head_end + 4 + length]
                found.append((int(lines[0].split()[1]), headers, body))
                buffer = buffer[head_end + 4 + length :]
                continue
        chunk = sock.recv(65536)
        assert chunk, f"closed after {len(found)} answers"
        buffer += chunk
    assert buffer == b""
    return found


def test_an_sqs_answer_carries_the_headers_aws_sends_and_no_server(
    server: ServerProcess,
) -> None:
    """AWS's "Interpreting Amazon SQS JSON API responses": x-amzn-RequestId,
    Content-Length, Date, Content-Type. Every header costs every SDK call to parse."""
    with connect(server.port) as sock:
        sock.sendall(_sqs_request(server.port, "ListQueues", {}))
        ((status, headers, body),) = _answers(sock, 1)
    assert status == 200, body
    assert sorted(headers) == ["content-length", "content-type", "date", "x-amzn-requestid"]
    assert headers["content-type"] == "application/x-amz-json-1.0"


def test_pipelined_calls_are_answered_whole_and_in_order(server: ServerProcess) -> None:
    """200 requests in one write, one connection: each answer's head and body stay
    together and in the order asked, the last one included (held heads never get lost)."""
    with connect(server.port) as sock:
        sock.sendall(_sqs_request(server.port, "CreateQueue", {"QueueName": "pipelined"}))
        ((_, _, created),) = _answers(sock, 1)
        url = orjson.loads(created)["QueueUrl"]
        burst = b"".join(
            _sqs_request(server.port, "SendMessage", {"QueueUrl": url, "MessageBody": f"m{i}"})
            for i in range(200)
        )
        sock.sendall(burst)
        answers = _answers(sock, 200)
        sock.sendall(
            _sqs_request(
                server.port,
                "GetQueueAttributes",
                {"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]},
            )
        )
        ((_, _, counted),) = _answers(sock, 1)
    assert [status for status, _, _ in answers] == [200] * 200
    digests = [orjson.loads(body)["MD5OfMessageBody"] for _, _, body in answers]
    assert digests == [hashlib.md5(f"m{i}".encode()).hexdigest() for i in range(200)]
    assert orjson.loads(counted)["Attributes"]["ApproximateNumberOfMessages"] == "200"
