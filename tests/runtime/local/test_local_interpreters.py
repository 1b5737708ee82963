"""Interpreter discovery, and functions on a Python other than the server's."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from stratus.runtime.local.errors import UnsupportedRuntime
from stratus.runtime.local.factory import LocalEnvironmentFactory
from stratus.runtime.local.interpreters import InterpreterResolver, parse_runtime

from .conftest import launch_for, request, write_code


@pytest.mark.parametrize(
    ("runtime", "version"),
    [("python3.9", (3, 9)), ("python3.13", (3, 13)), ("python3.12", (3, 12))],
)
def test_parse_runtime(runtime: str, version: tuple[int, int]) -> None:
    assert parse_runtime(runtime) == version


@pytest.mark.parametrize("runtime", ["nodejs20.x", "provided.al2023", "python3", "python3.x", ""])
def test_parse_runtime_rejects_other_runtimes(runtime: str) -> None:
    with pytest.raises(UnsupportedRuntime):
        parse_runtime(runtime)


def test_own_version_is_the_server_interpreter(tmp_path: Path) -> None:
    resolver = InterpreterResolver(tmp_path)
    own = resolver.resolve(f"python{sys.version_info[0]}.{sys.version_info[1]}")
    assert own.path == sys.executable and not own.foreign


def test_missing_version_falls_back_with_a_warning(tmp_path: Path, caplog) -> None:
    resolver = InterpreterResolver(tmp_path)
    with caplog.at_level("WARNING"):
        found = resolver.resolve("python3.99")
    assert found.path == sys.executable
    assert found.substitutes("python3.99")  # the factory then warns in the function's log
    assert "no working python3.99" in caplog.text


def _requires_python(site: Path, distribution: str) -> str:
    (info,) = site.glob(f"{distribution}-*.dist-info")
    for line in (info / "METADATA").read_text().splitlines():
        if line.startswith("Requires-Python:"):
            return line.split(":", 1)[1].strip()
    return ""


def test_each_runtime_gets_dependencies_for_its_own_python(tmp_path: Path) -> None:
    """python3.9's boto3 is one that supports 3.9, whatever the server's venv holds
    (this machine may have no 3.9 to run it: the install is for that version anyway)."""
    resolver = InterpreterResolver(tmp_path / "interpreters")
    site = resolver.site_dir((3, 9))
    assert site == tmp_path / "interpreters" / "python3.9" / "site"
    for name in ("boto3", "botocore", "urllib3"):
        required = _requires_python(site, name).replace(" ", "")
        assert not any(required.startswith(f">={v}") for v in ("3.10", "3.11", "3.12")), (
            name,
            required,
        )
    assert resolver.site_dir((3, 9)) == site  # installed once: the second call finds it


def test_an_interpreter_runs_with_its_runtime_directory(run, tmp_path: Path) -> None:
    """The server's Python, named explicitly, is treated as any other interpreter: its
    zygote imports boto3 from the runtime's directory under the data directory."""
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    runtime = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    resolver = InterpreterResolver(tmp_path / "interpreters", explicit={runtime: base})
    factory = LocalEnvironmentFactory(work_dir=str(tmp_path / "work"), resolver=resolver)
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            import sys, boto3
            client = boto3.client("sqs", region_name="us-east-1")

            def handler(event, context):
                return ["%d.%d" % sys.version_info[:2], sys.executable, boto3.__file__]
            """
        },
    )

    async def invoke() -> list[str]:
        await factory.start()
        try:
            env = await factory.create(
                launch_for(code, tmp_dir=str(tmp_path / "tmp"), runtime=runtime)
            )
            result: list[str] = json.loads((await env.invoke(request())).payload)
            return [*result, env.init.logs]
        finally:
            await factory.close()

    version, executable, boto3_file, init_logs = run(invoke(), timeout=600)
    assert f"python{version}" == runtime
    assert os.path.realpath(executable) == base
    assert boto3_file.startswith(str(tmp_path / "interpreters" / runtime / "site"))
    assert "WARNING" not in init_logs  # the real version: nothing to say


def _foreign_runtime() -> str | None:
    for minor in (12, 13, 10, 9):
        if (3, minor) == sys.version_info[:2]:
            continue
        if InterpreterResolver.candidates((3, minor)):
            return f"python3.{minor}"
    return None


FOREIGN = _foreign_runtime()
# python3.9 is the one the server's own boto3 (>= 3.10) cannot serve: it needs its own.
FOREIGN_RUNTIMES = sorted(
    {r for r in (FOREIGN, "python3.9") if r and r != f"python3.{sys.version_info[1]}"}
    - {r for r in ("python3.9",) if not InterpreterResolver.candidates((3, 9))}
)


@pytest.mark.skipif(not FOREIGN_RUNTIMES, reason="no other python3.x installed (PATH or pyenv)")
@pytest.mark.parametrize("runtime", FOREIGN_RUNTIMES or ["none"])
def test_function_runs_on_a_foreign_interpreter(factory, run, tmp_path: Path, runtime: str) -> None:
    interpreter = run(
        __import__("asyncio").to_thread(factory.resolver.resolve, runtime), timeout=600
    )
    assert interpreter.foreign, f"{runtime} is installed but its zygote cannot import boto3"
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            import sys, boto3
            client = boto3.client("sqs", region_name="us-east-1")

            def handler(event, context):
                return ["%d.%d" % sys.version_info[:2], sys.executable, context.function_name,
                        boto3.__file__, __file__]
            """
        },
    )
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"), runtime=runtime)
    env = run(factory.create(launch), timeout=300)
    try:
        version, executable, name, boto3_file, app_file = json.loads(
            run(env.invoke(request())).payload
        )
        assert f"python{version}" == runtime
        assert executable == interpreter.path
        assert name == launch.spec.function_name
        # boto3 from the runtime's own directory in the work (data) directory
        assert boto3_file.startswith(str(factory.resolver.cache_dir / runtime / "site"))
        assert "WARNING" not in env.init.logs
        # The worker's own code (mount view, bytecode hook) runs on that Python too.
        view = factory._zygotes[interpreter.path].ready_report["mounts"]
        assert app_file == ("/var/task/app.py" if view["enabled"] else f"{code}/app.py")
    finally:
        env.kill()
        run(env.wait_closed())
