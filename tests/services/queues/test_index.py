"""The in-memory message index and the long-poll wake-ups, on their own."""

from __future__ import annotations

import asyncio

from stratus.services.queues.index import FifoIndex, StandardIndex
from stratus.services.queues.model import MessageMeta
from stratus.services.queues.waiters import Waiters


def meta(seq: int, visible_at: int = 0, group: str | None = None, received: int = 0) -> MessageMeta:
    return MessageMeta(
        seq=seq,
        message_id=f"m{seq}",
        sent_ms=0,
        visible_at_ms=visible_at,
        group_id=group,
        receive_count=received,
    )


def test_standard_index_counts_and_visibility() -> None:
    index = StandardIndex()
    first, delayed, second = meta(1), meta(2, visible_at=500), meta(3)
    for m in (first, delayed, second):
        index.add(m, now_ms=100)
    assert [m.seq for m in index.pick(100, 10)] == [1, 3]
    first.receive_count = 1
    index.set_visible_at(first, 1000, now_ms=100)
    counts = index.counts(100)
    assert (counts.visible, counts.in_flight, counts.delayed) == (1, 1, 1)
    assert index.next_visible_ms() == 500
    assert [m.seq for m in index.pick(600, 10)] == [3, 2]
    index.remove(second)
    assert [m.seq for m in index.pick(2000, 10)] == [2, 1]
    assert index.pick(2000, 1) == [delayed]
    # a visibility changed twice leaves a stale heap entry that must be skipped
    index.set_visible_at(delayed, 5000, now_ms=2000)
    index.set_visible_at(delayed, 3000, now_ms=2000)
    assert index.next_visible_ms() == 3000


def test_fifo_index_keeps_group_order_and_blocks_in_flight_groups() -> None:
    index = FifoIndex()
    a1, a2, b1 = meta(1, group="a"), meta(2, group="a"), meta(3, group="b")
    for m in (a1, a2, b1):
        index.add(m, now_ms=0)
    assert [m.seq for m in index.pick(0, 10)] == [1, 2, 3]
    assert [m.seq for m in index.pick(0, 1)] == [1]
    index.set_visible_at(a1, 100, now_ms=0)  # a1 in flight: group a waits
    assert [m.seq for m in index.pick(0, 10)] == [3]
    assert index.has_visible(0)
    index.remove(a1)
    assert [m.seq for m in index.pick(0, 10)] == [2, 3]
    index.remove(b1)
    index.remove(a2)
    assert not index.has_visible(0) and len(index) == 0


def test_a_wake_goes_to_the_oldest_waiter_and_is_passed_on_when_it_leaves() -> None:
    async def scenario() -> None:
        waiters = Waiters()
        assert await waiters.wait(0) is False
        first = asyncio.create_task(waiters.wait(30))
        second = asyncio.create_task(waiters.wait(30))
        await asyncio.sleep(0)
        waiters.wake(1)
        first.cancel()  # woken, but its caller is gone: the wake-up goes to the second
        assert await asyncio.wait_for(second, 5) is True
        assert len(waiters) == 0
        assert await waiters.wait(0.01) is False

    asyncio.run(scenario())
