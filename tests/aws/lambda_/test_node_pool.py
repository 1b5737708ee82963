"""Node.js environments served by pre-started ``node`` processes (worker/node_pool.py),
against a real server: they must behave exactly as a ``node`` started on demand, be
boxed the same, refill in the background, and serve one function once.

Which way a cold start went is seen from inside: a pooled ``node`` started before the
function even existed (its start time, ``Date.now() - process.uptime()``, is earlier
than the test's clock before ``CreateFunction``). A start that found the pool empty
(it refills in the background) is retried with a new function.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import time
from typing import Any

import pytest

from tests.conftest import ROLE, ServerProcess, make_zip, unique_name

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js (node) not installed")

boxed = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.isdir("/sys/fs/cgroup"),
    reason="the sandbox's identity and control groups need a server running as root",
)

PROBE = r"""
const fs = require("fs");
const os = require("os");
const v8 = require("v8");
const { spawn, spawnSync } = require("child_process");

const STARTED = Date.now() - process.uptime() * 1000;
// What a previous user of this process could have left: read before we write anything.
const FOUND = {
  global: typeof globalThis.stratusLeftover,
  env: process.env.STRATUS_LEFTOVER === undefined ? null : process.env.STRATUS_LEFTOVER,
  tmp: fs.readdirSync("/tmp"),
  timers: process.getActiveResourcesInfo().filter((r) => r === "Timeout").length,
};

function attempt(action) {
  try { return { ok: true, value: action() }; } catch (error) { return { ok: false, error: error.code || String(error) }; }
}

function statusLines() {
  return fs.readFileSync("/proc/self/status", "utf8").split("\n")
    .filter((line) => /^(Uid|Gid|Groups|NoNewPrivs|Cap(Inh|Prm|Eff|Amb)):/.test(line));
}

function mounts() {
  return fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((line) => line.split(" "))
    .filter((f) => ["/tmp", "/var/task", "/opt"].includes(f[4]))
    .map((f) => [f[4], f[5].split(",")[0], f[f.indexOf("-") + 1]]);
}

function memoryLimit() {
  // the limit of node's own group (cgroup v1, or v2's single hierarchy)
  const lines = fs.readFileSync("/proc/self/cgroup", "utf8").split("\n");
  const v1 = lines.find((line) => /:memory:/.test(line));
  if (v1) {
    const leaf = v1.split(":")[2];
    return attempt(() => fs.readFileSync("/sys/fs/cgroup/memory" + leaf + "/memory.limit_in_bytes", "utf8").trim());
  }
  const v2 = lines.find((line) => line.startsWith("0::"));
  return attempt(() => fs.readFileSync("/sys/fs/cgroup" + v2.slice(3) + "/memory.max", "utf8").trim());
}

function processesOf(uid) {
  const found = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, "utf8");
      const line = status.split("\n").find((l) => l.startsWith("Uid:"));
      if (line && Number(line.split(/\s+/)[1]) === uid) found.push(Number(entry));
    } catch (_) { /* gone */ }
  }
  return found;
}

