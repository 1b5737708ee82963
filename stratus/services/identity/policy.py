"""The IAM policy grammar: what IAM accepts as a policy document, with its messages.

Stratus stores policies and never evaluates them, but it refuses what IAM refuses, so a
template that deploys here deploys on AWS. The checks run in the order IAM's own answers
reveal (recorded responses for each malformed case, e.g. in moto's IAM test suite, and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):

1. structure: JSON object, known top-level and statement elements, value types
   ("Syntax errors in policy.");
2. version (managed policies need 2012-10-17);
3. unique statement ids;
4. per statement: legacy-parser failures (``Effect`` in the wrong case, a date condition
   that is no date), principals (identity policies must have none, trust policies need
   one and no resource), actions present, resources present, resource ARNs, action names.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from stratus.services.identity.errors import MalformedPolicy

__all__ = ["PolicyKind", "compact_size", "parse_policy"]

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
OLD_VERSION = "Policy document must be version 2012-10-17 or greater."
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
HAS_PRINCIPAL = "Policy document should not specify a principal."
NO_PRINCIPAL = (
    "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
    "The passed in policy has a statement with no principals!"
)
HAS_RESOURCE = "Has prohibited field Resource"
DUPLICATE_SID = "Statement IDs (SID) in a single policy must be unique."
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
TWO_COLONS = "Actions/Condition can contain only one colon."
UNQUALIFIED_VENDOR = "Resource vendor must be fully qualified and cannot contain regexes."
IAM_PATHS = (
    'IAM resource path must either be "*" or start with user/, federated-user/, role/, '
    "group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/."
)
_IAM_RESOURCE_PREFIXES = (
    "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
    "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/",
    "report/", "access-report/",
)  # fmt: skip
_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "*"})
_GLOBAL_SERVICES = frozenset({"s3", "iam"})
_VENDOR = re.compile(r"[A-Za-z0-9*?-]+")
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_PRINCIPALS = frozenset({"Principal", "NotPrincipal"})
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_AWS_PRINCIPAL = re.compile(
    r"\*|\d{12}|arn:aws[\w-]*:(iam::\d{12}:(root|user/.+|role/.+|federated-user/.+)"
    r"|sts::\d{12}:(assumed-role|federated-user)/.+)"
)


class PolicyKind(enum.Enum):
    """Which grammar applies.

    Managed policies must say ``"Version": "2012-10-17"``; inline and session policies
    may omit it (IAM then reads them as 2008-10-17, and templates in the wild do, e.g. the
    serverless-patterns ``sfn-sns`` one); trust policies need a principal.
    """

    MANAGED = "managed"
    INLINE = "inline"
    TRUST = "trust"


def compact_size(document: str) -> int:
    """IAM counts policy size without whitespace (quotas such as 6,144 characters)."""
    return sum(1 for ch in document if not ch.isspace())


def parse_policy(document: str, kind: PolicyKind = PolicyKind.MANAGED) -> dict[str, Any]:
    """The parsed document, or :class:`MalformedPolicy` with IAM's message."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise MalformedPolicy(SYNTAX) from None
    statements = _check_structure(policy, kind)
    version = policy.get("Version")
    if kind is PolicyKind.MANAGED and version != "2012-10-17":
        raise MalformedPolicy(OLD_VERSION)
    sids = [s["Sid"] for s in statements if "Sid" in s]
    if len(sids) != len(set(sids)):
        raise MalformedPolicy(DUPLICATE_SID)
    for statement in statements:
        _check_statement(statement, kind)
    return dict(policy)


def _syntax(ok: bool) -> None:
    if not ok:
        raise MalformedPolicy(SYNTAX)


def _strings(value: Any) -> bool:
    """A string or a list of strings (the shape of Action, Resource, principal values)."""
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _check_structure(policy: Any, kind: PolicyKind) -> list[dict[str, Any]]:
    _syntax(isinstance(policy, dict))
    _syntax(set(policy) <= _TOP_LEVEL and "Statement" in policy)
    _syntax(policy.get("Version") in (None, "2008-10-17", "2012-10-17"))
    _syntax("Id" not in policy or isinstance(policy["Id"], str))
    raw = policy["Statement"]
    statements = raw if isinstance(raw, list) else [raw]
    _syntax(bool(statements) and all(isinstance(s, dict) for s in statements))
    for statement in statements:
        _syntax(set(statement) <= _STATEMENT | _PRINCIPALS)
        _syntax(isinstance(statement.get("Effect"), str))
        _syntax(statement["Effect"].lower() in ("allow", "deny"))
        _syntax(not ("Action" in statement and "NotAction" in statement))
        _syntax(not ("Resource" in statement and "NotResource" in statement))
        _syntax(not ("Principal" in statement and "NotPrincipal" in statement))
        _syntax("Sid" not in statement or isinstance(statement["Sid"], str))
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            _syntax(key not in statement or _strings(statement[key]))
        for key in _PRINCIPALS & set(statement):
            _check_principal_shape(statement[key])
        if "Condition" in statement:
            _check_condition_shape(statement["Condition"])
    return statements


