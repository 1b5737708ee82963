"""The identity service's exceptions; the IAM and STS adapters map each to AWS's error.

::

    IdentityError
     ├── NoSuchEntity             an entity (role, user, policy, key...) does not exist
     ├── EntityAlreadyExists      a name (or key) is taken in the account
     ├── MalformedPolicy          a policy document breaks the grammar
     ├── InvalidName              a name, path or other parameter breaks the model's constraint
     ├── InvalidInput             a request that is well-formed but makes no sense
     ├── DeleteConflict           the entity still has dependents (policies, members...)
     ├── LimitExceeded            a quota (five policy versions...) is reached
     ├── UnmodifiableEntity       a service-linked role changed by hand
 ├── PasswordPolicyViolation  a console password breaks the account's password policy
 ├── MalformedCertificate     a certificate or its private key does not parse
 ├── KeyPairMismatch          a server certificate's private key is not its key's
 ├── InvalidPublicKey         an SSH public key does not parse
 ├── DuplicateSshKey          the user already has that SSH key
 ├── DuplicateCertificate     the user already has that signing certificate
 ├── InvalidAuthenticationCode  MFA codes that are not the device's
 ├── ServiceNotSupported      no service-specific credentials for that service
 ├── InvalidUserType          ChangePassword called by no IAM user (root, a role session)
     ├── AccessDenied             STS: the role to assume does not exist
     ├── ExpiredToken             STS: the caller's temporary credentials have expired
     ├── InvalidIdentityToken     STS: the web identity token is no JWT
     ├── PackedPolicyTooLarge     STS: session policies and tags exceed the packed quota
 └── InvalidAuthorizationMessage  STS: a message Stratus never encoded

Messages are AWS's, quoted from its API reference or recorded responses, because tools
(terraform, the CDK) match on them.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "DeleteConflict",
    "DuplicateCertificate",
    "DuplicateSshKey",
    "EntityAlreadyExists",
    "ExpiredToken",
    "IdentityError",
    "InvalidAuthenticationCode",
    "InvalidAuthorizationMessage",
    "InvalidIdentityToken",
    "InvalidInput",
    "InvalidName",
    "InvalidPublicKey",
    "InvalidUserType",
    "KeyPairMismatch",
    "LimitExceeded",
    "MalformedCertificate",
    "MalformedPolicy",
    "NoSuchEntity",
    "PackedPolicyTooLarge",
    "PasswordPolicyViolation",
    "ServiceNotSupported",
    "UnmodifiableEntity",
]


class IdentityError(Exception):
    """Base of every identity error; ``message`` is what the client reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoSuchEntity(IdentityError):
    """The named entity does not exist in the caller's account."""


class EntityAlreadyExists(IdentityError):
    """The name is already taken in the account."""


class MalformedPolicy(IdentityError):
    """The policy document is not valid JSON or breaks the IAM policy grammar."""


class InvalidName(IdentityError):
    """A parameter breaks the API model's length or pattern constraint (ValidationError)."""


class InvalidInput(IdentityError):
    """The request is well-formed but not acceptable (unknown version id, bad marker...)."""


class DeleteConflict(IdentityError):
    """The entity cannot be deleted while something still refers to it."""


class LimitExceeded(IdentityError):
    """An IAM quota is reached."""


class UnmodifiableEntity(IdentityError):
    """Service-linked roles are changed by their service only."""


class AccessDenied(IdentityError):
    """STS refuses to issue credentials (the role does not exist or cannot be assumed)."""


class ExpiredToken(IdentityError):
    """The temporary credentials of the caller have expired."""


class InvalidIdentityToken(IdentityError):
    """The web identity token is not a well-formed JWT."""


class PackedPolicyTooLarge(IdentityError):
    """The session policy, policy ARNs and tags do not fit the packed size."""


class PasswordPolicyViolation(IdentityError):
    """A login profile's password does not meet the account's password policy."""


class MalformedCertificate(IdentityError):
    """A certificate, chain or private key is not valid PEM."""


class KeyPairMismatch(IdentityError):
    """The private key uploaded with a server certificate is not the certificate's."""


class InvalidPublicKey(IdentityError):
    """An SSH public key is not in OpenSSH's format."""


class DuplicateSshKey(IdentityError):
    """The user already has this SSH public key."""


class DuplicateCertificate(IdentityError):
    """The user already has this signing certificate."""


class InvalidUserType(IdentityError):
    """The caller is not an IAM user (ChangePassword changes the caller's own password)."""


class InvalidAuthenticationCode(IdentityError):
    """The two codes given to enable an MFA device are not consecutive codes of its seed."""


class InvalidAuthorizationMessage(IdentityError):
    """DecodeAuthorizationMessage was given a message Stratus did not encode."""


class ServiceNotSupported(IdentityError):
    """Service-specific credentials exist for CodeCommit, Keyspaces and Bedrock only."""
