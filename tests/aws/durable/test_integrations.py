"""Durable functions called by the other services: Step Functions' ``lambda:invoke``
and an SQS event source mapping start durable executions, as on AWS (a qualified
function; the caller waits for the execution's result)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.aws.durable.conftest import Deploy, wait_status
from tests.conftest import ROLE, ServerProcess

DOUBLE = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

@durable_execution
def handler(event, context: DurableContext):
    value = context.step(lambda _: event["n"] * 2, name="double")
    context.wait(Duration.from_seconds(1))
    return {"doubled": value}
"""

RECORD = """
import json, os
from aws_durable_execution_sdk_python import DurableContext, durable_execution

def record(body):
    with open(os.path.join(os.environ["SCRATCH"], "sqs-" + body), "w") as out:
        out.write(body)
    return body

@durable_execution
def handler(event, context: DurableContext):
    bodies = [r["body"] for r in event["Records"]]
    return [context.step(lambda _, b=b: record(b), name=f"record-{i}") for i, b in enumerate(bodies)]
"""


def _run_machine(sfn: Any, definition: dict[str, Any]) -> dict[str, Any]:
    machine = sfn.create_state_machine(
        name=f"m-{time.time_ns()}", definition=json.dumps(definition), roleArn=ROLE
    )
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")
    for _ in range(600):
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.1)
    raise AssertionError("the state machine did not finish")


def _invoke_task(function: str) -> dict[str, Any]:
    return {
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function, "Payload": {"n": 21}},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }


def test_step_functions_waits_for_the_durable_execution(
    durable_server: ServerProcess, lam: Any, deploy: Deploy
) -> None:
    name = deploy(DOUBLE)
    version = lam.publish_version(FunctionName=name)["Version"]
    sfn = durable_server.client("stepfunctions")
    described = _run_machine(sfn, _invoke_task(f"{name}:{version}"))
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"doubled": 42}
    executions = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
    assert [e["Status"] for e in executions] == ["SUCCEEDED"]


def test_step_functions_unqualified_durable_function_fails(
    durable_server: ServerProcess, deploy: Deploy
) -> None:
    name = deploy(DOUBLE)
    sfn = durable_server.client("stepfunctions")
    described = _run_machine(sfn, _invoke_task(name))
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.InvalidParameterValueException"
    assert "You cannot invoke a durable function using an unqualified ARN." in described["cause"]


def test_sqs_event_source_mapping_starts_executions(
    durable_server: ServerProcess, lam: Any, deploy: Deploy, scratch: Path
) -> None:
    name = deploy(RECORD, environment={"SCRATCH": str(scratch)})
    sqs = durable_server.client("sqs")
    queue = sqs.create_queue(QueueName=f"durable-{time.time_ns()}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=f"{name}:$LATEST", BatchSize=5
    )
    bodies = [f"m{i}-{time.time_ns()}" for i in range(3)]
    for body in bodies:
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    deadline = time.monotonic() + 60
    while not all((scratch / f"sqs-{b}").exists() for b in bodies):
        assert time.monotonic() < deadline, "the messages were not processed"
        time.sleep(0.2)
    executions = lam.list_durable_executions_by_function(FunctionName=name)["DurableExecutions"]
    assert executions
    for execution in executions:
        assert wait_status(lam, execution["DurableExecutionArn"])["Status"] == "SUCCEEDED"
    # Processed messages are deleted from the queue once the executions succeeded.
    deadline = time.monotonic() + 30
    while True:
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if attributes == {
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
        }:
            break
        assert time.monotonic() < deadline, attributes
        time.sleep(0.2)


ECHO_PATH = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution

@durable_execution
def handler(event, context: DurableContext):
    path = context.step(lambda _: event["rawPath"], name="read-path")
    return {"path": path, "version": event["version"]}
"""


def _durable_alias(lam: Any, deploy: Deploy) -> tuple[str, str]:
    """A durable function published behind an alias ``live`` (durable functions are
    called qualified); returns its name and the alias's ARN."""
    name = deploy(ECHO_PATH)
    version = lam.publish_version(FunctionName=name)["Version"]
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    return name, str(alias["AliasArn"])


def test_a_function_url_on_a_durable_alias_answers_the_executions_result(
    durable_server: ServerProcess, lam: Any, deploy: Deploy
) -> None:
    """As for any synchronous caller, a function URL starts an execution and answers
    with its result once it ends."""
    import httpx

    from tests.aws.function_urls.conftest import public_grants, url_id

    name, _ = _durable_alias(lam, deploy)
    url = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")
    public_grants(lam, name, "live")
    base = f"http://127.0.0.1:{durable_server.gateway_port}"
    answer = httpx.get(f"{base}/_aws/lambda-url/{url_id(url['FunctionUrl'])}/orders/7", timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": "/orders/7", "version": "2.0"}
    executions = lam.list_durable_executions_by_function(FunctionName=name, Qualifier="live")
    (execution,) = executions["DurableExecutions"]
    assert execution["Status"] == "SUCCEEDED"


def test_an_http_api_route_to_a_durable_alias_answers_the_executions_result(
    durable_server: ServerProcess, lam: Any, deploy: Deploy
) -> None:
    import httpx

    name, alias_arn = _durable_alias(lam, deploy)
    apigw = durable_server.client("apigatewayv2")
    api = apigw.create_api(Name=f"durable-{name}", ProtocolType="HTTP", Target=alias_arn)
    base = f"http://127.0.0.1:{durable_server.gateway_port}"
    answer = httpx.get(f"{base}/_aws/execute-api/{api['ApiId']}/items/42", timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": "/items/42", "version": "2.0"}
