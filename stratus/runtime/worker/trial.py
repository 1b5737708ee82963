"""Try something in a forked child and hear how it went: the zygote's probes.

What the kernel allows (a mount namespace, a tmpfs, dropping root and still reading the
runtime) is found by doing it, once, at the zygote's start, in a child that is thrown
away: the zygote itself must stay as it is. Stdlib only, Python 3.9+.
"""

from __future__ import annotations

import os
from typing import Callable


def in_child(steps: Callable[[], str]) -> str:
    """Run ``steps`` in a forked child; its answer, or ``"fail <why>"`` if it raised."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_end)
            try:
                answer = steps()
            except BaseException as exc:
                answer = "fail {}".format(exc)
            os.write(write_end, answer.encode("utf-8", "replace"))
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace") or "fail no answer"
