"""A function written to attack: its neighbours, the store, the server, the machine.

Each test deploys a hostile function on a real server and asserts that the attack fails
and that the platform still serves afterwards (docs/security.md). They need what the
sandbox needs (root, control groups, mount namespaces) and skip, saying which, where
the machine lacks it.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROLE, ServerProcess, make_zip, unique_name

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.isdir("/sys/fs/cgroup"),
    reason="the sandbox's identity and control groups need a server running as root",
)

PROBE = """
import errno, json, os, signal, subprocess, sys, threading, time

def _try(action):
    try:
        result = action()
        return {"ok": True, "value": result if isinstance(result, (int, str, list)) else None}
    except OSError as exc:
        return {"ok": False, "error": errno.errorcode.get(exc.errno, str(exc.errno))}

def handler(event, context):
    op = event["op"]
    if op == "read":
        return _try(lambda: open(event["path"], "rb").read(65536).decode("latin-1"))
    if op == "write":
        return _try(lambda: open(event["path"], "a").write("pwned"))
    if op == "list":
        return _try(lambda: sorted(os.listdir(event["path"])))
    if op == "signal":
        return _try(lambda: os.kill(event["pid"], event["signal"]))
    if op == "whoami":
        return {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups()}
    if op == "fork":
        children, error = [], None
        for _ in range(event["count"]):
            try:
                pid = os.fork()
            except OSError as exc:
                error = errno.errorcode.get(exc.errno)
                break
            if pid == 0:
                time.sleep(600)
                os._exit(0)
            children.append(pid)
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return {"forked": len(children), "error": error}
    if op == "big_child":
        code = "x = bytearray(%d); x[::4096] = b'1' * len(x[::4096]); print('survived')" % event["bytes"]
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return {"returncode": done.returncode, "stdout": done.stdout}
    if op == "fill_tmp":
        written, error = 0, None
        chunk = b"\\0" * (1 << 20)
        try:
            with open("/tmp/fill", "wb") as handle:
                while written < event["limit"]:
                    handle.write(chunk)
                    handle.flush()
                    written += len(chunk)
        except OSError as exc:
            error = errno.errorcode.get(exc.errno)
        st = os.statvfs("/tmp")
        os.unlink("/tmp/fill")
        return {"written": written, "error": error, "size": st.f_blocks * st.f_frsize}
    if op == "ticker":
        def tick():
            while True:
                with open("/tmp/ticks", "a") as handle:
                    handle.write("t")
                time.sleep(0.01)
        threading.Thread(target=tick, daemon=True).start()
        return "started"
    if op == "ticks":
        return len(open("/tmp/ticks").read())
    if op == "orphan":
        # a grandchild in a session of its own: nobody's child the platform knows of
        out = subprocess.run(
            [sys.executable, "-c",
             "import os, subprocess, sys; "
             "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], "
             "start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(p.pid)"],
            capture_output=True, text=True)
        return int(out.stdout.strip())
    if op == "plant":
        path = event["path"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("import os\\nopen('/tmp/planted', 'w').write('ran')\\nVALUE = 1\\n")
        return "planted"
    if op == "exists":
        return os.path.exists(event["path"])
    if op == "sleep":
        time.sleep(event["seconds"])
        return "slept"
    raise ValueError(op)
"""


SECRET = "SANDBOX_TEST_SECRET"


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of these tests' own (they signal and stop its zygotes), started with a
    secret in its environment."""
    os.environ[SECRET] = "hunter2"
    try:
        proc = ServerProcess(tmp_path_factory.mktemp("sandbox") / "data")
        proc.start()
    finally:
        del os.environ[SECRET]
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def lam(box: ServerProcess) -> Any:
    return box.client("lambda")


def _deploy(lam: Any, memory: int = 128, ephemeral: int = 512, timeout: int = 30) -> str:
    name = unique_name("hostile")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": PROBE})},
        MemorySize=memory,
        EphemeralStorage={"Size": ephemeral},
        Timeout=timeout,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def _call(lam: Any, name: str, **event: Any) -> Any:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    payload = json.loads(response["Payload"].read())
    if "FunctionError" in response:
        return {"function_error": payload, "log": base64.b64decode(response["LogResult"]).decode()}
    return payload


def _healthy(box: ServerProcess, lam: Any) -> None:
    """The platform still serves: an API call and a fresh function's invocation."""
    assert lam.get_account_settings()["AccountLimit"]["ConcurrentExecutions"] > 0
    name = _deploy(lam)
    assert _call(lam, name, op="whoami")["uid"] != 0
    lam.delete_function(FunctionName=name)


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _zygote_pid(box: ServerProcess) -> int:
    assert box.process is not None
    for pid in _children(box.process.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"stratus.runtime.worker.zygote" in cmdline:
            return pid
    raise AssertionError("no zygote found")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# -- identity and files ---------------------------------------------------------------


def test_runs_as_a_user_of_its_own_not_root(box: ServerProcess, lam: Any) -> None:
    one, other = _deploy(lam), _deploy(lam)
    first, second = _call(lam, one, op="whoami"), _call(lam, other, op="whoami")
    assert first["uid"] != 0 and first["gid"] != 0 and first["groups"] == []
    assert first["uid"] != second["uid"]  # two functions, two users


def test_cannot_read_or_rewrite_another_functions_code(box: ServerProcess, lam: Any) -> None:
    victim, attacker = _deploy(lam), _deploy(lam)
    _call(lam, victim, op="whoami")  # its code is extracted now
    code_root = box.data_dir / "code"
    extracted = [p for p in code_root.iterdir() if (p / "app.py").is_file()]
    assert extracted, "the victim's code is extracted on the machine"
    target = extracted[0] / "app.py"
    before = target.read_bytes()
    assert _call(lam, attacker, op="list", path=str(code_root))["ok"] is False
    assert _call(lam, attacker, op="read", path=str(target))["ok"] is False
    assert _call(lam, attacker, op="write", path=str(target))["ok"] is False
    # its own code is read-only too
    assert _call(lam, attacker, op="write", path="/var/task/app.py")["error"] in ("EROFS", "EACCES")
    assert target.read_bytes() == before
    _healthy(box, lam)


def test_cannot_read_the_store_or_the_blobs(box: ServerProcess, lam: Any) -> None:
    attacker = _deploy(lam)
    for path in ("stratus.db", "stratus.db-wal"):
        assert _call(lam, attacker, op="read", path=str(box.data_dir / path))["ok"] is False
    assert _call(lam, attacker, op="list", path=str(box.data_dir))["ok"] is False
    blobs = [p for p in box.data_dir.rglob("*") if p.is_file() and "blob" in str(p)]
    for blob in blobs[:3]:
        assert _call(lam, attacker, op="read", path=str(blob))["ok"] is False


def test_cannot_read_the_servers_environment(box: ServerProcess, lam: Any) -> None:
    assert box.process is not None
    attacker = _deploy(lam)
    for pid in (box.process.pid, _zygote_pid(box)):
        answer = _call(lam, attacker, op="read", path=f"/proc/{pid}/environ")
        assert answer == {"ok": False, "error": "EACCES"}
    # its own start-up variables (its zygote's) hold none of the server's
    own = _call(lam, attacker, op="read", path="/proc/self/environ")
    assert own["ok"] is False or SECRET not in own["value"]
    assert SECRET in Path(f"/proc/{box.process.pid}/environ").read_text(errors="replace")


def test_a_planted_prewarm_module_runs_nowhere(box: ServerProcess, lam: Any) -> None:
    """The old attack: a predictable module path in the machine's /tmp that spares
    imported. The module now lives in a 0700 directory of the zygote's own."""
    zygote = _zygote_pid(box)
    attacker = _deploy(lam)
    path = f"/tmp/stratus-prewarm-{zygote}/_stratus_prewarm_probe.py"
    assert _call(lam, attacker, op="plant", path=path) == "planted"
    assert not os.path.exists(path)  # it went to the attacker's own /tmp
    victim = _deploy(lam)
    assert _call(lam, victim, op="exists", path="/tmp/planted") is False
    scratch = [p for p in (box.data_dir / "run" / "zygotes").iterdir()]
    assert scratch and all(oct(p.stat().st_mode & 0o777) == "0o700" for p in scratch)


# -- processes ------------------------------------------------------------------------


def test_cannot_signal_the_server_or_the_zygote(box: ServerProcess, lam: Any) -> None:
    assert box.process is not None
    attacker = _deploy(lam)
    zygote = _zygote_pid(box)
    for pid in (box.process.pid, zygote):
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            assert _call(lam, attacker, op="signal", pid=pid, signal=sig) == {
                "ok": False,
                "error": "EPERM",
            }
    assert _alive(box.process.pid) and _alive(zygote)
    _healthy(box, lam)


def test_cannot_signal_another_functions_environment(box: ServerProcess, lam: Any) -> None:
    victim, attacker = _deploy(lam), _deploy(lam)
    _call(lam, victim, op="whoami")
    victims = [
        pid
        for pid in _children(_zygote_pid(box))
        if os.stat(f"/proc/{pid}").st_uid == _call(lam, victim, op="whoami")["uid"]
    ]
    assert victims
    answer = _call(lam, attacker, op="signal", pid=victims[0], signal=signal.SIGKILL)
    assert answer == {"ok": False, "error": "EPERM"}
    assert _call(lam, victim, op="whoami")["uid"] != 0


def test_a_stopped_or_killed_zygote_is_replaced(box: ServerProcess, lam: Any) -> None:
    """The supervisor: nothing a function can do, but the platform must not hang on it."""
    name = _deploy(lam)
    zygote = _zygote_pid(box)
    os.kill(zygote, signal.SIGSTOP)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _zygote_pid_or_none(box) in (zygote, None):
        time.sleep(0.1)
    replacement = _zygote_pid(box)
    assert replacement != zygote
    os.kill(replacement, signal.SIGKILL)
    fresh = _deploy(lam)  # a cold start after the zygote died
    assert _call(lam, fresh, op="whoami")["uid"] != 0
    assert _call(lam, name, op="whoami")["uid"] != 0


def _zygote_pid_or_none(box: ServerProcess) -> int | None:
    try:
        return _zygote_pid(box)
    except AssertionError:
        return None


def test_fork_bomb_stops_at_lambdas_process_limit(box: ServerProcess, lam: Any) -> None:
    # memory enough for a thousand forked children: the process limit must bind first
    attacker = _deploy(lam, memory=4096)
    answer = _call(lam, attacker, op="fork", count=2000)
    assert answer.get("error") == "EAGAIN", answer
    assert answer["forked"] < 1024
    _healthy(box, lam)


def test_processes_left_behind_die_with_the_environment(box: ServerProcess, lam: Any) -> None:
    attacker = _deploy(lam)
    orphan = _call(lam, attacker, op="orphan")
    assert _alive(orphan)
    lam.delete_function(FunctionName=attacker)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(orphan):
        time.sleep(0.05)
    assert not _alive(orphan)


def test_processes_left_behind_die_at_the_timeout(box: ServerProcess, lam: Any) -> None:
    attacker = _deploy(lam, timeout=1)
    orphan = _call(lam, attacker, op="orphan")
    timed_out = _call(lam, attacker, op="sleep", seconds=5)
    assert "Task timed out" in json.dumps(timed_out)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(orphan):
        time.sleep(0.05)
    assert not _alive(orphan)


def test_threads_stop_between_invocations(box: ServerProcess, lam: Any) -> None:
    """Frozen after it returns, as Lambda does: a thread it left ticking every 10 ms
    ticks a handful of times at most in the second before the next invocation."""
    attacker = _deploy(lam)
    assert _call(lam, attacker, op="ticker") == "started"
    time.sleep(1.0)
    ticks = _call(lam, attacker, op="ticks")
    assert ticks < 20  # running freely it would tick ~100 times


# -- limits ---------------------------------------------------------------------------


def test_a_700_mb_child_under_128_mb_is_killed(box: ServerProcess, lam: Any) -> None:
    attacker = _deploy(lam, memory=128)
    answer = _call(lam, attacker, op="big_child", bytes=700 << 20)
    if "function_error" not in answer:  # the child died, the handler lives on
        assert answer["returncode"] == -signal.SIGKILL
        assert answer["stdout"] == ""
    _healthy(box, lam)


def test_tmp_is_limited_to_ephemeral_storage(box: ServerProcess, lam: Any) -> None:
    attacker = _deploy(lam, memory=1024, ephemeral=512)
    answer = _call(lam, attacker, op="fill_tmp", limit=2 << 30)
    assert answer["error"] == "ENOSPC"
    assert answer["size"] == 512 << 20
    assert answer["written"] <= 512 << 20
    _healthy(box, lam)
