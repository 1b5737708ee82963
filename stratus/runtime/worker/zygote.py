"""The zygote: a single-threaded fork server with the runtime already imported.

Started by the server as ``python -m stratus.runtime.worker.zygote --control-fd N``, it
imports what most functions import at init (the runtime, json, logging, boto3 and
botocore with the service models most functions use), then forks execution
environments on request, so a cold start costs a fork instead of an interpreter start.

Control protocol: frames (``protocol``) over the unix socket ``N``.

- zygote -> server, once ready: ``{"op": "ready", "pid": P, "python": [3, 12], "mounts":
  {"enabled": bool, "overlay": bool, "reason": text}}`` (``mounts``: whether environments
  get their private mount view, see ``mounts``).
- server -> zygote: ``{"op": "spawn", "id": K}``, payload = the launch config as JSON,
  with the environment's end of a socketpair attached (SCM_RIGHTS). The config's
  ``mode`` is ``"env"`` (a plain environment) or ``"template"`` (a snapshot template).
  The zygote forks; the child becomes a worker on that descriptor; the zygote answers
  ``{"op": "spawned", "id": K, "pid": P}`` or ``{"op": "spawned", "id": K, "error": M}``.
- zygote -> server, whenever a child is reaped: ``{"op": "exit", "pid": P, "code":
  <exit code or null>, "signal": <signal number or null>}``.
- server -> zygote: ``{"op": "shutdown"}``: kill every child, reap them, exit. End of
  file on the control socket means the same, so a server killed with ``-9`` leaves no
  orphans; children also get ``SIGKILL`` if the zygote itself dies (PR_SET_PDEATHSIG).

A snapshot template speaks the same protocol as the zygote on its own socket, once it
has sent its init report (see ``runtime``); its spawn configs have mode ``"restore"``
and its children skip init.
"""

from __future__ import annotations

import argparse
import errno
import gc
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from . import bytecode, capture, confine, mounts, node_pool, protocol, sandbox
from .bootstrap import BootstrapWorker
from .runtime import Worker, output_fd, rehearse

ConnectionClosed = protocol.ConnectionClosed
# Our Node.js runtime client: environments of nodejs functions run it (bootstrap.py).
NODE_CLIENT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nodejs")
ChildMain = Callable[[socket.socket, Dict[str, Any]], int]

SPARE_DELAY_MS = 10
#: How long a spare told its launch is coming polls for it (the server tells it as the
#: invocation needing it is routed, ~0.1-0.3 ms ahead of the launch).
SPARE_WAKE_POLL_S = 0.002
DEFAULT_PRELOAD = ("s3", "dynamodb", "sqs", "sns", "lambda", "sts")


def _exit_status(status: int) -> Tuple[Optional[int], Optional[int]]:
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status), None
    return None, None


