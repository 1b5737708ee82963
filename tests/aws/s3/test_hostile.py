"""Hostile clients: uploads that stop halfway, bodies past S3's limit, malformed
documents, too many entries, and memory that stays flat however large the object."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.aws.s3.conftest import error_of
from tests.conftest import ServerProcess

SCOPE = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"
MiB = 1024 * 1024


def _raw(
    server: ServerProcess,
    head: bytes,
    body: bytes = b"",
    wait: float = 5.0,
    until: bytes = b"</Error>",
) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(head + body)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if until in b"".join(chunks):
                    break
        except TimeoutError:
            pass
        return b"".join(chunks)


def _tmp_files(server: ServerProcess) -> list[Path]:
    return [p for p in (server.data_dir / "objects" / "tmp").iterdir()]


def test_upload_cut_off_midway_stores_nothing(server: ServerProcess, s3: Any, bucket: str) -> None:
    head = (
        f"PUT /{bucket}/cut HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {SCOPE}\r\n"
        f"Content-Length: {10 * MiB}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head + b"x" * (3 * MiB))
    deadline = time.monotonic() + 30  # (a loaded full run once took over 10 s)
    while _tmp_files(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tmp_files(server) == []
    assert error_of(s3.head_object, Bucket=bucket, Key="cut")["Status"] == 404


def test_declared_size_past_five_gigabytes(server: ServerProcess, bucket: str) -> None:
    head = (
        f"PUT /{bucket}/huge HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {SCOPE}\r\n"
        f"Content-Length: {6 * 1024**3}\r\nExpect: 100-continue\r\n\r\n"
    ).encode()
    answer = _raw(server, head)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"<Code>EntityTooLarge</Code>" in answer
    assert b"<MaxSizeAllowed>5368709120</MaxSizeAllowed>" in answer
    assert b"connection: close" in answer.lower()


def test_other_services_keep_their_body_limit(server: ServerProcess) -> None:
    """The streaming exemption is S3's object bodies only: a 65 MiB Lambda call is refused."""
    head = (
        "POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/lambda/aws4_request, "
        f"SignedHeaders=host, Signature=0\r\nContent-Length: {65 * MiB}\r\n\r\n"
    ).encode()
    answer = _raw(server, head, until=b"}")
    assert answer.startswith(b"HTTP/1.1 413")


def test_malformed_documents(s3: Any, raw_s3: Any, bucket: str, server: ServerProcess) -> None:
    answer = _raw(
        server,
        (
            f"POST /{bucket}?delete HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {SCOPE}\r\n"
            "Content-Length: 9\r\n\r\n"
        ).encode(),
        b"<Delete><",
    )
    assert b"<Code>MalformedXML</Code>" in answer
    error = error_of(
        raw_s3.delete_objects,
        Bucket=bucket,
        Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)]},
    )
    assert error["Code"] == "MalformedXML"


def test_tag_header_abuse(s3: Any, bucket: str) -> None:
    tags = "&".join(f"k{i}=v" for i in range(50))
    error = error_of(s3.put_object, Bucket=bucket, Key="t", Body=b"x", Tagging=tags)
    assert error["Code"] == "InvalidTag"
    error = error_of(s3.put_object, Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&a=2")
    assert error["Message"] == "Cannot provide multiple Tags with the same key"
    assert error_of(s3.head_object, Bucket=bucket, Key="t")["Status"] == 404


def test_multibyte_key_limit(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="é" * 512, Body=b"x")  # 1024 bytes: allowed
    assert (
        error_of(s3.put_object, Bucket=bucket, Key="é" * 513, Body=b"x")["Code"]
        == "KeyTooLongError"
    )


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_memory_stays_flat_for_a_large_object(tmp_path: Path) -> None:
    """300 MB up and down through one server: its peak memory grows by far less."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        assert server.process is not None
        s3 = server.client("s3")
        s3.create_bucket(Bucket="big")
        s3.put_object(Bucket="big", Key="warm", Body=b"x" * MiB)
        s3.get_object(Bucket="big", Key="warm")["Body"].read()
        before = _peak_rss_mib(server.process.pid)
        size = 300 * MiB

        def body() -> Iterator[bytes]:
            block = b"\xab" * MiB
            for _ in range(size // MiB):
                yield block

        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        connection.request(
            "PUT",
            "/big/object",
            body=body(),
            headers={"Authorization": SCOPE, "Content-Length": str(size)},
        )
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        connection.request("GET", "/big/object", headers={"Authorization": SCOPE})
        answer = connection.getresponse()
        received = 0
        while chunk := answer.read(MiB):
            received += len(chunk)
        connection.close()
        assert received == size
        growth = _peak_rss_mib(server.process.pid) - before
        assert growth < 64, f"peak memory grew by {growth:.0f} MiB for a {size // MiB} MiB object"
    finally:
        server.stop()


def test_upload_deadline_is_idle_not_total(tmp_path: Path) -> None:
    """With a 2 s body deadline, an object trickling in for 4 s is stored (each piece moves
    the deadline on), while one that stalls for longer is cut off."""
    server = ServerProcess(
        tmp_path / "data", "--http-limit", "body_timeout_s=2", "--http-limit", "body_wait_s=1"
    ).start()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="slow")
        head = (
            f"PUT /slow/trickle HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {SCOPE}\r\n"
            "Content-Length: 8\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(head)
            for _ in range(8):
                time.sleep(0.5)
                sock.sendall(b"x")
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert s3.get_object(Bucket="slow", Key="trickle")["Body"].read() == b"x" * 8
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(head.replace(b"trickle", b"stalled") + b"x")
            answer = sock.recv(65536)  # the server gives up on the stalled body
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert error_of(s3.head_object, Bucket="slow", Key="stalled")["Status"] == 404
    finally:
        server.stop()
