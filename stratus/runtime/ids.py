"""Request ids: UUIDs (version 4) from Python's fast PRNG instead of ``os.urandom``.

They must be unique, not unguessable, and ``uuid.uuid4()`` costs a system call and a
pure-Python constructor on every invocation (about 10 microseconds here).
"""

from __future__ import annotations

import random

_VERSION_4 = (0x4 << 76) | (0x2 << 62)  # version nibble 4, RFC 4122 variant bits 10
_CLEAR = ~((0xF << 76) | (0x3 << 62))


def new_request_id() -> str:
    value = (random.getrandbits(128) & _CLEAR) | _VERSION_4
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