class ForkServer(object):
    """Fork children on request over ``control``; report their exits; die with the link.

    With ``spare``, one child is forked ahead of time and waits for its config on a
    private socketpair whose other end is lent to the server (a ``spare`` frame carries
    it), so a cold start costs the server one message to that child instead of a spawn
    request, a ``fork`` (the page-table copy of a process that imported boto3 is ~2 ms)
    and an answer. The server says ``taken`` once it used it; the next spare is forked
    once the fork server has been idle for ``SPARE_DELAY_MS``: not while the environment
    just handed out runs its init, nor in the middle of a burst of spawns.

    With ``nodes`` (``node_pool``), up to ``nodes.size`` node spares wait beside it, each
    with a ``node`` already started on our client: a Node.js environment takes one. They
    are refilled one per idle moment, after the Python spare, so a Python cold start
    never waits behind them.
    """

    def __init__(
        self,
        control: socket.socket,
        child_main: ChildMain,
        spare: bool = False,
        nodes: Optional[node_pool.PoolSpec] = None,
    ):
        self.control = control
        self.child_main = child_main
        self.children: Set[int] = set()
        self.use_spare = spare
        self._spare: Optional[int] = None  # the spare lent to the server, not yet taken
        self._spares: Set[int] = set()  # spares not yet known to be environments
        self.nodes = node_pool.NodeSpares(nodes if nodes is not None else node_pool.PoolSpec())
        self._wake_r = -1
        self._wake_w = -1

    def serve(self) -> None:
        """Run until shutdown or end of file on the control socket; never returns in a child."""
        self.control.setblocking(True)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(self._wake_w)
        poller = select.poll()
        poller.register(self.control.fileno(), select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        try:
            self._refill()
            while True:
                wanted = (self.use_spare and self._spare is None) or (
                    self.nodes.missing() is not None
                )
                events = poller.poll(SPARE_DELAY_MS if wanted else None)
                if not events:  # idle for a moment: now is a good time to fork ahead
                    self._refill()
                for fd, _events in events:
                    if fd == self._wake_r:
                        self._drain_wakeups()
                        self._reap()
                    elif not self._handle_control():
                        return
        except (ConnectionClosed, BrokenPipeError, ConnectionResetError):
            return
        finally:
            self._kill_children()

    def _drain_wakeups(self) -> None:
        try:
            while os.read(self._wake_r, 512):
                pass
        except BlockingIOError:
            pass

    def _handle_control(self) -> bool:
        header, payload, fds = protocol.recv_frame_with_fds(self.control, 2)
        op = header.get("op")
        if op == "spawn":
            self._spawn(header, payload, fds)
            return True
        if op == "taken":  # the server made the lent spare an environment
            pid = header.get("pid")
            if pid in self._spares:
                self._spares.discard(pid)
                self.children.add(pid)
            if self._spare == pid:
                self._spare = None
            return True
        for fd in fds:
            os.close(fd)
        if op == "shutdown":
            return False
        protocol.send_frame(self.control, {"op": "error", "message": "unknown op {!r}".format(op)})
        return True

    def _answer(self, request: Any, **fields: Any) -> None:
        fields.update(op="spawned", id=request)
        protocol.send_frame(self.control, fields)

    def _spawn(self, header: Dict[str, Any], payload: bytes, fds: List[int]) -> None:
        request = header.get("id")
        if len(fds) not in (1, 2):
            _close_all(fds)
            self._answer(request, error="expected one or two descriptors")
            return
        try:
            config = protocol.decode_header(payload)
        except ValueError as exc:
            _close_all(fds)
            self._answer(request, error="bad config: " + str(exc))
            return
        pid = None
        if _pooled(config):
            memory = int(config.get("memory_mb") or node_pool.DEFAULT_MEMORY_MB)
            self.nodes.asked(memory)
            pid = self._hand_to_node_spare(fds, payload, memory)
        if pid is None:
            gc.freeze()  # objects made so far stay out of the children's collections: no CoW
            try:
                pid = os.fork()
            except OSError as exc:
                _close_all(fds)
                self._answer(request, error=str(exc))
                return
            if pid == 0:
                self._in_child(lambda: self._run(fds, config))
        _close_all(fds)
        self.children.add(pid)
        self._answer(request, pid=pid)

    def _hand_to_node_spare(self, fds: List[int], payload: bytes, memory: int) -> Optional[int]:
        while True:
            taken = self.nodes.take(memory)
            if taken is None:
                return None
            pid, link = taken
            try:
                protocol.send_frame_with_fds(link, {"op": "go"}, fds, payload)
            except OSError:  # it died: try the next
                continue
            finally:
                link.close()
            self._spares.discard(pid)
            return pid

    def _refill(self) -> None:
        if not self.use_spare or self._spare is not None:
            memory = self.nodes.missing()  # Python's spare first: then the node spares
            if memory is not None:
                unwanted = self.nodes.surplus()
                if unwanted is not None:
                    unwanted[1].close()  # that spare ends itself, and its node
                self._refill_node(memory)
            return
        forked = self._fork_spare(0)
        if forked is None:
            return
        pid, ours = forked
        self._spare = pid
        try:  # lent: from now on only the server may send it its launch
            protocol.send_frame_with_fds(self.control, {"op": "spare", "pid": pid}, [ours.fileno()])
        finally:
            ours.close()

    def _refill_node(self, memory: int) -> None:
        """One more node spare, for ``memory`` MB (one per idle moment: starting node
        takes ~40 ms of CPU, in the child, while the fork server goes on answering)."""
        forked = self._fork_spare(memory)
        if forked is not None:
            self.nodes.waiting.append((forked[0], forked[1], memory))

    def _fork_spare(self, node_memory: int) -> Optional[Tuple[int, socket.socket]]:
        """Fork a spare waiting on a new socketpair: its pid and our end (None when the
        kernel refuses the fork: the next idle moment tries again)."""
        ours, theirs = socket.socketpair()
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            ours.close()
            theirs.close()
            return None
        if pid == 0:
            ours.close()
            self._in_child(lambda: self._wait_as_spare(theirs, node_memory=node_memory))
        theirs.close()
        self._spares.add(pid)
        return pid, ours

    def _wait_as_spare(self, link: socket.socket, node_memory: int = 0) -> int:
        sandbox.prewarm()
        boxed = True
        try:  # the launch-independent half of the sandbox, ahead of time
            if mounts.STATE.enabled:
                mounts.prepare()
            confine.join_group()  # moving into a group can wait for the kernel: now
            confine.apply_limits(confine.DEFAULT_MEMORY_MB)  # the most common size
        except OSError:
            boxed = False  # the environment tries again, and reports why it cannot
        if node_memory and boxed:
            # Only inside the namespace and the group, under the limits of its size:
            # node must share both, and sizes its heap from the limit it starts under.
            try:
                confine.apply_limits(node_memory)
            except OSError:
                pass
            else:
                node_pool.start(self.nodes.spec, node_memory)
        capture.install(capture.LogBuffer())  # the real install replaces it: pages warmed
        if not node_memory:
            rehearse()  # a Python environment's first invocation, its pages warmed
            # The zygote's variables are never the function's: gone now, not at launch
            # (node spares keep them: node starts with them).
            sandbox.replace_environ({})
        try:
            header, payload, fds = protocol.recv_frame_with_fds(link, 2)
            while header.get("op") == "wake":  # its launch follows soon: poll for it
                _close_all(fds)
                _poll_readable(link, SPARE_WAKE_POLL_S)
                header, payload, fds = protocol.recv_frame_with_fds(link, 2)
        except ConnectionClosed:
            for pooled in node_pool.WAITING:
                pooled.discard()
            return 0
        link.close()
        node_pool.wake()
        return self._run(fds, protocol.decode_header(payload))

    def _in_child(self, body: Callable[[], int]) -> None:
        """Leave the fork server's duties behind and run ``body``; never returns."""
        code = 70
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            # The server may ask an environment for its queued events back as soon as it
            # has answered its init: until ``serve`` takes the signal, it must not kill it
            # (a worker descheduled that long on a loaded machine did die of it).
            signal.signal(protocol.RETURN_QUEUED_SIGNAL, signal.SIG_IGN)
            confine.die_with_parent()
            os.close(self._wake_r)
            os.close(self._wake_w)
            self.control.close()
            for link in self.nodes.links():
                link.close()
            code = body()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            _flush_std()
            os._exit(code)

    def _run(self, fds: List[int], config: Dict[str, Any]) -> int:
        """Become the environment on ``fds[0]``; ``fds[1]``, when sent, is the pipe that
        takes what the process and its children write to descriptors 1 and 2 (the server
        reads it into the function's log, as Lambda's runtime does with stdout/stderr)."""
        if len(fds) > 1:
            _flush_std()
            os.dup2(fds[1], 1)
            os.dup2(fds[1], 2)
            os.close(fds[1])
            config["output"] = "fd"  # the worker's log buffer writes there too
            if config.get("boundary"):  # the log boundary's own copy (``runtime.py``)
                config["boundary_fd"] = os.dup(1)  # not inherited by subprocesses
        sock = socket.socket(fileno=fds[0])
        sock.set_inheritable(False)  # the handler's subprocesses must not keep it open
        sock.setblocking(True)
        return self.child_main(sock, config)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self._spares:
                self._spares.discard(pid)
                confine.remove_group(pid)  # a spare let go joined its group early
                self.nodes.forget(pid)
                if self._spare != pid:
                    continue  # a node spare: nobody else knew of it
                # The spare lent to the server: the server may have taken it already,
                # so it hears of the exit as of any environment's.
                self._spare = None
            self.children.discard(pid)
            code, sig = _exit_status(status)
            protocol.send_frame(
                self.control, {"op": "exit", "pid": pid, "code": code, "signal": sig}
            )

    def _kill_children(self) -> None:
        doomed = self.children | self._spares
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if doomed:
            confine.thaw_all()  # killed while frozen between invocations: let them die
        for pid in doomed:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            except OSError as exc:  # pragma: no cover
                if exc.errno != errno.EINTR:
                    raise
        self.children.clear()
        self._spares.clear()


def _pooled(config: Dict[str, Any]) -> bool:
    """Whether a launch may take a node spare: our Node.js client (the factory says)."""
    spec = config.get("bootstrap")
    return isinstance(spec, dict) and bool(spec.get("pool"))


def _poll_readable(sock: socket.socket, seconds: float) -> None:
    """Return once ``sock`` has data or ``seconds`` have passed, without sleeping."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                return
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            return
        return  # closed: the next receive says so


def _close_all(fds: List[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass


# -- what a forked child runs ------------------------------------------------------------


def environment_main(sock: socket.socket, config: Dict[str, Any]) -> int:
    """A child of the zygote: an environment, or a snapshot template when asked."""
    if config.get("bootstrap") is not None:  # a runtime of its own, behind the Runtime API
        runtime = BootstrapWorker(sock, config)
        if not runtime.initialize():
            return 1
        runtime.serve()
        return 0
    worker = Worker(sock, config)
    if not worker.initialize():
        return 1
    if config.get("mode") == "template":
        return _serve_as_template(worker)
    worker.serve()
    return 0


def _serve_as_template(worker: Worker) -> int:
    """Run before-snapshot hooks, then fork restored environments on the same socket."""
    import snapshot_restore_py as hooks  # on the path: sandbox.HOOKS_DIR

    bytecode.flush()  # once, here, not in every restored environment
    error = worker.before_snapshot(hooks)
    if error is not None:
        protocol.send_frame(
            worker.sock, {"op": "snapshot", "error": error["errorType"]}, protocol._dumps(error)
        )
        return 1
    protocol.send_frame(worker.sock, {"op": "snapshot", "error": None})

    def restored_main(sock: socket.socket, config: Dict[str, Any]) -> int:
        worker.sock = sock
        worker.config = config
        worker.logs.take()
        worker.logs.fd = output_fd(config)
        if not worker.restore(hooks):
            return 1
        worker.serve()
        return 0

    ForkServer(worker.sock, restored_main).serve()
    return 0


# -- the zygote process --------------------------------------------------------------------


def preload(services: Optional[List[str]] = None) -> None:
    """Import what most functions import at init, and warm botocore's model loader."""
    import base64  # noqa: F401
    import datetime  # noqa: F401
    import decimal  # noqa: F401
    import hashlib  # noqa: F401
    import json  # noqa: F401
    import logging  # noqa: F401
    import random  # noqa: F401
    import re  # noqa: F401
    import tempfile  # noqa: F401
    import urllib.parse  # noqa: F401
    import uuid  # noqa: F401

    try:
        import boto3
    except Exception:  # an interpreter without boto3 still serves functions that skip it
        return
    if services is None:
        services = list(DEFAULT_PRELOAD)
    try:
        boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION._session
        loader = session.get_component("data_loader")
        for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
            loader.load_data(name)
        for service in services:
            loader.load_service_model(service, "service-2")
            loader.load_service_model(service, "endpoint-rule-set-1")
        _warm_clients(boto3, session, services)
        import botocore.client
        import botocore.endpoint
        import botocore.httpsession
        import botocore.parsers
        import botocore.retries.standard
        import botocore.serialize  # noqa: F401
    except Exception:  # pragma: no cover - a warm-up, never a requirement
        traceback.print_exc()


def _warm_clients(boto3: Any, session: Any, services: List[str]) -> None:
    """Create (and drop) one client per service: halves a child's first client creation.

    Explicit credentials, region and endpoint, in an empty environment, so nothing of the
    zygote's environment is resolved; then the session forgets what it may have cached
    (config file, profile, credentials), which each environment resolves from its own.
    """
    saved = dict(os.environ)
    os.environ.clear()
    try:
        for service in services:
            boto3.client(
                service,
                region_name="us-east-1",
                aws_access_key_id="warm-up",
                aws_secret_access_key="warm-up",
                endpoint_url="http://127.0.0.1:9",
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for attr in (
            "_config",
            "_profile_map",
            "_profile",
            "_credentials",
            "_last_client_region_used",
        ):
            if hasattr(session, attr):
                setattr(session, attr, None)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="stratus-zygote")
    parser.add_argument("--control-fd", type=int, required=True)
    args = parser.parse_args(argv)
    control = socket.socket(fileno=args.control_fd)
    control.set_inheritable(False)
    settings = confine.load()
    nodes = node_pool.load()
    sandbox.capture_runtime_path()
    os.chdir("/")
    scratch = os.environ.get(sandbox.SCRATCH_VARIABLE) or tempfile.mkdtemp(prefix="stratus-zygote-")
    try:
        sandbox.make_prewarm_dir(scratch)
        # Probe before the imports: forking a small process is cheap.
        runtime = [
            *sandbox.RUNTIME_PATH,
            sandbox.HOOKS_DIR,
            NODE_CLIENT_DIR,
            sys.prefix,
            sys.base_prefix,
        ]
        view = mounts.probe(runtime, settings.hidden)
        box = confine.probe(mounts.prepare if view.enabled else _nothing, runtime)
        wanted = os.environ.get("STRATUS_ZYGOTE_PRELOAD")
        preload(None if wanted is None else [s for s in wanted.split(",") if s])
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # our server decides when we stop
        try:
            protocol.send_frame(
                control,
                {
                    "op": "ready",
                    "pid": os.getpid(),
                    "python": list(sys.version_info[:2]),
                    "mounts": view.report(),
                    "sandbox": box,
                },
            )
        except (BrokenPipeError, ConnectionResetError):
            return 0  # the server stopped while we started: nothing to serve
        gc.collect()
        ForkServer(
            control,
            environment_main,
            spare=os.environ.get("STRATUS_ZYGOTE_SPARE") != "0",
            nodes=nodes,
        ).serve()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _nothing() -> None:
    pass


if __name__ == "__main__":
    sys.exit(main())
