"""Serverless patterns of ../shared/conformance deployed unchanged and driven end to end:
an SQS message, an SNS publish, an API request or a workflow reaches what the pattern
wires it to."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.aws.cloudformation.conftest import outputs
from tests.aws.cloudformation.patterns import PATTERNS, deploy_pattern, failures, probed
from tests.conftest import ServerProcess

pytestmark = pytest.mark.skipif(
    not PATTERNS.is_dir(), reason=f"conformance material absent: {PATTERNS}"
)


def _deployed(
    server: ServerProcess, pattern: str, tmp_path: Path, handlers: dict[str, str] | None = None
) -> tuple[str, dict[str, str], str]:
    name, stack, probe = deploy_pattern(server, pattern, tmp_path, handlers)
    assert stack["StackStatus"] == "CREATE_COMPLETE", failures(server, name)
    return name, outputs(stack), probe


def _physical(server: ServerProcess, name: str, logical: str) -> str:
    cfn = server.client("cloudformation")
    detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId=logical)
    return str(detail["StackResourceDetail"]["PhysicalResourceId"])


def _http(
    server: ServerProcess, api_id: str, path: str, method: str = "GET", body: Any = None
) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}{path}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _delete(server: ServerProcess, name: str) -> None:
    cfn = server.client("cloudformation")
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )


def test_sqs_to_lambda(server: ServerProcess, tmp_path: Path) -> None:
    name, out, probe = _deployed(server, "sqs-lambda-python-sam", tmp_path)
    server.client("sqs").send_message(
        QueueUrl=out["ProcessingQueueURL"], MessageBody="hello from sqs"
    )
    [seen] = probed(server, probe)
    assert seen["function"] == out["ProcessorFunctionName"]
    record = seen["event"]["Records"][0]
    assert record["eventSource"] == "aws:sqs" and record["body"] == "hello from sqs"
    assert record["eventSourceARN"] == out["ProcessingQueueARN"]
    _delete(server, name)


def test_sns_to_lambda(server: ServerProcess, tmp_path: Path) -> None:
    name, out, probe = _deployed(server, "sns-lambda-python-sam", tmp_path)
    server.client("sns").publish(TopicArn=out["ProcessingTopicArn"], Message="hello from sns")
    [seen] = probed(server, probe)
    record = seen["event"]["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["Sns"]["Message"] == "hello from sns"
    assert record["Sns"]["TopicArn"] == out["ProcessingTopicArn"]
    _delete(server, name)


def test_rest_api_to_lambda(server: ServerProcess, tmp_path: Path) -> None:
    name, out, probe = _deployed(server, "apigw-rest-api-lambda-python", tmp_path)
    api_id = _physical(server, name, "ServerlessRestApi")
    assert (
        out["HelloWorldApi"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/Prod/hello/"
    )
    status, body = _http(server, api_id, "/Prod/hello")
    assert status == 200 and json.loads(body) == {"ok": True}
    [seen] = probed(server, probe)
    assert seen["event"]["httpMethod"] == "GET" and seen["event"]["resource"] == "/hello"
    assert seen["event"]["requestContext"]["stage"] == "Prod"
    _delete(server, name)


def test_rest_api_lambda_dynamodb(server: ServerProcess, tmp_path: Path) -> None:
    name, _, probe = _deployed(server, "apigw-lambda-dynamodb", tmp_path)
    api_id = _physical(server, name, "ServerlessRestApi")
    status, _ = _http(server, api_id, "/Prod/", "POST", {"city": "Lyon"})
    assert status == 200
    [seen] = probed(server, probe)
    assert seen["function"] == "WeatherFunction" and json.loads(seen["event"]["body"]) == {
        "city": "Lyon"
    }
    table = server.client("dynamodb").describe_table(TableName="WeatherData")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    _delete(server, name)


def test_rest_api_aws_integration_to_sqs(server: ServerProcess, tmp_path: Path) -> None:
    """POST /message is an ``aws`` integration to SQS (path form) whose request template
    writes SendMessage's form; the queue triggers ProcessMessages. The answer is SQS's
    JSON passed through: the pattern's ``integrationResponses`` key is not one API Gateway
    reads (its ``responses`` are), so no response template applies, as on AWS."""
    name, _, probe = _deployed(server, "serverless-message-processing", tmp_path)
    api_id = _physical(server, name, "ApiGateway")
    status, body = _http(server, api_id, "/prod/message", "POST", {"order": 7})
    assert status == 200, body
    sent = json.loads(body)["SendMessageResponse"]["SendMessageResult"]
    [seen] = probed(server, probe)
    assert "ProcessMessage" in seen["function"]  # its generated name
    [record] = seen["event"]["Records"]
    assert record["messageId"] == sent["MessageId"]
    assert json.loads(record["body"]) == {"order": 7}
    _delete(server, name)


def test_http_api_to_sqs_to_lambda(server: ServerProcess, tmp_path: Path) -> None:
    """POST /submit is an SQS-SendMessage integration (from an AWS::Include'd OpenAPI
    document); the queue triggers the function."""
    name, _, probe = _deployed(server, "api-sqs-lambda-python", tmp_path)
    api_id = _physical(server, name, "MyHttpApi")
    status, _ = _http(server, api_id, "/submit", "POST", {"order": 7})
    assert status == 200
    [seen] = probed(server, probe)
    assert seen["function"] == "SQSLambdaFunction"
    assert json.loads(seen["event"]["Records"][0]["body"]) == {"order": 7}
    _delete(server, name)


def test_state_machine_to_sqs(server: ServerProcess, tmp_path: Path) -> None:
    name, out, _ = _deployed(server, "sfn-sqs", tmp_path)
    sfn = server.client("stepfunctions")
    execution = sfn.start_execution(
        stateMachineArn=out["StateMachinetoSQSArn"], input=json.dumps({"message": "to the queue"})
    )
    sqs = server.client("sqs")
    messages: list[dict[str, Any]] = []
    for _ in range(30):
        messages = sqs.receive_message(QueueUrl=out["MyQueueURL"], WaitTimeSeconds=1).get(
            "Messages", []
        )
        if messages:
            break
    assert [m["Body"] for m in messages] == ["to the queue"]
    assert sfn.describe_execution(executionArn=execution["executionArn"])["status"] in (
        "RUNNING",
        "SUCCEEDED",
    )
    _delete(server, name)


def test_http_api_starts_sync_workflow(server: ServerProcess, tmp_path: Path) -> None:
    name, _, _ = _deployed(server, "apigw-sfn", tmp_path)
    api_id = _physical(server, name, "HttpApiforSyncWF")
    status, body = _http(server, api_id, "/", "POST", {"IsHelloWorldExample": "Yes"})
    assert status == 200, body
    assert json.loads(body)["status"] == "SUCCEEDED", body
    # The pattern's Choice sends anything else to its Fail state.
    status, body = _http(server, api_id, "/", "POST", {"IsHelloWorldExample": "No"})
    answer = json.loads(body)
    assert (answer["status"], answer["cause"]) == ("FAILED", "Not Hello World")
    _delete(server, name)


def _by_function(seen: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in seen:
        grouped.setdefault(item["function"], []).append(item["event"])
    return grouped


def test_api_and_dynamodb_stream(server: ServerProcess, tmp_path: Path) -> None:
    """The API reaches the producer; a write to the table reaches the consumer through
    the table's stream (an event source mapping SAM made from the DynamoDB event)."""
    name, _, probe = _deployed(server, "apigw-lambda-dynamodb-stream-lambda", tmp_path)
    api_id = _physical(server, name, "ServerlessRestApi")
    status, _ = _http(server, api_id, "/Prod/", "POST", {"id": "1"})
    assert status == 200
    server.client("dynamodb").put_item(
        TableName="DemoStreamDynamoDBToLambda", Item={"id": {"S": "7"}}
    )
    grouped = _by_function(probed(server, probe, 2))
    assert grouped["ProducerFunction"][0]["httpMethod"] == "POST"
    record = grouped["ConsumerFunction"][0]["Records"][0]
    assert record["eventSource"] == "aws:dynamodb" and record["eventName"] == "INSERT"
    assert record["dynamodb"]["NewImage"] == {"id": {"S": "7"}}
    _delete(server, name)


