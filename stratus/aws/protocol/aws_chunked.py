"""Decode an ``aws-chunked`` body as it arrives, keeping its trailing headers.

The framing (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html)::

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;chunk-signature=...]\\r\\n
    [x-amz-checksum-crc32:<value>\\r\\n ...]\\r\\n

Chunk signatures are read past, not verified (Stratus takes dummy credentials). The
trailers (a checksum the SDK computed while sending) are kept in :attr:`trailers` for the
service to check once the body is whole. Memory stays bounded by one network read plus
one framing line, whatever the chunk sizes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

__all__ = ["AwsChunkedDecoder", "MalformedChunkedBody"]

_MAX_LINE = 4096  # a size line with its signature, or one trailer


class MalformedChunkedBody(Exception):
    """The body does not follow the aws-chunked framing."""


class AwsChunkedDecoder:
    """Iterate the payload bytes of an aws-chunked ``source``."""

    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self._source = source
        self.trailers: dict[str, str] = {}

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._decode()

    async def _decode(self) -> AsyncIterator[bytes]:
        buffer = bytearray()
        source = self._source
        ended = False

        async def fill() -> bool:
            nonlocal ended
            if ended:
                return False
            try:
                buffer.extend(await anext(source))
            except StopAsyncIteration:
                ended = True
                return False
            return True

        async def line() -> bytes:
            while True:
                end = buffer.find(b"\r\n")
                if end != -1:
                    text = bytes(buffer[:end])
                    del buffer[: end + 2]
                    return text
                if len(buffer) > _MAX_LINE or not await fill():
                    raise MalformedChunkedBody("a chunk header is missing or too long")

        while True:
            header = await line()
            try:
                size = int(header.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                raise MalformedChunkedBody("a chunk size is not hexadecimal") from None
            if size == 0:
                break
            remaining = size
            while remaining:
                if not buffer and not await fill():
                    raise MalformedChunkedBody("the body ends inside a chunk")
                take = min(remaining, len(buffer))
                yield bytes(buffer[:take])
                del buffer[:take]
                remaining -= take
            if await line() != b"":
                raise MalformedChunkedBody("a chunk is longer than its declared size")
        while True:
            try:
                trailer = await line()
            except MalformedChunkedBody:
                break  # no final empty line: some clients end after the last trailer
            if not trailer:
                break
            name, _, value = trailer.decode("latin-1").partition(":")
            if name.strip().lower().startswith("x-amz-trailer-signature"):
                continue
            self.trailers[name.strip().lower()] = value.strip()
