"""The AWS-recorded ``dynamodb:*`` optimized integration cases and ``aws-sdk:dynamodb:*``
cases, run THROUGH the Step Functions API against the session server's tables.

Each case whose services are all DynamoDB actions runs in turn (the recorded cases
share one table name and item), with the table created as the recording had it (hash key
``id``), except for the "no such table" and "invalid table name" cases. Outcomes are
compared by the material's README rules with `test_conformance_api.compare`.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import FINISHED, sfn_client
from tests.aws.stepfunctions.test_conformance_api import compare
from tests.conftest import ROLE, ServerProcess
from tests.workflows.conformance import MATERIAL, Outcome, case_id, load_cases

CASES = {
    case_id(case): case
    for case in load_cases("cases-service.jsonl")
    if case["services"]
    and all(s.startswith(("dynamodb:", "aws-sdk:dynamodb:")) for s in case["services"])
}
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)


def run_case(server: ServerProcess, case: dict[str, Any]) -> Outcome:
    sfn = sfn_client(server)
    ddb = server.client("dynamodb")
    table = case["input"].get("TableName", "")
    if not table.startswith(("no_such", "/")):
        try:
            ddb.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        except ddb.exceptions.ResourceInUseException:
            pass
    machine = sfn.create_state_machine(
        name=f"conf-{uuid.uuid4().hex[:16]}",
        definition=(MATERIAL / case["definition_file"]).read_text(),
        roleArn=ROLE,
        type=case["state_machine_type"],
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(case["input"]))[
        "executionArn"
    ]
    deadline = time.monotonic() + 60
    while (result := sfn.describe_execution(executionArn=arn))["status"] not in FINISHED:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    history = [
        event["type"]
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        for event in page["events"]
    ]
    output = json.loads(result["output"]) if "output" in result else None
    return compare(
        case, result["status"], output, result.get("error"), result.get("cause"), history
    )


@pytest.mark.parametrize("name", list(CASES) or ["no-material"])
def test_dynamodb_case_via_api(name: str, server: ServerProcess) -> None:
    outcome = run_case(server, CASES[name])
    assert not outcome.problems, "\n".join(outcome.problems)
