"""The demo function ``make run`` deploys, so a new user has something to invoke at once."""

from __future__ import annotations

import io
import zipfile

from stratus.services.apis.http_apis import HttpApis
from stratus.services.apis.model import HttpApi
from stratus.services.functions.errors import Conflict
from stratus.services.functions.names import function_arn
from stratus.services.functions.registry import FunctionRegistry
from stratus.services.functions.settings import FunctionSettings

DEMO_NAME = "greeter"
DEMO_API_NAME = "greeter-api"

DEMO_SOURCE = """\
import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    event = event or {}
    # invoked directly ({"name": ...}) or through the demo HTTP API (?name=...)
    name = event.get("name") or (event.get("queryStringParameters") or {}).get("name", "world")
    logger.info("greeting %s", name)
    return {
        "statusCode": 200,
        "body": json.dumps({"message": f"Hello, {name}!"}),
        "function": context.function_name,
        "region": os.environ["AWS_REGION"],
        "requestId": context.aws_request_id,
    }
"""


def demo_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", DEMO_SOURCE)
    return buffer.getvalue()


async def deploy_demo(registry: FunctionRegistry, region: str) -> bool:
    """Create the demo function unless it exists; returns whether it was created."""
    settings = FunctionSettings(
        runtime="python3.11",
        role="arn:aws:iam::000000000000:role/stratus-demo",
        handler="app.handler",
        description="Stratus demo: returns a greeting",
    )
    try:
        await registry.create(function_arn(region, DEMO_NAME), settings, demo_zip())
    except Conflict:
        return False
    return True


async def deploy_demo_api(apis: HttpApis, account: str, region: str) -> HttpApi:
    """The demo function behind an HTTP API (quick create: every route, $default stage),
    made once: a restart finds the one made before."""
    for api in apis.in_account(account):
        if api.name == DEMO_API_NAME:
            return api
    return await apis.create(
        account,
        region,
        {"name": DEMO_API_NAME, "protocol_type": "HTTP"},
        target=function_arn(region, DEMO_NAME, account=account),
    )
