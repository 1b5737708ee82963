"""The Node.js pool where the box falls back (docs/security.md, "What holds where"): a
pooled ``node`` gets what a ``node`` started on demand gets there too, and none when the
pool is turned off (``STRATUS_NODE_POOL=0``)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from stratus.runtime import runtimes
from stratus.runtime.lambda_env import BASE_ENV
from stratus.runtime.local.factory import (
    NODE_POOL_DEFAULT,
    LocalEnvironmentFactory,
    _node_pool_spec,
)
from stratus.runtime.local.interpreters import SOURCE_ROOT, Interpreter, server_interpreter
from tests.runtime.local.conftest import launch_for, request, write_code

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js (node) not installed")

SOURCE = """
const STARTED = Date.now() - process.uptime() * 1000;
exports.handler = async () => ({
  started: STARTED, cwd: process.cwd(), tmpdir: process.env.TMPDIR || null,
  uid: process.getuid(), tmp: require("os").tmpdir(), lang: process.env.LANG,
});
"""


async def _cold_starts(
    factory: LocalEnvironmentFactory, code: str, root: Path, count: int
) -> list[Any]:
    """``count`` cold starts, a while apart (the pool refills in the background), each
    with whether its node was started before its launch."""
    results = []
    await factory.start()
    for i in range(count):
        tmp_dir = str(root / f"tmp{i}")
        launch = launch_for(
            code,
            "index.handler",
            tmp_dir=tmp_dir,
            runtime="nodejs20.x",
            env=dict(BASE_ENV, _HANDLER="index.handler"),
        )
        launched_ms = time.time() * 1000
        env = await factory.create(launch)
        answer = json.loads((await env.invoke(request())).payload)
        answer["pooled"] = answer.pop("started") < launched_ms
        answer["tmp_dir"] = tmp_dir
        results.append(answer)
        env.kill()
        await env.wait_closed()
        await asyncio.sleep(1.0)
    return results


@pytest.mark.parametrize(
    ("mounts", "isolation"),
    [("0", "0"), ("user", "1")],
    ids=["no-namespace-no-identity", "user-namespace"],
)
def test_where_the_box_falls_back_a_pooled_node_gets_what_one_on_demand_gets(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mounts: str, isolation: str
) -> None:
    """The first launch asks for 256 MB, which the pool does not hold yet: its node
    starts on demand; the pool then follows that size, and the next ones are pooled."""
    monkeypatch.setenv("STRATUS_MOUNT_NAMESPACE", mounts)
    monkeypatch.setenv("STRATUS_ISOLATION", isolation)
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path / "work"))
    code = write_code(tmp_path / "code", {"index.js": SOURCE})
    try:
        results = run(_cold_starts(factory, code, tmp_path, 3), timeout=180)
        view = factory.mount_view() or {}
    finally:
        run(factory.close())
    assert [r["pooled"] for r in results] == [False, True, True]
    if view.get("enabled"):
        expected = {"cwd": "/var/task", "tmpdir": None, "tmp": "/tmp"}
    else:  # no /var/task here: the code at its real path, a private TMPDIR
        expected = {"cwd": code, "tmpdir": "TMP_DIR", "tmp": "TMP_DIR"}
    on_demand = results[0]["uid"]
    for result in results:
        tmp_dir = result.pop("tmp_dir")
        result.pop("pooled")
        shown = {k: ("TMP_DIR" if v == tmp_dir else v) for k, v in result.items()}
        assert shown == {**expected, "uid": on_demand, "lang": "en_US.UTF-8"}


def test_the_pool_turned_off_starts_every_node_on_demand(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRATUS_NODE_POOL", "0")
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path / "work"))
    code = write_code(tmp_path / "code", {"index.js": SOURCE})
    try:
        results = run(_cold_starts(factory, code, tmp_path, 2), timeout=180)
    finally:
        run(factory.close())
    assert [r["pooled"] for r in results] == [False, False]


@pytest.mark.skipif(os.geteuid() != 0, reason="control groups need a server running as root")
def test_spares_let_go_for_other_sizes_leave_no_groups_behind(run: Any, tmp_path: Path) -> None:
    """The pool follows the memory sizes asked for: spares of a size no longer wanted are
    let go (with their node), and their control groups removed."""
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path / "work"))
    code = write_code(tmp_path / "code", {"index.js": SOURCE})

    async def churn() -> list[str]:
        await factory.start()
        for i, memory in enumerate((512, 1024, 2048, 512)):
            launch = launch_for(
                code,
                "index.handler",
                tmp_dir=str(tmp_path / f"t{i}"),
                runtime="nodejs20.x",
                env=dict(BASE_ENV, _HANDLER="index.handler"),
            )
            launch = type(launch)(
                spec=dataclasses.replace(launch.spec, memory_mb=memory),
                env=launch.env,
                tmp_dir=launch.tmp_dir,
            )
            env = await factory.create(launch)
            await env.invoke(request())
            env.kill()
            await env.wait_closed()
            await asyncio.sleep(1.0)
        if not factory._cgroups.enabled:
            return []
        root = next(iter(factory._cgroups.roots.values()))
        await asyncio.sleep(0.5)
        return [leaf for leaf in os.listdir(root) if leaf.isdigit() and not _alive(int(leaf))]

    try:
        dead = run(churn(), timeout=180)
    finally:
        run(factory.close())
    assert dead == []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_no_pool_where_node_is_not_installed_nor_for_other_pythons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    node = shutil.which("node")
    spec = json.loads(_node_pool_spec(server_interpreter()))
    assert spec["argv"][0] == node and spec["size"] == NODE_POOL_DEFAULT
    other = Interpreter("/usr/bin/python3.9", (3, 9), False)
    assert _node_pool_spec(other) == ""  # its zygote never forks Node.js environments
    monkeypatch.setenv("STRATUS_NODE_POOL", "100")
    assert json.loads(_node_pool_spec(server_interpreter()))["size"] == 8
    monkeypatch.setenv("STRATUS_NODE_POOL", "0")
    assert _node_pool_spec(server_interpreter()) == ""
    monkeypatch.delenv("STRATUS_NODE_POOL")
    monkeypatch.setenv("STRATUS_NODE", "/nonexistent/node")
    runtimes.node_binary.cache_clear()
    try:
        assert _node_pool_spec(server_interpreter()) == ""
    finally:
        monkeypatch.delenv("STRATUS_NODE")
        runtimes.node_binary.cache_clear()


POOL_SERVER = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
from stratus.runtime.local.factory import LocalEnvironmentFactory

async def main():
    factory = LocalEnvironmentFactory(work_dir={work!r}, preload=[])
    await factory.start()
    zygote = await factory.zygote(await factory._interpreter("nodejs20.x"))
    print(json.dumps(zygote.pid), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _node_count(pids: list[int]) -> int:
    count = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                count += b"bootstrap.js" in handle.read()
        except OSError:
            continue
    return count


def test_kill_9_of_the_server_leaves_no_pooled_node_behind(tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(POOL_SERVER.format(root=SOURCE_ROOT, work=str(tmp_path / "work")))
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        zygote = json.loads(server.stdout.readline())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _node_count(_descendants(zygote)) < 2:
            time.sleep(0.05)
        pool = _descendants(zygote)
        assert _node_count(pool) == 2  # the default pool: two spares, a node in each
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in [zygote, *pool]):
        time.sleep(0.02)
    assert [pid for pid in [zygote, *pool] if _alive(pid)] == []
