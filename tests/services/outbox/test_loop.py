"""The shared outbox loop with a scripted courier standing in for a service's policy
(the loop's one seam): FIFO lanes hold their order through retries and our own bugs, a
dead-letter hand-off rejoins its lane at the back, one endpoint at its cap cannot starve
the others, the in-flight bound holds under a flood, and a paused loop starts nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from stratus.services.outbox import Again, OutboxLoop, OutboxStatistics, Settled, Verdict


@dataclass(eq=False)
class Item:
    name: str
    lane: str | None = None
    endpoint: str | None = None
    due: float = field(default_factory=time.time)
    #: what each attempt does, in turn; once used up, the item is delivered
    script: list[str] = field(default_factory=list)


class ScriptedCourier:
    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.in_flight: dict[str | None, int] = {}
        self.most_in_flight: dict[str | None, int] = {}
        self.total_in_flight = 0
        self.most_total = 0
        self.gate: dict[str, asyncio.Event] = {}  # endpoint -> attempts wait for it

    def describe(self, item: Item) -> str:
        return item.name

    def lane(self, item: Item) -> Hashable | None:
        return item.lane

    def endpoint(self, item: Item) -> Hashable | None:
        return item.endpoint

    async def attempt(self, item: Item) -> Verdict:
        self.attempts.append(item.name)
        self._enter(item.endpoint)
        try:
            gate = self.gate.get(item.endpoint or "")
            if gate is not None:
                await gate.wait()
            await asyncio.sleep(0)
            step = item.script.pop(0) if item.script else "deliver"
        finally:
            self._leave(item.endpoint)
        if step == "retry":
            return Again(time.time() + 0.005, retry=True)
        if step == "raise":
            raise RuntimeError("a bug of ours")
        if step == "hand-off":
            return Again(time.time(), keep_lane=False)
        if step == "dead-letter":
            return Settled("dead_lettered")
        if step == "drop":
            return Settled("dropped")
        return Settled("delivered")

    def _enter(self, endpoint: str | None) -> None:
        self.in_flight[endpoint] = self.in_flight.get(endpoint, 0) + 1
        self.most_in_flight[endpoint] = max(
            self.most_in_flight.get(endpoint, 0), self.in_flight[endpoint]
        )
        self.total_in_flight += 1
        self.most_total = max(self.most_total, self.total_in_flight)

    def _leave(self, endpoint: str | None) -> None:
        self.in_flight[endpoint] -= 1
        self.total_in_flight -= 1


Check = Callable[[], bool]


async def _running(
    loop: OutboxLoop[Item], until: Check, during: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Run ``loop`` until ``until()`` holds (10 s at most), then stop it."""
    task = asyncio.create_task(loop.run())
    try:
        if during is not None:
            await during()
        deadline = time.monotonic() + 10
        while not until() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        await loop.wait_idle()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _loop(courier: ScriptedCourier, **settings: int) -> OutboxLoop[Item]:
    return OutboxLoop(
        courier,
        max_in_flight=settings.get("max_in_flight", 8),
        per_endpoint=settings.get("per_endpoint"),
        unexpected_retry_s=0.01,
    )


def test_a_lane_keeps_its_order_through_retries_and_our_own_failures() -> None:
    courier = ScriptedCourier()
    loop = _loop(courier)
    items = [Item(f"m{n}", lane="g") for n in range(4)]
    items[0].script = ["retry", "raise", "retry"]
    items[2].script = ["retry"]
    loop.enqueue(items)
    asyncio.run(_running(loop, lambda: loop.statistics().delivered == 4))
    assert courier.attempts == ["m0", "m0", "m0", "m0", "m1", "m2", "m2", "m3"]
    stats = loop.statistics()
    assert (stats.delivered, stats.retried, stats.pending, stats.in_flight) == (4, 3, 0, 0)


