"""Pick the Python interpreter that runs a function's runtime (``python3.12`` ...).

Lambda runs each ``pythonX.Y`` runtime on that Python; so do we when it is installed:
one named in ``STRATUS_INTERPRETERS`` (``python3.9=/path/to/python3.9,...``), a
``pythonX.Y`` on ``PATH`` or in pyenv's versions. Otherwise the server's own interpreter
runs it, because a close Python beats refusing to run; that is never silent: the server
logs it once, and every environment of such a function writes a warning line into the
function's own log at init (the factory asks :meth:`Interpreter.substitutes`).

A foreign interpreter cannot see the server's virtualenv, yet functions expect boto3
(Lambda bundles it), and the zygote imports it. Each foreign runtime gets its own
directory of dependencies under the data directory (``<cache>/pythonX.Y/site``),
installed once by the server's pip for that Python version (``--python-version X.Y
--only-binary=:all:``: pure-Python wheels whose ``Requires-Python`` admits it), and put
on the zygote's ``PYTHONPATH`` after the stratus source root; its bytecode stays out of
the virtualenv with ``PYTHONPYCACHEPREFIX``. Only when pip cannot install (no index
reachable) does it fall back to symlinks to the server's own copies, which work only
where they support that Python; the probe then decides. Probing and installing run
subprocesses: call :meth:`InterpreterResolver.resolve` from a thread (the factory does).
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
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import stratus
from stratus.runtime.local.errors import UnsupportedRuntime

log = logging.getLogger(__name__)

SOURCE_ROOT = str(Path(stratus.__file__).resolve().parent.parent)
BUNDLED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
# What the zygote imports besides the stdlib (``worker/zygote.py`` ``preload``).
REQUIREMENTS = ("boto3",)
#: The runtimes the Lambda API accepts here, in the order their zygotes start at boot.
PYTHON_RUNTIMES = (
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
)
INTERPRETERS_VARIABLE = "STRATUS_INTERPRETERS"
PIP_TIMEOUT_S = 600.0
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

    def substitutes(self, runtime: str) -> bool:
        """True when this interpreter runs ``runtime`` without being that Python."""
        return parse_runtime(runtime) != self.version

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


def explicit_interpreters(text: str | None) -> dict[str, str]:
    """``python3.9=/usr/bin/python3.9,python3.12=/opt/py/bin/python3`` as a mapping."""
    found: dict[str, str] = {}
    for item in (text or "").split(","):
        runtime, _, path = item.strip().partition("=")
        if runtime and path:
            parse_runtime(runtime)
            found[runtime] = path
    return found


class InterpreterResolver:
    """Finds, probes and caches one interpreter per runtime.

    ``cache_dir`` holds the per-runtime dependencies and bytecode: the factory puts it
    in its work directory, under the server's data directory, so checkouts and data
    directories never share (or fight over) one.
    """

    def __init__(
        self, cache_dir: str | os.PathLike[str], explicit: dict[str, str] | None = None
    ) -> None:
        self.cache_dir = Path(cache_dir)
        if explicit is None:
            explicit = explicit_interpreters(os.environ.get(INTERPRETERS_VARIABLE))
        self.explicit = dict(explicit)
        self._cache: dict[str, Interpreter] = {}
        self._lock = threading.Lock()  # guards _locks
        #: One lock per runtime: probing one (seconds, with its dependencies to install)
        #: never holds up another's, such as the boot's warm-up of python3.9 a first
        #: cold start on python3.12.
        self._locks: dict[str, threading.Lock] = {}

    def resolve(self, runtime: str) -> Interpreter:
        """The interpreter for ``runtime``; blocking (subprocess probes), cached."""
        version = parse_runtime(runtime)
        with self._lock:
            lock = self._locks.setdefault(runtime, threading.Lock())
        with lock:
            found = self._cache.get(runtime)
            if found is None:
                found = self._cache[runtime] = self._find(runtime, version)
            return found

    def installed_runtimes(self) -> list[str]:
        """The runtimes with an interpreter of their own here (blocking: probes them),
        the server's own first: the zygotes worth starting at boot."""
        own = server_interpreter().version
        runtimes = [f"python{own[0]}.{own[1]}"]
        for runtime in PYTHON_RUNTIMES:
            if runtime in runtimes:
                continue
            present = runtime in self.explicit or self.candidates(parse_runtime(runtime))
            if present and not self.resolve(runtime).substitutes(runtime):
                runtimes.append(runtime)
        return runtimes

    def _find(self, runtime: str, version: tuple[int, int]) -> Interpreter:
        own = server_interpreter()
        candidates = self.candidates(version)
        if runtime in self.explicit:
            candidates = [self.explicit[runtime]]
        elif version == own.version:
            return own
        site = str(self.site_dir(version)) if candidates else ""
        for candidate in candidates:
            interpreter = Interpreter(
                candidate,
                version,
                True,
                (site,),
                str(self.cache_dir / f"python{version[0]}.{version[1]}" / "pycache"),
            )
            if self._probe(interpreter):
                return interpreter
        log.warning(
            "no working python%d.%d found (%s, PATH, pyenv): functions on %s run on the "
            "server's Python %d.%d, and each says so in its log",
            *version,
            INTERPRETERS_VARIABLE,
            runtime,
            *own.version,
        )
        return own

    def site_dir(self, version: tuple[int, int]) -> Path:
        """The runtime's own dependencies (boto3 ...), installed on first use.

        Blocking (runs pip). A directory that holds a finished install is kept: it is
        replaced only by deleting it.
        """
        runtime_dir = self.cache_dir / f"python{version[0]}.{version[1]}"
        target = runtime_dir / "site"
        if (runtime_dir / "installed").exists():
            return target
        runtime_dir.mkdir(parents=True, exist_ok=True)
        if self._pip_install(version, runtime_dir):
            return target
        log.warning(
            "could not install %s for python%d.%d: linking the server's own copies instead",
            " ".join(REQUIREMENTS),
            *version,
        )
        return self._bundle_dir(version)

    def _pip_install(self, version: tuple[int, int], runtime_dir: Path) -> bool:
        staging = Path(tempfile.mkdtemp(prefix="site-", dir=runtime_dir))
        argv = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--target",
            str(staging),
            "--python-version",
            f"{version[0]}.{version[1]}",
            "--implementation",
            "cp",
            "--only-binary=:all:",
            *REQUIREMENTS,
        ]
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("pip for python%d.%d failed: %s", *version, exc)
            shutil.rmtree(staging, ignore_errors=True)
            return False
        if done.returncode != 0:
            log.info("pip for python%d.%d failed: %s", *version, done.stderr.strip()[-500:])
            shutil.rmtree(staging, ignore_errors=True)
            return False
        target = runtime_dir / "site"
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
        (runtime_dir / "installed").write_text(" ".join(REQUIREMENTS) + "\n")
        return True

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
            # One line at INFO: a pyenv shim that has no such version explains itself in
            # five lines of advice on stderr, which only matter when debugging the probe.
            log.info("interpreter %s rejected (exit %d)", interpreter.path, done.returncode)
            log.debug("interpreter %s said: %s", interpreter.path, done.stderr.strip()[-300:])
            return False
        return True

    def _bundle_dir(self, version: tuple[int, int]) -> Path:
        """Symlinks to the server's pure-Python AWS SDK, for a foreign interpreter."""
        target = self.cache_dir / f"python{version[0]}.{version[1]}" / "linked"
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