def _check_principal_shape(principal: Any) -> None:
    if principal == "*":
        return
    _syntax(isinstance(principal, dict) and bool(principal))
    _syntax(all(_strings(v) for v in principal.values()))


def _check_condition_shape(condition: Any) -> None:
    _syntax(isinstance(condition, dict))
    for block in condition.values():
        _syntax(isinstance(block, dict))
        for value in block.values():
            scalars = value if isinstance(value, list) else [value]
            _syntax(all(isinstance(v, (str, int, float, bool)) for v in scalars))


def _check_statement(statement: dict[str, Any], kind: PolicyKind) -> None:
    if statement["Effect"] not in ("Allow", "Deny"):
        raise MalformedPolicy(LEGACY)
    _check_condition_values(statement.get("Condition", {}))
    principal = statement.get("Principal", statement.get("NotPrincipal"))
    if kind is not PolicyKind.TRUST and principal is not None:
        raise MalformedPolicy(HAS_PRINCIPAL)
    if kind is PolicyKind.TRUST:
        if principal is None:
            raise MalformedPolicy(NO_PRINCIPAL)
        if "Resource" in statement or "NotResource" in statement:
            raise MalformedPolicy(HAS_RESOURCE)
        _check_principal(principal)
    actions = _as_list(statement.get("Action", statement.get("NotAction")))
    if not actions:
        raise MalformedPolicy(NO_ACTIONS)
    if kind is not PolicyKind.TRUST:
        resources = _as_list(statement.get("Resource", statement.get("NotResource")))
        if not resources:
            raise MalformedPolicy(NO_RESOURCES)
        for resource in resources:
            _check_resource(resource)
    for action in actions:
        _check_action(action)


def _check_condition_values(condition: dict[str, Any]) -> None:
    """Date operators need dates: IAM's legacy parser rejects anything else."""
    for operator, block in condition.items():
        base = operator.rpartition(":")[2].removesuffix("IfExists")
        if not base.startswith("Date"):
            continue
        for value in block.values():
            for item in value if isinstance(value, list) else [value]:
                if not _is_date(item):
                    raise MalformedPolicy(LEGACY)


def _is_date(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    if not isinstance(value, str):
        return False
    if value.isdigit():
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_principal(principal: Any) -> None:
    if principal == "*":
        return
    for key, value in principal.items():
        values = _as_list(value)
        if key not in _PRINCIPAL_TYPES:
            raise MalformedPolicy(f'Invalid principal in policy: "{key}":"{values[0]}"')
        for item in values:
            if key == "AWS" and not _AWS_PRINCIPAL.fullmatch(item):
                raise MalformedPolicy(f'Invalid principal in policy: "AWS":"{item}"')
            if key == "Service" and (not item or " " in item):
                raise MalformedPolicy(f'Invalid principal in policy: "SERVICE":"{item}"')


def _check_action(action: str) -> None:
    if action == "*":
        return
    if ":" not in action:
        raise MalformedPolicy(NO_VENDOR)
    vendor, _, rest = action.partition(":")
    if ":" in rest:
        raise MalformedPolicy(TWO_COLONS)
    if not _VENDOR.fullmatch(vendor):
        raise MalformedPolicy(f"Vendor {vendor} is not valid")


def _check_resource(resource: str) -> None:
    if resource == "*":
        return
    if ":" not in resource:
        raise MalformedPolicy(f'Resource {resource} must be in ARN format or "*".')
    parts = resource.split(":")
    if parts[0] != "arn" or parts[1] not in _PARTITIONS:
        shown = ["arn", *parts[1:]] + ["*"] * max(0, 6 - len(parts))
        raise MalformedPolicy(
            f'Partition "{parts[1]}" is not valid for resource "{":".join(shown)}".'
        )
    if len(parts) < 3 or not parts[2] or not _VENDOR.fullmatch(parts[2]):
        if len(parts) < 3:
            raise MalformedPolicy(UNQUALIFIED_VENDOR)
        raise MalformedPolicy(LEGACY)
    if len(parts) < 6:
        raise MalformedPolicy(LEGACY)
    service, region = parts[2], parts[3]
    if service in _GLOBAL_SERVICES and region not in ("", "*"):
        if service == "iam":
            raise MalformedPolicy(f"IAM resource {resource} cannot contain region information.")
        raise MalformedPolicy(f"Resource {resource} can not contain region information.")
    if service == "iam":
        path = ":".join(parts[5:])
        if path != "*" and not path.startswith(_IAM_RESOURCE_PREFIXES):
            raise MalformedPolicy(IAM_PATHS)


def statements_of(policy: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The statements of a parsed policy as a list, whether written as object or list."""
    raw = policy["Statement"]
    return raw if isinstance(raw, list) else [raw]
