"""The worker's FrameReader: frames intact whether it polls for them or blocks, and its
poll kept only while events come within the window (no timings asserted: the windows are
far apart from what the test does)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from stratus.runtime.worker.protocol import FrameReader, encode_frame

WINDOW_S = 0.05  # the poll window of these tests: far longer than a recv of waiting data
LATE_S = 0.5  # an event that comes long after the window ran out


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    try:
        yield ours, theirs
    finally:
        ours.close()
        theirs.close()


def test_frames_come_intact_polled_and_blocked(pair: tuple[socket.socket, socket.socket]) -> None:
    reader_sock, writer = pair
    reader = FrameReader(reader_sock, WINDOW_S)
    writer.sendall(encode_frame({"id": "1"}, b"first"))
    assert reader.read() == ({"id": "1"}, b"first")  # waiting already: the poll gets it
    late = threading.Timer(LATE_S, writer.sendall, [encode_frame({"id": "2"}, b"x" * 200_000)])
    late.start()
    try:
        assert reader.read() == ({"id": "2"}, b"x" * 200_000)  # the poll ran out: blocked
    finally:
        late.join()
    writer.sendall(encode_frame({"id": "3"}, b"") + encode_frame({"id": "4"}, b"four"))
    assert reader.read() == ({"id": "3"}, b"")
    assert reader.read() == ({"id": "4"}, b"four")


def test_polling_stops_after_a_late_event_and_resumes_after_a_prompt_one(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    reader_sock, writer = pair
    reader = FrameReader(reader_sock, WINDOW_S)
    late = threading.Timer(LATE_S, writer.sendall, [encode_frame({"id": "late"}, b"")])
    late.start()
    try:
        reader.read()
    finally:
        late.join()
    assert not reader._hot  # the next wait blocks instead of polling
    writer.sendall(encode_frame({"id": "prompt"}, b""))
    assert reader.read()[0] == {"id": "prompt"}
    assert reader._hot  # it came within the window: poll again


def test_no_polling_without_a_window(pair: tuple[socket.socket, socket.socket]) -> None:
    reader_sock, writer = pair
    reader = FrameReader(reader_sock)
    writer.sendall(encode_frame({"id": "1"}, b"one"))
    assert reader.read() == ({"id": "1"}, b"one")
    assert not reader._hot


def test_a_wake_polls_once_and_changes_nothing_else(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """``expect``: the server said an event is coming. The next receive polls for it (a
    late one is still read, once the poll runs out), and the reader's own rhythm (hot or
    cold) is left as it was."""
    reader_sock, writer = pair
    reader = FrameReader(reader_sock, WINDOW_S)
    reader._hot = False
    reader.expect(WINDOW_S)
    late = threading.Timer(LATE_S, writer.sendall, [encode_frame({"id": "late"}, b"")])
    late.start()
    try:
        assert reader.read() == ({"id": "late"}, b"")
    finally:
        late.join()
    assert not reader._hot and not reader._expect
    # The wake and its event in one chunk: the event comes out of the buffer, and the
    # poll asked for is dropped (no polling after the invocation it was for).
    writer.sendall(encode_frame({"op": "wake"}, b"") + encode_frame({"id": "e"}, b"ev"))
    assert reader.read() == ({"op": "wake"}, b"")
    reader.expect(WINDOW_S)
    assert reader.read() == ({"id": "e"}, b"ev")
    assert not reader._expect
