"""Deploying a serverless pattern of ../shared/conformance unchanged, with handlers of our
own: each function sends the event it got to a probe queue, so a test sees what reached
which function."""

from __future__ import annotations

import io
import json
import shutil
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from stratus.app.packaging import dumps, package_template
from stratus.services.stacks.template.loader import parse_template
from tests.conftest import CONFORMANCE, ServerProcess

PATTERNS = CONFORMANCE / "sam" / "serverless-patterns"

HANDLER = """
import json, os
import boto3

def _probe(event):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName={probe!r})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(
        {{"function": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "event": event}}, default=str))

def {function}(event, context):
    _probe(event)
    return {{"statusCode": 200, "body": json.dumps({{"ok": True}}), "processed": True}}
"""


def template_file(directory: Path) -> Path:
    for name in ("template.yaml", "template.yml"):
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(directory)


def write_handlers(directory: Path, probe: str) -> None:
    """Our handler at every function's CodeUri, for every Handler named there."""
    template = parse_template(template_file(directory).read_text())
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    sites: dict[str, set[str]] = {}
    for resource in (template.get("Resources") or {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.get("Properties") or {}
        code = props.get("CodeUri", globals_.get("CodeUri"))
        handler = props.get("Handler", globals_.get("Handler"))
        if isinstance(code, str) and isinstance(handler, str):
            sites.setdefault(code, set()).add(handler)
    for code, handlers in sites.items():
        files = {}
        for handler in handlers:
            module, function = handler.rsplit(".", 1)
            files[f"{module.replace('.', '/')}.py"] = HANDLER.format(probe=probe, function=function)
        target = directory / code
        if code.endswith(".zip"):
            target.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for name, text in files.items():
                    archive.writestr(name, text)
            target.write_bytes(buffer.getvalue())
        else:
            target.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (target / name).write_text(text)


def deploy_pattern(
    server: ServerProcess, pattern: str, workdir: Path, handlers: dict[str, str] | None = None
) -> tuple[str, dict[str, Any], str]:
    """Deploy the pattern as ``sam deploy`` does (package, change set, execute); answers
    the stack name, the settled stack and the probe queue's URL."""
    directory = workdir / pattern
    shutil.copytree(PATTERNS / pattern, directory)
    probe = f"probe-{uuid.uuid4().hex[:10]}"
    sqs = server.client("sqs")
    probe_url = sqs.create_queue(QueueName=probe)["QueueUrl"]
    write_handlers(directory, probe)
    for relative, text in (handlers or {}).items():  # a pattern's own behaviour, ours
        (directory / relative).write_text(text.replace("PROBE_QUEUE", probe))
    s3 = server.client("s3")
    bucket = f"sam-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)

    def upload(key: str, data: bytes) -> str:
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        return f"s3://{bucket}/{key}"

    body = dumps(package_template(template_file(directory), upload))
    s3.put_object(Bucket=bucket, Key="template.json", Body=body.encode())
    cfn = server.client("cloudformation")
    name = f"{pattern[:30]}-{uuid.uuid4().hex[:6]}"
    made = cfn.create_change_set(
        StackName=name,
        ChangeSetName="deploy",
        ChangeSetType="CREATE",
        TemplateURL=f"{server.endpoint}/{bucket}/template.json",
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cfn.get_waiter("change_set_create_complete").wait(
        ChangeSetName=made["Id"], WaiterConfig={"Delay": 0.2}
    )
    cfn.execute_change_set(ChangeSetName=made["Id"])
    for _ in range(1200):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            break
        time.sleep(0.1)
    return name, stack, probe_url


def failures(server: ServerProcess, name: str) -> list[str]:
    events = server.client("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
    return [
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
        for e in events
        if e["ResourceStatus"].endswith("FAILED")
    ]


def probed(
    server: ServerProcess, probe_url: str, count: int = 1, timeout: float = 60
) -> list[dict[str, Any]]:
    """The events the pattern's functions received (at least ``count``)."""
    sqs = server.client("sqs")
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=probe_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=probe_url, ReceiptHandle=message["ReceiptHandle"])
    return seen
