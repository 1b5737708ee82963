"""A Distributed Map over an S3 Inventory (``ReaderConfig.InputType`` ``MANIFEST``) and its
ResultWriter's ``WriterConfig`` (transformations, JSON Lines, output without export)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from tests.aws.s3.test_elsewhere import _distributed, _run
from tests.conftest import ServerProcess

SCHEMA = "Bucket, Key, Size"


def _inventory(s3: Any, bucket: str, data: dict[str, bytes], **extra: Any) -> None:
    for key, body in data.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    manifest = {
        "sourceBucket": "source-bucket",
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "version": "2016-11-30",
        "fileFormat": "CSV",
        "fileSchema": SCHEMA,
        "files": [{"key": key, "size": len(body)} for key, body in data.items()],
        **extra,
    }
    s3.put_object(Bucket=bucket, Key="inventory/manifest.json", Body=json.dumps(manifest).encode())


def _manifest_reader(**config: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST", **config},
        "Parameters": {"Bucket.$": "$.bucket", "Key": "inventory/manifest.json"},
    }


def test_items_from_an_inventory_manifest(server: ServerProcess, s3: Any, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    first = gzip.compress(b'"source-bucket","a.txt","10"\n"source-bucket","b.txt","20"\n')
    second = b'"source-bucket","c d.txt","30"\n'
    _inventory(s3, bucket, {"inventory/data/1.csv.gz": first, "inventory/data/2.csv": second})
    done = _run(sfn, _distributed(_manifest_reader()), {"bucket": bucket})
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [
        {"Bucket": "source-bucket", "Key": "a.txt", "Size": "10"},
        {"Bucket": "source-bucket", "Key": "b.txt", "Size": "20"},
        {"Bucket": "source-bucket", "Key": "c d.txt", "Size": "30"},
    ]
    limited = _run(sfn, _distributed(_manifest_reader(MaxItems=2), "$.Key"), {"bucket": bucket})
    assert json.loads(limited["output"]) == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    ("files", "extra"),
    [
        pytest.param({"inventory/data/1.csv.gz": b"not gzip"}, {}, id="not-gzip"),
        pytest.param({"inventory/data/1.orc": b"x"}, {"fileFormat": "ORC"}, id="orc"),
        pytest.param({}, {"files": "nope"}, id="no-file-list"),
    ],
)
def test_bad_manifests_fail_the_reader(
    server: ServerProcess, s3: Any, bucket: str, files: dict[str, bytes], extra: dict[str, Any]
) -> None:
    sfn = server.client("stepfunctions")
    _inventory(s3, bucket, files, **extra)
    done = _run(sfn, _distributed(_manifest_reader()), {"bucket": bucket})
    assert done["status"] == "FAILED"
    assert done["error"] == "States.ItemReaderFailed"


def test_manifest_naming_a_missing_file(server: ServerProcess, s3: Any, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    _inventory(s3, bucket, {"inventory/data/1.csv": b'"b","k","1"\n'})
    s3.delete_object(Bucket=bucket, Key="inventory/data/1.csv")
    done = _run(sfn, _distributed(_manifest_reader()), {"bucket": bucket})
    assert (done["status"], done["error"]) == ("FAILED", "States.ItemReaderFailed")


def _pairs(s3: Any, bucket: str) -> dict[str, Any]:
    s3.put_object(Bucket=bucket, Key="in.json", Body=json.dumps([[1, 2], [3], 4]).encode())
    return _distributed(
        {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket.$": "$.bucket", "Key": "in.json"},
        }
    )


def test_writer_config_without_export_reshapes_the_output(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    sfn = server.client("stepfunctions")
    definition = _pairs(s3, bucket)
    for transformation, expected in (("COMPACT", [[1, 2], [3], 4]), ("FLATTEN", [1, 2, 3, 4])):
        definition["States"]["Each"]["ResultWriter"] = {
            "WriterConfig": {"Transformation": transformation, "OutputType": "JSON"}
        }
        done = _run(sfn, definition, {"bucket": bucket})
        assert done["status"] == "SUCCEEDED", done
        assert json.loads(done["output"]) == expected
    definition["States"]["Each"]["ResultWriter"] = {"WriterConfig": {"Transformation": "SQUASH"}}
    done = _run(sfn, definition, {"bucket": bucket})
    assert (done["status"], done["error"]) == ("FAILED", "States.ResultWriterFailed")


def test_writer_config_with_export(server: ServerProcess, s3: Any, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    definition = _pairs(s3, bucket)
    definition["States"]["Each"]["ResultWriter"] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket.$": "$.bucket", "Prefix": "flat"},
        "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"},
    }
    done = _run(sfn, definition, {"bucket": bucket})
    assert done["status"] == "SUCCEEDED", done
    details = json.loads(done["output"])["ResultWriterDetails"]
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=details["Key"])["Body"].read())
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    assert succeeded["Key"].endswith("/SUCCEEDED_0.jsonl")
    lines = s3.get_object(Bucket=bucket, Key=succeeded["Key"])["Body"].read().decode()
    assert sorted(json.loads(line) for line in lines.splitlines()) == [1, 2, 3, 4]
