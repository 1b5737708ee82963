"""``stratus workflows`` and ``stratus workflows show`` against a real server."""

from __future__ import annotations

import json
import time
import uuid

from tests.cli.test_cli import stratus
from tests.conftest import ROLE, ServerProcess

DEFINITION = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Pass",
            "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.greeting", "StringEquals": "hi Ada", "Next": "Done"}],
            "Default": "Nope",
        },
        "Nope": {"Type": "Fail", "Error": "Unknown", "Cause": "not Ada"},
        "Done": {"Type": "Succeed"},
    },
}


def _finished(sfn: object, arn: str) -> dict[str, object]:
    for _ in range(200):
        described = sfn.describe_execution(executionArn=arn)  # type: ignore[attr-defined]
        if described["status"] != "RUNNING":
            return described  # type: ignore[no-any-return]
        time.sleep(0.02)
    raise AssertionError("execution did not finish")


def test_workflows_list_and_show(server: ServerProcess) -> None:
    sfn = server.client("stepfunctions")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    machine = sfn.create_state_machine(name=name, definition=json.dumps(DEFINITION), roleArn=ROLE)
    ok = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"who": "Ada"}')
    bad = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"who": "Bob"}')
    _finished(sfn, ok["executionArn"])
    _finished(sfn, bad["executionArn"])

    listing = stratus(server, "workflows")
    assert listing.returncode == 0, listing.stderr
    header, *rows = listing.stdout.splitlines()
    assert header.split() == [
        "NAME",
        "TYPE",
        "RUNNING",
        "SUCCEEDED",
        "FAILED",
        "TIMED_OUT",
        "ABORTED",
    ]
    assert [r.split() for r in rows if r.split()[0] == name] == [
        [name, "STANDARD", "0", "1", "1", "0", "0"]
    ]

    shown = stratus(server, "workflows", "show", ok["executionArn"])
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split()[1] == "SUCCEEDED"
    assert [
        line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("    ")
    ] == [
        "Greet",
        "Check",
        "Done",
    ]
    assert '      output: {"greeting":"hi Ada"}' in lines

    failed = stratus(server, "workflows", "show", bad["executionArn"])
    assert "error: Unknown: not Ada" in failed.stdout.splitlines()


def test_show_unknown_execution_is_one_line(server: ServerProcess) -> None:
    arn = "arn:aws:states:us-east-1:000000000000:execution:nope:nope"
    result = stratus(server, "workflows", "show", arn)
    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"error: ExecutionDoesNotExist: Execution Does Not Exist: '{arn}'"
    )
