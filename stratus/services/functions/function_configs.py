"""Small per-function settings: recursive loop detection and runtime management.

Both are stored with the function (recursion in the function record, runtime management
per version, since Lambda sets it per version) and reported back; neither changes how an
invocation runs: Stratus has one runtime build per Python version and no event loop it
could detect (see docs/functions.md).
"""

from __future__ import annotations

import re

from stratus.services.functions.errors import InvalidParameter, Validation
from stratus.services.functions.model import LATEST, FunctionConfig
from stratus.services.functions.names import VERSION_NUMBER, validation_message
from stratus.services.functions.registry import FunctionRegistry

RECURSIVE_LOOPS = ("Allow", "Terminate")
UPDATE_RUNTIME_ON = ("Auto", "FunctionUpdate", "Manual")
RUNTIME_VERSION_ARN = re.compile(
    r"^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}::runtime:.+\Z"
)


class FunctionConfigs:
    def __init__(self, registry: FunctionRegistry) -> None:
        self._registry = registry

    # -- recursion -------------------------------------------------------------------
    def recursive_loop(self, name: str) -> str:
        return self._registry.record(name).recursive_loop

    async def put_recursive_loop(self, name: str, value: str) -> str:
        if value not in RECURSIVE_LOOPS:
            raise Validation(
                validation_message(
                    value, "recursiveLoop", "Member must satisfy enum value set: [Allow, Terminate]"
                )
            )
        await self._registry.update_record(name, recursive_loop=value)
        return value

    # -- runtime management ----------------------------------------------------------
    def runtime_management(self, name: str, qualifier: str | None) -> FunctionConfig:
        _check_version_qualifier(qualifier)
        return self._registry.resolve(name, qualifier)

    async def put_runtime_management(
        self,
        name: str,
        qualifier: str | None,
        update_runtime_on: str,
        runtime_version_arn: str | None,
    ) -> FunctionConfig:
        _check_version_qualifier(qualifier)
        if update_runtime_on not in UPDATE_RUNTIME_ON:
            raise Validation(
                validation_message(
                    update_runtime_on,
                    "updateRuntimeOn",
                    "Member must satisfy enum value set: [Auto, FunctionUpdate, Manual]",
                )
            )
        if runtime_version_arn is not None and not RUNTIME_VERSION_ARN.match(runtime_version_arn):
            raise Validation(
                validation_message(
                    runtime_version_arn,
                    "runtimeVersionArn",
                    "Member must satisfy regular expression pattern: "
                    "^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}"
                    "::runtime:.+$",
                )
            )
        if update_runtime_on == "Manual" and runtime_version_arn is None:
            raise InvalidParameter(
                "RuntimeVersionArn is required when UpdateRuntimeOn is set to Manual."
            )
        if update_runtime_on != "Manual" and runtime_version_arn is not None:
            raise InvalidParameter(
                "RuntimeVersionArn can only be specified when UpdateRuntimeOn is set to Manual."
            )
        return await self._registry.update_version(
            name,
            qualifier,
            update_runtime_on=update_runtime_on,
            runtime_version_arn=runtime_version_arn,
        )


def _check_version_qualifier(qualifier: str | None) -> None:
    """Runtime management belongs to a version: $LATEST or a number, not an alias."""
    if qualifier is not None and qualifier != LATEST and not VERSION_NUMBER.match(qualifier):
        raise InvalidParameter("The qualifier parameter must be a function version or $LATEST.")
