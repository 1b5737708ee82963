"""SnapStart: init runs once in a template; environments are forked from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratus.runtime.environment import InitFailed

from .conftest import launch_for, request, write_code

SNAPSHOT_APP = """
    import os, random, tempfile
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    with open(os.environ["COUNTER_FILE"], "a") as f:
        f.write("init\\n")
    with open(os.path.join(tempfile.gettempdir(), "from-init.txt"), "w") as f:
        f.write("made at init")
    events = []

    @register_before_snapshot
    def first():
        events.append("before-1")

    register_before_snapshot(lambda tag: events.append(tag), "before-2")

    @register_after_restore
    def restored():
        events.append("after")

    def handler(event, context):
        with open(os.path.join(tempfile.gettempdir(), "from-init.txt")) as f:
            kept = f.read()
        return {
            "events": events,
            "random": random.random(),
            "init_type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"),
            "tmp": tempfile.gettempdir(),
            "kept": kept,
            "mine": os.environ.get("PER_ENV"),
        }
"""


def test_snapshot_template_runs_init_once(factory, run, tmp_path: Path) -> None:
    counter = tmp_path / "counter.txt"
    code = write_code(tmp_path / "code", {"app.py": SNAPSHOT_APP})
    first = launch_for(
        code,
        tmp_dir=str(tmp_path / "tmp0"),
        snapshot=True,
        env={"COUNTER_FILE": str(counter), "PER_ENV": "0"},
    )
    envs = [run(factory.create(first))]
    for i in (1, 2):
        launch = launch_for(
            code,
            tmp_dir=str(tmp_path / f"tmp{i}"),
            snapshot=True,
            env={"COUNTER_FILE": str(counter), "PER_ENV": str(i)},
        )
        # Same function version: same template.
        launch = type(launch)(spec=first.spec, env=launch.env, tmp_dir=launch.tmp_dir)
        envs.append(run(factory.create(launch)))
    try:
        results = [json.loads(run(env.invoke(request())).payload) for env in envs]
        view = factory.mount_view()
        mounted = bool(view and view["enabled"])
        assert counter.read_text() == "init\n"  # init ran once for three environments
        assert len({r["random"] for r in results}) == 3  # re-seeded in each
        for i, result in enumerate(results):
            assert result["events"] == ["before-2", "before-1", "after"]
            assert result["init_type"] == "snap-start"
            assert result["tmp"] == ("/tmp" if mounted else str(tmp_path / f"tmp{i}"))
            assert result["kept"] == "made at init"
            assert result["mine"] == str(i)
        assert len({env.pid for env in envs}) == 3
    finally:
        for env in envs:
            env.kill()
            run(env.wait_closed())


def test_snapshot_init_error_is_reported(factory, run, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", {"app.py": "raise ValueError('no snapshot')\n"})
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"), snapshot=True)
    with pytest.raises(InitFailed) as info:
        run(factory.create(launch))
    assert info.value.error_type == "ValueError"


def test_before_snapshot_hook_failure(factory, run, tmp_path: Path) -> None:
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            from snapshot_restore_py import register_before_snapshot

            @register_before_snapshot
            def hook():
                raise RuntimeError("cannot snapshot")

            def handler(e, c):
                return 1
            """
        },
    )
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"), snapshot=True)
    with pytest.raises(InitFailed) as info:
        run(factory.create(launch))
    assert info.value.error_type == "Runtime.BeforeSnapshotError"
    assert json.loads(info.value.error_payload)["errorMessage"] == "cannot snapshot"


def test_after_restore_hook_failure(factory, run, tmp_path: Path) -> None:
    code = write_code(
        tmp_path / "code",
        {
            "app.py": """
            from snapshot_restore_py import register_after_restore

            @register_after_restore
            def hook():
                raise RuntimeError("cannot restore")

            def handler(e, c):
                return 1
            """
        },
    )
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"), snapshot=True)
    with pytest.raises(InitFailed) as info:
        run(factory.create(launch))
    assert info.value.error_type == "Runtime.AfterRestoreError"


def test_template_is_replaced_when_it_dies(factory, run, tmp_path: Path) -> None:
    import os
    import signal

    counter = tmp_path / "counter.txt"
    code = write_code(tmp_path / "code", {"app.py": SNAPSHOT_APP})
    launch = launch_for(
        code, tmp_dir=str(tmp_path / "tmp"), snapshot=True, env={"COUNTER_FILE": str(counter)}
    )
    env = run(factory.create(launch))
    name = launch.spec.function_name
    template = next(t for k, t in factory._templates.items() if k[1] == name)
    os.kill(template.pid, signal.SIGKILL)
    run(env.wait_closed(), timeout=10)  # its children die with it
    fresh = run(factory.create(launch))
    assert json.loads(run(fresh.invoke(request())).payload)["init_type"] == "snap-start"
    assert counter.read_text() == "init\ninit\n"
    fresh.kill()
    run(fresh.wait_closed())
