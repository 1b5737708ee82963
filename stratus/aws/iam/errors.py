"""The identity service's exceptions as IAM and STS answer them: one table per API."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable, Translator
from stratus.services.identity.errors import (
    AccessDenied,
    DeleteConflict,
    DuplicateCertificate,
    DuplicateSshKey,
    EntityAlreadyExists,
    ExpiredToken,
    InvalidAuthenticationCode,
    InvalidAuthorizationMessage,
    InvalidIdentityToken,
    InvalidInput,
    InvalidName,
    InvalidPublicKey,
    InvalidUserType,
    KeyPairMismatch,
    LimitExceeded,
    MalformedCertificate,
    MalformedPolicy,
    NoSuchEntity,
    PackedPolicyTooLarge,
    PasswordPolicyViolation,
    ServiceNotSupported,
    UnmodifiableEntity,
)

__all__ = ["IAM_ERRORS", "STS_ERRORS"]

_COMMON: dict[type[BaseException], Translator] = {
    MalformedPolicy: ErrorRule("MalformedPolicyDocument", 400),
    InvalidName: ErrorRule("ValidationError", 400),
    InvalidInput: ErrorRule("InvalidInput", 400),
}

#: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and each
#: operation's Errors section.
IAM_ERRORS = ErrorTable(
    {
        **_COMMON,
        NoSuchEntity: ErrorRule("NoSuchEntity", 404),
        EntityAlreadyExists: ErrorRule("EntityAlreadyExists", 409),
        DeleteConflict: ErrorRule("DeleteConflict", 409),
        LimitExceeded: ErrorRule("LimitExceeded", 409),
        UnmodifiableEntity: ErrorRule("UnmodifiableEntity", 400),
        PasswordPolicyViolation: ErrorRule("PasswordPolicyViolation", 400),
        MalformedCertificate: ErrorRule("MalformedCertificate", 400),
        KeyPairMismatch: ErrorRule("KeyPairMismatch", 400),
        InvalidPublicKey: ErrorRule("InvalidPublicKey", 400),
        DuplicateSshKey: ErrorRule("DuplicateSSHPublicKey", 400),
        DuplicateCertificate: ErrorRule("DuplicateCertificate", 409),
        InvalidAuthenticationCode: ErrorRule("InvalidAuthenticationCode", 403),
        ServiceNotSupported: ErrorRule("NotSupportedService", 404),
        AccessDenied: ErrorRule("AccessDenied", 403),
        ExpiredToken: ErrorRule("ExpiredToken", 403),
        InvalidUserType: ErrorRule("InvalidUserType", 400),
    }
)

#: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors
STS_ERRORS = ErrorTable(
    {
        **_COMMON,
        AccessDenied: ErrorRule("AccessDenied", 403),
        ExpiredToken: ErrorRule("ExpiredTokenException", 400),
        InvalidIdentityToken: ErrorRule("InvalidIdentityToken", 400),
        PackedPolicyTooLarge: ErrorRule("PackedPolicyTooLarge", 400),
        InvalidAuthorizationMessage: ErrorRule("InvalidAuthorizationMessageException", 400),
        NoSuchEntity: ErrorRule("AccessDenied", 403),
    }
)
