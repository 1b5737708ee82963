"""FunctionStore contract: functions, versions, aliases and layers as JSON records."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from stratus.services.functions.repository import FunctionsSnapshot
from stratus.store.errors import StoreClosed
from tests.store.contract.conftest import Backend
from tests.store.contract.samples import RECORDS


async def test_a_new_store_loads_empty(backend: Backend) -> None:
    async with backend.session() as stores:
        snapshot = await stores.functions.load()
    assert (snapshot.functions, snapshot.versions, snapshot.aliases, snapshot.layers) == (
        {},
        {},
        {},
        {},
    )


async def test_every_kind_of_record_round_trips(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.functions
        await store.put_function("fn", {"name": "fn"})
        await store.put_version("fn", "1", {"version": "1"})
        await store.put_version("fn", "2", {"version": "2"})
        await store.put_alias("fn", "live", {"alias": "live", "version": "2"})
        await store.put_layer_version("layer", 1, {"layer": 1})
        await store.put_layer_version("layer", 2, {"layer": 2})
        snapshot = await store.load()
    assert snapshot.functions == {"fn": {"name": "fn"}}
    assert snapshot.versions == {"fn": {"1": {"version": "1"}, "2": {"version": "2"}}}
    assert snapshot.aliases == {"fn": {"live": {"alias": "live", "version": "2"}}}
    assert snapshot.layers == {"layer": {1: {"layer": 1}, 2: {"layer": 2}}}
    assert all(isinstance(version, int) for version in snapshot.layers["layer"])


async def test_put_replaces_the_record_under_the_same_key(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.functions
        for generation in (1, 2):
            await store.put_function("fn", {"generation": generation})
            await store.put_version("fn", "1", {"generation": generation})
            await store.put_alias("fn", "live", {"generation": generation})
            await store.put_layer_version("layer", 1, {"generation": generation})
        snapshot = await store.load()
    assert snapshot.functions == {"fn": {"generation": 2}}
    assert snapshot.versions == {"fn": {"1": {"generation": 2}}}
    assert snapshot.aliases == {"fn": {"live": {"generation": 2}}}
    assert snapshot.layers == {"layer": {1: {"generation": 2}}}


async def test_deletes_remove_exactly_one_record(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.functions
        await store.put_function("fn", {})
        for version in ("1", "2"):
            await store.put_version("fn", version, {"v": version})
        for alias in ("a", "b"):
            await store.put_alias("fn", alias, {"a": alias})
        for number in (1, 2):
            await store.put_layer_version("layer", number, {"n": number})
        await store.delete_version("fn", "1")
        await store.delete_alias("fn", "a")
        await store.delete_layer_version("layer", 1)
        snapshot = await store.load()
    assert snapshot.functions == {"fn": {}}
    assert snapshot.versions == {"fn": {"2": {"v": "2"}}}
    assert snapshot.aliases == {"fn": {"b": {"a": "b"}}}
    assert snapshot.layers == {"layer": {2: {"n": 2}}}


async def test_delete_function_removes_its_versions_and_aliases_only(backend: Backend) -> None:
    """The docstring's cascade; other functions (even a name it prefixes) and layers stay."""
    async with backend.session() as stores:
        store = stores.functions
        for name in ("fn", "fn2"):
            await store.put_function(name, {"name": name})
            await store.put_version(name, "1", {"of": name})
            await store.put_alias(name, "live", {"of": name})
        await store.put_layer_version("fn", 1, {"layer": "fn"})  # layers are another namespace
        await store.delete_function("fn")
        snapshot = await store.load()
    assert snapshot.functions == {"fn2": {"name": "fn2"}}
    assert snapshot.versions == {"fn2": {"1": {"of": "fn2"}}}
    assert snapshot.aliases == {"fn2": {"live": {"of": "fn2"}}}
    assert snapshot.layers == {"fn": {1: {"layer": "fn"}}}


