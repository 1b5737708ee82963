"""The zygote: a single-threaded fork server with the runtime already imported.

Started by the server as ``python -m stratus.runtime.worker.zygote --control-fd N``, it
imports what most functions import at init (the runtime, json, logging, boto3 and
botocore with the service models most functions use), then forks execution
environments on request, so a cold start costs a fork instead of an interpreter start.

Control protocol: frames (``protocol``) over the unix socket ``N``.

- zygote -> server, once ready: ``{"op": "ready", "pid": P, "python": [3, 12]}``.
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
import signal
import socket
import sys
import traceback
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from . import protocol, sandbox
from .runtime import Worker

ConnectionClosed = protocol.ConnectionClosed
ChildMain = Callable[[socket.socket, Dict[str, Any]], int]

DEFAULT_PRELOAD = ("s3", "dynamodb", "sqs", "sns", "lambda", "sts")
_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Optional[Callable[..., int]]:
    """libc's prctl, looked up once in the fork server (importing ctypes costs ~3 ms)."""
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return None
    try:
        import ctypes

        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return prctl
    except Exception:  # pragma: no cover - no libc prctl: the EOF rule still applies
        return None


_PRCTL = _load_prctl()


def _set_parent_death_signal() -> None:
    """Die with the parent: the fork server may be killed before it can kill us."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _exit_status(status: int) -> Tuple[Optional[int], Optional[int]]:
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status), None
    return None, None


class ForkServer(object):
    """Fork children on request over ``control``; report their exits; die with the link."""

    def __init__(self, control: socket.socket, child_main: ChildMain) -> None:
        self.control = control
        self.child_main = child_main
        self.children: Set[int] = set()
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
            while True:
                for fd, _events in poller.poll():
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
        for fd in fds:
            os.close(fd)
        if op == "shutdown":
            return False
        protocol.send_frame(self.control, {"op": "error", "message": "unknown op {!r}".format(op)})
        return True

    def _spawn(self, header: Dict[str, Any], payload: bytes, fds: List[int]) -> None:
        request = header.get("id")
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            protocol.send_frame(
                self.control, {"op": "spawned", "id": request, "error": "expected one descriptor"}
            )
            return
        try:
            config = protocol.decode_header(payload)
        except ValueError as exc:
            os.close(fds[0])
            protocol.send_frame(
                self.control, {"op": "spawned", "id": request, "error": "bad config: " + str(exc)}
            )
            return
        gc.freeze()  # objects made so far stay out of the children's collections: no CoW
        try:
            pid = os.fork()
        except OSError as exc:
            os.close(fds[0])
            protocol.send_frame(self.control, {"op": "spawned", "id": request, "error": str(exc)})
            return
        if pid == 0:
            self._become_child(fds[0], config)
        os.close(fds[0])
        self.children.add(pid)
        protocol.send_frame(self.control, {"op": "spawned", "id": request, "pid": pid})

    def _become_child(self, fd: int, config: Dict[str, Any]) -> None:
        code = 70
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _set_parent_death_signal()
            os.close(self._wake_r)
            os.close(self._wake_w)
            self.control.close()
            sock = socket.socket(fileno=fd)
            sock.set_inheritable(False)  # the handler's subprocesses must not keep it open
            sock.setblocking(True)
            code = self.child_main(sock, config)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            _flush_std()
            os._exit(code)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            code, sig = _exit_status(status)
            protocol.send_frame(
                self.control, {"op": "exit", "pid": pid, "code": code, "signal": sig}
            )

    def _kill_children(self) -> None:
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in list(self.children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            except OSError as exc:  # pragma: no cover
                if exc.errno != errno.EINTR:
                    raise
        self.children.clear()


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
        session.get_component("endpoint_resolver")
        session.get_component("event_emitter")
        import botocore.client
        import botocore.endpoint
        import botocore.httpsession
        import botocore.parsers
        import botocore.retries.standard
        import botocore.serialize  # noqa: F401
    except Exception:  # pragma: no cover - a warm-up, never a requirement
        traceback.print_exc()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="stratus-zygote")
    parser.add_argument("--control-fd", type=int, required=True)
    args = parser.parse_args(argv)
    control = socket.socket(fileno=args.control_fd)
    control.set_inheritable(False)
    sandbox.capture_runtime_path()
    os.chdir("/")
    wanted = os.environ.get("STRATUS_ZYGOTE_PRELOAD")
    preload(None if wanted is None else [s for s in wanted.split(",") if s])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # our server decides when we stop
    protocol.send_frame(
        control,
        {"op": "ready", "pid": os.getpid(), "python": list(sys.version_info[:2])},
    )
    gc.collect()
    ForkServer(control, environment_main).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
