"""The raw ASGI hello world on exactly the gateway port's stack: ``stratus up``'s uvicorn
server (httptools with the connection, head and body guards of ``stratus.serving``,
uvloop), so a gateway figure's ratio is the gateway's and the function's work alone.

    python -m bench._guarded_hello PORT
"""

from __future__ import annotations

import socket
import sys

import uvloop

from bench._hello_asgi import app
from stratus.cli.up import _Guards, _server
from stratus.serving import HttpLimits


async def main(port: int) -> None:
    sock = socket.create_server(("127.0.0.1", port), backlog=2048)
    guards = _Guards.for_process(HttpLimits())
    await _server(app, "127.0.0.1", port, 1.0, guards).serve(sockets=[sock])


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
