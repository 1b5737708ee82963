"""SNS's SMS operations: settings, opted-out numbers, the SMS sandbox, origination numbers."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.topics.registry import page_of
from stratus.services.topics.sms import Sms

Params = dict[str, Any]
Result = dict[str, Any]


class SmsOperations:
    _sms: Sms

    async def set_sms_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self._sms.set_attributes(ctx.scope, params.get("attributes") or {})
        return {}

    async def get_sms_attributes(self, ctx: RequestContext, params: Params) -> Result:
        return {"attributes": self._sms.attributes(ctx.scope, params.get("attributes") or [])}

    async def check_if_phone_number_is_opted_out(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        return {"isOptedOut": self._sms.is_opted_out(ctx.scope, params["phoneNumber"])}

    async def list_phone_numbers_opted_out(self, ctx: RequestContext, params: Params) -> Result:
        page = self._sms.opted_out(ctx.scope, params.get("nextToken"))
        result: Result = {"phoneNumbers": page.items}
        if page.next_token:
            result["nextToken"] = page.next_token
        return result

    async def opt_in_phone_number(self, ctx: RequestContext, params: Params) -> Result:
        await self._sms.opt_in(ctx.scope, params["phoneNumber"])
        return {}

    # -- the SMS sandbox -------------------------------------------------------------
    async def create_sms_sandbox_phone_number(self, ctx: RequestContext, params: Params) -> Result:
        await self._sms.add_sandbox_number(
            ctx.scope, params["PhoneNumber"], params.get("LanguageCode") or "en-US"
        )
        return {}

    async def verify_sms_sandbox_phone_number(self, ctx: RequestContext, params: Params) -> Result:
        await self._sms.verify_sandbox_number(
            ctx.scope, params["PhoneNumber"], params["OneTimePassword"]
        )
        return {}

    async def list_sms_sandbox_phone_numbers(self, ctx: RequestContext, params: Params) -> Result:
        numbers, token = self._sms.sandbox_numbers(
            ctx.scope, params.get("NextToken"), params.get("MaxResults")
        )
        result: Result = {
            "PhoneNumbers": [{"PhoneNumber": n.phone_number, "Status": n.status} for n in numbers]
        }
        if token:
            result["NextToken"] = token
        return result

    async def delete_sms_sandbox_phone_number(self, ctx: RequestContext, params: Params) -> Result:
        await self._sms.delete_sandbox_number(ctx.scope, params["PhoneNumber"])
        return {}

    async def get_sms_sandbox_account_status(self, ctx: RequestContext, params: Params) -> Result:
        # Stratus's accounts are out of the sandbox: Publish reaches any number.
        return {"IsInSandbox": False}

    async def list_origination_numbers(self, ctx: RequestContext, params: Params) -> Result:
        # No number is leased here; the token is checked as for any list.
        page_of([], params.get("NextToken"))
        return {"PhoneNumbers": []}
