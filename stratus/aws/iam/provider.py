"""IAM's operations: parsed query parameters in, the model's output shapes out.

Thin by design: each method names the account (IAM is global, so only the account of
the caller matters, never the region), calls the identity service and shapes the
result. Errors are the service's exceptions, mapped by ``errors`` at the edge. The
operations are grouped by concern in ``role_operations``, ``user_operations`` and
``policy_operations``; this class combines them into the one ``iam`` provider.
"""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.iam.errors import IAM_ERRORS
from stratus.aws.iam.operations import Params, Result
from stratus.aws.iam.policy_operations import PolicyOperations
from stratus.aws.iam.role_operations import RoleOperations
from stratus.aws.iam.user_operations import UserOperations

__all__ = ["IamProvider"]


class IamProvider(RoleOperations, UserOperations, PolicyOperations):
    errors = IAM_ERRORS

    async def list_account_aliases(self, ctx: RequestContext, params: Params) -> Result:
        """Accounts here have no aliases (tools such as terraform ask for them at start)."""
        return {"AccountAliases": [], "IsTruncated": False}