def test_lanes_do_not_wait_for_each_other() -> None:
    courier = ScriptedCourier()
    loop = _loop(courier)
    slow = Item("a0", lane="a", script=["retry"] * 5)
    loop.enqueue([slow, Item("a1", lane="a"), Item("b0", lane="b"), Item("b1", lane="b")])
    asyncio.run(_running(loop, lambda: loop.statistics().delivered == 4))
    assert courier.attempts.index("b1") < courier.attempts.index("a1")
    assert [a for a in courier.attempts if a.startswith("a")] == ["a0"] * 6 + ["a1"]


def test_a_hand_off_rejoins_its_lane_at_the_back() -> None:
    """As SNS's dead-letter hand-off: the rest of the lane goes first."""
    courier = ScriptedCourier()
    loop = _loop(courier)
    items = [Item(f"m{n}", lane="g") for n in range(3)]
    items[0].script = ["hand-off", "dead-letter"]
    loop.enqueue(items)
    asyncio.run(_running(loop, lambda: sum(_settled(loop)) == 3))
    assert courier.attempts == ["m0", "m1", "m2", "m0"]
    stats = loop.statistics()
    assert (stats.delivered, stats.dead_lettered, stats.retried) == (2, 1, 0)


def _settled(loop: OutboxLoop[Item]) -> tuple[int, int, int]:
    stats = loop.statistics()
    return stats.delivered, stats.dead_lettered, stats.dropped


def test_an_endpoint_at_its_cap_waits_in_its_backlog_and_starves_nobody() -> None:
    courier = ScriptedCourier()
    courier.gate["stuck"] = asyncio.Event()
    loop = _loop(courier, max_in_flight=8, per_endpoint=2)
    stuck = [Item(f"s{n}", endpoint="stuck") for n in range(20)]
    others = [Item(f"o{n}", endpoint=f"e{n % 3}") for n in range(30)]
    loop.enqueue([*stuck, *others])
    seen: dict[str, OutboxStatistics] = {}

    async def while_stuck() -> None:
        deadline = time.monotonic() + 10
        while loop.statistics().delivered < 30 and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        seen["stats"] = loop.statistics()
        courier.gate["stuck"].set()

    asyncio.run(_running(loop, lambda: loop.statistics().delivered == 50, while_stuck))
    stats = seen["stats"]
    # the other endpoints all went through while the stuck one held its two slots
    assert (stats.delivered, stats.in_flight, stats.pending) == (30, 2, 18)
    assert courier.most_in_flight["stuck"] == 2
    assert loop.statistics().delivered == 50


def test_a_flood_stays_within_the_in_flight_bound_and_loses_nothing() -> None:
    courier = ScriptedCourier()
    loop = _loop(courier, max_in_flight=16)
    items = [Item(f"m{n}", script=["retry"] if n % 7 == 0 else []) for n in range(5000)]
    items += [Item(f"d{n}", script=["drop"]) for n in range(100)]
    loop.enqueue(items)
    asyncio.run(_running(loop, lambda: sum(_settled(loop)) == 5100))
    stats = loop.statistics()
    assert (stats.delivered, stats.dropped, stats.retried) == (5000, 100, 715)
    assert courier.most_total <= 16
    assert len(courier.attempts) == 5100 + 715


def test_a_paused_loop_starts_nothing_and_keeps_everything_pending() -> None:
    courier = ScriptedCourier()
    loop = _loop(courier)
    loop.pause()
    loop.enqueue([Item(f"m{n}") for n in range(5)])

    async def scenario() -> None:
        task = asyncio.create_task(loop.run())
        await asyncio.sleep(0.05)
        await loop.wait_idle()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert courier.attempts == []
    assert loop.statistics().pending == 5


def test_deliveries_wait_for_their_due_time() -> None:
    courier = ScriptedCourier()
    loop = _loop(courier)
    later = Item("later", due=time.time() + 3600)
    loop.enqueue([later, Item("now")])
    asyncio.run(_running(loop, lambda: loop.statistics().delivered == 1))
    assert courier.attempts == ["now"]
    assert loop.statistics().pending == 1
