"""A warm invoke through boto3 against a call that does no work, on the same server.

Issue 7's figure: what a warm Invoke costs on top of the protocol layer itself. Against
``python -m stratus up``, one boto3 client alternates ``invoke`` of a warm hello-world
function with ``get_account_settings`` (parsed, validated, routed and serialized like any
call, but no work behind it), so both see the same machine at the same moment. It also
measures the first invoke of fresh functions through the same client (a cold start as a
user sees it, creation not counted), and beside it a no-op call and a warm invoke after the
same pause: on a machine whose idle cores sleep deeply (a VM's halted vCPU), the pause
alone costs a call more than a millisecond, so the cold start's own share is the
difference.

The same measurement runs against the code before this issue (``--before REF``, default
the last commit before it, checked out into a temporary worktree and run with this
environment's packages), in the same run, so "before" and "after" share the machine's
state. Targets: warm invoke within 1.2x of the no-op call, and a cold start through boto3
under 3 ms, with validation on.

    python -m bench.invoke_vs_noop [--calls 1500] [--functions 30] [--before REF] [--json PATH]
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench._platform import HELLO_SOURCE, ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import REPO_ROOT, create_active, invoke_ms, lambda_client, stratus_server

#: The last commit before issue 7 (service seam, validation from the models).
BEFORE_ISSUE_7 = "b3df8c9"
WARM_TARGET = 1.2
COLD_TARGET_MS = 3.0
PAUSE_S = 0.025  # before each first invoke, as cold_start.py waits


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """``ref`` in a temporary detached worktree, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-ref-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", "-q", str(tree), ref],
            check=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
            )


def _ms(start: int) -> float:
    return (time.perf_counter_ns() - start) / 1e6


def measure_server(root: Path, calls: int, functions: int) -> dict[str, list[float]]:
    """Milliseconds per no-op call, warm invoke and first invoke, on one server."""
    times: dict[str, list[float]] = {
        "noop": [],
        "warm": [],
        "cold": [],
        "noop_paused": [],
        "warm_paused": [],
    }
    package = zip_of(HELLO_SOURCE)
    with stratus_server(root) as served:
        client = lambda_client(served.endpoint)

        create_active(client, "bench-warm", package, ROLE)
        for _ in range(50):  # zygote started, environment warm, connections open
            invoke_ms(client, "bench-warm")
            client.get_account_settings()
        for _ in range(calls):
            start = time.perf_counter_ns()
            client.get_account_settings()
            times["noop"].append(_ms(start))
            times["warm"].append(invoke_ms(client, "bench-warm"))
        for i in range(functions):
            name = f"bench-cold-{i}-{uuid.uuid4().hex[:6]}"
            create_active(client, name, package, ROLE)
            time.sleep(PAUSE_S)  # let the zygote's spare child settle, as cold_start does
            times["cold"].append(invoke_ms(client, name))
            # The same pause before calls that start nothing: what the pause alone costs
            # (an idle machine's cores and caches go cold; on a VM, a halted vCPU wakes).
            time.sleep(PAUSE_S)
            start = time.perf_counter_ns()
            client.get_account_settings()
            times["noop_paused"].append(_ms(start))
            time.sleep(PAUSE_S)
            times["warm_paused"].append(invoke_ms(client, "bench-warm"))
    return times


def measure(calls: int, functions: int, before: str) -> Figure:
    figure = Figure("invoke_vs_noop", "Warm invoke vs a no-op call through boto3 (issue 7)")
    with checkout(before) as old_root:
        runs = {
            "before": measure_server(old_root, calls, functions),
            "after": measure_server(REPO_ROOT, calls, functions),
        }
    for label, times in runs.items():
        noop50 = percentile(times["noop"], 0.5)
        warm50 = percentile(times["warm"], 0.5)
        cold50 = percentile(times["cold"], 0.5)
        after = label == "after"
        figure.add(
            Row(
                f"{label}: warm invoke p50",
                warm50,
                "ms",
                "GetAccountSettings p50",
                noop50,
                target=f"<= {WARM_TARGET}x the no-op call" if after else "",
                met=(warm50 / noop50 <= WARM_TARGET) if after else None,
            )
        )
        figure.add(
            Row(
                f"{label}: first invoke p50 (cold start)",
                cold50,
                "ms",
                "warm invoke p50",
                warm50,
                target=f"p50 < {COLD_TARGET_MS:.0f} ms" if after else "",
                met=(cold50 < COLD_TARGET_MS) if after else None,
            )
        )
        figure.add(Row(f"{label}: GetAccountSettings p99", percentile(times["noop"], 0.99), "ms"))
        figure.add(
            Row(
                f"{label}: first invoke p50 against the same pause before a no-op call",
                cold50,
                "ms",
                "GetAccountSettings p50 after the same pause",
                percentile(times["noop_paused"], 0.5),
            )
        )
        figure.add(
            Row(
                f"{label}: warm invoke p50 after the same pause",
                percentile(times["warm_paused"], 0.5),
                "ms",
                "GetAccountSettings p50 after the same pause",
                percentile(times["noop_paused"], 0.5),
            )
        )
    figure.notes.append(
        f"before = {before} (the code before issue 7) run with this environment's packages; "
        f"{calls} alternating calls and {functions} fresh functions per server"
    )
    figure.notes.append(
        f"each first invoke follows a {PAUSE_S * 1000:.0f} ms pause; the rows 'after the same "
        "pause' show what that pause alone costs a call that starts nothing"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--calls", type=int, default=1500)
    parser.add_argument("--functions", type=int, default=30)
    parser.add_argument("--before", default=BEFORE_ISSUE_7)
    args = parser.parse_args()
    emit(measure(args.calls, args.functions, args.before), args.json)


if __name__ == "__main__":
    main()
