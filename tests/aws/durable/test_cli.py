"""``stratus durable``: executions listed, and one shown as a timeline."""

from __future__ import annotations

from typing import Any

from tests.aws.durable.conftest import Deploy, start, wait_status
from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess

NESTED = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

def inner(child):
    return child.step(lambda _: 21, name="compute")

@durable_execution
def handler(event, context: DurableContext):
    value = context.run_in_child_context(inner, name="prepare")
    context.wait(Duration.from_seconds(1), name="cool-down")
    return context.step(lambda _: value * 2, name="double")
"""


def test_list_and_show(durable_server: ServerProcess, lam: Any, deploy: Deploy) -> None:
    name = deploy(NESTED)
    arn = start(lam, name, {}, DurableExecutionName="cli-run")
    wait_status(lam, arn)

    listed = stratus(durable_server, "durable")
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if "cli-run" in row)
    assert name in line and "SUCCEEDED" in line

    one = stratus(durable_server, "durable", "list", name)
    assert "cli-run" in one.stdout

    shown = stratus(durable_server, "durable", "show", arn)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("cli-run  SUCCEEDED")
    body = "\n".join(lines)
    assert "RunInChildContext prepare  succeeded" in body
    assert "    Step compute  succeeded  21" in body  # nested under its context
    assert "Wait cool-down  succeeded  (1s)" in body
    assert "invocation 2 ended" in body
    assert lines[-1] == "result: 42"


def test_show_needs_an_execution_arn(durable_server: ServerProcess) -> None:
    answer = stratus(durable_server, "durable", "show", "not-an-arn")
    assert answer.returncode == 1
    assert "give the execution's ARN" in answer.stderr
