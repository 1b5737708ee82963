"""AddPermission and friends: resource-based policies of functions and layer versions.

The statement building lives in ``policies`` (pure); the registries store the documents
with the records they belong to (a function's in its function record, a layer version's
in its own), so a policy survives a restart and goes away with its version or alias.
"""

from __future__ import annotations

from stratus.services.functions import policies
from stratus.services.functions.errors import InvalidParameter
from stratus.services.functions.layers import LayerRegistry
from stratus.services.functions.model import LATEST
from stratus.services.functions.registry import STALE_REVISION, FunctionRegistry

# AddPermission's RevisionId check names GetPolicy; RemovePermission's names
# GetFunction/GetAlias (the registry's message), as Lambda's do.
STALE_POLICY_REVISION = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to "
    "retrieve the latest Revision Id"
)


class Permissions:
    def __init__(self, registry: FunctionRegistry, layers: LayerRegistry) -> None:
        self._registry = registry
        self._layers = layers

    # -- functions -------------------------------------------------------------------
    async def add(
        self,
        name: str,
        qualifier: str | None,
        request: policies.PermissionRequest,
        *,
        revision_id: str | None = None,
    ) -> policies.Statement:
        if qualifier == LATEST:
            # Lambda keeps one policy for the unqualified function; it refuses $LATEST here.
            raise InvalidParameter("We currently do not support adding policies for $LATEST.")
        added: list[policies.Statement] = []

        def change(document: policies.Document | None, arn: str) -> policies.Document:
            statement = policies.function_statement(request, arn)
            added.append(statement)
            return policies.with_statement(document, statement)

        await self._registry.change_policy(
            name, qualifier, change, revision_id=revision_id, stale_message=STALE_POLICY_REVISION
        )
        return added[0]

    async def remove(
        self,
        name: str,
        qualifier: str | None,
        statement_id: str,
        *,
        revision_id: str | None = None,
    ) -> None:
        policies.check_statement_id(statement_id, namespaced=True)
        await self._registry.change_policy(
            name,
            qualifier,
            lambda document, _arn: policies.without_statement(document, statement_id),
            revision_id=revision_id,
            stale_message=STALE_REVISION,
        )

    def get(self, name: str, qualifier: str | None) -> tuple[policies.Document, str]:
        """The policy document and its RevisionId ($LATEST is the unqualified function's)."""
        document, revision = self._registry.policy(name, qualifier)
        return policies.require(document), revision

    # -- layer versions --------------------------------------------------------------
    async def add_layer(
        self,
        name: str,
        version: int,
        *,
        statement_id: str,
        action: str,
        principal: str,
        organization_id: str | None = None,
        revision_id: str | None = None,
    ) -> tuple[policies.Statement, str]:
        added: list[policies.Statement] = []

        def change(document: policies.Document | None, arn: str) -> policies.Document:
            statement = policies.layer_statement(
                statement_id, action, principal, organization_id, arn
            )
            added.append(statement)
            return policies.with_statement(document, statement)

        layer = await self._layers.change_policy(name, version, change, revision_id=revision_id)
        assert layer.policy_revision_id is not None
        return added[0], layer.policy_revision_id

    async def remove_layer(
        self,
        name: str,
        version: int,
        statement_id: str,
        *,
        revision_id: str | None = None,
    ) -> None:
        policies.check_statement_id(statement_id)
        await self._layers.change_policy(
            name,
            version,
            lambda document, _arn: policies.without_statement(document, statement_id),
            revision_id=revision_id,
        )

    def get_layer(self, name: str, version: int) -> tuple[policies.Document, str]:
        """``name`` is the layer's id (its unversioned ARN)."""
        layer = self._layers.existing(name, version)
        document = policies.require(layer.policy)
        assert layer.policy_revision_id is not None
        return document, layer.policy_revision_id


# PutResourcePolicy/DeleteResourcePolicy name their own Get operation when refusing a
# stale RevisionId, as AddPermission names GetPolicy.
STALE_RESOURCE_POLICY_REVISION = (
    "The Revision Id provided does not match the latest Revision Id. Call the "
    "GetResourcePolicy API to retrieve the latest Revision Id"
)


class ResourcePolicies:
    """PutResourcePolicy and friends: the whole document of a function, version or alias.

    The document is the one AddPermission and RemovePermission edit statement by
    statement and GetPolicy returns (one per resource, with the RevisionId of the version
    or alias it belongs to), so the two APIs always see the same policy.
    """

    def __init__(self, registry: FunctionRegistry) -> None:
        self._registry = registry

    async def put(
        self, name: str, qualifier: str | None, text: str, *, revision_id: str | None = None
    ) -> tuple[policies.Document, str]:
        if qualifier == LATEST:
            raise InvalidParameter("We currently do not support adding policies for $LATEST.")
        document = policies.parse_document(text)
        await self._registry.change_policy(
            name,
            qualifier,
            lambda _current, _arn: document,
            revision_id=revision_id,
            stale_message=STALE_RESOURCE_POLICY_REVISION,
        )
        return document, self._registry.policy(name, qualifier)[1]

    async def delete(
        self, name: str, qualifier: str | None, *, revision_id: str | None = None
    ) -> None:
        def drop(current: policies.Document | None, _arn: str) -> None:
            policies.require(current)  # NotFound when there is nothing to delete

        await self._registry.change_policy(
            name,
            qualifier,
            drop,
            revision_id=revision_id,
            stale_message=STALE_RESOURCE_POLICY_REVISION,
        )
