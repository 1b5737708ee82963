"""A real in-process platform for integration tests, and the glue the driver needs.

- :class:`PlatformThread` runs ``stratus.platform.Platform`` on its own event loop in a
  background thread, so plain (sync) tests share one platform and submit coroutines to it.
- :func:`registry_executor` adapts the in-memory driver's ``TaskExecutor`` to the
  integration contract (``TaskRequest``), and parks ``AWAIT_CALLBACK`` tasks until a test
  answers their token through :class:`Callbacks` (SendTaskSuccess/SendTaskFailure).
- :class:`DriverStarter` is a small but real ``ExecutionStarter`` on the same driver:
  named child executions, idempotent for the same name and input.
"""

from __future__ import annotations

import asyncio
import io
import threading
import zipfile
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from stratus.aws.lambda_.component import FunctionsComponent
from stratus.platform import Platform, PlatformConfig
from stratus.services.functions.errors import Conflict
from stratus.services.functions.names import function_arn
from stratus.services.functions.settings import FunctionSettings
from stratus.workflows import tokens
from stratus.workflows.definition import StateMachine, parse_definition
from stratus.workflows.driver import Clock, Driver, ExecutionResult, TaskContext, TaskExecutor
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.base import AWAIT_CALLBACK, IntegrationRegistry, TaskRequest

T = TypeVar("T")
ROLE = "arn:aws:iam::000000000000:role/stratus-test"
REGION = "us-east-1"
ACCOUNT = "000000000000"

#: One handler module for every test function; BEHAVIOR (an environment variable) picks
#: what it does, so a case can give a function another behaviour by reconfiguring it.
FUNCTION_SOURCE = """\
import os
import time


class CustomException(Exception):
    def __init__(self):
        self.message = "Some custom exception was raised."


def handler(event, context):
    behavior = os.environ.get("BEHAVIOR", "identity")
    if behavior == "identity":
        return event
    if behavior == "raise":
        raise Exception("Some exception was raised.")
    if behavior == "custom":
        raise CustomException()
    if behavior == "sleep":
        time.sleep(60)
        return event
    if behavior == "large":
        return ("a" * 263168).encode()
    if behavior == "constant":
        return {"Return": "HelloWorld"}
    if behavior == "bytes":
        return b'"HelloWorld!"'
    if behavior == "input-event":
        return f"input-event-{event}"
    if behavior == "print":
        print("hello from the function")
        return event
    raise ValueError("unknown behavior " + behavior)
"""


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", FUNCTION_SOURCE)
    return buffer.getvalue()


class PlatformThread:
    """A started Platform on a private event loop in a daemon thread."""

    def __init__(self, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.platform = Platform(PlatformConfig(data_dir=data_dir, port=0, gateway_port=0))
        self.run(self.platform.start())
        self._behaviors: dict[str, str] = {}

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 90.0) -> T:
        """Run ``coro`` on the platform's loop and wait for its result."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    async def ensure_function(
        self, name: str, behavior: str, timeout: int = 3, *, account: str = ACCOUNT
    ) -> None:
        """A function ``name`` of ``account`` that behaves as ``behavior`` (created or
        reconfigured)."""
        function_id = function_arn(REGION, name, account=account)
        if self._behaviors.get(function_id) == behavior:
            return
        settings = FunctionSettings(
            runtime="python3.11",
            role=ROLE,
            handler="app.handler",
            timeout=timeout,
            environment={"BEHAVIOR": behavior},
        )
        registry = self.platform.component(FunctionsComponent).registry
        try:
            await registry.create(function_id, settings, function_zip())
        except Conflict:
            await registry.update_configuration(
                function_id,
                FunctionSettings(environment={"BEHAVIOR": behavior}, timeout=timeout),
            )
        self._behaviors[function_id] = behavior

    def close(self) -> None:
        self.run(self.platform.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


class Callbacks:
    """Parked ``.waitForTaskToken`` tasks by token, answered by tests."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[Any]] = {}
        self.arrived: dict[str, asyncio.Event] = {}

    def park(self, token: str) -> asyncio.Future[Any]:
        future = asyncio.get_running_loop().create_future()
        self._waiting[token] = future
        self._event(token).set()
        return future

    def _event(self, token: str) -> asyncio.Event:
        return self.arrived.setdefault(token, asyncio.Event())

    async def wait_parked(self, token: str) -> None:
        await self._event(token).wait()

    def tokens(self) -> list[str]:
        return list(self._waiting)

    def send_success(self, token: str, output: Any) -> None:
        self._waiting.pop(token).set_result(output)

    def send_failure(self, token: str, error: str, cause: str) -> None:
        self._waiting.pop(token).set_exception(StatesError(error, cause))


