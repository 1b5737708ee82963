"""An environment whose function is a process of its own, reached through the Runtime API.

Custom runtimes (``provided.al2023``: a ``bootstrap`` in the code or a layer) and the
runtimes we run through a client of our own (Node.js) work as in Lambda: the runtime is
started with Lambda's variables, asks ``GET /2018-06-01/runtime/invocation/next`` for an
event and posts the response or the error back. This process is that Runtime API for one
environment. It is a child of the zygote like any Python environment, so it becomes an
environment the same way (``sandbox.apply_launch``: control group, mounts, the
function's user) and keeps the same frames with the server (``runtime.py``); the runtime
it starts inherits all of that, and its descriptors 1 and 2, which the server reads into
the function's log. Timeouts, memory limits, freezing and reaping therefore work for
these runtimes exactly as for Python, with no code of their own in the server.

The API listens on a loopback port of its own (``AWS_LAMBDA_RUNTIME_API``). Answers and
error bodies are Lambda's (``runtime-api.yaml``, and what the official emulator renders):
202 ``{"status":"OK"}``, 400 ``InvalidRequestID``, 403 ``InvalidStateTransition``, 413
``RequestEntityTooLarge``.

Runs inside execution environments: standard library only, Python 3.9 compatible.
"""

from __future__ import annotations

import base64
import json
import math
import os
import selectors
import signal
import socket
import subprocess
import time
from typing import Any, Dict, List, Optional, Tuple

from . import confine, faults, mounts, node_pool, sandbox
from .extensions import (
    API_PREFIX as EXTENSIONS_PREFIX,
)
from .extensions import (
    SHUTDOWN_GRACE_S,
    TELEMETRY_PREFIXES,
    Extension,
    ExtensionsHub,
    invoke_event,
    shutdown_event,
)
from .protocol import ConnectionClosed, FrameReader, send_parts
from .runtime_http import BadRequest, Connection, Request

API_PREFIX = "/2018-06-01"
MAX_RESPONSE_BYTES = 6291556  # Lambda's synchronous response limit, as its errors say it
# A streamed response's soft limit (Lambda's documented 20 MB for response streaming).
MAX_STREAM_BYTES = 20 * 1024 * 1024
RESPONSE_MODE_HEADER = "lambda-runtime-function-response-mode"
ERROR_BODY_TRAILER = "lambda-runtime-function-error-body"
ERROR_TYPE_HEADER = "lambda-runtime-function-error-type"
_NEXT = "/runtime/invocation/next"
_INIT_ERROR = "/runtime/init/error"
_INVOCATION = "/runtime/invocation/"
_TOO_LARGE = {
    "errorMessage": "Response payload size exceeded maximum allowed payload size "
    "({} bytes).".format(MAX_RESPONSE_BYTES),
    "errorType": "Function.ResponseSizeTooLarge",
}


