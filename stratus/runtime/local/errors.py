"""Errors of the local execution-environment driver.

::

    EnvironmentError_                 (runtime.environment: the contract's base)
     +-- LocalRuntimeError            something in the local driver itself failed
          +-- ZygoteUnavailable       the fork server could not start or died
          +-- SpawnFailed             the fork server could not fork an environment
          +-- ChannelClosed           a socket to a zygote or an environment closed
          +-- EnvironmentBusy         invoke() while an invocation is running
          +-- UnsupportedRuntime      the runtime is not a Python we can run

``EnvironmentExited``, ``InitFailed`` and ``InvocationNotStarted`` come from the contract
and are raised as is.
"""

from __future__ import annotations

from stratus.runtime.environment import EnvironmentError_


class LocalRuntimeError(EnvironmentError_):
    """Base of the local driver's own failures."""


class ZygoteUnavailable(LocalRuntimeError):
    """The fork server could not be started, or died while we waited on it."""


class SpawnFailed(LocalRuntimeError):
    """The fork server refused or failed to fork an environment."""


class ChannelClosed(LocalRuntimeError):
    """The peer of a control or environment socket went away."""


class EnvironmentBusy(LocalRuntimeError):
    """An environment runs one invocation at a time (Lambda's model)."""


class UnsupportedRuntime(LocalRuntimeError):
    """The function's runtime is not a ``pythonX.Y`` runtime."""
