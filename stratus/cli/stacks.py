"""``stratus deploy <template>`` and ``stratus stacks``, through the CloudFormation API.

Deploy does what ``sam deploy`` does, in one command: package local paths to a bucket of
ours (``stratus-deployments-<account>``), create a change set (CREATE or UPDATE), wait
for it, execute it, wait for the stack and print its outputs, or the failed resources'
reasons.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import botocore.exceptions

from stratus.app.packaging import dumps, package_template
from stratus.cli.client import CliError, aws_call, aws_client
from stratus.services.stacks.errors import StacksError

_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def _parameters(overrides: Sequence[str]) -> list[dict[str, str]]:
    out = []
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--parameter-overrides takes KEY=VALUE, not {item!r}")
        out.append({"ParameterKey": key, "ParameterValue": value})
    return out


def _wait(cfn: Any, name: str) -> dict[str, Any]:
    while True:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return dict(stack)
        time.sleep(0.3)


def deploy(
    endpoint: str,
    template: str,
    stack_name: str | None,
    overrides: Sequence[str],
    region: str = "us-east-1",
) -> int:
    path = Path(template)
    if not path.is_file():
        raise CliError(f"no template at {template}")
    name = stack_name or path.resolve().parent.name.replace("_", "-") or "stratus-app"
    s3 = aws_client("s3", endpoint, region)
    cfn = aws_client("cloudformation", endpoint, region)
    account = aws_call(endpoint, aws_client("sts", endpoint, region).get_caller_identity)["Account"]
    bucket = f"stratus-deployments-{account}"
    try:
        s3.head_bucket(Bucket=bucket)
    except botocore.exceptions.ClientError:
        aws_call(endpoint, s3.create_bucket, Bucket=bucket)

    def upload(key: str, data: bytes) -> str:
        aws_call(endpoint, s3.put_object, Bucket=bucket, Key=key, Body=data)
        return f"s3://{bucket}/{key}"

    try:
        document = package_template(path, upload)
    except (OSError, ValueError, StacksError) as exc:
        raise CliError(str(exc)) from exc
    body = dumps(document)
    upload_key = f"templates/{name}.json"
    aws_call(endpoint, s3.put_object, Bucket=bucket, Key=upload_key, Body=body.encode())
    try:
        existing = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except botocore.exceptions.ClientError:
        existing = None
    kind = "UPDATE" if existing and existing != "REVIEW_IN_PROGRESS" else "CREATE"
    change_set = f"stratus-deploy-{int(time.time() * 1000)}"
    made = aws_call(
        endpoint,
        cfn.create_change_set,
        StackName=name,
        ChangeSetName=change_set,
        ChangeSetType=kind,
        TemplateURL=f"{endpoint}/{bucket}/{upload_key}",
        Parameters=_parameters(overrides),
        Capabilities=_CAPABILITIES,
    )
    described = cfn.describe_change_set(ChangeSetName=made["Id"])
    if described["Status"] == "FAILED":
        print(f"{name}: {described.get('StatusReason', 'change set failed')}")
        cfn.delete_change_set(ChangeSetName=made["Id"])
        return 0
    for change in described.get("Changes", []):
        detail = change["ResourceChange"]
        print(f"  {detail['Action']:<8} {detail['LogicalResourceId']:<40} {detail['ResourceType']}")
    aws_call(endpoint, cfn.execute_change_set, ChangeSetName=made["Id"])
    stack = _wait(cfn, name)
    print(f"{name}: {stack['StackStatus']}")
    if not stack["StackStatus"].endswith("_COMPLETE") or "ROLLBACK" in stack["StackStatus"]:
        for event in cfn.describe_stack_events(StackName=name)["StackEvents"]:
            if event["ResourceStatus"].endswith("_FAILED") and event.get("ResourceStatusReason"):
                print(f"  {event['LogicalResourceId']}: {event['ResourceStatusReason']}")
        return 1
    for output in stack.get("Outputs", []):
        print(f"  {output['OutputKey']} = {output['OutputValue']}")
    return 0


def list_stacks(endpoint: str, region: str = "us-east-1") -> int:
    cfn = aws_client("cloudformation", endpoint, region)
    stacks = aws_call(endpoint, cfn.describe_stacks)["Stacks"]
    if not stacks:
        print("no stacks")
        return 0
    rows = [("NAME", "STATUS", "RESOURCES", "UPDATED")]
    for stack in stacks:
        resources = cfn.list_stack_resources(StackName=stack["StackId"])["StackResourceSummaries"]
        moment = stack.get("LastUpdatedTime") or stack["CreationTime"]
        rows.append(
            (
                stack["StackName"],
                stack["StackStatus"],
                str(len(resources)),
                moment.strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0
