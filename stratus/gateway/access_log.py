"""Access logs per stage: AccessLogSettings' ``Format`` with AWS's ``$context`` variables.

Lines are kept in memory per API and stage (the newest 1,000, what ``stratus apis`` and the
native API show), written to the ``stratus.gateway.access`` logger, and sent to the log
group ``DestinationArn`` names (CloudWatch Logs, through ``sink``; one stream per API and
stage), batched off the request path.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from stratus.gateway.request import GatewayRequest, request_time

log = logging.getLogger("stratus.gateway.access")

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")
DEFAULT_FORMAT = (
    '$context.requestId $context.identity.sourceIp "$context.httpMethod $context.path" '
    "$context.routeKey $context.status $context.responseLength $context.responseLatency"
)
_KEEP = 1000


# (destination ARN, stream, timestamp in ms, line): where lines for a log group go.
AccessLogSink = Callable[[str, str, int, str], None]


class AccessLogs:
    def __init__(self, sink: AccessLogSink | None = None) -> None:
        self.lines: dict[tuple[str, str], deque[str]] = {}
        self._sink = sink

    def write(
        self,
        api: Any,
        stage: str,
        settings: dict[str, Any],
        request: GatewayRequest,
        route_key: str,
        status: int,
        length: int,
        latency_ms: float,
        integration_ms: float,
    ) -> None:
        values = {
            "requestId": request.request_id,
            "extendedRequestId": request.request_id,
            "apiId": api.api_id,
            "accountId": api.account,
            "stage": stage,
            "routeKey": route_key,
            "httpMethod": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "status": str(status),
            "responseLength": str(length),
            "responseLatency": str(int(latency_ms)),
            "integrationLatency": str(int(integration_ms)),
            "integration.latency": str(int(integration_ms)),
            "identity.sourceIp": request.source_ip,
            "identity.userAgent": request.header("user-agent") or "-",
            "requestTime": request_time(request.time_epoch_ms),
            "requestTimeEpoch": str(request.time_epoch_ms),
            "domainName": request.host,
        }
        template = settings.get("Format") or DEFAULT_FORMAT
        line = _VARIABLE.sub(lambda m: values.get(m.group(1), "-"), template)
        key = (api.api_id, stage)
        kept = self.lines.get(key)
        if kept is None:
            kept = self.lines[key] = deque(maxlen=_KEEP)
        kept.append(line)
        destination = settings.get("DestinationArn") or settings.get("destinationArn")
        if destination and self._sink is not None:
            self._sink(destination, f"{api.api_id}_{stage}", request.time_epoch_ms, line)
        log.info("%s", line)
