"""The invoker: takes an invocation from the API to an execution environment and back.

It is a dumb mover wrapped in small policies: concurrency (throttle), pools (cold or warm
start), the function's timeout (kill), its memory size (kill), crash reporting, logs and
metrics. Everything that can go wrong inside the function comes back as data in an
:class:`InvocationResult` shaped as Lambda reports it; only throttling and platform
failures raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal as signals
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson

from stratus.runtime import logs as platform_logs
from stratus.runtime.concurrency import ConcurrencyLimiter
from stratus.runtime.environment import (
    EnvironmentExited,
    EnvironmentFactory,
    ExecutionEnvironment,
    FunctionSpec,
    InitFailed,
    InvocationNotStarted,
    InvokeOutcome,
    InvokeRequest,
    LaunchConfig,
)
from stratus.runtime.errors import Throttled
from stratus.runtime.lambda_env import log_stream_name
from stratus.runtime.limits import Limits
from stratus.runtime.metrics import MetricsRegistry
from stratus.runtime.pool import EnvironmentPool
from stratus.runtime.provisioning import Provisioner

log = logging.getLogger(__name__)

UNHANDLED = "Unhandled"
_TICK_S = 0.01  # how late a timeout may be noticed
#: How long an invocation runs before what is queued behind it goes to run elsewhere:
#: only functions whose invocations all take under 10 ms are queued on
#: (``pool.QUEUE_SLOWEST_MS``), so this one is stalled, or waits for one behind it.
RETURN_QUEUED_AFTER_S = 0.05
_IDLE_TICK_S = 0.5
_MB = 1024 * 1024

# Lambda's runtime is written in Go and names signals the way Go does.
_SIGNAL_NAMES: dict[int, str] = {
    signals.SIGSEGV: "segmentation fault",
    signals.SIGKILL: "killed",
    signals.SIGABRT: "aborted",
    signals.SIGTERM: "terminated",
    signals.SIGBUS: "bus error",
    signals.SIGFPE: "floating point exception",
    signals.SIGILL: "illegal instruction",
    signals.SIGINT: "interrupt",
}


@dataclass(slots=True)
class InvocationResult:
    payload: bytes
    function_error: str | None  # "Unhandled" when the function failed, as X-Amz-Function-Error
    log: platform_logs.InvocationLog  # START ... REPORT, what LogType=Tail returns the end of
    executed_version: str
    cold_start: bool
    duration_ms: float
    init_ms: float | None
    error_type: str | None = None
    streamed: bool = False  # the body went to the request's ``on_chunk`` as it came

    @property
    def log_text(self) -> str:
        return self.log.text()


def error_payload(error_type: str, message: str, request_id: str | None = None) -> bytes:
    body: dict[str, object] = {"errorMessage": message, "errorType": error_type}
    if request_id is not None:
        body["requestId"] = request_id
        body["stackTrace"] = []
    return orjson.dumps(body)


def exit_message(request_id: str, exit_code: int | None, signal: int | None) -> str:
    if signal is not None:
        how = f"signal: {_SIGNAL_NAMES.get(signal, f'signal {signal}')}"
    else:
        how = f"exit status {exit_code if exit_code is not None else 'unknown'}"
    return f"RequestId: {request_id} Error: Runtime exited with error: {how}"


def _timeout_error(seconds: float) -> str:
    return f"Task timed out after {seconds:.2f} seconds"


def _failure(
    error_type: str,
    message: str,
    logs: str,
    duration_ms: float,
    used_mb: int,
    *,
    log_line: str | None = None,
) -> InvokeOutcome:
    """An invocation the platform ended: Lambda's error object, and the lines Lambda logs
    for it after what the function printed (by default the message and the error type)."""
    tail = log_line if log_line is not None else f"{message}\n{error_type}"
    return InvokeOutcome(
        payload=error_payload(error_type, message),
        error_type=error_type,
        logs=(logs + "\n" if logs else "") + tail,
        duration_ms=duration_ms,
        max_memory_used_mb=used_mb,
    )


class Invoker:
    """Runs invocations on pools of execution environments, one pool per function version."""

    def __init__(
        self,
        factory_for: Callable[[FunctionSpec], EnvironmentFactory],
        launch_for: Callable[[FunctionSpec], LaunchConfig],
        limits: Limits,
        log_sink: platform_logs.LogSink | None = None,
        metrics: MetricsRegistry | None = None,
    ) -> None:
        self._factory_for = factory_for
        self._launch_for = launch_for
        self.limits = limits
        self.limiter = ConcurrencyLimiter(limits.account_concurrency)
        self._logs = log_sink or platform_logs.DiscardLogs()
        self.metrics = metrics or MetricsRegistry()
        self._pools: dict[tuple[str, str, str], EnvironmentPool] = {}
        self._retired: list[EnvironmentPool] = []
        self._out_of_memory: set[str] = set()
        self._timed_out: set[str] = set()
        # environment id -> (the function's timeout, the environment): its running
        # invocation's deadline is ``head_started`` plus the timeout
        self._deadlines: dict[str, tuple[float, ExecutionEnvironment]] = {}
        self._busy_again = asyncio.Event()  # wakes the idle watchdog
        self._in_flight = 0
        self._idle_waiters: list[asyncio.Future[None]] = []
        self.provisioner = Provisioner(self._pool, self._existing_pool, limits.init_timeout_s)

    # -- pools -----------------------------------------------------------------------
    def _pool(self, spec: FunctionSpec) -> EnvironmentPool:
        pool = self._pools.get(spec.key)
        if pool is None:
            pool = EnvironmentPool(spec, self._factory_for(spec), self._launch_for)
            pool.on_provisioned_lost = self.provisioner.lost
            self._pools[spec.key] = pool
        return pool

    def wake(self, spec: FunctionSpec) -> None:
        """An invocation of ``spec`` is coming: wake the environment it will find idle,
        or what will start one when there is none. Only with nothing in flight (the
        environments check the rest): under load no worker sleeps long, and this would
        be a pool lookup per request for nothing."""
        if self._in_flight:
            return
        pool = self._pools.get(spec.key)
        env = pool.next_idle() if pool is not None else None
        if env is not None:
            env.wake()
        else:
            self._factory_for(spec).wake(spec)

    def _existing_pool(self, spec: FunctionSpec) -> EnvironmentPool | None:
        return self._pools.get(spec.key)

    def prepare(self, spec: FunctionSpec) -> None:
        """What a first cold start of ``spec`` can have done ahead (see the factory's)."""
        self._factory_for(spec).prepare(spec)

    def retire(self, function_name: str, version: str | None = None) -> None:
        # ``function_name`` is the function's unqualified ARN: the runtime keys everything
        # (pools, metrics, concurrency, logs) by it, so equal names in two accounts or
        # regions never share anything.
        """Drop the environments of a function (or one version) after a change or delete."""
        for key in [k for k in self._pools if k[0] == function_name]:
            if version is not None and key[1] != version:
                continue
            pool = self._pools.pop(key)
            pool.retire()
            if not pool.empty:
                self._retired.append(pool)

    def pools(self) -> Mapping[tuple[str, str, str], EnvironmentPool]:
        return self._pools

    # -- invoke ----------------------------------------------------------------------
    async def invoke(self, spec: FunctionSpec, request: InvokeRequest) -> InvocationResult:
        """Run one invocation; raises Throttled, otherwise every outcome is data."""
        metrics = self.metrics.of(spec.function_arn)
        try:
            reserved_slot = self.limiter.acquire(spec.function_arn)
        except Throttled:
            metrics.throttles += 1
            raise
        metrics.invocations += 1
        metrics.concurrent += 1
        metrics.peak_concurrent = max(metrics.peak_concurrent, metrics.concurrent)
        self._in_flight += 1
        try:
            result = await self._invoke(spec, request)
        finally:
            self.limiter.release(spec.function_arn, reserved_slot)
            metrics.concurrent -= 1
            self._in_flight -= 1
            if self._in_flight == 0:
                self._wake_idle_waiters()
        if result.function_error:
            metrics.errors += 1
        if result.cold_start:
            metrics.cold_starts += 1
        metrics.durations.add(result.duration_ms)
        metrics.gb_seconds += (spec.memory_mb / 1024) * (result.duration_ms / 1000)
        return result

    async def _invoke(self, spec: FunctionSpec, request: InvokeRequest) -> InvocationResult:
        """On an environment taken from the pool, else on a new one."""
        pool = self._pool(spec)
        env = pool.take_queued(request) or pool.take_idle()
        if env is not None:
            return await self._run(pool, env, spec, request, None, "")
        return await self._cold(pool, spec, request)

    async def _cold(
        self, pool: EnvironmentPool, spec: FunctionSpec, request: InvokeRequest
    ) -> InvocationResult:
        """A cold start: a new environment, its init reported with the invocation."""
        started = time.perf_counter()
        try:
            env = await pool.create(self.limits.init_timeout_s)
        except InitFailed as exc:
            return self._finish_without_env(
                spec, request, exc.error_payload, exc.error_type, exc.logs, exc.init_ms
            )
        except TimeoutError:
            waited = (time.perf_counter() - started) * 1000
            message = (
                f"RequestId: {request.request_id} Error: "
                f"{_timeout_error(self.limits.init_timeout_s)}"
            )
            payload = error_payload("Sandbox.Timedout", message)
            return self._finish_without_env(spec, request, payload, "Sandbox.Timedout", "", waited)
        except EnvironmentExited as exc:
            waited = (time.perf_counter() - started) * 1000
            message = exit_message(request.request_id, exc.exit_code, exc.signal)
            payload = error_payload("Runtime.ExitError", message)
            return self._finish_without_env(
                spec, request, payload, "Runtime.ExitError", exc.logs, waited
            )
        return await self._run(pool, env, spec, request, env.init.init_duration_ms, env.init.logs)

    async def _run(
        self,
        pool: EnvironmentPool,
        env: ExecutionEnvironment,
        spec: FunctionSpec,
        request: InvokeRequest,
        init_ms: float | None,
        init_logs: str,
    ) -> InvocationResult:
        request.deadline_epoch_ms = time.time() * 1000 + spec.timeout_s * 1000
        started = time.perf_counter()
        # No timer per invocation: the watchdog (``run``) kills what overruns its deadline.
        if not self._deadlines:
            self._busy_again.set()
        self._deadlines[env.env_id] = (spec.timeout_s, env)
        try:
            outcome = await env.invoke(request)
        except InvocationNotStarted as exc:  # queued behind one that died or stalled
            if not exc.returned:
                pool.discard(env)
            return await self._invoke(spec, request)
        except EnvironmentExited as exc:
            pool.discard(env)
            outcome = self._died(env, spec, request, exc, started)
        else:
            pool.observe(outcome.duration_ms)
            if self.limits.enforce_memory and outcome.max_memory_used_mb > spec.memory_mb:
                # A spike between two memory samples: Lambda would have killed the
                # process mid-way, so the invocation fails the same way.
                pool.discard(env)
                outcome = _failure(
                    "Runtime.OutOfMemory",
                    exit_message(request.request_id, None, signals.SIGKILL),
                    outcome.logs,
                    outcome.duration_ms,
                    spec.memory_mb,
                )
            elif not env.in_flight:
                pool.release(env)
        finally:
            if not env.in_flight:
                self._deadlines.pop(env.env_id, None)
        return self._finish(spec, request, outcome, env.launch.env, init_ms, init_logs)

    def _died(
        self,
        env: ExecutionEnvironment,
        spec: FunctionSpec,
        request: InvokeRequest,
        exc: EnvironmentExited,
        started: float,
    ) -> InvokeOutcome:
        """The process died mid-invocation: killed by the watchdog (timeout, memory) or
        crashed on its own."""
        duration = (time.perf_counter() - started) * 1000
        if env.env_id in self._timed_out:
            self._timed_out.discard(env.env_id)
            timeout = _timeout_error(spec.timeout_s)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            return _failure(
                "Sandbox.Timedout",
                f"RequestId: {request.request_id} Error: {timeout}",
                "",
                duration,
                self._memory_used_mb(env, spec),
                log_line=f"{stamp}Z {request.request_id} {timeout}",
            )
        if env.env_id in self._out_of_memory or (
            exc.signal == signals.SIGKILL and env.oom_killed()
        ):
            # the watchdog's sample caught it, or the kernel did (its control group)
            self._out_of_memory.discard(env.env_id)
            error_type, used = "Runtime.OutOfMemory", spec.memory_mb
        else:
            error_type, used = "Runtime.ExitError", self._memory_used_mb(env, spec)
        message = exit_message(request.request_id, exc.exit_code, exc.signal)
        return _failure(error_type, message, exc.logs, duration, used)

    def _finish(
        self,
        spec: FunctionSpec,
        request: InvokeRequest,
        outcome: InvokeOutcome,
        process_env: Mapping[str, str],
        init_ms: float | None,
        init_logs: str,
    ) -> InvocationResult:
        log = platform_logs.InvocationLog(
            request.request_id,
            spec.version,
            outcome.logs,
            outcome.duration_ms,
            spec.memory_mb,
            outcome.max_memory_used_mb,
            init_ms,
            init_logs,
            int(time.time() * 1000),
            log_format=spec.log_format,
            system_log_level=spec.system_log_level,
            application_log_level=spec.application_log_level,
            status=platform_logs.report_status(outcome.error_type),
        )
        stream = process_env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._logs.emit(spec.function_arn, stream, log)
        return InvocationResult(
            payload=outcome.payload,
            function_error=UNHANDLED if outcome.error_type else None,
            log=log,
            executed_version=spec.version,
            cold_start=init_ms is not None,
            duration_ms=outcome.duration_ms,
            init_ms=init_ms,
            error_type=outcome.error_type,
            streamed=outcome.streamed,
        )

    def _finish_without_env(
        self,
        spec: FunctionSpec,
        request: InvokeRequest,
        payload: bytes,
        error_type: str,
        logs: str,
        init_ms: float,
    ) -> InvocationResult:
        """An init that failed: Lambda reports it as the invocation's error."""
        outcome = InvokeOutcome(payload=payload, error_type=error_type, logs="", duration_ms=0.0)
        stream = {"AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name(spec.version)}
        return self._finish(spec, request, outcome, stream, init_ms, logs)

    @staticmethod
    def _memory_used_mb(env: ExecutionEnvironment, spec: FunctionSpec) -> int:
        used = env.rss_bytes() // _MB
        return int(min(used, spec.memory_mb)) if used else 0

    # -- housekeeping ----------------------------------------------------------------
    async def run(self) -> None:
        """Background duties: the watchdog and the provisioner's allocation tasks."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.provisioner.run(), name="provisioned-concurrency")
            tasks.create_task(self._watch(), name="invoker-watchdog")

    async def _watch(self) -> None:
        """Enforce timeouts and memory sizes, reap idle environments.

        Timeouts are checked every ``_TICK_S`` (an invocation overruns by at most that),
        memory every ``memory_check_interval_s``, idle environments about every second.
        """
        last_memory = last_reap = time.monotonic()
        while True:
            if self._deadlines:
                await asyncio.sleep(_TICK_S)
            else:  # nothing running: sleep until something is, or it is time to reap
                self._busy_again.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(_IDLE_TICK_S):
                        await self._busy_again.wait()
            now = time.monotonic()
            self.check_deadlines(now)
            if (
                self.limits.enforce_memory
                and now - last_memory >= self.limits.memory_check_interval_s
            ):
                self.check_memory()
                last_memory = now
            if now - last_reap >= min(1.0, self.limits.keep_warm_s):
                self.reap(now)
                last_reap = now

    def check_deadlines(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for env_id, (timeout_s, env) in list(self._deadlines.items()):
            if (
                env.in_flight  # (answered, its caller not yet resumed: nothing runs)
                and now >= env.head_started + timeout_s
                and env_id not in self._timed_out
            ):
                self._timed_out.add(env_id)
                env.kill()
            elif env.in_flight > 1 and now >= env.head_started + RETURN_QUEUED_AFTER_S:
                env.return_queued()

    def check_memory(self) -> None:
        pools = [*self._pools.values(), *self._retired]
        for pool in pools:
            limit = pool.spec.memory_mb * _MB
            for env in pool.busy():
                if env.alive and env.rss_bytes() > limit:
                    log.warning(
                        "%s exceeded its memory size (%d MB): killing environment %s",
                        pool.spec.function_arn,
                        pool.spec.memory_mb,
                        env.env_id,
                    )
                    self._out_of_memory.add(env.env_id)
                    env.kill()

    def reap(self, now: float | None = None) -> int:
        reaped = 0
        for key, pool in list(self._pools.items()):
            reaped += pool.reap(self.limits.keep_warm_s, now)
            if pool.empty:
                del self._pools[key]
        self._retired = [p for p in self._retired if not p.empty]
        return reaped

    async def wait_idle(self) -> None:
        """Return once no invocation is in flight (graceful shutdown)."""
        if self._in_flight == 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle_waiters.append(future)
        await future

    def _wake_idle_waiters(self) -> None:
        for future in self._idle_waiters:
            if not future.done():
                future.set_result(None)
        self._idle_waiters.clear()

    def close(self) -> None:
        for pool in [*self._pools.values(), *self._retired]:
            pool.retire()
            for env in pool.busy():
                with contextlib.suppress(Exception):
                    env.kill()
        self._pools.clear()
        self._retired.clear()