class RuntimeExited(Exception):
    """The runtime process ended; ``status`` is its ``waitpid`` status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class BootstrapWorker(object):
    """One environment whose function runs as a separate process (see the module doc)."""

    def __init__(self, sock: socket.socket, config: Dict[str, Any]) -> None:
        self.sock = sock
        self.config = config
        self.selector = selectors.DefaultSelector()
        self.listener: Optional[socket.socket] = None
        self.process: Optional[subprocess.Popen] = None  # type: ignore[type-arg]
        self.pending_next: Optional[Connection] = None  # the runtime's waiting /next
        self.current: Optional[str] = None  # the request id being answered
        self.outcome: Optional[Tuple[Optional[str], bytes]] = None  # (error?, body)
        self.init_error: Optional[Dict[str, Any]] = None
        self.initialized = False
        self.hub = ExtensionsHub({})
        self._server_ready = False
        self._partial = ""  # the runtime's last output line, not ended yet
        # Response streaming: the server asked for chunks as they come ("st" in the
        # invocation), and what has been passed on so far.
        self.stream_wanted = False
        self.streamed = -1  # bytes passed on; -1: no streamed response this invocation
        self.stream_type = ""
        self.stream_overflow = False

    # -- init -------------------------------------------------------------------------

    def initialize(self) -> bool:
        """Become the environment, start the runtime and wait for its first ``/next``."""
        start = time.perf_counter()
        error: Optional[Dict[str, Any]] = None
        try:
            sandbox.apply_launch(self.config)
            argv = self._command()
            self.open_extensions()  # first: Lambda starts the runtime once they registered
            self._start(argv)
            while (self.pending_next is None or not self.hub.ready()) and self.init_error is None:
                self._step(None)
            self.hub.closed = True
            error = self.init_error
        except faults.Fault as fault:
            error = faults.error_from_fault(fault)
        except RuntimeExited as exited:
            error = faults.make_error(_exit_text(exited.status), "Runtime.ExitError", None)
        self.initialized = error is None
        elapsed = time.perf_counter() - start
        self.hub.init_done(
            time.time() - elapsed,
            elapsed * 1000.0,
            error["errorType"] if error is not None else None,
        )
        header = {
            "op": "init",
            "ms": (time.perf_counter() - start) * 1000.0,
            "error": error["errorType"] if error is not None else None,
            # the server then retires this environment gently: SHUTDOWN has listeners
            "shutdown_listeners": len(self.hub.subscribers("SHUTDOWN")),
        }
        body = faults.error_json(error) if error is not None else b""
        header["n"] = len(body)
        send_parts(self.sock, header, body)
        if error is not None:
            self._stop_runtime()
        return error is None

    def _command(self) -> List[str]:
        """The runtime's command line: our client for a managed runtime, else the
        function's ``bootstrap`` (code first, then layers, as Lambda looks)."""
        spec = self.config.get("bootstrap") or {}
        if spec.get("argv"):
            return list(spec["argv"])
        task_root = os.getcwd()
        candidates = [os.path.join(task_root, "bootstrap")]
        if mounts.STATE.enabled and mounts.STATE.opt:
            candidates.append(os.path.join(mounts.OPT, "bootstrap"))
        else:
            candidates.extend(os.path.join(d, "bootstrap") for d in self.config.get("layers") or ())
        for path in candidates:
            if os.path.isfile(path):
                return [path]
        shown = [os.path.join(mounts.TASK_ROOT if mounts.STATE.enabled else task_root, "bootstrap")]
        shown.append(os.path.join(mounts.OPT, "bootstrap"))
        raise faults.Fault(
            "Runtime.InvalidEntrypoint",
            "Couldn't find valid bootstrap(s): [{}]".format(" ".join(shown)),
        )

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.setblocking(False)
        listener.set_inheritable(False)
        self.listener = listener
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        os.environ["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:{}".format(listener.getsockname()[1])

    def open_extensions(self) -> None:
        """Serve the API, start the external extensions and wait for them to register.

        A Python environment calls this too (``runtime.py``) when its layers bring
        extensions: its handler runs in-process, the extensions beside it through here."""
        self._listen()
        self.hub.function = {
            "functionName": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            "functionVersion": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
            "handler": os.environ.get("_HANDLER", ""),
        }
        self.hub.start(extension_dirs(self.config), self._runtime_env())
        for extension in self.hub.extensions:
            self._watch_exit(extension.process, "extension-exit")
            stream = extension.process.stdout if extension.process is not None else None
            if stream is not None:
                os.set_blocking(stream.fileno(), False)
                self.selector.register(stream, selectors.EVENT_READ, extension)
        while not all(e.identifier or e.exited for e in self.hub.extensions):
            self._step(None)

    def extensions_ready(self) -> None:
        """Wait until every extension waits for its next event; registration then closes."""
        while not self.hub.ready():
            self._step(None)
        self.hub.closed = True

    def announce(self, header: Dict[str, Any]) -> None:
        """An invocation begins: once the extensions are done with the last one, tell
        those that subscribed to INVOKE."""
        while not self.hub.ready():
            self._step(None)
        if self.hub.extensions:
            self.hub.deliver(invoke_event(header))
            self.hub.telemetry.emit(
                "platform.start",
                {
                    "requestId": header["id"],
                    "version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
                },
            )

    def finished(self, header: Dict[str, Any], reply: Dict[str, Any], logs: bytes = b"") -> None:
        """An invocation's answer is on its way: the telemetry Lambda sends for it.
        ``logs`` is what an in-process (Python) handler wrote: ``function`` events."""
        if not self.hub.telemetry.subscriptions:
            return
        if logs:
            for line in logs.decode("utf-8", "replace").splitlines():
                self.hub.telemetry.emit("function", line)
        status = "error" if reply.get("e") else "success"
        duration = round(float(reply.get("ms") or 0.0), 3)
        request_id = header["id"]
        self.hub.telemetry.emit(
            "platform.runtimeDone",
            {
                "requestId": request_id,
                "status": status,
                "metrics": {"durationMs": duration, "producedBytes": int(reply.get("n") or 0)},
            },
        )
        self.hub.telemetry.emit(
            "platform.report",
            {
                "requestId": request_id,
                "status": status,
                "metrics": {
                    "durationMs": duration,
                    "billedDurationMs": math.ceil(duration),
                    "memorySizeMB": int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or 0),
                    "maxMemoryUsedMB": int(reply.get("mem") or 0),
                },
            },
        )
        self.hub.telemetry.flush()

    def serve_until_invocation(self) -> None:
        """Serve the extensions until the server sends something (a frame, or EOF)."""
        if self.sock.fileno() not in self.selector.get_map():
            self.selector.register(self.sock, selectors.EVENT_READ, "server")
        self._wait_for_server()

    def _runtime_env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.pop(node_pool.POOL_FD_VARIABLE, None)  # ours alone: a pooled node's link
        spec = self.config.get("bootstrap") or {}
        env.update(spec.get("env") or {})
        if spec.get("node_major"):
            env.setdefault("NODE_PATH", self._node_path(int(spec["node_major"])))
        return env

    def _watch_exit(self, process: Optional[subprocess.Popen], kind: str) -> None:  # type: ignore[type-arg]
        if process is None:
            return
        try:
            pidfd = os.pidfd_open(process.pid)
        except (AttributeError, OSError):  # pragma: no cover - kernels before 5.3
            return
        self.selector.register(pidfd, selectors.EVENT_READ, kind)

    def _start(self, argv: List[str]) -> None:
        env = self._runtime_env()
        # A node started ahead of time (node_pool), when one waits here and fits: its
        # output comes through a pipe of ours, relayed below as with extensions.
        memory = int(self.config.get("memory_mb") or node_pool.DEFAULT_MEMORY_MB)
        self.process = node_pool.take(argv, env, memory)
        if self.process is None:
            self.process = self._popen(argv, env)
        self._watch_exit(self.process, "exit")
        if self.process.stdout is not None:
            os.set_blocking(self.process.stdout.fileno(), False)
            self.selector.register(self.process.stdout, selectors.EVENT_READ, "output")

    def _popen(self, argv: List[str], env: Dict[str, str]) -> "subprocess.Popen[bytes]":
        # With extensions, the runtime's output passes through here on its way to the
        # log, so Telemetry API subscribers get the function's lines too.
        relay = subprocess.PIPE if self.hub.extensions else None
        try:
            return subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=relay,
                stderr=subprocess.STDOUT if relay else None,
                close_fds=True,
                preexec_fn=confine.die_with_parent,
            )
        except OSError as exc:
            raise faults.Fault(
                "Runtime.InvalidEntrypoint",
                "fork/exec {}: {}".format(argv[0], _os_reason(exc)),
            ) from None

    def _relay_output(self) -> bool:
        """Pass what the runtime wrote on to the log (descriptor 1) and, line by line,
        to telemetry; False once nothing is left to read for now."""
        stream = self.process.stdout if self.process is not None else None
        if stream is None:
            return False
        try:
            data = os.read(stream.fileno(), 65536)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:
            try:
                self.selector.unregister(stream)
            except (KeyError, ValueError):
                pass
            return False
        view = memoryview(data)
        while view:
            view = view[os.write(1, view) :]
        text = self._partial + data.decode("utf-8", "replace")
        *lines, self._partial = text.split("\n")
        for line in lines:
            self.hub.telemetry.emit("function", line)
        return True

    def _drain_output(self) -> None:
        while self._relay_output():
            pass

    def _node_path(self, major: int) -> str:
        """Lambda's NODE_PATH: the layers' ``nodejs`` folders, then the task root."""
        if mounts.STATE.enabled and mounts.STATE.opt:
            opts = [mounts.OPT]
        else:
            opts = list(reversed(self.config.get("layers") or ()))
        parts: List[str] = []
        for opt in opts:
            parts.append(os.path.join(opt, "nodejs", "node{}".format(major), "node_modules"))
            parts.append(os.path.join(opt, "nodejs", "node_modules"))
        parts.append(os.getcwd())
        return ":".join(parts)

    # -- invocations ------------------------------------------------------------------

    def serve(self) -> None:
        """Answer the server's invocations until it closes the socket."""
        read = FrameReader(self.sock).read
        self.selector.register(self.sock, selectors.EVENT_READ, "server")
        try:
            while True:
                try:
                    self._wait_for_server()
                    header, event = read()
                except ConnectionClosed:
                    self.shut_down()
                    return
                reply, body = self.invoke(header, event)
                self._drain_output()
                send_parts(self.sock, reply, body)
                self.finished(header, reply)
        except RuntimeExited as exited:
            _exit_like(exited.status)
        finally:
            self._stop_runtime()

    def _wait_for_server(self) -> None:
        """Serve the API (and notice the runtime's death) until an invocation arrives."""
        self._server_ready = False
        while not self._server_ready:
            self._step(None)

    def shut_down(self) -> None:
        """The server let this environment go: SHUTDOWN to the extensions that asked for
        it, two seconds for them to finish (Lambda's limit with external extensions)."""
        listeners = self.hub.subscribers("SHUTDOWN")
        if not listeners:
            return
        deadline = time.monotonic() + SHUTDOWN_GRACE_S
        deadline_ms = int((time.time() + SHUTDOWN_GRACE_S) * 1000)
        self.hub.deliver(shutdown_event("spindown", deadline_ms))
        try:
            while time.monotonic() < deadline and not all(
                e.exited or (e.waiting is not None and not e.busy) for e in listeners
            ):
                self._step(max(0.0, deadline - time.monotonic()))
        except RuntimeExited:
            pass
        self.hub.stop(deadline)

    def invoke(self, header: Dict[str, Any], event: bytes) -> Tuple[Dict[str, Any], bytes]:
        start = time.perf_counter()
        while self.pending_next is None:
            self._step(None)
        self.announce(header)
        request_id = header["id"]
        headers = [
            ("Lambda-Runtime-Aws-Request-Id", request_id),
            ("Lambda-Runtime-Deadline-Ms", str(header.get("dl") or 0)),
            ("Lambda-Runtime-Invoked-Function-Arn", header.get("arn") or ""),
        ]
        if header.get("tr"):
            headers.append(("Lambda-Runtime-Trace-Id", header["tr"]))
        if header.get("cc"):
            headers.append(("Lambda-Runtime-Client-Context", header["cc"]))
        if header.get("ci"):
            identity = header["ci"]
            if not isinstance(identity, str):
                identity = json.dumps(identity, separators=(",", ":"))
            headers.append(("Lambda-Runtime-Cognito-Identity", identity))
        if header.get("tn"):
            headers.append(("Lambda-Runtime-Aws-Tenant-Id", header["tn"]))
        waiting, self.pending_next = self.pending_next, None
        self.current, self.outcome = request_id, None
        self.stream_wanted = bool(header.get("st"))
        self.streamed, self.stream_type, self.stream_overflow = -1, "", False
        waiting.respond(200, event, headers)
        while self.outcome is None:
            self._step(None)
        error, body = self.outcome
        self.current = self.outcome = None
        reply: Dict[str, Any] = {
            "n": len(body),
            "e": error,
            "ms": (time.perf_counter() - start) * 1000.0,
            "mem": self._max_memory_mb(),
        }
        if self.streamed >= 0:
            reply["s"] = self.streamed  # the body went out as chunks already
        return reply, body

    def _max_memory_mb(self) -> int:
        """The runtime process's peak resident memory (what Lambda reports is the whole
        environment's; the runtime is nearly all of it)."""
        if self.process is None:
            return 0
        try:
            with open("/proc/{}/status".format(self.process.pid)) as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except (OSError, ValueError):
            pass
        return 0

    # -- the event loop ---------------------------------------------------------------

    def _step(self, timeout: Optional[float]) -> None:
        for key, _ in self.selector.select(timeout):
            kind = key.data
            if kind == "accept":
                self._accept()
            elif kind == "exit":
                self._reap()
            elif kind == "server":
                self._server_ready = True
            elif kind == "output":
                self._relay_output()
            elif isinstance(kind, Extension):
                if not self.hub.relay(kind):
                    self._drop_stream(key.fileobj)
            elif kind == "extension-exit":
                self.selector.unregister(key.fileobj)
                os.close(key.fd)
            else:
                self._read(key.fileobj)  # type: ignore[arg-type]

    def _drop_stream(self, stream: Any) -> None:
        """Stop watching an extension's output once it ended."""
        try:
            self.selector.unregister(stream)
        except (KeyError, ValueError):
            pass

    def _accept(self) -> None:
        assert self.listener is not None
        while True:
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            if not _same_user(sock):
                sock.close()  # another function's process: this API is not its to use
                continue
            sock.setblocking(False)
            sock.set_inheritable(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(sock, MAX_RESPONSE_BYTES, self._on_head)
            self.selector.register(connection, selectors.EVENT_READ, "http")

    def _read(self, connection: Connection) -> None:
        try:
            requests = connection.read()
        except (BadRequest, EOFError):
            self._drop(connection)
            return
        for request in requests:
            self._handle(connection, request)
            if connection.closed:
                self._drop(connection)
                return

    def _drop(self, connection: Connection) -> None:
        if self.pending_next is connection:
            self.pending_next = None
        try:
            self.selector.unregister(connection)
        except (KeyError, ValueError):
            pass
        connection.close()

    def _reap(self) -> None:
        assert self.process is not None
        try:
            pid, status = os.waitpid(self.process.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.process.pid, 0
        if pid:
            self.process.returncode = status
            raise RuntimeExited(status)

    # -- the API ----------------------------------------------------------------------

    def _handle(self, connection: Connection, request: Request) -> None:
        path = request.path
        if path.startswith((EXTENSIONS_PREFIX + "/", *TELEMETRY_PREFIXES)):
            self.hub.handle(connection, request)
            return
        if not path.startswith(API_PREFIX + "/"):
            connection.respond(
                404, b"404 page not found\n", content_type="text/plain; charset=utf-8"
            )
            return
        path = path[len(API_PREFIX) :]
        if path == _NEXT:
            if request.method != "GET":
                connection.respond(405, content_type="")
                return
            self._next(connection)
        elif path == _INIT_ERROR:
            if request.method != "POST":
                connection.respond(405, content_type="")
                return
            self._init_failed(connection, request)
        elif path.startswith(_INVOCATION) and path.count("/") == 4:
            request_id, _, verb = path[len(_INVOCATION) :].partition("/")
            if verb not in ("response", "error"):
                connection.respond(
                    404, b"404 page not found\n", content_type="text/plain; charset=utf-8"
                )
            elif request.method != "POST":
                connection.respond(405, content_type="")
            elif not request_id or request_id != self.current or self.outcome is not None:
                connection.respond_json(
                    400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
                )
            elif verb == "response":
                self._responded(connection, request)
            else:
                self._failed(connection, request)
        else:
            connection.respond(
                404, b"404 page not found\n", content_type="text/plain; charset=utf-8"
            )

    def _next(self, connection: Connection) -> None:
        if self.current is not None and self.outcome is None:
            connection.respond_json(403, _transition_error("Running", "Ready"))
            return
        if self.init_error is not None:
            connection.respond_json(403, _transition_error("InitError", "Ready"))
            return
        if self.pending_next is not None and self.pending_next is not connection:
            self._drop(self.pending_next)  # a runtime that asks twice keeps the last ask
        self.pending_next = connection

    def _init_failed(self, connection: Connection, request: Request) -> None:
        if self.initialized or self.init_error is not None:
            connection.respond_json(403, _transition_error("Ready", "InitError"))
            return
        connection.respond_json(202, {"status": "OK"})
        self.init_error = _error_object(request, "Runtime.Unknown")

    def _on_head(self, request: Request) -> None:
        """A streamed response (``Lambda-Runtime-Function-Response-Mode: streaming``) for
        a server that wants it streamed: its body goes on as it arrives, chunk by chunk."""
        if (
            not self.stream_wanted
            or self.current is None
            or self.outcome is not None
            or request.method != "POST"
            or request.headers.get(RESPONSE_MODE_HEADER, "").lower() != "streaming"
            or request.path != "{}{}{}/response".format(API_PREFIX, _INVOCATION, self.current)
        ):
            return
        self.streamed = 0
        self.stream_type = request.headers.get("content-type") or "application/octet-stream"
        request.sink = self._stream_chunk

    def _stream_chunk(self, data: bytes) -> None:
        if self.stream_overflow:
            return
        if self.streamed + len(data) > MAX_STREAM_BYTES:
            self.stream_overflow = True
            return
        header: Dict[str, Any] = {"op": "chunk"}
        if self.streamed == 0:
            header["ct"] = self.stream_type
        self.streamed += len(data)
        send_parts(self.sock, header, data)

    def _responded(self, connection: Connection, request: Request) -> None:
        error_type = request.trailers.get(ERROR_TYPE_HEADER)
        if error_type:  # a streamed response that failed midway: its trailers say how
            connection.respond_json(202, {"status": "OK"})
            self.outcome = ("Unhandled", _trailer_error(request, error_type))
            return
        if request.sink is not None:
            connection.respond_json(202, {"status": "OK"})
            if self.stream_overflow:
                message = "Response payload size exceeded maximum allowed payload size ({} bytes).".format(
                    MAX_STREAM_BYTES
                )
                error = {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}
                self.outcome = ("Unhandled", json.dumps(error).encode())
            else:
                self.outcome = (None, b"")
            return
        if request.truncated:
            connection.respond_json(
                413,
                {
                    "errorMessage": "Exceeded maximum allowed payload size ({} bytes).".format(
                        MAX_RESPONSE_BYTES
                    ),
                    "errorType": "RequestEntityTooLarge",
                },
            )
            self.outcome = ("Unhandled", json.dumps(_TOO_LARGE).encode())
            return
        connection.respond_json(202, {"status": "OK"})
        self.outcome = (None, request.body)

    def _failed(self, connection: Connection, request: Request) -> None:
        connection.respond_json(202, {"status": "OK"})
        error = _error_object(request, "Unhandled")
        self.outcome = ("Unhandled", json.dumps(error, separators=(",", ":")).encode())

    # -- the end ----------------------------------------------------------------------

    def _stop_runtime(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            try:
                process.kill()
                process.wait()
            except OSError:
                pass


def extension_dirs(config: Dict[str, Any]) -> List[str]:
    """Where the environment's external extensions are: ``/opt/extensions``."""
    if mounts.STATE.enabled and mounts.STATE.opt:
        return [os.path.join(mounts.OPT, "extensions")]
    # unmounted, a later layer's file replaces an earlier one's, as in /opt
    return [os.path.join(d, "extensions") for d in reversed(config.get("layers") or ())]


def has_extensions(config: Dict[str, Any]) -> bool:
    """Whether any layer brings an extension (one ``listdir`` per layer, at init)."""
    for directory in extension_dirs(config):
        try:
            if os.listdir(directory):
                return True
        except OSError:
            continue
    return False


def _same_user(sock: socket.socket) -> bool:
    """True when the connecting socket belongs to this environment's user.

    The API listens on loopback, where any process of the machine may connect; with
    each function running as a user of its own, the kernel's socket table tells whose
    process is on the other end (``/proc/net/tcp``: the peer's end of this very
    connection, matched on both addresses, since one local port may serve connections
    to several places, and its ``uid`` column). Without a user of its own (no
    isolation) there is nobody to tell apart. The table is read in pieces, not at
    once: a busy machine's changing sockets can hide an entry from one reading, so a
    missing peer is looked for again."""
    if confine.STATE.uid < 0:
        return True
    try:
        peer = _hex_address(sock.getpeername())
        ours = _hex_address(sock.getsockname())
    except (OSError, ValueError):
        return False
    for _ in range(_PEER_LOOKUPS):
        owner = _socket_owner(peer, ours)
        if owner is not None:
            return owner == os.getuid()
    return False


_PEER_LOOKUPS = 5
_ESTABLISHED = "01"


def _hex_address(address: Any) -> str:
    """``("127.0.0.1", 8080)`` as ``/proc/net/tcp`` writes it: ``0100007F:1F90``."""
    packed = socket.inet_aton(address[0])
    return "{:08X}:{:04X}".format(int.from_bytes(packed, "little"), address[1])


def _socket_owner(local: str, remote: str) -> Optional[int]:
    try:
        with open("/proc/net/tcp") as table:
            next(table)
            for line in table:
                fields = line.split()
                if (
                    len(fields) > 7
                    and fields[1] == local
                    and fields[2] == remote
                    and fields[3] == _ESTABLISHED
                ):
                    return int(fields[7])
    except (OSError, ValueError, StopIteration):
        return None
    return None


def _error_object(request: Request, default_type: str) -> Dict[str, Any]:
    """The error a runtime posted: its JSON object when it sent one, else one made from
    the ``Lambda-Runtime-Function-Error-Type`` header and the body's text, as Lambda does."""
    header_type = request.headers.get(ERROR_TYPE_HEADER, "")
    try:
        posted = json.loads(request.body) if request.body and not request.truncated else None
    except ValueError:
        posted = None
    if isinstance(posted, dict):
        posted.setdefault("errorType", header_type or default_type)
        posted.setdefault("errorMessage", "")
        return posted
    text = request.body.decode("utf-8", "replace") if not request.truncated else ""
    return {"errorMessage": text, "errorType": header_type or default_type}


def _trailer_error(request: Request, error_type: str) -> bytes:
    """The error of a stream that failed midway, from its trailers (the body trailer is
    the error object, base64-encoded, as AWS's runtime clients write it)."""
    encoded = request.trailers.get(ERROR_BODY_TRAILER, "")
    try:
        posted = json.loads(base64.b64decode(encoded)) if encoded else None
    except ValueError:
        posted = None
    if not isinstance(posted, dict):
        posted = {"errorMessage": "", "errorType": error_type}
    posted.setdefault("errorType", error_type)
    posted.setdefault("errorMessage", "")
    return json.dumps(posted, separators=(",", ":")).encode()


def _transition_error(source: str, target: str) -> Dict[str, object]:
    return {
        "errorMessage": "State transition from {} to {} failed for runtime. Error: State "
        "transition is not allowed".format(source, target),
        "errorType": "InvalidStateTransition",
    }


def _exit_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name[3:].lower()
        except ValueError:
            name = str(number)
        return "Runtime exited with error: signal: {}".format(_SIGNAL_WORDS.get(name, name))
    return "Runtime exited with error: exit status {}".format(os.WEXITSTATUS(status))


_SIGNAL_WORDS = {
    "kill": "killed",
    "segv": "segmentation fault",
    "abrt": "aborted",
    "term": "terminated",
}


def _exit_like(status: int) -> None:
    """End this environment the way its runtime ended, so the server reports that
    (``Runtime.ExitError`` with the runtime's exit status or signal)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number != signal.SIGKILL:  # SIGKILL has no handler to reset (EINVAL)
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _os_reason(exc: OSError) -> str:
    import errno

    return {
        errno.EACCES: "permission denied",
        errno.ENOEXEC: "exec format error",
        errno.ENOENT: "no such file or directory",
    }.get(exc.errno or 0, exc.strerror or str(exc))
