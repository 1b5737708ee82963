"""A SAML 2.0 authentication response as AssumeRoleWithSAML reads it.

The ``SAMLAssertion`` parameter is the base64 ``samlp:Response`` an identity provider
posts. What STS takes from it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html):
the ``Issuer`` (which must be the entity ID of the SAML provider's metadata), the
``Subject``'s ``NameID`` and its format, the ``SubjectConfirmationData``'s ``Recipient``
(the ``Audience``) and ``NotOnOrAfter``, the ``Conditions``' validity window, and the
attributes ``https://aws.amazon.com/SAML/Attributes/Role`` (role and provider ARN pairs),
``.../RoleSessionName`` and ``.../SourceIdentity``. Signatures are not verified (Stratus
keeps no keys of identity providers): see docs/identity.md. Messages are those of AWS's
"Troubleshooting SAML 2.0 federation" page where it gives one.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree

from stratus.services.identity.errors import AccessDenied, ExpiredToken, InvalidIdentityToken

__all__ = ["SamlAssertion", "metadata_entity_ids", "parse_assertion"]

_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
_ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
_NAME_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
_SESSION_NAME = re.compile(r"[a-zA-Z_0-9+=,.@-]{2,64}")

INVALID = "Invalid SAML response"  # not recorded from AWS: see docs/identity.md
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithSAML"
EXPIRED = "Token must be redeemed within 5 minutes of issuance"  # see docs/identity.md


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    issuer: str
    subject: str
    subject_type: str
    audience: str
    session_name: str
    source_identity: str | None
    roles: list[tuple[str, str]]  # (role ARN, provider ARN) pairs of the Role attribute


def _instant(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise InvalidIdentityToken(INVALID) from None


def _role_pairs(values: list[str]) -> list[tuple[str, str]]:
    """Each value is "role ARN,provider ARN", in either order (IdPs differ)."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 2:
            continue
        role, provider = sorted(parts, key=lambda p: ":saml-provider/" in p)
        pairs.append((role, provider))
    return pairs


def _decode(encoded: str) -> ElementTree.Element:
    try:
        document = base64.b64decode(encoded.strip(), validate=False)
    except (binascii.Error, ValueError):
        raise InvalidIdentityToken(INVALID) from None
    if b"<!DOCTYPE" in document or b"<!ENTITY" in document:
        raise InvalidIdentityToken(INVALID)  # no DTDs: entity expansion is no one's business
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise InvalidIdentityToken(INVALID) from None
    if root.tag != f"{{{_PROTOCOL}}}Response":
        raise InvalidIdentityToken(INVALID)
    return root


def parse_assertion(encoded: str, now: float) -> SamlAssertion:
    root = _decode(encoded)
    assertion = root.find(f"{{{_ASSERTION}}}Assertion")
    if assertion is None:
        raise InvalidIdentityToken(INVALID)
    issuer = (
        assertion.findtext(f"{{{_ASSERTION}}}Issuer")
        or root.findtext(f"{{{_ASSERTION}}}Issuer")
        or ""
    ).strip()
    name_id = assertion.find(f"{{{_ASSERTION}}}Subject/{{{_ASSERTION}}}NameID")
    if not issuer or name_id is None or not (name_id.text or "").strip():
        raise AccessDenied(NOT_AUTHORIZED)  # AWS: a Subject without a NameID
    confirmation = assertion.find(
        f"{{{_ASSERTION}}}Subject/{{{_ASSERTION}}}SubjectConfirmation/"
        f"{{{_ASSERTION}}}SubjectConfirmationData"
    )
    conditions = assertion.find(f"{{{_ASSERTION}}}Conditions")
    deadlines = [
        _instant(element.get("NotOnOrAfter"))
        for element in (confirmation, conditions)
        if element is not None
    ]
    if any(deadline is not None and deadline <= now for deadline in deadlines):
        raise ExpiredToken(EXPIRED)
    not_before = _instant(conditions.get("NotBefore")) if conditions is not None else None
    if not_before is not None and not_before > now + 300:  # five minutes of clock skew
        raise InvalidIdentityToken(INVALID)
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iter(f"{{{_ASSERTION}}}Attribute"):
        values = [
            (v.text or "").strip() for v in attribute.findall(f"{{{_ASSERTION}}}AttributeValue")
        ]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    session_names = attributes.get(f"{_ATTRIBUTES}RoleSessionName") or []
    if not session_names:
        raise InvalidIdentityToken("RoleSessionName is required in AuthnResponse")
    if not _SESSION_NAME.fullmatch(session_names[0]):
        raise InvalidIdentityToken(
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
        )
    sources = attributes.get(f"{_ATTRIBUTES}SourceIdentity") or []
    if sources and (not _SESSION_NAME.fullmatch(sources[0]) or sources[0].startswith("aws:")):
        raise InvalidIdentityToken(
            'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'
        )
    name_format = name_id.get("Format", f"{_NAME_FORMAT}transient")
    return SamlAssertion(
        issuer=issuer,
        subject=(name_id.text or "").strip(),
        subject_type=name_format.removeprefix(_NAME_FORMAT)
        if name_format.removeprefix(_NAME_FORMAT) in ("persistent", "transient")
        else name_format,
        audience=(confirmation.get("Recipient", "") if confirmation is not None else ""),
        session_name=session_names[0],
        source_identity=sources[0] if sources else None,
        roles=_role_pairs(attributes.get(f"{_ATTRIBUTES}Role") or []),
    )


def metadata_entity_ids(metadata: str) -> set[str]:
    """The ``entityID``s a provider's metadata declares (it was checked at upload)."""
    try:
        root = ElementTree.fromstring(metadata)
    except ElementTree.ParseError:
        return set()
    found = {root.get("entityID", "")}
    found.update(e.get("entityID", "") for e in root.iter(f"{{{_METADATA}}}EntityDescriptor"))
    return {entity for entity in found if entity}
