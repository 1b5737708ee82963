"""DurableStore contract: executions with their operation log and history, saved whole,
loaded back in start order, found by name, deleted, durable across close and reopen."""

from __future__ import annotations

import asyncio

from stratus.services.durable.model import Execution
from stratus.store.errors import DuplicateKey
from tests.store.contract.conftest import Backend

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:f"


def _execution(name: str, status: str = "RUNNING", start: float = 1.0) -> Execution:
    execution = Execution(
        arn=f"{FUNCTION}:$LATEST/durable-execution/{name}/id-{name}",
        function_arn=FUNCTION,
        version="$LATEST",
        name=name,
        input_payload='{"é": 1}',
        start=start,
        timeout_s=60,
        status=status,
    )
    execution.operations = {
        f"op{i}": {"Id": f"op{i}", "Type": "STEP", "Status": "SUCCEEDED", "_seq": i}
        for i in range(3)
    }
    return execution


async def test_save_and_load_whole(backend: Backend) -> None:
    async with backend.session() as stores:
        running = _execution("a")
        events = [{"EventId": i, "EventType": "StepStarted"} for i in (1, 2)]
        await stores.durable.save(running, running.operations.values(), events)
        done = _execution("b", status="SUCCEEDED", start=2.0)
        await stores.durable.save(done, done.operations.values(), [])
    async with backend.session() as stores:
        loaded = await stores.durable.load_running()
        assert [e.arn for e in loaded] == [running.arn]
        assert list(loaded[0].operations) == ["op0", "op1", "op2"]
        assert loaded[0].input_payload == '{"é": 1}'
        assert await stores.durable.events(running.arn) == events
        found = await stores.durable.find_by_name(FUNCTION, "b")
        assert found is not None and found.status == "SUCCEEDED"
        assert [r["name"] for r in await stores.durable.list_by_function(FUNCTION)] == ["a", "b"]


async def test_updates_replace_operations_and_append_events(backend: Backend) -> None:
    async with backend.session() as stores:
        execution = _execution("a")
        await stores.durable.save(execution, execution.operations.values(), [])
        execution.operations["op1"]["Status"] = "FAILED"
        execution.status = "FAILED"
        await stores.durable.save(
            execution, [execution.operations["op1"]], [{"EventId": 1, "EventType": "E"}]
        )
        got = await stores.durable.get(execution.arn)
        assert got is not None
        assert got.status == "FAILED"
        assert got.operations["op1"]["Status"] == "FAILED"
        assert await stores.durable.load_running() == []


async def test_names_are_unique_per_function(backend: Backend) -> None:
    async with backend.session() as stores:
        first = _execution("a")
        await stores.durable.save(first, [], [])
        other = _execution("a")
        other.arn = other.arn.replace("id-a", "id-other")
        try:
            await stores.durable.save(other, [], [])
        except DuplicateKey:
            pass
        else:
            raise AssertionError("a second execution of the same name was stored")


async def test_delete_removes_everything(backend: Backend) -> None:
    async with backend.session() as stores:
        execution = _execution("a")
        await stores.durable.save(execution, execution.operations.values(), [{"EventId": 1}])
        await stores.durable.delete(execution.arn)
        await stores.durable.delete("never-there")
        assert await stores.durable.get(execution.arn) is None
        assert await stores.durable.events(execution.arn) == []


async def test_concurrent_saves_of_many_executions(backend: Backend) -> None:
    async with backend.session() as stores:
        executions = [_execution(f"e{i}") for i in range(30)]
        await asyncio.gather(
            *(stores.durable.save(e, e.operations.values(), []) for e in executions)
        )
    async with backend.session() as stores:
        assert len(await stores.durable.load_running()) == 30