async def test_deleting_what_is_absent_is_not_an_error(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.functions
        await store.delete_function("missing")
        await store.delete_version("missing", "1")
        await store.delete_alias("missing", "live")
        await store.delete_layer_version("missing", 1)
        snapshot = await store.load()
    assert snapshot.functions == {}


@pytest.mark.parametrize("record", RECORDS)
async def test_json_records_round_trip(backend: Backend, record: dict[str, Any]) -> None:
    async with backend.session() as stores:
        store = stores.functions
        await store.put_function("fn", record)
        await store.put_version("fn", "1", record)
        await store.put_alias("fn", "ünïcode-alias", record)
        await store.put_layer_version("layer", 7, record)
        snapshot = await store.load()
    assert snapshot.functions["fn"] == record
    assert snapshot.versions["fn"]["1"] == record
    assert snapshot.aliases["fn"]["ünïcode-alias"] == record
    assert snapshot.layers["layer"][7] == record


async def test_acknowledged_writes_survive_close_and_reopen(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.functions
        await store.put_function("fn", {"kept": True})
        await store.put_function("gone", {})
        await store.put_version("fn", "1", {"v": 1})
        await store.put_alias("fn", "live", {"to": "1"})
        await store.put_layer_version("layer", 3, {"n": 3})
        await store.delete_function("gone")
    async with backend.session() as stores:
        snapshot = await stores.functions.load()
    assert snapshot.functions == {"fn": {"kept": True}}
    assert snapshot.versions == {"fn": {"1": {"v": 1}}}
    assert snapshot.aliases == {"fn": {"live": {"to": "1"}}}
    assert snapshot.layers == {"layer": {3: {"n": 3}}}


async def test_concurrent_writers_all_land(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.functions
        await asyncio.gather(
            *(store.put_function(f"fn-{n}", {"n": n}) for n in range(200)),
            *(store.put_version("fn-0", str(n), {"n": n}) for n in range(100)),
        )
        snapshot = await store.load()
    assert snapshot.functions == {f"fn-{n}": {"n": n} for n in range(200)}
    assert snapshot.versions == {"fn-0": {str(n): {"n": n} for n in range(100)}}


async def test_calls_after_close_raise_store_closed(backend: Backend) -> None:
    stores = await backend.open()
    await stores.functions.put_function("fn", {})
    await stores.close()
    await stores.close()  # closing twice is harmless
    with pytest.raises(StoreClosed):
        await stores.functions.load()
    with pytest.raises(StoreClosed):
        await stores.functions.put_function("other", {})
    with pytest.raises(StoreClosed):
        await stores.functions.delete_function("fn")


async def test_load_is_one_consistent_snapshot(backend: Backend) -> None:
    """delete_function is one write, so no snapshot shows a function without its versions
    and aliases, or versions and aliases of a function already gone."""
    async with backend.session() as stores:
        store = stores.functions
        names = [f"fn-{n}" for n in range(150)]
        for name in names:
            await store.put_function(name, {})
            await store.put_version(name, "1", {})
            await store.put_alias(name, "live", {})

        async def delete_one_by_one() -> None:  # one commit each: many states to see
            for name in names:
                await store.delete_function(name)

        deleting = asyncio.ensure_future(delete_one_by_one())
        snapshots = []
        while not deleting.done():
            snapshots.extend(await asyncio.gather(*(store.load() for _ in range(4))))
        await deleting
    for snapshot in snapshots:
        assert set(snapshot.functions) == set(snapshot.versions) == set(snapshot.aliases)


async def test_acknowledged_means_committed_not_buffered(backend: Backend) -> None:
    """A second opening sees every acknowledged write while the first is still open (as
    after a kill -9, when nobody closes anything)."""
    async with backend.session() as first:
        await first.functions.put_function("fn", {"v": 1})
        await first.functions.put_version("fn", "1", {"v": 1})
        async with backend.session() as second:
            snapshot = await second.functions.load()
            await second.functions.put_alias("fn", "live", {"from": "second"})
        assert (await first.functions.load()).aliases == {"fn": {"live": {"from": "second"}}}
    assert snapshot.functions == {"fn": {"v": 1}}
    assert snapshot.versions == {"fn": {"1": {"v": 1}}}


async def test_writes_racing_close_either_land_or_raise_store_closed(backend: Backend) -> None:
    """Closing never loses an acknowledged write, nor leaves a caller waiting forever."""
    stores = await backend.open()
    store = stores.functions
    outcomes = await asyncio.gather(
        *(store.put_function(f"before-{n}", {"n": n}) for n in range(50)),
        stores.close(),
        *(store.put_function(f"after-{n}", {"n": n}) for n in range(50)),
        return_exceptions=True,
    )
    assert all(o is None or isinstance(o, StoreClosed) for o in outcomes), outcomes
    acknowledged = {f"before-{n}" for n in range(50) if outcomes[n] is None}
    acknowledged |= {f"after-{n}" for n in range(50) if outcomes[51 + n] is None}
    async with backend.session() as reopened:
        snapshot = await reopened.functions.load()
    assert set(snapshot.functions) == acknowledged


async def test_reads_racing_close_either_answer_or_raise_store_closed(backend: Backend) -> None:
    stores = await backend.open()
    await stores.functions.put_function("fn", {})
    outcomes = await asyncio.gather(
        *(stores.functions.load() for _ in range(20)),
        stores.close(),
        *(stores.functions.load() for _ in range(20)),
        return_exceptions=True,
    )
    for outcome in outcomes[:20] + outcomes[21:]:
        if not isinstance(outcome, StoreClosed):
            assert isinstance(outcome, FunctionsSnapshot), outcome
            assert outcome.functions == {"fn": {}}
