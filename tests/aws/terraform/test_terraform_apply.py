"""Terraform's AWS provider against a real Stratus: apply, check with boto3, plan again
(no changes), destroy (nothing left).

The provider cannot be downloaded here, so the test needs a local plugin mirror named by
``STRATUS_TERRAFORM_PLUGIN_DIR`` (passed as ``terraform init -plugin-dir``) and the
``terraform`` binary on PATH; without either it is skipped. The second plan is the point:
the provider reads every attribute back and any answer that differs from what it sent
shows up as a change.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess

PLUGIN_DIR = os.environ.get("STRATUS_TERRAFORM_PLUGIN_DIR", "")
TERRAFORM = shutil.which("terraform")

pytestmark = [
    pytest.mark.timeout(1200),
    pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH"),
    pytest.mark.skipif(
        not PLUGIN_DIR,
        reason="STRATUS_TERRAFORM_PLUGIN_DIR is not set (a local mirror of the AWS provider)",
    ),
]

SERVICES = (
    "apigatewayv2",
    "cloudwatchevents",
    "cloudwatchlogs",
    "dynamodb",
    "iam",
    "lambda",
    "s3",
    "sfn",
    "sns",
    "sqs",
    "sts",
)

HANDLER = """
import json


def handler(event, context):
    if "Records" in event:
        return {"consumed": len(event["Records"])}
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"hello": "terraform", "path": event.get("rawPath")}),
    }
"""


def _provider(endpoint: str) -> str:
    endpoints = "\n".join(f'    {name} = "{endpoint}"' for name in SERVICES)
    return f"""
terraform {{
  required_providers {{
    aws = {{
      source = "hashicorp/aws"
    }}
  }}
}}

provider "aws" {{
  access_key                  = "test"
  secret_key                  = "test"
  region                      = "us-east-1"
  skip_credentials_validation = false
  skip_requesting_account_id  = false
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}
"""


RESOURCES = """
data "aws_caller_identity" "me" {}

resource "aws_iam_role" "fn" {
  name = "tf-fn-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "basic" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "queues" {
  name = "queues"
  role = aws_iam_role.fn.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = "*"
    }]
  })
}

resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/tf-fn"
  retention_in_days = 7
}

resource "aws_lambda_function" "fn" {
  function_name    = "tf-fn"
  role             = aws_iam_role.fn.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  filename         = "fn.zip"
  source_code_hash = filebase64sha256("fn.zip")
  timeout          = 10
  environment {
    variables = { STAGE = "test" }
  }
  depends_on = [aws_cloudwatch_log_group.fn]
}

resource "aws_sqs_queue" "dlq" {
  name = "tf-dlq"
}

resource "aws_sqs_queue" "work" {
  name                       = "tf-work"
  visibility_timeout_seconds = 60
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 3
  })
}

resource "aws_lambda_event_source_mapping" "work" {
  event_source_arn = aws_sqs_queue.work.arn
  function_name    = aws_lambda_function.fn.arn
  batch_size       = 5
}

resource "aws_sns_topic" "news" {
  name = "tf-news"
}

resource "aws_sqs_queue" "news" {
  name = "tf-news-queue"
}

resource "aws_sns_topic_subscription" "news" {
  topic_arn = aws_sns_topic.news.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.news.arn
}

resource "aws_dynamodb_table" "items" {
  name             = "tf-items"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_s3_bucket" "files" {
  bucket = "tf-files"
}

resource "aws_s3_bucket_versioning" "files" {
  bucket = aws_s3_bucket.files.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_apigatewayv2_api" "http" {
  name          = "tf-http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "fn" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.fn.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "hello" {
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "GET /hello"
  target    = "integrations/${aws_apigatewayv2_integration.fn.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "http" {
  statement_id  = "http-api"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}

resource "aws_cloudwatch_event_rule" "tick" {
  name                = "tf-tick"
  schedule_expression = "rate(1 hour)"
}

resource "aws_cloudwatch_event_target" "tick" {
  rule      = aws_cloudwatch_event_rule.tick.name
  target_id = "fn"
  arn       = aws_lambda_function.fn.arn
}

output "account_id" {
  value = data.aws_caller_identity.me.account_id
}

output "api_id" {
  value = aws_apigatewayv2_api.http.id
}

