"""A function written the way the Lambda developer guide's Python examples are runs unchanged.

The handler below follows the guide's patterns (not its text): the root logger set to
INFO at module level, a boto3 client created once at init, context attributes printed,
``os.environ`` read, a file written under ``/tmp`` and the AWS SDK called from the handler.
Nothing in it knows about Stratus.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from tests.aws.lambda_.conftest import function_arn, native_logs, read_payload, wait_for
from tests.conftest import create_function

DOC_STYLE_HANDLER = """
import json
import logging
import os
import time

import boto3

logger = logging.getLogger()
logger.setLevel("INFO")

# Created once per execution environment, outside the handler, as the guide advises.
lambda_client = boto3.client("lambda")


def lambda_handler(event, context):
    logger.info("Processing order %s", event.get("order_id"))
    print("Lambda function ARN:", context.invoked_function_arn)
    print("CloudWatch log stream name:", context.log_stream_name)
    print("CloudWatch log group name:", context.log_group_name)
    print("Lambda Request ID:", context.aws_request_id)
    print("Lambda function memory limits in MB:", context.memory_limit_in_mb)
    time.sleep(0.01)
    remaining = context.get_remaining_time_in_millis()
    print("Lambda time remaining in MS:", remaining)

    bucket = os.environ["RECEIPT_BUCKET"]
    receipt = f"/tmp/receipt-{context.aws_request_id}.txt"
    with open(receipt, "w") as f:
        f.write(f"order {event['order_id']} amount {event['amount']}")
    with open(receipt) as f:
        content = f.read()
    os.remove(receipt)

    usage = lambda_client.get_account_settings()["AccountUsage"]
    logger.info("Account has %d functions", usage["FunctionCount"])
    return {
        "statusCode": 200,
        "body": json.dumps(
            {
                "receipt": content,
                "bucket": bucket,
                "function_count": usage["FunctionCount"],
                "function_name": context.function_name,
                "function_version": context.function_version,
                "remaining_ok": 0 < remaining <= 10000,
            }
        ),
    }
"""


def test_documentation_style_function_runs_unchanged(lambda_client: Any, server: Any) -> None:
    name = create_function(
        lambda_client,
        "",
        handler="lambda_function.lambda_handler",
        files={"lambda_function.py": DOC_STYLE_HANDLER},
        Timeout=10,
        Environment={"Variables": {"RECEIPT_BUCKET": "receipts-bucket"}},
    )
    response = lambda_client.invoke(
        FunctionName=name,
        Payload=json.dumps({"order_id": "12345", "amount": 199.99}),
        LogType="Tail",
    )
    assert "FunctionError" not in response, response["Payload"].read()
    result = read_payload(response)
    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    assert body["receipt"] == "order 12345 amount 199.99"
    assert body["bucket"] == "receipts-bucket"
    assert body["function_count"] >= 1
    assert body["function_name"] == name
    assert body["function_version"] == "$LATEST"
    assert body["remaining_ok"] is True

    request_id = response["ResponseMetadata"]["RequestId"]
    log = base64.b64decode(response["LogResult"]).decode()
    assert f"Lambda function ARN: {function_arn(name)}" in log
    assert f"CloudWatch log group name: /aws/lambda/{name}" in log
    assert f"Lambda Request ID: {request_id}" in log
    assert "Lambda function memory limits in MB: 128" in log
    # Lambda's Python runtime formats root-logger records as LEVEL, time, request id, text
    assert re.search(
        rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{request_id}\tProcessing order 12345",
        log,
    ), log
    stream = re.search(r"CloudWatch log stream name: (\S+)", log)
    assert stream and re.match(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$", stream.group(1))
    # the same lines are stored with the function's logs (appended in batches, so shortly)
    stored = wait_for(
        lambda: (
            (text := "\n".join(native_logs(server, name)))
            and f"REPORT RequestId: {request_id}" in text
            and text
        )
    )
    assert "Processing order 12345" in stored
    assert f"REPORT RequestId: {request_id}" in stored
