"""What the Logs API acknowledged survives a restart, a ``kill -9`` included: groups
with their retention and tags, streams, events, filters."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import ServerProcess


def test_groups_streams_events_and_filters_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        logs = server.client("logs")
        logs.create_log_group(logGroupName="/kept", tags={"a": "1"})
        logs.put_retention_policy(logGroupName="/kept", retentionInDays=5)
        logs.create_log_stream(logGroupName="/kept", logStreamName="s")
        now = int(time.time() * 1000)
        logs.put_log_events(
            logGroupName="/kept", logStreamName="s", logEvents=[{"timestamp": now, "message": "m"}]
        )
        logs.put_metric_filter(
            logGroupName="/kept",
            filterName="f",
            filterPattern="ERROR",
            metricTransformations=[{"metricName": "E", "metricNamespace": "N", "metricValue": "1"}],
        )
        server.kill()
        server.start()
        logs = server.client("logs")
        group = logs.describe_log_groups(logGroupNamePrefix="/kept")["logGroups"][0]
        assert group["retentionInDays"] == 5 and group["storedBytes"] == 1
        assert logs.list_tags_log_group(logGroupName="/kept")["tags"] == {"a": "1"}
        streams = logs.describe_log_streams(logGroupName="/kept")["logStreams"]
        assert [s["logStreamName"] for s in streams] == ["s"]
        assert [e["message"] for e in logs.filter_log_events(logGroupName="/kept")["events"]] == [
            "m"
        ]
        filters = logs.describe_metric_filters(logGroupName="/kept")["metricFilters"]
        assert [f["filterName"] for f in filters] == ["f"]
        # Ids go on increasing after the restart: a reader's token still finds new events.
        token = logs.get_log_events(logGroupName="/kept", logStreamName="s")["nextForwardToken"]
        logs.put_log_events(
            logGroupName="/kept", logStreamName="s", logEvents=[{"timestamp": now, "message": "n"}]
        )
        after = logs.get_log_events(logGroupName="/kept", logStreamName="s", nextToken=token)
        assert [e["message"] for e in after["events"]] == ["n"]
    finally:
        server.stop()


def test_policies_and_keys_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        logs = server.client("logs")
        key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd"
        arn = "arn:aws:logs:us-east-1:000000000000:log-group:/kept"
        logs.create_log_group(logGroupName="/kept")
        logs.associate_kms_key(logGroupName="/kept", kmsKeyId=key)
        logs.put_data_protection_policy(
            logGroupIdentifier="/kept", policyDocument='{"Statement": [{"Sid": "a"}]}'
        )
        account = logs.put_resource_policy(policyName="acct", policyDocument="{}")
        own = logs.put_resource_policy(policyName="own", policyDocument="{}", resourceArn=arn)
        logs.put_resource_policy(policyName="gone", policyDocument="{}")
        logs.delete_resource_policy(policyName="gone")
        server.kill()
        server.start()
        logs = server.client("logs")
        group = logs.describe_log_groups(logGroupNamePrefix="/kept")["logGroups"][0]
        assert group["kmsKeyId"] == key and group["dataProtectionStatus"] == "ACTIVATED"
        got = logs.get_data_protection_policy(logGroupIdentifier="/kept")
        assert got["policyDocument"] == '{"Statement": [{"Sid": "a"}]}'
        assert logs.describe_resource_policies()["resourcePolicies"] == [account["resourcePolicy"]]
        mine = logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"]
        assert mine == [own["resourcePolicy"]]
        # The revision id is kept too: an update naming it goes through.
        logs.put_resource_policy(
            policyName="own",
            policyDocument="{}",
            resourceArn=arn,
            expectedRevisionId=own["revisionId"],
        )
    finally:
        server.stop()


def test_export_tasks_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        logs, s3 = server.client("logs"), server.client("s3")
        s3.create_bucket(Bucket="exports")
        logs.create_log_group(logGroupName="/kept")
        logs.create_log_stream(logGroupName="/kept", logStreamName="s")
        now = int(time.time() * 1000)
        logs.put_log_events(
            logGroupName="/kept", logStreamName="s", logEvents=[{"timestamp": now, "message": "m"}]
        )
        task_id = logs.create_export_task(
            logGroupName="/kept", fromTime=now, to=now + 1, destination="exports"
        )["taskId"]
        for _ in range(300):
            task = logs.describe_export_tasks(taskId=task_id)["exportTasks"][0]
            if task["status"]["code"] == "COMPLETED":
                break
            time.sleep(0.05)
        server.kill()
        server.start()
        logs = server.client("logs")
        after = logs.describe_export_tasks()["exportTasks"]
        assert after == [task] and task["status"]["code"] == "COMPLETED"
    finally:
        server.stop()
