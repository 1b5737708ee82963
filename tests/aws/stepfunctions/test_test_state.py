"""TestState through boto3: one state run alone, with real task integrations."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ROLE, ServerProcess, create_function

TRIPLE = "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('bad')\n    return {'tripled': event['n'] * 3}\n"


@pytest.fixture(scope="module")
def triple(server: ServerProcess, lambda_client: Any) -> str:
    return create_function(lambda_client, TRIPLE)


def test_lambda_task_with_inspection(server: ServerProcess, triple: str) -> None:
    sfn = server.client("stepfunctions")
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": triple, "Payload.$": "$.args"},
        "ResultSelector": {"value.$": "$.Payload.tripled"},
        "ResultPath": "$.result",
        "Next": "Done",
    }
    answer = sfn.test_state(
        definition=json.dumps(state),
        roleArn=ROLE,
        input='{"args": {"n": 4}}',
        inspectionLevel="DEBUG",
    )
    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "Done"
    assert json.loads(answer["output"]) == {"args": {"n": 4}, "result": {"value": 12}}
    data = answer["inspectionData"]
    assert json.loads(data["afterParameters"]) == {"FunctionName": triple, "Payload": {"n": 4}}
    assert json.loads(data["afterResultSelector"]) == {"value": 12}


def test_function_error_caught_and_retriable(server: ServerProcess, triple: str) -> None:
    sfn = server.client("stepfunctions")
    base = {
        "Type": "Task",
        "Resource": f"arn:aws:lambda:us-east-1:000000000000:function:{triple}",
        "End": True,
    }
    failed = sfn.test_state(definition=json.dumps(base), roleArn=ROLE, input='{"fail": true}')
    assert (failed["status"], failed["error"]) == ("FAILED", "ValueError")
    assert json.loads(failed["cause"])["errorMessage"] == "bad"
    retry = {**base, "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 2}]}
    assert (
        sfn.test_state(definition=json.dumps(retry), roleArn=ROLE, input='{"fail": true}')["status"]
        == "RETRIABLE"
    )
    caught = {**base, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]}
    answer = sfn.test_state(definition=json.dumps(caught), roleArn=ROLE, input='{"fail": true}')
    assert (answer["status"], answer["nextState"]) == ("CAUGHT_ERROR", "Recover")


def test_bad_definition_is_invalid_definition(server: ServerProcess) -> None:
    sfn = server.client("stepfunctions")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sfn.test_state(definition='{"Type": "Pass", "Next": 5}', roleArn=ROLE)
    assert info.value.response["Error"]["Code"] == "InvalidDefinition"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sfn.test_state(definition="{not json", roleArn=ROLE)
    assert info.value.response["Error"]["Code"] == "InvalidDefinition"
