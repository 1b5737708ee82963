"""Provisioned environments in a pool, with real forked environments: handed out first,
never reaped, reported when they die, shrunk and released on demand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stratus.runtime.environment import LaunchConfig
from stratus.runtime.pool import PROVISIONED_INIT, EnvironmentPool

from .conftest import launch_for, request, write_code

CODE = {
    "app.py": """
        import os

        def handler(event, context):
            return {"init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "pid": os.getpid()}
    """
}


def make_pool(factory: Any, tmp_path: Path) -> tuple[EnvironmentPool, list[str]]:
    code = write_code(tmp_path / "code", CODE)
    template = launch_for(code, tmp_dir=str(tmp_path / "tmp"))
    count = iter(range(1000))

    def launch(spec: Any) -> LaunchConfig:
        return launch_for(
            code, tmp_dir=str(tmp_path / f"tmp{next(count)}"), name=spec.function_name
        )

    pool = EnvironmentPool(template.spec, factory, launch)
    lost: list[str] = []
    pool.on_provisioned_lost = lost.append
    return pool, lost


def served_by(run: Any, env: Any) -> dict[str, Any]:
    return dict(json.loads(run(env.invoke(request())).payload))


def test_provisioned_first_never_reaped_and_reported_when_dead(factory, run, tmp_path) -> None:
    pool, lost = make_pool(factory, tmp_path)
    try:
        run(pool.create_provisioned("f:live", 10.0))
        assert pool.provisioned_count("f:live") == 1
        on_demand = run(pool.create(10.0))
        pool.release(on_demand)

        env = pool.take_idle()
        assert env is not None
        assert served_by(run, env)["init"] == PROVISIONED_INIT
        pool.release(env)

        assert pool.reap(keep_warm_s=0.0) == 1  # only the on-demand one
        assert not on_demand.alive
        again = pool.take_idle()
        assert again is env  # the provisioned one survived the reaper
        pool.release(again)

        env.kill()
        run(env.wait_closed())
        pool.reap(keep_warm_s=0.0)
        assert lost == ["f:live"]
        assert pool.provisioned_count("f:live") == 0
    finally:
        pool.retire()


def test_shrink_release_and_retire(factory, run, tmp_path) -> None:
    pool, lost = make_pool(factory, tmp_path)
    try:
        for _ in range(3):
            run(pool.create_provisioned("f:1", 10.0))
        busy = pool.take_idle()
        assert busy is not None
        pool.release_provisioned("f:1", keep=1)
        assert pool.provisioned_count("f:1") == 1
        # the surplus was idle environments first; the busy one is still provisioned
        pool.release(busy)
        assert pool.take_idle() is busy
        pool.release(busy)

        pool.release_provisioned("f:1")
        assert pool.provisioned_count("f:1") == 0
        assert not busy.alive
        assert lost == []  # released on purpose: no replacement wanted

        run(pool.create_provisioned("f:1", 10.0))
        pool.retire()
        assert lost == ["f:1"]
        assert pool.statistics().provisioned == 0
    finally:
        pool.retire()
