"""The contract between the invoker and the execution environments it drives.

An execution environment runs one function version, one invocation at a time
(Lambda's model). The invoker and pools only see :class:`ExecutionEnvironment` and
:class:`EnvironmentFactory`; forked local processes (``runtime/local``), Runtime API
processes for other languages and Ray actors are implementations of them, so a new
kind plugs in without touching the invoker.

Policies live above this contract: the invoker owns timeouts (it calls ``kill``),
memory limits (it samples ``rss_bytes``), concurrency and logging. An environment
only moves an event in and a response out, and says how it died when it dies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """Everything needed to start an environment for one function version."""

    function_name: str  # the plain name (AWS_LAMBDA_FUNCTION_NAME)
    function_arn: str  # unqualified ARN: the function's identity (one per account and region)
    version: str  # "$LATEST" or a published version number
    runtime: str  # e.g. "python3.11"
    handler: str  # e.g. "app.handler"
    code_dir: str  # extracted code: LAMBDA_TASK_ROOT
    code_sha256: str
    memory_mb: int = 128
    timeout_s: float = 3.0
    ephemeral_mb: int = 512  # EphemeralStorage: the size of /tmp
    environment: Mapping[str, str] = field(default_factory=dict)  # the user's variables
    layer_dirs: tuple[str, ...] = ()  # extracted layers, in order: what Lambda mounts at /opt
    snapshot: bool = False  # SnapStart: fork environments from an initialized template
    revision: str = ""  # changes whenever the configuration does: pools key on it
    # LoggingConfig: "Text" or "JSON" (then Lambda's JSON records and level filtering)
    log_format: str = "Text"
    application_log_level: str = ""  # JSON only: TRACE .. FATAL
    system_log_level: str = ""  # JSON only: DEBUG, INFO, WARN
    log_group: str = ""  # empty: /aws/lambda/<function name>

    @property
    def key(self) -> tuple[str, str, str]:
        """Environments are interchangeable exactly when their keys are equal."""
        return (self.function_arn, self.version, self.revision)


@dataclass(frozen=True, slots=True)
class LaunchConfig:
    """A spec plus what the platform decides per environment."""

    spec: FunctionSpec
    env: Mapping[str, str]  # the complete process environment (Lambda's variables included)
    tmp_dir: str  # this environment's private /tmp
    init_timeout_s: float = 10.0


@dataclass(slots=True)
class InvokeRequest:
    request_id: str
    payload: bytes  # the event, JSON
    invoked_function_arn: str
    deadline_epoch_ms: float
    trace_id: str = ""
    client_context: str | None = None  # JSON text (already base64-decoded)
    cognito_identity: dict[str, str] | None = None
    # Response streaming: called with each piece of a streamed response as the function
    # writes it (and the response's content type with the first piece). Environments
    # that cannot stream (Python's) never call it: their payload comes whole, as before.
    on_chunk: Callable[[bytes, str | None], None] | None = None
    # May it wait behind a running invocation of its function (runtime/pool.py)? Not a
    # call made from inside an invocation: the one it was made from may be the one it
    # would wait behind, waiting for it.
    queueable: bool = True


@dataclass(slots=True)
class InvokeOutcome:
    """What one invocation produced. A handler's error is data here, not an exception."""

    payload: bytes  # the response JSON, or Lambda's error object
    error_type: str | None = None  # set when the handler failed: "Unhandled" in Lambda terms
    logs: str = ""  # what the handler printed and logged, in order
    duration_ms: float = 0.0
    max_memory_used_mb: int = 0
    streamed: bool = False  # the body went to ``InvokeRequest.on_chunk``; ``payload`` is empty


@dataclass(slots=True)
class InitOutcome:
    init_duration_ms: float
    logs: str = ""


class EnvironmentError_(Exception):
    """Base of what goes wrong with an execution environment itself."""


class EnvironmentExited(EnvironmentError_):
    """The process died (crash, ``os._exit``, a kill): ``Runtime.ExitError`` to the caller."""

    def __init__(self, exit_code: int | None, signal: int | None, logs: str = "") -> None:
        self.exit_code = exit_code
        self.signal = signal
        self.logs = logs
        super().__init__(f"exit_code={exit_code} signal={signal}")


