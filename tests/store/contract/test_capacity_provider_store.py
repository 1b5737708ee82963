"""CapacityProviderStore contract: capacity provider records put, replaced, deleted, durable."""

from __future__ import annotations

import asyncio

import pytest

from stratus.store.errors import StoreClosed
from tests.store.contract.conftest import Backend

ARN = "arn:aws:lambda:us-east-1:000000000000:capacity-provider:"


def _record(name: str, max_vcpu: int = 16) -> dict[str, object]:
    return {
        "name": name,
        "arn": ARN + name,
        "vpc_config": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": []},
        "scaling_config": {"ScalingMode": "Auto", "MaxVCpuCount": max_vcpu},
        "tags": {"team": "ünïcode"},
        "created_at": 1765000000.25,
    }


async def test_put_replaces_and_delete_removes(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.capacity_providers
        assert await store.load() == []
        await store.put(ARN + "a", _record("a"))
        await store.put(ARN + "b", _record("b"))
        await store.put(ARN + "a", _record("a", max_vcpu=64))
        loaded = {r["name"]: r for r in await store.load()}
        assert loaded == {"a": _record("a", max_vcpu=64), "b": _record("b")}
        await store.delete(ARN + "a")
        await store.delete(ARN + "never-there")  # absent: not an error
        assert [r["name"] for r in await store.load()] == ["b"]


async def test_records_survive_close_and_reopen(backend: Backend) -> None:
    async with backend.session() as stores:
        await asyncio.gather(
            *(stores.capacity_providers.put(ARN + f"p{i}", _record(f"p{i}")) for i in range(20))
        )
    async with backend.session() as stores:
        loaded = await stores.capacity_providers.load()
    assert sorted(r["name"] for r in loaded) == sorted(f"p{i}" for i in range(20))
    assert loaded[0]["tags"] == {"team": "ünïcode"}


async def test_closed_store_refuses_writes(backend: Backend) -> None:
    async with backend.session() as stores:
        pass
    with pytest.raises(StoreClosed):
        await stores.capacity_providers.put(ARN + "a", _record("a"))
