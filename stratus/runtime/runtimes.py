"""The runtimes Stratus runs, by family, and what each needs from this machine.

Python runtimes run in the zygote's interpreter, the handler imported in-process. Every
other runtime is a process of its own behind the Lambda Runtime API
(``worker/bootstrap.py``): a custom runtime's ``bootstrap`` (``provided*``), or, for
Node.js, our own client (``worker/nodejs/bootstrap.js``) on the machine's ``node``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

PYTHON = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
NODE = ("nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x")
PROVIDED = ("provided", "provided.al2", "provided.al2023")
SUPPORTED = PYTHON + NODE + PROVIDED

#: Lambda no longer creates functions on these (its "Runtime deprecation" table).
DEPRECATED = frozenset(
    [
        "python2.7",
        "python3.6",
        "python3.7",
        "python3.8",
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
    ]
)

NODE_VARIABLE = "STRATUS_NODE"  # the node binary, where it is not on PATH
NODE_CLIENT = Path(__file__).resolve().parent / "worker" / "nodejs" / "bootstrap.js"


def family(runtime: str) -> str:
    """``python``, ``nodejs``, ``provided``, or ``other`` (a runtime we do not run)."""
    for name in ("python", "nodejs", "provided"):
        if runtime.startswith(name):
            return name
    return "other"


def latest(runtime: str) -> str:
    """The newest runtime of ``runtime``'s family: what Lambda recommends instead."""
    newest = {"python": PYTHON[-1], "nodejs": NODE[-1]}
    return newest.get(family(runtime), PROVIDED[-1])


@lru_cache(maxsize=1)
def node_binary() -> str | None:
    """The ``node`` that runs Node.js functions: ``STRATUS_NODE`` or the one on PATH
    (looked up once: every Node.js cold start asks)."""
    named = os.environ.get(NODE_VARIABLE)
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("node")


@lru_cache(maxsize=4)
def node_major(binary: str) -> int | None:
    """The major version of ``binary`` (``node --version``: ``v20.20.2``), or None."""
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def node_missing_message(runtime: str) -> str:
    return (
        f"The runtime parameter of {runtime} needs Node.js on the Stratus server, and none "
        f"was found: install Node.js ({runtime[6:-2]} or newer) so that `node` is on the "
        f"server's PATH, or name the binary in {NODE_VARIABLE}."
    )