class InvocationNotStarted(EnvironmentError_):
    """An invocation queued behind another never began: its environment died first, or
    (``returned``) handed it back because the one ahead of it stalled. Nothing of it ran,
    so the invoker runs it in another environment."""

    def __init__(self, env_id: str, *, returned: bool = False) -> None:
        self.returned = returned
        why = "handed it back" if returned else "died"
        super().__init__(f"environment {env_id} {why} before this invocation started")


class InitFailed(EnvironmentError_):
    """The function's init raised (import error, missing handler...): Lambda's error object."""

    def __init__(self, error_payload: bytes, error_type: str, logs: str, init_ms: float) -> None:
        self.error_payload = error_payload
        self.error_type = error_type
        self.logs = logs
        self.init_ms = init_ms
        super().__init__(error_type)


class ExecutionEnvironment(Protocol):
    env_id: str
    launch: LaunchConfig
    init: InitOutcome
    head_started: float  # time.monotonic() when its running invocation began

    async def invoke(self, request: InvokeRequest) -> InvokeOutcome:
        """Run one invocation; raises EnvironmentExited if the process dies meanwhile.

        Called again before the last call returned only where ``queue_room`` allowed it:
        the invocation then waits its turn inside the environment."""
        ...

    @property
    def in_flight(self) -> int:
        """Invocations handed to it and not yet answered."""
        ...

    def queue_room(self, request: InvokeRequest) -> bool:
        """Whether ``request`` may wait behind the invocation it is running."""
        ...

    def wake(self) -> None:
        """An invocation is on its way to this idle environment: let its process wake
        up now, while the server still checks and prepares it (a hint; may do nothing)."""
        ...

    def return_queued(self) -> None:
        """Ask for the invocations queued behind the running one back, unstarted (their
        calls fail with ``InvocationNotStarted(returned=True)``): the running one has
        lasted far longer than the function's invocations do, and might even be waiting
        for one of them. Nothing more is queued behind it."""
        ...

    def kill(self) -> None:
        """Kill the process now (timeout, memory overrun). Idempotent."""
        ...

    def retire(self) -> None:
        """Let an idle environment go (reaping, a new version, a delete): as Lambda's
        spindown, with its extensions' SHUTDOWN phase where they asked for one."""
        ...

    async def wait_closed(self) -> None:
        """Return once the process is gone and its resources are released."""
        ...

    @property
    def alive(self) -> bool: ...

    def rss_bytes(self) -> int:
        """Resident memory now; 0 when unknown."""
        ...

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the environment for its memory limit."""
        ...

    def exit_status(self) -> tuple[int | None, int | None]:
        """(exit code, signal) once the process is gone, else (None, None)."""
        ...


class EnvironmentFactory(Protocol):
    async def create(self, launch: LaunchConfig) -> ExecutionEnvironment:
        """Start an environment and run the function's init.

        Raises InitFailed when init raises, EnvironmentExited when it dies during init.
        The caller bounds the wait (init timeout) by cancelling this coroutine: on
        cancellation the half-started process must be killed before CancelledError
        propagates.
        """
        ...

    def prepare(self, spec: FunctionSpec) -> None:
        """Do ahead what every environment of ``spec`` needs and no caller should wait
        for (a function's folders, its user); idempotent, optional."""
        ...

    def wake(self, spec: FunctionSpec) -> None:
        """An environment of ``spec`` is about to be created: let whatever will start it
        wake up now (a hint; may do nothing)."""
        ...

    async def runtime_ready(self, spec: FunctionSpec) -> None:
        """Make ``spec``'s runtime ready to start environments (its interpreter found, its
        dependencies installed, its fork server started). That is the platform's own
        setup, seconds on a fresh machine: the caller awaits it before the function's
        init timeout starts counting, as Lambda's init phase counts only the function's
        own start."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None:
        """Kill every environment this factory made and release its processes."""
        ...
