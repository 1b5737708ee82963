"""``stratus apis``: every API Gateway API (HTTP, WebSocket, REST) with its URL and its
figures per stage (requests, 4xx, 5xx, throttles, average latency), from the server's
native API."""

from __future__ import annotations

from stratus.cli.client import _native

COLUMNS = (
    "NAME",
    "TYPE",
    "URL",
    "STAGE",
    "REQUESTS",
    "4XX",
    "5XX",
    "THROTTLES",
    "AVG ms",
    "INTEGRATION ms",
)


def list_apis(endpoint: str) -> int:
    listing = _native(endpoint, "/_stratus/apis")["Apis"]
    if not listing:
        print("no APIs")
        return 0
    rows: list[tuple[str, ...]] = [COLUMNS]
    for api in listing:
        stages = api["Stages"] or {"-": None}
        for stage, figures in sorted(stages.items()):
            if figures is None:
                counts = ("0", "0", "0", "0", "-", "-")
            else:
                counts = (
                    str(figures["Count"]),
                    str(figures["4XXError"]),
                    str(figures["5XXError"]),
                    str(figures["Throttles"]),
                    f"{figures['LatencyAvgMs']:.2f}",
                    f"{figures['IntegrationLatencyAvgMs']:.2f}",
                )
            rows.append((api["Name"], api["ProtocolType"], api["ApiEndpoint"], stage, *counts))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0
