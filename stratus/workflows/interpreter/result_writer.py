"""A Distributed Map's ResultWriter: the documents it writes to S3 and the state's output.

See https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
The results go to ``{Prefix}/{map run id}/SUCCEEDED_0.json`` (and ``FAILED_0.json`` for
iterations that failed within the tolerated threshold), described by a ``manifest.json``
beside them; the Map state's result is then ``{"MapRunArn", "ResultWriterDetails":
{"Bucket", "Key"}}`` instead of the results themselves. Pure: the writes are RunTask
commands (``s3:putObject``) the driver carries out.

``WriterConfig`` reshapes them: ``Transformation`` ``NONE`` (each child's metadata and
output, the default when exporting), ``COMPACT`` (the outputs alone) or ``FLATTEN`` (the
outputs, arrays spliced in); failed children stay as ``NONE`` writes them.
``OutputType`` ``JSON`` writes an array per file, ``JSONL`` one line per result (files
then end in ``.jsonl``). A ``WriterConfig`` without ``Resource`` exports nothing and
reshapes the Map's own output (``COMPACT`` by default).
"""

from __future__ import annotations

import json
from typing import Any

from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import map_runs

__all__ = ["WRITE_RESOURCE", "exports", "map_output", "result_files", "transform", "writer_config"]

WRITE_RESOURCE = "arn:aws:states:::s3:putObject"
WRITER_FAILED = "States.ResultWriterFailed"
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")


def exports(writer: dict[str, Any] | Any) -> bool:
    """Whether the ResultWriter writes to S3 (it names a Resource)."""
    return bool(writer.get("Resource"))


def writer_config(writer: Any) -> tuple[str, str]:
    """(Transformation, OutputType) of a ResultWriter, with their defaults."""
    config = writer.get("WriterConfig") or {}
    transformation = config.get("Transformation") or ("NONE" if exports(writer) else "COMPACT")
    output_type = config.get("OutputType") or "JSON"
    if transformation not in TRANSFORMATIONS:
        raise StatesError(WRITER_FAILED, f"The Transformation {transformation} is not supported.")
    if output_type not in OUTPUT_TYPES:
        raise StatesError(WRITER_FAILED, f"The OutputType {output_type} is not supported.")
    return transformation, output_type


def transform(results: list[Any], transformation: str) -> list[Any]:
    """The children's outputs reshaped (``NONE`` and ``COMPACT`` leave the list alone)."""
    if transformation != "FLATTEN":
        return list(results)
    out: list[Any] = []
    for result in results:
        if isinstance(result, list) and not _failed(result):
            out.extend(result)
        else:
            out.append(result)
    return out


def _failed(result: Any) -> bool:
    return isinstance(result, dict) and set(result) == {"Error", "Cause"}


def result_files(
    bucket: str,
    prefix: str,
    map_run_arn: str,
    inputs: list[Any],
    results: list[Any],
    transformation: str = "NONE",
    output_type: str = "JSON",
    execution_type: str = "STANDARD",
) -> list[dict[str, Any]]:
    """PutObject parameters of each result file, then of the manifest (last). Each entry
    names its child execution as the Map Run's APIs do (`map_runs`)."""
    run_id = map_run_arn.rsplit(":", 1)[-1].replace("/", "-")
    machine = map_runs.machine_of(map_run_arn)
    folder = f"{prefix.rstrip('/')}/{run_id}" if prefix else run_id
    groups: dict[str, list[Any]] = {"SUCCEEDED": [], "FAILED": []}
    for index, (item, result) in enumerate(zip(inputs, results, strict=False)):
        status = "FAILED" if _failed(result) else "SUCCEEDED"
        entry: dict[str, Any] = {
            "ExecutionArn": map_runs.child_arn(map_run_arn, index, execution_type),
            "Name": map_runs.child_name(map_run_arn, index),
            "Input": json.dumps(item, separators=(",", ":")),
            "InputDetails": {"Included": True},
            "Status": status,
            "StateMachineArn": machine,
        }
        if status == "FAILED":
            entry["Error"] = result.get("Error")
            entry["Cause"] = result.get("Cause")
        elif transformation != "NONE":
            groups[status].extend(transform([result], transformation))
            continue
        else:
            entry["Output"] = json.dumps(result, separators=(",", ":"))
            entry["OutputDetails"] = {"Included": True}
        groups[status].append(entry)
    files: list[dict[str, Any]] = []
    listed: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status, entries in groups.items():
        if not entries:
            continue
        if output_type == "JSONL":
            body = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries)
        else:
            body = json.dumps(entries, separators=(",", ":"))
        key = f"{folder}/{status}_0.{output_type.lower()}"
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
