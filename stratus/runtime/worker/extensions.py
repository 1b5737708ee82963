"""Lambda's Extensions API inside one environment: extensions register, then hear INVOKE
and SHUTDOWN events, as observability and secrets layers expect.

External extensions are the executables in the layers' ``extensions/`` folder
(``/opt/extensions``), started before the runtime with the function's variables; an
internal one is registered by the runtime process itself during init. Each registers
(``POST /2020-01-01/extension/register`` with ``Lambda-Extension-Name``), receives an
identifier, and then long-polls ``GET /2020-01-01/extension/event/next``. Init completes
when the runtime and every registered extension wait for their next event; an invocation
is delivered to the extensions that subscribed to INVOKE at the moment the runtime gets
it, and the environment takes the next invocation only once they are all waiting again.
On shutdown, SHUTDOWN goes to the subscribers, who have two seconds to finish.

Answers and errors are the ones AWS's emulator renders (403 with ``Extension.*`` types).

Runs inside execution environments: standard library only, Python 3.9 compatible.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from typing import Any, Dict, List, Optional

from . import confine
from .runtime_http import Connection, Request
from .telemetry import InvalidSubscription, Telemetry

API_PREFIX = "/2020-01-01/extension"
TELEMETRY_PREFIXES = ("/2022-07-01/telemetry", "/2020-08-15/logs")
NAME_HEADER = "lambda-extension-name"
ID_HEADER = "lambda-extension-identifier"
MAX_EXTENSIONS = 10
SHUTDOWN_GRACE_S = 2.0  # Lambda's shutdown phase with external extensions


class Extension(object):
    """One registered (or started, not yet registered) extension."""

    def __init__(self, name: str, process: Optional[subprocess.Popen] = None) -> None:  # type: ignore[type-arg]
        self.name = name
        self.process = process
        self.identifier = ""
        self.events: List[str] = []
        self.waiting: Optional[Connection] = None  # its pending /event/next
        self.pending: List[Dict[str, Any]] = []  # events it has not fetched yet
        self.busy = False  # holds an event it has not finished (no /next since)
        self.partial = ""  # its last output line, not ended yet

    @property
    def external(self) -> bool:
        return self.process is not None

    @property
    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None


class ExtensionsHub(object):
    """The extensions of one environment and the API they call."""

    def __init__(self, function: Dict[str, str]) -> None:
        self.function = function  # functionName, functionVersion, handler
        self.extensions: List[Extension] = []
        self.closed = False  # registration ends with init
        self.telemetry = Telemetry()

    # -- start ------------------------------------------------------------------------

    def start(self, directories: List[str], env: Dict[str, str]) -> None:
        """Start every executable in the extensions folders, in name order, as Lambda does."""
        seen = set()
        for directory in directories:
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                continue
            for name in names:
                path = os.path.join(directory, name)
                if name in seen or not os.path.isfile(path) or not os.access(path, os.X_OK):
                    continue
                seen.add(name)
                try:
                    process = subprocess.Popen(
                        [path],
                        env=env,
                        stdin=subprocess.DEVNULL,
                        # its output passes through here on its way to the log, so
                        # ``extension`` subscribers of the Telemetry API get it too
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        close_fds=True,
                        preexec_fn=confine.die_with_parent,
                    )
                except OSError as exc:
                    os.write(2, "extension {} did not start: {}\n".format(name, exc).encode())
                    continue
                self.extensions.append(Extension(name, process))

    # -- state ------------------------------------------------------------------------

    def ready(self) -> bool:
        """Every extension waits for its next event, or has gone."""
        for extension in self.extensions:
            if extension.exited:
                continue
            if not extension.identifier or extension.busy or extension.waiting is None:
                return False
        return True

    def deliver(self, event: Dict[str, Any]) -> None:
        """Give ``event`` to each extension that subscribed to its type."""
        kind = event["eventType"]
        for extension in self.extensions:
            if kind in extension.events and not extension.exited:
                extension.pending.append(event)
                extension.busy = True
                self._feed(extension)

    def relay(self, extension: Extension) -> bool:
        """Pass what an external extension wrote on to the log (descriptor 1) and, line
        by line, to ``extension`` subscribers; False once its output has ended."""
        stream = extension.process.stdout if extension.process is not None else None
        if stream is None:
            return False
        try:
            data = os.read(stream.fileno(), 65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            data = b""
        if not data:
            if extension.partial:
                self.telemetry.emit("extension", extension.partial)
                extension.partial = ""
            return False
        view = memoryview(data)
        while view:
            view = view[os.write(1, view) :]
        text = extension.partial + data.decode("utf-8", "replace")
        *lines, extension.partial = text.split("\n")
        for line in lines:
            self.telemetry.emit("extension", line)
        return True

    def init_done(self, started: float, duration_ms: float, error_type: Optional[str]) -> None:
        """Init is over: the init phase's telemetry, as Lambda sends it to the extensions
        that subscribed during init (``started`` is the wall-clock start, in seconds)."""
        if not self.telemetry.subscriptions:
            return
        phase = {"initializationType": "on-demand", "phase": "init"}
        runtime = os.environ.get("AWS_EXECUTION_ENV", "").replace("AWS_Lambda_", "")
        self.telemetry.emit(
            "platform.initStart",
            dict(
                phase,
                runtimeVersion=runtime,
                runtimeVersionArn="arn:aws:lambda:{}::runtime:{}".format(
                    os.environ.get("AWS_REGION", ""), runtime
                ),
                functionName=self.function.get("functionName", ""),
                functionVersion=self.function.get("functionVersion", ""),
            ),
            started,
        )
        status = "success" if error_type is None else "error"
        done: Dict[str, Any] = dict(phase, status=status)
        if error_type is not None:
            done["errorType"] = error_type
        self.telemetry.emit("platform.initRuntimeDone", done)
        for extension in self.extensions:
            if extension.identifier:
                self.telemetry.emit(
                    "platform.extension",
                    {
                        "name": extension.name,
                        "state": "Ready",
                        "events": list(extension.events),
                    },
                )
        self.telemetry.emit(
            "platform.initReport",
            dict(phase, status=status, metrics={"durationMs": round(duration_ms, 3)}),
        )
        if error_type is None:
            self.telemetry.flush()
        else:
            self.telemetry.drain()

    def subscribers(self, kind: str) -> List[Extension]:
        return [e for e in self.extensions if kind in e.events and not e.exited]

    def stop(self, deadline: float) -> None:
        """After SHUTDOWN: wait until ``deadline`` for external extensions, then kill them."""
        for extension in self.extensions:
            process = extension.process
            if process is None:
                continue
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # -- the API ----------------------------------------------------------------------

    def handle(self, connection: Connection, request: Request) -> None:
        path = request.path
        if path.startswith(TELEMETRY_PREFIXES):
            self._subscribe(connection, request)
            return
        verb = path[len(API_PREFIX) :]
        if verb == "/register":
            if request.method != "POST":
                connection.respond(405, content_type="")
            else:
                self._register(connection, request)
            return
        if verb not in ("/event/next", "/init/error", "/exit/error"):
            connection.respond(
                404, b"404 page not found\n", content_type="text/plain; charset=utf-8"
            )
            return
        if request.method != ("GET" if verb == "/event/next" else "POST"):
            connection.respond(405, content_type="")
            return
        extension = self._identified(connection, request)
        if extension is None:
            return
        if verb == "/event/next":
            if extension.waiting is not None and extension.waiting is not connection:
                extension.waiting.close()
            extension.waiting = connection
            extension.busy = False
            self._feed(extension)
        else:
            connection.respond_json(202, {"status": "OK"})
            os.write(
                2,
                "Extension {} reported {}: {}\n".format(
                    extension.name,
                    request.headers.get("lambda-extension-function-error-type", "an error"),
                    request.body[:1000].decode("utf-8", "replace"),
                ).encode(),
            )

    def _register(self, connection: Connection, request: Request) -> None:
        name = request.headers.get(NAME_HEADER, "")
        if not name:
            connection.respond_json(
                403, _error("Extension.InvalidExtensionName", "Empty extension name")
            )
            return
        try:
            body = json.loads(request.body or b"{}")
            events = body.get("events") or []
            if not isinstance(events, list) or body.get("configurationKeys"):
                raise ValueError(
                    "configurationKeys are deprecated; use environment variables instead"
                )
        except (ValueError, AttributeError) as exc:
            connection.respond_json(403, _error("InvalidRequestFormat", str(exc)))
            return
        extension = next((e for e in self.extensions if e.external and e.name == name), None)
        allowed = ("INVOKE", "SHUTDOWN") if extension is not None else ("INVOKE",)
        for event in events:
            if event not in allowed:
                reason = (
                    "ErrorInvalidEventType"
                    if event not in ("INVOKE", "SHUTDOWN")
                    else ("ErrorEventNotSupportedForInternalAgent")
                )
                connection.respond_json(
                    403, _error("Extension.InvalidEventType", "{}: {}".format(event, reason))
                )
                return
        if extension is None:
            if self.closed:
                connection.respond_json(
                    403,
                    _error("Extension.RegistrationClosed", "Extension registration closed already"),
                )
                return
            if any(e.name == name for e in self.extensions):
                connection.respond_json(
                    403,
                    _error(
                        "Extension.InvalidExtensionState",
                        "Extension with this name already registered",
                    ),
                )
                return
            if len(self.extensions) >= MAX_EXTENSIONS:
                connection.respond_json(
                    403,
                    _error(
                        "Extension.TooManyExtensions",
                        "Extension limit ({}) reached".format(MAX_EXTENSIONS),
                    ),
                )
                return
            extension = Extension(name)
            self.extensions.append(extension)
        elif extension.identifier:
            connection.respond_json(
                403,
                _error(
                    "Extension.InvalidExtensionState",
                    "State transition from Registered to Registered failed for extension {}. "
                    "Error: State transition is not allowed".format(name),
                ),
            )
            return
        extension.identifier = str(uuid.uuid4())
        extension.events = list(events)
        connection.respond(
            200,
            json.dumps(self.function, separators=(",", ":")).encode() + b"\n",
            [("Lambda-Extension-Identifier", extension.identifier)],
        )

    def _identified(self, connection: Connection, request: Request) -> Optional[Extension]:
        identifier = request.headers.get(ID_HEADER, "")
        if not identifier:
            connection.respond_json(
                403,
                _error(
                    "Extension.MissingExtensionIdentifier",
                    "Missing Lambda-Extension-Identifier header",
                ),
            )
            return None
        try:
            uuid.UUID(identifier)
        except ValueError:
            connection.respond_json(
                403,
                _error(
                    "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier"
                ),
            )
            return None
        for extension in self.extensions:
            if extension.identifier == identifier:
                return extension
        connection.respond_json(
            403, _error("Extension.UnknownExtensionIdentifier", "Unknown extension " + identifier)
        )
        return None

    def _subscribe(self, connection: Connection, request: Request) -> None:
        """Telemetry API (and the older Logs API) subscriptions (``telemetry.py``)."""
        if request.method != "PUT":
            connection.respond(405, content_type="")
            return
        extension = self._identified(connection, request)
        if extension is None:
            return
        try:
            self.telemetry.subscribe(request.body, extension.name)
        except InvalidSubscription as exc:
            connection.respond_json(400, _error("ValidationError", str(exc)))
            return
        connection.respond(200, b"OK", content_type="text/plain; charset=utf-8")

    def _feed(self, extension: Extension) -> None:
        if extension.waiting is None or not extension.pending:
            return
        event = extension.pending.pop(0)
        waiting, extension.waiting = extension.waiting, None
        waiting.respond(
            200,
            json.dumps(event, separators=(",", ":")).encode(),
            [("Lambda-Extension-Event-Identifier", str(uuid.uuid4()))],
        )


def invoke_event(header: Dict[str, Any]) -> Dict[str, Any]:
    event: Dict[str, Any] = {
        "eventType": "INVOKE",
        "deadlineMs": int(header.get("dl") or 0),
        "requestId": header["id"],
        "invokedFunctionArn": header.get("arn") or "",
        "tracing": {"type": "X-Amzn-Trace-Id", "value": header.get("tr") or ""},
    }
    return event


def shutdown_event(reason: str, deadline_ms: int) -> Dict[str, Any]:
    return {"eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline_ms}


def _error(error_type: str, message: str) -> Dict[str, object]:
    return {"errorMessage": message, "errorType": error_type}
