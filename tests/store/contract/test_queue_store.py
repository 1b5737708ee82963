"""QueueStore contract: queues, message state and bodies, FIFO deduplication entries."""

from __future__ import annotations

import asyncio

import pytest

from stratus.services.queues.model import MessageMeta, QueueKey, StoredMessage
from stratus.services.queues.repository import DedupEntry, Received
from stratus.store.errors import DuplicateKey, StoreClosed
from tests.store.contract.conftest import Backend, Stores
from tests.store.contract.samples import RECORDS

KEY = QueueKey("000000000000", "us-east-1", "orders")


def message(queue_id: int, seq: int, body: str = "body", **meta: object) -> StoredMessage:
    return StoredMessage(
        meta=MessageMeta(
            seq=seq,
            message_id=f"id-{seq}",
            sent_ms=1000 + seq,
            visible_at_ms=1000 + seq,
            size=len(body),
            **meta,  # type: ignore[arg-type]
        ),
        queue_id=queue_id,
        body=body,
        md5_of_body="md5",
        attributes={"a": ["String", "v", None], "b": ["Binary", None, "AAE="]},
        md5_of_attributes="md5a",
        system={"SenderId": "000000000000"},
        md5_of_system=None,
    )


async def _queue(stores: Stores, name: str = "orders") -> int:
    return await stores.queues.create_queue(
        QueueKey("000000000000", "us-east-1", name), {"attributes": {"VisibilityTimeout": "30"}}
    )


async def test_queues_round_trip_and_names_are_unique(backend: Backend) -> None:
    async with backend.session() as stores:
        first = await _queue(stores)
        other = await stores.queues.create_queue(
            QueueKey("111111111111", "us-east-1", "orders"), {"n": 1}
        )
        assert first != other
        with pytest.raises(DuplicateKey):
            await _queue(stores)
        await stores.queues.update_queue(first, {"attributes": {"VisibilityTimeout": "5"}})
    async with backend.session() as stores:
        snapshot = await stores.queues.load(0)
    by_id = {q.id: q for q in snapshot.queues}
    assert by_id[first].key == KEY
    assert by_id[first].record == {"attributes": {"VisibilityTimeout": "5"}}
    assert by_id[other].key.account == "111111111111"


@pytest.mark.parametrize("record", RECORDS)
async def test_queue_records_round_trip(backend: Backend, record: dict[str, object]) -> None:
    async with backend.session() as stores:
        queue_id = await stores.queues.create_queue(KEY, record)
    async with backend.session() as stores:
        (loaded,) = (await stores.queues.load(0)).queues
    assert loaded.id == queue_id and loaded.record == record


async def test_messages_survive_reopen_in_seq_order(backend: Backend) -> None:
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await stores.queues.add_messages([message(queue_id, 3), message(queue_id, 1, "日本語 🚀")])
        await stores.queues.add_messages([message(queue_id, 2, group_id="g", dedup_id="d")])
    async with backend.session() as stores:
        snapshot = await stores.queues.load(0)
        read = await stores.queues.read_messages([2, 1, 99])
    assert [m.seq for m in snapshot.messages[queue_id]] == [1, 2, 3]
    assert snapshot.max_seq == 3
    second = snapshot.messages[queue_id][1]
    assert (second.group_id, second.dedup_id, second.message_id) == ("g", "d", "id-2")
    assert [m.meta.seq for m in read] == [2, 1]
    assert read[1].body == "日本語 🚀"
    assert read[0].attributes == {"a": ["String", "v", None], "b": ["Binary", None, "AAE="]}
    assert read[0].system == {"SenderId": "000000000000"}


async def test_receive_updates_state_and_returns_bodies(backend: Backend) -> None:
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await stores.queues.add_messages([message(queue_id, 1), message(queue_id, 2)])
        got = await stores.queues.mark_received(
            [Received(2, 9000, 1, 5000), Received(1, 8000, 3, 4000), Received(7, 1, 1, 1)]
        )
        assert [m.meta.seq for m in got] == [2, 1]
        assert got[0].body == "body"
        await stores.queues.set_visibility([(1, 100), (42, 5)])
    async with backend.session() as stores:
        metas = {m.seq: m for m in (await stores.queues.load(0)).messages[queue_id]}
    assert (metas[2].visible_at_ms, metas[2].receive_count, metas[2].first_receive_ms) == (
        9000,
        1,
        5000,
    )
    assert (metas[1].visible_at_ms, metas[1].receive_count) == (100, 3)


