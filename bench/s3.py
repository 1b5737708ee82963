"""S3 throughput and notification latency through boto3, against local files.

Against ``python -m stratus up``:

- PutObject and GetObject of 1 MB and 100 MB objects (MB/s), next to writing the same
  bytes to a local file with an fsync (what the server does for each object) and reading
  them back, in the same run;
- small-object (1 KB) PutObjects per second from one client, next to a no-op call
  (``ListBuckets`` of an empty account) through the same client;
- the time from a PutObject's start to the notified function starting (the function
  stamps its start and reports it through a queue), next to the same measure for a
  Lambda ``Invoke`` of type ``Event`` made directly.

    python -m bench.s3 [--small 500] [--latency 30] [--json PATH]
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from typing import Any

import boto3
import botocore.config

from bench._platform import ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import lambda_client, stratus_server

MB = 1024 * 1024

STAMP_SOURCE = """
import json, os, time
import boto3
_sqs = boto3.client("sqs")
def handler(event, context):
    started = time.time()
    if "Records" in event:
        key = event["Records"][0]["s3"]["object"]["key"]
    else:
        key = event["key"]
    _sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody=json.dumps({"key": key, "t": started}))
"""


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"}, read_timeout=300
        ),
    )


def _local(data: bytes, directory: str) -> tuple[float, float]:
    """Seconds to write ``data`` to a file with fsync, and to read it back."""
    path = os.path.join(directory, uuid.uuid4().hex)
    start = time.perf_counter()
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    written = time.perf_counter() - start
    start = time.perf_counter()
    with open(path, "rb") as source:
        assert len(source.read()) == len(data)
    read = time.perf_counter() - start
    os.unlink(path)
    return written, read


def _throughput(s3: Any, bucket: str, size: int, rounds: int, directory: str) -> dict[str, float]:
    data = os.urandom(size)
    put = get = local_put = local_get = 0.0
    for index in range(rounds):
        key = f"tp-{size}-{index}"
        start = time.perf_counter()
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        put += time.perf_counter() - start
        start = time.perf_counter()
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        get += time.perf_counter() - start
        assert len(body) == size
        written, read = _local(data, directory)
        local_put += written
        local_get += read
    total = size * rounds / MB
    return {
        "put": total / put,
        "get": total / get,
        "local_put": total / local_put,
        "local_get": total / local_get,
    }


def _small_puts(s3: Any, bucket: str, count: int) -> tuple[float, float]:
    body = b"x" * 1024
    put_times: list[float] = []
    noop_times: list[float] = []
    for index in range(count):
        start = time.perf_counter()
        s3.put_object(Bucket=bucket, Key=f"small/{index}", Body=body)
        put_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        s3.list_buckets(Prefix="no-such-prefix")
        noop_times.append(time.perf_counter() - start)
    return 1 / percentile(put_times, 0.5), 1 / percentile(noop_times, 0.5)


def _await_stamp(sqs: Any, url: str, key: str) -> float:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10
        ).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(message["Body"])
            if body["key"] == key:
                return float(body["t"])
    raise TimeoutError(f"no stamp for {key}")


def _latency(endpoint: str, count: int) -> tuple[list[float], list[float]]:
    s3, sqs, functions = _client("s3", endpoint), _client("sqs", endpoint), lambda_client(endpoint)
    url = sqs.create_queue(QueueName="bench-stamps")["QueueUrl"]
    name = f"bench-stamp-{uuid.uuid4().hex[:6]}"
    functions.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_of(STAMP_SOURCE)},
        Environment={"Variables": {"QUEUE": url}},
    )
    functions.get_waiter("function_active_v2").wait(FunctionName=name)
    arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    s3.create_bucket(Bucket="bench-notify")
    s3.put_bucket_notification_configuration(
        Bucket="bench-notify",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    notified: list[float] = []
    invoked: list[float] = []
    for index in range(count + 3):  # the first three warm the environment
        key = f"n{index}"
        start = time.time()
        s3.put_object(Bucket="bench-notify", Key=key, Body=b"x")
        stamp = _await_stamp(sqs, url, key)
        direct_key = f"d{index}"
        direct_start = time.time()
        functions.invoke(
            FunctionName=name, InvocationType="Event", Payload=json.dumps({"key": direct_key})
        )
        direct = _await_stamp(sqs, url, direct_key)
        if index >= 3:
            notified.append((stamp - start) * 1000)
            invoked.append((direct - direct_start) * 1000)
    return notified, invoked


def measure(small: int, latency: int) -> Figure:
    figure = Figure("s3", "S3 throughput and notification latency through boto3")
    with stratus_server() as served, tempfile.TemporaryDirectory(prefix="bench-s3-") as directory:
        s3 = _client("s3", served.endpoint)
        s3.create_bucket(Bucket="bench")
        for size, rounds, label in ((MB, 30, "1 MB"), (100 * MB, 3, "100 MB")):
            result = _throughput(s3, "bench", size, rounds, directory)
            figure.add(
                Row(
                    f"PutObject {label}",
                    result["put"],
                    "MB/s",
                    "local file write + fsync",
                    result["local_put"],
                )
            )
            figure.add(
                Row(
                    f"GetObject {label}",
                    result["get"],
                    "MB/s",
                    "local file read",
                    result["local_get"],
                )
            )
        puts, noops = _small_puts(s3, "bench", small)
        figure.add(
            Row(
                "PutObject 1 KB per second (one client, p50)",
                puts,
                "/s",
                "no-op ListBuckets per second",
                noops,
            )
        )
        notified, invoked = _latency(served.endpoint, latency)
        figure.add(
            Row(
                "PutObject start to notified function start, p50",
                percentile(notified, 0.5),
                "ms",
                "Invoke (Event) start to function start, p50",
                percentile(invoked, 0.5),
            )
        )
        figure.add(
            Row(
                "PutObject start to notified function start, p99",
                percentile(notified, 0.99),
                "ms",
                "Invoke (Event) start to function start, p99",
                percentile(invoked, 0.99),
            )
        )
    figure.notes.append(
        "throughput: one boto3 client, sequential calls; objects are fsynced before the "
        "PutObject is answered, as the local-file baseline is"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--latency", type=int, default=30)
    args = parser.parse_args()
    emit(measure(args.small, args.latency), args.json)


if __name__ == "__main__":
    main()
