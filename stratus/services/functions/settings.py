"""Validation of a function's configurable settings, with Lambda's messages.

CreateFunction and UpdateFunctionConfiguration share these rules; each check raises the
error Lambda answers for that input (ValidationException for values outside the API's
constraints, InvalidParameterValueException for values Lambda itself refuses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.runtime.lambda_env import RESERVED_KEYS
from stratus.runtime.limits import Limits
from stratus.services.functions.errors import InvalidParameter, Unsupported, Validation
from stratus.services.functions.model import SUPPORTED_RUNTIMES
from stratus.services.functions.names import validation_message

ROLE_PATTERN = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
HANDLER_PATTERN = re.compile(r"^[^\s]+$")
ENV_KEY_PATTERN = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])+$")

# Every runtime identifier Lambda's API accepts (botocore's Runtime enum), so that a valid
# but unsupported runtime is told apart from a typo.
KNOWN_RUNTIMES = frozenset(
    [
        "nodejs",
        "nodejs4.3",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
        "java8",
        "java8.al2",
        "java11",
        "python2.7",
        "python3.6",
        "python3.7",
        "python3.8",
        "python3.9",
        "dotnetcore1.0",
        "dotnetcore2.0",
        "dotnetcore2.1",
        "dotnetcore3.1",
        "dotnet6",
        "dotnet8",
        "nodejs4.3-edge",
        "go1.x",
        "ruby2.5",
        "ruby2.7",
        "provided",
        "provided.al2",
        "nodejs18.x",
        "python3.10",
        "java17",
        "ruby3.2",
        "ruby3.3",
        "ruby3.4",
        "python3.11",
        "nodejs20.x",
        "provided.al2023",
        "python3.12",
        "java21",
        "python3.13",
        "nodejs22.x",
        "python3.14",
        "nodejs24.x",
        "java25",
        "dotnet10",
    ]
)


# Python runtimes Lambda has deprecated: it refuses them with its own message, which
# tools (SAM, CDK) users already recognise, so we answer the same words.
DEPRECATED_PYTHON = frozenset(["python2.7", "python3.6", "python3.7", "python3.8"])


@dataclass(slots=True)
class FunctionSettings:
    """The settings a user chooses; None means 'not given' (keep or default)."""

    runtime: str | None = None
    role: str | None = None
    handler: str | None = None
    description: str | None = None
    timeout: int | None = None
    memory_size: int | None = None
    environment: dict[str, str] | None = None
    layers: list[str] | None = None
    architectures: list[str] | None = None
    ephemeral_storage: int | None = None
    tracing_mode: str | None = None
    snap_start: str | None = None
    dead_letter_target: str | None = None
    kms_key_arn: str | None = None
    vpc_config: dict[str, Any] | None = None
    logging_config: dict[str, Any] | None = None
    given: set[str] = field(default_factory=set)  # fields present in the request


def check_settings(settings: FunctionSettings, limits: Limits, *, creating: bool) -> None:
    if creating:
        for member, value in (("role", settings.role),):
            if value is None:
                raise Validation(validation_message("null", member, "Member must not be null"))
    if settings.runtime is not None:
        check_runtime(settings.runtime)
    elif creating:
        raise InvalidParameter(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    if settings.handler is not None:
        if len(settings.handler) > 128:
            raise Validation(
                validation_message(
                    settings.handler, "handler", "Member must have length less than or equal to 128"
                )
            )
        if not HANDLER_PATTERN.match(settings.handler):
            raise Validation(
                validation_message(
                    settings.handler,
                    "handler",
                    "Member must satisfy regular expression pattern: [^\\s]+",
                )
            )
    elif creating:
        raise InvalidParameter(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    if settings.role is not None and not ROLE_PATTERN.match(settings.role):
        raise Validation(
            validation_message(
                settings.role,
                "role",
                "Member must satisfy regular expression pattern: "
                "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
            )
        )
    if settings.timeout is not None:
        if settings.timeout < 1:
            raise Validation(
                validation_message(
                    str(settings.timeout),
                    "timeout",
                    "Member must have value greater than or equal to 1",
                )
            )
        if settings.timeout > limits.max_timeout_s:
            # A ValidationException like the other range checks (CloudFormation reports it
            # as "Error Code: ValidationException" from AWSLambdaInternal).
            raise Validation(
                validation_message(
                    str(settings.timeout),
                    "timeout",
                    f"Member must have value less than or equal to {limits.max_timeout_s}",
                )
            )
    if settings.memory_size is not None:
        if settings.memory_size < limits.min_memory_mb:
            raise Validation(
                validation_message(
                    str(settings.memory_size),
                    "memorySize",
                    f"Member must have value greater than or equal to {limits.min_memory_mb}",
                )
            )
        if settings.memory_size > limits.max_memory_mb:
            raise Validation(
                validation_message(
                    str(settings.memory_size),
                    "memorySize",
                    f"Member must have value less than or equal to {limits.max_memory_mb}",
                )
            )
    if settings.description is not None and len(settings.description) > 256:
        raise Validation(
            validation_message(
                settings.description,
                "description",
                "Member must have length less than or equal to 256",
            )
        )
    if settings.environment is not None:
        check_environment(settings.environment, limits)
    if settings.layers is not None and len(settings.layers) > limits.layers_per_function:
        raise InvalidParameter(f"Cannot reference more than {limits.layers_per_function} layers.")
    if settings.ephemeral_storage is not None and not 512 <= settings.ephemeral_storage <= 10240:
        raise Validation(
            validation_message(
                str(settings.ephemeral_storage),
                "ephemeralStorage.size",
                "Member must have value between 512 and 10240",
            )
        )
    if settings.snap_start not in (None, "None", "PublishedVersions"):
        raise Validation(
            validation_message(
                settings.snap_start,
                "snapStart.applyOn",
                "Member must satisfy enum value set: [PublishedVersions, None]",
            )
        )
    if settings.architectures is not None and (
        len(settings.architectures) != 1 or settings.architectures[0] not in ("x86_64", "arm64")
    ):
        raise Validation(
            validation_message(
                str(settings.architectures),
                "architectures",
                "Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]",
            )
        )


def check_runtime(runtime: str) -> None:
    if runtime not in KNOWN_RUNTIMES:
        raise Validation(
            validation_message(
                runtime,
                "runtime",
                "Member must satisfy enum value set: [" + ", ".join(sorted(KNOWN_RUNTIMES)) + "]",
            )
        )
    if runtime in DEPRECATED_PYTHON:
        raise InvalidParameter(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating "
            f"AWS Lambda functions. We recommend you use the new runtime ({SUPPORTED_RUNTIMES[-1]}) "
            "while creating or updating functions."
        )
    if runtime not in SUPPORTED_RUNTIMES:
        raise Unsupported(
            f"The runtime parameter of {runtime} is not supported by Stratus. "
            f"Supported runtimes: {', '.join(SUPPORTED_RUNTIMES)}."
        )


def check_environment(variables: dict[str, str], limits: Limits) -> None:
    reserved = sorted(k for k in variables if k in RESERVED_KEYS)
    if reserved:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    for key in variables:
        if not ENV_KEY_PATTERN.match(key):
            raise Validation(
                validation_message(
                    key,
                    "environment.variables",
                    "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
                )
            )
    encoded = orjson.dumps(variables)
    if len(encoded) > limits.environment_bytes:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. String measured: "
            + encoded.decode()
        )


LOG_FORMATS = ("JSON", "Text")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
LOG_GROUP_PATTERN = re.compile(r"^[\.\-_/#A-Za-z0-9]+\Z")
LEVELS_NEED_JSON = (
    'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
    'request or change the LogFormat to "Json" and try again.'
)


def merge_logging_config(
    current: dict[str, Any] | None, given: dict[str, Any], function_name: str
) -> dict[str, Any]:
    """A function's LoggingConfig after a Create/UpdateFunctionConfiguration, as Lambda keeps it.

    Log levels exist only with the JSON format: asked for with Text they are refused (the
    message CloudFormation users know), and switching to Text drops the stored ones. JSON
    without levels reports Lambda's defaults, INFO and INFO.
    """
    for member, allowed, name in (
        ("LogFormat", LOG_FORMATS, "loggingConfig.logFormat"),
        ("ApplicationLogLevel", APPLICATION_LOG_LEVELS, "loggingConfig.applicationLogLevel"),
        ("SystemLogLevel", SYSTEM_LOG_LEVELS, "loggingConfig.systemLogLevel"),
    ):
        value = given.get(member)
        if value is not None and value not in allowed:
            raise Validation(
                validation_message(
                    str(value), name, f"Member must satisfy enum value set: [{', '.join(allowed)}]"
                )
            )
    group = given.get("LogGroup")
    if group is not None and (not LOG_GROUP_PATTERN.match(group) or len(group) > 512):
        raise Validation(
            validation_message(
                group,
                "loggingConfig.logGroup",
                "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
            )
        )
    merged = dict(current or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}"})
    merged.update({k: v for k, v in given.items() if v is not None})
    asked_levels = "ApplicationLogLevel" in given or "SystemLogLevel" in given
    if merged.get("LogFormat") == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
    else:
        if asked_levels:
            raise InvalidParameter(LEVELS_NEED_JSON)
        merged.pop("ApplicationLogLevel", None)
        merged.pop("SystemLogLevel", None)
    if not merged.get("LogGroup"):
        merged["LogGroup"] = f"/aws/lambda/{function_name}"
    return merged
