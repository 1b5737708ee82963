"""The AWS CDK against Stratus, end to end: ``cdk bootstrap``, ``cdk deploy`` of the app in
``data/cdk_app`` (a Python function fed by an SQS queue, a DynamoDB table, an S3 bucket),
the function at work through boto3, new code deployed again (through a change set, then
``--hotswap``), then ``cdk destroy``.

The CDK CLI and libraries come from npm, installed once per test session under its
temporary directory; without node and npm, or without the registry, the test skips and
says why. It takes a minute (three CDK runs, each synthesizing with node): ``slow``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess

pytestmark = pytest.mark.slow

APP = Path(__file__).parent / "data" / "cdk_app"
QUALIFIER = "hnb659fds"  # the CDK's default


@pytest.fixture(scope="session")
def cdk_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``node_modules`` holding aws-cdk, aws-cdk-lib and constructs, installed once."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("the CDK needs node and npm, which are not on PATH")
    home = tmp_path_factory.getbasetemp() / "cdk-npm"
    modules = home / "node_modules"
    if (modules / ".bin" / "cdk").exists():
        return modules
    home.mkdir(exist_ok=True)
    shutil.copy(APP / "package.json", home / "package.json")
    try:
        run = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm install of the CDK did not finish in 15 minutes")
    if run.returncode != 0:
        pytest.skip(
            f"npm install of the CDK failed (is the registry reachable?): {run.stderr[-800:]}"
        )
    return modules


def _cdk(app: Path, env: dict[str, str], *args: str) -> str:
    run = subprocess.run(
        [str(app / "node_modules" / ".bin" / "cdk"), *args, "--no-notices"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"cdk {' '.join(args)}:\n{run.stdout[-3000:]}\n{run.stderr[-5000:]}"
    return run.stdout


def _environment(server: ServerProcess, home: Path, stack: str) -> dict[str, str]:
    """The CDK CLI (AWS SDK for JavaScript v3) pointed at Stratus by AWS_ENDPOINT_URL;
    S3 is addressed in path style because the endpoint is an IP address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        CDK_DISABLE_CLI_TELEMETRY="true",
        CDK_STACK_NAME=stack,
        HOME=str(home),
    )
    return env


def _gone(call: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


def test_cdk_bootstrap_deploy_invoke_destroy(cdk_modules: Path, tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", "--async-retry-delay", "0.2").start()
    try:
        _run_app(server, cdk_modules, tmp_path)
    finally:
        server.stop()


def _run_app(server: ServerProcess, modules: Path, tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    (app / "node_modules").symlink_to(modules, target_is_directory=True)
    (tmp_path / "home").mkdir()
    stack = f"CdkApp{uuid.uuid4().hex[:6]}"
    env = _environment(server, tmp_path / "home", stack)
    cfn, ssm = server.client("cloudformation"), server.client("ssm")

    # The stock bootstrap stack, as it is: its staging bucket's policy denies requests
    # made without TLS, and the control port's loopback callers count as secure.
    _cdk(app, env, "bootstrap", "aws://000000000000/us-east-1")
    toolkit = cfn.describe_stacks(StackName="CDKToolkit")["Stacks"][0]
    assert toolkit["StackStatus"] == "CREATE_COMPLETE"
    version = ssm.get_parameter(Name=f"/cdk-bootstrap/{QUALIFIER}/version")["Parameter"]
    assert int(version["Value"]) >= 6  # what `cdk deploy` checks it against

    _cdk(app, env, "deploy", "--require-approval", "never")
    deployed = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert deployed["StackStatus"] == "CREATE_COMPLETE"
    out = {o["OutputKey"]: o["OutputValue"] for o in deployed["Outputs"]}

    # The function, called directly and through its queue.
    lam = server.client("lambda")
    answer = lam.invoke(
        FunctionName=out["FunctionName"], Payload=json.dumps({"id": "a", "text": "hi"})
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read()) == {"stored": ["a"], "version": 1}
    assert lam.get_function(FunctionName=out["FunctionName"])["Configuration"]["Runtime"] == (
        "python3.12"
    )
    server.client("sqs").send_message(
        QueueUrl=out["QueueUrl"], MessageBody=json.dumps({"id": "b", "text": "queued"})
    )
    table = server.client("dynamodb")
    item = None
    deadline = time.monotonic() + 120
    while item is None and time.monotonic() < deadline:
        item = table.get_item(TableName=out["TableName"], Key={"id": {"S": "b"}}).get("Item")
        if item is None:
            time.sleep(0.2)
    assert item == {"id": {"S": "b"}, "text": {"S": "queued"}}
    s3 = server.client("s3")
    body = s3.get_object(Bucket=out["BucketName"], Key="notes/b")["Body"].read()
    assert body == b"queued"

    # New code: deployed through a change set (a new asset), then hot-swapped.
    for version, extra in ((2, ()), (3, ("--hotswap",))):
        worker = app / "handler" / "worker.py"
        worker.write_text(
            worker.read_text().replace(f"VERSION = {version - 1}", f"VERSION = {version}")
        )
        _cdk(app, env, "deploy", "--require-approval", "never", *extra)
        answer = lam.invoke(
            FunctionName=out["FunctionName"], Payload=json.dumps({"id": "a", "text": "hi"})
        )
        assert json.loads(answer["Payload"].read())["version"] == version
    status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    assert status == "UPDATE_COMPLETE"

    # A bucket that holds objects is not deleted (BucketNotEmpty, as on AWS): empty it.
    for key in ("notes/a", "notes/b"):
        s3.delete_object(Bucket=out["BucketName"], Key=key)
    _cdk(app, env, "destroy", "--force")
    assert _gone(lambda: cfn.describe_stacks(StackName=stack)) == "ValidationError"
    assert (
        _gone(lambda: lam.get_function(FunctionName=out["FunctionName"]))
        == "ResourceNotFoundException"
    )
    assert _gone(lambda: table.describe_table(TableName=out["TableName"])) == (
        "ResourceNotFoundException"
    )
    assert _gone(lambda: s3.head_bucket(Bucket=out["BucketName"])) == "404"
