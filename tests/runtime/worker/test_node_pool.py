"""The node pool's rules, without processes: which launch a waiting ``node`` may become
(``fits``), and which memory sizes the zygote keeps spares for (``NodeSpares``)."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stratus.runtime.worker import node_pool

ARGV = ["/usr/bin/node", "/srv/stratus/runtime/worker/nodejs/bootstrap.js"]
START_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC"}


def _pooled(memory_mb: int = 128, env: dict[str, str] | None = None) -> node_pool.PooledNode:
    pooled_env = dict(env if env is not None else START_ENV)
    pooled_env[node_pool.POOL_FD_VARIABLE] = "5"
    # fits() never looks at the process or the link
    process: Any = None
    link: Any = None
    return node_pool.PooledNode(list(ARGV), pooled_env, memory_mb, process, link)


def _function_env(**extra: str) -> dict[str, str]:
    env = dict(START_ENV)
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": "f",
            "LD_LIBRARY_PATH": "/nonexistent-a/lib:/nonexistent-b/lib",
            "NODE_PATH": "/opt/nodejs/node20/node_modules:/var/task",
        }
    )
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, True),
        ({"NODE_ENV": "production"}, True),
        ({"NODE_TLS_REJECT_UNAUTHORIZED": "0"}, True),
        ({"TZ": "Europe/Paris"}, True),  # node drops its cached zone when TZ is assigned
        ({"MY_SETTING": "x"}, True),
        ({"NODE_OPTIONS": "--enable-source-maps"}, False),
        ({"NODE_EXTRA_CA_CERTS": "/var/task/ca.pem"}, False),
        ({"UV_THREADPOOL_SIZE": "16"}, False),
        ({"LANG": "de_DE.UTF-8"}, False),  # ICU's default locale is read at start
        ({"LC_ALL": "C"}, False),
        ({"LD_PRELOAD": "/var/task/hook.so"}, False),
        ({"OPENSSL_CONF": "/var/task/openssl.cnf"}, False),
        ({"SSL_CERT_FILE": "/var/task/ca.pem"}, False),
        ({"MALLOC_ARENA_MAX": "2"}, False),
    ],
    ids=lambda value: str(value),
)
def test_variables_read_at_start_must_match(extra: dict[str, str], expected: bool) -> None:
    assert node_pool.fits(_pooled(), ARGV, _function_env(**extra), 128) is expected


def test_a_missing_start_variable_counts_as_a_difference() -> None:
    env = _function_env()
    del env["LANG"]
    assert not node_pool.fits(_pooled(), ARGV, env, 128)


def test_library_path_fits_while_none_of_its_directories_exists(tmp_path: Path) -> None:
    assert node_pool.fits(_pooled(), ARGV, _function_env(), 128)
    present = tmp_path / "lib"
    present.mkdir()
    env = _function_env(LD_LIBRARY_PATH=f"/nonexistent/lib:{present}")
    assert not node_pool.fits(_pooled(), ARGV, env, 128)


def test_another_command_or_memory_size_does_not_fit() -> None:
    assert not node_pool.fits(_pooled(), ["/usr/local/bin/node", ARGV[1]], _function_env(), 128)
    assert not node_pool.fits(_pooled(memory_mb=128), ARGV, _function_env(), 256)


def _spares(size: int) -> node_pool.NodeSpares:
    return node_pool.NodeSpares(node_pool.PoolSpec({"argv": ARGV, "env": START_ENV, "size": size}))


def _add(spares: node_pool.NodeSpares, pid: int, memory: int) -> socket.socket:
    ours, theirs = socket.socketpair()
    theirs.close()
    spares.waiting.append((pid, ours, memory))
    return ours


def test_spares_start_at_lambdas_default_size_and_follow_the_latest_sizes() -> None:
    spares = _spares(2)
    assert spares.desired() == [128, 128]
    assert spares.missing() == 128
    _add(spares, 1, 128)
    _add(spares, 2, 128)
    assert spares.missing() is None and spares.surplus() is None
    spares.asked(512)  # a 512 MB function: one spare for it, one for 128
    assert spares.desired() == [512, 128]
    assert spares.missing() == 512
    unwanted = spares.surplus()  # full: the oldest of the extra 128s makes room
    assert unwanted is not None and unwanted[0] == 1
    unwanted[1].close()
    _add(spares, 3, 512)
    assert spares.missing() is None
    taken = spares.take(512)
    assert taken is not None and taken[0] == 3
    assert spares.take(1024) is None  # no spare of that size: the usual start
    for link in spares.links():
        link.close()


def test_the_pool_is_bounded() -> None:
    spec = node_pool.PoolSpec({"argv": ARGV, "size": 1000})
    assert spec.size == node_pool.MAX_SIZE
    assert node_pool.PoolSpec({"argv": [], "size": 3}).size == 0
    spares = _spares(2)
    for memory in (128, 256, 512, 1024):
        spares.asked(memory)
    assert spares.recent == [1024, 512]
    assert _spares(0).missing() is None


def test_take_without_a_waiting_node_is_none() -> None:
    assert node_pool.take(ARGV, _function_env(), 128) is None


def test_a_node_that_does_not_fit_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waiting process is discarded, and the caller starts its own."""
    process = subprocess.Popen(["sleep", "60"])
    ours, theirs = socket.socketpair()
    theirs.close()
    pooled = node_pool.PooledNode(list(ARGV), dict(START_ENV), 128, process, ours)
    monkeypatch.setattr(node_pool, "WAITING", [pooled])
    assert node_pool.take(ARGV, _function_env(NODE_OPTIONS="--inspect"), 128) is None
    assert process.poll() is not None
    assert ours.fileno() == -1


