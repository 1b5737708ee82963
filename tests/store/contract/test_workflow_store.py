"""WorkflowStore contract: machines, executions with their history, activities and tasks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from stratus.store.errors import DuplicateKey, StoreClosed
from stratus.store.records import Record
from stratus.workflows.service.repository import ExecutionStep, StoredExecution, WorkflowStore
from tests.store.contract.conftest import Backend
from tests.store.contract.samples import RECORDS

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:m"
OTHER_MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:other"
ACTIVITY = "arn:aws:states:us-east-1:000000000000:activity:a"


def _arn(name: str, machine: str = MACHINE) -> str:
    return machine.replace(":stateMachine:", ":execution:") + ":" + name


def _execution(
    name: str, *, machine: str = MACHINE, start_ms: int = 1000, **fields: Any
) -> StoredExecution:
    base = StoredExecution(
        arn=_arn(name, machine),
        machine_arn=machine,
        name=name,
        status="RUNNING",
        start_ms=start_ms,
        stop_ms=None,
        record={"name": name, "input": "{}"},
        state={"current": "First", "steps": 0},
        outstanding={"t1": {"kind": "task", "resource": "lambda"}},
    )
    return replace(base, **fields)


def _events(first: int, last: int, type: str = "StateEntered") -> list[Record]:
    return [{"id": n, "type": type, "timestamp": n * 10} for n in range(first, last + 1)]


def _ids(history: list[Record]) -> list[int]:
    return [event["id"] for event in history]


async def _all_history(store: WorkflowStore, arn: str) -> list[Record]:
    return await store.history(arn, 0, 10_000, False)


# -- state machines and activities -------------------------------------------------------
async def test_machines_round_trip_replace_and_delete(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        assert await store.load_machines() == []
        await store.put_machine(MACHINE, "m", {"name": "m", "revision": 1})
        await store.put_machine(OTHER_MACHINE, "other", {"name": "other"})
        await store.put_machine(MACHINE, "m", {"name": "m", "revision": 2})
        machines = await store.load_machines()
        await store.delete_machine(OTHER_MACHINE)
        await store.delete_machine("arn:missing")
        remaining = await store.load_machines()
    assert sorted(machines, key=lambda r: r["name"]) == [
        {"name": "m", "revision": 2},
        {"name": "other"},
    ]
    assert remaining == [{"name": "m", "revision": 2}]


async def test_machines_are_keyed_by_arn_not_by_name(backend: Backend) -> None:
    """The same name in two regions is two machines; writing one must not drop the other."""
    east, west = MACHINE, MACHINE.replace("us-east-1", "eu-west-1")
    async with backend.session() as stores:
        store = stores.workflows
        await store.put_machine(east, "m", {"arn": east})
        await store.put_machine(west, "m", {"arn": west})
        both = await store.load_machines()
        await store.delete_machine(west)
        remaining = await store.load_machines()
    assert sorted(record["arn"] for record in both) == sorted([east, west])
    assert remaining == [{"arn": east}]


async def test_activities_round_trip_replace_and_delete(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        assert await store.load_activities() == []
        await store.put_activity(ACTIVITY, "a", {"name": "a", "tags": {}})
        await store.put_activity(ACTIVITY + "2", "a2", {"name": "a2"})
        await store.put_activity(ACTIVITY, "a", {"name": "a", "tags": {"k": "v"}})
        await store.delete_activity(ACTIVITY + "2")
        await store.delete_activity("arn:missing")
        activities = await store.load_activities()
    assert activities == [{"name": "a", "tags": {"k": "v"}}]


@pytest.mark.parametrize("record", RECORDS)
async def test_json_records_round_trip(backend: Backend, record: Record) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        await store.put_machine(MACHINE, "m", record)
        await store.put_activity(ACTIVITY, "a", record)
        events = [{**record, "id": 1}, {"id": 2, "details": record}]
        execution = _execution("e", record=record, state=record, outstanding=record)
        await store.create_execution(execution, events)
        await store.save_step(
            ExecutionStep(
                arn=execution.arn,
                status="RUNNING",
                state={"nested": record},
                outstanding={"token": record},
                history=[{"id": 3, "details": record}],
                record={"final": record},
            )
        )
        assert await store.load_machines() == [record]
        assert await store.load_activities() == [record]
        stored = await store.get_execution(execution.arn)
        history = await _all_history(store, execution.arn)
    assert stored is not None
    assert (stored.record, stored.state, stored.outstanding) == (
        {"final": record},
        {"nested": record},
        {"token": record},
    )
    assert history == [*events, {"id": 3, "details": record}]


# -- executions ------------------------------------------------------------------------
async def test_an_execution_round_trips_with_its_first_events(backend: Backend) -> None:
    execution = _execution("e", start_ms=1234)
    finished = _execution("done", status="SUCCEEDED", stop_ms=2000, state=None, outstanding={})
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(execution, _events(1, 3))
        await store.create_execution(finished, [])
        assert await store.get_execution(execution.arn) == execution
        assert await store.get_execution(finished.arn) == finished
        assert await store.find_execution(MACHINE, "e") == execution
        assert await store.find_execution(OTHER_MACHINE, "e") is None
        assert await store.get_execution(_arn("missing")) is None
        assert await store.find_execution(MACHINE, "missing") is None
        assert _ids(await _all_history(store, execution.arn)) == [1, 2, 3]
        assert await _all_history(store, finished.arn) == []


async def test_creating_an_execution_twice_is_a_duplicate_key(backend: Backend) -> None:
    """Same ARN, or same name under the same machine: DuplicateKey, never a driver error."""
    original = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(original, _events(1, 2))
        with pytest.raises(DuplicateKey):
            await store.create_execution(_execution("e", record={"second": True}), _events(1, 1))
        with pytest.raises(DuplicateKey):  # another ARN, same (machine, name)
            await store.create_execution(replace(original, arn=original.arn + "-x"), [])
        await store.create_execution(_execution("e", machine=OTHER_MACHINE), [])  # other machine
        assert await store.get_execution(original.arn) == original
        assert await store.get_execution(original.arn + "-x") is None
        assert _ids(await _all_history(store, original.arn)) == [1, 2]


async def test_create_execution_is_all_or_nothing(backend: Backend) -> None:
    """The row and its first events go in together: a failing event leaves neither."""
    execution = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        with pytest.raises(DuplicateKey):
            await store.create_execution(execution, [*_events(1, 2), {"id": 2, "type": "Again"}])
        assert await store.get_execution(execution.arn) is None
        assert await _all_history(store, execution.arn) == []
        await store.create_execution(execution, _events(1, 2))  # the name is still free
        assert _ids(await _all_history(store, execution.arn)) == [1, 2]


async def test_a_reader_never_sees_an_execution_without_its_first_events(
    backend: Backend,
) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        names = [f"e{n}" for n in range(60)]

        async def create_one_by_one() -> None:  # one commit each: many states to see
            for name in names:
                await store.create_execution(_execution(name), _events(1, 5))

        creating = asyncio.ensure_future(create_one_by_one())
        while not creating.done():
            for row in await store.list_executions(MACHINE, None, 100, None):
                assert _ids(await _all_history(store, row.arn)) == [1, 2, 3, 4, 5]
        await creating
        rows = await store.list_executions(MACHINE, None, 100, None)
    assert sorted(row.name for row in rows) == sorted(names)


async def test_save_step_writes_state_outstanding_and_history(backend: Backend) -> None:
    execution = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(execution, _events(1, 2))
        await store.save_step(
            ExecutionStep(
                arn=execution.arn,
                status="RUNNING",
                state={"current": "Second", "steps": 1},
                outstanding={"t2": {"kind": "timer", "due_ms": 5000}},
                history=_events(3, 4),
            )
        )
        running = await store.get_execution(execution.arn)
        await store.save_step(
            ExecutionStep(
                arn=execution.arn,
                status="SUCCEEDED",
                state=None,
                outstanding={},
                history=_events(5, 5, "ExecutionSucceeded"),
                stop_ms=3000,
                record={"name": "e", "input": "{}", "output": '{"ok":true}'},
            )
        )
        done = await store.get_execution(execution.arn)
        history = await _all_history(store, execution.arn)
    assert running == replace(
        execution,
        state={"current": "Second", "steps": 1},
        outstanding={"t2": {"kind": "timer", "due_ms": 5000}},
    )  # record and stop_ms untouched when the step does not give them
    assert done == replace(
        execution,
        status="SUCCEEDED",
        stop_ms=3000,
        state=None,
        outstanding={},
        record={"name": "e", "input": "{}", "output": '{"ok":true}'},
    )
    assert _ids(history) == [1, 2, 3, 4, 5]
    assert history[-1]["type"] == "ExecutionSucceeded"


@dataclass(slots=True)
class _InterpreterState:
    """Stands in for the interpreter's ExecutionState: save_step takes a dataclass."""

    current: str
    steps: int
    variables: dict[str, Any] = field(default_factory=dict)


