"""Each environment's own mount view: /tmp private, code on /var/task, layers on /opt.

Real zygotes and environments; the view needs a private mount namespace (root, or
unprivileged user namespaces). Where the kernel refuses, these tests skip and say why,
and the fallback test checks what holds instead.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from stratus.runtime.local.factory import LocalEnvironmentFactory

from .conftest import launch_for, request, write_code

WRITE_TMP = """
import os
import tempfile

def handler(event, context):
    path = "/tmp/x"
    before = open(path).read() if os.path.exists(path) else None
    listing = sorted(os.listdir("/tmp"))
    with open(path, "w") as f:
        f.write(event["value"])
    return {"before": before, "listing": listing}
"""


def _require_view(factory: LocalEnvironmentFactory, run: Any, tmp_path: Path) -> dict[str, Any]:
    """Start the zygote (a throwaway environment) and skip unless the view is available."""
    code = write_code(tmp_path / "probe", {"app.py": "def handler(e, c):\n    return 1\n"})
    env = run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "probe-tmp"))))
    env.kill()
    run(env.wait_closed())
    view = factory.mount_view()
    assert view is not None
    if not view["enabled"]:
        pytest.skip(f"no private mount namespace here: {view['reason']}")
    return view


@pytest.fixture
def envs(factory, run):
    made: list[Any] = []
    yield made
    for env in made:
        env.kill()
        run(env.wait_closed())


def _invoke(run: Any, env: Any, event: dict[str, Any] | None = None) -> Any:
    outcome = run(env.invoke(request(payload=json.dumps(event or {}).encode())))
    assert outcome.error_type is None, outcome.payload
    return json.loads(outcome.payload)


def test_two_functions_writing_literal_tmp_paths_do_not_share_them(
    factory, run, envs, tmp_path: Path
) -> None:
    _require_view(factory, run, tmp_path)
    for i in (0, 1):
        code = write_code(tmp_path / f"code{i}", {"app.py": WRITE_TMP})
        envs.append(run(factory.create(launch_for(code, tmp_dir=str(tmp_path / f"tmp{i}")))))
    host_before = os.path.exists("/tmp/x")
    first = _invoke(run, envs[0], {"value": "a"})
    second = _invoke(run, envs[1], {"value": "b"})
    again = _invoke(run, envs[0], {"value": "c"})
    assert first == {"before": None, "listing": []}
    assert second == {"before": None, "listing": []}  # not the other function's file
    assert again == {"before": "a", "listing": ["x"]}  # its own /tmp survives invocations
    # What the function wrote lives in its own tmpfs, not in the machine's /tmp.
    assert os.path.exists("/tmp/x") == host_before
    assert not (tmp_path / "tmp0").exists()


def test_code_is_at_var_task_and_read_only(factory, run, envs, tmp_path: Path) -> None:
    _require_view(factory, run, tmp_path)
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            import errno, os

            def handler(event, context):
                try:
                    open("/var/task/new.txt", "w")
                    refused = None
                except OSError as exc:
                    refused = errno.errorcode[exc.errno]
                return {
                    "cwd": os.getcwd(),
                    "root": os.environ["LAMBDA_TASK_ROOT"],
                    "file": __file__,
                    "data": open("/var/task/data.txt").read(),
                    "refused": refused,
                    "tmpdir": os.environ.get("TMPDIR"),
                }
            """,
            "data.txt": "bundled",
        },
    )
    envs.append(run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp")))))
    assert _invoke(run, envs[0]) == {
        "cwd": "/var/task",
        "root": "/var/task",
        "file": "/var/task/app.py",
        "data": "bundled",
        "refused": "EROFS",
        "tmpdir": None,  # Lambda sets no TMPDIR; tempfile finds /tmp
    }
    assert not (tmp_path / "code" / "new.txt").exists()


def test_layers_are_merged_under_opt_later_layer_wins(factory, run, envs, tmp_path: Path) -> None:
    view = _require_view(factory, run, tmp_path)
    first = write_code(
        tmp_path / "layer1",
        {"python/shared.py": "WHO = 'layer1'\n", "python/only1.py": "X = 1\n", "one.txt": "1"},
    )
    second = write_code(
        tmp_path / "layer2",
        {"python/shared.py": "WHO = 'layer2'\n", "python/lib/python3.11/site-packages/deep.py": ""},
    )
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            import os, shared, only1

            def handler(event, context):
                try:
                    open("/opt/new.txt", "w")
                    writable = True
                except OSError:
                    writable = False
                return {
                    "who": shared.WHO,
                    "shared_file": shared.__file__,
                    "only1": only1.__file__,
                    "listing": sorted(os.listdir("/opt")),
                    "writable": writable,
                }
            """
        },
    )
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"), layers=(first, second))
    envs.append(run(factory.create(launch)))
    result = _invoke(run, envs[0])
    assert result["who"] == "layer2"
    assert result["only1"] == "/opt/python/only1.py"
    assert result["writable"] is False
    if not view["overlay"]:
        pytest.skip(f"overlayfs unavailable, several layers stay at their paths: {view['reason']}")
    assert result["shared_file"] == "/opt/python/shared.py"
    assert result["listing"] == ["one.txt", "python"]


def test_one_layer_or_none(factory, run, envs, tmp_path: Path) -> None:
    _require_view(factory, run, tmp_path)
    layer = write_code(tmp_path / "layer", {"python/lone.py": "", "bin/tool": "#!/bin/sh\n"})
    source = "import os\ndef handler(e, c):\n    return sorted(os.listdir('/opt'))\n"
    code = write_code(tmp_path / "code", {"app.py": source})
    one = launch_for(code, tmp_dir=str(tmp_path / "tmp1"), layers=(layer,))
    none = launch_for(code, tmp_dir=str(tmp_path / "tmp0"))
    envs.append(run(factory.create(one)))
    envs.append(run(factory.create(none)))
    assert _invoke(run, envs[0]) == ["bin", "python"]
    assert _invoke(run, envs[1]) == []  # not the machine's /opt


def test_the_zygote_keeps_the_machines_view(factory, run, envs, tmp_path: Path) -> None:
    _require_view(factory, run, tmp_path)
    code = write_code(
        tmp_path / "code",
        {"app.py": "import os\ndef handler(e, c):\n    return os.readlink('/proc/self/ns/mnt')\n"},
    )
    envs.append(run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp")))))
    ours = os.readlink("/proc/self/ns/mnt")
    assert _invoke(run, envs[0]) != ours
    for zygote in factory._zygotes.values():
        assert zygote.pid is not None
        assert os.readlink(f"/proc/{zygote.pid}/ns/mnt") == ours


def test_without_namespaces_the_old_view_holds_and_the_server_says_so_once(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("STRATUS_MOUNT_NAMESPACE", "0")  # what a kernel without them gives
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path / "work"))
    source = """
    import os, tempfile
    def handler(e, c):
        return [os.getcwd(), tempfile.gettempdir(), os.environ["TMPDIR"]]
    """
    code = write_code(tmp_path / "code", {"app.py": source})

    async def two_environments() -> list[Any]:
        await factory.start()
        results = []
        try:
            for i in (0, 1):
                launch = launch_for(code, tmp_dir=str(tmp_path / f"tmp{i}"))
                env = await factory.create(launch)
                results.append(json.loads((await env.invoke(request())).payload))
                env.kill()
                await env.wait_closed()
        finally:
            await factory.close()
        return results

    with caplog.at_level(logging.WARNING, logger="stratus.runtime.local.factory"):
        results = run(two_environments(), timeout=120)
    for i, result in enumerate(results):
        assert result == [code, str(tmp_path / f"tmp{i}"), str(tmp_path / f"tmp{i}")]
    warnings = [r.getMessage() for r in caplog.records if "machine's /tmp" in r.getMessage()]
    assert len(warnings) == 1
    assert "STRATUS_MOUNT_NAMESPACE=0" in warnings[0]


def test_snapshot_children_start_with_the_templates_tmp(factory, run, envs, tmp_path: Path) -> None:
    """Restored environments of a snapshot template find what the template's init left
    in /tmp. A template runs as its function's user and may not mount, so its restored
    environments share its /tmp (docs/security.md); they are one function's."""
    _require_view(factory, run, tmp_path)
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            import os
            open("/tmp/from-init", "w").write("init")

            def handler(event, context):
                open("/tmp/mine-" + event["value"], "a").write(event["value"])
                return [open("/tmp/from-init").read(), os.getuid()]
            """
        },
    )
    first = launch_for(code, tmp_dir=str(tmp_path / "t0"), snapshot=True)
    second = launch_for(code, tmp_dir=str(tmp_path / "t1"), snapshot=True)
    second = type(second)(spec=first.spec, env=second.env, tmp_dir=second.tmp_dir)
    envs.append(run(factory.create(first)))
    envs.append(run(factory.create(second)))
    one, uid_one = _invoke(run, envs[0], {"value": "a"})
    two, uid_two = _invoke(run, envs[1], {"value": "b"})
    assert one == two == "init"
    assert uid_one == uid_two  # one function: one user
    if os.geteuid() == 0:
        assert uid_one != 0


def test_user_namespace_gives_the_same_view_without_root(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a server not running as root gets (where the kernel allows unprivileged user
    namespaces), forced here: the same view, the same ids, and the environment still
    dies with its zygote."""
    monkeypatch.setenv("STRATUS_MOUNT_NAMESPACE", "user")
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path / "work"))
    code = write_code(tmp_path / "code", {"app.py": WRITE_TMP})
    source = """
    import os
    def handler(e, c):
        try:
            open("/var/task/x", "w")
            writable = True
        except OSError:
            writable = False
        return [os.getcwd(), os.getuid(), os.getgid(), writable, sorted(os.listdir("/tmp"))]
    """
    probe_code = write_code(tmp_path / "probe", {"app.py": source})

    async def scenario() -> tuple[Any, Any, Any, int | None, Any]:
        await factory.start()
        try:
            env = await factory.create(launch_for(probe_code, tmp_dir=str(tmp_path / "t0")))
            view = factory.mount_view()
            if not (view and view["enabled"]):
                return view, None, None, None, None
            facts = json.loads((await env.invoke(request())).payload)
            writer = await factory.create(launch_for(code, tmp_dir=str(tmp_path / "t1")))
            wrote = json.loads((await writer.invoke(request(b'{"value": "u"}'))).payload)
            zygote = next(iter(factory._zygotes.values()))
            os.kill(zygote.pid or 0, 9)
            await env.wait_closed()  # PR_SET_PDEATHSIG survived the new credentials
            return view, facts, wrote, env.exit_status()[1], None
        finally:
            await factory.close()

    view, facts, wrote, signal_number, _ = run(scenario(), timeout=120)
    if not view["enabled"]:
        pytest.skip(f"no user namespaces here: {view['reason']}")
    assert view["user_namespace"] is True
    assert facts == ["/var/task", os.getuid(), os.getgid(), False, []]
    assert wrote == {"before": None, "listing": []}
    assert signal_number == 9


