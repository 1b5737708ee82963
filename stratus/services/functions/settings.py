"""Validation of a function's configurable settings, with Lambda's messages.

CreateFunction and UpdateFunctionConfiguration share these rules; each check raises the
error Lambda answers for that input (ValidationException for values outside the API's
constraints, InvalidParameterValueException for values Lambda itself refuses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.runtime import runtimes
from stratus.runtime.lambda_env import RESERVED_KEYS
from stratus.runtime.limits import Limits
from stratus.services.functions.errors import InvalidParameter, Unsupported, Validation
from stratus.services.functions.model import SUPPORTED_RUNTIMES
from stratus.services.functions.names import validation_message


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
    durable_config: dict[str, Any] | None = None
    capacity_provider_config: dict[str, Any] | None = None
    given: set[str] = field(default_factory=set)  # fields present in the request


def check_settings(settings: FunctionSettings, limits: Limits, *, creating: bool) -> None:
    """Lambda's own rules and this platform's limits; the model's constraints (patterns,
    lengths, enums, ranges, required members) were checked at the API's edge."""
    if settings.runtime is not None:
        check_runtime(settings.runtime)
    elif creating:
        raise InvalidParameter(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    if settings.handler is None and creating:
        raise InvalidParameter(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages."
        )
    if settings.timeout is not None and settings.timeout > limits.max_timeout_s:
        # A ValidationException like the model's range checks (CloudFormation reports it
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


def check_runtime(runtime: str) -> None:
    """A runtime of the model's enum that Lambda has deprecated or Stratus does not run.

    Lambda refuses a deprecated runtime in its own words, which tools (SAM, CDK) users
    already recognise, so we answer the same ones."""
    if runtime in runtimes.DEPRECATED:
        raise InvalidParameter(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating "
            f"AWS Lambda functions. We recommend you use the new runtime "
            f"({runtimes.latest(runtime)}) while creating or updating functions."
        )
    if runtime not in SUPPORTED_RUNTIMES:
        raise Unsupported(
            f"The runtime parameter of {runtime} is not supported by Stratus. "
            f"Supported runtimes: {', '.join(SUPPORTED_RUNTIMES)}."
        )
    if runtimes.family(runtime) == "nodejs" and runtimes.node_binary() is None:
        raise Unsupported(runtimes.node_missing_message(runtime))


def check_environment(variables: dict[str, str], limits: Limits) -> None:
    reserved = sorted(k for k in variables if k in RESERVED_KEYS)
    if reserved:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    # No process environment can hold a NUL (execve's strings end at it), so such a value
    # would fail every invoke later; Lambda's published messages do not cover it, so the
    # words are ours, in the shape of Lambda's other environment errors.
    with_nul = sorted(k for k, v in variables.items() if "\x00" in k or "\x00" in v)
    if with_nul:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contain a null character (U+0000), which environment "
            f"variables cannot hold. Keys with such values: {', '.join(with_nul)}"
        )
    encoded = orjson.dumps(variables)
    if len(encoded) > limits.environment_bytes:
        raise InvalidParameter(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided exceeded the 4KB limit. String measured: "
            + encoded.decode()
        )


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
    without levels reports Lambda's defaults, INFO and INFO. The enums and the log group's
    pattern and length are the model's, checked by the protocol layer before this runs.
    """
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
