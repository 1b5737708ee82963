"""LogStore contract: lines appended without waiting, read back per function in order."""

from __future__ import annotations

import pytest

from stratus.services.logs.repository import LogStore, StoredLogEvent
from stratus.store.errors import StoreClosed
from tests.store.contract.conftest import Backend, Stores


async def _append(stores: Stores, batch: list[tuple[str, str, list[tuple[int, str]]]]) -> None:
    stores.logs.append_batch_nowait(batch)
    await stores.settle()


def _messages(events: list[StoredLogEvent]) -> list[str]:
    return [event.message for event in events]


async def _seed(stores: Stores) -> None:
    """Two functions; fn has two streams written in two batches, timestamps 10..60."""
    await _append(
        stores,
        [
            ("fn", "s1", [(10, "START one"), (20, "hello World")]),
            ("other", "s1", [(15, "not fn's")]),
            ("fn", "s2", [(30, "START two")]),
        ],
    )
    await _append(
        stores, [("fn", "s1", [(40, "END one"), (50, "100% done")]), ("fn", "s2", [(60, "a_b")])]
    )


async def test_appended_lines_read_back_in_order_with_their_fields(backend: Backend) -> None:
    async with backend.session() as stores:
        await _seed(stores)
        events = await stores.logs.query("fn")
        other = await stores.logs.query("other")
    assert [(e.function_name, e.stream, e.timestamp_ms, e.message) for e in events] == [
        ("fn", "s1", 10, "START one"),
        ("fn", "s1", 20, "hello World"),
        ("fn", "s2", 30, "START two"),
        ("fn", "s1", 40, "END one"),
        ("fn", "s1", 50, "100% done"),
        ("fn", "s2", 60, "a_b"),
    ]
    ids = [event.id for event in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] > 0
    assert _messages(other) == ["not fn's"]


async def test_order_is_append_order_not_timestamp_order(backend: Backend) -> None:
    async with backend.session() as stores:
        await _append(stores, [("fn", "s", [(300, "first"), (100, "second")])])
        await _append(stores, [("fn", "s", [(200, "third")])])
        events = await stores.logs.query("fn")
    assert _messages(events) == ["first", "second", "third"]


async def test_after_id_and_limit_page_through_every_line_once(backend: Backend) -> None:
    async with backend.session() as stores:
        lines = [(n, f"line {n}") for n in range(23)]
        await _append(stores, [("fn", "s", lines[:10]), ("noise", "s", lines[:5])])
        await _append(stores, [("fn", "s", lines[10:])])
        pages: list[list[str]] = []
        after_id = 0
        while page := await stores.logs.query("fn", after_id=after_id, limit=5):
            pages.append(_messages(page))
            after_id = page[-1].id
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [m for page in pages for m in page] == [f"line {n}" for n in range(23)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(
            {"start_ms": 30}, ["START two", "END one", "100% done", "a_b"], id="start-inclusive"
        ),
        pytest.param({"end_ms": 30}, ["START one", "hello World", "START two"], id="end-inclusive"),
        pytest.param(
            {"start_ms": 20, "end_ms": 40}, ["hello World", "START two", "END one"], id="window"
        ),
        pytest.param({"start_ms": 61}, [], id="after-all"),
        pytest.param({"stream": "s2"}, ["START two", "a_b"], id="stream"),
        pytest.param({"stream": "nope"}, [], id="unknown-stream"),
        pytest.param({"contains": "START"}, ["START one", "START two"], id="contains"),
        pytest.param({"contains": "world"}, [], id="contains-is-case-sensitive"),
        pytest.param({"contains": "%"}, ["100% done"], id="percent-is-literal"),
        pytest.param({"contains": "_"}, ["a_b"], id="underscore-is-literal"),
        pytest.param(
            {"contains": ""},
            ["START one", "hello World", "START two", "END one", "100% done", "a_b"],
            id="empty-contains-matches-all",
        ),
        pytest.param(
            {"stream": "s1", "contains": "o", "start_ms": 11, "end_ms": 45},
            ["hello World", "END one"],
            id="combined",
        ),
        pytest.param({"limit": 2, "stream": "s2"}, ["START two", "a_b"], id="limit-after-filter"),
        pytest.param({"limit": 1, "contains": "one"}, ["START one"], id="limit-keeps-the-first"),
    ],
)
async def test_query_filters(
    backend: Backend, filters: dict[str, object], expected: list[str]
) -> None:
    async with backend.session() as stores:
        await _seed(stores)
        events = await stores.logs.query("fn", **filters)  # type: ignore[arg-type]
    assert _messages(events) == expected