async def test_save_step_takes_a_dataclass_state_and_reads_back_a_dict(backend: Backend) -> None:
    execution = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(execution, [])
        state = _InterpreterState("Next", 3, {"ü": ["🚀", {"n": 1}]})
        await store.save_step(ExecutionStep(execution.arn, "RUNNING", state, {}, []))
        stored = await store.get_execution(execution.arn)
    assert stored is not None
    assert stored.state == {"current": "Next", "steps": 3, "variables": {"ü": ["🚀", {"n": 1}]}}


async def test_save_step_is_all_or_nothing(backend: Backend) -> None:
    """A step whose history cannot be written leaves the state as it was, and vice versa."""
    execution = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(execution, _events(1, 2))
        with pytest.raises(DuplicateKey):
            await store.save_step(
                ExecutionStep(
                    arn=execution.arn,
                    status="FAILED",
                    state=None,
                    outstanding={},
                    history=[*_events(3, 3), *_events(2, 2)],  # 2 is already there
                    stop_ms=9,
                    record={"broken": True},
                )
            )
        assert await store.get_execution(execution.arn) == execution
        assert _ids(await _all_history(store, execution.arn)) == [1, 2]


async def test_a_step_of_an_unknown_execution_writes_nothing(backend: Backend) -> None:
    """No history without its execution: it would also block a later start of that ARN."""
    arn = _arn("ghost")
    async with backend.session() as stores:
        store = stores.workflows
        await store.save_step(ExecutionStep(arn, "RUNNING", {"steps": 1}, {}, _events(1, 2)))
        assert await store.get_execution(arn) is None
        assert await _all_history(store, arn) == []
        await store.create_execution(_execution("ghost"), _events(1, 2))
        assert _ids(await _all_history(store, arn)) == [1, 2]


