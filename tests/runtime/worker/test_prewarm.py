"""A spare child's prewarm leaves nothing behind that a function could see."""

from __future__ import annotations

import glob
import os
import sys
import tempfile

from stratus.runtime.worker import sandbox


def test_prewarm_leaves_no_trace() -> None:
    path_before = list(sys.path)
    environ_before = dict(os.environ)
    sandbox.prewarm()
    assert sys.path == path_before
    assert dict(os.environ) == environ_before
    assert "_stratus_prewarm_probe" not in sys.modules
    probe_dir = os.path.join(tempfile.gettempdir(), f"stratus-prewarm-{os.getppid()}")
    entries = {os.path.basename(p) for p in glob.glob(os.path.join(probe_dir, "*"))}
    assert entries - {"__pycache__"} == {"_stratus_prewarm_probe.py"}  # one reusable probe
    assert not any("stratus-prewarm-" in key for key in sys.path_importer_cache)
