"""Run every benchmark and regenerate ``bench/RESULTS.md`` with the machine it ran on.

``make bench`` runs ``python -m bench.run_all``. Each figure is its own script, run in a
fresh interpreter one after the other (never in parallel: they would measure each other).
A script that takes ``--json PATH`` gives rows with baselines, ratios and targets; one that
does not (yet) is recorded by its printed output, verbatim. A script that is missing,
fails or overruns is reported as such in RESULTS.md rather than stopping the run, so one
broken figure never hides the others.

    python -m bench.run_all [--only NAME ...] [--output bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._report import format_met, format_ratio, format_value

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
TIMEOUT_S = 300.0


@dataclass(frozen=True, slots=True)
class Script:
    """One figure's script and what issue 3 asks of it."""

    name: str  # module in bench/
    figure: str
    target: str


SCRIPTS = (
    Script(
        "cold_start",
        "Cold start through the Python API",
        "hello world: p50 < 10 ms and >= 10x faster than a fresh python -c; "
        "boto3 client at init: p50 < 30 ms",
    ),
    Script(
        "mount_view",
        "Private mount view's share of a cold start",
        "with a spare ready: p50 < 0.5 ms",
    ),
    Script(
        "warm_invoke",
        "Warm invoke overhead through the Python API",
        "p50 overhead < 100 us over a direct call",
    ),
    Script(
        "http_throughput",
        "Invokes per second through boto3 over HTTP, 8 threads",
        "ratio to a raw ASGI hello world; warm invoke > 10x faster than MiniStack (~54 ms)",
    ),
    Script(
        "first_invoke_boto3",
        "Create + first invoke through boto3 over HTTP",
        "> 10x faster than MiniStack's first invoke (~160 ms)",
    ),
    Script(
        "scale_out",
        "Scale-out: 50 concurrent cold invocations sleeping 100 ms",
        "the ideal: 100 ms + 50 cold starts spread over the cores",
    ),
    Script("env_memory", "Resident memory per warm idle environment", "< 15 MB unshared"),
    Script(
        "workflow_transitions",
        "Workflows: state transitions, starts per second, a 10,000-item Map",
        "issue 4: STANDARD > 5,000 transitions/s (durable), EXPRESS > 50,000/s on 2 cores",
    ),
    Script(
        "durable",
        "Durable functions: a 100-step execution vs plain calls, executions started/s",
        "issue 12: the cost of durability per step, measured",
    ),
    Script(
        "protocol_overhead",
        "Protocol layer overhead of one Lambda Invoke",
        "ratio to a bare dict copy (no target in the issue)",
    ),
    Script(
        "validation_cost",
        "Model validation per request, against parsing it",
        "issue 7: close to nothing on Invoke (ratio to the parse of the same request)",
    ),
    Script(
        "invoke_vs_noop",
        "Warm invoke vs a no-op call through boto3, before and after issue 7",
        "warm invoke <= 1.2x GetAccountSettings; first invoke through boto3 p50 < 3 ms",
    ),
    Script(
        "queue_throughput",
        "Queues: the store alone, SendMessage over HTTP, send+receive+delete end to end",
        "SQS issue: end to end >= 1,000 msg/s one at a time and >= 5,000 msg/s in batches "
        "of 10 (8 boto3 clients, durable); the store against raw SQLite",
    ),
    Script(
        "sqs_call_cpu",
        "SQS: server CPU per call through HTTP, per operation",
        "issue 9: server CPU per SendMessage, ReceiveMessage, DeleteMessage and their batch "
        "forms, against a raw ASGI hello world answering the same request (no target)",
    ),
    Script(
        "tables",
        "Tables: GetItem/PutItem/Query ops/s through boto3 against moto; stream records/s",
        "tables issue: >= 5x moto's server with 8 boto3 threads; raw SQLite as the ceiling",
    ),
    Script(
        "esm_throughput",
        "SQS -> Lambda via an event source mapping, messages/s end to end",
        "messaging issue: > 5,000 messages/s from SendMessageBatch to a counting function",
    ),
    Script(
        "sandbox_cost",
        "Cold start and warm invoke before the sandbox, with the box off and on",
        "issue 14: the box costs <= 1 ms of cold start and nothing measurable warm",
    ),
    Script(
        "other_runtimes",
        "Runtimes beyond Python: cold and warm invoke of Node.js and a custom runtime",
        "issue 13: reported next to Python's, against node -e and a bare process start; "
        "the Node.js cold start from the pool of pre-started node processes beside it",
    ),
    Script(
        "gateway",
        "Gateway: HTTP API requests/s and p50/p99 (plain, JWT, cached Lambda authorizer), "
        "WebSocket round trips",
        "issue 8: a function behind an HTTP API route >= 50% of a raw ASGI hello world",
    ),
    Script(
        "function_urls",
        "Function URLs: hello world requests/s and p50/p99 (wrk); streaming time to first byte",
        "issue 8 item 6: ratio to a raw ASGI hello world on the same stack; issue 13: the "
        "first streamed byte before the function returns",
    ),
    Script(
        "topic_fanout",
        "SNS publishes per second through boto3 (one Lambda subscription); pattern matches",
        "ratio to a no-op call through boto3; matches/s of a typical rule vs by hand",
    ),
    Script(
        "events",
        "EventBridge: pattern matches/s for 10 to 10,000 rules; PutEvents -> target latency",
        "issue 10: matches/s for 1,000 rules, cost not growing linearly with the rule count",
    ),
    Script(
        "s3",
        "S3 PutObject/GetObject MB/s (1 MB, 100 MB), small puts/s, PutObject to notified function",
        "ratios to a local file write (fsync) and read, a no-op call, a direct Event invoke",
    ),
    Script(
        "log_sink",
        "Function logs: CPU per invocation to store its log",
        "no target: the sink and the writer thread per hello-world invocation, against the "
        "sink alone (a store that drops)",
    ),
    Script(
        "hot_path",
        "Server CPU per warm invoke (Invocations.invoke, real worker)",
        "issues 7, 8, 9: no target of its own; the CPU their throughput targets are bound by",
    ),
)


