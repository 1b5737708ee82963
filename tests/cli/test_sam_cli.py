"""AWS's own SAM CLI (``sam deploy``) against a real server, pointed at it by
``AWS_ENDPOINT_URL`` only.

aws-sam-cli pins a boto3 older than the one Stratus needs, so it cannot share the test
environment: the test runs the ``sam`` found in ``$STRATUS_SAM_CLI``, next to this Python
or on ``PATH`` (install it in a virtualenv of its own), and skips, saying so, without one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import ServerProcess

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Environment:
        Variables:
          QUEUE_URL: !Ref Queue
Outputs:
  WorkerName:
    Value: !Ref Worker
"""


def _sam() -> str | None:
    found = os.environ.get("STRATUS_SAM_CLI")
    if found:
        return found
    beside = Path(sys.executable).with_name("sam")
    return str(beside) if beside.exists() else shutil.which("sam")


def _sam_environment(sam: str, home: Path, server: ServerProcess) -> dict[str, str]:
    """What the SAM CLI runs with: this server as its endpoint, a home of its own."""
    return {
        "PATH": f"{Path(sam).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.endpoint,
        "SAM_CLI_TELEMETRY": "0",
    }


def test_sam_deploy(server: ServerProcess, tmp_path: Path) -> None:
    sam = _sam()
    if sam is None:
        pytest.skip(
            "the SAM CLI is not installed (aws-sam-cli pins an older boto3: give it its own virtualenv and set STRATUS_SAM_CLI)"
        )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\ndef handler(event, context):\n    return os.environ['QUEUE_URL']\n"
    )
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    bucket = f"sam-cli-{uuid.uuid4().hex[:8]}"
    server.client("s3").create_bucket(Bucket=bucket)
    name = f"samcli-{uuid.uuid4().hex[:6]}"
    env = _sam_environment(sam, tmp_path, server)
    command = [
        sam,
        "deploy",
        "--template-file",
        "template.yaml",
        "--stack-name",
        name,
        "--s3-bucket",
        bucket,
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--region",
        "us-east-1",
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Successfully created/updated stack - {name}" in run.stdout
    cfn = server.client("cloudformation")
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    worker = stack["Outputs"][0]["OutputValue"]
    answer = server.client("lambda").invoke(FunctionName=worker)
    queue = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Queue")
    assert (
        json.loads(answer["Payload"].read()) == queue["StackResourceDetail"]["PhysicalResourceId"]
    )
    rerun = subprocess.run(
        [*command, "--no-fail-on-empty-changeset"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "No changes to deploy" in rerun.stdout + rerun.stderr


def test_sam_deploy_resolve_s3(server: ServerProcess, tmp_path: Path) -> None:
    """``--resolve-s3``: the SAM CLI first deploys its own managed stack (a bucket with a
    policy, through the SAM transform) and uploads there."""
    sam = _sam()
    if sam is None:
        pytest.skip(
            "the SAM CLI is not installed (aws-sam-cli pins an older boto3: give it its own virtualenv and set STRATUS_SAM_CLI)"
        )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 'ok'\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    name = f"samcli-{uuid.uuid4().hex[:6]}"
    env = _sam_environment(sam, tmp_path, server)
    command = [
        sam,
        "deploy",
        "--template-file",
        "template.yaml",
        "--stack-name",
        name,
        "--resolve-s3",
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--region",
        "us-east-1",
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    cfn = server.client("cloudformation")
    managed = cfn.describe_stacks(StackName="aws-sam-cli-managed-default")["Stacks"][0]
    assert managed["StackStatus"] == "CREATE_COMPLETE", run.stdout + run.stderr
    bucket = {o["OutputKey"]: o["OutputValue"] for o in managed["Outputs"]}["SourceBucket"]
    s3 = server.client("s3")
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    # The managed bucket's policy denies requests without TLS: the control port is plain
    # HTTP, but a caller on the loopback interface counts as secure (docs/objects.md).
    assert run.returncode == 0, run.stdout + run.stderr
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
