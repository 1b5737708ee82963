"""The execution environment's main loop: init once, then one invocation per frame.

Frames with the server (over the environment's socket; see ``protocol``):

- environment -> server, once: ``{"op": "init", "ms": <init ms>, "error": <type or
  null>, "n": <body length>}``; payload = Lambda's error object (empty on success), then
  the logs init wrote (UTF-8).
- server -> environment, per invocation: ``{"id": request id, "arn": invoked ARN, "dl":
  deadline epoch ms, "tr": trace id, "cc": client context JSON, "ci": cognito identity,
  "tn": tenant id}`` (absent keys mean none); payload = the event. An invocation the
  server queued behind another (see ``local/environment.py``) carries ``"to"``, the ms
  it may run, instead of ``"dl"``: its deadline starts when it does.
- environment -> server, per invocation: ``{"n": <body length>, "e": <"Unhandled" or
  null>, "ms": <duration ms>, "mem": <max RSS MB>, "b": 1}``; payload = response or error
  object, then the invocation's logs. ``"b"``: 1 when the log boundary (below) was
  written, 0 when the server had already read everything written to the pipe;
  ``"t"`` is ``time.monotonic()`` as it answers.
- environment -> server, when asked (``RETURN_QUEUED_SIGNAL``): ``{"op": "returned",
  "ids": [...]}``, the queued invocations it hands back unstarted (below).

Handing queued invocations back: an invocation that waits on another one of its own
function (a call to its own API's URL, say) may find that call queued behind itself, and
both would wait until its timeout. The server's watchdog sees a queued environment whose
running invocation has lasted far longer than the function's invocations do, and signals
the worker; the signal's handler runs in the main thread, between the handler's bytecodes
or as its blocking call is interrupted, takes every whole frame still waiting in the
socket and answers with their ids. None of them has started, and none will here: the
server runs them elsewhere. It acts only while the handler runs (``_returnable``), never
in the middle of reading a frame or sending a reply.

The log boundary: what the function and its subprocesses write to descriptors 1 and 2
goes through a pipe the server reads into the log. With invocations queued back to back,
the next one may print before the server has read the last one's output, so after each
invocation the worker writes the launch config's ``boundary`` token to that pipe (through
its own copy of the descriptor, ``boundary_fd``, which user code redirecting fd 1 does not
move) before it answers; the server splits the pipe's bytes there. Where that holds, the
init report says ``"pipe": 1`` and the server may queue invocations behind each other.
When the pipe holds nothing unread as it answers and no invocation is queued with it
(this one was not queued behind another, none waits behind it), no token is written
(``"b": 0``): the server has read all of this invocation's output already, it has no
earlier answer still to split, and it reads the answers waiting on the socket before
more of the pipe, so what a later invocation prints is never taken for this one's. That
saves the server a wake-up per invocation, in the common case of invocations one at a
time. Queued invocations always get the token: the server may read the pipe past an
answer it has not processed yet (to find an earlier token), and only tokens split that.

A handler that exits the process (``sys.exit``, ``os._exit``, a crash) ends the loop with
it: the server learns how from the zygote that reaps the process.
"""

from __future__ import annotations

import array
import fcntl
import json
import os
import resource
import signal
import socket
import termios
import time
from typing import Any, Callable, Dict, Optional, Tuple

from . import bytecode, capture, faults, json_logs, sandbox
from .bootstrap import BootstrapWorker, has_extensions
from .context import LambdaContext, StaticFacts, static_facts
from .loader import load_handler
from .protocol import RETURN_QUEUED_SIGNAL, ConnectionClosed, FrameReader, send_parts
from .serialize import Marshaller

_RUNTIME_FILES = (os.path.abspath(__file__), __file__)
if _RUNTIME_FILES[1].endswith(".pyc"):  # pragma: no cover - sourceless installs
    _RUNTIME_FILES = (_RUNTIME_FILES[0], _RUNTIME_FILES[0][:-1])


#: How long a worker told an event is coming polls for it (the server sends the wake as
#: it starts preparing the event: ~50-100 us ahead, more on a loaded machine).
_WAKE_POLL_S = 0.001


def _unread(fd: int) -> int:
    """Bytes written to the pipe ``fd`` that its reader has not read yet."""
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]


def _max_rss_mb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


