"""GetAccountSummary: counts of what the account holds, next to IAM's default quotas.

The quotas are AWS's defaults as GetAccountSummary reports them on a new account; the
counts are the account's records. The root user has no password, keys, certificates or
MFA here, so its four ``Account...Present``/``AccountMFAEnabled`` entries are 0.
"""

from __future__ import annotations

from stratus.services.identity.state import IdentityState

__all__ = ["QUOTAS", "account_summary"]

QUOTAS: dict[str, int] = {
    "AccessKeysPerUserQuota": 2,
    "AssumeRolePolicySizeQuota": 2048,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "GlobalEndpointTokenVersion": 1,
    "GroupPolicySizeQuota": 5120,
    "GroupsPerUserQuota": 10,
    "GroupsQuota": 300,
    "InstanceProfilesQuota": 1000,
    "PoliciesQuota": 1500,
    "PolicySizeQuota": 6144,
    "PolicyVersionsInUseQuota": 10000,
    "RolePolicySizeQuota": 10240,
    "RolesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "SigningCertificatesPerUserQuota": 2,
    "UserPolicySizeQuota": 2048,
    "UsersQuota": 5000,
    "VersionsPerPolicyQuota": 5,
}


def account_summary(state: IdentityState, account: str) -> dict[str, int]:
    records = state.account(account)
    devices = list(records.mfa.values())
    return {
        **QUOTAS,
        "AccountAccessKeysPresent": 0,
        "AccountMFAEnabled": 0,
        "AccountPasswordPresent": 0,
        "AccountSigningCertificatesPresent": 0,
        "Groups": len(records.groups),
        "InstanceProfiles": len(records.profiles),
        "MFADevices": len(devices),
        "MFADevicesInUse": sum(1 for d in devices if d.user_name is not None),
        "Policies": len(records.policies),
        "PolicyVersionsInUse": sum(len(p.versions) for p in records.policies.values()),
        "Providers": len(records.saml) + len(records.oidc),
        "Roles": len(records.roles),
        "ServerCertificates": len(records.server_certs),
        "Users": len(records.users),
    }
