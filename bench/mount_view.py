"""What an environment's private mount view (/tmp, /var/task, /opt) adds to a cold start.

Each sample forks a child of this process, as the zygote does, and times
``mounts.enter`` in it: the binds of code, layers and ``/tmp`` once a spare child has
entered its namespace ahead of time (the usual cold start), and the whole setup when no
spare was ready (a burst). Baseline, in the same run: ``fork`` + ``waitpid`` of this
process, which every cold start without a spare pays anyway. End-to-end cold starts are
``bench/cold_start.py``'s figure; the view's share of them is too small to see there on a
shared machine.

    python -m bench.mount_view [--runs 200] [--json PATH]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Figure, Row, argument_parser, emit, percentile
from stratus.runtime.worker import mounts


def _in_child(root: str, layers: list[str], ahead: bool) -> float:
    """Fork; the child sets the view up and sends its µs through a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            if ahead:
                mounts.prepare()
            start = time.perf_counter()
            mounts.enter(root + "/code", [f"{root}/{d}" for d in layers], 512)
            os.write(write_end, str((time.perf_counter() - start) * 1e6).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 64)
    os.close(read_end)
    os.waitpid(pid, 0)
    return float(answer)


def _fork_us(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os._exit(0)
        os.waitpid(pid, 0)
        times.append((time.perf_counter() - start) * 1e6)
    return times


def measure(runs: int) -> Figure:
    figure = Figure("mount_view", "Private mount view: its cost in a cold start")
    state = mounts.probe([])
    if not (state.enabled and state.task_root and state.opt):
        figure.notes.append(f"not measured: {state.reason or '; '.join(state.gaps)}")
        return figure
    # Not under /tmp: the view covers it before the sources would be read.
    with tempfile.TemporaryDirectory(prefix="stratus-bench-", dir="/var/tmp") as root:
        for name in ("code", "layer1/python", "layer2/python", "tmp"):
            os.makedirs(os.path.join(root, name))
        fork = _fork_us(runs)
        cases = [("no layers", []), ("one layer", ["layer1"])]
        if state.overlay:
            cases.append(("two layers (overlay)", ["layer1", "layer2"]))
        for label, layers in cases:
            for ahead in (True, False):
                sample = [_in_child(root, layers, ahead) for _ in range(runs)]
                when = "spare ready" if ahead else "no spare (namespace made now)"
                figure.add(
                    Row(
                        f"{label}, {when}: p50",
                        percentile(sample, 0.5),
                        "us",
                        "fork+wait p50",
                        percentile(fork, 0.5),
                        "< 500 us" if ahead else "",
                        percentile(sample, 0.5) < 500 if ahead else None,
                    )
                )
    figure.notes.append(f"{runs} children per row, one at a time")
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    emit(measure(args.runs), args.json)


if __name__ == "__main__":
    main()
