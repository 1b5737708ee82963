"""MappingStore contract: event source mapping records put, replaced, deleted, durable."""

from __future__ import annotations

import asyncio

import pytest

from stratus.store.errors import StoreClosed
from tests.store.contract.conftest import Backend


def _record(uuid: str, batch_size: int = 10) -> dict[str, object]:
    return {
        "uuid": uuid,
        "source_arn": "arn:aws:sqs:us-east-1:000000000000:q",
        "settings": {"batch_size": batch_size, "filters": ['{"body": {"k": ["é"]}}']},
        "tags": {"team": "ünïcode"},
    }


async def test_put_replaces_and_delete_removes(backend: Backend) -> None:
    async with backend.session() as stores:
        assert await stores.mappings.load() == []
        await stores.mappings.put("a", _record("a"))
        await stores.mappings.put("b", _record("b"))
        await stores.mappings.put("a", _record("a", batch_size=5))
        loaded = {r["uuid"]: r for r in await stores.mappings.load()}
        assert loaded == {"a": _record("a", batch_size=5), "b": _record("b")}
        await stores.mappings.delete("a")
        await stores.mappings.delete("never-there")  # absent: not an error
        assert [r["uuid"] for r in await stores.mappings.load()] == ["b"]


async def test_records_survive_close_and_reopen(backend: Backend) -> None:
    async with backend.session() as stores:
        await asyncio.gather(*(stores.mappings.put(f"m{i}", _record(f"m{i}")) for i in range(20)))
    async with backend.session() as stores:
        loaded = await stores.mappings.load()
    assert sorted(r["uuid"] for r in loaded) == sorted(f"m{i}" for i in range(20))
    assert loaded[0]["tags"] == {"team": "ünïcode"}


async def test_closed_store_refuses_writes(backend: Backend) -> None:
    async with backend.session() as stores:
        pass
    with pytest.raises(StoreClosed):
        await stores.mappings.put("a", _record("a"))
