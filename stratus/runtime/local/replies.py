"""What an execution environment may answer: Lambda's response size limit, at the socket.

Lambda refuses a response over its synchronous payload limit and fails the invocation with
``Function.ResponseSizeTooLarge`` ("Lambda quotas": 6 MB each for request and response;
the error reports 6291556 bytes). Checking that after the reply is assembled would let a
function make the server hold (and copy) as much as it cares to send, so the check is made
where the reply arrives: a reply frame declaring a payload over the limit is never
buffered. Its bytes are read past as they come and discarded, and the environment gets a
reply carrying Lambda's error instead, as if the function had failed. The stream stays in
step, so the environment stays warm, as Lambda's does.

The worker sends one frame per invocation (``worker/runtime.py``): a header ``{"n":
<body length>, "e": ..., "ms": ..., "mem": ...}`` and a payload of the body, then the logs
it could not write to its output pipe (none, when it has one). Init reports are frames
of the same kind with ``"op": "init"`` and an ``"error"`` type.
"""

from __future__ import annotations

from typing import Any

import orjson

from stratus.runtime.local.frames import Frame, FrameParser

#: Lambda's limit on a synchronous response, in the figure its error message reports.
MAX_RESPONSE_BYTES = 6291556
#: A reply header is a few small fields; an init report's also names an error type.
MAX_REPLY_HEADER = 64 * 1024
RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge"
_TOO_LARGE_BODY = orjson.dumps(
    {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
        f"({MAX_RESPONSE_BYTES} bytes).",
        "errorType": RESPONSE_TOO_LARGE,
    }
)


class ReplyParser(FrameParser):
    """Frames from an environment, none of whose payloads may pass Lambda's response limit."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(max_payload=MAX_RESPONSE_BYTES, max_header=MAX_REPLY_HEADER)

    def oversized(self, header: dict[str, Any], payload_len: int) -> Frame:
        """The reply Lambda gives for a response over its limit, in the worker's format.

        An init report that large can only be an enormous error object (or the logs of a
        snapshot template's init): it stays the failure it was, with Lambda's error as
        its body; a successful one loses only its logs, said in a line of its own."""
        note = f"[{payload_len} bytes of reply dropped: over {MAX_RESPONSE_BYTES}]\n".encode()
        if header.get("op") == "init":
            body = _TOO_LARGE_BODY if header.get("error") else b""
            return {**header, "n": len(body)}, body + note
        return {**header, "n": len(_TOO_LARGE_BODY), "e": "Unhandled"}, _TOO_LARGE_BODY
