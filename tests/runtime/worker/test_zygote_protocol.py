"""The zygote's control protocol, spoken directly over a real socket (no server side)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stratus.runtime.local.interpreters import SOURCE_ROOT
from stratus.runtime.worker import protocol


class RawZygote:
    def __init__(self, spare: bool) -> None:
        self.spare = spare
        self.control, theirs = socket.socketpair()
        env = dict(
            os.environ,
            PYTHONPATH=SOURCE_ROOT,
            STRATUS_ZYGOTE_PRELOAD="",
            STRATUS_ZYGOTE_SPARE="1" if spare else "0",
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stratus.runtime.worker.zygote",
                "--control-fd",
                str(theirs.fileno()),
            ],
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
            env=env,
        )
        theirs.close()
        self.control.settimeout(30)
        self.lent: list[tuple[int, socket.socket]] = []  # spares the zygote lent us
        self.ready = self.next("ready")

    def spawn(self, config: dict, request_id: int = 1) -> tuple[int, socket.socket]:
        """As the server does: on the lent spare when the zygote keeps one, else by a
        spawn request."""
        ours, theirs = socket.socketpair()
        ours.settimeout(30)
        if self.spare:
            pid, link = self.take_spare()
            protocol.send_frame_with_fds(
                link, {"op": "go"}, [theirs.fileno()], json.dumps(config).encode()
            )
            link.close()
            theirs.close()
            protocol.send_frame(self.control, {"op": "taken", "pid": pid})
            return pid, ours
        protocol.send_frame_with_fds(
            self.control,
            {"op": "spawn", "id": request_id},
            [theirs.fileno()],
            json.dumps(config).encode(),
        )
        theirs.close()
        header = self.next("spawned")
        assert header["id"] == request_id
        return header["pid"], ours

    def take_spare(self) -> tuple[int, socket.socket]:
        if not self.lent:
            self.next("spare")
        return self.lent.pop(0)

    def next(self, op: str) -> dict:
        """The next frame, which must be ``op``; lent spares are kept on the way."""
        while True:
            header, _, fds = protocol.recv_frame_with_fds(self.control)
            if header["op"] == "spare":
                assert len(fds) == 1, header
                self.lent.append((header["pid"], socket.socket(fileno=fds[0])))
                if op != "spare":
                    continue
            else:
                assert not fds, header
            assert header["op"] == op, header
            return header


@pytest.fixture(params=[True, False], ids=["spare", "no-spare"])
def zygote(request: pytest.FixtureRequest) -> Iterator[RawZygote]:
    z = RawZygote(request.param)
    yield z
    z.control.close()
    z.proc.wait(timeout=30)


def config_for(tmp_path: Path, source: str) -> dict:
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    (code / "app.py").write_text(source)
    return {
        "mode": "env",
        "env": {"AWS_LAMBDA_FUNCTION_NAME": "raw"},
        "tmp_dir": str(tmp_path / "tmp"),
        "code_dir": str(code),
        "handler": "app.handler",
        "layers": [],
    }


def wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not os.path.exists(f"/proc/{pid}"), f"process {pid} is still there"


def test_ready_frame(zygote: RawZygote) -> None:
    assert zygote.ready["op"] == "ready"
    assert zygote.ready["pid"] == zygote.proc.pid
    assert zygote.ready["python"] == list(sys.version_info[:2])


def test_spawn_invoke_and_exit_report(zygote: RawZygote, tmp_path: Path) -> None:
    pid, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return e['n'] * 2\n"))
    init, _ = protocol.recv_frame(sock)
    assert init["op"] == "init" and init["error"] is None
    protocol.send_frame(sock, {"id": "r1", "arn": "arn", "dl": 0}, b'{"n": 21}')
    reply, data = protocol.recv_frame(sock)
    assert reply["e"] is None and data[: reply["n"]] == b"42"
    sock.close()  # the worker sees EOF and exits cleanly
    assert zygote.next("exit") == {"op": "exit", "pid": pid, "code": 0, "signal": None}


def test_exit_report_for_a_signal(zygote: RawZygote, tmp_path: Path) -> None:
    pid, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return 1\n"))
    protocol.recv_frame(sock)
    os.kill(pid, signal.SIGKILL)
    assert zygote.next("exit") == {"op": "exit", "pid": pid, "code": None, "signal": 9}


def test_spawn_without_a_descriptor_is_refused(zygote: RawZygote, tmp_path: Path) -> None:
    protocol.send_frame_with_fds(zygote.control, {"op": "spawn", "id": 7}, [], b"{}")
    header = zygote.next("spawned")
    assert header == {"op": "spawned", "id": 7, "error": "expected one or two descriptors"}


def test_spawn_with_a_bad_config_is_refused(zygote: RawZygote) -> None:
    ours, theirs = socket.socketpair()
    protocol.send_frame_with_fds(
        zygote.control, {"op": "spawn", "id": 8}, [theirs.fileno()], b"{not json"
    )
    theirs.close()
    header = zygote.next("spawned")
    assert header["id"] == 8 and header["error"].startswith("bad config")
    ours.close()


def test_unknown_op_is_an_error_not_a_crash(zygote: RawZygote, tmp_path: Path) -> None:
    protocol.send_frame(zygote.control, {"op": "dance"})
    assert zygote.next("error")["message"] == "unknown op 'dance'"
    _pid, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return 1\n"))
    assert protocol.recv_frame(sock)[0]["op"] == "init"
    sock.close()


def test_shutdown_kills_children(zygote: RawZygote, tmp_path: Path) -> None:
    pid, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return 1\n"))
    protocol.recv_frame(sock)
    protocol.send_frame(zygote.control, {"op": "shutdown"})
    assert zygote.proc.wait(timeout=30) == 0
    wait_gone(pid)


def test_no_orphans_when_the_control_socket_closes(zygote: RawZygote, tmp_path: Path) -> None:
    source = "import time\ndef handler(e, c):\n    time.sleep(600)\n"
    pids = []
    socks = []
    for i in range(3):
        pid, sock = zygote.spawn(config_for(tmp_path, source), request_id=i + 1)
        protocol.recv_frame(sock)
        protocol.send_frame(sock, {"id": "busy", "arn": "a", "dl": 0}, b"{}")  # stuck in a handler
        pids.append(pid)
        socks.append(sock)
    pids.extend(children_of(zygote.proc.pid))  # the spare, when there is one
    zygote.control.close()  # what a server killed with -9 looks like from here
    zygote.proc.wait(timeout=30)
    for pid in set(pids):
        wait_gone(pid)


def children_of(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def test_spare_is_used_for_the_next_spawn(zygote: RawZygote, tmp_path: Path) -> None:
    if not os.path.exists(f"/proc/{zygote.proc.pid}/task/{zygote.proc.pid}/children"):
        pytest.skip("this kernel does not list a process's children")
    deadline = time.monotonic() + 10
    while zygote.spare and not children_of(zygote.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    spares = children_of(zygote.proc.pid)
    assert len(spares) == (1 if zygote.spare else 0)
    pid, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return 1\n"))
    assert protocol.recv_frame(sock)[0]["op"] == "init"
    if zygote.spare:  # the environment is the process forked ahead of time
        assert spares == [pid]
    sock.close()
    assert zygote.next("exit")["pid"] == pid


def test_no_orphans_when_the_zygote_is_killed(zygote: RawZygote, tmp_path: Path) -> None:
    pid, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return 1\n"))
    protocol.recv_frame(sock)
    zygote.proc.kill()
    zygote.proc.wait(timeout=30)
    wait_gone(pid)


def test_a_lent_spare_that_dies_is_reported_and_replaced(tmp_path: Path) -> None:
    """The server holds the spare's socket: when the spare dies before it is taken,
    the zygote reports the exit (so the server drops it) and lends a new one; a request
    to spawn still works meanwhile, and a ``taken`` for a pid it does not know is
    harmless."""
    zygote = RawZygote(True)
    try:
        pid, link = zygote.take_spare()
        os.kill(pid, signal.SIGKILL)
        assert zygote.next("exit") == {"op": "exit", "pid": pid, "code": None, "signal": 9}
        link.close()
        protocol.send_frame(zygote.control, {"op": "taken", "pid": pid})
        new_pid, _new_link = zygote.take_spare()
        assert new_pid != pid
        zygote.spare = False  # by request, as the server does when it holds no spare
        spawned, sock = zygote.spawn(config_for(tmp_path, "def handler(e, c):\n    return 1\n"))
        assert spawned not in (pid, new_pid)
        assert protocol.recv_frame(sock)[0]["op"] == "init"
        sock.close()
        assert zygote.next("exit")["pid"] == spawned
    finally:
        zygote.control.close()
        zygote.proc.wait(timeout=30)


def test_a_spare_told_its_launch_is_coming_still_takes_it(tmp_path: Path) -> None:
    """``wake`` frames ahead of the launch (the server's hint, ``ControlChannel.
    wake_spare``): the spare polls a while, and whether the launch follows at once, after
    its poll ran out, or after a second wake, it becomes the environment it is told to."""
    zygote = RawZygote(True)
    try:
        for late, wakes in ((0.0, 1), (0.2, 1), (0.05, 2)):
            pid, link = zygote.take_spare()
            for _ in range(wakes):
                protocol.send_frame(link, {"op": "wake"})
            time.sleep(late)
            ours, theirs = socket.socketpair()
            ours.settimeout(30)
            config = config_for(tmp_path, "def handler(e, c):\n    return 7\n")
            protocol.send_frame_with_fds(
                link, {"op": "go"}, [theirs.fileno()], json.dumps(config).encode()
            )
            link.close()
            theirs.close()
            protocol.send_frame(zygote.control, {"op": "taken", "pid": pid})
            assert protocol.recv_frame(ours)[0]["op"] == "init"
            protocol.send_frame(ours, {"id": "r1", "arn": "", "dl": 0}, b"{}")
            header, body = protocol.recv_frame(ours)
            assert body.startswith(b"7"), (header, body)
            ours.close()
            assert zygote.next("exit")["pid"] == pid
    finally:
        zygote.control.close()
        zygote.proc.wait(timeout=30)


def test_the_log_boundary_is_left_out_only_when_nothing_can_be_mixed(tmp_path: Path) -> None:
    """The worker's answer says ``"b": 1`` when it wrote the log boundary token to its
    output pipe, ``"b": 0`` when it did not need to: only for an invocation that was not
    queued behind another, with none waiting behind it and nothing unread in the pipe.
    Any queued invocation gets the token, whether or not it printed: the server may read
    the pipe past an answer it has not processed yet, and only tokens split that."""
    zygote = RawZygote(True)
    read_end, write_end = os.pipe()
    try:
        pid, link = zygote.take_spare()
        ours, theirs = socket.socketpair()
        ours.settimeout(30)
        config = config_for(
            tmp_path,
            "import os\n"
            "def handler(e, c):\n"
            "    if e.get('say'):\n"
            "        os.write(1, b'said\\n')\n"
            "    return e['n']\n",
        )
        config["boundary"] = "\x1etoken\x1e"
        protocol.send_frame_with_fds(
            link, {"op": "go"}, [theirs.fileno(), write_end], json.dumps(config).encode()
        )
        link.close()
        theirs.close()
        os.close(write_end)
        protocol.send_frame(zygote.control, {"op": "taken", "pid": pid})
        assert protocol.recv_frame(ours)[0].get("pipe") == 1

        os.set_blocking(read_end, False)
        written = bytearray()

        def reply_of(sent: list[tuple[dict, bytes]]) -> list[dict]:
            ours.sendall(b"".join(protocol.encode_frame(h, p) for h, p in sent))
            replies = [protocol.recv_frame(ours)[0] for _ in sent]
            with contextlib.suppress(BlockingIOError):  # as the server does, to the end
                written.extend(os.read(read_end, 65536))
            return replies

        lone = reply_of([({"id": "a", "arn": "", "dl": 0}, b'{"n": 1}')])
        assert lone[0]["b"] == 0  # alone, printed nothing: no token
        said = reply_of([({"id": "b", "arn": "", "dl": 0}, b'{"n": 2, "say": 1}')])
        assert said[0]["b"] == 1  # its output still unread: the token splits it
        queued = reply_of(
            [
                ({"id": "c", "arn": "", "dl": 0}, b'{"n": 3}'),  # one waits behind it
                ({"id": "d", "arn": "", "to": 3000}, b'{"n": 4}'),  # queued behind c
            ]
        )
        assert [r["b"] for r in queued] == [1, 1]
        assert bytes(written) == b"said\n\x1etoken\x1e" + b"\x1etoken\x1e" * 2
        ours.close()
        assert zygote.next("exit")["pid"] == pid
    finally:
        os.close(read_end)
        zygote.control.close()
        zygote.proc.wait(timeout=30)
