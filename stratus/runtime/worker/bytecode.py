"""Bytecode for code under the read-only ``/var/task`` and ``/opt``, cached all the same.

Python writes a module's bytecode next to its source on first import and reads it from
there on later imports. Under the mount view the source directories are read-only, so
without help every cold start would compile the function and its packaged libraries
again (a hello world pays ~0.2 ms; a function shipping its own libraries, far more).
The bytecode goes instead where the same files are writable: the extracted code and
layer directories in the data directory, which ``/var/task`` and ``/opt`` are views of.
The next environment of any function using that code finds it through the view. The
function itself still sees read-only directories; only the import machinery writes.
"""

from __future__ import annotations

import os
import sys
from importlib import machinery
from typing import Any, Callable, List, Optional, Tuple

Mapping = List[Tuple[str, List[str]]]  # (view root, its real directories, topmost first)
_MAPPING: Mapping = []


def _real_path(path: str) -> str:
    """Where ``path`` (a bytecode file in the view) can be written."""
    for root, sources in _MAPPING:
        if path.startswith(root + "/"):
            rest = path[len(root) :]
            if len(sources) == 1:
                return sources[0] + rest
            source = _source_of(path)  # several layers: the one that holds the source
            for directory in sources:
                if source is not None and os.path.exists(directory + source[len(root) :]):
                    return directory + rest
            return path
    return path


def _source_of(path: str) -> Optional[str]:
    try:
        import importlib.util

        return importlib.util.source_from_cache(path)
    except ValueError:
        return None


class _ViewSourceLoader(machinery.SourceFileLoader):
    def set_data(self, path: str, data: Any, *, _mode: int = 0o666) -> None:
        super().set_data(_real_path(path), data, _mode=_mode)


_DEFAULT_LOADERS: List[Tuple[Any, List[str]]] = [
    (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
    (_ViewSourceLoader, machinery.SOURCE_SUFFIXES),
    (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
]
_VIEW_HOOK: Callable[[str], Any] = machinery.FileFinder.path_hook(*_DEFAULT_LOADERS)


def _path_hook(path: str) -> Any:
    for root, _sources in _MAPPING:
        if path == root or path.startswith(root + "/"):
            return _VIEW_HOOK(path)
    raise ImportError("not in the mount view")  # the next hook (the usual one) takes it


def install(mapping: Mapping) -> None:
    """Send bytecode written for files under each view root to its real directories."""
    _MAPPING[:] = mapping
    if mapping and _path_hook not in sys.path_hooks:
        # A fresh environment has no finder cached for the view's paths yet (the zygote
        # never imports from them), so the new hook is asked for each of them.
        sys.path_hooks.insert(0, _path_hook)
