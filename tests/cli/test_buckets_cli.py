"""``stratus buckets`` against a real server."""

from __future__ import annotations

import uuid

from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess


def test_buckets_lists_usage_and_objects(server: ServerProcess) -> None:
    s3 = server.client("s3", access_key="stratus")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=name, Key="docs/a.txt", Body=b"x" * 2048)
    s3.put_object(Bucket=name, Key="b.txt", Body=b"y")
    listing = stratus(server, "buckets")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["NAME", "REGION", "OBJECTS", "SIZE", "VERSIONING", "NOTIFICATIONS"]
    row = next(line for line in lines if line.startswith(name))
    assert row.split() == [name, "us-east-1", "2", "2.0", "KB", "Enabled", "-"]
    objects = stratus(server, "buckets", name, "--prefix", "docs/")
    assert objects.returncode == 0, objects.stderr
    assert objects.stdout.splitlines()[1].split()[0] == "docs/a.txt"
