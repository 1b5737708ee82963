"""The StackRepository contract: stacks, change sets and events round-trip (unicode and
nested values intact), replace in place, delete, keep their order, and survive close
and reopen. Backends: one factory each in ``STACK_BACKENDS``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from stratus.services.stacks.repository import StackRepository
from stratus.services.stacks.sqlite import STACKS_MIGRATIONS, SQLiteStackStore
from stratus.store.sqlite.database import SQLiteDatabase

Session = Callable[[], AbstractAsyncContextManager[StackRepository]]


def _sqlite(tmp_path: Path) -> Session:
    path = tmp_path / "stratus.db"

    @asynccontextmanager
    async def session() -> AsyncIterator[StackRepository]:
        db = SQLiteDatabase(path)
        await db.open({"stacks": STACKS_MIGRATIONS})
        try:
            yield SQLiteStackStore(db)
        finally:
            await db.close()

    return session


STACK_BACKENDS = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(STACK_BACKENDS))
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Session:
    return STACK_BACKENDS[request.param](tmp_path)


STACK: dict[str, Any] = {
    "stack_id": "arn:aws:cloudformation:us-east-1:000000000000:stack/s/1",
    "name": "s",
    "template": {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "ü", "Value": "🚀"}]}}
        }
    },
    "resources": {"Q": {"physical_id": "https://q", "attributes": {"Arn": "arn"}}},
    "status": "CREATE_COMPLETE",
}


async def test_stacks_round_trip_and_replace(session: Session) -> None:
    async with session() as store:
        await store.put_stack(STACK["stack_id"], STACK)
        await store.put_stack("other", {**STACK, "stack_id": "other"})
        await store.put_stack(STACK["stack_id"], {**STACK, "status": "UPDATE_COMPLETE"})
    async with session() as store:
        loaded = {record["stack_id"]: record for record in await store.load("cfn_stacks")}
    assert loaded[STACK["stack_id"]] == {**STACK, "status": "UPDATE_COMPLETE"}
    assert set(loaded) == {STACK["stack_id"], "other"}


async def test_change_sets_put_and_delete(session: Session) -> None:
    async with session() as store:
        await store.put_change_set("cs1", {"change_set_id": "cs1", "changes": [{"a": [1, None]}]})
        await store.put_change_set("cs2", {"change_set_id": "cs2"})
        await store.delete_change_set("cs1")
        await store.delete_change_set("missing")  # deleting nothing is no error
    async with session() as store:
        assert await store.load("cfn_change_sets") == [{"change_set_id": "cs2"}]
        assert await store.load("cfn_stacks") == []


async def test_events_keep_their_order_under_concurrent_writes(session: Session) -> None:
    async with session() as store:
        for n in range(5):
            await store.add_event("s", {"n": n, "reason": "é"})
        await asyncio.gather(*(store.add_event("t", {"n": n}) for n in range(20)))
    async with session() as store:
        events = await store.load_events()
    assert [e["n"] for e in events if "reason" in e] == [0, 1, 2, 3, 4]
    assert sorted(e["n"] for e in events if "reason" not in e) == list(range(20))


async def test_pending_custom_requests_round_trip(tmp_path: Path) -> None:
    """Custom resource requests awaiting an answer are kept across close and reopen,
    replaced in place (the answer is added), and deleted."""
    session = _sqlite(tmp_path)
    record = {"token": "t1", "stack_id": "s", "request": {"ResourceProperties": {"ü": "🚀"}}}
    async with session() as store:
        assert isinstance(store, SQLiteStackStore)
        await store.put_pending("t1", "s", record)
        await store.put_pending("t2", "s", {**record, "token": "t2"})
        await store.put_pending("t1", "s", {**record, "response": {"Status": "SUCCESS"}})
    async with session() as store:
        assert isinstance(store, SQLiteStackStore)
        loaded = {r["token"]: r for r in await store.load_pending()}
        assert loaded["t1"]["response"] == {"Status": "SUCCESS"}
        assert loaded["t1"]["request"] == record["request"]
        await store.delete_pending("t2")
        assert [r["token"] for r in await store.load_pending()] == ["t1"]


async def test_stack_sets_round_trip_and_replace(tmp_path: Path) -> None:
    """A stack set is one document with its instances and operations: replaced whole,
    kept across close and reopen (deleted sets too: ListStackSets shows them)."""
    session = _sqlite(tmp_path)
    record = {
        "stack_set_id": "ss:1",
        "instances": {"111111111111/us-east-1": {"overrides": {"ü": "🚀"}}},
        "operations": [{"operation_id": "op", "results": [{"Status": "PENDING"}]}],
    }
    async with session() as store:
        assert isinstance(store, SQLiteStackStore)
        assert await store.load_stack_sets() == []
        await store.put_stack_set("ss:1", record)
        await store.put_stack_set("ss:2", {**record, "stack_set_id": "ss:2"})
        await store.put_stack_set("ss:1", {**record, "status": "DELETED"})
    async with session() as store:
        assert isinstance(store, SQLiteStackStore)
        loaded = {r["stack_set_id"]: r for r in await store.load_stack_sets()}
    assert loaded == {
        "ss:1": {**record, "status": "DELETED"},
        "ss:2": {**record, "stack_set_id": "ss:2"},
    }