# -- a real node on our client, in pool mode ------------------------------------------

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js (node) not installed")
CLIENT = str(Path(node_pool.__file__).resolve().parent / "nodejs" / "bootstrap.js")


def _start_waiting(tmp_path: Path) -> tuple[subprocess.Popen[bytes], socket.socket]:
    ours, theirs = socket.socketpair()
    env = dict(START_ENV, FROM_START="pool", **{node_pool.POOL_FD_VARIABLE: str(theirs.fileno())})
    node = shutil.which("node")
    assert node is not None
    process = subprocess.Popen(
        [node, CLIENT], env=env, pass_fds=(theirs.fileno(),), cwd="/", stdout=subprocess.PIPE
    )
    theirs.close()
    return process, ours


@needs_node
def test_a_waiting_node_leaves_quietly_when_its_spare_goes(tmp_path: Path) -> None:
    process, link = _start_waiting(tmp_path)
    link.close()
    assert process.wait(timeout=30) == 0
    assert process.stdout is not None and process.stdout.read() == b""


@needs_node
def test_a_pooled_node_becomes_its_function_then_dies_with_its_link(tmp_path: Path) -> None:
    """Told its variables and directory, it replaces its own variables whole, loads the
    handler from there and asks the Runtime API named in them for an event; when its environment's end of the link
    closes, it ends itself (its parent-death signal did not survive the change of user)."""
    (tmp_path / "index.js").write_text(
        "exports.handler = async () => process.env.ONLY_MINE;\n"
        "console.log('loaded in', process.cwd(), process.env.LANG, process.env.FROM_START);\n"
    )
    api = socket.socket()
    api.bind(("127.0.0.1", 0))
    api.listen(1)
    api.settimeout(30)
    process, link = _start_waiting(tmp_path)
    env = {
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.getsockname()[1]}",
        "LAMBDA_TASK_ROOT": str(tmp_path),
        "_HANDLER": "index.handler",
        "ONLY_MINE": "yes",
        "LANG": "en_US.UTF-8",
    }
    message = {"env": env, "cwd": str(tmp_path), "uid": None}
    link.sendall(json.dumps(message).encode() + b"\n")
    connection, _ = api.accept()
    connection.settimeout(30)
    assert connection.recv(4096).startswith(b"GET /2018-06-01/runtime/invocation/next ")
    link.close()
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert process.stdout is not None
    assert f"loaded in {tmp_path} en_US.UTF-8 undefined" in process.stdout.read().decode()
    connection.close()
    api.close()
