"""Invocations queued behind a running one (``runtime/pool.py``, ``local/environment.py``).

A function whose invocations are short is not spread over more environments than there
are cores: past that, the invoker hands a running environment its next event. These
tests hold the guarantees that must survive it: one invocation at a time per environment,
each with its own deadline, its own log lines and its own answer, and an invocation that
never started because the one ahead of it killed the environment runs elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stratus.runtime import invoker as invokers
from stratus.runtime import pool as pools
from stratus.runtime.environment import FunctionSpec, LaunchConfig
from stratus.runtime.invoker import InvocationResult, Invoker
from stratus.runtime.limits import Limits
from stratus.runtime.local.factory import LocalEnvironmentFactory
from tests.runtime.local.conftest import launch_for, request, write_code

HANDLER = """\
import json, os, socket, time

def handler(event, context):
    n = event["n"]
    if "meet" in event:  # wait for the next invocation to call on this port
        with socket.create_server(("127.0.0.1", event["meet"])) as server:
            server.settimeout(event.get("wait", 10))
            try:
                server.accept()[0].close()
                met = True
            except socket.timeout:
                met = False
        return {"n": n, "met": met, "pid": os.getpid()}
    if "call" in event:  # the one it waits for
        give_up = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", event["call"]), timeout=1).close()
                return {"n": n, "called": True, "pid": os.getpid()}
            except OSError:
                if time.time() > give_up:
                    return {"n": n, "called": False, "pid": os.getpid()}
                time.sleep(0.01)
    if event.get("quiet"):  # writes nothing to the pipe
        time.sleep(event.get("sleep", 0))
        return {"n": n, "pid": os.getpid()}
    print("start", n, flush=True)
    os.write(1, ("raw %d\\n" % n).encode())  # past Python: straight to the pipe
    if event.get("die"):
        os._exit(3)
    time.sleep(event.get("sleep", 0))
    print("end", n)
    return {"n": n, "pid": os.getpid(), "left": context.get_remaining_time_in_millis()}
"""


@pytest.fixture
def one_hot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queue behind the first running environment (the machine's core count otherwise),
    whatever a loaded machine makes of the warm-up calls' durations."""
    monkeypatch.setattr(pools, "HOT_ENVIRONMENTS", 1)
    monkeypatch.setattr(pools, "QUEUE_BELOW_MS", 1000.0)
    monkeypatch.setattr(pools, "QUEUE_WAIT_MS", 60_000.0)
    monkeypatch.setattr(pools, "QUEUE_SLOWEST_MS", 60_000.0)


@pytest.fixture
def invoker_for(
    factory: LocalEnvironmentFactory,
    run: Callable[[Awaitable[Any]], Any],
    tmp_path: Path,
) -> Iterator[Callable[[float], tuple[Invoker, FunctionSpec]]]:
    made: list[tuple[Invoker, asyncio.Task[None]]] = []

    def make(timeout_s: float = 3.0) -> tuple[Invoker, FunctionSpec]:
        code = write_code(tmp_path / "code", {"app.py": HANDLER})
        launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"))
        spec = FunctionSpec(**{**_fields(launch.spec), "timeout_s": timeout_s})
        launch = LaunchConfig(spec=spec, env=launch.env, tmp_dir=launch.tmp_dir)
        invoker = Invoker(lambda _spec: factory, lambda _spec: launch, Limits())

        async def start() -> asyncio.Task[None]:
            return asyncio.ensure_future(invoker.run())

        made.append((invoker, run(start())))
        return invoker, spec

    yield make
    for invoker, watchdog in made:
        invoker.close()
        watchdog.cancel()


@contextlib.contextmanager
def _environment(
    factory: LocalEnvironmentFactory, run: Callable[[Awaitable[Any]], Any], root: Path, source: str
) -> Iterator[Any]:
    """One environment of ``source``, killed afterwards."""
    code = write_code(root / "code", {"app.py": source})
    env = run(factory.create(launch_for(code, tmp_dir=str(root / "tmp"))))
    try:
        yield env
    finally:
        env.kill()
        run(env.wait_closed())


def _fields(spec: FunctionSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in FunctionSpec.__slots__}