def registry_executor(
    registry: IntegrationRegistry,
    execution_arn: str,
    callbacks: Callbacks | None = None,
    requests: list[TaskRequest] | None = None,
) -> TaskExecutor:
    """The driver's executor, running every task through ``registry``."""

    async def execute(resource: str, task_input: Any, context: TaskContext) -> Any:
        task = context.context.get("Task") or {}
        token = task.get("Token") or tokens.encode(execution_arn, context.token)
        request = TaskRequest(
            resource=resource,
            input=task_input,
            execution_arn=execution_arn,
            state_name=context.state_name,
            task_token=token,
            context=context.context,
            timeout_seconds=context.timeout_seconds,
            heartbeat_seconds=context.heartbeat_seconds,
        )
        if requests is not None:
            requests.append(request)
        result = await registry.run(request)
        if result is AWAIT_CALLBACK:
            if callbacks is None:
                raise AssertionError("a callback task without Callbacks")
            return await callbacks.park(token)
        return result

    return execute


def execution_arn(machine_arn: str, name: str) -> str:
    return machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"


def machine_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:states:{REGION}:{account}:stateMachine:{name}"


async def run_machine(
    definition: dict[str, Any] | str,
    execution_input: Any,
    registry: IntegrationRegistry,
    *,
    callbacks: Callbacks | None = None,
    name: str = "parent",
    clock: Clock | None = None,
    requests: list[TaskRequest] | None = None,
) -> ExecutionResult:
    """Run one execution of ``definition`` with every task through ``registry``."""
    text = definition if isinstance(definition, str) else orjson.dumps(definition).decode()
    machine = parse_definition(text)
    arn = execution_arn(machine_arn("machine"), name)
    executor = registry_executor(registry, arn, callbacks, requests)
    driver = Driver(machine, executor, clock=clock)
    return await driver.run(execution_input, execution_arn=arn, name=name)


@dataclass
class _Child:
    arn: str
    machine_arn: str
    name: str
    input_text: str
    started: datetime
    task: asyncio.Task[ExecutionResult]
    stopped: datetime | None = None


@dataclass
class DriverStarter:
    """A real ExecutionStarter: child executions run on the in-memory driver."""

    registry: IntegrationRegistry
    machines: dict[str, StateMachine] = field(default_factory=dict)
    children: dict[str, _Child] = field(default_factory=dict)
    starts: int = 0

    def add_machine(self, name: str, definition: dict[str, Any]) -> str:
        arn = machine_arn(name)
        self.machines[arn] = parse_definition(orjson.dumps(definition).decode())
        return arn

    async def start_child(
        self, state_machine_arn: str, execution_input: Any, name: str | None, parent_arn: str
    ) -> dict[str, Any]:
        machine = self.machines.get(state_machine_arn)
        if machine is None:
            raise StatesError(
                "StepFunctions.StateMachineDoesNotExistException",
                f"State Machine Does Not Exist: '{state_machine_arn}' (Service: "
                "AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; "
                "Request ID: 00000000-0000-0000-0000-000000000000; Proxy: null)",
            )
        assert name is not None
        arn = execution_arn(state_machine_arn, name)
        input_text = orjson.dumps(execution_input).decode()
        existing = self.children.get(arn)
        if existing is not None:
            if existing.input_text != input_text:
                raise StatesError(
                    "StepFunctions.ExecutionAlreadyExistsException",
                    f"Execution Already Exists: '{arn}'",
                )
            return {"ExecutionArn": arn, "StartDate": existing.started}
        self.starts += 1
        executor = registry_executor(self.registry, arn)
        driver = Driver(machine, executor)
        child = _Child(
            arn,
            state_machine_arn,
            name,
            input_text,
            datetime.now(UTC),
            asyncio.create_task(
                driver.run(
                    execution_input,
                    execution_arn=arn,
                    name=name,
                    state_machine_arn=state_machine_arn,
                )
            ),
        )
        self.children[arn] = child
        return {"ExecutionArn": arn, "StartDate": child.started}

    async def wait_finished(self, execution_arn: str) -> dict[str, Any]:
        child = self.children[execution_arn]
        result = await child.task
        if child.stopped is None:
            child.stopped = datetime.now(UTC)
        described: dict[str, Any] = {
            "executionArn": child.arn,
            "stateMachineArn": child.machine_arn,
            "name": child.name,
            "status": result.status,
            "startDate": child.started,
            "stopDate": child.stopped,
            "input": child.input_text,
            "inputDetails": {"included": True},
        }
        if result.status == "SUCCEEDED":
            described["output"] = orjson.dumps(result.output).decode()
            described["outputDetails"] = {"included": True}
        else:
            if result.error is not None:
                described["error"] = result.error
            if result.cause is not None:
                described["cause"] = result.cause
        return described