class Worker(object):
    """One environment: a handler, its log buffer and the socket to the server."""

    def __init__(self, sock: socket.socket, config: Dict[str, Any]) -> None:
        self.sock = sock
        self.config = config
        self.logs = capture.LogBuffer(output_fd(config))
        self.handler: Optional[Callable[[Any, Any], Any]] = None
        self.marshaller: Optional[Marshaller] = None
        self.facts: Optional[StaticFacts] = None
        # the extensions' API, when the function's layers bring any (bootstrap.py)
        self.api: Optional[BootstrapWorker] = None
        self._reader: Optional[FrameReader] = None  # where queued events wait (serve)
        self._returnable = False  # a handler runs: what waits behind it may go back
        # Every CPU, which it widens its mask back to as soon as it is woken; it narrows
        # itself while it sleeps between invocations that come one at a time (the
        # server's ``local/placement.py``).
        cpus = config.get("cpus")
        self._cpus = [int(cpu) for cpu in cpus] if isinstance(cpus, list) and cpus else None
        self._narrowed = False

    # -- init -------------------------------------------------------------------------

    def initialize(self) -> bool:
        """Set the process up and import the handler; report the outcome to the server."""
        start = time.perf_counter()
        error = None
        self._widen(check=True)  # a spare woken for its launch was narrowed
        try:
            sandbox.apply_launch(self.config)
            if has_extensions(self.config):  # they start first and register, as in Lambda
                self.api = BootstrapWorker(self.sock, self.config)
                self.api.open_extensions()
                self.logs.tee = []  # what the function prints, for ``function`` subscribers
            capture.install(self.logs)
            json_logs.configure()  # LoggingConfig JSON: Lambda's JSON records and level
            self._notice()
            self.marshaller = Marshaller()
            self.facts = static_facts()
            self.handler = load_handler(self.config["handler"])
            if self.api is not None:
                self.api.extensions_ready()
        except faults.Fault as fault:
            error = faults.error_from_fault(fault)
        except Exception as exc:
            error = faults.error_from_exception(exc, None, _RUNTIME_FILES)
        if self.api is not None:  # init telemetry for the extensions' subscribers
            if error is not None:  # as in Lambda, the extensions still finish their init
                try:
                    self.api.extensions_ready()
                except Exception:  # the init error is what gets reported
                    pass
            elapsed = time.perf_counter() - start
            self.api.hub.init_done(
                time.time() - elapsed,
                elapsed * 1000.0,
                error["errorType"] if error is not None else None,
            )
        return self._report_init(start, error)

    def restore(self, hooks: Any) -> bool:
        """Become a new environment in a process forked from a snapshot template."""
        start = time.perf_counter()
        error = None
        try:
            sandbox.apply_restore(self.config)
            os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
            self._notice()
            self.marshaller = Marshaller()
            self.facts = static_facts()
            for func, args, kwargs in list(hooks.get_after_restore()):
                func(*args, **kwargs)
        except Exception as exc:
            error = faults.error_from_exception(exc, None, _RUNTIME_FILES)
            error["errorType"] = faults.AFTER_RESTORE_ERROR
        return self._report_init(start, error)

    def _notice(self) -> None:
        """What the platform wants this function's log to say at init (e.g. that its
        runtime runs on another Python): where the user looks, not the server's log."""
        notice = self.config.get("notice")
        if notice:
            self.logs.write(notice)

    def before_snapshot(self, hooks: Any) -> Optional[Dict[str, Any]]:
        """Run the before-snapshot hooks, last registered first, as Lambda does."""
        callables = hooks.get_before_snapshot()
        try:
            while callables:
                func, args, kwargs = callables.pop()
                func(*args, **kwargs)
        except Exception as exc:
            error = faults.error_from_exception(exc, None, _RUNTIME_FILES)
            error["errorType"] = faults.BEFORE_SNAPSHOT_ERROR
            return error
        return None

    def _report_init(self, start: float, error: Optional[Dict[str, Any]]) -> bool:
        body = b""
        if error is not None:
            self.logs.write(json_logs.error_log_record(error))
            body = faults.error_json(error)
        header = {
            "op": "init",
            "ms": (time.perf_counter() - start) * 1000.0,
            "error": error["errorType"] if error is not None else None,
            "n": len(body),
        }
        if self.api is not None:
            header["shutdown_listeners"] = len(self.api.hub.subscribers("SHUTDOWN"))
        else:
            header["wake"] = 1  # ``serve`` takes wake frames
            if self._cpus is not None:
                header["place"] = 1  # and keeps the placement protocol (``_widen``)
            if self._boundary() is not None:
                header["pipe"] = 1
        send_parts(self.sock, header, body, self.logs.take().encode("utf-8", "replace"))
        return error is None

    # -- invocations ------------------------------------------------------------------

    def _boundary(self) -> Optional[Tuple[int, bytes, int]]:
        """The log boundary's descriptor, token and pipe (inode), where the server gave
        them."""
        token = self.config.get("boundary")
        fd = self.config.get("boundary_fd")
        if not token or not isinstance(fd, int) or self.logs.fd is None:
            return None
        try:
            inode = os.fstat(fd).st_ino
        except OSError:
            return None
        return fd, token.encode("utf-8"), inode

    def serve(self) -> None:
        """Answer invocations until the server closes the socket."""
        sock = self.sock
        api = self.api
        reader = FrameReader(sock, _spin_seconds() if api is None else 0.0)
        read = reader.read
        boundary = self._boundary() if api is None else None
        if boundary is not None:  # the server queues on this worker: it may ask for them back
            self._reader = reader
            try:
                signal.signal(RETURN_QUEUED_SIGNAL, self._return_queued)
            except (OSError, ValueError):  # not the main thread: nothing is queued then
                pass
        while True:
            try:
                if api is not None:
                    api.serve_until_invocation()
                header, event = read()
            except ConnectionClosed:
                if api is not None:
                    api.shut_down()
                return
            if self._narrowed or "n" in header:
                self._widen()
            if header.get("op") == "wake":  # an event follows soon: poll for it
                reader.expect(_WAKE_POLL_S)
                continue
            if api is not None:
                api.announce(header)
            self._returnable = True
            try:
                reply, body, logs = self.invoke(header, event)
            finally:
                self._returnable = False
            # when this one ended, which is when an event queued behind it starts (the
            # server times that one's deadline and its age from it: same clock)
            reply["t"] = time.monotonic()
            if boundary is not None:
                try:
                    # No token only where nothing can be mixed up: the server had read
                    # all of it, and no invocation runs next to it (one queued behind
                    # this one, or this one queued behind another, whose answer the
                    # server may still be reading the pipe for).
                    if "to" in header or _unread(boundary[0]) or reader.waiting():
                        # still our pipe? code that closed it may have opened a file
                        # since and got the same number: the token must never land in
                        # its file. Checked only here, where a token is written (one
                        # system call less per lone invocation): asking such a file how
                        # much is unread changes nothing, and at worst that code's own
                        # output of one invocation is logged with its next one's.
                        if os.fstat(boundary[0]).st_ino != boundary[2]:
                            raise OSError("the log boundary's descriptor was replaced")
                        os.write(boundary[0], boundary[1])
                        reply["b"] = 1
                    else:  # no wake-up of the server for a token
                        reply["b"] = 0
                except OSError:  # gone for good: the server reads the pipe to the end
                    boundary = None
            send_parts(sock, reply, body, logs)
            loop_cpu = header.get("lc")
            if loop_cpu is not None:  # the next one comes alone too: sleep off its CPU
                self._narrow(loop_cpu)
            if bytecode.PENDING:  # what init or this invocation compiled: now, unhurried
                bytecode.flush()
            if api is not None:
                api.finished(header, reply, logs or self.logs.take_tee().encode("utf-8"))

    def _widen(self, check: bool = False) -> None:
        """Every CPU again, before any of the function's code runs: what it sees of the
        machine (``os.sched_getaffinity``, its threads, its subprocesses) never depends
        on how it was invoked. ``check``: only if narrowed (at init, one read)."""
        self._narrowed = False
        if self._cpus is None:
            return
        try:
            if check and sorted(os.sched_getaffinity(0)) == self._cpus:
                return
            os.sched_setaffinity(0, self._cpus)
        except (OSError, ValueError):  # a cpuset narrower than the server's: left as is
            self._cpus = None

    def _narrow(self, loop_cpu: Any) -> None:
        """Sleep off the server loop's CPU: the kernel places a woken worker by its mask
        (``local/placement.py`` says why)."""
        if self._cpus is None or not isinstance(loop_cpu, int):
            return
        others = [cpu for cpu in self._cpus if cpu != loop_cpu]
        if not others:
            return
        try:
            os.sched_setaffinity(0, others)
        except (OSError, ValueError):
            self._cpus = None
            return
        self._narrowed = True

    def _return_queued(self, signum: int, frame: Any) -> None:
        """Hand back, unstarted, the invocations queued behind the running one (the
        module docstring says when the server asks)."""
        reader = self._reader
        if not self._returnable or reader is None:
            return  # between invocations: the server asks again if it still needs to
        ids = [header["id"] for header in reader.take_waiting() if "id" in header]
        if ids:
            send_parts(self.sock, {"op": "returned", "ids": ids})

    def invoke(self, header: Dict[str, Any], event: bytes) -> Tuple[Dict[str, Any], bytes, bytes]:
        request_id = header["id"]
        logs = self.logs
        logs.request_id = request_id
        logs.tenant_id = header.get("tn")
        trace = header.get("tr")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        if "to" in header:  # queued behind another invocation: its time starts now
            header["dl"] = time.time() * 1000.0 + header["to"]
        start = time.perf_counter()
        failed = None
        try:
            context = self._context(header)
            try:
                payload = json.loads(event) if event else None
            except ValueError as exc:
                raise faults.Fault(
                    faults.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(exc)
                ) from None
            result = self.handler(payload, context)  # type: ignore[misc]
            body = self.marshaller.response(result)  # type: ignore[union-attr]
        except faults.Fault as fault:
            failed = faults.error_from_fault(fault, request_id)
        except Exception as exc:
            failed = faults.error_from_exception(exc, request_id, _RUNTIME_FILES)
        if failed is not None:
            logs.write(json_logs.error_log_record(failed))
            body = faults.error_json(failed)
        reply = {
            "n": len(body),
            "e": "Unhandled" if failed is not None else None,
            "ms": (time.perf_counter() - start) * 1000.0,
            "mem": _max_rss_mb(),
        }
        return reply, body, logs.take().encode("utf-8", "replace")

    def _context(self, header: Dict[str, Any]) -> LambdaContext:
        client_context = _parse_json(header.get("cc"), "Client Context")
        identity = header.get("ci")
        if isinstance(identity, str):
            identity = _parse_json(identity, "Cognito Identity")
        return LambdaContext(
            header["id"],
            client_context,
            identity,
            header.get("dl") or 0,
            header.get("arn") or "",
            header.get("tn"),
            self.facts,
        )


