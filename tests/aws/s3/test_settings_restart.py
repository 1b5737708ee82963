"""Every bucket setting added for tools that read whole buckets survives ``kill -9``:
acknowledged means stored (acceleration, payer, logging, replication and the
configurations kept by id), and a refused one left nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.aws.s3.test_bucket_settings import ROLE, _rule
from tests.aws.s3.test_configurations_by_id import KINDS, call, document, put
from tests.conftest import ServerProcess


def _snapshot(s3: Any, bucket: str) -> dict[str, Any]:
    """Everything the settings' reads answer for ``bucket``."""

    def clean(answer: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    out = {
        "accelerate": clean(s3.get_bucket_accelerate_configuration(Bucket=bucket)),
        "payment": clean(s3.get_bucket_request_payment(Bucket=bucket)),
        "logging": clean(s3.get_bucket_logging(Bucket=bucket)),
        "replication": clean(s3.get_bucket_replication(Bucket=bucket)),
    }
    for kind in KINDS:
        out[kind.name] = clean(call(s3, "list", kind, Bucket=bucket))
    return out


def test_settings_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        s3 = server.client("s3")
        for name in ("source-bucket", "replica-bucket", "log-bucket"):
            s3.create_bucket(Bucket=name)
        for name in ("source-bucket", "replica-bucket"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_accelerate_configuration(
            Bucket="source-bucket", AccelerateConfiguration={"Status": "Enabled"}
        )
        s3.put_bucket_request_payment(
            Bucket="source-bucket", RequestPaymentConfiguration={"Payer": "Requester"}
        )
        s3.put_bucket_logging(
            Bucket="source-bucket",
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": "log-bucket", "TargetPrefix": "access/"}
            },
        )
        s3.put_bucket_replication(
            Bucket="source-bucket",
            ReplicationConfiguration={"Role": ROLE, "Rules": [_rule("replica-bucket")]},
        )
        for kind in KINDS:
            put(s3, kind, "source-bucket", "kept", document(kind, "kept"))
        # Refused: must leave nothing behind after the restart either.
        with pytest.raises(botocore.exceptions.ClientError):
            put(s3, KINDS[2], "source-bucket", "refused", document(KINDS[2], "other"))
        before = _snapshot(s3, "source-bucket")
        server.kill()
        server.start()
        after = _snapshot(server.client("s3"), "source-bucket")
    finally:
        server.stop()
    assert after == before
    assert after["accelerate"] == {"Status": "Enabled"}
    assert after["payment"] == {"Payer": "Requester"}
    assert after["logging"]["LoggingEnabled"]["TargetBucket"] == "log-bucket"
    assert after["replication"]["ReplicationConfiguration"]["Rules"] == [_rule("replica-bucket")]
    for kind in KINDS:
        assert after[kind.name][f"{kind.member}List"] == [document(kind, "kept")]
