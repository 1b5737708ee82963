"""AWS::Lambda::* through our own Lambda API.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_Lambda.html
"""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from typing import Any

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
)

_CONFIG = (
    "Runtime",
    "Role",
    "Handler",
    "Description",
    "Timeout",
    "MemorySize",
    "VpcConfig",
    "DeadLetterConfig",
    "Environment",
    "TracingConfig",
    "Layers",
    "FileSystemConfigs",
    "ImageConfig",
    "EphemeralStorage",
    "SnapStart",
    "LoggingConfig",
)
_CREATE_ONLY = ("PackageType", "Architectures", "CodeSigningConfigArn")


def _code(code: dict[str, Any], runtime: str) -> dict[str, Any]:
    if "ZipFile" in code:
        # CloudFormation writes inline code to index.<ext> (docs: Code.ZipFile).
        name = "index.js" if runtime.startswith("nodejs") else "index.py"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o644 << 16
            archive.writestr(info, str(code["ZipFile"]))
        return {"ZipFile": buffer.getvalue()}
    return pick(code, "S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")


async def _wait_active(ctx: Provisioning, name: str) -> dict[str, Any]:
    for _ in range(600):
        config = await ctx.call("lambda", "GetFunctionConfiguration", {"FunctionName": name})
        state = config.get("State")
        update = config.get("LastUpdateStatus")
        if state == "Failed" or update == "Failed":
            raise ResourceFailed(
                f'Resource handler returned message: "{config.get("StateReason") or config.get("LastUpdateStatusReason")}"'
            )
        if state in (None, "Active", "Inactive") and update in (None, "Successful"):
            return config
        await asyncio.sleep(0.05)
    raise ResourceFailed('Resource handler returned message: "The function did not become Active"')


class FunctionHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("FunctionName") or ctx.physical_name(logical_id)
        params = {
            "FunctionName": name,
            **pick(props, *_CONFIG, *_CREATE_ONLY),
            "Code": _code(props.get("Code") or {}, str(props.get("Runtime", ""))),
        }
        if "KmsKeyArn" in props:
            params["KMSKeyArn"] = props["KmsKeyArn"]
        params["Tags"] = ctx.tags(logical_id, props.get("Tags"))
        answer = await ctx.call("lambda", "CreateFunction", params)
        if "ReservedConcurrentExecutions" in props:
            await ctx.call(
                "lambda",
                "PutFunctionConcurrency",
                {
                    "FunctionName": name,
                    "ReservedConcurrentExecutions": int(props["ReservedConcurrentExecutions"]),
                },
            )
        await _wait_active(ctx, name)
        return Provisioned(name, {"Arn": answer["FunctionArn"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("FunctionName") != new.get("FunctionName") or any(
            old.get(k) != new.get(k) for k in _CREATE_ONLY
        ):
            return None
        name = current.physical_id
        if old.get("Code") != new.get("Code"):
            code = _code(new.get("Code") or {}, str(new.get("Runtime", "")))
            await ctx.call("lambda", "UpdateFunctionCode", {"FunctionName": name, **code})
            await _wait_active(ctx, name)
        config = pick(new, *_CONFIG)
        for key in ("Environment", "Layers", "Description", "DeadLetterConfig", "TracingConfig"):
            if key in old and key not in new:
                config[key] = (
                    {"Variables": {}}
                    if key == "Environment"
                    else (
                        []
                        if key == "Layers"
                        else ({} if key in ("DeadLetterConfig", "TracingConfig") else "")
                    )
                )
        await ctx.call("lambda", "UpdateFunctionConfiguration", {"FunctionName": name, **config})
        await _wait_active(ctx, name)
        if "ReservedConcurrentExecutions" in new:
            await ctx.call(
                "lambda",
                "PutFunctionConcurrency",
                {
                    "FunctionName": name,
                    "ReservedConcurrentExecutions": int(new["ReservedConcurrentExecutions"]),
                },
            )
        elif "ReservedConcurrentExecutions" in old:
            await ctx.call("lambda", "DeleteFunctionConcurrency", {"FunctionName": name})
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("lambda", "DeleteFunction", {"FunctionName": current.physical_id})
        )


class VersionHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        answer = await ctx.call(
            "lambda", "PublishVersion", pick(props, "FunctionName", "Description", "CodeSha256")
        )
        arn = answer["FunctionArn"]
        return Provisioned(
            arn, {"Version": answer["Version"], "FunctionArn": arn.rsplit(":", 1)[0]}
        )

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        function, version = current.physical_id.rsplit(":", 1)
        await ignore_missing(
            ctx.call("lambda", "DeleteFunction", {"FunctionName": function, "Qualifier": version})
        )


class AliasHandler(Handler):
    _FIELDS = ("FunctionName", "Name", "FunctionVersion", "Description", "RoutingConfig")

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        answer = await ctx.call("lambda", "CreateAlias", pick(props, *self._FIELDS))
        return Provisioned(answer["AliasArn"], {"AliasArn": answer["AliasArn"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Name") != new.get("Name") or old.get("FunctionName") != new.get("FunctionName"):
            return None
        await ctx.call("lambda", "UpdateAlias", pick(new, *self._FIELDS))
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        function, name = current.physical_id.rsplit(":", 1)
        await ignore_missing(
            ctx.call("lambda", "DeleteAlias", {"FunctionName": function, "Name": name})
        )


class PermissionHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        statement = f"{ctx.stack_name}-{logical_id}-{ctx.token(logical_id)}"[-100:]
        params = {
            "StatementId": statement,
            **pick(
                props,
                "FunctionName",
                "Action",
                "Principal",
                "SourceArn",
                "SourceAccount",
                "EventSourceToken",
                "FunctionUrlAuthType",
                "PrincipalOrgID",
                "InvokedViaFunctionUrl",
            ),
        }
        await ctx.call("lambda", "AddPermission", params)
        return Provisioned(f"{props['FunctionName']}|{statement}")

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        function, statement = current.physical_id.rsplit("|", 1)
        await ignore_missing(
            ctx.call(
                "lambda", "RemovePermission", {"FunctionName": function, "StatementId": statement}
            )
        )


_ESM = (
    "EventSourceArn",
    "FunctionName",
    "BatchSize",
    "Enabled",
    "StartingPosition",
    "StartingPositionTimestamp",
    "MaximumBatchingWindowInSeconds",
    "FilterCriteria",
    "FunctionResponseTypes",
    "ScalingConfig",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
)


class EventSourceMappingHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = pick(props, *_ESM)
        if "StartingPositionTimestamp" in params:
            params["StartingPositionTimestamp"] = float(params["StartingPositionTimestamp"])
        answer = await ctx.call("lambda", "CreateEventSourceMapping", params)
        return Provisioned(
            answer["UUID"],
            {
                "Id": answer["UUID"],
                "EventSourceMappingArn": answer.get("EventSourceMappingArn", ""),
            },
        )

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(k) != new.get(k) for k in ("EventSourceArn", "StartingPosition")):
            return None
        params = pick(
            new,
            *(
                k
                for k in _ESM
                if k not in ("EventSourceArn", "StartingPosition", "StartingPositionTimestamp")
            ),
        )
        await ctx.call(
            "lambda", "UpdateEventSourceMapping", {**params, "UUID": current.physical_id}
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("lambda", "DeleteEventSourceMapping", {"UUID": current.physical_id})
        )
        # Lambda deletes a mapping in the background (state Deleting); CloudFormation's
        # handler waits until it is gone, so the stack's next create of the same source
        # and function (a pattern deployed again) finds no mapping in its way.
        deadline = time.monotonic() + _MAPPING_GONE_S
        while time.monotonic() < deadline:
            try:
                await ctx.call("lambda", "GetEventSourceMapping", {"UUID": current.physical_id})
            except ResourceFailed:
                return
            await asyncio.sleep(0.05)


_MAPPING_GONE_S = 60.0  # how long a delete waits for Lambda to forget the mapping


class LayerVersionHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("LayerName") or ctx.physical_name(logical_id, 140)
        params = {
            "LayerName": name,
            "Content": pick(props.get("Content") or {}, "S3Bucket", "S3Key", "S3ObjectVersion"),
            **pick(
                props, "CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"
            ),
        }
        answer = await ctx.call("lambda", "PublishLayerVersion", params)
        return Provisioned(
            answer["LayerVersionArn"], {"LayerVersionArn": answer["LayerVersionArn"]}
        )

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        parts = current.physical_id.split(":")
        await ignore_missing(
            ctx.call(
                "lambda",
                "DeleteLayerVersion",
                {"LayerName": parts[6], "VersionNumber": int(parts[7])},
            )
        )


class UrlHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = {
            "FunctionName": props["TargetFunctionArn"],
            **pick(props, "Qualifier", "AuthType", "Cors", "InvokeMode"),
        }
        answer = await ctx.call("lambda", "CreateFunctionUrlConfig", params)
        arn = answer["FunctionArn"]
        return Provisioned(arn, {"FunctionUrl": answer["FunctionUrl"], "FunctionArn": arn})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("TargetFunctionArn") != new.get("TargetFunctionArn") or old.get(
            "Qualifier"
        ) != new.get("Qualifier"):
            return None
        params = {
            "FunctionName": new["TargetFunctionArn"],
            **pick(new, "Qualifier", "AuthType", "Cors", "InvokeMode"),
        }
        await ctx.call("lambda", "UpdateFunctionUrlConfig", params)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        params = {"FunctionName": props["TargetFunctionArn"], **pick(props, "Qualifier")}
        await ignore_missing(ctx.call("lambda", "DeleteFunctionUrlConfig", params))


class EventInvokeConfigHandler(Handler):
    _FIELDS = (
        "FunctionName",
        "Qualifier",
        "MaximumEventAgeInSeconds",
        "MaximumRetryAttempts",
        "DestinationConfig",
    )

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = pick(props, *self._FIELDS)
        if params.get("Qualifier") == "$LATEST":
            params.pop("Qualifier")
        await ctx.call("lambda", "PutFunctionEventInvokeConfig", params)
        return Provisioned(f"{props['FunctionName']}|{props.get('Qualifier', '$LATEST')}")

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        await self.create(ctx, logical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        params = pick(props, "FunctionName", "Qualifier")
        if params.get("Qualifier") == "$LATEST":
            params.pop("Qualifier")
        await ignore_missing(ctx.call("lambda", "DeleteFunctionEventInvokeConfig", params))
