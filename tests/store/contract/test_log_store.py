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


# -- an invocation's lines appended together (append_lines_nowait) -------------------------


async def _append_lines(stores: Stores, batch: list[tuple[str, str, int, list[str]]]) -> None:
    stores.logs.append_lines_nowait(batch)
    await stores.settle()


def _invocation(n: int) -> list[str]:
    return [f"START {n}", f"print {n}", f"END {n}", f"REPORT {n}"]


async def _seed_invocations(stores: Stores) -> None:
    """fn: invocations 0..2 at 100, 200, 300 (streams a, b, a); a line of other between."""
    await _append_lines(
        stores,
        [
            ("fn", "a", 100, _invocation(0)),
            ("other", "a", 150, ["not fn's"]),
            ("fn", "b", 200, _invocation(1)),
        ],
    )
    await _append(stores, [("fn", "a", [(250, "one event")])])
    await _append_lines(stores, [("fn", "a", 300, _invocation(2))])


async def test_lines_appended_together_read_back_one_event_each(backend: Backend) -> None:
    async with backend.session() as stores:
        await _seed_invocations(stores)
        events = await stores.logs.query("fn")
        other = await stores.logs.query("other")
        streams = await stores.logs.streams("fn")
    assert [(e.stream, e.timestamp_ms, e.message) for e in events] == [
        *(("a", 100, line) for line in _invocation(0)),
        *(("b", 200, line) for line in _invocation(1)),
        ("a", 250, "one event"),
        *(("a", 300, line) for line in _invocation(2)),
    ]
    ids = [event.id for event in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] > 0
    assert _messages(other) == ["not fn's"]
    assert streams == [("a", 100, 300), ("b", 200, 200)]


async def test_a_flush_of_many_invocations_lands_whole_and_in_order(backend: Backend) -> None:
    # One append of more rows than one statement takes (the SQLite store inserts many
    # rows per statement): every invocation lands, in order, with its own fields.
    batch = [("fn", f"s{n % 3}", 1000 + n, _invocation(n)) for n in range(1234)]
    async with backend.session() as stores:
        await _append_lines(stores, batch)
        events = await stores.logs.query("fn", limit=10_000)
    assert [(e.stream, e.timestamp_ms, e.message) for e in events] == [
        (stream, ts, line) for _, stream, ts, lines in batch for line in lines
    ]


async def test_ids_of_lines_stay_the_same_across_reads_and_reopen(backend: Backend) -> None:
    async with backend.session() as stores:
        await _seed_invocations(stores)
        first = [(e.id, e.message) for e in await stores.logs.query("fn")]
        again = [(e.id, e.message) for e in await stores.logs.query("fn")]
    async with backend.session() as stores:
        reopened = [(e.id, e.message) for e in await stores.logs.query("fn")]
        await _append_lines(stores, [("fn", "a", 400, ["later"])])
        later = await stores.logs.query("fn", after_id=first[-1][0])
    assert first == again == reopened
    assert _messages(later) == ["later"] and later[0].id > first[-1][0]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
async def test_pages_may_end_inside_an_invocations_lines(backend: Backend, limit: int) -> None:
    async with backend.session() as stores:
        await _seed_invocations(stores)
        everything = await stores.logs.query("fn")
        paged: list[StoredLogEvent] = []
        after_id = 0
        while page := await stores.logs.query("fn", after_id=after_id, limit=limit):
            assert len(page) <= limit
            paged.extend(page)
            after_id = page[-1].id
    assert paged == everything


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({"contains": "print"}, ["print 0", "print 1", "print 2"], id="contains"),
        pytest.param({"contains": "1"}, _invocation(1), id="contains-per-line"),
        pytest.param({"contains": "0\nprint"}, [], id="never-across-lines"),
        pytest.param({"start_ms": 200, "end_ms": 250}, [*_invocation(1), "one event"], id="time"),
        pytest.param({"start_ms": 301}, [], id="after-all"),
        pytest.param({"stream": "b"}, _invocation(1), id="stream"),
        pytest.param({"stream": "a", "contains": "END"}, ["END 0", "END 2"], id="combined"),
        pytest.param({"contains": "RE", "limit": 2}, ["REPORT 0", "REPORT 1"], id="limit"),
    ],
)
async def test_filters_apply_to_each_line(
    backend: Backend, filters: dict[str, object], expected: list[str]
) -> None:
    async with backend.session() as stores:
        await _seed_invocations(stores)
        events = await stores.logs.query("fn", **filters)  # type: ignore[arg-type]
    assert _messages(events) == expected


async def test_filtered_pages_may_end_inside_an_invocations_lines(backend: Backend) -> None:
    async with backend.session() as stores:
        await _seed_invocations(stores)
        pages: list[list[str]] = []
        after_id = 0
        while page := await stores.logs.query("fn", after_id=after_id, limit=2, contains=" "):
            pages.append(_messages(page))
            after_id = page[-1].id
    lines = [*_invocation(0), *_invocation(1), "one event", *_invocation(2)]
    assert pages == [lines[n : n + 2] for n in range(0, len(lines), 2)]


async def test_a_huge_log_reads_back_whole_and_in_order(backend: Backend) -> None:
    """Far more lines than one stored row holds (SQLite: 4,096): every line, in order,
    each id once, whatever page boundaries fall where."""
    lines = [f"line {n}" for n in range(3 * 4096 + 7)]
    async with backend.session() as stores:
        await _append_lines(stores, [("fn", "s", 1, ["START"]), ("fn", "s", 2, lines)])
        await _append_lines(stores, [("fn", "s", 3, ["after"])])
        whole = await stores.logs.query("fn", limit=100_000)
        paged: list[StoredLogEvent] = []
        after_id = 0
        while page := await stores.logs.query("fn", after_id=after_id, limit=1000):
            paged.extend(page)
            after_id = page[-1].id
        tail = await stores.logs.query("fn", after_id=whole[-4].id)
        matching = await stores.logs.query("fn", contains="line 4095", limit=3)
    assert _messages(whole) == ["START", *lines, "after"]
    assert [e.timestamp_ms for e in whole] == [1] + [2] * len(lines) + [3]
    assert paged == whole
    assert len({e.id for e in whole}) == len(whole)
    assert _messages(tail) == [lines[-2], lines[-1], "after"]
    assert _messages(matching) == ["line 4095"]


async def test_lines_of_a_group_keep_their_characters(backend: Backend) -> None:
    lines = ["日本語 🚀", "tab\tinside", "nul\x00inside", "x" * 300_000, " "]
    async with backend.session() as stores:
        await _append_lines(stores, [("fn", "s", 1, lines), ("fn", "s", 2, [])])
        events = await stores.logs.query("fn")
    assert _messages(events) == lines