@dataclass(slots=True)
class Outcome:
    script: Script
    status: str  # "ok", "missing", "failed (exit N)", "timed out"
    seconds: float = 0.0
    result: dict[str, Any] | None = None  # the --json figure, when the script writes one
    output: str = ""  # what it printed (stdout, then stderr when it failed)
    rows: list[dict[str, Any]] = field(default_factory=list)


def takes_json(path: Path) -> bool:
    """Whether a script accepts ``--json PATH`` (read from its source, not by trying)."""
    source = path.read_text()
    return '"--json"' in source or "argument_parser(" in source


def run_script(script: Script, timeout_s: float = TIMEOUT_S) -> Outcome:
    path = BENCH_DIR / f"{script.name}.py"
    if not path.exists():
        return Outcome(script, "missing")
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        json_path = Path(tmp) / "result.json"
        argv = [sys.executable, "-m", f"bench.{script.name}"]
        if takes_json(path):
            argv += ["--json", str(json_path)]
        print(f"-- running bench.{script.name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        # Its own session, so that an overrun kills the servers it started along with it.
        child = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = child.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            stdout, _ = child.communicate()
            return Outcome(script, "timed out", time.perf_counter() - start, output=stdout)
        seconds = time.perf_counter() - start
        output = stdout
        if child.returncode != 0:
            output = f"{stdout}\n{stderr}".strip()
            return Outcome(script, f"failed (exit {child.returncode})", seconds, output=output)
        result = json.loads(json_path.read_text()) if json_path.exists() else None
    print(output, file=sys.stderr, flush=True)
    outcome = Outcome(script, "ok", seconds, result=result, output=output)
    if result is not None:
        outcome.rows = list(result["rows"])
    return outcome


# -- the machine -------------------------------------------------------------------------
def machine() -> dict[str, str]:
    """What the numbers depend on: cores, CPU model, memory, Python, kernel, date, commit."""
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
                break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "nproc": nproc or str(os.cpu_count()),
        "CPU": cpu_model,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "kernel": f"{platform.system()} {platform.release()}",
        "load average at start": f"{load} (1, 5, 15 min; other work on the machine skews figures)",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": (commit or "unknown") + (" (with uncommitted changes)" if dirty else ""),
    }


