"""What the sandbox costs: cold start and warm invoke with and without the box.

Issue 14's figure. Three servers measured in the same run, each with one boto3 client
alternating a warm invoke with ``GetAccountSettings`` and then invoking fresh functions
for the first time (a cold start as a user sees it, creation not counted):

- ``before``: the code before the sandbox (``--before REF``, checked out into a
  temporary worktree and run with this environment's packages);
- ``box off``: this code with ``STRATUS_ISOLATION=0`` (the mount view stays; no user
  of its own, no control groups, no freezing);
- ``box on``: this code as it runs by default.

Target: the box costs at most 1 ms of cold start and nothing measurable warm.

    python -m bench.sandbox_cost [--calls 1000] [--functions 30] [--before REF] [--json PATH]
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import REPO_ROOT
from bench.invoke_vs_noop import checkout, measure_server

#: The last commit before issue 14's sandbox.
BEFORE_SANDBOX = "00dcf88"
COLD_BUDGET_MS = 1.0


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def measure(calls: int, functions: int, before: str) -> Figure:
    figure = Figure("sandbox_cost", "Cold start and warm invoke with and without the sandbox")
    with checkout(before) as old_root:
        runs = {"before": measure_server(old_root, calls, functions)}
    with environment(STRATUS_ISOLATION="0"):
        runs["box off"] = measure_server(REPO_ROOT, calls, functions)
    runs["box on"] = measure_server(REPO_ROOT, calls, functions)
    base = runs["before"]
    for label, times in runs.items():
        warm = percentile(times["warm"], 0.5)
        cold = percentile(times["cold"], 0.5)
        noop = percentile(times["noop"], 0.5)
        boxed = label == "box on"
        figure.add(Row(f"{label}: warm invoke p50", warm, "ms", "GetAccountSettings p50", noop))
        figure.add(
            Row(
                f"{label}: first invoke p50 (cold start)",
                cold,
                "ms",
                "before: first invoke p50",
                percentile(base["cold"], 0.5),
                target=f"<= before + {COLD_BUDGET_MS:.0f} ms" if boxed else "",
                met=(cold - percentile(base["cold"], 0.5) <= COLD_BUDGET_MS) if boxed else None,
            )
        )
    figure.notes.append(
        f"before = {before} (the code before the sandbox) run with this environment's "
        f"packages; {calls} alternating calls and {functions} fresh functions per server"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--functions", type=int, default=30)
    parser.add_argument("--before", default=BEFORE_SANDBOX)
    args = parser.parse_args()
    emit(measure(args.calls, args.functions, args.before), args.json)


if __name__ == "__main__":
    main()
