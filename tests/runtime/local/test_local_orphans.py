"""A server killed with -9 leaves no zygote, template or environment behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from stratus.runtime.local.interpreters import SOURCE_ROOT

SERVER = """
import asyncio, json, sys, time
sys.path.insert(0, {root!r})
from stratus.runtime.environment import FunctionSpec, LaunchConfig
from stratus.runtime.local.factory import LocalEnvironmentFactory

async def main():
    factory = LocalEnvironmentFactory(work_dir={work!r}, preload=[])
    await factory.start()
    pids = []
    for snapshot in (False, True):
        spec = FunctionSpec("f%d" % snapshot, "arn:aws:lambda:us-east-1:0:function:f",
                            "$LATEST", "python3.11", "app.handler", {code!r}, "sha",
                            snapshot=snapshot)
        env = await factory.create(LaunchConfig(spec, {{}}, {work!r} + "/tmp%d" % snapshot))
        pids.append(env.pid)
    pids.extend(z.pid for z in factory._zygotes.values())
    pids.extend(t.pid for t in factory._templates.values())
    print(json.dumps(pids), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def test_kill_9_of_the_server_leaves_no_orphans(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(e, c):\n    return 1\n")
    script = tmp_path / "server.py"
    script.write_text(
        textwrap.dedent(SERVER).format(root=SOURCE_ROOT, work=str(tmp_path), code=str(code))
    )
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        pids = json.loads(server.stdout.readline())
        assert len(pids) == 4  # environment, snapshot environment, zygote, template
        for pid in pids:
            assert os.path.exists(f"/proc/{pid}")
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.02)
    assert [pid for pid in pids if _running(pid)] == []


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for init to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
