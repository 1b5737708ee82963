"""Resource-based policies of functions and layer versions, as Lambda writes them.

AddPermission turns its parameters into one IAM statement; the policy is the document
``{"Version": "2012-10-17", "Id": "default", "Statement": [...]}`` GetPolicy returns as a
string. Stratus stores these documents (so tools that read them back, like SAM, CDK and
terraform, see what AWS would show) but does not enforce them: every caller is trusted.

These are pure functions over plain documents; the registries own storage and locking.
See https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html and
https://docs.aws.amazon.com/lambda/latest/api/API_AddLayerVersionPermission.html.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from stratus.services.functions.errors import Conflict, InvalidParameter, NotFound, Validation
from stratus.services.functions.names import validation_message

Document = dict[str, Any]
Statement = dict[str, Any]

# Lambda's model: statement ids added match ([a-zA-Z0-9-_]+); RemovePermission also
# accepts dots (NamespacedStatementId).
STATEMENT_ID = re.compile(r"^[a-zA-Z0-9-_]+\Z")
NAMESPACED_STATEMENT_ID = re.compile(r"^[a-zA-Z0-9-_.]+\Z")
SOURCE_ACCOUNT = re.compile(r"^\d{12}\Z")
EVENT_SOURCE_TOKEN = re.compile(r"^[a-zA-Z0-9._\-]+\Z")
FUNCTION_ACTION = re.compile(r"^(lambda:[*]|lambda:[a-zA-Z]+|[*])\Z")
ACCOUNT = re.compile(r"^\d{12}\Z")
IAM_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:iam::")
LAYER_PRINCIPAL = re.compile(r"^(\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root)\Z")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}\Z")
FUNCTION_URL_AUTH_TYPES = ("NONE", "AWS_IAM")

NO_POLICY = "No policy is associated with the given resource."
BAD_PRINCIPAL = "The provided principal was invalid. Please check the principal and try again."


@dataclass(frozen=True, slots=True)
class PermissionRequest:
    """AddPermission's parameters, in our names."""

    statement_id: str
    action: str
    principal: str
    source_arn: str | None = None
    source_account: str | None = None
    event_source_token: str | None = None
    principal_org_id: str | None = None
    function_url_auth_type: str | None = None
    invoked_via_function_url: bool | None = None


def empty_document() -> Document:
    return {"Version": "2012-10-17", "Id": "default", "Statement": []}


def check_statement_id(statement_id: str, *, namespaced: bool = False) -> None:
    pattern, text = (
        (NAMESPACED_STATEMENT_ID, "([a-zA-Z0-9-_.]+)")
        if namespaced
        else (STATEMENT_ID, "([a-zA-Z0-9-_]+)")
    )
    if not pattern.match(statement_id) or len(statement_id) > 100:
        raise Validation(
            validation_message(
                statement_id,
                "statementId",
                f"Member must satisfy regular expression pattern: {text}",
            )
        )


def _check_pattern(value: str | None, pattern: re.Pattern[str], member: str, text: str) -> None:
    if value is not None and not pattern.match(value):
        raise Validation(
            validation_message(
                value, member, f"Member must satisfy regular expression pattern: {text}"
            )
        )


def function_statement(request: PermissionRequest, resource_arn: str) -> Statement:
    """The statement AddPermission adds (and returns, as a JSON string)."""
    check_statement_id(request.statement_id)
    if not FUNCTION_ACTION.match(request.action):
        raise Validation(
            validation_message(
                request.action,
                "action",
                "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
            )
        )
    _check_pattern(request.source_account, SOURCE_ACCOUNT, "sourceAccount", "\\d{12}")
    _check_pattern(request.principal_org_id, ORGANIZATION_ID, "principalOrgID", "o-[a-z0-9]{10,32}")
    _check_pattern(
        request.event_source_token,
        EVENT_SOURCE_TOKEN,
        "eventSourceToken",
        "[a-zA-Z0-9._\\-]+",
    )
    if (
        request.function_url_auth_type is not None
        and request.function_url_auth_type not in FUNCTION_URL_AUTH_TYPES
    ):
        raise Validation(
            validation_message(
                request.function_url_auth_type,
                "functionUrlAuthType",
                "Member must satisfy enum value set: [NONE, AWS_IAM]",
            )
        )
    statement: Statement = {
        "Sid": request.statement_id,
        "Effect": "Allow",
        "Principal": _function_principal(request.principal),
        "Action": request.action,
        "Resource": resource_arn,
    }
    condition: dict[str, dict[str, str]] = {}
    equals: dict[str, str] = {}
    # Lambda writes the condition keys with these exact spellings (AWS:, aws:, lambda:).
    if request.function_url_auth_type is not None:
        equals["lambda:FunctionUrlAuthType"] = request.function_url_auth_type
    if request.principal_org_id is not None:
        equals["aws:PrincipalOrgID"] = request.principal_org_id
    if request.source_account is not None:
        equals["AWS:SourceAccount"] = request.source_account
    if request.event_source_token is not None:
        equals["lambda:EventSourceToken"] = request.event_source_token
    if equals:
        condition["StringEquals"] = equals
    if request.source_arn is not None:
        condition["ArnLike"] = {"AWS:SourceArn": request.source_arn}
    if request.invoked_via_function_url:
        if request.action != "lambda:InvokeFunction":
            raise InvalidParameter(
                "InvokedViaFunctionUrl can only be used with the lambda:InvokeFunction action."
            )
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if condition:
        statement["Condition"] = condition
    return statement


