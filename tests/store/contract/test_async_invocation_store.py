"""AsyncInvocationStore contract: accepted Event invocations, durable until removed."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from stratus.services.functions.repository import AsyncInvocationStore, QueuedInvocation
from stratus.store.errors import DuplicateKey, StoreClosed
from tests.store.contract.conftest import Backend

_BASE = QueuedInvocation(
    id="",
    function_name="fn",
    qualifier="$LATEST",
    payload=b'{"n": 1}',
    enqueued_ms=500,
    next_attempt_ms=0,
)


def _invocation(id: str, next_attempt_ms: int = 1000, **fields: Any) -> QueuedInvocation:
    return replace(_BASE, id=id, next_attempt_ms=next_attempt_ms, **fields)


async def _ids(store: AsyncInvocationStore, now_ms: int, limit: int = 100) -> list[str]:
    return [invocation.id for invocation in await store.due(now_ms, limit, set())]


@pytest.mark.parametrize(
    "invocation",
    [
        pytest.param(_invocation("plain"), id="plain"),
        pytest.param(
            _invocation(
                "full",
                function_name="fünction",
                qualifier="live",
                payload=bytes(range(256)),
                enqueued_ms=1,
                attempts=2,
                client_context='{"custom": {"ü": "🚀"}}',
            ),
            id="binary-payload-and-context",
        ),
        pytest.param(_invocation("empty", payload=b""), id="empty-payload"),
    ],
)
async def test_an_invocation_round_trips(backend: Backend, invocation: QueuedInvocation) -> None:
    async with backend.session() as stores:
        await stores.invocations.enqueue(invocation)
        assert await stores.invocations.pending() == 1
        found = await stores.invocations.due(invocation.next_attempt_ms, 10, set())
    assert found == [invocation]
    assert type(found[0].payload) is bytes


async def test_due_returns_what_is_due_soonest_first(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.invocations
        for id, at in [("c", 300), ("a", 100), ("later", 900), ("b", 200)]:
            await store.enqueue(_invocation(id, at))
        assert await _ids(store, 0) == []
        assert await _ids(store, 99) == []
        assert await _ids(store, 100) == ["a"]  # due at exactly now
        assert await _ids(store, 899) == ["a", "b", "c"]
        assert await _ids(store, 10_000) == ["a", "b", "c", "later"]
        assert await _ids(store, 10_000, limit=2) == ["a", "b"]


async def test_excluded_ids_do_not_use_up_the_limit(backend: Backend) -> None:
    """The dispatcher excludes what it has in flight and asks for as many as it has room."""
    async with backend.session() as stores:
        store = stores.invocations
        for n in range(6):
            await store.enqueue(_invocation(f"i{n}", 100 + n))
        found = await store.due(1000, 2, {"i0", "i1", "i3", "not-queued"})
    assert [invocation.id for invocation in found] == ["i2", "i4"]


async def test_caps_bound_each_function_and_leave_room_for_others(backend: Backend) -> None:
    """A function at its concurrency takes none (cap 0) or a few; the rest of the limit
    goes to other functions' invocations, even ones due later."""
    async with backend.session() as stores:
        store = stores.invocations
        for n in range(10):
            await store.enqueue(_invocation(f"busy{n}", 100 + n, function_name="busy"))
        for n in range(5):
            await store.enqueue(_invocation(f"one{n}", 200 + n, function_name="one"))
        for n in range(3):
            await store.enqueue(_invocation(f"free{n}", 300 + n, function_name="free"))

        async def ids(
            limit: int, caps: dict[str, int], exclude: set[str] | None = None
        ) -> list[str]:
            found = await store.due(1000, limit, exclude or set(), caps)
            return [invocation.id for invocation in found]

        assert await ids(4, {"busy": 0, "one": 1}) == ["one0", "free0", "free1", "free2"]
        assert await ids(10, {"busy": 2, "one": 0}) == ["busy0", "busy1", "free0", "free1", "free2"]
        assert await ids(3, {"busy": 1}, {"busy0"}) == ["busy1", "one0", "one1"]
        assert await ids(2, {}) == ["busy0", "busy1"]
        assert await ids(5, {"busy": 0, "one": 0, "free": 0}) == []


