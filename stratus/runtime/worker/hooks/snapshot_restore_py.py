"""Lambda SnapStart runtime hooks, as the ``snapshot_restore_py`` module provides them.

Functions written for SnapStart import this module by its top-level name; the worker puts
this directory on ``sys.path`` so the same code runs unchanged on Stratus. Hooks registered
with :func:`register_before_snapshot` run in the snapshot template once init is done, in
reverse order of registration; hooks registered with :func:`register_after_restore` run in
every environment forked from the template, in order of registration.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple, TypeVar

_Hook = Tuple[Callable[..., Any], Tuple[Any, ...], Dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])

_before_snapshot: List[_Hook] = []
_after_restore: List[_Hook] = []


def register_before_snapshot(func: F, *args: Any, **kwargs: Any) -> F:
    """Register ``func(*args, **kwargs)`` to run before the snapshot; usable as a decorator."""
    _before_snapshot.append((func, args, kwargs))
    return func


def register_after_restore(func: F, *args: Any, **kwargs: Any) -> F:
    """Register ``func(*args, **kwargs)`` to run after each restore; usable as a decorator."""
    _after_restore.append((func, args, kwargs))
    return func


def get_before_snapshot() -> List[_Hook]:
    return _before_snapshot


def get_after_restore() -> List[_Hook]:
    return _after_restore
