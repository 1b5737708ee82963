"""Code and data from S3 elsewhere: Lambda functions and layers from an S3 object, Step
Functions tasks reading and writing objects."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.aws.s3.conftest import error_of
from tests.conftest import ROLE, ServerProcess, make_zip, unique_name

HANDLER = (
    "def handler(event, context):\n    return {'from': 's3', 'version': VERSION}\nVERSION = %d\n"
)


def test_function_code_from_s3(s3: Any, lambda_client: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="code.zip", Body=make_zip({"app.py": HANDLER % 1}))[
        "VersionId"
    ]
    s3.put_object(Bucket=bucket, Key="code.zip", Body=make_zip({"app.py": HANDLER % 2}))
    name = unique_name()
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"S3Bucket": bucket, "S3Key": "code.zip", "S3ObjectVersion": v1},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    answer = lambda_client.invoke(FunctionName=name)
    assert json.loads(answer["Payload"].read()) == {"from": "s3", "version": 1}
    lambda_client.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="code.zip")
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)
    answer = lambda_client.invoke(FunctionName=name)
    assert json.loads(answer["Payload"].read()) == {"from": "s3", "version": 2}


def test_function_code_from_missing_object(lambda_client: Any, bucket: str) -> None:
    error = error_of(
        lambda_client.create_function,
        FunctionName=unique_name(),
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"S3Bucket": bucket, "S3Key": "missing.zip"},
    )
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"] == (
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: "
        "The specified key does not exist."
    )


def test_layer_from_s3(s3: Any, lambda_client: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="layer.zip", Body=make_zip({"python/helper.py": "X = 42\n"}))
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("layer"), Content={"S3Bucket": bucket, "S3Key": "layer.zip"}
    )
    name = unique_name()
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={
            "ZipFile": make_zip(
                {"app.py": "import helper\ndef handler(e, c):\n    return helper.X\n"}
            )
        },
        Layers=[layer["LayerVersionArn"]],
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == 42


def _run(sfn: Any, definition: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    machine = sfn.create_state_machine(
        name=unique_name("sm"), definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))[
        "executionArn"
    ]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("execution did not finish")


def test_step_functions_put_and_get(server: ServerProcess, s3: Any, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    for resource in ("arn:aws:states:::s3", "arn:aws:states:::aws-sdk:s3"):
        definition = {
            "StartAt": "Put",
            "States": {
                "Put": {
                    "Type": "Task",
                    "Resource": f"{resource}:putObject",
                    "Parameters": {
                        "Bucket.$": "$.bucket",
                        "Key": "from-sfn.txt",
                        "Body.$": "$.text",
                    },
                    "ResultPath": "$.put",
                    "Next": "Get",
                },
                "Get": {
                    "Type": "Task",
                    "Resource": f"{resource}:getObject",
                    "Parameters": {"Bucket.$": "$.bucket", "Key": "from-sfn.txt"},
                    "ResultSelector": {"Body.$": "$.Body", "ETag.$": "$.ETag"},
                    "End": True,
                },
            },
        }
        done = _run(sfn, definition, {"bucket": bucket, "text": f"hello via {resource}"})
        assert done["status"] == "SUCCEEDED", done
        output = json.loads(done["output"])
        assert output["Body"] == f"hello via {resource}"
        assert (
            s3.get_object(Bucket=bucket, Key="from-sfn.txt")["Body"].read()
            == f"hello via {resource}".encode()
        )


def test_step_functions_missing_object(server: ServerProcess, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    definition = {
        "StartAt": "Get",
        "States": {
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": bucket, "Key": "missing"},
                "End": True,
            }
        },
    }
    done = _run(sfn, definition, {})
    assert done["status"] == "FAILED"
    assert done["error"] == "S3.NoSuchKeyException"


def _distributed(reader: dict[str, Any], processor_result: str = "$") -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemReader": reader,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Echo",
                    "States": {
                        "Echo": {"Type": "Pass", "OutputPath": processor_result, "End": True}
                    },
                },
                "End": True,
            }
        },
    }


def test_distributed_map_reads_items_from_s3(server: ServerProcess, s3: Any, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    s3.put_object(
        Bucket=bucket, Key="items.json", Body=json.dumps([{"n": 1}, {"n": 2}, {"n": 3}]).encode()
    )
    s3.put_object(Bucket=bucket, Key="rows.csv", Body=b"name,qty\napple,3\npear,5\n")
    s3.put_object(Bucket=bucket, Key="lines.jsonl", Body=b'{"a": 1}\n{"a": 2}\n')
    cases = [
        (
            {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket.$": "$.bucket", "Key": "items.json"},
            },
            [{"n": 1}, {"n": 2}, {"n": 3}],
        ),
        (
            {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {
                    "InputType": "CSV",
                    "CSVHeaderLocation": "FIRST_ROW",
                    "MaxItems": 1,
                },
                "Parameters": {"Bucket.$": "$.bucket", "Key": "rows.csv"},
            },
            [{"name": "apple", "qty": "3"}],
        ),
        (
            {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSONL"},
                "Parameters": {"Bucket.$": "$.bucket", "Key": "lines.jsonl"},
            },
            [{"a": 1}, {"a": 2}],
        ),
    ]
    for reader, expected in cases:
        done = _run(sfn, _distributed(reader), {"bucket": bucket})
        assert done["status"] == "SUCCEEDED", done
        assert json.loads(done["output"]) == expected
    listing = _run(
        sfn,
        _distributed(
            {
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket.$": "$.bucket", "Prefix": "items"},
            },
            "$.Key",
        ),
        {"bucket": bucket},
    )
    assert listing["status"] == "SUCCEEDED", listing
    assert json.loads(listing["output"]) == ["items.json"]
    missing = _run(
        sfn,
        _distributed(
            {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket.$": "$.bucket", "Key": "missing.json"},
            }
        ),
        {"bucket": bucket},
    )
    assert missing["status"] == "FAILED"
    assert missing["error"] == "States.ItemReaderFailed"


def test_distributed_map_writes_results_to_s3(server: ServerProcess, s3: Any, bucket: str) -> None:
    sfn = server.client("stepfunctions")
    s3.put_object(Bucket=bucket, Key="in.json", Body=json.dumps([1, 2, 3]).encode())
    definition = _distributed(
        {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket.$": "$.bucket", "Key": "in.json"},
        }
    )
    definition["States"]["Each"]["ResultWriter"] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket.$": "$.bucket", "Prefix": "runs"},
    }
    done = _run(sfn, definition, {"bucket": bucket})
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    assert output["MapRunArn"].startswith("arn:aws:states:us-east-1:")
    details = output["ResultWriterDetails"]
    assert details["Bucket"] == bucket
    assert details["Key"].startswith("runs/") and details["Key"].endswith("/manifest.json")
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=details["Key"])["Body"].read())
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    results = json.loads(s3.get_object(Bucket=bucket, Key=succeeded["Key"])["Body"].read())
    assert sorted(json.loads(r["Output"]) for r in results) == [1, 2, 3]
    assert {r["Status"] for r in results} == {"SUCCEEDED"}
