"""IAM's operations: parsed query parameters in, the model's output shapes out.

Thin by design: each method names the account (IAM is global, so only the account of
the caller matters, never the region), calls the identity service and shapes the
result. Errors are the service's exceptions, mapped by ``errors`` at the edge. The
operations are grouped by concern in ``role_operations``, ``user_operations``,
``policy_operations``, ``account_operations``, ``credential_operations``,
``sign_in_operations`` and ``simulator_operations``; this class combines them into the one ``iam`` provider.
"""

from __future__ import annotations

from stratus.aws.iam.account_operations import AccountOperations
from stratus.aws.iam.credential_operations import CredentialOperations
from stratus.aws.iam.errors import IAM_ERRORS
from stratus.aws.iam.policy_operations import PolicyOperations
from stratus.aws.iam.role_operations import RoleOperations
from stratus.aws.iam.sign_in_operations import SignInOperations
from stratus.aws.iam.simulator_operations import SimulatorOperations
from stratus.aws.iam.user_operations import UserOperations

__all__ = ["IamProvider"]


class IamProvider(
    RoleOperations,
    UserOperations,
    PolicyOperations,
    AccountOperations,
    CredentialOperations,
    SignInOperations,
    SimulatorOperations,
):
    errors = IAM_ERRORS
