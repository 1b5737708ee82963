"""A response's head leaves with its body (one write), or on the loop's next turn when the
body is late; nothing is reordered or lost, and a "100 Continue" is never held."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from stratus.serving.protocol import _HeadWithBody


@dataclass
class Cycle:
    response_started: bool = False
    response_complete: bool = False


@dataclass
class Transport:
    """Records writes (an asyncio transport's writing side, nothing more)."""

    writes: list[bytes] = field(default_factory=list)
    closed: bool = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def test_head_and_body_leave_as_one_write() -> None:
    async def scenario() -> None:
        transport, cycle = Transport(), Cycle()
        wrapped = _HeadWithBody(transport, cycle, asyncio.get_running_loop())  # type: ignore[arg-type]
        cycle.response_started = True
        wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert transport.writes == []
        wrapped.write(b"body")
        assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
        wrapped.write(b"more")  # later pieces go as they come
        await asyncio.sleep(0)
        assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"more"]
        assert wrapped.get_extra_info("peername") == "info:peername"

    asyncio.run(scenario())


def test_a_late_body_does_not_hold_the_head() -> None:
    async def scenario() -> None:
        transport, cycle = Transport(), Cycle()
        wrapped = _HeadWithBody(transport, cycle, asyncio.get_running_loop())  # type: ignore[arg-type]
        cycle.response_started = True
        wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")
        await asyncio.sleep(0)  # the loop's next turn
        assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\n"]
        wrapped.write(b"HTTP/ is a body here")  # the head was seen: a body is never held
        assert transport.writes[-1] == b"HTTP/ is a body here"

    asyncio.run(scenario())


def test_continue_passes_and_close_flushes() -> None:
    async def scenario() -> None:
        transport, cycle = Transport(), Cycle()
        wrapped = _HeadWithBody(transport, cycle, asyncio.get_running_loop())  # type: ignore[arg-type]
        wrapped.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # before the response starts
        assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
        cycle.response_started = True
        wrapped.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
        wrapped.close()
        assert transport.writes[-1] == b"HTTP/1.1 500 Internal Server Error\r\n\r\n"
        assert transport.closed and wrapped.is_closing()
        await asyncio.sleep(0)  # the pending flush finds nothing to send

    asyncio.run(scenario())
