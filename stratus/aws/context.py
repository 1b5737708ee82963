"""What a provider learns about the call besides its parameters."""

from __future__ import annotations

from dataclasses import dataclass

from stratus.aws.protocol.http import HttpRequest
from stratus.services.scope import Scope

__all__ = ["DEFAULT_ACCOUNT_ID", "RequestContext"]

from stratus.aws.accounts import DEFAULT_ACCOUNT_ID


@dataclass(slots=True)
class RequestContext:
    """One AWS API call, handed to the provider method next to its parsed parameters.

    ``region`` comes from the SigV4 credential scope (or the app's default region for
    unsigned calls) so regional resources and ARNs follow what the client asked for.
    """

    request_id: str
    service: str
    operation: str
    region: str
    account_id: str
    access_key: str | None
    request: HttpRequest
    #: A success status other than the model's, set by the provider (S3's RestoreObject
    #: answers 202 or 200 with the same output shape).
    status: int | None = None

    @property
    def scope(self) -> Scope:
        """The account and region this call acts in, as services scope resources."""
        return Scope(account=self.account_id, region=self.region)
