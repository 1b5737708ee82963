"""URL configs are stored (the functions component's migration 5): they survive a restart
with the same url-id, and keep serving."""

from __future__ import annotations

from pathlib import Path

from tests.aws.function_urls.conftest import UrlClient, public_grants
from tests.conftest import ServerProcess, create_function


def test_url_survives_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        client = server.client("lambda")
        name = create_function(client, "def handler(e, c):\n    return 'still here'\n")
        url = client.create_function_url_config(
            FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["*"]}
        )
        public_grants(client, name)
    finally:
        server.stop()
    again = ServerProcess(tmp_path / "data")
    again.port, again.gateway_port = server.port, server.gateway_port
    again.start()
    try:
        client = again.client("lambda")
        stored = client.get_function_url_config(FunctionName=name)
        assert stored["FunctionUrl"] == url["FunctionUrl"]
        assert stored["Cors"] == {"AllowOrigins": ["*"]}
        assert UrlClient(again, url["FunctionUrl"]).request("GET").text == '"still here"'
    finally:
        again.stop()
