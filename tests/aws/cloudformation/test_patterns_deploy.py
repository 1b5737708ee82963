"""Every serverless pattern of ../shared/conformance deploys unchanged to CREATE_COMPLETE
and deletes again without leaving a resource behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.aws.cloudformation.patterns import PATTERNS, deploy_pattern, failures
from tests.conftest import ServerProcess

NAMES = sorted(p.name for p in PATTERNS.iterdir() if p.is_dir()) if PATTERNS.is_dir() else []

pytestmark = pytest.mark.skipif(not NAMES, reason=f"conformance material absent: {PATTERNS}")


@pytest.mark.parametrize("pattern", NAMES)
def test_pattern_deploys_and_deletes(server: ServerProcess, tmp_path: Path, pattern: str) -> None:
    name, stack, _ = deploy_pattern(server, pattern, tmp_path)
    assert stack["StackStatus"] == "CREATE_COMPLETE", failures(server, name)
    cfn = server.client("cloudformation")
    physical = [r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]]
    assert all(physical)
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
