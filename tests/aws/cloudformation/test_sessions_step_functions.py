"""sessions-with-aws-sam's step-functions app (../shared/conformance): three state
machines from DefinitionUri files with DefinitionSubstitutions, a parent that runs two
nested express workflows (.sync:2), each writing to a SimpleTable, then publishes."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from stratus.app.packaging import dumps, package_template
from tests.conftest import CONFORMANCE, ServerProcess

APP = CONFORMANCE / "sam" / "sessions-with-aws-sam" / "step-functions"

pytestmark = pytest.mark.skipif(not APP.is_dir(), reason=f"conformance material absent: {APP}")


def test_nested_workflows_from_substituted_definitions(
    server: ServerProcess, tmp_path: Path
) -> None:
    shutil.copytree(APP, tmp_path / "app")
    s3 = server.client("s3")
    bucket = f"sessions-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)

    def upload(key: str, data: bytes) -> str:
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        return f"s3://{bucket}/{key}"

    body = dumps(package_template(tmp_path / "app" / "template.yaml", upload))
    cfn = server.client("cloudformation")
    name = f"sessions-{uuid.uuid4().hex[:6]}"
    cfn.create_stack(
        StackName=name,
        TemplateBody=body,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cfn.get_waiter("stack_create_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    parent = stack["Outputs"][0]["OutputValue"]

    def physical(logical: str) -> str:
        detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId=logical)
        return str(detail["StackResourceDetail"]["PhysicalResourceId"])

    sfn = server.client("stepfunctions")
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=parent)["definition"])
    branches = definition["States"]["Launch nested workflows"]["Branches"]
    assert branches[0]["States"]["Gather Stack Overflow analytics"]["Parameters"][
        "StateMachineArn"
    ] == physical("GatherStackOverflowMetrics")
    assert "${" not in json.dumps(definition)

    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    execution: dict[str, Any] = {}
    for _ in range(300):
        execution = sfn.describe_execution(executionArn=arn)
        if execution["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert execution["status"] == "SUCCEEDED", (execution.get("error"), execution.get("cause"))
    items = server.client("dynamodb").scan(TableName=physical("AnalyticsTable"))["Items"]
    assert sorted(item["Platform"]["S"] for item in items) == ["Stack Overflow", "Twitch"]
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
