"""API Gateway's APIs (HTTP, WebSocket and REST) as records: what the gateway serves."""