def test_sqs_filter_criteria(server: ServerProcess, tmp_path: Path) -> None:
    name, _, probe = _deployed(server, "lambda-esm-sqs-filters-sam", tmp_path)
    queue = _physical(server, name, "EsmSqsFilterQueuePrefix")
    function = _physical(server, name, "EsmSqsFilterFunctionPrefix")
    sqs = server.client("sqs")
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"region": "eu-west-1", "n": 1}))
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"region": "us-east-1", "n": 2}))
    seen = _by_function(probed(server, probe, 1))
    bodies = [json.loads(r["body"]) for event in seen[function] for r in event["Records"]]
    assert bodies == [{"region": "us-east-1", "n": 2}]  # the filter's prefix "us-"
    assert probed(server, probe, 1, timeout=3) == []
    _delete(server, name)


def test_state_machine_dynamodb_task(server: ServerProcess, tmp_path: Path) -> None:
    name, out, _ = _deployed(server, "sfn-dynamodb", tmp_path)
    sfn = server.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=out["StateMachinetoDDBArn"], input=json.dumps({"id": "42"})
    )["executionArn"]
    execution: dict[str, Any] = {}
    for _ in range(100):
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING":
            break
        time.sleep(0.1)
    # The pattern's PutItem passes plain strings where DynamoDB wants typed values
    # ({"S": ...}): DynamoDB refuses it, on AWS as here, and nothing is written.
    assert execution["status"] == "FAILED"
    assert execution["error"].startswith("DynamoDB.") and "Item" in execution["cause"]
    assert server.client("dynamodb").scan(TableName=out["TableName"])["Items"] == []
    _delete(server, name)


