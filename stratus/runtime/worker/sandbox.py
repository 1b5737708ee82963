"""Make a freshly forked process look like a Lambda execution environment.

The zygote forks with its own environment, directory and ``sys.path``; the child must
see only its function's: ``os.environ`` replaced by the launch's variables, the code
directory as working directory, Lambda's import path (task root, then each layer's
``python`` and ``python/lib/pythonX.Y/site-packages``, then the runtime's own paths), a
private temporary directory, and a random generator that no sibling shares.

Where the zygote's probe found mount namespaces usable (``mounts``), the child gets
Lambda's own paths: its own tmpfs on ``/tmp``, its code on ``/var/task`` (the working
directory and ``LAMBDA_TASK_ROOT``) and its layers on ``/opt``, read-only. Otherwise the
same things at their real paths, with ``TMPDIR`` pointing at a private directory. Before
any of it, its control group and limits; after the mounts, its own user (``confine``).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from typing import Any, Dict, List

from . import bytecode, confine, mounts

HOOKS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hooks")

# The runtime's own import path, captured once in the zygote before any function's.
RUNTIME_PATH: List[str] = []


def capture_runtime_path() -> None:
    """Remember the interpreter's path minus the zygote's working directory."""
    cwd = os.getcwd()
    RUNTIME_PATH[:] = [p for p in sys.path if p not in ("", cwd)]


def import_path(code_dir: str, layers: List[str]) -> List[str]:
    version = "python{}.{}".format(sys.version_info[0], sys.version_info[1])
    path = [code_dir]
    # Lambda extracts layers into /opt in order, a later layer's files replacing an
    # earlier one's: on sys.path the later layer must therefore come first.
    for layer in reversed(layers):
        path.append(os.path.join(layer, "python"))
        path.append(os.path.join(layer, "python", "lib", version, "site-packages"))
    path.append(HOOKS_DIR)
    path.extend(RUNTIME_PATH)
    return path


def apply_environment(config: Dict[str, Any], mounted: bool = False) -> None:
    """Variables, temporary directory and randomness: what differs per environment."""
    env = dict(config.get("env") or {})
    tmp_dir = config["tmp_dir"]
    if mounted:
        # Lambda sets no TMPDIR (a function may set its own): tempfile finds /tmp.
        tmp_dir = env.get("TMPDIR") or mounts.TMP
        if mounts.STATE.task_root:
            env["LAMBDA_TASK_ROOT"] = mounts.TASK_ROOT
        env["LD_LIBRARY_PATH"] = _mounted_library_path(env.get("LD_LIBRARY_PATH", ""), config)
    else:
        os.makedirs(tmp_dir, exist_ok=True)
        env["TMPDIR"] = tmp_dir
    replace_environ(env)
    tempfile.tempdir = tmp_dir
    random.seed()


def replace_environ(env: Dict[str, str]) -> None:
    """Make ``os.environ`` exactly ``env``, touching only the variables that differ: in
    a freshly forked child each change copies pages and costs microseconds (a spare
    clears the zygote's variables ahead, ``worker/zygote.py``)."""
    current = os.environ
    for key in [key for key in current if key not in env]:
        del current[key]
    for key, value in env.items():
        if current.get(key) != value:
            current[key] = value


def _mounted_library_path(value: str, config: Dict[str, Any]) -> str:
    """The platform's LD_LIBRARY_PATH names real directories: name the mounted ones."""
    code_lib = os.path.join(config["code_dir"], "lib")
    layer_libs = {os.path.join(d, "lib") for d in config.get("layers") or ()}
    parts: List[str] = []
    for part in value.split(":"):
        if part == code_lib and mounts.STATE.task_root:
            part = mounts.TASK_ROOT + "/lib"
        elif part in layer_libs and mounts.STATE.opt:
            part = mounts.OPT + "/lib"
        if part and part not in parts:
            parts.append(part)
    return ":".join(parts)


def apply_launch(config: Dict[str, Any]) -> None:
    """Everything a new environment needs before the function's init runs.

    In order: the control group and its limits, the mount view (both need root), then
    the drop to the environment's own user, then what the function sees of itself.
    """
    code_dir = config["code_dir"]
    layers = list(config.get("layers") or ())
    confine.apply_limits(int(config.get("memory_mb") or 128))
    mounted = mounts.STATE.enabled
    if mounted:
        code_dir, layers = mounts.enter(
            code_dir,
            layers,
            int(config.get("tmp_mb") or 512),
            config.get("bytecode_dir"),
        )
        roots = [r for r in (code_dir, *layers) if r in (mounts.TASK_ROOT, mounts.OPT)]
        if config.get("bytecode_dir"):
            bytecode.install(roots, mounts.BYTECODE)
    confine.drop_identity(config.get("uid"))
    apply_environment(config, mounted)
    os.chdir(code_dir)
    sys.path[:] = import_path(code_dir, layers)
    sys.dont_write_bytecode = False


def apply_restore(config: Dict[str, Any]) -> None:
    """A child of a snapshot template: its own variables and ``/tmp`` (a copy of the
    template's), the rest inherited.

    A template that dropped root cannot mount: its children then share its ``/tmp``
    (they are environments of the same function version, running as the same user).
    """
    mounted = mounts.STATE.enabled
    if mounted:
        try:
            mounts.restore_tmp(int(config.get("tmp_mb") or 512))
        except OSError:
            pass  # no right to mount here: the template's /tmp it is
    else:
        template_tmp = os.environ.get("TMPDIR", "")
        os.makedirs(config["tmp_dir"], exist_ok=True)
        _copy_tree(template_tmp, config["tmp_dir"])
    apply_environment(config, mounted)


def _copy_tree(source: str, target: str) -> None:
    """Give a restored environment the files its template's init left in its TMPDIR."""
    if not source or not os.path.isdir(source) or os.path.abspath(source) == target:
        return
    try:
        entries = os.listdir(source)
    except OSError:
        return
    if entries:
        import shutil

        shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)


