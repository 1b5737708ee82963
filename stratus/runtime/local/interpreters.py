"""Pick the Python interpreter that runs a function's runtime (``python3.12`` ...).

Lambda runs each ``pythonX.Y`` runtime on that Python; so do we when it is installed:
a ``pythonX.Y`` on ``PATH`` or in pyenv's versions. Otherwise the server's own
interpreter runs it, with a warning, because a close Python beats refusing to run.

A foreign interpreter cannot see the server's virtualenv, yet functions expect boto3
(Lambda bundles it). We give it a directory of symlinks to the server's pure-Python
boto3, botocore, s3transfer, jmespath, dateutil, six and urllib3, placed on its
``PYTHONPATH`` after the stratus source root, and keep its bytecode out of the
virtualenv with ``PYTHONPYCACHEPREFIX``. Probing runs subprocesses: call
:meth:`InterpreterResolver.resolve` from a thread (the factory does).
"""

from __future__ import annotations

import glob
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import stratus
from stratus.runtime.local.errors import UnsupportedRuntime

log = logging.getLogger(__name__)

SOURCE_ROOT = str(Path(stratus.__file__).resolve().parent.parent)
BUNDLED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")
_PROBE = "import sys; print('%d.%d' % sys.version_info[:2]);import boto3; print('boto3')"


@dataclass(frozen=True, slots=True)
class Interpreter:
    """An interpreter and what its zygote needs on ``PYTHONPATH`` besides the source root."""

    path: str
    version: tuple[int, int]
    foreign: bool  # not the server's own: gets the bundled libraries and a pycache prefix
    extra_path: tuple[str, ...] = ()
    pycache_dir: str | None = None

    def zygote_env(self, base: dict[str, str]) -> dict[str, str]:
        """The zygote's process environment (environments get their own at fork)."""
        env = {k: v for k, v in base.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["PYTHONPATH"] = os.pathsep.join((SOURCE_ROOT, *self.extra_path))
        if self.pycache_dir:
            env["PYTHONPYCACHEPREFIX"] = self.pycache_dir
        return env


def parse_runtime(runtime: str) -> tuple[int, int]:
    match = _RUNTIME.match(runtime)
    if match is None:
        raise UnsupportedRuntime(f"runtime {runtime!r} is not a Python runtime")
    return int(match.group(1)), int(match.group(2))


def server_interpreter() -> Interpreter:
    return Interpreter(sys.executable, (sys.version_info[0], sys.version_info[1]), False)


class InterpreterResolver:
    """Finds, probes and caches one interpreter per runtime."""

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        if cache_dir is None:
            base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
            cache_dir = os.path.join(base, "stratus", "interpreters")
        self.cache_dir = Path(cache_dir)
        self._cache: dict[str, Interpreter] = {}
        self._lock = threading.Lock()

    def resolve(self, runtime: str) -> Interpreter:
        """The interpreter for ``runtime``; blocking (subprocess probes), cached."""
        version = parse_runtime(runtime)
        with self._lock:
            found = self._cache.get(runtime)
            if found is None:
                found = self._cache[runtime] = self._find(runtime, version)
            return found

    def _find(self, runtime: str, version: tuple[int, int]) -> Interpreter:
        own = server_interpreter()
        if version == own.version:
            return own
        libs = self._bundle_dir(version)
        for candidate in self.candidates(version):
            interpreter = Interpreter(
                candidate,
                version,
                True,
                (str(libs),),
                str(self.cache_dir / f"pycache-{version[0]}.{version[1]}"),
            )
            if self._probe(interpreter):
                return interpreter
        log.warning(
            "no working python%d.%d found (PATH, pyenv): running %s on the server's Python %d.%d",
            *version,
            runtime,
            *own.version,
        )
        return own

    @staticmethod
    def candidates(version: tuple[int, int]) -> list[str]:
        """Executables that may be ``pythonX.Y``: PATH first, then pyenv's versions."""
        name = f"python{version[0]}.{version[1]}"
        found: list[str] = []
        on_path = shutil.which(name)
        if on_path:
            found.append(on_path)
        root = os.environ.get("PYENV_ROOT") or os.path.join(Path.home(), ".pyenv")
        pattern = os.path.join(root, "versions", f"{version[0]}.{version[1]}.*", "bin", name)
        found.extend(sorted(glob.glob(pattern), reverse=True))
        return found

    def _probe(self, interpreter: Interpreter) -> bool:
        """It runs, it is the version it claims, and it imports boto3 with our path."""
        env = interpreter.zygote_env(dict(os.environ))
        try:
            done = subprocess.run(
                [interpreter.path, "-c", _PROBE],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        lines = done.stdout.split()
        wanted = f"{interpreter.version[0]}.{interpreter.version[1]}"
        if done.returncode != 0 or lines[:2] != [wanted, "boto3"]:
            log.info("interpreter %s rejected: %s", interpreter.path, done.stderr.strip()[-300:])
            return False
        return True

    def _bundle_dir(self, version: tuple[int, int]) -> Path:
        """Symlinks to the server's pure-Python AWS SDK, for a foreign interpreter."""
        target = self.cache_dir / f"site-{version[0]}.{version[1]}"
        target.mkdir(parents=True, exist_ok=True)
        for name in BUNDLED:
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                continue
            origin = Path(spec.origin)
            source = origin.parent if origin.name == "__init__.py" else origin
            link = target / source.name
            if link.is_symlink() and os.readlink(link) == str(source):
                continue
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(source)
        return target