def test_scheduled_function_rule(server: ServerProcess, tmp_path: Path) -> None:
    name, _, _ = _deployed(server, "eventbridge-scheduled-lambda", tmp_path)
    rule = _physical(server, name, "ScheduledFunctionScheduledFunction")
    events = server.client("events")
    assert events.describe_rule(Name=rule)["ScheduleExpression"] == "rate(1 minute)"
    [target] = events.list_targets_by_rule(Rule=rule)["Targets"]
    function = _physical(server, name, "ScheduledFunction")
    assert target["Arn"].endswith(f":function:{function}")
    _delete(server, name)
    assert events.list_rules(NamePrefix=rule)["Rules"] == []


def test_http_api_to_fifo_queue_to_lambda(server: ServerProcess, tmp_path: Path) -> None:
    """An HTTP API on its own stage sends to a FIFO queue (MessageGroupId from the body)."""
    name, _, probe = _deployed(server, "apigw-http-api-fifo-sqs-lambda-sns-sam", tmp_path)
    api_id = _physical(server, name, "MyAPI")
    status, _ = _http(server, api_id, "/prod/", "POST", {"messagegroup": "g1", "n": 1})
    assert status == 200
    [seen] = probed(server, probe)
    assert seen["function"] == "ServerlessLand_Function"
    record = seen["event"]["Records"][0]
    assert record["attributes"]["MessageGroupId"] == "g1"
    assert json.loads(record["body"]) == {"messagegroup": "g1", "n": 1}
    _delete(server, name)


def test_fifo_queue_to_lambda(server: ServerProcess, tmp_path: Path) -> None:
    name, out, probe = _deployed(server, "fifo-sqs-redrive", tmp_path)
    sqs = server.client("sqs")
    for n in range(3):
        sqs.send_message(
            QueueUrl=out["MyOriginalQueueUrl"], MessageBody=f"m{n}", MessageGroupId="g"
        )
    seen: list[dict[str, Any]] = []
    bodies: list[str] = []
    while len(bodies) < 3:  # one invocation or several, as the poller batches them
        batch = probed(server, probe, 1)
        assert batch, bodies
        seen += batch
        bodies += [r["body"] for item in batch for r in item["event"]["Records"]]
    assert bodies == ["m0", "m1", "m2"]  # one group, in order
    assert {item["function"] for item in seen} == {"MyOriginalQueueFunction"}
    _delete(server, name)


def test_eventbridge_rule_targets_workflow(server: ServerProcess, tmp_path: Path) -> None:
    """EC2's state changes come from EC2 itself (PutEvents refuses an ``aws.`` source, on AWS
    as here): the rule is checked as wired, with its pattern and InputPath."""
    name, out, _ = _deployed(server, "eventbridge-sfn", tmp_path)
    events = server.client("events")
    rule = _physical(server, name, "EC2StateWatcherStateChange")
    pattern = json.loads(events.describe_rule(Name=rule)["EventPattern"])
    assert pattern == {
        "source": ["aws.ec2"],
        "detail": {"state": ["running", "stopped", "terminated"]},
    }
    [target] = events.list_targets_by_rule(Rule=rule)["Targets"]
    assert target["Arn"] == out["EC2StateWatcherArn"] and target["InputPath"] == "$.detail"
    refused = events.put_events(Entries=[{"Source": "aws.ec2", "DetailType": "x", "Detail": "{}"}])
    assert refused["Entries"][0]["ErrorCode"] == "NotAuthorizedForSourceException"
    _delete(server, name)


