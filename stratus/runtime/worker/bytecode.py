"""Bytecode for code under the read-only ``/var/task`` and ``/opt``, cached all the same.

Python writes a module's bytecode next to its source on first import and reads it from
there on later imports. Under the mount view the source directories are read-only, so
without help every cold start would compile the function and its packaged libraries
again (a hello world pays ~0.2 ms; a function shipping its own libraries, far more).

The bytecode goes instead to a cache directory of the function's own, mounted at
``mounts.BYTECODE``: a module's bytecode for ``/var/task/app.py`` is
``<cache>/var/task/__pycache__/app.cpython-311.pyc``. The platform keys the cache by
function, code and layers, so one function can never plant bytecode that another
function runs (not even one with the same code or layers), and a new version of the
code never finds an old version's bytecode. The function itself still sees read-only
directories; only the import machinery reads and writes the cache.
"""

from __future__ import annotations

import os
import sys
from importlib import machinery
from typing import Any, Callable, List, Tuple

_ROOTS: List[str] = []  # the view's read-only source roots
_CACHE: List[str] = [""]  # where their bytecode lives


def _cached(path: str) -> str:
    """Where the bytecode file ``path`` (next to a source in the view) really lives."""
    cache = _CACHE[0]
    if cache and path.endswith(".pyc"):
        for root in _ROOTS:
            if path.startswith(root + "/"):
                return cache + path
    return path


class _ViewSourceLoader(machinery.SourceFileLoader):
    def get_data(self, path: str) -> bytes:
        return super().get_data(_cached(path))

    def set_data(self, path: str, data: Any, *, _mode: int = 0o666) -> None:
        target = _cached(path)
        if target != path:
            # Written once the invocation that compiled it has answered (``flush``): on
            # a new function's first cold start the directories and the file cost more
            # than compiling a small module, and its caller is waiting.
            PENDING.append((self, target, bytes(data), _mode))
            return
        super().set_data(target, data, _mode=_mode)

    def write_cached(self, target: str, data: bytes, mode: int) -> None:
        # Every environment of the function runs as a user of its own: the directories
        # must stay writable for the next one (the cache is private to the function, so
        # nobody else can reach them).
        _make_shared_dirs(os.path.dirname(target))
        super().set_data(target, data, _mode=mode)


#: Bytecode compiled for the view and not written yet: (loader, cache path, data, mode).
PENDING: List[Tuple[_ViewSourceLoader, str, bytes, int]] = []


def flush() -> None:
    """Write the bytecode held back (after an answer is sent, or before a snapshot).

    A write that fails only costs the next cold start a compile, as in Python itself."""
    while PENDING:
        loader, target, data, mode = PENDING.pop()
        try:
            loader.write_cached(target, data, mode)
        except OSError:
            pass


def _make_shared_dirs(directory: str) -> None:
    missing = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for path in reversed(missing):
        try:
            os.mkdir(path)
            os.chmod(path, 0o777)
        except OSError:
            return


_DEFAULT_LOADERS: List[Tuple[Any, List[str]]] = [
    (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
    (_ViewSourceLoader, machinery.SOURCE_SUFFIXES),
    (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
]
_VIEW_HOOK: Callable[[str], Any] = machinery.FileFinder.path_hook(*_DEFAULT_LOADERS)


def _path_hook(path: str) -> Any:
    for root in _ROOTS:
        if path == root or path.startswith(root + "/"):
            return _VIEW_HOOK(path)
    raise ImportError("not in the mount view")  # the next hook (the usual one) takes it


def install(roots: List[str], cache: str) -> None:
    """Keep bytecode for files under ``roots`` in ``cache``."""
    _ROOTS[:] = roots
    _CACHE[0] = cache
    if roots and cache and _path_hook not in sys.path_hooks:
        # A fresh environment has no finder cached for the view's paths yet (the zygote
        # never imports from them), so the new hook is asked for each of them.
        sys.path_hooks.insert(0, _path_hook)
