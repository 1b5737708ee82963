"""Init failures, crashes and kills: each kills only its own environment."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest

from stratus.runtime.environment import EnvironmentExited, InitFailed

from .conftest import launch_for, request, write_code

INIT_ERRORS = [
    pytest.param(
        {"app.py": "def handler(e, c): pass\n"},
        "apphandler",
        "Runtime.MalformedHandlerName",
        "Bad handler 'apphandler': not enough values to unpack (expected 2, got 1)",
        id="malformed-name",
    ),
    pytest.param(
        {"app.py": "def handler(e, c): pass\n"},
        "missing.handler",
        "Runtime.ImportModuleError",
        "Unable to import module 'missing': No module named 'missing'",
        id="no-module",
    ),
    pytest.param(
        {"app.py": "import not_installed_anywhere\n"},
        "app.handler",
        "Runtime.ImportModuleError",
        "Unable to import module 'app': No module named 'not_installed_anywhere'",
        id="module-imports-missing",
    ),
    pytest.param(
        {"app.py": "def other(e, c): pass\n"},
        "app.handler",
        "Runtime.HandlerNotFound",
        "Handler 'handler' missing on module 'app'",
        id="no-handler",
    ),
    pytest.param(
        {"app.py": "def handler(e, c)\n    pass\n"},
        "app.handler",
        "Runtime.UserCodeSyntaxError",
        "Syntax error in module 'app': expected ':' (app.py, line 1)",
        id="syntax-error",
    ),
    pytest.param(
        {"app.py": "def handler(e, c): pass\n"},
        "sys.handler",
        "Runtime.BuiltInModuleConflict",
        "Cannot use built-in module sys as a handler module",
        id="builtin-module",
    ),
    pytest.param(
        {"app.py": "raise KeyError('boom at import')\n"},
        "app.handler",
        "KeyError",
        "'boom at import'",
        id="raises-at-import",
    ),
]


@pytest.mark.parametrize(("files", "handler", "error_type", "message"), INIT_ERRORS)
def test_init_errors_are_lambdas(
    factory, run, tmp_path: Path, files: dict[str, str], handler: str, error_type: str, message: str
) -> None:
    code = write_code(tmp_path / "code", files)
    with pytest.raises(InitFailed) as info:
        run(factory.create(launch_for(code, handler, tmp_dir=str(tmp_path / "tmp"))))
    failure = info.value
    assert failure.error_type == error_type
    error = json.loads(failure.error_payload)
    assert error["errorType"] == error_type
    assert error["errorMessage"] == message
    assert error["requestId"] == ""
    assert f"[ERROR] {error_type}: {message}" in failure.logs
    assert failure.init_ms >= 0


def test_nested_handler_path_with_slashes(factory, run, tmp_path: Path) -> None:
    code = write_code(
        tmp_path / "code",
        {"pkg/__init__.py": "", "pkg/mod.py": "def fn(e, c):\n    return 'nested'\n"},
    )
    env = run(factory.create(launch_for(code, "pkg/mod.fn", tmp_dir=str(tmp_path / "t"))))
    try:
        assert run(env.invoke(request())).payload == b'"nested"'
    finally:
        env.kill()
        run(env.wait_closed())


def test_exception_at_import_has_a_stack_trace(factory, run, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"app.py": "x = 1\nraise RuntimeError('nope')\n"})
    with pytest.raises(InitFailed) as info:
        run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp"))))
    trace = json.loads(info.value.error_payload)["stackTrace"]
    assert trace and 'app.py", line 2, in <module>' in trace[-1]


@pytest.mark.parametrize(
    ("body", "code", "sig"),
    [
        pytest.param("os._exit(3)", 3, None, id="os-exit"),
        pytest.param("sys.exit(4)", 4, None, id="sys-exit"),
        pytest.param("ctypes.string_at(0)", None, signal.SIGSEGV, id="segfault"),
        pytest.param("os.kill(os.getpid(), signal.SIGTERM)", None, signal.SIGTERM, id="sigterm"),
    ],
)
def test_a_dying_handler_raises_environment_exited(
    factory, run, tmp_path: Path, body: str, code: int | None, sig: int | None
) -> None:
    source = f"import ctypes, os, signal, sys\ndef handler(e, c):\n    {body}\n"
    code_dir = write_code(tmp_path / "code", {"app.py": source})
    env = run(factory.create(launch_for(code_dir, tmp_dir=str(tmp_path / "tmp"))))
    other = run(factory.create(launch_for(code_dir, tmp_dir=str(tmp_path / "tmp2"))))
    with pytest.raises(EnvironmentExited) as info:
        run(env.invoke(request()))
    assert (info.value.exit_code, info.value.signal) == (code, sig)
    run(env.wait_closed())
    assert not env.alive
    assert env.exit_status() == (code, sig)
    assert env.rss_bytes() == 0
    # Only that environment died.
    assert other.alive
    with pytest.raises(EnvironmentExited):
        run(other.invoke(request()))


def test_kill_during_an_invocation(factory, run, tmp_path: Path) -> None:
    code = write_code(
        tmp_path / "code", {"app.py": "import time\ndef handler(e, c):\n    time.sleep(60)\n"}
    )
    env = run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp"))))

    async def invoke_then_kill() -> EnvironmentExited:
        task = asyncio.ensure_future(env.invoke(request()))
        await asyncio.sleep(0.05)
        env.kill()
        env.kill()  # idempotent
        with pytest.raises(EnvironmentExited) as info:
            await task
        return info.value

    exited = run(invoke_then_kill())
    assert (exited.exit_code, exited.signal) == (None, signal.SIGKILL)
    run(env.wait_closed())
    assert env.exit_status() == (None, signal.SIGKILL)
    env.kill()  # still idempotent once reaped


def test_dying_during_init_raises_environment_exited(factory, run, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"app.py": "import os\nos._exit(9)\n"})
    with pytest.raises(EnvironmentExited) as info:
        run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp"))))
    assert info.value.exit_code == 9


def test_cancelling_create_kills_the_process(factory, run, tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    code = write_code(
        tmp_path / "code",
        {
            "app.py": f"import os, time\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\n"
            "time.sleep(60)\n"
        },
    )

    async def create_with_timeout() -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1.0):
                await factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp")))

    run(create_with_timeout())
    pid = int(marker.read_text())

    async def gone() -> None:
        while os.path.exists(f"/proc/{pid}"):
            await asyncio.sleep(0.01)

    run(gone(), timeout=10)


def test_zygote_restarts_after_it_dies(factory, run, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"app.py": "def handler(e, c):\n    return 'ok'\n"})
    env = run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp"))))
    zygote = next(iter(factory._zygotes.values()))
    starts = zygote.starts
    os.kill(zygote.pid, signal.SIGKILL)
    # Its children die with it (PR_SET_PDEATHSIG), and their environments say so.
    run(env.wait_closed(), timeout=10)
    assert env.exit_status() == (None, signal.SIGKILL)

    async def gone() -> None:
        while os.path.exists(f"/proc/{env.pid}"):
            await asyncio.sleep(0.01)

    run(gone(), timeout=10)
    fresh = run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp2"))))
    assert zygote.starts == starts + 1
    assert run(fresh.invoke(request())).payload == b'"ok"'
    fresh.kill()
    run(fresh.wait_closed())


def test_private_tmp_is_removed_when_the_environment_dies(factory, run, tmp_path: Path) -> None:
    """Each environment's /tmp lives as long as the environment, not longer: under the
    mount view it is a tmpfs that goes with the environment and never touches the
    machine's disk; without it, a private directory the server removes."""
    code = write_code(
        tmp_path / "code",
        {
            "app.py": "import tempfile\ndef handler(event, context):\n    open(tempfile.gettempdir() + '/f', 'w').write('x')\n    return 1\n"
        },
    )
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"))
    env = run(factory.create(launch))
    run(env.invoke(request()))
    mounted = (factory.mount_view() or {}).get("enabled")
    assert os.path.isfile(os.path.join(launch.tmp_dir, "f")) != bool(mounted)
    env.kill()
    run(env.wait_closed())

    async def gone() -> bool:
        for _ in range(200):
            if not os.path.exists(launch.tmp_dir):
                return True
            await asyncio.sleep(0.01)
        return False

    assert run(gone())
