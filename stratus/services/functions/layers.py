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
from stratus.services.functions.names import parse_layer_version_arn
from stratus.services.functions.repository import FunctionStore
from stratus.services.scope import Scope
from stratus.store.records import Record


class LayerRegistry:
    def __init__(self, store: FunctionStore, code: CodeStore) -> None:
        self._store = store
        self._code = code
        self._layers: dict[str, dict[int, LayerVersion]] = {}
        self._last_version: dict[str, int] = {}
        self._lock = asyncio.Lock()

    # Layers are keyed by their unversioned ARN (the layer id), so each account and region
    # has its own layer names, as in AWS.
    def load(self, snapshot: dict[str, dict[int, Record]]) -> None:
        for name, versions in snapshot.items():
            self._layers[name] = {v: LayerVersion.from_record(r) for v, r in versions.items()}
            self._last_version[name] = max(versions, default=0)

    async def publish(
        self,
        layer_id: str,
        zip_bytes: bytes,
        *,
        description: str = "",
        compatible_runtimes: list[str] | None = None,
        compatible_architectures: list[str] | None = None,
        license_info: str | None = None,
    ) -> LayerVersion:
        artifact = await self._code.add(zip_bytes)
        name = layer_id.rsplit(":", 1)[-1]
        async with self._lock:
            number = self._last_version.get(layer_id, 0) + 1
            layer = LayerVersion(
                name=name,
                version=number,
                arn=layer_id,
                version_arn=f"{layer_id}:{number}",
                code_sha256=artifact.sha256_b64,
                code_digest=artifact.digest,
                code_size=artifact.size,
                description=description,
                compatible_runtimes=list(compatible_runtimes or []),
                compatible_architectures=list(compatible_architectures or []),
                license_info=license_info,
            )
            await self._store.put_layer_version(layer_id, number, layer.to_record())
            self._layers.setdefault(layer_id, {})[number] = layer
            self._last_version[layer_id] = number
            return layer

    def get(self, layer_id: str, version: int) -> LayerVersion:
        layer = self._layers.get(layer_id, {}).get(version)
        if layer is None:
            raise NotFound("The resource you requested does not exist.")
        return layer

    def existing(self, layer_id: str, version: int) -> LayerVersion:
        """Like :meth:`get`, with the message Lambda's permission operations answer."""
        layer = self._layers.get(layer_id, {}).get(version)
        if layer is None:
            raise NotFound(f"Layer version {layer_id}:{version} does not exist.")
        return layer

    async def change_policy(
        self,
        layer_id: str,
        version: int,
        change: Callable[[dict[str, Any] | None, str], dict[str, Any] | None],
        *,
        revision_id: str | None,
    ) -> LayerVersion:
        """Apply ``change(policy, layer version ARN)`` durably; the policy gets a new revision."""
        async with self._lock:
            layer = self.existing(layer_id, version)
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
            await self._store.put_layer_version(layer_id, version, changed.to_record())
            self._layers[layer_id][version] = changed
            return changed

    def versions(self, layer_id: str) -> list[LayerVersion]:
        return sorted(self._layers.get(layer_id, {}).values(), key=lambda layer: -layer.version)

    def latest_versions(self, scope: Scope, runtime: str | None = None) -> list[LayerVersion]:
        """The newest version of each layer of ``scope`` (matching ``runtime``), by name."""
        prefix = scope.arn_prefix("lambda")
        found = []
        for layer_id in sorted(k for k in self._layers if k.startswith(prefix)):
            candidates = [
                layer
                for layer in self.versions(layer_id)
                if runtime is None or runtime in layer.compatible_runtimes
            ]
            if candidates:
                found.append(candidates[0])
        return found

    async def delete(self, layer_id: str, version: int) -> None:
        async with self._lock:
            if version in self._layers.get(layer_id, {}):
                await self._store.delete_layer_version(layer_id, version)
                del self._layers[layer_id][version]

    async def uses(self, arns: list[str]) -> list[dict[str, object]]:
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
            layer = self._layers.get(arn.rsplit(":", 1)[0], {}).get(ref.version or 0)
            if layer is None:
                raise InvalidParameter(f"Layer version {arn} does not exist.")
            uses.append(
                {"arn": arn, "code_size": layer.code_size, "code_digest": layer.code_digest}
            )
        return uses
