"""A spare child's prewarm leaves nothing behind that a function could see, and its
module lives where only root can write (never a predictable path in /tmp)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from stratus.runtime.worker import sandbox


def test_prewarm_leaves_no_trace(tmp_path: Path) -> None:
    scratch = tmp_path / "zygote"
    sandbox.make_prewarm_dir(str(scratch))
    path_before = list(sys.path)
    environ_before = dict(os.environ)
    sandbox.prewarm()
    assert sys.path == path_before
    assert dict(os.environ) == environ_before
    assert "_stratus_prewarm_probe" not in sys.modules
    entries = {p.name for p in scratch.iterdir()}
    assert entries - {"__pycache__"} == {"_stratus_prewarm_probe.py"}  # one reusable probe
    assert not any(str(scratch) in key for key in sys.path_importer_cache)


def test_the_prewarm_directory_is_private(tmp_path: Path) -> None:
    scratch = tmp_path / "zygote"
    sandbox.make_prewarm_dir(str(scratch))
    assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
