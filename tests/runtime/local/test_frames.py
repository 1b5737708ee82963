"""FrameParser and ReplyParser: any chunking, linear reassembly, bounded by their limits.

Frames are built with the worker's own encoder (``worker/protocol.py``), the bytes the
server really reads.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import orjson
import pytest

from stratus.runtime.local.frames import Frame, FrameParser, FrameTooLarge
from stratus.runtime.local.replies import MAX_RESPONSE_BYTES, RESPONSE_TOO_LARGE, ReplyParser
from stratus.runtime.worker.protocol import PREFIX, encode_frame

FRAMES: list[Frame] = [
    ({"n": 2, "e": None, "ms": 1.5, "mem": 30}, b"{}"),
    ({"op": "exit", "pid": 7}, b""),
    ({"n": 5}, b"hello" + b"log line\n"),
    ({"n": 300_000}, b"x" * 300_000),
    ({"n": 0}, b""),
]
STREAM = b"".join(encode_frame(header, payload) for header, payload in FRAMES)


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def feed_all(parser: FrameParser, pieces: Iterator[bytes]) -> list[Frame]:
    frames: list[Frame] = []
    for piece in pieces:
        frames.extend(parser.feed(piece))
    return frames


@pytest.mark.parametrize(
    "size", [1, 3, 8, 13, 4096, 65536, len(STREAM)], ids=lambda s: f"reads-of-{s}"
)
def test_any_chunking_gives_the_same_frames(size: int) -> None:
    assert feed_all(FrameParser(), chunks(STREAM, size)) == FRAMES


def test_a_large_frame_in_small_reads_is_assembled_whole() -> None:
    """80 MB in 64 KiB reads: the attack that cost 26 s of CPU when every read was
    concatenated onto the previous ones (no timing asserted: it must simply finish)."""
    payload = bytes(range(256)) * (80 * 1024 * 1024 // 256)
    data = encode_frame({"n": len(payload)}, payload) + encode_frame({"n": 0}, b"")
    frames = feed_all(FrameParser(), chunks(data, 65536))
    assert [header for header, _ in frames] == [{"n": len(payload)}, {"n": 0}]
    assert frames[0][1] == payload


def test_a_header_over_the_bound_is_refused_before_it_is_held() -> None:
    frame = encode_frame({"key": "x" * 32})
    with pytest.raises(FrameTooLarge):
        FrameParser(max_header=16).feed(frame[:20])


def test_a_payload_over_the_bound_raises_by_default() -> None:
    parser = FrameParser(max_payload=10)
    with pytest.raises(FrameTooLarge):
        parser.feed(encode_frame({"n": 11}, b"x" * 11))


@pytest.mark.parametrize("size", [7, 65536, 1 << 20], ids=lambda s: f"reads-of-{s}")
def test_an_oversized_reply_becomes_lambdas_error_and_the_stream_stays_in_step(
    size: int,
) -> None:
    big = b"y" * (MAX_RESPONSE_BYTES + 1)
    after = ({"n": 2, "e": None, "ms": 1.0, "mem": 40}, b"{}")
    data = encode_frame({"n": len(big), "e": None, "ms": 2.0, "mem": 50}, big)
    data += encode_frame(*after)
    frames = feed_all(ReplyParser(), chunks(data, size))
    assert len(frames) == 2
    header, payload = frames[0]
    assert header == {"n": len(payload), "e": "Unhandled", "ms": 2.0, "mem": 50}
    assert orjson.loads(payload) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        "(6291556 bytes).",
        "errorType": RESPONSE_TOO_LARGE,
    }
    assert frames[1] == after


def test_a_reply_at_the_limit_is_kept() -> None:
    body = b"z" * MAX_RESPONSE_BYTES
    frames = feed_all(ReplyParser(), chunks(encode_frame({"n": len(body), "e": None}, body), 65536))
    assert frames == [({"n": len(body), "e": None}, body)]


def test_an_oversized_reply_is_never_held() -> None:
    """The server holds at most a read of it, not the 80 MB the function sends."""
    size = 80 * 1024 * 1024
    head = orjson.dumps({"n": size, "e": None, "ms": 1.0, "mem": 9})
    piece = b"q" * 65536
    parser = ReplyParser()
    tracemalloc.start()
    try:
        frames = parser.feed(PREFIX.pack(len(head), size) + head)
        for _ in range(size // len(piece)):
            frames += parser.feed(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [header["e"] for header, _ in frames] == ["Unhandled"]
    assert peak < 1024 * 1024


def test_an_oversized_init_report_stays_a_failure() -> None:
    error = b"e" * (MAX_RESPONSE_BYTES + 10)
    header = {"op": "init", "ms": 3.0, "error": "Runtime.ImportModuleError", "n": len(error)}
    [(got, payload)] = ReplyParser().feed(encode_frame(header, error))
    assert got["error"] == "Runtime.ImportModuleError"
    assert orjson.loads(payload[: got["n"]])["errorType"] == RESPONSE_TOO_LARGE
    assert b"bytes of reply dropped" in payload[got["n"] :]
