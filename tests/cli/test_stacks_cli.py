"""``stratus deploy`` and ``stratus stacks``, and the AWS CLI's ``aws cloudformation
deploy``, against a real server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess

SAM_APP = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Environment:
        Variables:
          GREETING: !Ref Greeting
Outputs:
  GreeterName:
    Value: !Ref Greeter
"""

HANDLER = "import os\ndef handler(event, context):\n    return os.environ['GREETING'] + ' ' + event['name']\n"


def test_deploy_update_and_list(server: ServerProcess, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER)
    (tmp_path / "template.yaml").write_text(SAM_APP)
    name = f"cli-{uuid.uuid4().hex[:8]}"
    first = stratus(
        server, "deploy", str(tmp_path / "template.yaml"), "--stack-name", name, timeout=120
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"{name}: CREATE_COMPLETE" in first.stdout
    function = next(
        line.split(" = ")[1] for line in first.stdout.splitlines() if "GreeterName" in line
    )
    lam = server.client("lambda")
    answer = lam.invoke(FunctionName=function, Payload=json.dumps({"name": "Ada"}))
    assert json.loads(answer["Payload"].read()) == "hello Ada"

    again = stratus(
        server, "deploy", str(tmp_path / "template.yaml"), "--stack-name", name, timeout=120
    )
    assert again.returncode == 0 and "didn't contain changes" in again.stdout

    (tmp_path / "src" / "app.py").write_text(HANDLER.replace("' ' +", "', ' +"))
    update = stratus(
        server,
        "deploy",
        str(tmp_path / "template.yaml"),
        "--stack-name",
        name,
        "--parameter-overrides",
        "Greeting=bonjour",
        timeout=120,
    )
    assert update.returncode == 0, update.stdout + update.stderr
    assert f"{name}: UPDATE_COMPLETE" in update.stdout
    answer = lam.invoke(FunctionName=function, Payload=json.dumps({"name": "Ada"}))
    assert json.loads(answer["Payload"].read()) == "bonjour, Ada"

    listing = stratus(server, "stacks")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[0].split() == ["NAME", "STATUS", "RESOURCES", "UPDATED"]
    row = next(line for line in listing.stdout.splitlines() if line.startswith(name))
    assert row.split()[1:3] == ["UPDATE_COMPLETE", "2"]  # the function and its role


def test_deploy_reports_a_failed_resource(server: ServerProcess, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: 'not valid!'\n"
    )
    out = stratus(
        server,
        "deploy",
        str(tmp_path / "template.yaml"),
        "--stack-name",
        f"bad-{uuid.uuid4().hex[:6]}",
        timeout=120,
    )
    assert out.returncode == 1
    assert (
        "ROLLBACK_COMPLETE" in out.stdout and "Q: Resource handler returned message" in out.stdout
    )


def test_aws_cloudformation_deploy(server: ServerProcess, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("aws")
    if not cli.exists():
        pytest.skip("the AWS CLI (pip install awscli) is not installed")
    template = tmp_path / "template.yaml"
    template.write_text(
        "Parameters:\n  Retention: {Type: Number, Default: 60}\n"
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        "      MessageRetentionPeriod: !Ref Retention\n"
        "Outputs:\n  Url: {Value: !Ref Q}\n"
    )
    name = f"awscli-{uuid.uuid4().hex[:6]}"
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.endpoint,
    }
    run = subprocess.run(
        [
            str(cli),
            "cloudformation",
            "deploy",
            "--template-file",
            str(template),
            "--stack-name",
            name,
            "--parameter-overrides",
            "Retention=120",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Successfully created/updated stack" in run.stdout
    cfn = server.client("cloudformation")
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    url = stack["Outputs"][0]["OutputValue"]
    attrs = server.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["MessageRetentionPeriod"]
    )
    assert attrs["Attributes"]["MessageRetentionPeriod"] == "120"
    # The CLI names its change set after the current second, and the first one stays
    # (EXECUTE_COMPLETE) as on AWS: a second deploy within that second would be refused
    # with AlreadyExistsException, which AWS's slower deploys never reach.
    time.sleep(1.05 - time.time() % 1)
    again = subprocess.run(
        [
            str(cli),
            "cloudformation",
            "deploy",
            "--template-file",
            str(template),
            "--stack-name",
            name,
            "--parameter-overrides",
            "Retention=120",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    # The CLI's own answer to an empty change set (without --no-fail-on-empty-changeset).
    assert again.returncode == 255, again.stdout + again.stderr
    assert f"No changes to deploy. Stack {name} is up to date" in again.stderr


def test_deploy_refuses_what_it_cannot_read(server: ServerProcess, tmp_path: Path) -> None:
    missing = stratus(server, "deploy", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and f"no template at {tmp_path / 'nope.yaml'}" in missing.stderr
    (tmp_path / "template.yaml").write_text(SAM_APP)  # its CodeUri src/ does not exist
    absent = stratus(
        server, "deploy", str(tmp_path / "template.yaml"), "--stack-name", "absent-code"
    )
    assert absent.returncode == 1 and absent.stderr.startswith("error: src/")
    assert "does not exist" in absent.stderr
    (tmp_path / "bad.yaml").write_text("Resources: [")
    bad = stratus(server, "deploy", str(tmp_path / "bad.yaml"), "--stack-name", "bad-yaml")
    assert bad.returncode == 1
    assert bad.stderr == "error: Template format error: YAML not well-formed. (line 1, column 13)\n"
