"""A Distributed Map's ResultWriter: the documents it writes to S3 and the state's output.

See https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
The results go to ``{Prefix}/{map run id}/SUCCEEDED_0.json`` (and ``FAILED_0.json`` for
iterations that failed within the tolerated threshold), described by a ``manifest.json``
beside them; the Map state's result is then ``{"MapRunArn", "ResultWriterDetails":
{"Bucket", "Key"}}`` instead of the results themselves. Pure: the writes are RunTask
commands (``s3:putObject``) the driver carries out.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["WRITE_RESOURCE", "map_output", "result_files"]

WRITE_RESOURCE = "arn:aws:states:::s3:putObject"


def _failed(result: Any) -> bool:
    return isinstance(result, dict) and set(result) == {"Error", "Cause"}


def result_files(
    bucket: str, prefix: str, map_run_arn: str, inputs: list[Any], results: list[Any]
) -> list[dict[str, Any]]:
    """PutObject parameters of each result file, then of the manifest (last)."""
    run_id = map_run_arn.rsplit(":", 1)[-1].replace("/", "-")
    folder = f"{prefix.rstrip('/')}/{run_id}" if prefix else run_id
    groups: dict[str, list[dict[str, Any]]] = {"SUCCEEDED": [], "FAILED": []}
    for index, (item, result) in enumerate(zip(inputs, results, strict=False)):
        status = "FAILED" if _failed(result) else "SUCCEEDED"
        entry: dict[str, Any] = {
            "Name": f"{run_id}-{index}",
            "Input": json.dumps(item, separators=(",", ":")),
            "InputDetails": {"Included": True},
            "Status": status,
            "StateMachineArn": map_run_arn,
        }
        if status == "FAILED":
            entry["Error"] = result.get("Error")
            entry["Cause"] = result.get("Cause")
        else:
            entry["Output"] = json.dumps(result, separators=(",", ":"))
            entry["OutputDetails"] = {"Included": True}
        groups[status].append(entry)
    files: list[dict[str, Any]] = []
    listed: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status, entries in groups.items():
        if not entries:
            continue
        body = json.dumps(entries, separators=(",", ":"))
        key = f"{folder}/{status}_0.json"
        files.append({"Bucket": bucket, "Key": key, "Body": body})
        listed[status].append({"Key": key, "Size": len(body.encode())})
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": listed}
    files.append({"Bucket": bucket, "Key": f"{folder}/manifest.json", "Body": json.dumps(manifest)})
    return files


def map_output(map_run_arn: str, manifest: dict[str, Any]) -> dict[str, Any]:
    return {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": manifest["Bucket"], "Key": manifest["Key"]},
    }
