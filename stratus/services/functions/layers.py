"""Layers: versioned zips whose contents a function sees where Lambda mounts ``/opt``.

A function keeps using a layer version it was configured with even after that version
is deleted (Lambda keeps a copy); here the content-addressed blob simply stays.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any

from stratus.services.functions.code import CodeStore
from stratus.services.functions.errors import InvalidParameter, NotFound, PreconditionFailed
from stratus.services.functions.model import LayerVersion, new_revision
from stratus.services.functions.names import layer_arn, parse_layer_version_arn
from stratus.services.functions.repository import FunctionStore
from stratus.store.records import Record


class LayerRegistry:
    def __init__(self, store: FunctionStore, code: CodeStore) -> None:
        self._store = store
        self._code = code
        self._layers: dict[str, dict[int, LayerVersion]] = {}
        self._last_version: dict[str, int] = {}
        self._lock = asyncio.Lock()

    def load(self, snapshot: dict[str, dict[int, Record]]) -> None:
        for name, versions in snapshot.items():
            self._layers[name] = {v: LayerVersion.from_record(r) for v, r in versions.items()}
            self._last_version[name] = max(versions, default=0)

    async def publish(
        self,
        name: str,
        zip_bytes: bytes,
        *,
        region: str,
        description: str = "",
        compatible_runtimes: list[str] | None = None,
        compatible_architectures: list[str] | None = None,
        license_info: str | None = None,
    ) -> LayerVersion:
        artifact = await self._code.add(zip_bytes)
        async with self._lock:
            number = self._last_version.get(name, 0) + 1
            layer = LayerVersion(
                name=name,
                version=number,
                arn=layer_arn(region, name),
                version_arn=layer_arn(region, name, number),
                code_sha256=artifact.sha256_b64,
                code_digest=artifact.digest,
                code_size=artifact.size,
                description=description,
                compatible_runtimes=list(compatible_runtimes or []),
                compatible_architectures=list(compatible_architectures or []),
                license_info=license_info,
            )
            await self._store.put_layer_version(name, number, layer.to_record())
            self._layers.setdefault(name, {})[number] = layer
            self._last_version[name] = number
            return layer

    def get(self, name: str, version: int, region: str) -> LayerVersion:
        layer = self._layers.get(name, {}).get(version)
        if layer is None:
            raise NotFound("The resource you requested does not exist.")
        return layer

    def existing(self, name: str, version: int, region: str) -> LayerVersion:
        """Like :meth:`get`, with the message Lambda's permission operations answer."""
        layer = self._layers.get(name, {}).get(version)
        if layer is None:
            raise NotFound(f"Layer version {layer_arn(region, name, version)} does not exist.")
        return layer

    async def change_policy(
        self,
        name: str,
        version: int,
        region: str,
        change: Callable[[dict[str, Any] | None, str], dict[str, Any] | None],
        *,
        revision_id: str | None,
    ) -> LayerVersion:
        """Apply ``change(policy, layer version ARN)`` durably; the policy gets a new revision."""
        async with self._lock:
            layer = self.existing(name, version, region)
            if revision_id is not None and revision_id != layer.policy_revision_id:
                raise PreconditionFailed(
                    "The Revision Id provided does not match the latest Revision Id. "
                    "Call the GetLayerPolicy API to retrieve the latest Revision Id"
                )
            document = change(layer.policy, layer.version_arn)
            changed = dataclasses.replace(
                layer,
                policy=document,
                policy_revision_id=new_revision() if document is not None else None,
            )
            await self._store.put_layer_version(name, version, changed.to_record())
            self._layers[name][version] = changed
            return changed

    def versions(self, name: str) -> list[LayerVersion]:
        return sorted(self._layers.get(name, {}).values(), key=lambda layer: -layer.version)

    def latest_versions(self, runtime: str | None = None) -> list[LayerVersion]:
        found = []
        for name in sorted(self._layers):
            candidates = [
                layer
                for layer in self.versions(name)
                if runtime is None or runtime in layer.compatible_runtimes
            ]
            if candidates:
                found.append(candidates[0])
        return found

    async def delete(self, name: str, version: int) -> None:
        async with self._lock:
            if version in self._layers.get(name, {}):
                await self._store.delete_layer_version(name, version)
                del self._layers[name][version]

    async def uses(self, arns: list[str], region: str) -> list[dict[str, object]]:
        """Resolve a function's Layers parameter into LayerUse records, in order."""
        uses: list[dict[str, object]] = []
        names: set[str] = set()
        for arn in arns:
            ref = parse_layer_version_arn(arn)
            if ref.name in names:
                # Checked by layer name, not by ARN: two versions of one layer differ in ARN.
                raise InvalidParameter(
                    "Two different versions of the same layer are not allowed to be referenced "
                    "in the same function."
                )
            names.add(ref.name)
            layer = self._layers.get(ref.name, {}).get(ref.version or 0)
            if layer is None:
                raise InvalidParameter(f"Layer version {arn} does not exist.")
            uses.append(
                {"arn": arn, "code_size": layer.code_size, "code_digest": layer.code_digest}
            )
        return uses