def test_workflow_puts_events_on_the_stack_bus(server: ServerProcess, tmp_path: Path) -> None:
    name, out, _ = _deployed(server, "sfn-eventbridge", tmp_path)
    sfn = server.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=out["MyStateMachineArn"])["executionArn"]
    described: dict[str, Any] = {}
    for _ in range(100):
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["FailedEntryCount"] == 0
    _delete(server, name)


RECORDER = """
import json, os, uuid
import boto3

def lambda_handler(event, context):
    detail = event["data"]["detail"]
    boto3.client("dynamodb").put_item(
        TableName=os.environ["TableName"],
        Item={"transaction_id": {"S": detail["object"]["key"]}, "bucket": {"S": detail["bucket"]["name"]}},
    )
    boto3.client("stepfunctions").send_task_success(taskToken=event["token"], output=json.dumps({"stored": True}))
"""


def test_s3_eventbridge_workflow_task_token_table_topic(
    server: ServerProcess, tmp_path: Path
) -> None:
    """An upload reaches EventBridge (the bucket's EventBridgeConfiguration), whose rule
    starts the workflow; its Lambda task waits for the function's SendTaskSuccess (the
    function records the object in the table), then the workflow publishes to the topic."""
    name, out, probe = _deployed(
        server, "s3-event-sfn-lambda-ddb-sns", tmp_path, {"src/lambda-dynamoDb.py": RECORDER}
    )
    sqs = server.client("sqs")
    probe_arn = sqs.get_queue_attributes(QueueUrl=probe, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns = server.client("sns")
    topic = f"arn:aws:sns:us-east-1:000000000000:{out['MySnsTopicName']}"
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=probe_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    server.client("s3").put_object(
        Bucket=out["IngestionBucket"], Key="invoice-7.csv", Body=b"a,b\n"
    )
    messages = sqs.receive_message(QueueUrl=probe, WaitTimeSeconds=20).get("Messages", [])
    assert [m["Body"] for m in messages] == ["Successfully completed the workflow!"]
    item = server.client("dynamodb").get_item(
        TableName=out["TableName"], Key={"transaction_id": {"S": "invoice-7.csv"}}
    )["Item"]
    assert item["bucket"] == {"S": out["IngestionBucket"]}
    exports = {
        e["Name"]: e["Value"] for e in server.client("cloudformation").list_exports()["Exports"]
    }
    assert exports["MySNSTopicName"] == "my-sns-topic"
    server.client("s3").delete_object(Bucket=out["IngestionBucket"], Key="invoice-7.csv")
    _delete(server, name)


def test_buses_filter_to_topics(server: ServerProcess, tmp_path: Path) -> None:
    """Reportable transactions on the blue bank's bus reach the reserve bank's topic; all
    of them reach the blue bank's own topic; other sources reach neither."""
    name, out, _ = _deployed(server, "lambda-eventbridge-sns-sam", tmp_path)
    sqs = server.client("sqs")
    sns = server.client("sns")
    queues = {}
    for key in ("ReserveBankTopicName", "BlueBankTopicName"):
        url = sqs.create_queue(QueueName=f"{key[:8]}-{name}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        topic = f"arn:aws:sns:us-east-1:000000000000:{out[key]}"
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
        )
        queues[key] = url
    events = server.client("events")
    entries = [
        {
            "EventBusName": "bluebank-bus",
            "Source": "atm.events",
            "DetailType": "Bank transaction",
            "Detail": json.dumps({"bop_reportable": reportable, "n": n}),
        }
        for n, reportable in enumerate(["Yes", "No"])
    ]
    entries.append(
        {
            "EventBusName": "bluebank-bus",
            "Source": "other.events",
            "DetailType": "Bank transaction",
            "Detail": json.dumps({"bop_reportable": "Yes", "n": 9}),
        }
    )
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0

    def seen(url: str, count: int) -> list[int]:
        found: list[int] = []
        for _ in range(20):
            for message in sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", []):
                found.append(json.loads(message["Body"])["detail"]["n"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if len(found) >= count:
                break
        return sorted(found)

    assert seen(queues["ReserveBankTopicName"], 1) == [0]
    assert seen(queues["BlueBankTopicName"], 2) == [0, 1]
    _delete(server, name)
