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
    pytest.mark.slow,  # four applies, plans and destroys: ~5.5 min of the 2-core machine
    pytest.mark.timeout(1200),
    pytest.mark.skipif(TERRAFORM is None, reason="terraform is not on PATH"),
    pytest.mark.skipif(
        not PLUGIN_DIR,
        reason="STRATUS_TERRAFORM_PLUGIN_DIR is not set (a local mirror of the AWS provider)",
    ),
]

SERVICES = (
    "apigateway",
    "apigatewayv2",
    "cloudwatchevents",
    "cloudwatchlogs",
    "dynamodb",
    "iam",
    "lambda",
    "s3",
    "scheduler",
    "sfn",
    "sns",
    "sqs",
    "ssm",
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


MORE = """
resource "aws_iam_role" "r" {
  name = "tf3-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = ["lambda.amazonaws.com", "scheduler.amazonaws.com"] }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_lambda_layer_version" "deps" {
  layer_name          = "tf3-deps"
  filename            = "fn.zip"
  source_code_hash    = filebase64sha256("fn.zip")
  compatible_runtimes = ["python3.12"]
}

resource "aws_sqs_queue" "dlq" {
  name = "tf3-dlq"
}

resource "aws_lambda_function" "fn" {
  function_name    = "tf3-fn"
  role             = aws_iam_role.r.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  filename         = "fn.zip"
  source_code_hash = filebase64sha256("fn.zip")
  layers           = [aws_lambda_layer_version.deps.arn]
  reserved_concurrent_executions = 5
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }
}

resource "aws_lambda_function_url" "fn" {
  function_name      = aws_lambda_function.fn.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "url" {
  statement_id           = "url"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.fn.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Since October 2025 a public URL also needs lambda:InvokeFunction granted to the public.
resource "aws_lambda_permission" "url_invoke" {
  statement_id  = "url-invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "*"
}

resource "aws_lambda_permission" "rest" {
  statement_id  = "rest"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.rest.execution_arn}/*/*"
}

resource "aws_lambda_function_event_invoke_config" "fn" {
  function_name                = aws_lambda_function.fn.function_name
  maximum_retry_attempts       = 1
  maximum_event_age_in_seconds = 600
}

resource "aws_s3_bucket" "site" {
  bucket = "tf3-site"
}

resource "aws_s3_bucket_ownership_controls" "site" {
  bucket = aws_s3_bucket.site.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_website_configuration" "site" {
  bucket = aws_s3_bucket.site.id
  index_document {
    suffix = "index.html"
  }
  error_document {
    key = "error.html"
  }
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.site.arn}/*" }]
  })
}

resource "aws_s3_object" "index" {
  bucket       = aws_s3_bucket.site.id
  key          = "index.html"
  content      = "<h1>hi</h1>"
  content_type = "text/html"
}

resource "aws_sns_topic" "t" {
  name = "tf3-topic"
}

resource "aws_sns_topic_policy" "t" {
  arn = aws_sns_topic.t.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "events.amazonaws.com" }, Action = "sns:Publish", Resource = aws_sns_topic.t.arn }]
  })
}

resource "aws_cloudwatch_event_rule" "r" {
  name          = "tf3-rule"
  event_pattern = jsonencode({ source = ["tf3"] })
}

resource "aws_cloudwatch_event_target" "sns" {
  rule = aws_cloudwatch_event_rule.r.name
  arn  = aws_sns_topic.t.arn
}

resource "aws_ssm_parameter" "p" {
  name  = "/tf3/param"
  type  = "String"
  value = "v1"
}

resource "aws_dynamodb_table" "t" {
  name         = "tf3-table"
  billing_mode = "PROVISIONED"
  read_capacity  = 2
  write_capacity = 2
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
}

resource "aws_dynamodb_table_item" "i" {
  table_name = aws_dynamodb_table.t.name
  hash_key   = aws_dynamodb_table.t.hash_key
  item       = jsonencode({ pk = { S = "one" }, n = { N = "1" } })
}

resource "aws_scheduler_schedule" "s" {
  name                = "tf3-schedule"
  schedule_expression = "rate(1 hour)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.fn.arn
    role_arn = aws_iam_role.r.arn
  }
}

resource "aws_apigatewayv2_api" "ws" {
  name                       = "tf3-ws"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_api_gateway_rest_api" "rest" {
  name = "tf3-rest"
}

resource "aws_api_gateway_resource" "hello" {
  rest_api_id = aws_api_gateway_rest_api.rest.id
  parent_id   = aws_api_gateway_rest_api.rest.root_resource_id
  path_part   = "hello"
}

resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.rest.id
  resource_id   = aws_api_gateway_resource.hello.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "get" {
  rest_api_id             = aws_api_gateway_rest_api.rest.id
  resource_id             = aws_api_gateway_resource.hello.id
  http_method             = aws_api_gateway_method.get.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.fn.invoke_arn
}

resource "aws_api_gateway_deployment" "d" {
  rest_api_id = aws_api_gateway_rest_api.rest.id
  depends_on  = [aws_api_gateway_integration.get]
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.rest.id
  deployment_id = aws_api_gateway_deployment.d.id
  stage_name    = "prod"
}

output "function_url" {
  value = aws_lambda_function_url.fn.function_url
}
output "rest_api_id" {
  value = aws_api_gateway_rest_api.rest.id
}
"""


def test_urls_layers_schedules_rest_apis(stratus: ServerProcess, tmp_path: Path) -> None:
    (tmp_path / "fn.zip").write_bytes(_zip({"app.py": HANDLER}))
    (tmp_path / "main.tf").write_text(_provider(stratus.endpoint) + MORE)
    tf = Terraform(tmp_path, stratus)
    tf.run("init", "-input=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}")
    tf.run("apply", "-input=false", "-auto-approve", "-no-color")
    out = tf.outputs()

    # The function URL (open to anyone through its resource policy) and the REST API's
    # stage both reach the function.
    url = httpx.URL(out["function_url"])
    reply = httpx.get(
        f"http://127.0.0.1:{url.port}/x", headers={"host": url.netloc.decode()}, timeout=120
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["hello"] == "terraform"
    rest = httpx.get(
        f"http://127.0.0.1:{url.port}/_aws/execute-api/{out['rest_api_id']}/prod/hello",
        timeout=120,
    )
    assert rest.status_code == 200, rest.text

    assert stratus.client("ssm").get_parameter(Name="/tf3/param")["Parameter"]["Value"] == "v1"
    item = stratus.client("dynamodb").get_item(TableName="tf3-table", Key={"pk": {"S": "one"}})
    assert item["Item"]["n"] == {"N": "1"}
    s3 = stratus.client("s3")
    assert s3.get_object(Bucket="tf3-site", Key="index.html")["Body"].read() == b"<h1>hi</h1>"
    schedule = stratus.client("scheduler").get_schedule(Name="tf3-schedule")
    assert schedule["ScheduleExpression"] == "rate(1 hour)"

    tf.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
    tf.run("destroy", "-input=false", "-auto-approve", "-no-color")
    lam = stratus.client("lambda")
    assert lam.list_functions()["Functions"] == []
    assert lam.list_layers()["Layers"] == []
    assert s3.list_buckets()["Buckets"] == []
    assert stratus.client("ssm").describe_parameters()["Parameters"] == []
    assert stratus.client("scheduler").list_schedules()["Schedules"] == []
    assert stratus.client("apigateway").get_rest_apis()["items"] == []
    assert stratus.client("apigatewayv2").get_apis()["Items"] == []


SETTINGS = """
resource "aws_iam_role" "r" {
  name = "tf4-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = ["lambda.amazonaws.com", "states.amazonaws.com", "apigateway.amazonaws.com"] }, Action = "sts:AssumeRole" }]
  })
}
resource "aws_iam_user" "u" {
  name = "tf4-user"
}
resource "aws_iam_access_key" "u" {
  user = aws_iam_user.u.name
}
resource "aws_iam_user_policy" "u" {
  name = "p"
  user = aws_iam_user.u.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
resource "aws_iam_instance_profile" "p" {
  name = "tf4-profile"
  role = aws_iam_role.r.name
}
resource "aws_s3_bucket" "b" {
  bucket = "tf4-bucket"
}
resource "aws_s3_bucket" "logs" {
  bucket = "tf4-logs"
}
resource "aws_s3_bucket_ownership_controls" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}
resource "aws_s3_bucket_acl" "b" {
  bucket     = aws_s3_bucket.b.id
  acl        = "private"
  depends_on = [aws_s3_bucket_ownership_controls.b]
}
resource "aws_s3_bucket_logging" "b" {
  bucket        = aws_s3_bucket.b.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "log/"
}
resource "aws_s3_bucket_accelerate_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  status = "Enabled"
}
resource "aws_s3_bucket_request_payment_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  payer  = "Requester"
}
resource "aws_s3_bucket_object_lock_configuration" "b" {
  bucket = aws_s3_bucket.lock.id
  rule {
    default_retention {
      mode = "GOVERNANCE"
      days = 1
    }
  }
}
resource "aws_s3_bucket" "lock" {
  bucket              = "tf4-lock"
  object_lock_enabled = true
}
resource "aws_cloudwatch_log_group" "g" {
  name = "/tf4/g"
}
resource "aws_cloudwatch_log_stream" "s" {
  name           = "s1"
  log_group_name = aws_cloudwatch_log_group.g.name
}
resource "aws_lambda_function" "fn" {
  function_name    = "tf4-fn"
  role             = aws_iam_role.r.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  filename         = "fn.zip"
  source_code_hash = filebase64sha256("fn.zip")
  publish          = true
  tracing_config {
    mode = "PassThrough"
  }
  # The levels are spelt out: with JSON and publish = true the provider itself (not AWS,
  # not Stratus) otherwise plans a new version on every run (its issue 42181).
  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.g.name
    application_log_level = "INFO"
    system_log_level      = "INFO"
  }
}
resource "aws_lambda_permission" "logs" {
  statement_id  = "logs"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "logs.amazonaws.com"
}
resource "aws_cloudwatch_log_subscription_filter" "f" {
  name            = "f"
  log_group_name  = aws_cloudwatch_log_group.g.name
  filter_pattern  = ""
  destination_arn = aws_lambda_function.fn.arn
  depends_on      = [aws_lambda_permission.logs]
}
resource "aws_dynamodb_table" "t" {
  name             = "tf4-table"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "pk"
  stream_enabled   = true
  stream_view_type = "KEYS_ONLY"
  attribute {
    name = "pk"
    type = "S"
  }
}
resource "aws_lambda_event_source_mapping" "ddb" {
  event_source_arn  = aws_dynamodb_table.t.stream_arn
  function_name     = aws_lambda_function.fn.arn
  starting_position = "LATEST"
}
resource "aws_sfn_state_machine" "m" {
  name     = "tf4-m"
  role_arn = aws_iam_role.r.arn
  type     = "EXPRESS"
  definition = jsonencode({ StartAt = "P", States = { P = { Type = "Pass", End = true } } })
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.g.arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }
}
resource "aws_apigatewayv2_api" "h" {
  name          = "tf4-http"
  protocol_type = "HTTP"
}
resource "aws_apigatewayv2_authorizer" "a" {
  api_id                            = aws_apigatewayv2_api.h.id
  authorizer_type                   = "REQUEST"
  authorizer_uri                    = aws_lambda_function.fn.invoke_arn
  identity_sources                  = ["$request.header.Authorization"]
  name                              = "auth"
  authorizer_payload_format_version = "2.0"
  enable_simple_responses           = true
}
resource "aws_sqs_queue" "q" {
  name                    = "tf4-q"
  sqs_managed_sse_enabled = true
  delay_seconds           = 5
  receive_wait_time_seconds = 10
}
"""


def test_users_bucket_settings_streams_authorizers(stratus: ServerProcess, tmp_path: Path) -> None:
    (tmp_path / "fn.zip").write_bytes(_zip({"app.py": HANDLER}))
    (tmp_path / "main.tf").write_text(_provider(stratus.endpoint) + SETTINGS)
    tf = Terraform(tmp_path, stratus)
    tf.run("init", "-input=false", "-no-color", f"-plugin-dir={PLUGIN_DIR}")
    tf.run("apply", "-input=false", "-auto-approve", "-no-color")

    s3 = stratus.client("s3")
    assert s3.get_bucket_logging(Bucket="tf4-bucket")["LoggingEnabled"]["TargetPrefix"] == "log/"
    assert s3.get_bucket_accelerate_configuration(Bucket="tf4-bucket")["Status"] == "Enabled"
    assert s3.get_bucket_request_payment(Bucket="tf4-bucket")["Payer"] == "Requester"
    lock = s3.get_object_lock_configuration(Bucket="tf4-lock")["ObjectLockConfiguration"]
    assert lock["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 1}
    iam = stratus.client("iam")
    assert len(iam.list_access_keys(UserName="tf4-user")["AccessKeyMetadata"]) == 1
    mappings = stratus.client("lambda").list_event_source_mappings(FunctionName="tf4-fn")
    assert ":dynamodb:" in mappings["EventSourceMappings"][0]["EventSourceArn"]

    tf.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
    tf.run("destroy", "-input=false", "-auto-approve", "-no-color")
    assert s3.list_buckets()["Buckets"] == []
    assert [u for u in iam.list_users()["Users"] if u["UserName"] == "tf4-user"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert stratus.client("stepfunctions").list_state_machines()["stateMachines"] == []
    assert stratus.client("sqs").list_queues().get("QueueUrls", []) == []
