"""The process environment Lambda gives a function, for one execution environment.

Names and values follow "Using Lambda environment variables" (reserved variables) in the
Lambda developer guide, plus ``AWS_ENDPOINT_URL`` so boto3 inside a function reaches
Stratus. The user's own variables come last but cannot override the reserved ones, as in
Lambda.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass

from stratus.runtime.environment import FunctionSpec

# Keys a function may not set (Lambda rejects them at CreateFunction).
RESERVED_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


#: What every function's environment starts from (its own variables may replace them);
#: pooled Node.js processes start with these too (``worker/node_pool.py``).
BASE_ENV: dict[str, str] = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}


@dataclass(frozen=True, slots=True)
class PlatformEnv:
    region: str
    endpoint_url: str
    access_key_id: str = "stratus"
    secret_access_key: str = "stratus"
    session_token: str = "stratus"
    runtime_api: str = "127.0.0.1:9001"


def log_stream_name(version: str) -> str:
    day = time.strftime("%Y/%m/%d", time.gmtime())
    return f"{day}/[{version}]{secrets.token_hex(16)}"


def lambda_environment(
    spec: FunctionSpec,
    platform: PlatformEnv,
    *,
    log_stream: str,
    initialization_type: str = "on-demand",
) -> dict[str, str]:
    # A function runs in its own region (its ARN's), whatever the server's default.
    parts = spec.function_arn.split(":")
    region = parts[3] if len(parts) > 3 and parts[3] else platform.region
    # Its SDK calls act as its own account: a 12-digit access key id is that account.
    account = parts[4] if len(parts) > 4 else ""
    access_key = account if account.isdigit() and account != "000000000000" else None
    layer_libs = [os.path.join(d, "lib") for d in spec.layer_dirs]
    env: dict[str, str] = {
        **BASE_ENV,
        "LD_LIBRARY_PATH": ":".join([*layer_libs, os.path.join(spec.code_dir, "lib")]),
    }
    env.update({k: v for k, v in spec.environment.items() if k not in RESERVED_KEYS})
    env.update(
        {
            "_HANDLER": spec.handler,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group or f"/aws/lambda/{spec.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_RUNTIME_API": platform.runtime_api,
            "AWS_ACCESS_KEY_ID": access_key or platform.access_key_id,
            "AWS_SECRET_ACCESS_KEY": platform.secret_access_key,
            "AWS_SESSION_TOKEN": platform.session_token,
            "LAMBDA_TASK_ROOT": spec.code_dir,
            "LAMBDA_RUNTIME_DIR": spec.code_dir,
        }
    )
    if spec.runtime.startswith("provided"):
        del env["AWS_EXECUTION_ENV"]  # Lambda names no runtime for a custom one
    if spec.log_format == "JSON":
        # What Lambda sets for the JSON log format; the worker's logging reads both.
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level or "INFO"
    # Inside Stratus a function's AWS calls come back to Stratus, unless it says otherwise.
    env.setdefault("AWS_ENDPOINT_URL", platform.endpoint_url)
    return env