async def test_filters_combine_with_after_id(backend: Backend) -> None:
    async with backend.session() as stores:
        await _seed(stores)
        first = await stores.logs.query("fn", stream="s1", limit=2)
        rest = await stores.logs.query("fn", stream="s1", after_id=first[-1].id)
    assert _messages(first) == ["START one", "hello World"]
    assert _messages(rest) == ["END one", "100% done"]


async def test_streams_give_first_and_last_timestamps_in_order_of_appearance(
    backend: Backend,
) -> None:
    async with backend.session() as stores:
        await _seed(stores)
        await _append(stores, [("fn", "s2", [(5, "late line, early timestamp")])])
        streams = await stores.logs.streams("fn")
        assert await stores.logs.streams("other") == [("s1", 15, 15)]
        assert await stores.logs.streams("missing") == []
    assert streams == [("s1", 10, 50), ("s2", 5, 60)]


async def test_a_function_without_lines_reads_empty(backend: Backend) -> None:
    async with backend.session() as stores:
        assert await stores.logs.query("missing") == []
        stores.logs.append_batch_nowait([])
        stores.logs.append_batch_nowait([("fn", "s", [])])
        await stores.settle()
        assert await stores.logs.query("fn") == []


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("日本語 🚀 grüße مرحبا", id="unicode"),
        pytest.param("tab\tnewline\ncarriage\r", id="whitespace"),
        pytest.param("nul\x00inside", id="nul"),
        pytest.param('{"json": ["nested", {"x": 1}]}', id="json-text"),
        pytest.param("x" * 300_000, id="large"),
        pytest.param("", id="empty"),
    ],
)
async def test_messages_round_trip_exactly(backend: Backend, message: str) -> None:
    async with backend.session() as stores:
        await _append(stores, [("fünction", "strëam/[$LATEST]1", [(1, message)])])
        events = await stores.logs.query("fünction")
        streams = await stores.logs.streams("fünction")
    assert _messages(events) == [message]
    assert streams == [("strëam/[$LATEST]1", 1, 1)]


async def test_lines_appended_before_close_survive_reopen(backend: Backend) -> None:
    """Nobody waits for log lines, but a clean close commits what was queued."""
    async with backend.session() as stores:
        for n in range(20):
            stores.logs.append_batch_nowait([("fn", f"s{n % 2}", [(n, f"line {n}")])])
    async with backend.session() as stores:
        events = await stores.logs.query("fn")
    assert _messages(events) == [f"line {n}" for n in range(20)]


async def test_many_batches_queued_at_once_all_land(backend: Backend) -> None:
    async with backend.session() as stores:
        for n in range(500):
            stores.logs.append_batch_nowait([("fn", "s", [(n, f"a{n}"), (n, f"b{n}")])])
        await stores.settle()
        events = await stores.logs.query("fn", limit=10_000)
    assert _messages(events) == [m for n in range(500) for m in (f"a{n}", f"b{n}")]


async def test_reads_after_close_raise_store_closed(backend: Backend) -> None:
    stores = await backend.open()
    await stores.close()
    logs: LogStore = stores.logs
    logs.append_batch_nowait([("fn", "s", [(1, "dropped")])])  # never raises: nobody waits
    with pytest.raises(StoreClosed):
        await logs.query("fn")
    with pytest.raises(StoreClosed):
        await logs.streams("fn")