async def test_a_reader_never_sees_state_ahead_of_history(backend: Backend) -> None:
    """Each step writes state ``steps=n`` with history event n: read state, then history."""
    execution = _execution("e", state={"steps": 0})
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(execution, [])

        async def run_steps() -> None:
            for n in range(1, 41):
                step = ExecutionStep(execution.arn, "RUNNING", {"steps": n}, {}, _events(n, n))
                await store.save_step(step)

        stepping = asyncio.ensure_future(run_steps())
        while not stepping.done():
            stored = await store.get_execution(execution.arn)
            assert stored is not None and stored.state is not None
            steps = stored.state["steps"]
            history = await _all_history(store, execution.arn)
            assert len(history) >= steps
        await stepping
        final = await store.get_execution(execution.arn)
    assert final is not None and final.state == {"steps": 40}


async def test_list_executions_is_newest_first_and_filters_by_status(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(_execution("old", start_ms=100, status="SUCCEEDED"), [])
        await store.create_execution(_execution("new", start_ms=300), [])
        await store.create_execution(_execution("mid", start_ms=200, status="FAILED"), [])
        await store.create_execution(_execution("elsewhere", machine=OTHER_MACHINE), [])
        everything = await store.list_executions(MACHINE, None, 100, None)
        failed = await store.list_executions(MACHINE, "FAILED", 100, None)
        running = await store.list_executions(MACHINE, "RUNNING", 100, None)
        first_two = await store.list_executions(MACHINE, None, 2, None)
        none = await store.list_executions(MACHINE, "ABORTED", 100, None)
    assert [e.name for e in everything] == ["new", "mid", "old"]
    assert [e.name for e in failed] == ["mid"]
    assert [e.name for e in running] == ["new"]
    assert [e.name for e in first_two] == ["new", "mid"]
    assert none == []


async def test_list_executions_pages_with_the_before_cursor(backend: Backend) -> None:
    """Pages of 3 cover every execution once, even when many share a start time."""
    starts = [100, 200, 200, 200, 200, 300, 400, 400, 500, 600, 600]
    async with backend.session() as stores:
        store = stores.workflows
        await asyncio.gather(
            *(
                store.create_execution(_execution(f"e{n:02d}", start_ms=start), [])
                for n, start in enumerate(starts)
            )
        )
        expected = await store.list_executions(MACHINE, None, 100, None)
        pages: list[list[StoredExecution]] = []
        before: tuple[int, str] | None = None
        while page := await store.list_executions(MACHINE, None, 3, before):
            pages.append(page)
            before = (page[-1].start_ms, page[-1].arn)
    flat = [e for page in pages for e in page]
    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert [e.arn for e in flat] == [e.arn for e in expected]
    assert len({e.arn for e in flat}) == len(starts)
    keys = [(e.start_ms, e.arn) for e in flat]
    assert keys == sorted(keys, reverse=True)  # equal start times: ARN descending


async def test_running_executions_are_the_running_ones_of_every_machine(
    backend: Backend,
) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(_execution("a"), [])
        await store.create_execution(_execution("b", machine=OTHER_MACHINE), [])
        await store.create_execution(_execution("c", status="SUCCEEDED", state=None), [])
        await store.create_execution(_execution("d"), [])
        await store.save_step(ExecutionStep(_arn("d"), "ABORTED", None, {}, [], stop_ms=5))
        running = await store.running_executions()
    assert sorted(e.arn for e in running) == sorted([_arn("a"), _arn("b", OTHER_MACHINE)])


@pytest.mark.parametrize(
    ("after_id", "limit", "reverse", "expected"),
    [
        pytest.param(0, 100, False, list(range(1, 11)), id="all"),
        pytest.param(0, 3, False, [1, 2, 3], id="first-page"),
        pytest.param(3, 3, False, [4, 5, 6], id="after-id"),
        pytest.param(9, 3, False, [10], id="last-page"),
        pytest.param(10, 3, False, [], id="past-the-end"),
        pytest.param(0, 100, True, list(range(10, 0, -1)), id="reverse-all"),
        pytest.param(0, 3, True, [10, 9, 8], id="reverse-first-page"),
        pytest.param(8, 3, True, [7, 6, 5], id="reverse-after-id"),
        pytest.param(2, 3, True, [1], id="reverse-last-page"),
        pytest.param(1, 3, True, [], id="reverse-past-the-start"),
    ],
)
async def test_history_pages(
    backend: Backend, after_id: int, limit: int, reverse: bool, expected: list[int]
) -> None:
    execution = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        await store.create_execution(execution, _events(1, 4))
        await store.create_execution(_execution("noise"), _events(1, 20))
        await store.save_step(ExecutionStep(execution.arn, "RUNNING", {}, {}, _events(5, 10)))
        history = await store.history(execution.arn, after_id, limit, reverse)
    assert _ids(history) == expected


async def test_history_of_an_unknown_execution_is_empty(backend: Backend) -> None:
    async with backend.session() as stores:
        assert await stores.workflows.history(_arn("missing"), 0, 10, False) == []
        assert await stores.workflows.history(_arn("missing"), 0, 10, True) == []


# -- activity tasks --------------------------------------------------------------------
async def test_activity_tasks_are_taken_oldest_first_once_each(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        assert await store.take_activity_task(ACTIVITY) is None
        for n in range(12):
            await store.enqueue_activity_task(f"token-{n}", ACTIVITY, f'{{"n": {n}}}')
        await store.enqueue_activity_task("elsewhere", ACTIVITY + "2", "{}")
        taken = [await store.take_activity_task(ACTIVITY) for _ in range(13)]
        assert await store.take_activity_task(ACTIVITY + "2") == ("elsewhere", "{}")
    assert taken == [(f"token-{n}", f'{{"n": {n}}}') for n in range(12)] + [None]


async def test_a_taken_or_removed_task_is_not_offered_again(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        for token in ("a", "b", "c"):
            await store.enqueue_activity_task(token, ACTIVITY, token.upper())
        assert await store.take_activity_task(ACTIVITY) == ("a", "A")
        await store.remove_activity_task("b")  # its execution moved on before anyone took it
        await store.remove_activity_task("a")
        await store.remove_activity_task("missing")
        assert await store.take_activity_task(ACTIVITY) == ("c", "C")
        assert await store.take_activity_task(ACTIVITY) is None


async def test_enqueueing_a_queued_token_again_keeps_one_task(backend: Backend) -> None:
    """Pending work is re-issued at start: the same token must not become two tasks."""
    async with backend.session() as stores:
        store = stores.workflows
        await store.enqueue_activity_task("t", ACTIVITY, '{"first": 1}')
        await store.enqueue_activity_task("t", ACTIVITY, '{"first": 1}')
        assert await store.take_activity_task(ACTIVITY) == ("t", '{"first": 1}')
        assert await store.take_activity_task(ACTIVITY) is None


async def test_concurrent_takers_never_get_the_same_task(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        await asyncio.gather(
            *(store.enqueue_activity_task(f"t{n}", ACTIVITY, "{}") for n in range(40))
        )
        taken = await asyncio.gather(*(store.take_activity_task(ACTIVITY) for _ in range(50)))
    tokens = [task[0] for task in taken if task is not None]
    assert sorted(tokens) == sorted(f"t{n}" for n in range(40))
    assert taken.count(None) == 10


# -- durability, concurrency, closing ---------------------------------------------------
async def test_everything_acknowledged_survives_close_and_reopen(backend: Backend) -> None:
    execution = _execution("e")
    async with backend.session() as stores:
        store = stores.workflows
        await store.put_machine(MACHINE, "m", {"name": "m"})
        await store.put_activity(ACTIVITY, "a", {"name": "a"})
        await store.create_execution(execution, _events(1, 2))
        await store.save_step(
            ExecutionStep(execution.arn, "RUNNING", {"steps": 1}, {"t": {}}, _events(3, 3))
        )
        for token in ("taken", "waiting"):
            await store.enqueue_activity_task(token, ACTIVITY, token)
        assert await store.take_activity_task(ACTIVITY) == ("taken", "taken")
    async with backend.session() as stores:
        store = stores.workflows
        assert await store.load_machines() == [{"name": "m"}]
        assert await store.load_activities() == [{"name": "a"}]
        assert await store.get_execution(execution.arn) == replace(
            execution, state={"steps": 1}, outstanding={"t": {}}
        )
        assert [e.arn for e in await store.running_executions()] == [execution.arn]
        assert _ids(await _all_history(store, execution.arn)) == [1, 2, 3]
        assert await store.take_activity_task(ACTIVITY) == ("waiting", "waiting")
        assert await store.take_activity_task(ACTIVITY) is None


async def test_concurrent_starts_and_steps_all_land(backend: Backend) -> None:
    async with backend.session() as stores:
        store = stores.workflows
        await asyncio.gather(
            *(store.create_execution(_execution(f"e{n}"), _events(1, 1)) for n in range(100))
        )
        await asyncio.gather(
            *(
                store.save_step(
                    ExecutionStep(_arn(f"e{n}"), "SUCCEEDED", None, {}, _events(2, 3), stop_ms=n)
                )
                for n in range(100)
            )
        )
        assert await store.running_executions() == []
        rows = await store.list_executions(MACHINE, "SUCCEEDED", 1000, None)
        histories = await asyncio.gather(*(_all_history(store, row.arn) for row in rows))
    assert sorted(row.stop_ms or 0 for row in rows) == list(range(100))
    assert all(_ids(history) == [1, 2, 3] for history in histories)


async def test_calls_after_close_raise_store_closed(backend: Backend) -> None:
    stores = await backend.open()
    await stores.workflows.create_execution(_execution("e"), [])
    await stores.close()
    store = stores.workflows
    with pytest.raises(StoreClosed):
        await store.get_execution(_arn("e"))
    with pytest.raises(StoreClosed):
        await store.history(_arn("e"), 0, 10, False)
    with pytest.raises(StoreClosed):
        await store.save_step(ExecutionStep(_arn("e"), "ABORTED", None, {}, []))
    with pytest.raises(StoreClosed):
        await store.take_activity_task(ACTIVITY)