async def _invoke(invoker: Invoker, spec: FunctionSpec, event: dict[str, Any]) -> InvocationResult:
    return await invoker.invoke(spec, request(json.dumps(event).encode(), arn=spec.function_arn))


async def _warm(invoker: Invoker, spec: FunctionSpec) -> None:
    """Enough short invocations for the pool to know the function is short."""
    for n in range(10):
        result = await _invoke(invoker, spec, {"n": -n})
        assert result.function_error is None


def _own_lines(result: InvocationResult, n: int) -> None:
    text = result.log.text()
    assert "\x1e" not in text  # the log boundary never shows
    lines = [line for line in text.splitlines() if line.split()[0] in {"start", "raw", "end"}]
    assert lines == [f"start {n}", f"raw {n}", f"end {n}"], text


def test_a_burst_of_short_invocations_queues_on_few_environments(
    invoker_for, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # however slow a loaded machine makes these calls, they count as short, and any queue
    # is short enough: the policy's thresholds are not what this test is about
    monkeypatch.setattr(pools, "QUEUE_BELOW_MS", 1000.0)
    monkeypatch.setattr(pools, "QUEUE_WAIT_MS", 60_000.0)
    monkeypatch.setattr(pools, "QUEUE_SLOWEST_MS", 60_000.0)
    monkeypatch.setattr(pools, "QUEUE_DEPTH_MAX", 64)
    invoker, spec = invoker_for(3.0)

    async def burst() -> list[InvocationResult]:
        await _warm(invoker, spec)
        return await asyncio.gather(*(_invoke(invoker, spec, {"n": n}) for n in range(48)))

    results = run(burst())
    assert [json.loads(r.payload)["n"] for r in results] == list(range(48))
    for n, result in enumerate(results):
        _own_lines(result, n)  # each invocation's output, and only its own
    environments = {json.loads(r.payload)["pid"] for r in results}
    # far fewer environments than invocations in flight: they waited in a running one
    assert len(environments) <= pools.HOT_ENVIRONMENTS + 1
    stats = next(iter(invoker.pools().values())).statistics()
    assert stats.busy == 0 and stats.idle == len(environments)


def test_queued_invocations_run_elsewhere_when_the_one_ahead_dies(
    invoker_for, run, one_hot_environment: None
) -> None:
    invoker, spec = invoker_for(3.0)

    async def scenario() -> list[InvocationResult]:
        await _warm(invoker, spec)
        first = asyncio.ensure_future(_invoke(invoker, spec, {"n": 0, "die": True}))
        await asyncio.sleep(0)
        rest = [asyncio.ensure_future(_invoke(invoker, spec, {"n": n})) for n in range(1, 6)]
        return [await first, *[await task for task in rest]]

    died, *others = run(scenario())
    assert died.error_type == "Runtime.ExitError"
    assert "exit status 3" in json.loads(died.payload)["errorMessage"]
    for n, result in enumerate(others, start=1):
        assert result.function_error is None, result.payload
        assert json.loads(result.payload)["n"] == n
        _own_lines(result, n)


def test_queued_invocations_survive_a_timeout_ahead_and_get_their_own_deadline(
    invoker_for, run, one_hot_environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what waits behind a long invocation stays queued here (not handed back after 50 ms)
    monkeypatch.setattr(invokers, "RETURN_QUEUED_AFTER_S", 60.0)
    invoker, spec = invoker_for(1.0)

    async def scenario() -> list[InvocationResult]:
        await _warm(invoker, spec)
        calls = [
            {"n": 1, "sleep": 0.6},
            {"n": 2, "sleep": 0.6},  # queued: 1.2 s after the first began, within its own 1 s
            {"n": 3, "sleep": 5},  # times out
            {"n": 4},  # queued behind the one that times out: runs elsewhere
        ]
        tasks = []
        for event in calls:
            tasks.append(asyncio.ensure_future(_invoke(invoker, spec, event)))
            await asyncio.sleep(0)
        return [await task for task in tasks]

    one, two, three, four = run(scenario())
    assert one.function_error is None and two.function_error is None, two.payload
    assert json.loads(one.payload)["pid"] == json.loads(two.payload)["pid"]  # it did queue
    assert json.loads(two.payload)["left"] > 300  # its deadline began when it did
    assert three.error_type == "Sandbox.Timedout"
    assert four.function_error is None and json.loads(four.payload)["n"] == 4
    _own_lines(four, 4)


def test_a_cancelled_queued_invocation_does_not_take_the_next_ones_answer(
    factory: LocalEnvironmentFactory, run, tmp_path: Path
) -> None:
    async def scenario(env: Any) -> tuple[Any, Any]:
        def call(event: dict[str, Any]) -> asyncio.Future[Any]:
            return asyncio.ensure_future(env.invoke(request(json.dumps(event).encode())))

        first = call({"n": 1, "sleep": 0.2})
        await asyncio.sleep(0)
        second = call({"n": 2})
        await asyncio.sleep(0)
        third = call({"n": 3})
        await asyncio.sleep(0.05)
        second.cancel()
        return await first, await third

    with _environment(factory, run, tmp_path, HANDLER) as env:
        one, three = run(scenario(env))
        assert json.loads(one.payload)["n"] == 1
        assert json.loads(three.payload)["n"] == 3
        assert "start 3" in three.logs and "start 2" not in three.logs
        assert env.in_flight == 0 and env.alive


def test_output_of_the_next_invocation_is_not_the_last_ones(
    factory: LocalEnvironmentFactory, run, tmp_path: Path
) -> None:
    """The worker starts the queued invocation, which prints, before the server reads the
    first one's answer (the loop is held up): the pipe holds both, split at the boundary."""
    import time

    async def scenario(env: Any) -> tuple[Any, Any]:
        # (the first takes long enough not to be answered before the second is queued)
        first = asyncio.ensure_future(env.invoke(request(b'{"n": 1, "sleep": 0.05}')))
        await asyncio.sleep(0)
        assert env.in_flight == 1
        second = asyncio.ensure_future(env.invoke(request(b'{"n": 2, "sleep": 0.3}')))
        await asyncio.sleep(0)
        assert env.in_flight == 2
        time.sleep(0.2)  # holds the loop: the worker answers 1 and starts 2 meanwhile
        return await first, await second

    with _environment(factory, run, tmp_path, HANDLER) as env:
        one, two = run(scenario(env))
        assert one.logs == "start 1\nraw 1\nend 1\n"
        assert two.logs == "start 2\nraw 2\nend 2\n"


def test_a_quiet_invocation_does_not_take_the_next_ones_output(
    factory: LocalEnvironmentFactory, run, tmp_path: Path
) -> None:
    """The first invocation prints nothing, so the worker answers it without a boundary
    (the server has read all it wrote); the queued one starts and prints before the
    server, held up, reads that answer: its lines stay its own, whichever of the pipe and
    the socket the loop looks at first."""
    import time

    async def scenario(env: Any) -> tuple[Any, Any]:
        first = asyncio.ensure_future(env.invoke(request(b'{"n": 1, "quiet": 1, "sleep": 0.05}')))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(env.invoke(request(b'{"n": 2, "sleep": 0.3}')))
        await asyncio.sleep(0.01)  # its frame goes out (a queued one leaves on the next turn)
        assert env.in_flight == 2
        time.sleep(0.2)  # holds the loop: the worker answers 1 and starts 2 meanwhile
        return await first, await second

    with _environment(factory, run, tmp_path, HANDLER) as env:
        for _ in range(3):
            one, two = run(scenario(env))
            assert json.loads(one.payload)["n"] == 1 and one.logs == ""
            assert two.logs == "start 2\nraw 2\nend 2\n"
        assert env.queueable  # no boundary written is not a closed boundary


def test_a_function_that_closes_the_boundary_is_no_longer_queued_on(
    factory: LocalEnvironmentFactory, run, tmp_path: Path
) -> None:
    """Hostile (or careless) code closes every copy of its output pipe but 1 and 2: the
    worker cannot mark its invocations' ends any more, so the server stops queueing on the
    environment; what is already queued is still answered, each with its own payload."""
    closer = """\
import os, time

def handler(event, context):
    if event.get("close"):
        pipe = os.readlink("/proc/self/fd/1")
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd > 2:
                try:
                    if os.readlink("/proc/self/fd/%d" % fd) == pipe:
                        os.close(fd)
                except OSError:
                    pass
        # the lowest free number again: a careless worker would write its token here
        global KEPT
        KEPT = open("/tmp/mine.txt", "w")
        KEPT.write("mine")
        KEPT.flush()
        time.sleep(0.1)  # the other two are queued meanwhile, while it still was queueable
    print("n", event["n"])
    with open("/tmp/mine.txt") as mine:
        return [event["n"], mine.read()]
"""

    async def scenario(env: Any) -> list[Any]:
        calls = [
            asyncio.ensure_future(env.invoke(request(json.dumps(e).encode())))
            for e in ({"n": 1, "close": True}, {"n": 2}, {"n": 3})
        ]
        return [await call for call in calls]

    with _environment(factory, run, tmp_path, closer) as env:
        assert env.queueable
        outcomes = run(scenario(env))
        assert [json.loads(o.payload) for o in outcomes] == [[n, "mine"] for n in (1, 2, 3)]
        assert not env.queueable
        assert env.alive
        assert json.loads(run(env.invoke(request(b'{"n": 4}'))).payload) == [4, "mine"]


def test_a_function_that_is_now_and_then_slow_is_not_queued_on(
    invoker_for, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quick on average, but one recent call took 300 ms: whatever waited behind such a
    call would wait all of it, so a burst spreads over environments as Lambda's would."""
    monkeypatch.setattr(pools, "HOT_ENVIRONMENTS", 1)
    invoker, spec = invoker_for(3.0)

    async def scenario() -> list[InvocationResult]:
        await _warm(invoker, spec)
        slow = await _invoke(invoker, spec, {"n": 100, "sleep": 0.3})
        assert slow.function_error is None
        return await asyncio.gather(*(_invoke(invoker, spec, {"n": n}) for n in range(3)))

    results = run(scenario())
    assert [json.loads(r.payload)["n"] for r in results] == list(range(3))
    assert len({json.loads(r.payload)["pid"] for r in results}) > 1


def test_an_invocation_waiting_for_one_queued_behind_it_gets_it(
    invoker_for, run, one_hot_environment: None
) -> None:
    """The first invocation waits for the second (as a function calling its own API's URL
    waits for that call): queued behind it, the second would wait for the first to give
    up. The watchdog sees the first running far longer than the function's invocations
    do, its worker hands the second back unstarted, and it runs in another environment."""
    from tests.conftest import free_port

    port = free_port()
    invoker, spec = invoker_for(20.0)

    async def scenario() -> tuple[InvocationResult, InvocationResult]:
        await _warm(invoker, spec)
        first = asyncio.ensure_future(_invoke(invoker, spec, {"n": 1, "meet": port}))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(_invoke(invoker, spec, {"n": 2, "call": port}))
        return await first, await second

    first, second = run(scenario())
    assert first.function_error is None and second.function_error is None, second.payload
    met, called = json.loads(first.payload), json.loads(second.payload)
    # met: the second came while the first still waited (queued, it would have come
    # only once the first gave up after 10 s)
    assert met["met"] is True and called["called"] is True
    assert met["pid"] != called["pid"]  # handed back, it ran elsewhere


def test_the_hand_back_signal_before_the_worker_serves_does_not_kill_it(
    factory: LocalEnvironmentFactory, run, tmp_path: Path
) -> None:
    """The server may send the hand-back signal as soon as the worker has reported its
    init (on a loaded machine the worker can be descheduled that long before it takes
    the signal): a worker that gets it before it serves ignores it. Here the function's
    own init sends it, the earliest it could come."""
    source = """\
import os, signal
os.kill(os.getpid(), signal.SIGRTMAX - 2)

def handler(event, context):
    return {"n": event["n"]}
"""
    with _environment(factory, run, tmp_path, source) as env:
        assert json.loads(run(env.invoke(request(b'{"n": 1}'))).payload) == {"n": 1}
        assert env.alive
