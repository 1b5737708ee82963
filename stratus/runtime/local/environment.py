"""ForkedEnvironment: an execution environment that is a process forked by a zygote.

The server side of the environment socket: the hot path of every invocation. One
``sendmsg`` carries the request, the reply arrives through the loop's reader callback and
resolves a future; no threads, no streams, no copies beyond the frame split. How the
process died comes from its parent (the zygote or snapshot template that reaped it).

Queued invocations: the environment still runs one invocation at a time, but where its
worker can tell its invocations' output apart (the log boundary, ``worker/runtime.py``)
the invoker may hand it the next event while it is still answering the last
(``queue_room``). The event waits in the worker's socket, so a busy function's worker goes
from one invocation to the next without being put to sleep and woken across cores, and
its replies come back in batches. Replies are matched to invocations in order; the first
unanswered one is the one running (``head_started`` is when it began), the ones behind it
have not started, and if the process dies they fail with ``InvocationNotStarted`` so the
invoker runs them elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from stratus.runtime.environment import (
    EnvironmentExited,
    InitFailed,
    InitOutcome,
    InvocationNotStarted,
    InvokeOutcome,
    InvokeRequest,
    LaunchConfig,
)
from stratus.runtime.local.cgroups import EnvironmentGroup
from stratus.runtime.local.control import ExitStatus
from stratus.runtime.local.errors import ChannelClosed, EnvironmentBusy
from stratus.runtime.local.frames import Frame, encode_head
from stratus.runtime.local.placement import Placement
from stratus.runtime.local.replies import ReplyParser
from stratus.runtime.worker.protocol import RETURN_QUEUED_SIGNAL

log = logging.getLogger(__name__)

EXIT_GRACE_S = 1.0
EXIT_REPORT_TIMEOUT_S = 10.0
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Under glibc's mmap threshold: a bigger buffer costs an mmap and munmap per recv (~40 us).
_RECV_SIZE = 65536
# Only while a single invocation is in flight in this process does the loop poll for its
# reply (see ``_poll_reply``): concurrent invocations must never wait on each other.
_POLL_REPLY_S = 60e-6
# ... and up to this long while the environment's last answer came that fast: with the
# worker on a core of its own (``placement.py``) a hello world answers in 100-150 us
# on a slow VM, and the loop asleep is woken ~50 us late (``bench/PROFILE.md``).
_POLL_REPLY_MAX_S = 400e-6
# Sent to an idle worker as an invocation for it is being prepared (``wake``); the second
# when its CPU mask was narrowed just now (``placement.py``).
_WAKE_FRAME = encode_head({"op": "wake"}, 0)
_WAKE_NARROWED_FRAME = encode_head({"op": "wake", "n": 1}, 0)
# Lambda gives external extensions 2 s of shutdown phase; a little more for the kill.
RETIRE_GRACE_S = 2.5
_in_flight = 0
# ... and only once invocations have come one at a time for a while: under load, one in
# flight is a moment between others, and polling would hold up the requests behind it.
_SEQUENTIAL_AFTER_S = 0.05
_concurrent_at = 0.0  # time.monotonic() when two invocations were last in flight
_starting = 0  # environments waiting for their init report
# How long the loop keeps turning, instead of sleeping, while the one environment starting
# in the server (and nothing else) inits, and then answers its first invocation: a sleeping
# loop's thread on a VM is woken ~0.2 ms late; a function's init takes ~1-2 ms here.
_COLD_SPIN_S = 0.005
# What one invocation may write to fds 1 and 2 (its whole log) before the rest is
# dropped and counted: a runaway subprocess must not fill the server's memory.
OUTPUT_LIMIT = 16 << 20
# How long an environment stays idle before it is frozen (see ``park``).
FREEZE_AFTER_S = 0.02
# The largest event queued behind another invocation: queued events wait in the socket's
# buffer, which a few of these fill (bigger ones take an idle environment instead).
QUEUED_PAYLOAD_MAX = 32 * 1024


def _frame_header(
    request: InvokeRequest, queued: bool, loop_cpu: int | None, narrowed: bool
) -> dict[str, Any]:
    """The invocation frame's header (``worker/runtime.py`` reads it); absent keys mean
    none. A queued invocation's deadline starts when it does: it carries its time budget
    (``to``) for the worker to start, not the deadline itself (``dl``). ``lc`` and ``n``:
    the CPU the worker keeps off while it sleeps next, and that its mask was just
    narrowed (``placement.py``)."""
    header: dict[str, Any] = {"id": request.request_id, "arn": request.invoked_function_arn}
    if loop_cpu is not None:
        header["lc"] = loop_cpu
        if narrowed:
            header["n"] = 1
    if queued:
        header["to"] = max(0.0, request.deadline_epoch_ms - time.time() * 1000)
    else:
        header["dl"] = request.deadline_epoch_ms
    if request.trace_id:
        header["tr"] = request.trace_id
    if request.client_context:
        header["cc"] = request.client_context
    if request.cognito_identity:
        header["ci"] = request.cognito_identity
    tenant = getattr(request, "tenant_id", None)
    if tenant:
        header["tn"] = tenant
    if request.on_chunk is not None:
        header["st"] = 1
    return header


class _Call:
    """One invocation sent to the environment and not yet answered."""

    __slots__ = ("cancelled", "future", "on_chunk", "request_id")

    def __init__(
        self,
        future: asyncio.Future[tuple[dict[str, Any], bytes, str]],
        on_chunk: Callable[[bytes, str | None], None] | None,
        request_id: str,
    ) -> None:
        self.future = future
        self.on_chunk = on_chunk
        self.request_id = request_id
        self.cancelled = False  # its caller is gone: the reply is read and dropped


def _fail(call: _Call, error: Exception) -> None:
    """End an unanswered call with ``error``; retrieved at once, so a caller that is gone
    (cancelled) leaves nothing to be logged as never retrieved."""
    if not call.future.done():
        call.future.set_exception(error)
    if not call.future.cancelled():
        call.future.exception()


class ForkedEnvironment:
    """One worker process bound to one function version; one invocation at a time."""

    def __init__(
        self,
        env_id: str,
        launch: LaunchConfig,
        pid: int,
        sock: socket.socket,
        exited: asyncio.Future[ExitStatus],
        output_fd: int | None = None,
        group: EnvironmentGroup | None = None,
        boundary: str | None = None,
    ) -> None:
        self.env_id = env_id
        self.group = group  # its control groups: freeze, thaw, kill everything in it
        self._frozen = False
        self._freeze_timer: asyncio.TimerHandle | None = None
        self._parked_at = 0.0  # loop time the last invocation ended (see ``park``)
        self._oom_killed = False
        self._exit_noted = False  # _on_exit ran (as the future's callback, or earlier)
        self.launch = launch
        self.pid = pid
        self.init = InitOutcome(0.0)
        self._sock = sock
        self._exited = exited
        self._loop = asyncio.get_running_loop()
        self._parser = ReplyParser()  # replies past Lambda's response limit are not kept
        self._frames: deque[Frame] = deque()  # frames no invocation waits for (init)
        self._waiter: asyncio.Future[Frame] | None = None
        self._calls: deque[_Call] = deque()  # sent, unanswered; the first one is running
        self.head_started = 0.0  # time.monotonic() when the running invocation began
        self._stalled_head = -1.0  # head_started of a running one asked to give back its queue
        self._boundary = boundary.encode() if boundary else b""
        self.queueable = False  # the worker marks its output per invocation (init report)
        self._outgoing = bytearray()  # frames the socket did not take yet, in order
        self._writing = False  # waiting for the socket to take ``_outgoing``
        self._eof = False
        self._killed = False
        self._shutdown_listeners = 0  # extensions that want SHUTDOWN (init report)
        self._wakeable = False  # its worker takes a wake frame (init report)
        self._woken = False  # one sent since its last invocation
        self._answered = False  # it has answered an invocation
        self._round_trip = 0.0  # seconds from its last lone invocation's send to its reply
        self._placement = Placement(pid)  # off the loop's CPU while it sleeps, if quiet
        sock.setblocking(False)
        self._loop.add_reader(sock.fileno(), self._on_readable)
        self._output_fd = -1 if output_fd is None else output_fd
        self._output = bytearray()
        self._output_dropped = 0
        if self._output_fd >= 0:
            os.set_blocking(self._output_fd, False)
            self._loop.add_reader(self._output_fd, self._on_output)
        exited.add_done_callback(self._on_exit)

    # -- the contract -----------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        """Invocations sent and not yet answered (the first one is running)."""
        return len(self._calls)

    def queue_room(self, request: InvokeRequest) -> bool:
        """Whether ``request`` may be queued behind what this environment is running."""
        return (
            self.queueable
            and request.on_chunk is None
            and len(request.payload) <= QUEUED_PAYLOAD_MAX
            and not (self._calls and self._calls[0].on_chunk is not None)
            and self.head_started != self._stalled_head
            and self.alive
        )

    def wake(self) -> None:
        """Only while invocations come one at a time (as ``_poll_reply``): under load a
        worker answering back to back is awake anyway, and one polling for an event
        would take the CPU the others need. The worker polls a while for its event
        (``worker/runtime.py``) instead of sleeping until it comes, so its wake-up
        (tens of µs across cores on a VM) overlaps the server's own work on the
        request. Not a frozen one: ``invoke`` thaws it."""
        if (
            not self._wakeable
            or self._woken
            or self._frozen
            or self._calls
            or self._eof
            or not quiet()
        ):
            return
        _, narrowed = self._placement.steer()
        try:
            self._send(_WAKE_NARROWED_FRAME if narrowed else _WAKE_FRAME, b"")
        except OSError:
            return  # gone: the invocation finds out
        self._woken = True

    def return_queued(self) -> None:
        if len(self._calls) < 2 or not self.alive:
            return
        self._stalled_head = self.head_started
        try:
            os.kill(self.pid, RETURN_QUEUED_SIGNAL)
        except ProcessLookupError:
            pass

    async def invoke(self, request: InvokeRequest) -> InvokeOutcome:
        queued = bool(self._calls)
        if queued and not self.queue_room(request):
            raise EnvironmentBusy(f"environment {self.env_id} is running an invocation")
        if self._frozen:
            self._thaw()
        if not queued and _sequential():
            loop_cpu, narrowed = self._placement.steer()
        else:
            loop_cpu, narrowed = None, False
            self._placement.widened()
        header = _frame_header(request, queued, loop_cpu, narrowed)
        self._woken = False
        call = _Call(self._loop.create_future(), request.on_chunk, request.request_id)
        try:
            if self._eof:
                if queued:
                    raise InvocationNotStarted(self.env_id)
                raise ChannelClosed(f"environment {self.env_id} closed its socket")
            try:
                self._send(encode_head(header, len(request.payload)), request.payload)
            except OSError:
                if queued:
                    raise InvocationNotStarted(self.env_id) from None
                raise
            self._calls.append(call)
            now = time.monotonic()
            if not queued:
                self.head_started = now
            global _in_flight, _concurrent_at
            _in_flight += 1
            try:
                if _in_flight > 1:
                    _concurrent_at = now
                elif not queued and now - _concurrent_at > _SEQUENTIAL_AFTER_S:
                    self._poll_reply()
                    if not self._answered:  # its first: slower than any poll
                        await _keep_turning(call.future, lambda: _in_flight == 1)
                reply, data, logs = await call.future
            finally:
                _in_flight -= 1
        except asyncio.CancelledError:
            call.cancelled = True  # the worker answers it anyway: that reply is dropped
            raise
        except (ChannelClosed, OSError):
            raise await self._exit_error() from None
        finally:
            if not self._calls:
                self.park()
        size = reply["n"]
        if size < len(data):
            logs = data[size:].decode("utf-8", "replace") + logs
            data = data[:size]
        return InvokeOutcome(
            payload=data,
            error_type=reply["e"],
            logs=logs,
            duration_ms=reply["ms"],
            max_memory_used_mb=reply["mem"],
            streamed="s" in reply,
        )

    def _send(self, head: bytes, payload: bytes) -> None:
        """Send one frame now, or after the frames the socket has not taken yet: frames
        never interleave, and no caller waits for the socket.

        A frame queued behind a running invocation goes out with the others queued in
        the same turn of the loop, in one ``sendmsg`` (``_flush_outgoing``): the worker is
        woken once per batch, not once per event, and the running invocation does not
        need its next event any sooner."""
        if self._outgoing or self._calls:
            pending = bool(self._outgoing)  # a flush is already on its way
            self._outgoing += head
            self._outgoing += payload
            if not pending:
                self._loop.call_soon(self._flush_outgoing)
            return
        total = len(head) + len(payload)
        try:
            sent = self._sock.sendmsg([head, payload] if payload else [head])
        except (BlockingIOError, InterruptedError):
            sent = 0
        if sent < total:
            self._outgoing += (head + payload)[sent:]
            self._writing = True
            self._loop.add_writer(self._sock.fileno(), self._flush_outgoing)

    def _flush_outgoing(self) -> None:
        """Send what is waiting (a turn's batch, or what a full socket did not take),
        and wait for the socket to take the rest."""
        if not self._outgoing or self._eof:
            return
        try:
            sent = self._sock.send(self._outgoing)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            sent = len(self._outgoing)  # the reader side sees the failure
        del self._outgoing[:sent]
        if self._outgoing and not self._writing:
            self._writing = True
            self._loop.add_writer(self._sock.fileno(), self._flush_outgoing)
        elif not self._outgoing and self._writing:
            self._writing = False
            self._loop.remove_writer(self._sock.fileno())

    def park(self) -> None:
        """Freeze the environment once it has been idle for ``FREEZE_AFTER_S``, as Lambda
        freezes it between invocations: threads and children it left running stop.

        Back-to-back invocations never pay for it: the timer is not cancelled and armed
        again per invocation (a uvloop timer costs ~3 us to arm and cancel), it stays
        armed and, when it fires, freezes only an environment idle that long since its
        last invocation, or waits out the rest (a busy one is parked again when its
        invocation ends)."""
        self._parked_at = self._loop.time()
        if self.group is None or self._freeze_timer is not None or not self.alive:
            return
        self._freeze_timer = self._loop.call_later(FREEZE_AFTER_S, self._freeze)

    def _freeze(self) -> None:
        self._freeze_timer = None
        if self._calls or not self.alive or self.group is None:
            return
        idle = self._loop.time() - self._parked_at
        if idle < FREEZE_AFTER_S:
            self._freeze_timer = self._loop.call_later(FREEZE_AFTER_S - idle, self._freeze)
            return
        self._frozen = self.group.freeze()

    def _thaw(self) -> None:
        self._frozen = False
        if self.group is not None:
            self.group.thaw()

    def kill(self) -> None:
        if self._freeze_timer is not None:
            self._freeze_timer.cancel()
            self._freeze_timer = None
        if self._exited.done():
            return
        self._killed = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self._frozen:  # a frozen process dies only once thawed
            self._thaw()

    def retire(self) -> None:
        """Let the environment go as Lambda does at spindown: where extensions listen for
        SHUTDOWN (``worker/extensions.py``), close its socket and give it their two
        seconds before the kill; otherwise kill it now."""
        if not self._shutdown_listeners or self._exited.done() or self._killed:
            self.kill()
            return
        if self._frozen:
            self._thaw()
        self._close_socket()
        self._loop.call_later(RETIRE_GRACE_S, self.kill)

    async def wait_closed(self) -> None:
        await asyncio.shield(self._exited)
        self._close_socket()

    @property
    def alive(self) -> bool:
        return not self._exited.done() and not self._eof and not self._killed

    def rss_bytes(self) -> int:
        if self._exited.done():
            return 0
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * _PAGE_SIZE
        except (OSError, ValueError, IndexError):
            return 0

    def oom_killed(self) -> bool:
        return self._oom_killed

    def exit_status(self) -> tuple[int | None, int | None]:
        if self._exited.done():
            return self._exited.result()
        return (None, None)

    # -- used by the factory ----------------------------------------------------------

    async def wait_init(self) -> InitOutcome:
        """Read the init report; raises InitFailed or EnvironmentExited."""
        try:
            header, data = await self.next_frame(cold=True)
        except ChannelClosed:
            raise await self._exit_error() from None
        size = header["n"]
        logs = data[size:].decode("utf-8", "replace") + self.take_output()
        if header.get("error"):
            raise InitFailed(data[:size], header["error"], logs, header["ms"])
        self.init = InitOutcome(init_duration_ms=header["ms"], logs=logs)
        self._shutdown_listeners = int(header.get("shutdown_listeners") or 0)
        self.queueable = bool(header.get("pipe")) and bool(self._boundary)
        self._wakeable = bool(header.get("wake"))
        if header.get("place"):
            self._placement.enable()
        return self.init

    async def next_frame(self, cold: bool = False) -> Frame:
        """The next frame not answering an invocation; ``cold``: the init report of a
        new environment (the loop keeps turning for it while it is the only one)."""
        if self._frames:
            return self._frames.popleft()
        if self._eof:
            raise ChannelClosed(f"environment {self.env_id} closed its socket")
        waiter: asyncio.Future[Frame] = self._loop.create_future()
        self._waiter = waiter
        global _starting
        _starting += cold
        try:
            if cold and _sequential():
                await _keep_turning(waiter, lambda: _starting == 1 and not _in_flight)
            return await waiter
        finally:
            _starting -= cold
            self._waiter = None

    def take_output(self, bounded: bool = False, read_more: bool = True) -> str:
        """What the process wrote to fds 1 and 2 since the last call; ``bounded``: up to
        the log boundary the worker wrote after its last invocation, the rest stays for
        the next one; not ``read_more``: only what was read already (the worker said the
        pipe held nothing unread as it answered: what is there now is the next one's).

        Called once the worker has answered: everything it wrote before answering is in
        the pipe by then (a write to a pipe completes before the call returns), so one
        non-blocking read to the end gets all of it. The worker writes what the handler
        prints and logs there as well (``worker/capture.py``), so all of it is in order.
        """
        if self._output_fd < 0 and not self._output:
            return ""
        if bounded and self._boundary:
            end = self._output.find(self._boundary)
            if end < 0:  # not read yet (the reader callback often has already)
                self._read_output(drain=True)
                end = self._output.find(self._boundary)
            if end >= 0:
                if end == 0:
                    del self._output[: len(self._boundary)]
                    return ""
                text = self._output[:end].decode("utf-8", "replace")
                del self._output[: end + len(self._boundary)]
                return text if text.endswith("\n") else text + "\n"
        elif read_more:
            self._read_output(drain=True)
        if not self._output and not self._output_dropped:
            return ""
        text = self._output.decode("utf-8", "replace")
        self._output.clear()
        if text and not text.endswith("\n"):
            text += "\n"
        if self._output_dropped:
            text += f"[{self._output_dropped} bytes of output dropped: over {OUTPUT_LIMIT}]\n"
            self._output_dropped = 0
        return text

    def _on_output(self) -> None:
        """The pipe has more: first the answers already on the socket, which were sent
        before anything an invocation queued behind them printed (an answer saying the
        pipe was read to its end takes what was read so far: not this, yet)."""
        if not self._eof:
            self._drain(final=False)
        self._read_output()

    def _read_output(self, drain: bool = False) -> None:
        while self._output_fd >= 0:
            try:
                data = os.read(self._output_fd, _RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:  # every writer is gone: the process and its children
                self._close_output()
                return
            room = OUTPUT_LIMIT - len(self._output)
            if room >= len(data):
                self._output += data
            else:
                self._output += data[: max(room, 0)]
                self._output_dropped += len(data) - max(room, 0)
            if not drain:
                return

    def _close_output(self) -> None:
        if self._output_fd >= 0:
            self._loop.remove_reader(self._output_fd)
            os.close(self._output_fd)
            self._output_fd = -1

    def detach(self) -> socket.socket:
        """Hand the socket over (a snapshot template's socket becomes a control channel)."""
        self._loop.remove_reader(self._sock.fileno())
        sock, self._sock = self._sock, socket.socket()
        self._sock.close()
        return sock

    # -- callbacks --------------------------------------------------------------------

    def _poll_reply(self) -> None:
        """With nothing else in flight, wait for the reply by polling a few tens of µs
        instead of returning to the event loop: a warm handler answers that fast, and
        the loop would otherwise sleep and be woken across cores. Bounded (longer for an
        environment whose last answer came within the longer bound, so a slow handler
        costs the loop no more than before), and only when no other invocation could be
        delayed by it."""
        budget = _POLL_REPLY_MAX_S if self._round_trip <= _POLL_REPLY_MAX_S else _POLL_REPLY_S
        deadline = time.perf_counter() + budget
        while time.perf_counter() < deadline:
            try:
                data = self._sock.recv(_RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return  # the reader callback will see the failure
            if not data:
                self._on_eof()
                return
            self._feed(data)
            return

    def _on_readable(self) -> None:
        self._drain(final=False)

    def _drain(self, final: bool) -> None:
        """Read what is there; ``final`` once the process is gone (no more will come)."""
        while not self._eof:
            try:
                data = self._sock.recv(_RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                if final:
                    self._on_eof()
                return
            except OSError:
                data = b""
            if not data:
                self._on_eof()
                return
            self._feed(data)
            if not final:
                return

    def _feed(self, data: bytes) -> None:
        """Hand each whole frame in ``data`` to the invocation it answers, in order."""
        try:
            frames = self._parser.feed(data)
        except ValueError:
            self.kill()
            self._on_eof()
            return
        for frame in frames:
            header = frame[0]
            calls = self._calls
            if not calls:  # the init report (or a frame nobody asked for)
                waiter = self._waiter
                if waiter is not None and not waiter.done():
                    waiter.set_result(frame)
                else:
                    self._frames.append(frame)
                continue
            op = header.get("op")
            if op == "returned":  # queued ones it will not start (``return_queued``)
                self._returned(header.get("ids") or ())
                continue
            call = calls[0]
            if op == "chunk":  # a streamed response, piece by piece
                if call.on_chunk is not None and not call.cancelled:
                    try:
                        call.on_chunk(frame[1], header.get("ct"))
                    except Exception:  # the caller's; this environment reads on
                        log.exception(
                            "environment %s: a response piece's taker failed", self.env_id
                        )
                continue
            calls.popleft()
            self._answered = True
            boundary = header.get("b")
            if boundary is None and self.queueable:
                # its code closed the boundary's descriptor: output can no longer be split
                # per invocation, so nothing more is queued on it
                self.queueable = False
            if calls:  # the next one was waiting in the worker: it started as this ended
                self.head_started = header.get("t") or time.monotonic()
            else:
                self._round_trip = time.monotonic() - self.head_started
                if call.cancelled:
                    self.park()
            # The output is split here, in reply order, whatever order callers resume in.
            logs = self.take_output(bounded=boundary == 1, read_more=boundary != 0)
            if not call.cancelled and not call.future.done():
                call.future.set_result((header, frame[1], logs))

    def _returned(self, ids: Any) -> None:
        """Fail the invocations the worker handed back, so they run elsewhere."""
        returned = set(ids)
        head, *behind = self._calls
        kept = [head]
        for call in behind:
            if call.request_id not in returned:
                kept.append(call)  # not in its socket yet (or sent since): asked again
                continue
            _fail(call, InvocationNotStarted(self.env_id, returned=True))
        self._calls = deque(kept)

    def _on_eof(self) -> None:
        if self._eof:
            return
        self._eof = True
        self._loop.remove_reader(self._sock.fileno())
        self._outgoing.clear()
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self._sock.fileno())
        closed = ChannelClosed(f"environment {self.env_id} closed its socket")
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(closed)
        # The first unanswered invocation was running; the ones behind it never started.
        for position, call in enumerate(self._calls):
            _fail(call, closed if position == 0 else InvocationNotStarted(self.env_id))
        self._calls.clear()

    def _on_exit(self, fut: asyncio.Future[ExitStatus]) -> None:
        # The process is reaped: read what it sent before dying, then release the socket
        # without waiting for wait_closed(). Killed by the kernel for its memory? Ask
        # its group now, before the factory removes it.
        if self._exit_noted:
            return
        self._exit_noted = True
        if self.group is not None and fut.result()[1] == signal.SIGKILL:
            self._oom_killed = self.group.oom_killed()
        if self._sock.fileno() >= 0:
            self._drain(final=True)
        self._close_socket()
        self._read_output(drain=True)  # kept for the exit error; the pipe is released
        self._close_output()

    def _close_socket(self) -> None:
        if self._sock.fileno() < 0:
            return
        self._on_eof()  # invocations still waiting learn it, and the loop lets go of it
        self._sock.close()

    async def _exit_error(self) -> EnvironmentExited:
        """Why the process is gone, from its parent's report.

        The socket closes while the process is still exiting (its objects are freed
        before ``_exit``): give it a moment to finish on its own, so the report carries
        its real exit code, and kill it only if it lingers without its socket.
        """
        try:
            async with asyncio.timeout(EXIT_GRACE_S):
                code, sig = await asyncio.shield(self._exited)
        except TimeoutError:
            self.kill()
            try:
                async with asyncio.timeout(EXIT_REPORT_TIMEOUT_S):
                    code, sig = await asyncio.shield(self._exited)
            except TimeoutError:
                code, sig = None, None
        if self._exited.done():
            # A future that was done already is awaited without a pause, before its
            # callbacks ran: note the exit now, so the caller sees the memory kill.
            self._on_exit(self._exited)
        return EnvironmentExited(code, sig, self.take_output())


def _sequential() -> bool:
    """Invocations come one at a time (see ``_SEQUENTIAL_AFTER_S``), none in flight."""
    return not _in_flight and time.monotonic() - _concurrent_at > _SEQUENTIAL_AFTER_S


def quiet() -> bool:
    """Nothing runs or starts in this server, and invocations come one at a time: what
    the hints that keep a process polling (``wake``, a spare's wake) require."""
    return not _starting and _sequential()


async def _keep_turning(fut: asyncio.Future[Any], alone: Callable[[], bool]) -> None:
    """Keep the loop turning (``sleep(0)``: other callbacks run, but its thread never
    sleeps) until ``fut`` is done, ``_COLD_SPIN_S`` has passed or ``alone`` no longer
    holds: a cold start then costs no wake-up of the server's thread."""
    deadline = time.monotonic() + _COLD_SPIN_S
    while not fut.done() and alone() and time.monotonic() < deadline:
        await asyncio.sleep(0)