async def test_delete_and_move(backend: Backend) -> None:
    async with backend.session() as stores:
        source = await _queue(stores, "source")
        target = await _queue(stores, "target")
        await stores.queues.add_messages([message(source, n) for n in range(1, 7)])
        await stores.queues.mark_received([Received(3, 10, 4, 9)])
        await stores.queues.delete_messages([1, 2, 99])
        await stores.queues.move_messages(
            [3], target, 777, reset_receives=False, dead_letter_source="arn:source"
        )
        await stores.queues.move_messages(
            [4], target, 778, reset_receives=True, dead_letter_source=None
        )
        await stores.queues.delete_messages([5])
    async with backend.session() as stores:
        snapshot = await stores.queues.load(0)
        assert await stores.queues.read_messages([1, 2, 5]) == []
    assert [m.seq for m in snapshot.messages[source]] == [6]
    moved = {m.seq: m for m in snapshot.messages[target]}
    assert (moved[3].visible_at_ms, moved[3].receive_count, moved[3].dead_letter_source) == (
        777,
        4,
        "arn:source",
    )
    assert (moved[4].receive_count, moved[4].first_receive_ms, moved[4].dead_letter_source) == (
        0,
        None,
        None,
    )


async def test_delete_queue_takes_its_messages_and_dedup(backend: Backend) -> None:
    async with backend.session() as stores:
        gone = await _queue(stores, "gone")
        kept = await _queue(stores, "kept")
        await stores.queues.add_messages(
            [message(gone, 1), message(kept, 2)],
            [DedupEntry(gone, "d", "id-1", 1, 10**15), DedupEntry(kept, "d", "id-2", 2, 10**15)],
        )
        await stores.queues.delete_queue(gone)
    async with backend.session() as stores:
        snapshot = await stores.queues.load(0)
        assert await stores.queues.read_messages([1]) == []
    assert [q.id for q in snapshot.queues] == [kept]
    assert gone not in snapshot.messages
    assert [(d.queue_id, d.key) for d in snapshot.dedup] == [(kept, "d")]


async def test_dedup_entries_expire(backend: Backend) -> None:
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await stores.queues.add_messages(
            [message(queue_id, 1), message(queue_id, 2)],
            [
                DedupEntry(queue_id, "old", "id-1", 1, 100),
                DedupEntry(queue_id, "new", "id-2", 2, 900),
            ],
        )
        assert [d.key for d in (await stores.queues.load(500)).dedup] == ["new"]
        await stores.queues.delete_expired_dedup(500)
        assert [d.key for d in (await stores.queues.load(0)).dedup] == ["new"]
        # a deduplication id's entry outlives its message: max_seq still counts it
        await stores.queues.delete_messages([1, 2])
        assert (await stores.queues.load(0)).max_seq == 2


async def test_a_failed_add_stores_nothing(backend: Backend) -> None:
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await stores.queues.add_messages([message(queue_id, 1)])
        with pytest.raises(DuplicateKey):
            await stores.queues.add_messages([message(queue_id, 2), message(queue_id, 1)])
        snapshot = await stores.queues.load(0)
    assert [m.seq for m in snapshot.messages[queue_id]] == [1]


async def test_concurrent_writers(backend: Backend) -> None:
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await asyncio.gather(
            *(stores.queues.add_messages([message(queue_id, n)]) for n in range(1, 51))
        )
        await asyncio.gather(*(stores.queues.delete_messages([n]) for n in range(1, 26)))
        snapshot = await stores.queues.load(0)
    assert [m.seq for m in snapshot.messages[queue_id]] == list(range(26, 51))


async def test_closed_store_refuses(backend: Backend) -> None:
    async with backend.session() as stores:
        queues = stores.queues
    with pytest.raises(StoreClosed):
        await queues.add_messages([message(1, 1)])
    with pytest.raises(StoreClosed):
        await queues.load(0)


async def test_a_send_of_many_rows_spans_statements_and_deletes_span_in_lists(
    backend: Backend,
) -> None:
    """More rows than one statement's host parameters hold (inserted in several
    statements) and more seqs than one IN list (deleted in several)."""
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await stores.queues.add_messages([message(queue_id, n, f"b{n}") for n in range(1, 301)])
        await stores.queues.delete_messages([*range(1, 151), *range(1000, 1900)])
        snapshot = await stores.queues.load(0)
        read = await stores.queues.read_messages([151, 300, 5])
    assert [m.seq for m in snapshot.messages[queue_id]] == list(range(151, 301))
    assert [(m.meta.seq, m.body) for m in read] == [(151, "b151"), (300, "b300")]
    assert read[0].md5_of_system is None and read[0].meta.group_id is None


async def test_a_failed_add_spanning_statements_stores_none_of_it(backend: Backend) -> None:
    """The duplicate is in the last of the add's statements: the earlier ones are undone."""
    async with backend.session() as stores:
        queue_id = await _queue(stores)
        await stores.queues.add_messages([message(queue_id, 500)])
        with pytest.raises(DuplicateKey):
            await stores.queues.add_messages([message(queue_id, n) for n in [*range(1, 120), 500]])
        snapshot = await stores.queues.load(0)
        assert await stores.queues.read_messages([1, 119]) == []
    assert [m.seq for m in snapshot.messages[queue_id]] == [500]