# -- RESULTS.md --------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row_cells(row: dict[str, Any]) -> list[str]:
    unit = str(row["unit"])
    baseline = row.get("baseline")
    base_text = "-"
    if baseline is not None:
        label = str(row.get("baseline_label", ""))
        value = float(baseline)
        base_text = f"{label} {format_value(value, unit)}".strip()
    ratio = row.get("ratio")
    return [
        str(row["label"]),
        format_value(float(row["value"]), unit),
        base_text,
        format_ratio(float(ratio) if ratio is not None else None),
        str(row.get("target") or "-"),
        format_met(row.get("met")),
    ]


def _table(header: list[str], lines: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in line) + " |" for line in lines]
    return out


def _docstring_summary(name: str) -> str:
    """The first paragraph of the script's docstring: what it measures, in its own words."""
    path = BENCH_DIR / f"{name}.py"
    if not path.exists():
        return ""
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.split("\n\n")[0].split())


def render(outcomes: list[Outcome], host: dict[str, str]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `make bench` (`python -m bench.run_all`); do not edit by hand: run it "
        "again. Every figure is a ratio to a baseline measured in the same run (DESIGN.md, "
        '"Performance is a feature"); targets are the issues\' (3: foundation, 4: '
        "workflows, 7: service seam). Where the time goes when a "
        "target is missed: [PROFILE.md](PROFILE.md).",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[k, v] for k, v in host.items()]),
        "",
        "## Targets",
        "",
    ]
    summary = []
    for outcome in outcomes:
        judged = [r for r in outcome.rows if r.get("target")]
        if judged:
            for row in judged:
                label, value, baseline, ratio, target, met = _row_cells(row)
                verdict = met or f"{ratio} of {baseline}"
                summary.append([outcome.script.figure, label, value, target, verdict])
        else:
            verdict = "see below" if outcome.status == "ok" else outcome.status
            summary.append([outcome.script.figure, "-", "-", outcome.script.target, verdict])
    lines += _table(["figure", "measurement", "value", "target", "verdict"], summary)
    for outcome in outcomes:
        script = outcome.script
        lines += ["", f"## {script.figure} (`bench/{script.name}.py`)", ""]
        summary_text = _docstring_summary(script.name)
        if summary_text:
            lines += [summary_text, ""]
        lines += [
            f"Target: {script.target}. Status: {outcome.status}"
            + (f", {outcome.seconds:.0f} s." if outcome.seconds else "."),
            "",
        ]
        if outcome.rows:
            lines += _table(
                ["measurement", "value", "baseline", "ratio", "target", ""],
                [_row_cells(r) for r in outcome.rows],
            )
            notes = outcome.result.get("notes", []) if outcome.result else []
            lines += [""] + [f"- {note}" for note in notes]
        elif outcome.output:
            lines += ["Its output, verbatim:", "", "```", outcome.output.rstrip()[-4000:], "```"]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=[s.name for s in SCRIPTS],
        help="run only these scripts",
    )
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per script")
    args = parser.parse_args()
    chosen = [s for s in SCRIPTS if not args.only or s.name in args.only]
    host = machine()
    outcomes = [run_script(script, args.timeout) for script in chosen]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    host["load average at end"] = f"{load} (the benchmarks' own load included)"
    args.output.write_text(render(outcomes, host))
    print(f"wrote {args.output}", file=sys.stderr)
    failed = [o for o in outcomes if o.status not in ("ok", "missing")]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