exports.handler = async (event, context) => {
  switch (event.op) {
    case "ping":
      return { started: STARTED, pid: process.pid, uid: process.getuid() };
    case "probe": {
      fs.writeFileSync("/tmp/mine", "x");
      const child = spawnSync("sh", ["-c", "id -u; pwd; echo $PROBE_VAR"], { encoding: "utf8" });
      return {
        started: STARTED, pid: process.pid, uid: process.getuid(), gid: process.getgid(),
        status: statusLines(), cwd: process.cwd(), tmp: fs.readdirSync("/tmp").sort(), tmpdir: os.tmpdir(),
        env: process.env, argv: process.argv, execArgv: process.execArgv, umask: process.umask(),
        tz: new Date(0).getTimezoneOffset(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        locale: new Intl.NumberFormat().resolvedOptions().locale, paths: require.resolve.paths("anything"),
        mounts: mounts(), memory: memoryLimit(), child: child.stdout.split("\n"),
        hidden: attempt(() => fs.readdirSync(event.hidden)), heap: v8.getHeapStatistics().heap_size_limit,
        nice: [...new Set(fs.readdirSync("/proc/self/task").map((task) =>
          fs.readFileSync(`/proc/self/task/${task}/stat`, "utf8").split(") ")[1].split(" ")[16]))],
        writeTask: attempt(() => fs.writeFileSync("/var/task/planted.js", "x")),
        context: { functionName: context.functionName, functionVersion: context.functionVersion,
                   memoryLimitInMB: context.memoryLimitInMB, invokedFunctionArn: context.invokedFunctionArn,
                   awsRequestId: context.awsRequestId, logGroupName: context.logGroupName,
                   logStreamName: typeof context.logStreamName, remaining: context.getRemainingTimeInMillis() > 0 },
        found: FOUND,
      };
    }
    case "throw":
      throw new TypeError("bad thing");
    case "sleep":
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return "slept";
    case "eat": {
      const kept = [];
      for (let i = 0; i < event.mb / 16; i++) kept.push(Buffer.alloc(16 << 20, 1));
      return kept.length;
    }
    case "tamper": {
      globalThis.stratusLeftover = "was here";
      process.env.STRATUS_LEFTOVER = "was here";
      fs.writeFileSync("/tmp/planted", "from " + process.getuid());
      setInterval(() => fs.appendFileSync("/tmp/ticks", "."), 5);
      const sleeper = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
      sleeper.unref();
      return { pid: process.pid, uid: process.getuid(), sleeper: sleeper.pid };
    }
    case "processes":
      return processesOf(event.uid);
    case "neighbours": {
      // every waiting pooled node (root, our client): try to read it and to kill it
      const results = [];
      for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        let cmdline;
        try { cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8"); } catch (_) { continue; }
        if (!cmdline.includes("bootstrap.js")) continue;
        const status = attempt(() => fs.readFileSync(`/proc/${entry}/status`, "utf8"));
        const uid = status.ok ? Number(status.value.split("\n").find((l) => l.startsWith("Uid:")).split(/\s+/)[1]) : -1;
        if (uid !== 0) continue;
        results.push({ pid: Number(entry),
                       environ: attempt(() => fs.readFileSync(`/proc/${entry}/environ`, "utf8")),
                       fds: attempt(() => fs.readdirSync(`/proc/${entry}/fd`)),
                       kill: attempt(() => process.kill(Number(entry), "SIGKILL")),
                       stop: attempt(() => process.kill(Number(entry), "SIGSTOP")) });
      }
      return results;
    }
  }
  return null;
};
"""


def _create(lam: Any, *, env: dict[str, str] | None = None, **kw: Any) -> str:
    name = unique_name("pool")
    files: dict[str, str | bytes] = {"index.js": PROBE, **kw.pop("files", {})}
    lam.create_function(
        FunctionName=name,
        Runtime=kw.pop("Runtime", "nodejs20.x"),
        Role=ROLE,
        Handler="index.handler",
        Code={"ZipFile": make_zip(files)},
        Environment={"Variables": {"PROBE_VAR": "probe value", **(env or {})}},
        **kw,
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def _call(lam: Any, name: str, **event: Any) -> tuple[dict[str, Any], Any, str]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    payload = json.loads(response["Payload"].read())
    log = base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace")
    return response, payload, log


def _cold(lam: Any, *, pooled: bool = True, attempts: int = 60, **kw: Any) -> tuple[str, Any]:
    """A new function and its cold start (``ping``), served by the pool or, with
    ``pooled=False``, by a node started on demand. A pooled start that found the pool
    empty (still refilling) is retried with a new function."""
    for _ in range(attempts):
        before_ms = time.time() * 1000
        name = _create(lam, **kw)
        response, payload, _ = _call(lam, name, op="ping")
        assert "FunctionError" not in response, payload
        from_pool = payload["started"] < before_ms
        if from_pool == pooled:
            return name, payload
        assert pooled, "a node started before the function existed, yet it should not fit"
        lam.delete_function(FunctionName=name)
        time.sleep(0.25)
    raise AssertionError("no cold start was served by the pool")


def _normalized(probe: dict[str, Any], name: str, skip: set[str]) -> dict[str, Any]:
    uid = str(probe["uid"])
    text = json.dumps({k: v for k, v in probe.items() if k not in skip}, sort_keys=True)
    text = text.replace(uid, "UID").replace(name, "NAME")
    return json.loads(re.sub(r"\b\d{2}:\d{2}:\d{2}\.\d+Z?\b", "TIME", text))


@boxed
def test_a_pooled_node_is_the_same_environment_as_one_started_on_demand(
    server: ServerProcess, lambda_client: Any
) -> None:
    hidden = str(server.data_dir)
    pooled, _ = _cold(lambda_client)
    # UV_THREADPOOL_SIZE is read only when node starts: that function gets a fresh node
    fresh, _ = _cold(lambda_client, pooled=False, env={"UV_THREADPOOL_SIZE": "4"})
    _, a, _ = _call(lambda_client, pooled, op="probe", hidden=hidden)
    _, b, _ = _call(lambda_client, fresh, op="probe", hidden=hidden)

    assert a["uid"] not in (0, b["uid"]) and a["gid"] == a["uid"]
    assert a["status"][0] == "Uid:\t{0}\t{0}\t{0}\t{0}".format(a["uid"])
    assert "NoNewPrivs:\t1" in a["status"] and "CapEff:\t0000000000000000" in a["status"]
    assert a["cwd"] == "/var/task" and a["tmp"] == ["mine"]
    assert a["env"]["PROBE_VAR"] == "probe value"
    assert a["child"][:3] == [str(a["uid"]), "/var/task", "probe value"]
    assert a["hidden"].get("value") in (None, [])  # the data directory: out of sight
    assert a["writeTask"]["ok"] is False
    assert a["memory"] == {"ok": True, "value": str(128 << 20)}  # node's own group
    assert a["context"]["awsRequestId"] and a["context"]["functionName"] == pooled
    assert a["found"] == {"global": "undefined", "env": None, "tmp": [], "timers": 0}
    assert a["nice"] == [str(os.getpriority(os.PRIO_PROCESS, server.process.pid))]  # type: ignore[union-attr]
    assert "STRATUS_NODE_POOL_SPEC" not in a["env"] and "_STRATUS_POOL_FD" not in a["env"]

    skip = {"started", "pid", "uid", "gid"}
    left, right = _normalized(a, pooled, skip), _normalized(b, fresh, skip)
    right["env"].pop("UV_THREADPOOL_SIZE")
    for record in (left, right):
        record["context"].pop("awsRequestId")
        for key in ("AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME", "_X_AMZN_TRACE_ID"):
            record["env"].pop(key, None)
        record["env"]["LAMBDA_TASK_ROOT"] = record["env"]["LAMBDA_TASK_ROOT"].rsplit("/", 1)[0]
        record["env"]["LAMBDA_RUNTIME_DIR"] = record["env"]["LAMBDA_RUNTIME_DIR"].rsplit("/", 1)[0]
        record["env"]["LD_LIBRARY_PATH"] = "-"
    assert left == right


def test_errors_timeouts_and_init_errors_from_the_pool(lambda_client: Any) -> None:
    name, _ = _cold(lambda_client, Timeout=1)
    response, payload, log = _call(lambda_client, name, op="throw")
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "TypeError" and payload["errorMessage"] == "bad thing"
    assert payload["trace"][0] == "TypeError: bad thing"
    assert "\tERROR\tInvoke Error \t" in log
    response, payload, _ = _call(lambda_client, name, op="sleep", ms=5000)
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    _, payload, _ = _call(lambda_client, name, op="sleep", ms=1)  # a new environment
    assert payload == "slept"


@boxed
@pytest.mark.parametrize("pooled", [True, False], ids=["pooled", "on-demand"])
def test_memory_limit_binds_a_node(lambda_client: Any, pooled: bool) -> None:
    """512 MB of buffers under 128 MB: the kernel kills node (started either way), and
    the caller is told Runtime.OutOfMemory."""
    env = None if pooled else {"UV_THREADPOOL_SIZE": "4"}
    name, _ = _cold(lambda_client, pooled=pooled, env=env, MemorySize=128)
    response, payload, log = _call(lambda_client, name, op="eat", mb=512)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.OutOfMemory", (payload, log)
    assert "Runtime exited with error: signal: killed" in payload["errorMessage"]
    assert "Max Memory Used: 128 MB" in log
    _, payload, _ = _call(lambda_client, name, op="ping")  # a new environment serves
    assert payload["uid"] != 0


def test_the_pool_refills_and_each_node_serves_once(lambda_client: Any) -> None:
    """More pooled cold starts than the pool holds (2): it refilled; no process twice."""
    seen = [_cold(lambda_client)[1] for _ in range(4)]
    assert len({p["pid"] for p in seen}) == 4
    assert len({p["started"] for p in seen}) == 4


def test_variables_read_at_start_get_a_node_started_on_demand(lambda_client: Any) -> None:
    name, _ = _cold(lambda_client, pooled=False, env={"NODE_OPTIONS": "--max-old-space-size=96"})
    _, probe, _ = _call(lambda_client, name, op="probe", hidden="/")
    assert probe["heap"] < 200 << 20  # the option took effect: node read it at its start
    # a library folder in the code: LD_LIBRARY_PATH names a directory that exists
    name, _ = _cold(lambda_client, pooled=False, files={"lib/README": "native libraries"})
    _, probe, _ = _call(lambda_client, name, op="probe", hidden="/")
    assert "/var/task/lib" in probe["env"]["LD_LIBRARY_PATH"].split(":")


@boxed
def test_a_tampering_function_leaves_nothing_for_the_next(lambda_client: Any) -> None:
    attacker, _ = _cold(lambda_client)
    _, left, _ = _call(lambda_client, attacker, op="tamper")
    lambda_client.delete_function(FunctionName=attacker)  # its environment goes
    victim, _ = _cold(lambda_client)
    _, probe, _ = _call(lambda_client, victim, op="probe", hidden="/")
    assert probe["pid"] != left["pid"] and probe["uid"] != left["uid"]
    assert probe["found"] == {"global": "undefined", "env": None, "tmp": [], "timers": 0}
    assert "STRATUS_LEFTOVER" not in probe["env"]
    deadline = time.monotonic() + 15
    while True:  # the attacker's node, its timer and its detached child all die with it
        _, alive, _ = _call(lambda_client, victim, op="processes", uid=left["uid"])
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert alive == []


@boxed
def test_a_function_cannot_read_or_stop_the_waiting_pool(lambda_client: Any) -> None:
    name, _ = _cold(lambda_client)
    deadline = time.monotonic() + 15
    while True:  # the pool refills in the background: until a waiting node is seen
        _, found, _ = _call(lambda_client, name, op="neighbours")
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert found, "no waiting pooled node was seen"
    for waiting in found:
        assert waiting["environ"] == {"ok": False, "error": "EACCES"}
        assert waiting["fds"] == {"ok": False, "error": "EACCES"}
        assert waiting["kill"] == {"ok": False, "error": "EPERM"}
        assert waiting["stop"] == {"ok": False, "error": "EPERM"}
    # and the pool still serves
    _, payload = _cold(lambda_client)
    assert payload["uid"] != 0