def _appears(directory: Path, pattern: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(directory.glob(pattern)):
            return True
        time.sleep(0.01)
    return False


def test_bytecode_of_read_only_code_is_cached_for_the_function_alone(
    factory, run, envs, tmp_path: Path
) -> None:
    """/var/task and /opt are read-only, yet the next cold start must not compile the
    function and its layers again: their bytecode goes to a cache of the function's own
    (never next to the code, where another function using the same code or layer would
    run it)."""
    _require_view(factory, run, tmp_path)
    layer = write_code(tmp_path / "layer", {"python/helper.py": "VALUE = 2\n"})
    code = write_code(
        tmp_path / "code",
        {"app.py": "import helper\ndef handler(e, c):\n    return helper.VALUE\n"},
    )
    launch = launch_for(code, tmp_dir=str(tmp_path / "t"), layers=(layer,))
    envs.append(run(factory.create(launch)))
    assert _invoke(run, envs[0]) == 2
    assert not (tmp_path / "code" / "__pycache__").exists()
    assert not (tmp_path / "layer" / "python" / "__pycache__").exists()
    cache = Path(factory._bytecode_dir(launch.spec))
    # Written once the first invocation has answered (not while its caller waits).
    assert _appears(cache / "var" / "task" / "__pycache__", "app.*.pyc")
    assert _appears(cache / "opt" / "python" / "__pycache__", "helper.*.pyc")
    # Another function with the same code and layer gets a cache of its own.
    other = launch_for(code, tmp_dir=str(tmp_path / "t2"), layers=(layer,))
    assert factory._bytecode_dir(other.spec) != str(cache)
