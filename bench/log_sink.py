"""CPU per invocation of storing its log: the log sink and the database's writer thread.

Every invocation's log (START, what the function printed, END, REPORT) goes through
``BufferedLogSink`` to the store, composed and split into lines on the event loop and
inserted by the database's writer thread; both hold the GIL the loop needs. This script
emits ``--invocations`` hello-world logs (3 lines each, or ``--printed`` more) through a
real sink into a real ``SQLiteDatabase`` (WAL, ``synchronous=NORMAL``), flushing every
``--per-flush`` invocations (what 50 ms gather at 2,000 invocations/s), and measures the
process CPU time (every thread) until the last line is committed, and of it the loop's
thread and the writer's.

The baseline, measured in the same run: the same logs through the same sink into a store
that drops them (composing and splitting the text: what any store costs at least).
``--before PATH`` also measures the code of another checkout (its ``stratus`` first on
the path), alternating with this one ``--rounds`` times, so before and after share the
same minutes. Each measurement runs in a fresh process; the least of the rounds is
reported.

    python -m bench.log_sink [--invocations 20000] [--rounds 3] [--before PATH]
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench._report import Figure, Row, argument_parser, emit
from stratus.runtime.logs import InvocationLog
from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.services.logs.sink import BufferedLogSink
from stratus.services.logs.sqlite import SQLiteLogStore
from stratus.store.sqlite.database import SQLiteDatabase

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:hello"
STREAMS = [f"2026/12/06/[$LATEST]{uuid.uuid4().hex}" for _ in range(8)]


class _DropStore:
    """A store that keeps nothing: the baseline (both sink interfaces, old and new)."""

    def append_batch_nowait(self, batch: list[Any]) -> None:
        return None

    def append_lines_nowait(self, batch: list[Any]) -> None:
        return None


def _thread_cpu(thread: threading.Thread | None) -> float:
    if thread is None or thread.ident is None:
        return 0.0
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


async def _measure(
    invocations: int, per_flush: int, printed: int, store_kind: str
) -> dict[str, float]:
    """One measurement, in this process (``--child``: the ``stratus`` of the checkout
    first on the path)."""

    body = "\n".join(f"printed line {n}" for n in range(printed))
    now_ms = int(time.time() * 1000)
    logs = [
        InvocationLog(str(uuid.uuid4()), "$LATEST", body, 1.37, 128, 41, None, "", now_ms + n)
        for n in range(invocations + per_flush * 5)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = SQLiteDatabase(Path(tmp) / "stratus.db", {"functions": FUNCTIONS_MIGRATIONS})
        await db.open()
        store: Any = SQLiteLogStore(db) if store_kind == "sqlite" else _DropStore()
        sink = BufferedLogSink(store, interval=60)
        writer = next(
            (t for t in threading.enumerate() if t.name.startswith("sqlite-writer")), None
        )

        async def emit(batch: list[InvocationLog]) -> None:
            for start in range(0, len(batch), per_flush):
                for n, log in enumerate(batch[start : start + per_flush]):
                    sink.emit(FUNCTION, STREAMS[n % len(STREAMS)], log)
                sink.flush()  # what the 50 ms timer does
                await asyncio.sleep(0)
            await db.write(lambda conn: None)  # one writer, FIFO: every line is committed

        await emit(logs[invocations:])  # warm-up: caches, the table's first pages
        cpu, loop, written = time.process_time(), time.thread_time(), _thread_cpu(writer)
        await emit(logs[:invocations])
        cpu = time.process_time() - cpu
        loop = time.thread_time() - loop
        written = _thread_cpu(writer) - written
        await db.close()
    scale = 1e6 / invocations
    return {"total_us": cpu * scale, "loop_us": loop * scale, "writer_us": written * scale}


def _child(
    root: Path, invocations: int, per_flush: int, printed: int, store: str
) -> dict[str, float]:
    """Measure in a fresh process whose ``stratus`` is checkout ``root``'s (this file run
    by its path, ``root`` first on the path, then this checkout for ``bench``)."""
    env = dict(os.environ)
    paths = [str(root), str(REPO_ROOT), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", store]
    argv += [str(invocations), str(per_flush), str(printed)]
    out = subprocess.run(argv, cwd=root, env=env, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def measure(
    invocations: int, per_flush: int, printed: int, before: Path | None, rounds: int
) -> Figure:
    trees = {"after": REPO_ROOT} if before is None else {"before": before, "after": REPO_ROOT}
    found: dict[str, list[dict[str, float]]] = {}
    for _ in range(rounds):
        for name, root in trees.items():
            for store in ("drop", "sqlite"):
                costs = _child(root, invocations, per_flush, printed, store)
                found.setdefault(f"{name}/{store}", []).append(costs)

    def least(key: str, field: str) -> float:
        return min(run[field] for run in found[key])

    lines = 3 + printed
    figure = Figure("log_sink", "Function logs: CPU per invocation to store its log")
    for name in trees:
        tag = f"{name}: " if before is not None else ""
        base = least(f"{name}/drop", "total_us")
        key = f"{name}/sqlite"
        figure.add(
            Row(
                f"{tag}CPU per invocation, {lines} lines (loop thread "
                f"{least(key, 'loop_us'):.1f} us, writer thread {least(key, 'writer_us'):.1f} us)",
                least(key, "total_us"),
                "us",
                "the sink into a store that drops",
                base,
            )
        )
    figure.notes.append(
        f"{invocations} invocations, flushed every {per_flush}; process CPU (all threads) "
        f"until committed; the least of {rounds} round(s) in fresh processes; "
        f"{os.cpu_count()} cores shared with other work"
    )
    return figure


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        store, invocations, per_flush, printed = sys.argv[2], *map(int, sys.argv[3:6])
        print(json.dumps(asyncio.run(_measure(invocations, per_flush, printed, store))))
        return
    parser = argument_parser(__doc__)
    parser.add_argument("--invocations", type=int, default=20_000)
    parser.add_argument("--per-flush", type=int, default=100)
    parser.add_argument("--printed", type=int, default=0, help="lines the function prints")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, default=None)
    args = parser.parse_args()
    if min(args.invocations, args.per_flush, args.rounds) <= 0 or args.printed < 0:
        parser.error("--invocations, --per-flush and --rounds must be > 0")
    figure = measure(args.invocations, args.per_flush, args.printed, args.before, args.rounds)
    emit(figure, args.json)


if __name__ == "__main__":
    main()