async def test_reschedule_moves_an_invocation_and_counts_attempts(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.invocations
        await store.enqueue(_invocation("a", 100))
        await store.enqueue(_invocation("b", 200))
        await store.reschedule("a", 1, 5000)
        assert await _ids(store, 1000) == ["b"]
        found = await store.due(5000, 10, set())
        await store.reschedule("missing", 1, 0)  # gone already: nothing happens
    assert [(i.id, i.attempts, i.next_attempt_ms) for i in found] == [
        ("b", 0, 200),
        ("a", 1, 5000),
    ]


async def test_remove_and_pending(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.invocations
        assert await store.pending() == 0
        for at, id in enumerate(("a", "b", "c")):
            await store.enqueue(_invocation(id, at))
        assert await store.pending() == 3
        await store.remove("b")
        await store.remove("b")  # removing twice is harmless
        await store.remove("missing")
        assert await store.pending() == 2
        assert await _ids(store, 10_000) == ["a", "c"]


async def test_the_same_id_twice_is_a_duplicate_key(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.invocations
        await store.enqueue(_invocation("a", 100, payload=b"first"))
        with pytest.raises(DuplicateKey):
            await store.enqueue(_invocation("a", 200, payload=b"second"))
        found = await store.due(10_000, 10, set())
    assert [(i.id, i.payload, i.next_attempt_ms) for i in found] == [("a", b"first", 100)]


async def test_enqueued_invocations_survive_close_and_reopen(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.invocations
        for n in range(5):
            await store.enqueue(_invocation(f"i{n}", 100 + n, attempts=n))
        await store.remove("i0")
        await store.reschedule("i1", 7, 50)
    async with backend.session() as stores:
        found = await stores.invocations.due(10_000, 10, set())
        assert await stores.invocations.pending() == 4
    assert [(i.id, i.attempts) for i in found] == [("i1", 7), ("i2", 2), ("i3", 3), ("i4", 4)]


async def test_enqueue_returns_once_durable(backend: Backend) -> None:
    """ "Returns once the invocation is durable": a second opening sees it at once."""
    async with backend.session() as first:
        await first.invocations.enqueue(_invocation("a", 100, payload=b"\x00\xff"))
        async with backend.session() as second:
            found = await second.invocations.due(100, 10, set())
    assert [(i.id, i.payload) for i in found] == [("a", b"\x00\xff")]


async def test_concurrent_enqueues_all_land(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.invocations
        await asyncio.gather(*(store.enqueue(_invocation(f"i{n}", n)) for n in range(300)))
        assert await store.pending() == 300
        found = await store.due(10_000, 1000, set())
    assert [i.id for i in found] == [f"i{n}" for n in range(300)]


async def test_a_failing_write_does_not_undo_the_writes_beside_it(backend: Backend) -> None:
    """Writes gathered together may share a commit; one duplicate fails only its caller."""
    async with backend.session() as stores:
        store = stores.invocations
        await store.enqueue(_invocation("taken", 0))
        outcomes = await asyncio.gather(
            *(store.enqueue(_invocation(f"i{n}", n + 1)) for n in range(50)),
            store.enqueue(_invocation("taken", 0)),
            *(store.enqueue(_invocation(f"j{n}", n + 100)) for n in range(50)),
            return_exceptions=True,
        )
        assert await store.pending() == 101
    assert [type(o).__name__ for o in outcomes if o is not None] == ["DuplicateKey"]


async def test_calls_after_close_raise_store_closed(backend: Backend) -> None:
    stores = await backend.open()
    await stores.close()
    store = stores.invocations
    with pytest.raises(StoreClosed):
        await store.enqueue(_invocation("a"))
    with pytest.raises(StoreClosed):
        await store.due(0, 1, set())
    with pytest.raises(StoreClosed):
        await store.pending()
    with pytest.raises(StoreClosed):
        await store.remove("a")