# The zygote's own 0700 directory (made by the server): where the prewarm module lives.
SCRATCH_VARIABLE = "STRATUS_ZYGOTE_SCRATCH"
_PREWARM_MODULE = "_stratus_prewarm_probe"
_PREWARM_DIR: List[str] = []


def make_prewarm_dir(scratch: str) -> None:
    """In the zygote: the one-line module a spare imports, in a directory only root can
    enter (``scratch``, made 0700 by the server, removed when the zygote goes): never a
    predictable path in a world-writable place, which anyone could plant code in."""
    try:
        os.makedirs(scratch, mode=0o700, exist_ok=True)
        os.chmod(scratch, 0o700)
        with open(os.path.join(scratch, _PREWARM_MODULE + ".py"), "w") as handle:
            handle.write("VALUE = 1\n")
    except OSError:
        return  # only an optimisation
    _PREWARM_DIR[:] = [scratch]


def prewarm() -> None:
    """Run the motions of a new environment once, in a spare child waiting for work.

    After a fork, every page a process writes is copied first. A spare child has time
    to spare, so it pays those copies now for what every environment touches (the import
    machinery, ``sys.path``, ``os.environ``), not while a caller waits for its cold start
    (init 2.4 -> 1.7 ms for a hello world here).
    """
    if not _PREWARM_DIR:
        return
    probe_dir = _PREWARM_DIR[0]
    saved_path = list(sys.path)
    try:
        sys.path[:] = [probe_dir, *saved_path]
        __import__(_PREWARM_MODULE)
        os.environ["_STRATUS_PREWARM"] = "1"
        del os.environ["_STRATUS_PREWARM"]
    except ImportError:
        pass  # only an optimisation
    finally:
        sys.modules.pop(_PREWARM_MODULE, None)
        sys.path[:] = saved_path
        sys.path_importer_cache.pop(probe_dir, None)