def rehearse() -> None:
    """In a spare child waiting for work: one invocation of a no-op handler over a
    private socketpair, through the same code as a real one.

    After a fork, the first call of each function writes to shared pages (reference
    counts, caches), and each of those pages is copied then. The spare pays those copies
    now, so a cold start's first invocation is not the one that pays them (a hello
    world's first invocation here: ~0.6 ms before, next to ~0.15 ms warm)."""
    ours, theirs = socket.socketpair()
    try:
        worker = Worker(theirs, {})
        worker.marshaller = Marshaller()
        worker.facts = static_facts()
        worker.handler = lambda event, context: {"rehearsal": event}
        send_parts(ours, {"id": "rehearsal", "arn": "", "dl": 0}, b'{"a": 1}')
        header, event = FrameReader(theirs).read()
        reply, body, logs = worker.invoke(header, event)
        send_parts(theirs, reply, body, logs)
        FrameReader(ours).read()
    except Exception:  # only an optimisation
        pass
    finally:
        ours.close()
        theirs.close()


def output_fd(config: Dict[str, Any]) -> Optional[int]:
    """Descriptor 1 when the server reads it into the log (the fork server says so)."""
    return 1 if config.get("output") == "fd" else None


def _parse_json(text: Optional[str], name: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except Exception as exc:
        raise faults.Fault(
            faults.CONTEXT_UNMARSHAL_ERROR, "Unable to parse {} JSON: {}".format(name, exc)
        ) from None


def _spin_seconds() -> float:
    """How long a warm worker polls for its next event before sleeping: 100 µs unless
    the function's environment sets ``STRATUS_WORKER_SPIN_US`` (0 turns polling off).

    Back-to-back invocations then skip a sleep and a cross-core wake-up each (about
    40 µs of the round trip here); an idle worker spends at most that much CPU once.
    """
    try:
        return max(0.0, float(os.environ.get("STRATUS_WORKER_SPIN_US", "100")) / 1e6)
    except ValueError:
        return 100e-6