def _function_principal(principal: str) -> str | dict[str, str]:
    if principal == "*":
        return "*"
    if ACCOUNT.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if IAM_ARN.match(principal):
        return {"AWS": principal}
    # Service principals: s3.amazonaws.com, events.amazonaws.com, ...amazonaws.com.cn
    if re.match(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?\Z", principal) or principal.endswith(
        ".amazon.com"
    ):
        return {"Service": principal}
    raise InvalidParameter(BAD_PRINCIPAL)


def layer_statement(
    statement_id: str,
    action: str,
    principal: str,
    organization_id: str | None,
    resource_arn: str,
) -> Statement:
    """The statement AddLayerVersionPermission adds."""
    check_statement_id(statement_id)
    if action != "lambda:GetLayerVersion":
        raise Validation(
            validation_message(
                action,
                "action",
                "Member must satisfy regular expression pattern: lambda:GetLayerVersion",
            )
        )
    if not LAYER_PRINCIPAL.match(principal):
        raise Validation(
            validation_message(
                principal,
                "principal",
                "Member must satisfy regular expression pattern: "
                "\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root",
            )
        )
    if organization_id is not None:
        if not ORGANIZATION_ID.match(organization_id):
            raise Validation(
                validation_message(
                    organization_id,
                    "organizationId",
                    "Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}",
                )
            )
        if principal != "*":
            raise InvalidParameter(
                "OrganizationId can only be specified when principal is set to '*'."
            )
    statement: Statement = {
        "Sid": statement_id,
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": _account_root(principal)},
        "Action": action,
        "Resource": resource_arn,
    }
    if organization_id is not None:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
    return statement


def _account_root(principal: str) -> str:
    return f"arn:aws:iam::{principal}:root" if ACCOUNT.match(principal) else principal


def with_statement(document: Document | None, statement: Statement) -> Document:
    """A copy of ``document`` with ``statement`` added; Conflict when its Sid is taken."""
    current = document or empty_document()
    sid = statement["Sid"]
    if any(existing.get("Sid") == sid for existing in current["Statement"]):
        raise Conflict(
            f"The statement id ({sid}) provided already exists. Please provide a new statement "
            "id, or remove the existing statement."
        )
    return {**current, "Statement": [*current["Statement"], statement]}


def without_statement(document: Document | None, statement_id: str) -> Document | None:
    """A copy of ``document`` without the statement; None once no statement is left."""
    if not document or not document["Statement"]:
        raise NotFound(NO_POLICY)
    remaining = [s for s in document["Statement"] if s.get("Sid") != statement_id]
    if len(remaining) == len(document["Statement"]):
        raise NotFound(f"Statement {statement_id} is not found in resource policy.")
    return {**document, "Statement": remaining} if remaining else None


def require(document: Document | None) -> Document:
    """The document GetPolicy returns; NotFound when there is none."""
    if not document or not document["Statement"]:
        raise NotFound(NO_POLICY)
    return document


def parse_document(text: str) -> Document:
    """A PutResourcePolicy document, checked only as far as Stratus relies on its form.

    Statements must be objects in a list (a lone object is taken as a list of one, as IAM
    reads it), so AddPermission and RemovePermission can edit the document afterwards.
    The grammar of each statement (Effect, Principal, Action, conditions) is not checked:
    Stratus stores policies, it does not enforce them.
    """
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidParameter("The policy is not a valid JSON document.") from None
    if not isinstance(document, dict):
        raise InvalidParameter("The policy must be a JSON object.")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise InvalidParameter("The policy must contain at least one statement.")
    if not all(isinstance(statement, dict) for statement in statements):
        raise InvalidParameter("Each statement of the policy must be a JSON object.")
    return {**document, "Statement": statements}