output "api_endpoint" {
  value = aws_apigatewayv2_api.http.api_endpoint
}
"""


@pytest.fixture(scope="module")
def stratus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("terraform") / "data")
    proc.start()
    yield proc
    proc.stop()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, text)
    return buffer.getvalue()


class Terraform:
    """The ``terraform`` CLI in one working directory, failing with its output and the
    server's log so a broken attribute is visible from the assertion alone."""

    def __init__(self, workdir: Path, server: ServerProcess) -> None:
        self.workdir = workdir
        self.server = server
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(workdir),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        assert TERRAFORM is not None
        done = subprocess.run(
            [TERRAFORM, *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode in ok, (
            f"terraform {' '.join(args)} exited {done.returncode}\n"
            f"--- stdout ---\n{done.stdout[-20000:]}\n--- stderr ---\n{done.stderr[-20000:]}\n"
            f"--- server log ---\n{self.server.log()}"
        )
        return done

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: value["value"] for name, value in raw.items()}


def _wait(check: Any, what: str) -> None:
    for _ in range(300):
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def test_apply_plan_destroy(stratus: ServerProcess, tmp_path: Path) -> None:
    code = _zip({"app.py": HANDLER})
    (tmp_path / "fn.zip").write_bytes(code)
    (tmp_path / "main.tf").write_text(_provider(stratus.endpoint) + RESOURCES)
    tf = Terraform(tmp_path, stratus)
    tf.run("init", "-input=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}")
    tf.run("apply", "-input=false", "-auto-approve", "-no-color")
    out = tf.outputs()
    assert out["account_id"] == "000000000000"

    lam = stratus.client("lambda")
    config = lam.get_function(FunctionName="tf-fn")["Configuration"]
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert config["Environment"]["Variables"] == {"STAGE": "test"}

    # The HTTP API serves the function through the $default stage terraform deployed.
    endpoint = httpx.URL(out["api_endpoint"])
    reply = httpx.get(
        f"http://127.0.0.1:{endpoint.port}/hello",
        headers={"host": endpoint.netloc.decode()},
        timeout=120,  # the first call starts the function
    )
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"hello": "terraform", "path": "/hello"}

    # The event source mapping consumes what lands on the queue.
    sqs = stratus.client("sqs")
    work_url = sqs.get_queue_url(QueueName="tf-work")["QueueUrl"]
    sqs.send_message(QueueUrl=work_url, MessageBody="job")

    def drained() -> bool:
        attributes = sqs.get_queue_attributes(
            QueueUrl=work_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return set(attributes.values()) == {"0"}

    _wait(drained, "the event source mapping consumed the message")

    # SNS delivers to the subscribed queue.
    sns = stratus.client("sns")
    topic = next(
        t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":tf-news")
    )
    sns.publish(TopicArn=topic, Message="extra")
    news_url = sqs.get_queue_url(QueueName="tf-news-queue")["QueueUrl"]
    got = sqs.receive_message(QueueUrl=news_url, WaitTimeSeconds=10)["Messages"]
    assert json.loads(got[0]["Body"])["Message"] == "extra"

    ddb = stratus.client("dynamodb")
    table = ddb.describe_table(TableName="tf-items")["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    s3 = stratus.client("s3")
    assert s3.get_bucket_versioning(Bucket="tf-files")["Status"] == "Enabled"
    events = stratus.client("events")
    assert events.list_targets_by_rule(Rule="tf-tick")["Targets"][0]["Id"] == "fn"

    # The second plan must find nothing to change: every attribute read back as sent.
    tf.run("plan", "-input=false", "-no-color", "-detailed-exitcode")

    tf.run("destroy", "-input=false", "-auto-approve", "-no-color")
    assert lam.list_functions()["Functions"] == []
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert ddb.list_tables()["TableNames"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert stratus.client("apigatewayv2").get_apis()["Items"] == []
    assert events.list_rules()["Rules"] == []
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    iam = stratus.client("iam")
    assert [r for r in iam.list_roles()["Roles"] if r["RoleName"] == "tf-fn-role"] == []
    logs = stratus.client("logs")
    assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/tf-fn")["logGroups"] == []


EXTRAS = """
locals {
  tags = { team = "platform", env = "test" }
}

resource "aws_iam_role" "sfn" {
  name = "tf-sfn-role"
  path = "/service/"
  tags = local.tags
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "invoke" {
  name        = "tf-invoke"
  description = "invoke functions"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "lambda:InvokeFunction", Resource = "*" }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "sfn" {
  role       = aws_iam_role.sfn.name
  policy_arn = aws_iam_policy.invoke.arn
}

resource "aws_lambda_function" "worker" {
  function_name    = "tf-worker"
  role             = aws_iam_role.sfn.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  filename         = "fn.zip"
  source_code_hash = filebase64sha256("fn.zip")
  memory_size      = 256
  publish          = true
  description      = "worker"
  tags             = local.tags
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.worker.function_name
  function_version = aws_lambda_function.worker.version
}

resource "aws_sfn_state_machine" "flow" {
  name     = "tf-flow"
  role_arn = aws_iam_role.sfn.arn
  tags     = local.tags
  definition = jsonencode({
    StartAt = "Work"
    States = {
      Work = {
        Type     = "Task"
        Resource = aws_lambda_function.worker.arn
        End      = true
      }
    }
  })
}

resource "aws_sqs_queue" "uploads" {
  name                      = "tf-uploads"
  message_retention_seconds = 86400
  tags                      = local.tags
}

resource "aws_sqs_queue_policy" "uploads" {
  queue_url = aws_sqs_queue.uploads.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.uploads.arn
    }]
  })
}

resource "aws_sqs_queue" "fifo" {
  name                        = "tf-jobs.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
}

resource "aws_sns_topic" "alerts" {
  name = "tf-alerts"
  tags = local.tags
}

resource "aws_s3_bucket" "uploads" {
  bucket        = "tf-uploads"
  force_destroy = true
  tags          = local.tags
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {
      prefix = "tmp/"
    }
    expiration {
      days = 7
    }
  }
}

resource "aws_s3_bucket_cors_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  cors_rule {
    allowed_methods = ["GET", "PUT"]
    allowed_origins = ["https://example.com"]
    max_age_seconds = 300
  }
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  queue {
    queue_arn     = aws_sqs_queue.uploads.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "in/"
  }
  depends_on = [aws_sqs_queue_policy.uploads]
}

resource "aws_dynamodb_table" "orders" {
  name         = "tf-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"
  tags         = local.tags
  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  attribute {
    name = "status"
    type = "S"
  }
  global_secondary_index {
    name            = "by-status"
    hash_key        = "status"
    projection_type = "ALL"
  }
  ttl {
    attribute_name = "expires"
    enabled        = true
  }
  point_in_time_recovery {
    enabled = true
  }
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/tf/flow"
  retention_in_days = 14
  tags              = local.tags
}

resource "aws_cloudwatch_event_bus" "orders" {
  name = "tf-orders"
  tags = local.tags
}

resource "aws_cloudwatch_event_rule" "orders" {
  name           = "tf-order-placed"
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  event_pattern = jsonencode({
    source      = ["shop"]
    detail-type = ["OrderPlaced"]
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "orders" {
  rule           = aws_cloudwatch_event_rule.orders.name
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  target_id      = "sfn"
  arn            = aws_sfn_state_machine.flow.arn
  role_arn       = aws_iam_role.sfn.arn
  input          = jsonencode({ from = "rule" })
}

resource "aws_apigatewayv2_api" "cors" {
  name          = "tf-cors"
  protocol_type = "HTTP"
  description   = "with cors"
  tags          = local.tags
  cors_configuration {
    allow_origins = ["https://example.com"]
    allow_methods = ["GET"]
    max_age       = 60
  }
}

output "state_machine_arn" {
  value = aws_sfn_state_machine.flow.arn
}
"""


def test_more_resources_and_settings(stratus: ServerProcess, tmp_path: Path) -> None:
    code = _zip({"app.py": HANDLER})
    (tmp_path / "fn.zip").write_bytes(code)
    (tmp_path / "main.tf").write_text(_provider(stratus.endpoint) + EXTRAS)
    tf = Terraform(tmp_path, stratus)
    tf.run("init", "-input=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}")
    tf.run("apply", "-input=false", "-auto-approve", "-no-color")
    out = tf.outputs()

    sfn = stratus.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=out["state_machine_arn"], input="{}")
    _wait(
        lambda: (
            sfn.describe_execution(executionArn=execution["executionArn"])["status"] != "RUNNING"
        ),
        "the state machine finished",
    )
    assert sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "SUCCEEDED"

    s3 = stratus.client("s3")
    sqs = stratus.client("sqs")
    s3.put_object(Bucket="tf-uploads", Key="in/a.txt", Body=b"a")
    uploads = sqs.get_queue_url(QueueName="tf-uploads")["QueueUrl"]
    records: list[dict[str, Any]] = []
    for _ in range(5):  # the s3:TestEvent sent when the notification was set comes first
        got = sqs.receive_message(QueueUrl=uploads, WaitTimeSeconds=5, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        records += [r for m in got for r in json.loads(m["Body"]).get("Records", [])]
        if records:
            break
    assert records and records[0]["s3"]["object"]["key"] == "in/a.txt"

    tf.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
    tf.run("destroy", "-input=false", "-auto-approve", "-no-color")
    assert sfn.list_state_machines()["stateMachines"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert stratus.client("dynamodb").list_tables()["TableNames"] == []
    assert stratus.client("lambda").list_functions()["Functions"] == []
    buses = stratus.client("events").list_event_buses()["EventBuses"]
    assert [b["Name"] for b in buses] == ["default"]
