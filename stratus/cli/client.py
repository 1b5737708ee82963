"""CLI commands that talk to a running Stratus: invoke, logs, functions.

AWS operations go through boto3 (exactly what users' code does); what AWS has no API for
(metrics, log following) goes through the native API under ``/_stratus/``.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import botocore.config
import botocore.exceptions


class CliError(Exception):
    """A one-line error for the user; the CLI prints it and exits 1."""


def aws_client(
    service: str, endpoint: str, region: str = "us-east-1", *, read_timeout: float = 60
) -> Any:
    """A boto3 client of ``service`` on our endpoint: placeholder keys (any key acts as the
    default account) and one attempt, so an error reaches the user at once."""
    import boto3  # here: `stratus up` never needs it (~0.1 s of every server's start)

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="stratus",
        aws_secret_access_key="stratus",
        config=botocore.config.Config(
            retries={"max_attempts": 1}, read_timeout=read_timeout, connect_timeout=5
        ),
    )


def lambda_client(endpoint: str) -> Any:
    return aws_client("lambda", endpoint, read_timeout=900)  # an invoke may take 15 min


def aws_call(endpoint: str, call: Any, **kwargs: Any) -> Any:
    """Run a boto3 call, turning its failures into one-line CliErrors."""
    try:
        return call(**kwargs)
    except botocore.exceptions.EndpointConnectionError as exc:
        raise CliError(f"cannot reach Stratus at {endpoint} (is `stratus up` running?)") from exc
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise CliError(f"{error.get('Code', 'Error')}: {error.get('Message', '')}") from exc


def _native(endpoint: str, path: str) -> Any:
    try:
        with urllib.request.urlopen(f"{endpoint}{path}", timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise CliError(f"Stratus answered {exc.code} for {path}") from exc
    except (urllib.error.URLError, ConnectionError) as exc:
        raise CliError(f"cannot reach Stratus at {endpoint} (is `stratus up` running?)") from exc


def invoke(endpoint: str, name: str, payload: str | None, asynchronous: bool, tail: bool) -> int:
    if payload is not None:
        try:
            json.loads(payload)
        except json.JSONDecodeError as exc:
            raise CliError(f"--payload is not valid JSON: {exc}") from exc
    client = lambda_client(endpoint)
    kwargs: dict[str, Any] = {
        "FunctionName": name,
        "InvocationType": "Event" if asynchronous else "RequestResponse",
        "Payload": (payload or "{}").encode(),
    }
    if tail and not asynchronous:
        kwargs["LogType"] = "Tail"
    response = aws_call(endpoint, client.invoke, **kwargs)
    if asynchronous:
        request_id = response["ResponseMetadata"].get("RequestId", "")
        print(f"accepted: {name} will run asynchronously (request {request_id})")
        return 0
    if tail and "LogResult" in response:
        sys.stderr.write(base64.b64decode(response["LogResult"]).decode(errors="replace"))
    body = response["Payload"].read().decode(errors="replace")
    try:
        text = json.dumps(json.loads(body))  # one line, as Lambda returns it and the README shows
    except json.JSONDecodeError:
        text = body
    if response.get("FunctionError"):
        print(text, file=sys.stderr)
        return 1
    print(text)
    return 0


def logs(endpoint: str, name: str, follow: bool, since_s: float | None) -> int:
    aws_call(endpoint, lambda_client(endpoint).get_function, FunctionName=name)
    after = 0
    start = "" if since_s is None else f"&start={int((time.time() - since_s) * 1000)}"
    while True:
        page = _native(endpoint, f"/_stratus/functions/{name}/logs?after={after}{start}")
        for event in page["events"]:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(event["timestamp"] / 1000))
            print(f"{stamp} {event['message']}", flush=True)
        after = page["next"]
        if page["events"]:
            continue
        if not follow:
            return 0
        time.sleep(0.5)


def functions(endpoint: str) -> int:
    listing = _native(endpoint, "/_stratus/functions")["Functions"]
    if not listing:
        print("no functions")
        return 0
    header = (
        "NAME",
        "RUNTIME",
        "MEM",
        "INVOKES",
        "ERRORS",
        "THROTTLES",
        "COLD",
        "P50 ms",
        "P90 ms",
        "P99 ms",
        "CONC",
        "PEAK",
        "GB-s",
    )
    rows = [header]
    for fn in listing:
        m = fn["Metrics"]
        rows.append(
            (
                fn["FunctionName"],
                fn["Runtime"],
                str(fn["MemorySize"]),
                str(m["Invocations"]),
                str(m["Errors"]),
                str(m["Throttles"]),
                str(m["ColdStarts"]),
                _ms(m["DurationP50"]),
                _ms(m["DurationP90"]),
                _ms(m["DurationP99"]),
                str(m["ConcurrentExecutions"]),
                str(m["PeakConcurrentExecutions"]),
                f"{m['GBSeconds']:.4f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
